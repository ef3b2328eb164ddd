"""`ratecard export DIR`: the open-data files the site serves under /export/."""
from __future__ import annotations

from pathlib import Path

import click

from ratecard.cli.context import ready_database


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False), required=False)
def export(directory: str | None) -> None:
    """Write DIR/ratecard.jsonl.gz (the full dump), its .sha256 and DIR/prices.csv
    (default: RATECARD_EXPORT_DIR or instance/export, which the site serves)."""
    from ratecard.services.export import default_dir, write_exports

    target = Path(directory) if directory else default_dir()
    database = ready_database()
    try:
        result = write_exports(database, target)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {target}: {exc.strerror or exc}") from None
    finally:
        database.dispose()
    click.echo(result.line())
