"""Live tests: one visitor call each, counted against the daily budget and the per-visitor
limit. The prompt and the answer are never stored; the visitor only as a keyed hash."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, Money, UTCDateTime


class LiveTest(Base):
    __tablename__ = "live_tests"
    __table_args__ = (Index("ix_live_tests_started", "started_at"),
                      Index("ix_live_tests_client_started", "client", "started_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    client: Mapped[str] = mapped_column(String(64))        # HMAC of the address, not the address
    outcome: Mapped[str] = mapped_column(String(20))       # pending until the call returns
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    # What the budget counts: the worst case while pending, then the call's cost (the
    # worst case again when the usage is unknown).
    cost_usd: Mapped[Decimal] = mapped_column(Money)
