"""Options and helpers every command shares: the database URL and settings."""

from __future__ import annotations

from typing import Annotated

import typer

from assay.config import Settings

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL; overrides ASSAY_DATABASE_URL (default: SQLite under ./.assay/).",
        show_default=False,
    ),
]


def load_settings(db: str | None) -> Settings:
    """Settings from the environment, with ``--db`` taking precedence."""
    settings = Settings()
    if db:
        settings = settings.model_copy(update={"database_url": db})
    return settings
