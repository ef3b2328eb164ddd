"""Editor accounts (no open sign-up), their server-side sessions, login throttling and the
audit log."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))            # editor, admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditorSession(Base):
    """One logged-in browser. The cookie holds a random id; only its SHA-256 is stored, so
    a copy of this table opens nothing. Deleting the row ends the session at once."""
    __tablename__ = "editor_sessions"
    __table_args__ = (Index("ix_editor_sessions_user_id", "user_id"),
                      Index("ix_editor_sessions_last_seen_at", "last_seen_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_recent", "username", "attempted_at"),
                      Index("ix_login_attempts_ip", "ip", "attempted_at"),
                      Index("ix_login_attempts_bucket", "username", "bucket", "attempted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who is trying, for the account's limit (services/login_throttle.py): "*" the world,
    # "a:<address>" an address that logged in to the account before, "d:<hash>" a browser
    # holding that account's device cookie.
    bucket: Mapped[str] = mapped_column(String(100), default="*", server_default="*")
    # "pending" from before the password check until its outcome is known, then "done".
    state: Mapped[str] = mapped_column(String(10), default="done", server_default="done")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    # login, login_failed, logout, publish, rollback, save_draft, upload, export, user_*
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
