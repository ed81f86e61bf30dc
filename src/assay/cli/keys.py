"""`assay keys`: create, list and revoke API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assay.cli._common import DbOption, load_settings
from assay.domain.enums import Role
from assay.errors import AssayError
from assay.services import keys as service
from assay.services.actor import Actor
from assay.store import make_engine, make_session_factory
from assay.store.migrate import upgrade

app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
console = Console(stderr=True)


def _session_factory(db: str | None):  # type: ignore[no-untyped-def]
    settings = load_settings(db)
    url = settings.resolved_database_url()
    upgrade(url)
    return make_session_factory(make_engine(url))


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help="requester | worker | reviewer | admin")],
    org: Annotated[str, typer.Option(help="Organisation name (created if new).")] = "default",
    name: Annotated[str, typer.Option(help="A label for the key (worker keys: the handle).")] = "",
    db: DbOption = None,
) -> None:
    """Create a key and print it alone on the last line (it is shown only once)."""
    factory = _session_factory(db)
    with factory() as session:
        try:
            created = service.create_api_key(session, org_name=org, role=role, name=name)
        except AssayError as exc:
            console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
    console.print(
        f"Created {created.key.role} key {created.key.id} for organisation {org!r}"
        + (f" (worker {created.key.worker_id})" if created.key.worker_id else "")
        + ". Store it now: it cannot be shown again."
    )
    typer.echo(created.secret)


@app.command("list")
def list_keys(
    org: Annotated[str, typer.Option(help="Organisation name.")] = "default",
    db: DbOption = None,
) -> None:
    """List an organisation's keys (never the secrets)."""
    factory = _session_factory(db)
    with factory() as session:
        org_id = service.organisation_id(session, org)
        keys = service.list_api_keys(session, Actor(org_id=org_id, role=Role.ADMIN))
    table = Table("id", "role", "name", "prefix", "created", "revoked")
    for key in keys:
        table.add_row(
            key.id,
            key.role,
            key.name,
            key.prefix + "…",
            str(key.created_at)[:19],
            str(key.revoked_at)[:19] if key.revoked_at else "",
        )
    Console().print(table)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (key_...).")],
    org: Annotated[str, typer.Option(help="Organisation name.")] = "default",
    db: DbOption = None,
) -> None:
    """Revoke a key; it stops working at once."""
    factory = _session_factory(db)
    with factory() as session:
        try:
            org_id = service.organisation_id(session, org)
            service.revoke_api_key(session, Actor(org_id=org_id, role=Role.ADMIN), key_id)
        except AssayError as exc:
            console.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(2) from exc
    console.print(f"Revoked {key_id}.")
