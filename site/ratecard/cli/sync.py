"""`ratecard sync` and `ratecard sources`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ratecard.cli.context import as_of as parse_day
from ratecard.cli.context import cli, progress
from ratecard.db import Database


@click.command()
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

    day = parse_day(as_of)
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
    context = cli()
    database = context.ready()
    if offline:
        summaries = load_offline_catalog(database, progress=progress)
    else:
        urls = context.settings["SOURCE_URLS"]
        summaries = []
        # A live sync into an empty database is its first load: one "catalog loaded" entry
        # (a replay with --as-of keeps every event: it rebuilds a history).
        first = day is None and _empty(database)
        for source in chosen:
            url = str(Path(path).resolve()) if path else urls[source.name]
            try:
                summaries.append(run_sync(database, source, url=url, as_of=day,
                                          progress=progress, allow_vanish=allow_vanish,
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
    from ratecard.queries.models import model_count

    with database.session() as session:
        return model_count(session) == 0


@click.command()
def sources() -> None:
    """Each source with its URL, interval, last run and status."""
    from ratecard.queries.runs import last_runs
    from scrapers.registry import SOURCES

    context = cli()
    database = context.ready()
    env = context.settings
    with database.session() as session:
        runs = last_runs(session)
    for source in SOURCES:
        run = runs.get(source.name)
        last = (f"{run.started_at:%Y-%m-%d %H:%M}Z {run.status}" + (f" ({run.error})"
                if run.error else "")) if run else "never run"
        click.echo(f"{source.name:13} every {env['SYNC_INTERVAL_HOURS'][source.name]:g} h  "
                   f"{env['SOURCE_URLS'][source.name]}\n{'':13} last run: {last}")
