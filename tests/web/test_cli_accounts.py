"""`assay accounts create`: a login from the command line, password prompted when left out."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assay.cli.accounts import app
from assay.services import accounts


def test_create_an_account_then_log_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "create",
            "--org",
            "acme",
            "--email",
            "lead@acme.test",
            "--role",
            "admin",
            "--password",
            "a long password",
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    prompted = runner.invoke(
        app,
        [
            "create",
            "--org",
            "acme",
            "--email",
            "ana@acme.test",
            "--role",
            "worker",
            "--handle",
            "ana",
            "--db",
            url,
        ],
        input="another password\nanother password\n",
    )
    assert prompted.exit_code == 0, prompted.output
    from assay.store import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        login = accounts.login(session, "ana@acme.test", "another password")
        assert login.account.worker_id is not None
    engine.dispose()


def test_a_short_password_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "create",
            "--email",
            "a@acme.test",
            "--role",
            "worker",
            "--password",
            "short",
            "--db",
            f"sqlite:///{tmp_path / 'cli.db'}",
        ],
    )
    assert result.exit_code == 2
    assert "at least 10" in result.output
