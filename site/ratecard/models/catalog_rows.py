"""The catalog's rows: one per model, every value the listing filters, sorts and shows,
copied from the normalised tables by services/catalog_rows.py after each write
(docs/syncing.md, "After a sync"). The listing (queries/catalog.py) reads only this table;
a search matches queries/search.py's index, then filters and sorts here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, Money, UTCDateTime


class CatalogRow(Base):
    __tablename__ = "catalog_rows"
    __table_args__ = (
        Index("ix_catalog_rows_provider", "provider_slug", "canonical_id"),
        Index("ix_catalog_rows_mode", "mode", "canonical_id"),
        Index("ix_catalog_rows_input", "sort_input", "canonical_id"),
        Index("ix_catalog_rows_output", "sort_output", "canonical_id"),
        Index("ix_catalog_rows_context", "context_window", "canonical_id"),
        Index("ix_catalog_rows_released", "release_date", "canonical_id"),
        Index("ix_catalog_rows_availability", "availability", "canonical_id"),
        Index("ix_catalog_rows_p50", "probe_p50_ms", "canonical_id"),
    )

    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"),
                                          primary_key=True)
    canonical_id: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str | None] = mapped_column(String(40))
    context_window: Mapped[int | None] = mapped_column(Integer)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    deprecation_date: Mapped[dt.date | None] = mapped_column(Date)
    provider_slug: Mapped[str] = mapped_column(String(80))
    provider_name: Mapped[str] = mapped_column(String(200))
    input_modalities: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    output_modalities: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    # The badge capabilities shown true, in BADGE_CAPABILITIES order, each between commas
    # (",vision,reasoning,"), so a filter is one LIKE.
    capabilities: Mapped[str] = mapped_column(String(400), default="")
    # The listed prices (queries/catalog.py Row) and their disagreement ranges.
    input: Mapped[Decimal | None] = mapped_column(Money)
    output: Mapped[Decimal | None] = mapped_column(Money)
    output_unit: Mapped[str] = mapped_column(String(20))
    input_low: Mapped[Decimal | None] = mapped_column(Money)
    input_high: Mapped[Decimal | None] = mapped_column(Money)
    output_low: Mapped[Decimal | None] = mapped_column(Money)
    output_high: Mapped[Decimal | None] = mapped_column(Money)
    # The probes' summary (None: not measured) and the availability it gives.
    probe_computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    probe_runs: Mapped[int | None] = mapped_column(Integer)
    probe_ok: Mapped[int | None] = mapped_column(Integer)
    probe_p50_ms: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[float | None] = mapped_column(Float)
    # Image models' columns (queries/image_prices.py ImagePrices); has_image: it has them.
    has_image: Mapped[bool] = mapped_column(Boolean, default=False)
    per_image_from: Mapped[Decimal | None] = mapped_column(Money)
    output_image: Mapped[Decimal | None] = mapped_column(Money)
    standard_quality: Mapped[str | None] = mapped_column(String(80))
    standard_size: Mapped[str | None] = mapped_column(String(80))
    standard_amount: Mapped[Decimal | None] = mapped_column(Money)
    standard_computed: Mapped[bool | None] = mapped_column(Boolean)
    standard_tokens: Mapped[int | None] = mapped_column(Integer)
    standard_rate: Mapped[Decimal | None] = mapped_column(Money)
    per_image_low: Mapped[Decimal | None] = mapped_column(Money)
    per_image_high: Mapped[Decimal | None] = mapped_column(Money)
    output_image_low: Mapped[Decimal | None] = mapped_column(Money)
    output_image_high: Mapped[Decimal | None] = mapped_column(Money)
    # Sort keys and the max-price filter, as floats (never displayed): the listed input and
    # output, and the image sorts' keys (set for every model with image prices).
    sort_input: Mapped[float | None] = mapped_column(Float)
    sort_output: Mapped[float | None] = mapped_column(Float)
    sort_image_tokens: Mapped[float | None] = mapped_column(Float)
    sort_per_image: Mapped[float | None] = mapped_column(Float)
    sort_image: Mapped[float | None] = mapped_column(Float)


# The default column sort (lower-cased name, as the listing orders it).
Index("ix_catalog_rows_name_lower", func.lower(CatalogRow.name), CatalogRow.canonical_id)
