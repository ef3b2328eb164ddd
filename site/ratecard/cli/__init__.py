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


# Commands that may change what pages show: once they finish, the page store is brought up
# to date in this process (docs/pages.md), when one is in use.
WRITERS = ("sync", "quarantine", "content", "probe", "verdicts", "history")


@main.result_callback()
@click.pass_context
def _after_command(ctx: click.Context, *_results: object, **_options: object) -> None:
    if ctx.invoked_subcommand in WRITERS:
        from ratecard.cli.pages import after_write

        after_write()


def _register() -> None:
    from ratecard.cli import (
        content,
        db,
        export,
        export_site,
        history,
        pages,
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
                    verdicts.verdicts, pages.pages):
        main.add_command(command)


_register()
