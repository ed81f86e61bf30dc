"""The ``assay`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from assay.cli import accounts, demo, envs, keys, qc, server, training
from assay.cli import export as export_cli

app = typer.Typer(
    name="assay",
    help="Assay: the open-source human-data platform.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(server.serve)
app.command()(server.migrate)
app.command()(demo.demo)
app.command("export")(export_cli.export)
app.add_typer(keys.app, name="keys")
app.add_typer(accounts.app, name="accounts")
app.add_typer(qc.app, name="qc")
app.add_typer(envs.app, name="envs")
app.add_typer(training.app, name="training")


def main() -> None:
    """Console-script entry point."""
    app()
