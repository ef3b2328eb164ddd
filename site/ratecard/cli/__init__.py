"""The `ratecard` command. One module per group of commands; each command asks the shared
context (cli/context.py) for the settings and a database whose schema is current."""
from __future__ import annotations

import click

from ratecard.cli.context import Cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Ratecard: an honest, dated catalog of AI models and their prices."""
    ctx.call_on_close(ctx.ensure_object(Cli).close)


def _register() -> None:
    from ratecard.cli import (
        content,
        db,
        export,
        export_site,
        history,
        probes,
        quarantine,
        serve,
        sync,
        users,
        verdicts,
    )

    for command in (db.db, sync.sync, sync.sources, serve.serve, serve.scheduler,
                    quarantine.quarantine, users.users, content.content, history.history,
                    probes.probe, probes.probes, export.export, export_site.export_site,
                    verdicts.verdicts):
        main.add_command(command)


_register()
