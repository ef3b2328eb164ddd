"""Sync runs, their raw payloads, change events, held changes and the sync lock."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, Money, UTCDateTime


class SyncPayload(Base):
    """A raw upstream payload, zlib-compressed, stored once per distinct content."""

    __tablename__ = "sync_payloads"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    compressed: Mapped[bytes] = mapped_column(LargeBinary)


class SyncRun(Base):
    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_source_started", "source", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    # running, success, not_modified, held (whole-run guard), failed, abandoned (its
    # process died mid-run; marked by the next run of the source)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The date the data describes: now for live runs, --as-of for replays.
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    url: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(Text)
    payload_sha256: Mapped[str | None] = mapped_column(ForeignKey("sync_payloads.sha256"))
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    seen: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    vanished: Mapped[int] = mapped_column(Integer, default=0)
    price_rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # What was skipped as garbage: [{"key": ..., "reason": ...}] (capped)
    details: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class ChangeEvent(Base):
    """Every price or capability change, model added, deprecated, vanished or returned."""

    __tablename__ = "change_events"
    __table_args__ = (Index("ix_change_events_occurred", "occurred_at"),
                      Index("ix_change_events_model", "model_id", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: an event about the whole catalog (catalog_loaded), not one model
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"))
    source: Mapped[str] = mapped_column(String(40))
    # price_added, price_changed, price_removed, capability_added, capability_removed,
    # model_added, model_deprecated, model_vanished, model_returned; catalog_loaded (the
    # first load of a database: one event, new_value = the number of models)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    subject: Mapped[str | None] = mapped_column(String(120))   # meter/unit or capability name
    conditions: Mapped[dict[str, object] | None] = mapped_column(JSON)
    old_value: Mapped[str | None] = mapped_column(String(100))
    new_value: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"), index=True)


class QuarantinedChange(Base):
    """A price change a per-change guard held back (to zero, or more than 10x)."""

    __tablename__ = "quarantined_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sync_run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    source: Mapped[str] = mapped_column(String(40))
    meter: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    conditions: Mapped[dict[str, object]] = mapped_column(JSON)
    conditions_key: Mapped[str] = mapped_column(String(300))
    old_amount: Mapped[Decimal | None] = mapped_column(Money)
    new_amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SyncLock(Base):
    """A lock row per source (SQLite); PostgreSQL uses advisory locks instead."""

    __tablename__ = "sync_locks"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
