"""`assay accounts`: create web workbench logins (passwords are stored as argon2 hashes)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from assay.cli._common import DbOption, load_settings
from assay.errors import AssayError
from assay.services import accounts as service
from assay.store import make_engine, make_session_factory
from assay.store.migrate import upgrade

app = typer.Typer(help="Create logins for the web workbench.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def accounts() -> None:
    """Create logins for the web workbench."""


@app.command("create")
def create(
    email: Annotated[str, typer.Option(help="The login (unique).")],
    role: Annotated[str, typer.Option(help="worker | reviewer | requester | admin")],
    org: Annotated[str, typer.Option(help="Organisation name (created if new).")] = "default",
    password: Annotated[
        str | None,
        typer.Option(help="At least 10 characters; asked for (hidden) when left out."),
    ] = None,
    handle: Annotated[
        str | None, typer.Option(help="Worker handle for worker/reviewer accounts.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an account; worker and reviewer accounts get (or join) a worker profile."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    url = load_settings(db).resolved_database_url()
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            account = service.create_account(
                session,
                org_name=org,
                email=email,
                password=password,
                role=role,
                worker_handle=handle,
            )
    except AssayError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    worker = f" linked to worker {account.worker_id}" if account.worker_id else ""
    console.print(
        f"Created {account.role} account {account.email} in organisation {org!r}{worker}."
    )
    typer.echo(account.id)
