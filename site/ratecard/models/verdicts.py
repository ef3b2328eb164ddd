"""Weekly verdicts: a model's week compared with the week before, in sentences and tags."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime


class Verdict(Base):
    """One model's week ending `week_ending` (inclusive). One row per model and week: a
    re-run of the same week replaces it (services.verdicts)."""

    __tablename__ = "verdicts"
    __table_args__ = (UniqueConstraint("model_id", "week_ending", name="uq_verdicts_model_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    week_ending: Mapped[dt.date] = mapped_column(Date, index=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer)            # probe runs of this week
    previous_runs: Mapped[int] = mapped_column(Integer)   # and of the week before
    sentences: Mapped[list[str]] = mapped_column(JSON)
    tags: Mapped[list[str]] = mapped_column(JSON)
