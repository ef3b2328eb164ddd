"""`ratecard export-site DIR`: the whole public site as static files (docs/publishing.md)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ratecard.cli.context import cli


@click.command("export-site")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--base-url", required=True, metavar="URL",
              help="The address the site is published at, e.g. https://ratecard.example "
                   "(sitemap.xml, robots.txt, feeds and canonical links name it).")
@click.option("--gzip", "gzip_copies", is_flag=True,
              help="Also write a .gz beside each text file (nginx's gzip_static).")
def export_site(directory: str, base_url: str, gzip_copies: bool) -> None:
    """Write every public page, asset, API document of every model, feed, sitemap.xml and
    robots.txt under DIR, with DIR/manifest.json; run again, rewrite only what changed."""
    from ratecard import create_app
    from ratecard.services.site_export import ExportError, Page, write_site
    from ratecard.web.static_site import SiteWalk

    context = cli()
    database = context.ready()
    app = create_app({"DATABASE_URL": database.url, "RATECARD_API_RATE_LIMIT": 0})
    tty = sys.stderr.isatty()
    rendered = [0]

    def progress(done: int, page: Page) -> None:
        rendered[0] = done
        total = max(walk.total, done)
        if tty:
            click.echo(f"\rpages: {done}/{total}", nl=False, err=True)
        elif done % 500 == 0:
            click.echo(f"pages: {done}/{total}", err=True)

    try:
        walk = SiteWalk(app, base_url)
        summary = write_site(Path(directory), walk, gzip_copies=gzip_copies,
                             progress=progress)
    except ExportError as exc:
        if tty:
            click.echo("", err=True)
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write to {directory}: {exc.strerror or exc}"
                                   ) from None
    finally:
        app.extensions["ratecard.db"].dispose()
    click.echo(("\r" if tty else "") + f"pages: {rendered[0]}/{rendered[0]}", err=True)
    summary.skipped = walk.skipped
    click.echo(summary.line())
