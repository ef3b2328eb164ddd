"""`ratecard pages build|status`: the page store (docs/pages.md)."""
from __future__ import annotations

import datetime as dt
import sys

import click

from ratecard.cli.context import cli

SITE_URL_HELP = ("The address the site is served at, e.g. https://ratecard.example (pages "
                 "name it); its pages not stored yet are rendered. Repeatable; default "
                 "$RATECARD_SITE_URL.")


@click.group()
def pages() -> None:
    """The page store: public pages rendered on write, served by every worker."""


@pages.command("build")
@click.option("--all", "everything", is_flag=True,
              help="Render every page again, current or not (a new deployment, a template "
                   "change).")
@click.option("--base-url", "sites", multiple=True, metavar="URL", envvar="RATECARD_SITE_URL",
              help=SITE_URL_HELP)
def build(everything: bool, sites: tuple[str, ...]) -> None:
    """Mark stale the pages that show what changed since the last build and render them
    again, with every page of an earlier day and (with --base-url) every page not stored."""
    from ratecard.web.page_build import app_for, build_pages

    database = cli().ready()
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            click.echo(f"\rpages: {done}/{total}", nl=done == total, err=True)
        elif done == total or done % 500 == 0:
            click.echo(f"pages: {done}/{total}", err=True)

    app = app_for(database.url)
    try:
        summary = build_pages(app, everything=everything, sites=sites, progress=progress)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        app.extensions["ratecard.db"].dispose()
    click.echo(summary.line())
    for failed in summary.failed[:20]:
        click.echo(f"  not rendered: {failed}", err=True)


@pages.command("status")
def status() -> None:
    """How many stored pages are current, stale, or from an earlier day."""
    from ratecard.queries import page_store as q
    from ratecard.queries.version import data_version

    database = cli().ready()
    with database.sessionmaker() as session:
        found = q.status(session, data_version(session)[0], dt.datetime.now(dt.UTC).date())
    click.echo(found.line())


def after_write() -> None:
    """The incremental build after a writing command, when the store has been built once
    (`ratecard pages build`): nothing otherwise."""
    import os

    from ratecard.queries import page_store as q
    from ratecard.web.page_build import app_for, build_pages

    database = cli().database
    try:
        with database.sessionmaker() as session:
            if q.last_marks(session) is None:
                return
    except Exception:  # noqa: BLE001  (no store yet: an older schema, an empty database)
        return
    site = os.environ.get("RATECARD_SITE_URL") or ""
    try:
        summary = build_pages(app_for(database.url), sites=[site] if site else [])
    except Exception as exc:  # noqa: BLE001  (the write stands whatever went wrong here)
        click.echo(f"pages build failed: {exc}. What was written stands; stale pages are "
                   "rendered on request until `ratecard pages build` succeeds.", err=True)
        return
    click.echo(summary.line(), err=True)
