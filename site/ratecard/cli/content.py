"""`ratecard content import|check|export`: content/ files <-> the database."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ratecard.cli.context import ready_database
from ratecard.content import Problem, content_root

_root = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="The content folder (default: $RATECARD_CONTENT_DIR or ./content).")


@click.group()
def content() -> None:
    """Editorial Markdown pages and illustrations in content/."""


def _print_problems(problems: list[Problem]) -> tuple[int, int]:
    errors = warnings = 0
    for problem in problems:
        click.echo(str(problem))
        if problem.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


@content.command("check")
@_root
def check(root: Path | None) -> None:
    """Validate every file; print `path:line: message`; exit 1 on any error."""
    from ratecard.services.content_files import check_report

    root = root or content_root()
    database = ready_database()
    with database.session() as session:
        problems, files = check_report(session, root)
    errors, warnings = _print_problems(problems)
    click.echo(f"{files} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    if errors:
        sys.exit(1)


@content.command("import")
@_root
def import_(root: Path | None) -> None:
    """Load content/ into the database as revisions (idempotent)."""
    from ratecard.services.content import run_import

    root = root or content_root()
    database = ready_database()
    report = run_import(database, root)
    if report is None:
        click.echo("error: another content import is running", err=True)
        sys.exit(2)
    _print_problems(report.problems)
    click.echo(report.line(), err=True)
    if report.rejected:
        click.echo("rejected (the last good revision stays published): "
                   + ", ".join(report.rejected), err=True)
    if report.refused:
        click.echo("refused (not read, nothing imported from them): "
                   + ", ".join(report.refused), err=True)
    if report.rejected or report.refused:
        sys.exit(1)


@content.command("export")
@_root
@click.option("--all", "all_", is_flag=True,
              help="Write every page, even files that already match or are ahead.")
def export(root: Path | None, all_: bool) -> None:
    """Write published revisions (and stored media) back to content/ files."""
    from ratecard.services.content import export_files

    root = root or content_root()
    database = ready_database()
    skipped: list[Path] = []
    refused: list[Problem] = []
    with database.session() as session:
        written = export_files(session, root, only_changed=not all_, skipped=skipped,
                               refused=refused)
    for path in written:
        click.echo(f"wrote {path}")
    for path in skipped:
        click.echo(f"kept {path}: it has changes the database has not published "
                   "(import it, or use --all to overwrite)", err=True)
    for problem in refused:
        click.echo(str(problem), err=True)
    click.echo(f"{len(written)} file(s) written, {len(refused)} refused", err=True)
    if refused:
        sys.exit(1)
