"""`ratecard verdicts [--as-of DATE]`: judge the week ending DATE against the week before."""
from __future__ import annotations

import datetime as dt

import click

from ratecard.cli.context import as_of as _as_of
from ratecard.cli.context import ready_database


@click.command()
@click.option("--as-of", "as_of", help="The last day of the week to judge (YYYY-MM-DD); "
              "default: yesterday (UTC), the last whole day.")
def verdicts(as_of: str | None) -> None:
    """Weekly verdicts: each model's week compared with the week before, stored (a re-run
    of the same week replaces its verdicts)."""
    from ratecard.services.probes import model_names
    from ratecard.services.verdicts import run_verdicts

    day = _as_of(as_of) or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    database = ready_database()
    try:
        found = run_verdicts(database, day)
        names = model_names(database, [o.model_id for o in found])
    finally:
        database.dispose()
    for outcome in found:
        tags = "; ".join(outcome.tags) or "no tags"
        click.echo(f"{names.get(outcome.model_id, outcome.model_id)}: {tags} "
                   f"({outcome.runs} + {outcome.previous_runs} runs)")
    click.echo(f"{len(found)} verdict{'s' if len(found) != 1 else ''} for the week ending "
               f"{day.isoformat()}")
