"""`ratecard serve`: the site in one process, ready on a fresh machine.

Migrates the database, loads the offline catalog into an empty one, starts the
scheduler in the background (it syncs the live sources unless offline), then
serves HTTP.
"""
from __future__ import annotations

import logging

import click
from werkzeug.serving import make_server

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.queries.models import model_count


def run(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app()
    database = app.extensions["ratecard.db"]
    upgrade(database)
    with database.session() as session:
        empty = model_count(session) == 0
    if empty:
        from ratecard.services.offline import load_offline_catalog

        click.echo("empty database: loading the offline catalog…", err=True)
        for summary in load_offline_catalog(database, progress=_progress):
            click.echo(summary.line(), err=True)
    _import_content(database)
    scheduler = None
    if not app.config["RATECARD_OFFLINE"]:
        from ratecard.content import content_root
        from ratecard.scheduler import add_content_job, add_probe_job, build_scheduler

        scheduler = build_scheduler(database, app.config, background=True, start_now=True)
        add_content_job(scheduler, database, content_root())
        add_probe_job(scheduler, database)      # measures nothing until a provider key is set
        scheduler.start()
    try:
        server = make_server(host, port, app, threaded=True)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    click.echo(f"Ratecard is running at http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _import_content(database: Database) -> None:
    """content/ into the database (after the catalog: model pages need their models)."""
    from ratecard.content import content_root
    from ratecard.services.content import run_import

    try:
        report = run_import(database, content_root())
    except Exception:                      # never keep the site from starting
        logging.getLogger("ratecard.content").exception("content import failed")
        return
    if report is not None:
        click.echo(report.line(), err=True)


def _progress(source: str, done: int, total: int) -> None:
    if done == total or done % 1000 == 0:
        click.echo(f"  {source}: {done}/{total} models", err=True)
