"""`ratecard history rebuild [SOURCE...] [--dry-run]`: derive a source's history again from
its stored payloads with today's parser (docs/rebuilding.md)."""
from __future__ import annotations

import click

from ratecard.cli.context import ready_database


@click.group()
def history() -> None:
    """A source's stored history (prices, capabilities, aliases, change events)."""


@history.command()
@click.argument("sources", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Print what would differ, per model and "
              "meter, and write nothing.")
def rebuild(sources: tuple[str, ...], dry_run: bool) -> None:
    """Replay every stored payload of SOURCES (default: every source with stored payloads)
    through today's parser and guards, and swap the result in within one transaction."""
    from ratecard.queries.history_diff import report
    from ratecard.services.history_rebuild import RebuildBusy, RebuildError, runs_of
    from ratecard.services.history_rebuild import rebuild as run
    from scrapers.registry import SOURCES, get_source

    try:
        chosen = [get_source(name) for name in dict.fromkeys(sources)]
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0])) from None
    database = ready_database()
    if not chosen:
        with database.session() as session:
            chosen = [s for s in SOURCES if runs_of(session, s.name)]
        if not chosen:
            raise click.ClickException("no source has stored payloads to rebuild from")
    code = 0
    for source in chosen:
        try:
            result = run(database, source, dry_run=dry_run,
                         say=lambda line: click.echo(line, err=True))
        except RebuildError as exc:
            click.echo(f"error: {exc}", err=True)
            code = max(code, 2 if isinstance(exc, RebuildBusy) else 1)   # busy: as sync
            continue
        if dry_run:
            for line in report(result.changes):
                click.echo(line)
        click.echo(result.line())
    if code:
        raise SystemExit(code)
