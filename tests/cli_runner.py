"""`ratecard …` run in this process with Click's CliRunner: the exit code, stdout and
stderr a person would see, without starting an interpreter per command. An exception the
command did not turn into a message is raised here (a person would see a traceback)."""
from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Ran:
    from ratecard.cli import main

    result = CliRunner().invoke(main, list(args), input=stdin, env=env,
                                catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
