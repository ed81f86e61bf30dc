"""`assay envs` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="envs commands.", no_args_is_help=True)
