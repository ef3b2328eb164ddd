"""Probe runs (one real API call each) and the per-model summary the catalog sorts by."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, Money, UTCDateTime

# Every outcome a probe call can have (docs/probes.md says what each one means).
OUTCOMES = ("ok", "rate_limited", "server_error", "timeout", "auth_error", "bad_response",
            "network_error", "refused")


class ProbeRun(Base):
    """One API call to a model. The endpoint is the base URL only: keys are never stored."""

    __tablename__ = "probe_runs"
    __table_args__ = (Index("ix_probe_runs_model_started", "model_id", "started_at"),
                      Index("ix_probe_runs_started", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    cycle: Mapped[str] = mapped_column(String(32))          # the calls of one cycle share it
    trigger: Mapped[str] = mapped_column(String(20))        # schedule, manual
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    endpoint: Mapped[str] = mapped_column(String(300))
    api: Mapped[str] = mapped_column(String(30))            # openai_chat, openai_image, ...
    kind: Mapped[str] = mapped_column(String(10))           # chat, image
    outcome: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)        # end to end, failures included
    ttft_ms: Mapped[int | None] = mapped_column(Integer)    # first streamed token (chat)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    # Exact decimals (the Money type is an exact decimal column, not only for dollars).
    output_tps: Mapped[Decimal | None] = mapped_column(Money)
    cost_usd: Mapped[Decimal | None] = mapped_column(Money)
    error: Mapped[str | None] = mapped_column(String(300))  # scrubbed excerpt


class ProbeSummary(Base):
    """A model's last-7-days figures, rebuilt after each cycle: the catalog sorts by them."""

    __tablename__ = "probe_summaries"

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"),
                                          primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer)
    ok: Mapped[int] = mapped_column(Integer)
    latency_p50_ms: Mapped[int | None] = mapped_column(Integer)


class SpendReservation(Base):
    """The most a call in flight can cost, held against a daily cap until the call is
    recorded: processes that probe side by side (the scheduler, `ratecard probe`) each see
    what the others may still spend. A killed caller's hold lapses at `expires_at`."""

    __tablename__ = "spend_reservations"
    __table_args__ = (Index("ix_spend_reservations_ledger_expires", "ledger", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger: Mapped[str] = mapped_column(String(20))         # probes
    amount: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
