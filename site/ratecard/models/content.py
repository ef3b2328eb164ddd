"""Editorial content: pages (model profiles, provider notes, guides) and their revisions.

Files in content/ are the source of truth in Git; the database keeps every revision
(from a file import or the editor) so a broken file never blanks a page: the last good
published revision stays.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ratecard.db import Base, UTCDateTime, utcnow


class ContentPage(Base):
    __tablename__ = "content_pages"
    __table_args__ = (UniqueConstraint("kind", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # model (slug = canonical id), provider (slug = provider slug), page (slug = URL slug)
    kind: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(255))
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"), index=True)
    # Plain ids, not foreign keys: pages and revisions point at each other, and a cycle of
    # constraints would need ALTER TABLE, which SQLite cannot do.
    published_revision_id: Mapped[int | None] = mapped_column(Integer)
    # The newest revision of any state: a draft newer than the published one, or it.
    head_revision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    published: Mapped[ContentRevision | None] = relationship(
        primaryjoin="foreign(ContentPage.published_revision_id) == ContentRevision.id",
        viewonly=True)
    head: Mapped[ContentRevision | None] = relationship(
        primaryjoin="foreign(ContentPage.head_revision_id) == ContentRevision.id",
        viewonly=True)


class ContentRevision(Base):
    __tablename__ = "content_revisions"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("content_pages.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)            # 1, 2, 3… per page
    # draft, published (was published at some point), rejected (failed validation on import)
    status: Mapped[str] = mapped_column(String(20))
    front_matter: Mapped[dict[str, object]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))          # of the source text
    origin: Mapped[str] = mapped_column(String(20))          # file, editor, rollback
    author: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The revision the editor started from: saving on a stale base is a conflict.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class MediaFile(Base):
    """An illustration uploaded by an editor or imported from content/media/."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)   # URL name, e.g. chart-1.png
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
