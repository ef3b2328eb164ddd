"""Editor authentication: sessions, CSRF tokens, the device cookie and roles.

Decisions (see also .env.example and docs/editor.md):
- Without SECRET_KEY (config's known default) a random key is made once and kept in
  instance/secret_key, so a forgotten setting never means forgeable cookies.
- Sessions live on the server (EditorSession, services/editor_sessions.py). The cookie is
  Flask's signed cookie, used by the editor only (path /editor, so the public pages, cached
  and shared, never receive or set it; HttpOnly, SameSite=Lax, Secure when the request came
  over HTTPS with RATECARD_SECURE_COOKIES=auto, the default, or always with =1). Logged in,
  it carries only a random session id; the server keeps its hash and checks it on every
  editor request. Logout deletes the row, so a copy of the cookie opens nothing afterwards;
  a new password, a new role or a removed account delete all of that user's rows.
- A session ends after RATECARD_SESSION_IDLE_MINUTES without a request (default 12 h) and
  at most 7 days after login, both judged by the server's row. The cookie itself lives
  longer so that an ended session can be told apart from none (a message, and the work in
  the form is kept).
- Logging in starts a new session id (the browser's previous one, if any, is ended).
- Every POST carries a CSRF token (form field `csrf_token` or header X-CSRF-Token), compared
  in constant time. Logged in, the token is an HMAC of the session id: bound to that server
  session. Before login (the login form) it is a random token kept in the cookie.
- Login throttling: services/login_throttle.py (the policy is in its docstring). A browser
  that logged in to an account gets a device cookie (signed, path /editor/login, one year)
  that lets it be counted apart from the rest of the world for that account.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ratecard.config import positive_number
from ratecard.db import utcnow
from ratecard.models import User
from ratecard.queries import accounts as account_queries
from ratecard.services import editor_sessions
from ratecard.services.accounts import active_user
from ratecard.services.login_throttle import Policy

log = logging.getLogger("ratecard.auth")
DEVICE_COOKIE = "ratecard_device"
DEVICE_MAX_AGE = 365 * 24 * 3600


class EditorSessionInterface(SecureCookieSessionInterface):
    """The signed cookie session, with Secure decided per request in `auto` mode."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = str(app.config.get("RATECARD_SECURE_COOKIES", "auto")).strip().lower()
        if mode in ("1", "true", "yes", "on", "always"):
            return True
        if mode in ("0", "false", "no", "off", "never"):
            return False
        return has_request_context() and request.is_secure


DEV_SECRET = "dev-only-not-secret"       # config.py's default when SECRET_KEY is unset


def _instance_secret(folder: str) -> str:
    """A random key kept in instance/secret_key (0600), made on first use: without
    SECRET_KEY the known default would let anyone sign an editor's session cookie."""
    path = Path(folder) / "secret_key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
    except OSError as exc:
        log.warning("cannot keep a session key in %s (%s)", path, exc)
    log.warning("SECRET_KEY is not set: editor sessions use a per-process key "
                "(set SECRET_KEY, see .env.example)")
    return secrets.token_urlsafe(48)


def init_app(app: Flask) -> None:
    if app.config.get("SECRET_KEY") in (None, "", DEV_SECRET) and not app.testing:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.session_interface = EditorSessionInterface()
    app.config.setdefault("RATECARD_SECURE_COOKIES",
                          os.environ.get("RATECARD_SECURE_COOKIES", "auto") or "auto")
    app.config.setdefault("RATECARD_SESSION_IDLE_MINUTES",
                          int(positive_number("RATECARD_SESSION_IDLE_MINUTES", 12 * 60, int)))
    for key, default, kind in (("RATECARD_LOGIN_MAX_FAILURES", 5, int),
                               ("RATECARD_LOGIN_MAX_FAILURES_PER_IP", 20, int),
                               ("RATECARD_LOGIN_FIRST_WAIT_SECONDS", 30, float),
                               ("RATECARD_LOGIN_MAX_WAIT_MINUTES", 60, float),
                               ("RATECARD_LOGIN_MEMORY_HOURS", 24, float)):
        app.config.setdefault(key, positive_number(key, default, kind))
    app.config.update(
        SESSION_COOKIE_NAME="ratecard_editor",
        SESSION_COOKIE_PATH="/editor",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_REFRESH_EACH_REQUEST=False,
        # The cookie outlives the idle limit so that "expired" can be told from "never".
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=30),
    )


# -- who is logged in ------------------------------------------------------------------------

def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["RATECARD_SESSION_IDLE_MINUTES"])


def load_user(db: Session) -> User | None:
    """Set g.user (or None) from the server session named by the cookie; g.session_ended
    says why a session ended ("expired" or "revoked") when it just did."""
    g.user = None
    g.sid = None
    g.session_ended = None
    sid = session.get("sid")
    if not isinstance(sid, str) or not sid:
        # Still say why, on the next request too (a live preview may have noticed first).
        g.session_ended = session.get("ended")
        return None
    row = account_queries.session_by_token_hash(db, editor_sessions.token_hash(sid))
    now = utcnow()
    user = active_user(db, row.user_id) if row is not None else None
    if row is None or user is None:
        reason = "revoked"           # logged out, password/role changed, account removed
    elif editor_sessions.expired(row, _idle(), now):
        reason = "expired"
    else:
        if editor_sessions.touch(row, now):
            db.commit()
        g.user, g.sid = user, sid
        return user
    if row is not None and reason == "revoked":      # the account is gone or disabled
        editor_sessions.close_session(db, sid)
        db.commit()
    # An expired row stays (prune removes it after PRUNE_GRACE): a request sent at the same
    # moment with the same cookie (a live preview, a second tab) is told "expired" too,
    # not "ended", and the row can never be used again (expired() is checked first).
    g.session_ended = reason
    _end_session(reason, sid)
    return None


def _end_session(reason: str, sid: str) -> None:
    """Forget the session id but keep its CSRF token: a form still open in another tab can
    then be answered with "log in again" (and its text kept) rather than a token error."""
    session.clear()
    session["ended"] = reason if reason in ("expired", "revoked") else "expired"
    session["csrf"] = _bound_token(sid)
    session.permanent = True


def start_session(db: Session, user: User) -> None:
    """Log in: a brand-new server session and id; nothing carried over from the cookie."""
    previous = session.get("sid")
    session.clear()
    sid = editor_sessions.open_session(
        db, user, ip=client_ip(), user_agent=request.user_agent.string, idle=_idle(),
        replacing=previous if isinstance(previous, str) else None)
    session["sid"] = sid
    session.permanent = True
    g.user, g.sid = user, sid


def end_session(db: Session) -> None:
    """Log out: the server forgets the session (the caller commits)."""
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        editor_sessions.close_session(db, sid)
    session.clear()
    g.user, g.sid = None, None


# -- CSRF ------------------------------------------------------------------------------------

def _bound_token(sid: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"csrf:" + sid.encode(), hashlib.sha256).hexdigest()


def csrf_token() -> str:
    if g.get("sid"):
        return _bound_token(g.sid)
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
        session.permanent = True
    return token


def csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = _bound_token(g.sid) if g.get("sid") else session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


# -- throttling and the device cookie ----------------------------------------------------------

def throttle_policy() -> Policy:
    config = current_app.config
    return Policy(account_free=int(config["RATECARD_LOGIN_MAX_FAILURES"]),
                  address_free=int(config["RATECARD_LOGIN_MAX_FAILURES_PER_IP"]),
                  first_wait=float(config["RATECARD_LOGIN_FIRST_WAIT_SECONDS"]),
                  max_wait=float(config["RATECARD_LOGIN_MAX_WAIT_MINUTES"]) * 60,
                  memory=dt.timedelta(hours=float(config["RATECARD_LOGIN_MEMORY_HOURS"])))


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ratecard-device")


def device_nonce(username: str) -> str | None:
    """The nonce of this browser's device cookie if it was given for `username`."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != username:
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and nonce else None


def give_device_cookie(response: Response, username: str) -> None:
    value = _device_serializer().dumps({"u": username, "n": secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, path="/editor/login",
                        httponly=True, samesite="Lax",
                        secure=current_app.session_interface.get_cookie_secure(current_app))


def client_ip() -> str:
    return request.remote_addr or "unknown"


# -- redirects -------------------------------------------------------------------------------

def safe_next(target: str | None, default: str) -> str:
    """Only a path inside the editor: never another host (no open redirect), and no control
    characters (a CR or LF would otherwise end up in the Location header)."""
    if not target:
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/editor")
            or target.startswith("//") or "\\" in target):
        return default
    return target
