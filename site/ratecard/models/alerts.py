"""Webhook alert subscriptions, their queued deliveries and every delivery attempt."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime


class AlertSubscription(Base):
    """A webhook URL told about changes to one model, one provider, or (neither set) any
    model, narrowed to some kinds of change (None: every kind)."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)   # "sub_…", in URLs
    url: Mapped[str] = mapped_column(Text)
    model_id: Mapped[int | None] = mapped_column(
        ForeignKey("models.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    kinds: Mapped[list[str] | None] = mapped_column(JSON)
    # The signing key, "whsec_" + base64 (Standard Webhooks); shown once, at creation.
    secret: Mapped[str] = mapped_column(String(80))
    # pending (awaiting the echo), active, unconfirmed (verification gave up)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    challenge: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Change events up to this id have been considered: a new subscription starts now,
    # not with the whole history.
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)


class AlertDelivery(Base):
    """One message (a verification request, or a batch of changes) to one subscription.
    Its id is the webhook-id header: the same on every retry, so receivers can dedupe."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)   # "msg_…"
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("alert_subscriptions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))        # verification, changes
    body: Mapped[str] = mapped_column(Text)              # the exact JSON text signed and sent
    # pending, delivered, failed (gave up after the limit)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)


class AlertAttempt(Base):
    """Every try of a delivery: when, the HTTP status (None: no response), what went wrong."""

    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
