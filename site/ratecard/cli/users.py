"""`ratecard users add|remove|set-password|set-role|list`: the only way editor accounts are
made and changed."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import click

from ratecard.cli.context import ready_database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

P = ParamSpec("P")
T = TypeVar("T")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise click.UsageError("--password-stdin: no password on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat password")


def _run(action: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    from ratecard.services.accounts import AccountError

    database = ready_database()
    try:
        with database.session() as session:
            return action(session, *args, **kwargs)
    except AccountError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        database.dispose()


@click.group()
def users() -> None:
    """Editor accounts (there is no sign-up on the site)."""


@users.command()
@click.argument("username")
@click.option("--role", type=click.Choice(["editor", "admin"]), default="editor",
              show_default=True, help="Admins can also read the audit log and export.")
@click.option("--name", "display_name", help="Shown as the author of revisions.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def add(username: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create the account USERNAME (the password is asked twice)."""
    from ratecard.services.accounts import add_user

    password = _password(password_stdin)
    user, reactivated = _run(add_user, username, password, role=role,
                             display_name=display_name)
    click.echo(f"{'reactivated' if reactivated else 'added'} {user.role} {user.username!r}"
               f" ({user.display_name})")


@users.command()
@click.argument("username")
def remove(username: str) -> None:
    """Remove the account USERNAME: it can no longer log in, its sessions end now.
    Its revisions and audit entries keep its name."""
    from ratecard.services.accounts import remove_user

    user = _run(remove_user, username)
    click.echo(f"removed {user.username!r}")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def set_password(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; its open sessions end."""
    from ratecard.services.accounts import find_user, set_password

    # Say "no such user" before asking for a password nobody needs.
    def exists(session: Session) -> bool:
        user = find_user(session, username)
        return user is not None and user.active

    if not _run(exists):
        click.echo(f"error: no such user {username.strip().lower()!r}", err=True)
        sys.exit(1)
    password = _password(password_stdin)
    user = _run(set_password, username, password)
    click.echo(f"password changed for {user.username!r}; their sessions have ended")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["editor", "admin"]), metavar="ROLE")
def set_role(username: str, role: str) -> None:
    """Give USERNAME the role ROLE (editor or admin); its open sessions end."""
    from ratecard.services.accounts import set_role

    user, changed = _run(set_role, username, role)
    if changed:
        click.echo(f"{user.username!r} is now {user.role}; their sessions have ended")
    else:
        click.echo(f"{user.username!r} is already {user.role}; nothing changed")


@users.command("list")
def list_() -> None:
    """Every account with its role; removed ones are marked."""
    from ratecard.queries.accounts import all_users

    rows = _run(all_users)
    if not rows:
        click.echo("no accounts yet: ratecard users add USERNAME")
    for user in rows:
        state = "" if user.active else "  (removed)"
        click.echo(f"{user.username:20} {user.role:7} {user.display_name}{state}")
