"""Editor authentication: sessions, CSRF tokens, login throttling and roles.

Decisions (see also .env.example):
- Without SECRET_KEY (config's known default) a random key is made once and kept in
  instance/secret_key, so a forgotten setting never means forgeable sessions.
- The session is Flask's signed cookie, used by the editor only: its path is /editor, so the
  public pages (cached, shared) never receive or set it. HttpOnly, SameSite=Lax, and Secure
  when the request came over HTTPS (RATECARD_SECURE_COOKIES=auto, the default) or always (=1).
- A session ends after RATECARD_SESSION_IDLE_MINUTES without a request (default 12 h) and
  at most 7 days after login; the cookie itself lives longer so that an expired session can
  still be told apart from no session (a message, and the work in the form is kept).
- Each session carries the user's session_version: a changed password or a removed account
  ends every session at once.
- Logging in starts a new session (new CSRF token): a session planted before login is void.
- Every POST carries a CSRF token (form field `csrf_token` or header X-CSRF-Token), compared
  in constant time with the one in the session.
- Login throttling: after 5 failures for a username (since its last success) or 20 from one
  address within 15 minutes, logins answer 429 with Retry-After. Tracked in LoginAttempt.
"""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import math
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ratecard.config import positive_number
from ratecard.db import utcnow
from ratecard.models import LoginAttempt, User
from ratecard.queries import accounts as account_queries
from ratecard.services.accounts import active_user

log = logging.getLogger("ratecard.auth")
MAX_SESSION_SECONDS = 7 * 24 * 3600
SEEN_GRANULARITY = 60            # rewrite the cookie's last-seen time at most once a minute
ATTEMPTS_KEPT = dt.timedelta(days=30)


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
    app.config.setdefault("RATECARD_LOGIN_MAX_FAILURES", 5)
    app.config.setdefault("RATECARD_LOGIN_MAX_FAILURES_PER_IP", 20)
    app.config.setdefault("RATECARD_LOGIN_WINDOW_MINUTES", 15)
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

def load_user(db: Session) -> User | None:
    """Set g.user (or None) from the session; g.session_ended says why a session ended
    ("expired" or "revoked") when it just did."""
    g.user = None
    g.session_ended = None
    uid = session.get("uid")
    if uid is None:
        # Still say why, on the next request too (a live preview may have noticed first).
        g.session_ended = session.get("ended")
        return None
    now = time.time()
    idle = current_app.config["RATECARD_SESSION_IDLE_MINUTES"] * 60
    seen, since = session.get("seen", 0), session.get("since", 0)
    if now - seen > idle or now - since > MAX_SESSION_SECONDS:
        g.session_ended = "expired"
        _end_session("expired")
        return None
    user = active_user(db, uid) if isinstance(uid, int) else None
    if user is None or user.session_version != session.get("sv"):
        g.session_ended = "revoked"
        _end_session("revoked")
        return None
    if now - seen >= SEEN_GRANULARITY:
        session["seen"] = now
    g.user = user
    return user


def _end_session(reason: str) -> None:
    """Log out but keep the CSRF token: a form still open in another tab can then be
    answered with "log in again" (and its text kept) rather than a token error."""
    token = session.get("csrf")
    session.clear()
    session["ended"] = reason if reason in ("expired", "revoked") else "expired"
    if token:
        session["csrf"] = token
    session.permanent = True


def start_session(user: User) -> None:
    """Log in: a brand-new session (new CSRF token), nothing carried over."""
    session.clear()
    now = time.time()
    session.update(uid=user.id, sv=user.session_version, since=now, seen=now,
                   csrf=secrets.token_urlsafe(32))
    session.permanent = True
    g.user = user


def end_session() -> None:
    session.clear()
    g.user = None


# -- CSRF ------------------------------------------------------------------------------------

def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
        session.permanent = True
    return token


def csrf_ok() -> bool:
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


# -- throttling ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Throttle:
    retry_after: int           # seconds


def throttled(db: Session, username: str, ip: str) -> Throttle | None:
    config = current_app.config
    window = dt.timedelta(minutes=config["RATECARD_LOGIN_WINDOW_MINUTES"])
    now = utcnow()
    since = now - window
    waits = []
    for failures, limit in (
            (account_queries.failures_by_username(db, username, since),
             config["RATECARD_LOGIN_MAX_FAILURES"]),
            (account_queries.failures_by_ip(db, ip, since),
             config["RATECARD_LOGIN_MAX_FAILURES_PER_IP"])):
        if len(failures) >= limit:
            # Free again once enough of the failures have left the window.
            oldest_counted = failures[len(failures) - limit]
            waits.append((oldest_counted + window - now).total_seconds())
    if not waits:
        return None
    return Throttle(retry_after=max(1, math.ceil(max(waits))))


def record_attempt(db: Session, username: str, ip: str, success: bool) -> None:
    now = utcnow()
    db.add(LoginAttempt(username=username[:80], ip=ip[:64], success=success, attempted_at=now))
    db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - ATTEMPTS_KEPT))


def client_ip() -> str:
    return request.remote_addr or "unknown"


# -- redirects -------------------------------------------------------------------------------

def safe_next(target: str | None, default: str) -> str:
    """Only a path inside the editor: never another host (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/editor")
            or target.startswith("//") or "\\" in target):
        return default
    return target
