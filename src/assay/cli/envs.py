"""`assay envs` commands: list the bundled tasks, run an agent on them, serve them."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from assay.envs import (
    Agent,
    ChatClient,
    Episode,
    EpisodeResult,
    ModelAgent,
    RandomAgent,
    ReferenceAgent,
    bundled_tasks,
    export_jsonl,
    get_task,
    run_task,
    summarise,
)
from assay.envs.tasks import Task
from assay.errors import AssayError

app = typer.Typer(
    help="RL environments: list tasks, run agents on them, serve them over HTTP or MCP.",
    no_args_is_help=True,
)
console = Console()
AGENTS = ("reference", "naive", "random", "model")


def _fail(error: AssayError) -> typer.Exit:
    console.print(f"[red]error:[/red] {error.message}")
    return typer.Exit(code=2)


@app.command("list")
def list_tasks(
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the bundled tasks."""
    tasks = [t for t in bundled_tasks().values() if category in (None, t.category)]
    if as_json:
        for t in tasks:
            line = {
                "id": t.id,
                "category": t.category,
                "title": t.title,
                "needs_fallback": t.needs_fallback,
            }
            typer.echo(json.dumps(line))
        return
    table = Table("task", "category", "faults", "fallback", "title")
    for t in tasks:
        table.add_row(
            t.id, t.category, str(len(t.faults)), "yes" if t.needs_fallback else "", t.title
        )
    console.print(table)


def _agent(
    name: str, model: str | None, base_url: str | None, api_key_env: str, stack: ExitStack
) -> Agent:
    if name == "reference":
        return ReferenceAgent()
    if name == "naive":
        return ReferenceAgent(fallbacks=False)
    if name == "random":
        return RandomAgent()
    if name == "model":
        url = base_url or os.environ.get("OPENAI_BASE_URL")
        if not url or not model:
            raise typer.BadParameter(
                "--agent model needs --model and --base-url (or OPENAI_BASE_URL)"
            )
        client = stack.enter_context(
            ChatClient(url, model=model, api_key=os.environ.get(api_key_env))
        )
        return ModelAgent(client)
    raise typer.BadParameter(f"--agent must be one of {', '.join(AGENTS)}")


@app.command("run")
def run(
    task: Annotated[str, typer.Argument(help="A task id, a category, or 'all'.")],
    agent: Annotated[str, typer.Option(help="reference | naive | random | model")] = "reference",
    faults: Annotated[
        bool, typer.Option("--faults", help="Run with each task's fault plan.")
    ] = False,
    runs: Annotated[int, typer.Option(min=1, help="Runs per task, with seeds 0..runs-1.")] = 1,
    model: Annotated[str | None, typer.Option(help="Model name for --agent model.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible API root, e.g. http://host/v1.")
    ] = None,
    api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the API key.")
    ] = "OPENAI_API_KEY",
    export: Annotated[
        Path | None, typer.Option(help="Write trajectories as chat JSONL here.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON line per episode.")
    ] = False,
) -> None:
    """Run an agent on tasks and report scores."""
    chosen = _choose(task)
    with ExitStack() as stack:
        player = _agent(agent, model, base_url, api_key_env, stack)
        episodes = _play(player, chosen, faults=faults, runs=runs, quiet=as_json)
    results = [e.result() for e in episodes]
    if export is not None:
        export_jsonl(episodes, export)
    if as_json:
        for r in results:
            typer.echo(r.model_dump_json(exclude={"grade"}))
    else:
        _report(results, runs)


def _choose(selector: str) -> list[Task]:
    tasks = list(bundled_tasks().values())
    if selector == "all":
        return tasks
    try:
        return [t for t in tasks if t.category == selector] or [get_task(selector)]
    except AssayError as error:
        raise _fail(error) from error


def _play(
    player: Agent, tasks: list[Task], *, faults: bool, runs: int, quiet: bool
) -> list[Episode]:
    episodes: list[Episode] = []
    with Progress(console=console, transient=True, disable=quiet) as progress:
        bar = progress.add_task("episodes", total=len(tasks) * runs)
        for item in tasks:
            for seed in range(runs):
                if isinstance(player, RandomAgent):
                    player.seed = seed
                episodes.append(run_task(player, item, faults=faults, seed=seed))
                progress.advance(bar)
    return episodes


def _report(results: list[EpisodeResult], runs: int) -> None:
    table = Table("task", "seed", "score", "success", "steps", "tool errors", "faults hit")
    for r in results:
        table.add_row(
            r.task_id,
            str(r.seed),
            f"{r.score:.3f}",
            "yes" if r.success else "no",
            str(r.steps),
            str(r.tool_errors),
            str(r.injected_faults),
        )
    console.print(table)
    summary = summarise(results, ks=(1, runs) if runs > 1 else (1,))
    console.print(
        f"mean score {summary.mean_score:.3f}, success {summary.success_rate:.3f}, "
        f"pass^k {summary.pass_hat}, steps {summary.mean_steps:.1f}"
    )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface for HTTP.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for HTTP.")] = 8765,
    mcp: Annotated[
        bool, typer.Option("--mcp", help="Serve one episode over MCP on stdio instead.")
    ] = False,
    task: Annotated[str | None, typer.Option(help="Task for --mcp.")] = None,
    seed: Annotated[int, typer.Option(help="Episode seed for --mcp.")] = 0,
    faults: Annotated[
        bool, typer.Option("--faults", help="With --mcp: run with the task's faults.")
    ] = False,
) -> None:
    """Serve the bundled tasks over HTTP (OpenEnv style), or one episode over MCP (stdio)."""
    if mcp:
        if task is None:
            raise typer.BadParameter("--mcp needs --task")
        from assay.envs.mcp_server import main as serve_mcp

        serve_mcp(["--task", task, "--seed", str(seed), *(["--faults"] if faults else [])])
        return
    from assay.envs.http_server import EnvServer

    server = EnvServer(host=host, port=port)
    console.print(f"serving {len(server.store.tasks)} tasks on {server.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
