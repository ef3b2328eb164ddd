"""`ratecard db upgrade`: the one command that changes a database's schema."""
from __future__ import annotations

import click

from ratecard.cli.context import cli


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (DATABASE_URL) to the latest schema (one process at a time)."""
    from ratecard.migrate import pending, upgrade

    database = cli().database
    before = pending(database)
    upgrade(database)
    where = database.engine.url.render_as_string(hide_password=True)
    click.echo(f"database at head: {where}" + (f" (was: {before})" if before else ""))
