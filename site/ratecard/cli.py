"""The `ratecard` command: sync, sources, db, serve, scheduler, quarantine."""
from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path

import click

from ratecard import config as settings
from ratecard.db import Database


def _database() -> Database:
    return Database(os.environ.get("DATABASE_URL") or settings.default_database_url())


def _ready(db: Database) -> None:
    from ratecard.migrate import upgrade

    upgrade(db)


def _settings() -> dict[str, object]:
    """The settings, or a one-line error naming the bad variable (not a traceback)."""
    try:
        return settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _progress(source: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"\r{source}: {done}/{total} models", nl=done == total, err=True)
    elif done == total:
        click.echo(f"{source}: {done}/{total} models", err=True)


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)",
                                 param_hint="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Ratecard: an honest, dated catalog of AI models and their prices."""


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database (DATABASE_URL) to the latest schema."""
    database = _database()
    _ready(database)
    click.echo(f"database at head: {database.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.argument("sources", nargs=-1)
@click.option("--file", "path", type=click.Path(), help="Read the payload from this file "
              "(or folder, for models.dev) instead of the source's URL.")
@click.option("--as-of", "as_of", help="Replay a dated snapshot: the date it describes.")
@click.option("--offline", is_flag=True, help="Load the bundled offline catalog.")
@click.option("--allow-vanish", is_flag=True, help="Publish a run even though many models "
              "vanished (after checking that upstream really dropped them).")
@click.option("--allow-growth", is_flag=True, help="Publish a run even though it adds many "
              "new models (after checking that upstream really added them).")
def sync(sources: tuple[str, ...], path: str | None, as_of: str | None, offline: bool,
         allow_vanish: bool, allow_growth: bool) -> None:
    """Sync SOURCES (default: all) from their URLs, or one from --file."""
    from ratecard.services.guards import GrowthLimits
    from ratecard.services.locks import LockBusy
    from ratecard.services.offline import load_offline_catalog, record_catalog_loaded
    from ratecard.services.sync import SyncRefused, run_sync
    from scrapers.http import HttpSettings
    from scrapers.registry import SOURCES, get_source

    day = _as_of(as_of)
    try:                     # a bad setting is one line here, not a traceback mid-run
        HttpSettings.from_env()
        GrowthLimits.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        chosen = [get_source(name) for name in sources] if sources else list(SOURCES)
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    if path is not None:
        if len(chosen) != 1:
            raise click.UsageError("--file needs exactly one SOURCE")
        if not Path(path).exists():
            raise click.UsageError(f"--file: no such file or folder: {path}")
    database = _database()
    _ready(database)
    if offline:
        summaries = load_offline_catalog(database, progress=_progress)
    else:
        urls = _settings()["SOURCE_URLS"]
        summaries = []
        # A live sync into an empty database is its first load: one "catalog loaded" entry
        # (a replay with --as-of keeps every event: it rebuilds a history).
        first = day is None and _empty(database)
        for source in chosen:
            url = str(Path(path).resolve()) if path else urls[source.name]  # type: ignore[index]
            try:
                summaries.append(run_sync(database, source, url=url, as_of=day,
                                          progress=_progress, allow_vanish=allow_vanish,
                                          allow_growth=allow_growth, first_load=first))
            except (SyncRefused, LockBusy) as exc:
                click.echo(f"error: {exc}", err=True)
                sys.exit(2)
        if first and any(s.ok for s in summaries):
            record_catalog_loaded(database)
    for summary in summaries:
        click.echo(summary.line())
    if not all(s.ok for s in summaries):
        sys.exit(1)


def _empty(database: Database) -> bool:
    from ratecard.queries.catalog import model_count

    with database.session() as session:
        return model_count(session) == 0


@main.command()
def sources() -> None:
    """Each source with its URL, interval, last run and status."""
    from ratecard.queries.runs import last_runs
    from scrapers.registry import SOURCES

    database = _database()
    _ready(database)
    env = _settings()
    with database.session() as session:
        runs = last_runs(session)
    for source in SOURCES:
        run = runs.get(source.name)
        last = (f"{run.started_at:%Y-%m-%d %H:%M}Z {run.status}" + (f" ({run.error})"
                if run.error else "")) if run else "never run"
        click.echo(f"{source.name:13} every {env['SYNC_INTERVAL_HOURS'][source.name]:g} h  "  # type: ignore[index]
                   f"{env['SOURCE_URLS'][source.name]}\n{'':13} last run: {last}")  # type: ignore[index]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: $PORT or 8000.")
def serve(host: str, port: int | None) -> None:
    """Run the site (single-process mode: web + scheduler), loading data on first start."""
    from ratecard.serve import run

    try:
        port = port or int(os.environ.get("PORT", "8000"))
    except ValueError:
        raise click.BadParameter(f"PORT={os.environ['PORT']!r} is not a number") from None
    _settings()
    run(host, port)


@main.command()
def scheduler() -> None:
    """Run the scheduled syncs (the production sync process)."""
    from ratecard.content import content_root
    from ratecard.probes.endpoints import ProbeSettings
    from ratecard.scheduler import add_content_job, add_probe_job, build_scheduler

    env = _settings()
    try:
        ProbeSettings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    database = _database()
    _ready(database)
    click.echo("scheduler started; Ctrl-C to stop", err=True)
    sched = build_scheduler(database, env, background=False, start_now=True)
    add_content_job(sched, database, content_root())
    add_probe_job(sched, database)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


from ratecard.quarantine_cli import quarantine  # noqa: E402

main.add_command(quarantine)
from ratecard.users_cli import users  # noqa: E402

main.add_command(users)
from ratecard.content_cli import content  # noqa: E402

main.add_command(content)
from ratecard.history_cli import history  # noqa: E402

main.add_command(history)
from ratecard.probes_cli import probe, probes  # noqa: E402

main.add_command(probe)
main.add_command(probes)
from ratecard.export_cli import export  # noqa: E402

main.add_command(export)
from ratecard.verdicts_cli import verdicts  # noqa: E402

main.add_command(verdicts)
