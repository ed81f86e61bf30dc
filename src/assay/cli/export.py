"""`assay export`: write a project's results or raw responses to a JSONL or Parquet file."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assay.config import Settings
from assay.errors import AssayError
from assay.services import exports
from assay.store import make_engine, make_session_factory


class ExportFormat(StrEnum):
    """File formats of an export."""

    JSONL = "jsonl"
    PARQUET = "parquet"


class ExportKind(StrEnum):
    """What an export's rows are."""

    RESULTS = "results"
    RESPONSES = "responses"


def export(
    project_id: Annotated[str, typer.Argument(help="The project to export, e.g. prj_01j...")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="File format.")] = (
        ExportFormat.JSONL
    ),
    kind: Annotated[
        ExportKind,
        typer.Option(help="results: one row per task with a result; responses: one per response."),
    ] = ExportKind.RESULTS,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: PROJECT-KIND.FORMAT in the current directory).",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            help="Database URL (default: ASSAY_DATABASE_URL, else the local SQLite file)."
        ),
    ] = None,
) -> None:
    """Export a project's results or raw responses, with their provenance, to a file."""
    console = Console(stderr=True)
    engine = make_engine(db or Settings().resolved_database_url())
    target = output or Path(f"{project_id}-{kind.value}.{fmt.value}")
    try:
        with make_session_factory(engine)() as session:
            actor = exports.system_actor_for_project(session, project_id)
            total = exports.count_export_rows(session, actor, project_id, kind.value)
            stream = functools.partial(
                exports.export_project, session, actor, project_id, fmt.value, kind.value
            )
            _write(stream, target, total, f"Exporting {kind.value}", console)
    except AssayError as error:
        console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(f"Wrote {total} {kind.value} rows to {target} ({target.stat().st_size} bytes).")


def _write(
    stream: Callable[..., Iterator[bytes]], target: Path, total: int, label: str, console: Console
) -> None:
    unfinished = target.with_name(target.name + ".partial")
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress, unfinished.open("wb") as file:
            bar = progress.add_task(label, total=total)
            for chunk in stream(on_rows=lambda rows: progress.advance(bar, rows)):
                file.write(chunk)
        # Only a finished export takes the target's name: a crash never leaves half a file.
        unfinished.replace(target)
    finally:
        unfinished.unlink(missing_ok=True)
