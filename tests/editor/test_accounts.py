"""`ratecard users add|remove|set-password` as a person runs them, and how passwords are kept."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from ratecard.models import AuditEntry, User
from ratecard.services import accounts
from tests.cli_runner import Ran, run_cli
from tests.editor.conftest import PASSWORD, login


def ratecard(database_url: str, *args: str, stdin: str = "") -> Ran:
    return run_cli(*args, env={"DATABASE_URL": database_url}, stdin=stdin)


def user(db, name: str) -> User | None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(User).where(User.username == name))


def test_add_with_password_from_stdin(db, database_url):
    result = ratecard(database_url, "users", "add", "Alice", "--role", "admin", "--name",
                      "Alice Liddell", "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    assert "added admin 'alice'" in result.stdout
    alice = user(db, "alice")
    assert alice is not None and alice.role == "admin" and alice.display_name == "Alice Liddell"
    assert PASSWORD not in result.stdout + result.stderr


def test_add_prompts_twice_and_refuses_a_mismatch(db, database_url):
    ok = ratecard(database_url, "users", "add", "bob", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.returncode == 0, ok.stderr
    assert user(db, "bob").role == "editor"
    mismatch = ratecard(database_url, "users", "add", "carol",
                        stdin=f"{PASSWORD}\nsomething else entirely\n")
    assert mismatch.returncode != 0 and user(db, "carol") is None
    assert "do not match" in (mismatch.stdout + mismatch.stderr).lower()


@pytest.mark.parametrize("args, stdin, message", [
    (["users", "add", "dup", "--password-stdin"], PASSWORD + "\n", "already exists"),
    (["users", "add", "x y", "--password-stdin"], PASSWORD + "\n", "invalid username"),
    (["users", "add", "newbie", "--password-stdin"], "short\n", "at least 10 characters"),
    (["users", "add", "newbie", "--password-stdin"], "", "no password on standard input"),
    (["users", "add", "newbie", "--role", "owner", "--password-stdin"], PASSWORD + "\n",
     "Invalid value for '--role'"),
    (["users", "remove", "nobody"], "", "no such user 'nobody'"),
    (["users", "set-password", "nobody", "--password-stdin"], PASSWORD + "\n",
     "no such user 'nobody'"),
    (["users", "set-role", "nobody", "admin"], "", "no such user 'nobody'"),
    (["users", "set-role", "dup", "owner"], "", "Invalid value for 'ROLE'"),
])
def test_mistakes_get_a_clear_message(db, database_url, args, stdin, message):
    with db.session() as session:
        accounts.add_user(session, "dup", PASSWORD)
    result = ratecard(database_url, *args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_remove_and_set_password_end_sessions(app, db, database_url):
    with db.session() as session:
        accounts.add_user(session, "dora", PASSWORD)
    client = app.test_client()
    assert login(client, "dora").status_code == 302
    assert client.get("/editor/").status_code == 200

    changed = ratecard(database_url, "users", "set-password", "dora", "--password-stdin",
                       stdin="a brand new passphrase\n")
    assert changed.returncode == 0, changed.stderr
    ended = client.get("/editor/")
    assert ended.status_code == 302 and "reason=revoked" in ended.headers["Location"]
    assert login(client, "dora").status_code == 401                       # old password
    assert login(client, "dora", "a brand new passphrase").status_code == 302

    removed = ratecard(database_url, "users", "remove", "dora")
    assert removed.returncode == 0, removed.stderr
    assert client.get("/editor/").status_code == 302
    assert login(client, "dora", "a brand new passphrase").status_code == 401
    assert user(db, "dora").active is False        # kept: revisions and audit point at it

    with db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.target == "dora").order_by(AuditEntry.id)).all()
    assert actions[:1] == ["user_added"]
    assert "user_password_set" in actions and "user_removed" in actions


def test_list_shows_accounts(db, database_url):
    with db.session() as session:
        accounts.add_user(session, "erin", PASSWORD, role="admin", display_name="Erin")
    result = ratecard(database_url, "users", "list")
    assert result.returncode == 0 and "erin" in result.stdout and "admin" in result.stdout


def test_passwords_are_hashed_with_scrypt(db):
    with db.session() as session:
        created, _ = accounts.add_user(session, "frank", PASSWORD)
        stored = created.password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    with db.session() as session:
        again, _ = accounts.add_user(session, "grace", PASSWORD)
        assert again.password_hash != stored          # salted
        frank = accounts.find_user(session, "frank")
        assert accounts.verify_password(frank, PASSWORD)
        assert not accounts.verify_password(frank, PASSWORD + "x")
        assert not accounts.verify_password(None, PASSWORD)     # unknown user: same work, no


def test_set_role_ends_sessions_only_when_the_role_changes(app, db, database_url):
    with db.session() as session:
        accounts.add_user(session, "hana", PASSWORD)
    client = app.test_client()
    assert login(client, "hana").status_code == 302
    same = ratecard(database_url, "users", "set-role", "hana", "editor")
    assert same.returncode == 0 and "already editor; nothing changed" in same.stdout
    assert client.get("/editor/").status_code == 200
    changed = ratecard(database_url, "users", "set-role", "hana", "admin")
    assert changed.returncode == 0, changed.stderr
    ended = client.get("/editor/")
    assert ended.status_code == 302 and "reason=revoked" in ended.headers["Location"]
    assert user(db, "hana").role == "admin"
    assert login(client, "hana").status_code == 302
    assert client.get("/editor/audit").status_code == 200         # the new role applies
