"""Writes of the page store (docs/pages.md): keep a rendered page, mark the pages a write
made stale, record a build. The rendering itself is the app's (web/page_build.py)."""
from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ratecard.db import DATA_WRITES_KEY, utcnow
from ratecard.models import PageBuild, StoredPage
from ratecard.queries import page_store as q

MIN_GZIP = 500     # as web/http.py: smaller answers are sent as they are


def gzipped(body: bytes) -> bytes:
    """The same bytes web/http.py sends for this body (level 6, no timestamp)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


@dataclass(frozen=True)
class Rendered:
    url_root: str
    address: str
    endpoint: str
    content_type: str
    headers: dict[str, str]
    body: bytes
    etag: str
    data_version: str
    depends_on: list[str]
    day: dt.date | None = None      # the UTC day it was rendered for (default: today)


def store_page(session: Session, page: Rendered, *, compress: bool,
               stale: bool | None = None, outdated: bool = False) -> None:
    """Insert or replace the page under its key and commit. A page rendered from another
    version than the newest build's is kept for its own version only (stale); by default
    that is decided in the write itself, so a build that reconciles while a request renders
    cannot have its re-render replaced by an older page passed as current. An `outdated`
    page (the data changed while it was rendered) never replaces one of today not marked
    stale: a slow request that began before a write must not undo the build that followed
    it."""
    key = q.page_key(page.url_root, page.address)
    now = utcnow()
    values: dict[str, Any] = dict(
        url_root=page.url_root, address=page.address, endpoint=page.endpoint,
        content_type=page.content_type, headers=page.headers, body=page.body,
        gzip_body=gzipped(page.body) if compress and len(page.body) >= MIN_GZIP else None,
        etag=page.etag, data_version=page.data_version, rendered_day=page.day or now.date(),
        rendered_at=now, depends_on=sorted(set(page.depends_on)),
        stale=q.stale_unless_reconciled(page.data_version) if stale is None else stale)
    for _attempt in range(2):
        found = session.execute(select(StoredPage.id, StoredPage.stale, StoredPage.rendered_day)
                                .where(StoredPage.key == key)).first()
        if found is not None:
            if outdated and not found.stale and found.rendered_day == now.date():
                return
            session.execute(update(StoredPage).where(StoredPage.id == found.id).values(**values))
            session.commit()
            return
        session.add(StoredPage(key=key, **values))
        try:
            session.commit()
            return
        except IntegrityError:        # another worker stored it meanwhile: replace theirs
            session.rollback()


def forget_page(session: Session, url_root: str, address: str) -> None:
    """A stored address that no longer answers 200 (a model merged away: a redirect now)."""
    session.execute(delete(StoredPage).where(StoredPage.key == q.page_key(url_root, address)))
    session.commit()


def mark_stale(session: Session, page_ids: Sequence[int]) -> int:
    for start in range(0, len(page_ids), 500):
        session.execute(update(StoredPage).where(StoredPage.id.in_(page_ids[start:start + 500]))
                        .values(stale=True))
    session.commit()
    return len(page_ids)


def mark_all_stale(session: Session) -> int:
    ids = list(session.scalars(select(StoredPage.id).where(StoredPage.stale.is_(False))))
    return mark_stale(session, ids)


@dataclass
class Reconciled:
    build_id: int
    version: str
    marked_stale: int
    first: bool                  # no build before this one


def reconcile(session: Session, version: str, *, everything: bool = False) -> Reconciled:
    """Mark stale exactly the stored pages that show something written since the last
    build, and record this build's data version and marks (pages stored from now on under
    this version are current). `version` is read by the caller before this runs: a write
    that lands in between is in the marks, and its version is not yet the store's."""
    if session.get_bind().dialect.name == "postgresql":
        # Wait for the writers under way to commit (db.py, _writes_in_commit_order): the
        # marks read below then cover everything numbered so far.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DATA_WRITES_KEY})
    since = q.last_marks(session)
    until = q.current_marks(session)
    if since is None or everything:
        marked = mark_all_stale(session)
    else:
        marked = mark_stale(session, q.dependent_pages(session, q.changed_tokens(
            session, since, until), version))
    build = PageBuild(started_at=utcnow(), finished_at=utcnow(), data_version=version,
                      marks=until, marked_stale=marked, rendered=0)
    session.add(build)
    session.commit()
    return Reconciled(build.id, version, marked, since is None)


def finish_build(session: Session, build_id: int, rendered: int) -> None:
    session.execute(update(PageBuild).where(PageBuild.id == build_id)
                    .values(rendered=rendered, finished_at=utcnow()))
    session.commit()
