"""`assay demo`: a seeded SQLite instance served on http://127.0.0.1:8000."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from assay.api.app import create_app
from assay.cli._common import DbOption, load_settings
from assay.services.demo import DEMO_PASSWORD, seed_demo
from assay.store import make_engine, make_session_factory
from assay.store.migrate import upgrade

console = Console()


def demo(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    seed_only: Annotated[
        bool, typer.Option("--seed-only", help="Seed, print, do not serve.")
    ] = False,
) -> None:
    """Migrate, seed a demo organisation with projects of several task types, print keys, serve."""
    settings = load_settings(db)
    url = settings.resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        seed = seed_demo(session, settings)
    engine.dispose()
    table = Table("role", "API key", title="Demo API keys (organisation 'demo')")
    for role, secret in seed.keys.items():
        table.add_row(role, secret)
    console.print(table)
    logins = Table("role", "email", "password", title="Web workbench logins")
    for role, email in seed.logins.items():
        logins.add_row(role, email, DEMO_PASSWORD)
    console.print(logins)
    console.print(f"{len(seed.project_ids)} demo projects. Database: {url}")
    if seed_only:
        return
    console.print(f"Serving http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(create_app(settings, background=True), host=host, port=port, log_level="warning")
