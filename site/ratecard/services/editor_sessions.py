"""Server-side editor sessions: the only writer of EditorSession rows.

The browser's cookie carries a random id (32 bytes, URL-safe); the table keeps only its
SHA-256, so reading the table (a backup, a leaked dump) opens no session. A session ends when
its row goes: logout deletes it, and a new password, a new role or a removed account delete
every row of that user at once (end_user_sessions, called by services/accounts.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_
from sqlalchemy.orm import Session

from ratecard.db import utcnow
from ratecard.models import EditorSession, User

MAX_AGE = dt.timedelta(days=7)          # absolute limit, however active the session is
SEEN_GRANULARITY = dt.timedelta(minutes=1)   # last_seen_at is written at most this often
# Rows are kept this long past their limits, so that a late request can still be told
# "your session expired" rather than "your session was ended"; then they are pruned.
PRUNE_GRACE = dt.timedelta(days=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(db: Session, user: User, *, ip: str | None, user_agent: str | None,
                 idle: dt.timedelta, replacing: str | None = None) -> str:
    """A new session for `user`; returns the id for the cookie (never stored). A session the
    browser already had (`replacing`) ends: logging in never keeps an old id (no fixation)."""
    if replacing:
        close_session(db, replacing)
    prune(db, idle)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(EditorSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                         last_seen_at=now, ip=(ip or None) and ip[:64],
                         user_agent=(user_agent or None) and user_agent[:200]))
    return token


def expired(row: EditorSession, idle: dt.timedelta, now: dt.datetime) -> bool:
    return now - row.last_seen_at > idle or now - row.created_at > MAX_AGE


def touch(row: EditorSession, now: dt.datetime) -> bool:
    """Note activity (at most once a minute: one write per minute, not per request).
    Returns whether the row changed."""
    if now - row.last_seen_at < SEEN_GRANULARITY:
        return False
    row.last_seen_at = now
    return True


def close_session(db: Session, token: str) -> None:
    db.execute(delete(EditorSession).where(EditorSession.token_hash == token_hash(token)))


def end_user_sessions(db: Session, user_id: int) -> int:
    """End every session of one user now (password, role or account changed)."""
    # A DML statement's result is a CursorResult (Session.execute is typed for any result).
    result = cast(CursorResult[Any], db.execute(
        delete(EditorSession).where(EditorSession.user_id == user_id)))
    return result.rowcount or 0


def prune(db: Session, idle: dt.timedelta) -> None:
    now = utcnow()
    db.execute(delete(EditorSession).where(or_(
        EditorSession.last_seen_at < now - idle - PRUNE_GRACE,
        EditorSession.created_at < now - MAX_AGE - PRUNE_GRACE)))
