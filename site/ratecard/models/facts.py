"""What each source currently says about a model's mode, modalities and limits.

Model.mode, context_window, max_output, input_modalities and output_modalities show the
consensus of these rows (services.facts); the rows keep every source's own value so a
disagreement stays visible.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime

# The descriptive fields decided by consensus, in the order a page lists them.
FACT_FIELDS = ("mode", "context_window", "max_output", "input_modalities", "output_modalities")


class ModelFact(Base):
    """One source's current value of one field of one model (modalities: a sorted list)."""

    __tablename__ = "model_facts"
    __table_args__ = (UniqueConstraint("model_id", "source", "field"),
                      Index("ix_model_facts_source", "source", "model_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # A model merged away takes its facts with it; the next sync records them on the survivor.
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)
    # When this source started giving this value (not bumped by runs that repeat it).
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
