"""Reads for the editor's workspace: login attempts (throttling), the audit log, accounts
and the illustrations list."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import AuditEntry, LoginAttempt, MediaFile, User


def failures_by_username(session: Session, username: str, since: dt.datetime) -> list[dt.datetime]:
    """When this username failed to log in since `since`, oldest first, counting only the
    failures after its last successful login (a success resets the username's count)."""
    last_ok = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(
        LoginAttempt.username == username, LoginAttempt.success.is_(True),
        LoginAttempt.attempted_at >= since))
    start = max(since, last_ok) if last_ok is not None else since
    return list(session.scalars(select(LoginAttempt.attempted_at).where(
        LoginAttempt.username == username, LoginAttempt.success.is_(False),
        LoginAttempt.attempted_at >= start).order_by(LoginAttempt.attempted_at)))


def failures_by_ip(session: Session, ip: str, since: dt.datetime) -> list[dt.datetime]:
    """Failed logins from this address since `since`, oldest first, whatever the username:
    a success (with any account) does not reset it."""
    return list(session.scalars(select(LoginAttempt.attempted_at).where(
        LoginAttempt.ip == ip, LoginAttempt.success.is_(False),
        LoginAttempt.attempted_at >= since).order_by(LoginAttempt.attempted_at)))


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
