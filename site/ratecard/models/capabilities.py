"""Effective-dated capabilities (vision, function calling, …), one row per source."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime


class Capability(Base):
    __tablename__ = "capabilities"
    __table_args__ = (Index("ix_capabilities_lookup", "model_id", "source", "name", "valid_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"))
    source: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sync_run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    # The row whose value readers are shown (consensus, ratecard.precedence); set by
    # services.shown on current rows after every write.
    shown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
