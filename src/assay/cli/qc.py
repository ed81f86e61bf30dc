"""`assay qc` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="qc commands.", no_args_is_help=True)
