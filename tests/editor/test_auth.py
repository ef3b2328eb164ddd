"""Logging in and out, sessions, CSRF, throttling, roles and the audit of it all."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ratecard.models import AuditEntry, LoginAttempt
from tests.editor.conftest import PASSWORD, csrf, logged_in, login, token_of
from tests.editor.test_sessions import age_sessions


def audit_actions(db) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return [tuple(r) for r in session.execute(select(
            AuditEntry.action, AuditEntry.username, AuditEntry.target).order_by(AuditEntry.id))]


def test_editor_pages_need_a_login(client, editor):
    response = client.get("/editor/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/editor/login?next=/editor/")
    page = client.get(response.headers["Location"])
    assert "Log in to use the editor" in page.text


def test_login_and_logout(client, editor, db):
    response = login(client, "ed", next="/editor/")
    assert response.status_code == 302 and response.headers["Location"] == "/editor/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/editor" in cookie
    assert "Secure" not in cookie                        # plain http: a Secure cookie is lost
    page = client.get("/editor/")
    assert page.status_code == 200 and "Ed Itor" in page.text
    assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers

    out = client.post("/editor/logout", data={"csrf_token": token_of(page.text)})
    assert out.status_code == 302 and "reason=logged_out" in out.headers["Location"]
    assert client.get("/editor/").status_code == 302
    assert [a[0] for a in audit_actions(db)][-2:] == ["login", "logout"]


def test_cookie_is_secure_over_https(client, editor):
    token = csrf(client)
    response = client.post("/editor/login", base_url="https://localhost", data={
        "username": "ed", "password": PASSWORD, "csrf_token": token})
    # The login form's cookie was set over http; https must still accept it and log in.
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_secure_cookies_can_be_forced(app, client, editor):
    app.config["RATECARD_SECURE_COOKIES"] = "1"
    response = client.get("/editor/login")
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client, editor, db):
    wrong = login(client, "ed", "not the password")
    unknown = login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Wrong username or password." in response.text
    assert "nobody" not in unknown.text.replace('value="nobody"', "")   # no "unknown user"
    assert client.get("/editor/").status_code == 302
    failed = [a for a in audit_actions(db) if a[0] == "login_failed"]
    assert [(a[1], a[2]) for a in failed] == [("ed", "ed"), ("nobody", "nobody")]


def test_session_is_rotated_on_login(client, editor):
    before = csrf(client)
    login_response = client.post("/editor/login", data={
        "username": "ed", "password": PASSWORD, "csrf_token": before})
    assert login_response.status_code == 302
    after = token_of(client.get("/editor/").text)
    assert after != before


def test_throttling_after_repeated_failures(app, client, editor, db):
    for _ in range(5):
        assert login(client, "ed", "wrong password").status_code == 401
    blocked = login(client, "ed", PASSWORD)            # even the right password waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed logins" in blocked.text
    assert client.get("/editor/").status_code == 302
    assert ("login_throttled", "ed", "ed") in audit_actions(db)
    with db.session() as session:
        # Throttled tries are not counted as failures (they were never checked).
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5


def test_throttle_window_passes(app, client, editor, db):
    for _ in range(5):
        login(client, "ed", "wrong password")
    with db.session() as session:
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.attempted_at -= dt.timedelta(minutes=16)
    assert login(client, "ed").status_code == 302


def test_ip_throttle_is_not_reset_by_another_users_success(app, client, editor, admin):
    app.config["RATECARD_LOGIN_MAX_FAILURES_PER_IP"] = 6
    for name in ("x1", "x2", "x3", "x4", "x5"):
        assert login(client, name, "guess the password").status_code == 401
    assert login(client, "root").status_code == 302        # a success with another account
    client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})
    assert login(client, "x6", "guess the password").status_code == 401
    assert login(client, "ed").status_code == 429           # the address is still throttled


def test_success_resets_the_username_count(client, editor):
    for _ in range(4):
        login(client, "ed", "wrong password")
    assert login(client, "ed").status_code == 302
    client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})
    for _ in range(4):
        assert login(client, "ed", "wrong password").status_code == 401
    assert login(client, "ed").status_code == 302


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_login_needs_the_csrf_token(client, editor, db, token):
    csrf(client)
    data = {"username": "ed", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/editor/login", data=data)
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.text
    assert client.get("/editor/").status_code == 302
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_logout_needs_the_csrf_token(ed, db, token):
    data = {} if token is None else {"csrf_token": token}
    response = ed.post("/editor/logout", data=data)
    assert response.status_code == 400
    assert ed.get("/editor/").status_code == 200             # still logged in
    assert "logout" not in [a[0] for a in audit_actions(db)]


def test_no_cookie_no_login(app, editor):
    """Without the session cookie (blocked cookies, another site's form) nothing happens."""
    client = app.test_client(use_cookies=False)
    response = client.post("/editor/login", data={"username": "ed", "password": PASSWORD,
                                                  "csrf_token": "x"})
    assert response.status_code == 400


def test_idle_session_expires(app, ed, db):
    age_sessions(db, last_seen_at=dt.timedelta(hours=13))
    response = ed.get("/editor/audit")
    assert response.status_code == 302
    assert "reason=expired" in response.headers["Location"]
    page = ed.get(response.headers["Location"])
    assert "Your session expired" in page.text
    assert ed.get("/editor/").status_code == 302             # stays logged out


def test_very_old_login_expires_even_when_active(app, ed, db):
    age_sessions(db, created_at=dt.timedelta(days=8))
    assert ed.get("/editor/").status_code == 302


def test_next_is_never_another_site(client, editor):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "/models"):
        response = login(client, "ed", next=target)
        assert response.headers["Location"] == "/editor/", target
        client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})


@pytest.mark.parametrize("target", ["/editor%0d%0aSet-Cookie:x=1", "/editor/%0aX:y",
                                    "/editor/%09tab", "/editor/%7f"])
def test_next_with_control_characters_is_refused_not_a_500(client, editor, target):
    page = client.get(f"/editor/login?next={target}")
    assert page.status_code == 200 and "Log in to the editor" in page.text
    assert 'name="next"' not in page.text
    response = client.post(f"/editor/login?next={target}", data={
        "username": "ed", "password": PASSWORD, "csrf_token": token_of(page.text)})
    assert response.status_code == 302 and response.headers["Location"] == "/editor/"
    again = client.get(f"/editor/login?next={target}")            # logged in: redirected
    assert again.status_code == 302 and again.headers["Location"] == "/editor/"
    assert "Set-Cookie: x" not in str(again.headers)


def test_only_admins_read_the_audit_log(app, ed, root):
    denied = ed.get("/editor/audit")
    assert denied.status_code == 403 and "Only an administrator" in denied.text
    assert "Audit log" not in ed.get("/editor/").text
    shown = root.get("/editor/audit")
    assert shown.status_code == 200
    assert "login" in shown.text and "root" in shown.text
    filtered = root.get("/editor/audit?action=login&page=1")
    assert filtered.status_code == 200
    for odd in ("?page=abc", "?page=-1", "?page=99999999999", "?action=<script>"):
        # Answered, never a 500 (a bad page= is a 400 naming it: tests/web/test_params.py).
        assert root.get("/editor/audit" + odd).status_code in (200, 400)


def test_every_login_outcome_is_audited(app, client, editor, admin, db):
    login(client, "ed", "wrong password")
    login(client, "ed")
    client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})
    actions = audit_actions(db)
    assert [a[0] for a in actions] == ["user_added", "user_added", "login_failed", "login",
                                       "logout"]
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "login")).one()
        assert entry.ip == "127.0.0.1" and entry.user_id is not None


def test_removed_user_cannot_log_in(app, client, editor, db):
    from ratecard.services.accounts import remove_user

    client2 = logged_in(app, "ed")
    with db.session() as session:
        remove_user(session, "ed")
    assert client2.get("/editor/").status_code == 302
    response = login(client, "ed")
    assert response.status_code == 401 and "Wrong username or password." in response.text


def test_without_secret_key_sessions_get_a_random_kept_key(tmp_path):
    from ratecard.web.auth import _instance_secret

    first = _instance_secret(str(tmp_path))
    assert len(first) >= 32 and first != "dev-only-not-secret"
    assert _instance_secret(str(tmp_path)) == first               # kept across restarts
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_preview_and_forms_reject_cross_site_posts_without_cookie(app, editor):
    """SameSite=Lax keeps the cookie off cross-site POSTs; without it nothing is allowed."""
    client = app.test_client(use_cookies=False)
    for path in ("/editor/preview", "/editor/pages/model/openai/gpt-4o", "/editor/logout"):
        assert client.post(path, data={"body": "x", "action": "save"}).status_code in (400, 401)
