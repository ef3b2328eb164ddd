"""Reads for the editor's workspace: sessions, login attempts (throttling), the audit log,
accounts and the illustrations list."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ratecard.models import AuditEntry, EditorSession, LoginAttempt, MediaFile, User


def session_by_token_hash(session: Session, digest: str) -> EditorSession | None:
    return session.scalar(select(EditorSession).where(EditorSession.token_hash == digest))


def logged_in_from(session: Session, username: str, ip: str, since: dt.datetime) -> bool:
    """Whether this address logged in to this account since `since`."""
    return session.scalar(select(LoginAttempt.id).where(
        LoginAttempt.username == username, LoginAttempt.ip == ip,
        LoginAttempt.success.is_(True), LoginAttempt.attempted_at >= since).limit(1)) is not None


# Attempts that count against a limit: failed ones, and ones still being checked (counted
# before their outcome is known, so that concurrent attempts see each other).
_COUNTED = or_(LoginAttempt.state == "pending", LoginAttempt.success.is_(False))


def bucket_failures(session: Session, username: str, bucket: str, since: dt.datetime,
                    exclude: int) -> list[dt.datetime]:
    """Counted attempts on this account in this bucket since `since` and after the bucket's
    last success (a success resets it), oldest first, except attempt `exclude`."""
    last_ok = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.username == username, LoginAttempt.bucket == bucket,
        LoginAttempt.state == "done", LoginAttempt.success.is_(True),
        LoginAttempt.attempted_at >= since))
    start = max(since, last_ok) if last_ok is not None else since
    return list(session.scalars(select(LoginAttempt.attempted_at).where(
        LoginAttempt.username == username, LoginAttempt.bucket == bucket, _COUNTED,
        LoginAttempt.attempted_at >= start, LoginAttempt.id != exclude)
        .order_by(LoginAttempt.attempted_at)))


def address_failures(session: Session, ip: str, since: dt.datetime,
                     exclude: int) -> list[dt.datetime]:
    """Counted attempts from this address since `since`, on any account, oldest first;
    attempts made with a device cookie are left out (they have their own bucket), and a
    success does not reset the count."""
    return list(session.scalars(select(LoginAttempt.attempted_at).where(
        LoginAttempt.ip == ip, ~LoginAttempt.bucket.startswith("d:"), _COUNTED,
        LoginAttempt.attempted_at >= since, LoginAttempt.id != exclude)
        .order_by(LoginAttempt.attempted_at)))


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def audit_entries(session: Session, *, action: str | None = None, limit: int = 100,
                  offset: int = 0) -> tuple[list[AuditEntry], int]:
    """Newest first, one page of them, and how many there are in all."""
    where = [AuditEntry.action == action] if action else []
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.scalars(select(AuditEntry).where(*where)
                           .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit).offset(offset))
    return list(rows), total


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))


def recent_media(session: Session, limit: int = 60) -> list[MediaFile]:
    """The newest illustrations first, without their bytes."""
    from sqlalchemy.orm import defer

    return list(session.scalars(select(MediaFile).options(defer(MediaFile.data))
                                .order_by(MediaFile.created_at.desc(), MediaFile.id.desc())
                                .limit(limit)))
