"""`ratecard serve` (development: one process, migrates and loads the offline catalog) and
`ratecard scheduler` (production: the writer process beside gunicorn's workers)."""
from __future__ import annotations

import logging
import os

import click

from ratecard.cli.context import cli


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: $PORT or 8000.")
def serve(host: str, port: int | None) -> None:
    """Run the site (single-process mode: web + scheduler), loading data on first start."""
    from ratecard.serve import run

    try:
        port = port or int(os.environ.get("PORT", "8000"))
    except ValueError:
        raise click.BadParameter(f"PORT={os.environ['PORT']!r} is not a number") from None
    _ = cli().settings        # a bad setting: one line, before anything starts
    run(host, port)


@click.command()
def scheduler() -> None:
    """Run the scheduled syncs (the production sync process)."""
    from ratecard.content import content_root
    from ratecard.probes.endpoints import ProbeSettings
    from ratecard.scheduler import add_content_job, add_probe_job, build_scheduler

    context = cli()
    env = context.settings
    try:
        ProbeSettings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    database = context.ready()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo("scheduler started; Ctrl-C to stop", err=True)
    sched = build_scheduler(database, env, background=False, start_now=True)
    add_content_job(sched, database, content_root())
    add_probe_job(sched, database)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
