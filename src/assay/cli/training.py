"""`assay training`: export a project's judged data for trainers, as JSONL or a HF dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from assay.cli._common import DbOption, load_settings
from assay.errors import AssayError
from assay.services import exports, training_exports
from assay.services.actor import Actor
from assay.store import Session, make_engine, make_session_factory

app = typer.Typer(
    help="Export training data: TRL, SFT messages, OpenAI JSONL.", no_args_is_help=True
)
console = Console(stderr=True)
FORMATS = ", ".join(training_exports.FAMILIES)


@app.callback()
def main() -> None:
    """Export training data: TRL, SFT messages, OpenAI JSONL, Hugging Face datasets."""


@app.command("export")
def export(
    project_id: Annotated[str, typer.Argument(help="The project to export, e.g. prj_01j...")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {FORMATS}.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File (JSONL) or directory.")],
    hf: Annotated[
        bool, typer.Option("--hf", help="Save a Hugging Face dataset directory (needs datasets).")
    ] = False,
    side_columns: Annotated[bool, typer.Option(help="Keep rater-quality columns.")] = True,
    db: DbOption = None,
) -> None:
    """Write a project's examples in a training format, with rater-quality side columns."""
    engine = make_engine(load_settings(db).resolved_database_url())
    columns = (SpinnerColumn(), TextColumn("{task.description}"))
    try:
        with make_session_factory(engine)() as session, Progress(*columns, console=console) as bar:
            bar.add_task(f"Exporting {fmt}", total=None)
            actor = exports.system_actor_for_project(session, project_id)
            if hf:
                rows = training_exports.save_training_dataset(
                    session, actor, project_id, fmt, output, side_columns=side_columns
                )
            else:
                rows = _write_jsonl(session, actor, project_id, fmt, output, side_columns)
    except AssayError as error:
        console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(f"Wrote {rows} {fmt} rows to {output}.")


def _write_jsonl(
    session: Session, actor: Actor, project_id: str, fmt: str, output: Path, side_columns: bool
) -> int:
    plan = training_exports.plan_training_export(
        session, actor, project_id, fmt, side_columns=side_columns
    )
    unfinished = output.with_name(output.name + ".partial")
    rows = 0
    with unfinished.open("wb") as file:
        for chunk in training_exports.stream_training_export(session, plan):
            file.write(chunk)
            rows += chunk.count(b"\n")
    unfinished.replace(output)  # only a finished export takes the target's name
    return rows
