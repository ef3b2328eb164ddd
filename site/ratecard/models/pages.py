"""The page store: public pages rendered once per data change and served by every worker
from the database (docs/pages.md)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ratecard.db import Base, UTCDateTime


class StoredPage(Base):
    """One rendered answer of a public GET. Pages embed the site's address (canonical links,
    the sitemap, feeds), so the key is the address root + path + normalised query."""

    __tablename__ = "stored_pages"
    __table_args__ = (Index("ix_stored_pages_stale_day", "stale", "rendered_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)    # sha256 of url_root + address
    url_root: Mapped[str] = mapped_column(Text)                   # https://ratecard.example/
    address: Mapped[str] = mapped_column(Text)                    # /models?page=2 (normalised)
    endpoint: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(120))
    headers: Mapped[dict[str, str]] = mapped_column(JSON)        # what the view set itself
    body: Mapped[bytes] = mapped_column(LargeBinary)
    gzip_body: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: too small to pack
    etag: Mapped[str] = mapped_column(String(200))                # the ETag it was served with
    data_version: Mapped[str] = mapped_column(String(200))        # queries/version.py
    rendered_day: Mapped[dt.date] = mapped_column(Date)           # pages read "today" (UTC)
    rendered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # What the page shows: "m:<model id>", "p:<provider slug>", "*" (a listing page: any
    # change); a profile also "f:", "w:" and "s:" tokens (docs/pages.md, "What is stored")
    depends_on: Mapped[list[str]] = mapped_column(JSON)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)


class PageBuild(Base):
    """One reconciliation of the store with the data: the data version it brought the store
    to and the high-water marks of what writers leave (the next build starts from them)."""

    __tablename__ = "page_builds"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    data_version: Mapped[str] = mapped_column(String(200))
    marks: Mapped[dict[str, object]] = mapped_column(JSON)
    marked_stale: Mapped[int] = mapped_column(Integer, default=0)
    rendered: Mapped[int] = mapped_column(Integer, default=0)
