"""Providers, models and the aliases that map each source's key to one model."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ratecard.db import Base, UTCDateTime, utcnow


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(80))
    homepage: Mapped[str | None] = mapped_column(String(300))

    models: Mapped[list[Model]] = relationship(back_populates="provider")


class Model(Base):
    __tablename__ = "models"

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_id: Mapped[str] = mapped_column(String(255), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str | None] = mapped_column(String(40), index=True)
    context_window: Mapped[int | None] = mapped_column(Integer)
    max_output: Mapped[int | None] = mapped_column(Integer)
    input_modalities: Mapped[list[str] | None] = mapped_column(JSON)
    output_modalities: Mapped[list[str] | None] = mapped_column(JSON)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    deprecation_date: Mapped[dt.date | None] = mapped_column(Date)
    regions: Mapped[list[str] | None] = mapped_column(JSON)
    # Which source the descriptive fields above came from (precedence decides).
    meta_source: Mapped[str | None] = mapped_column(String(40))
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="models")
    aliases: Mapped[list[ModelAlias]] = relationship(back_populates="model")


# The catalog's default order (queries.catalog): pages read in index order (migration 0003).
Index("ix_models_name_lower", func.lower(Model.name), Model.canonical_id)


class ModelAlias(Base):
    """One source's own key for a model (`litellm: gpt-image-1`, `openrouter: openai/gpt-4o`)."""

    __tablename__ = "model_aliases"
    __table_args__ = (UniqueConstraint("source", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set while the key is absent from the source's latest payload.
    vanished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    model: Mapped[Model] = relationship(back_populates="aliases")
