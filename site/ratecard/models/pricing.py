"""Effective-dated prices and recorded disagreements between sources."""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, Money, UTCDateTime
from scrapers.base import Conditions

# The condition columns of a price row: exactly the fields of scrapers.base.Conditions.
CONDITION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Conditions))


class Price(Base):
    """One amount of one meter of one model from one source, valid in [valid_from, valid_to).

    valid_to NULL = current. Conditions are columns (for filtering) plus
    `conditions_key`, their canonical text, so "the same price" is one equality.
    """

    __tablename__ = "prices"
    __table_args__ = (
        Index("ix_prices_lookup", "model_id", "source", "meter", "unit", "conditions_key",
              "valid_to"),
        Index("ix_prices_current", "source", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    source: Mapped[str] = mapped_column(String(40))
    meter: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    quality: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(40))
    context_above: Mapped[int | None] = mapped_column(Integer)
    service_tier: Mapped[str | None] = mapped_column(String(20))
    time_window: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(40))
    conditions_key: Mapped[str] = mapped_column(String(300), default="")
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    # The value readers are shown for this key (ratecard.precedence), set by services.shown
    # on current rows after every write; meaningless once valid_to is set.
    shown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def conditions(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in CONDITION_COLUMNS if getattr(self, k) is not None}


# Every shown-price read (one key of one model, or one meter of every model) seeks this small
# partial index: only current, shown rows are in it.
SHOWN_CURRENT = (Price.shown == true()) & Price.valid_to.is_(None)
Index("ix_prices_shown", Price.meter, Price.unit, Price.conditions_key, Price.model_id,
      sqlite_where=SHOWN_CURRENT, postgresql_where=SHOWN_CURRENT)


class Disagreement(Base):
    """Current prices of one model/meter/conditions that differ by more than 1 % across sources.

    Rebuilt for the touched models after every sync, so pages read it directly.
    """

    __tablename__ = "disagreements"
    __table_args__ = (Index("ix_disagreements_model", "model_id", "meter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    meter: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    conditions_key: Mapped[str] = mapped_column(String(300), default="")
    low: Mapped[Decimal] = mapped_column(Money)
    high: Mapped[Decimal] = mapped_column(Money)
    # {"litellm": "2.5", "openrouter": "2.6"}: amounts as decimal strings
    amounts: Mapped[dict[str, str]] = mapped_column(JSON)
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
