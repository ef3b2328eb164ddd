"""`ratecard quarantine list|approve|reject`: settle price changes the guards held."""
from __future__ import annotations

import sys

import click

from ratecard.cli.context import ready_database


def _ids(ids: tuple[int, ...], all_: bool) -> list[int] | None:
    if all_ and ids:
        raise click.UsageError("give IDs or --all, not both")
    if not all_ and not ids:
        raise click.UsageError("give the IDs to settle, or --all")
    return None if all_ else list(ids)


@click.group()
def quarantine() -> None:
    """Price values held for review (implausible, an outlier, a drop to zero, a move of more
    than 10x); corrections that agree with the other sources publish by themselves."""


@quarantine.command("list")
@click.option("--status", default="pending", show_default=True,
              type=click.Choice(["pending", "approved", "corrected", "rejected", "expired"]))
def list_(status: str) -> None:
    from ratecard.queries.held import others_now
    from ratecard.queries.runs import held_changes

    database = ready_database()
    with database.session() as session:
        rows = held_changes(session, status)
        others = others_now(session, [change for change, _ in rows])
    if not rows:
        click.echo(f"no {status} held changes")
    for change, model in rows:
        conds = "".join(f" {k}={v}" for k, v in sorted(change.conditions.items()))
        old = "new" if change.old_amount is None else f"{change.old_amount:f}"
        now = "; ".join(f"{source} {amount:f}" for source, amount in others[change.id])
        click.echo(f"#{change.id}  {change.seen_at:%Y-%m-%d}  {change.source}  {model}  "
                   f"{change.meter}/{change.unit}{conds}: {old} -> {change.new_amount:f}\n"
                   f"    why: {change.reason}\n"
                   f"    other sources now: {now or 'none price this'}")


def _settle(action: str, ids: tuple[int, ...], all_: bool) -> None:
    from ratecard.services import quarantine as service

    chosen = _ids(ids, all_)
    database = ready_database()
    try:
        with database.session() as session:
            done = getattr(service, action)(session, chosen)
    except service.QuarantineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    verb = "approved" if action == "approve" else "rejected"
    click.echo(f"{verb} {len(done)} held change(s)" +
               (": " + ", ".join(f"#{c.id}" for c in done) if done else ""))


@quarantine.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every pending change.")
def approve(ids: tuple[int, ...], all_: bool) -> None:
    """Publish held changes (each takes effect at the date it was seen)."""
    _settle("approve", ids, all_)


@quarantine.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "all_", is_flag=True, help="Every pending change.")
def reject(ids: tuple[int, ...], all_: bool) -> None:
    """Discard held changes."""
    _settle("reject", ids, all_)
