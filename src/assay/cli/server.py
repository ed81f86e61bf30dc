"""`assay serve` and `assay migrate`."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from assay.api.app import create_app
from assay.cli._common import DbOption, load_settings
from assay.store.migrate import upgrade

console = Console(stderr=True)


def migrate(db: DbOption = None) -> None:
    """Apply pending database migrations."""
    settings = load_settings(db)
    upgrade(settings.resolved_database_url())
    console.print("[green]Database is up to date.[/green]")


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Do not apply pending migrations first.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Server processes (each with its own threads).")] = 1,
) -> None:
    """Serve the REST API (and the web workbench), applying pending migrations first."""
    settings = load_settings(db)
    if not no_migrate:
        upgrade(settings.resolved_database_url())
    console.print(f"Assay listening on http://{host}:{port}")
    if workers > 1:
        # Several processes need an importable factory; each reads the settings from the
        # environment, so pass the resolved database URL down that way.
        os.environ["ASSAY_DATABASE_URL"] = settings.resolved_database_url()
        uvicorn.run(
            "assay.api.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            log_level="warning",
            workers=workers,
        )
        return
    uvicorn.run(create_app(settings, background=True), host=host, port=port, log_level="warning")
