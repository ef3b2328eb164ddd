"""What every command shares, built once per invocation: the settings (from
config.from_env(), a bad one is a one-line error), the database, the schema check, and the
progress line of long runs."""
from __future__ import annotations

import datetime as dt
import sys
from functools import cached_property

import click

from ratecard import config
from ratecard.db import Database


class Cli:
    """The click context object (`click.get_current_context().obj`)."""

    @cached_property
    def settings(self) -> config.Settings:
        try:
            return config.from_env()
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None

    @cached_property
    def database(self) -> Database:
        return Database(str(self.settings["DATABASE_URL"]))

    def close(self) -> None:
        """At the end of the command: every connection closed (tests run many in one
        process)."""
        if "database" in self.__dict__:
            self.database.dispose()

    def ready(self) -> Database:
        """The database, when its schema is the one this code needs (else a clear error:
        only `ratecard db upgrade` and the development `serve` migrate)."""
        from ratecard.migrate import pending

        problem = pending(self.database)
        if problem is not None:
            raise click.ClickException(f"{problem}: run `ratecard db upgrade`")
        return self.database


def cli() -> Cli:
    return click.get_current_context().ensure_object(Cli)


def ready_database() -> Database:
    return cli().ready()


def progress(source: str, done: int, total: int) -> None:
    """Long runs say where they are: a line rewritten in place on a terminal, the last one
    only in a log."""
    if sys.stderr.isatty():
        click.echo(f"\r{source}: {done}/{total} models", nl=done == total, err=True)
    elif done == total or done % 1000 == 0:
        click.echo(f"{source}: {done}/{total} models", err=True)


def as_of(value: str | None, hint: str = "--as-of") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)",
                                 param_hint=hint) from None
