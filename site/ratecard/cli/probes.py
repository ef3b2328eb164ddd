"""`ratecard probe MODEL...` (one cycle now) and `ratecard probes` (what is measured)."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ratecard.cli.context import ready_database
from ratecard.models.probes import ProbeRun

if TYPE_CHECKING:
    from ratecard.db import Database
    from ratecard.probes.endpoints import ProbeSettings


def _settings() -> ProbeSettings:
    from ratecard.probes.endpoints import ProbeSettings

    try:
        return ProbeSettings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _call_line(run: ProbeRun) -> str:
    parts = [f"  {run.started_at:%H:%M:%S}Z {run.outcome}",
             f"HTTP {run.http_status}" if run.http_status else "no HTTP status",
             f"{run.latency_ms} ms"]
    if run.ttft_ms is not None:
        parts.append(f"first token {run.ttft_ms} ms")
    if run.input_tokens is not None or run.output_tokens is not None:
        parts.append(f"{run.input_tokens or 0} in / {run.output_tokens or 0} out tokens")
    if run.output_tps is not None:
        parts.append(f"{run.output_tps} tok/s")
    parts.append(f"${run.cost_usd}" if run.cost_usd is not None else "cost unknown")
    line = ", ".join(parts)
    return line + (f"\n    {run.error}" if run.error else "")


@click.command("probe")
@click.argument("models", nargs=-1, required=True)
def probe(models: tuple[str, ...]) -> None:
    """Run one probe cycle now for each MODEL (canonical id, e.g. openai/gpt-4o).

    Exits 0 when calls were made, whatever their outcome (a failure is a measurement)."""
    from dataclasses import replace

    settings = replace(_settings(), models=tuple(models))
    database = ready_database()
    try:
        _probe(database, settings)
    finally:
        database.dispose()        # the process may go on (tests): close every connection


def _probe(database: Database, settings: ProbeSettings) -> None:
    from ratecard.probes.endpoints import NotMeasurable
    from ratecard.services.locks import LockBusy
    from ratecard.services.probes import cycle_line, run_cycle, targets

    chosen, unknown = targets(database, settings)
    if unknown:
        raise click.ClickException(f"unknown model: {', '.join(unknown)} (use the canonical "
                                   f"id shown on its page, e.g. openai/gpt-4o)")
    missing = [t.reason for t in chosen if t.endpoint is None]
    if missing:
        raise click.ClickException("cannot probe: " + "; ".join(str(r) for r in missing))
    made = 0
    for target in chosen:
        assert target.endpoint is not None          # a target without one was refused above
        click.echo(f"{target.canonical_id} via {target.endpoint.public_url}")
        try:
            report = run_cycle(database, target, settings, trigger="manual",
                               on_call=lambda run: click.echo(_call_line(run)))
        except (LockBusy, NotMeasurable) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        made += len(report.runs)
        click.echo(f"  summary: {cycle_line(report)}")
    if not made:
        sys.exit(1)                        # the spend cap stopped every call


@click.command("probes")
def probes() -> None:
    """The measured models, their last result, and today's probe spend."""

    settings = _settings()
    database = ready_database()
    try:
        _probes(database, settings)
    finally:
        database.dispose()


def _probes(database: Database, settings: ProbeSettings) -> None:
    from ratecard.db import utcnow
    from ratecard.queries import availability as qa
    from ratecard.services.probes import targets

    chosen, unknown = targets(database, settings)
    now = utcnow()
    with database.session() as session:
        spent = qa.spent_since(session, qa.day_start(now))
        last = qa.last_runs(session, [t.model_id for t in chosen])
    state = "probing paused until 00:00 UTC" if spent >= settings.daily_usd else "under the cap"
    click.echo(f"every {settings.interval_hours:g} h; spent today ${spent} of "
               f"${settings.daily_usd} ({state})")
    for model_id in unknown:
        click.echo(f"{model_id}: no such model (RATECARD_PROBE_MODELS)")
    if not chosen:
        click.echo("no models chosen: none has an editorial page "
                   "(or set RATECARD_PROBE_MODELS)")
    for target in chosen:
        run = last.get(target.model_id)
        head = (f"{target.canonical_id}: measured via {target.endpoint.public_url}"
                if target.endpoint else f"{target.canonical_id}: not measured "
                f"({(target.reason or '').split(': ', 1)[-1]})")
        tail = (f"\n  last: {run.started_at:%Y-%m-%d %H:%M}Z {run.outcome}, {run.latency_ms} ms"
                + (f", ${run.cost_usd}" if run.cost_usd is not None else "")
                if run else "\n  last: never run")
        click.echo(head + tail)
