"""Server-side editor sessions: a cookie copied before its session ended (logout, a new
password, a removed account, a new role) opens nothing afterwards, and the idle and absolute
limits are kept by the server, not by what the cookie says."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from ratecard.models import AuditEntry, ContentRevision
from tests.editor.conftest import PASSWORD, login, token_of
from tests.editor.test_accounts import ratecard
from tests.editor.test_pages import EDIT, FRONT, form_of

COOKIE = "ratecard_editor"


def cookie_of(client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(COOKIE, path="/editor")
    assert cookie is not None, "no editor session cookie"
    return cookie.value


def replay(app, value: str):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of the cookie (stolen, or a shared machine)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value, path="/editor")
    return thief


def count(db, what) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0


def session_rows(db):  # type: ignore[no-untyped-def]
    from ratecard.models import EditorSession

    with db.session() as session:
        return list(session.scalars(select(EditorSession)))


def age_sessions(db, **by: dt.timedelta) -> None:
    """Move every server session's last_seen_at / created_at back in time."""
    from ratecard.models import EditorSession

    with db.session() as session:
        for row in session.scalars(select(EditorSession)):
            for name, delta in by.items():
                setattr(row, name, getattr(row, name) - delta)


def end_by_logout(app, db, database_url, client) -> None:  # type: ignore[no-untyped-def]
    out = client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})
    assert out.status_code == 302


def end_by_set_password(app, db, database_url, client) -> None:  # type: ignore[no-untyped-def]
    done = ratecard(database_url, "users", "set-password", "ed", "--password-stdin",
                    stdin="a brand new passphrase\n")
    assert done.returncode == 0, done.stderr


def end_by_remove(app, db, database_url, client) -> None:  # type: ignore[no-untyped-def]
    done = ratecard(database_url, "users", "remove", "ed")
    assert done.returncode == 0, done.stderr


def end_by_role_change(app, db, database_url, client) -> None:  # type: ignore[no-untyped-def]
    done = ratecard(database_url, "users", "set-role", "ed", "admin")
    assert done.returncode == 0, done.stderr
    assert "their sessions have ended" in done.stdout


@pytest.mark.parametrize("end", [end_by_logout, end_by_set_password, end_by_remove,
                                 end_by_role_change], ids=lambda f: f.__name__[7:])
def test_a_copied_cookie_is_dead_once_the_session_ends(app, catalog, ed, db, database_url,
                                                       end):
    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    copied = cookie_of(ed)
    end(app, db, database_url, ed)

    thief = replay(app, copied)
    page = thief.get("/editor/")
    assert page.status_code == 302 and "/editor/login" in page.headers["Location"]
    # The form's token, with the copied cookie: nothing is written, a login page answers.
    save = thief.post(EDIT, data=form | {"front_matter": FRONT, "body": "stolen edit",
                                         "action": "publish"})
    assert save.status_code in (400, 401), save.status_code
    assert "Log in" in save.text
    assert count(db, ContentRevision) == 0
    audited = count(db, AuditEntry)
    assert thief.post("/editor/logout", data={"csrf_token": form["csrf_token"]}
                      ).status_code in (302, 400)
    assert count(db, AuditEntry) == audited            # no "logout" by a dead session
    assert thief.get("/editor/audit").status_code == 302
    assert session_rows(db) == []                      # nothing left on the server


def test_logout_deletes_the_server_session_and_only_a_hash_is_stored(app, ed, db):
    rows = session_rows(db)
    assert len(rows) == 1
    payload = app.session_interface.get_signing_serializer(app).loads(cookie_of(ed))
    assert "uid" not in payload                       # the cookie names no user
    sid = payload["sid"]
    assert len(sid) >= 32
    assert rows[0].token_hash == hashlib.sha256(sid.encode()).hexdigest() != sid
    assert rows[0].ip == "127.0.0.1"
    ed.post("/editor/logout", data={"csrf_token": token_of(ed.get("/editor/").text)})
    assert session_rows(db) == []


def test_other_sessions_of_the_user_survive_one_logout(app, editor, db):
    from tests.editor.conftest import logged_in

    laptop, phone = logged_in(app, "ed"), logged_in(app, "ed")
    assert len(session_rows(db)) == 2
    laptop.post("/editor/logout", data={"csrf_token": token_of(laptop.get("/editor/").text)})
    assert laptop.get("/editor/").status_code == 302
    assert phone.get("/editor/").status_code == 200


def test_csrf_token_is_bound_to_the_server_session(app, editor, db):
    from tests.editor.conftest import logged_in

    one, two = logged_in(app, "ed"), logged_in(app, "ed")
    token_one = token_of(one.get("/editor/").text)
    assert token_one != token_of(two.get("/editor/").text)
    # Session two cannot be driven with session one's token.
    assert two.post("/editor/logout", data={"csrf_token": token_one}).status_code == 400
    assert two.get("/editor/").status_code == 200


def test_idle_limit_is_kept_by_the_server(app, ed, db):
    age_sessions(db, last_seen_at=dt.timedelta(hours=13))
    stale = cookie_of(ed)
    response = ed.get("/editor/")
    assert response.status_code == 302 and "reason=expired" in response.headers["Location"]
    assert "Your session expired" in ed.get(response.headers["Location"]).text
    # A request sent at the same moment with the old cookie (a live preview, another tab)
    # hears "expired" too, not "ended"; the row is never used again, and prune removes it.
    (row,) = session_rows(db)
    again = replay(app, stale).get("/editor/")
    assert again.status_code == 302 and "reason=expired" in again.headers["Location"]
    assert [r.last_seen_at for r in session_rows(db)] == [row.last_seen_at]


def test_absolute_limit_is_kept_by_the_server(app, ed, db):
    age_sessions(db, created_at=dt.timedelta(days=8))
    response = ed.get("/editor/")
    assert response.status_code == 302 and "reason=expired" in response.headers["Location"]


def test_activity_keeps_the_session_alive(app, ed, db):
    age_sessions(db, last_seen_at=dt.timedelta(hours=11))
    assert ed.get("/editor/").status_code == 200
    (row,) = session_rows(db)
    assert row.last_seen_at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)


def test_login_replaces_the_previous_session_and_prunes_old_ones(app, editor, db):
    from tests.editor.conftest import logged_in

    old = logged_in(app, "ed")
    age_sessions(db, last_seen_at=dt.timedelta(days=2))        # long idle, never cleaned
    before = cookie_of(old)
    assert login(old, "ed", PASSWORD).status_code == 302           # log in again over it
    assert cookie_of(old) != before
    rows = session_rows(db)
    assert len(rows) == 1 and rows[0].last_seen_at > dt.datetime.now(dt.UTC) - dt.timedelta(
        minutes=1)
    assert replay(app, before).get("/editor/").status_code == 302
