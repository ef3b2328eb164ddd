"""Low-level writers shared by the content services: revision numbers, pages, the audit
log, publishing, and the validation of editor input. Only services/content*.py call these."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.content import KINDS, Problem
from ratecard.content.check import check_document
from ratecard.content.source import locate, parse_text, path_for, serialize
from ratecard.db import utcnow
from ratecard.models import AuditEntry, ContentPage, ContentRevision, User
from ratecard.queries.content import DbCatalog
from ratecard.queries.models import model_by_id

FILE_AUTHOR = "content/ files"


class ContentInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems if p.is_error) or "invalid content")
        self.problems = problems


class ContentConflict(Exception):
    """Someone saved this page since the editor opened it: reload, merge, save again."""

    def __init__(self, current_revision_id: int | None):
        super().__init__(f"the page changed since you started editing (now at revision id "
                         f"{current_revision_id})")
        self.current_revision_id = current_revision_id


class ContentNotFound(LookupError):
    pass


def validate(session: Session, kind: str, slug: str, front_matter: dict[str, Any],
             body: str) -> tuple[str, str, list[Problem]]:
    """(kind, slug, problems) of editor input; lines refer to the file text export writes."""
    where = f"{kind}:{slug}"
    if kind not in KINDS:
        return kind, slug, [Problem(where, 1, f"unknown kind {kind!r} ({', '.join(KINDS)})")]
    try:
        kind, slug, _ = locate(PurePosixPath(path_for(kind, slug.strip("/").lower())))
    except (ValueError, KeyError) as exc:
        return kind, slug, [Problem(where, 1, str(exc))]
    doc = parse_text(serialize(kind, front_matter, body), where)
    return kind, slug, check_document(doc, kind, slug, DbCatalog(session))


def next_number(session: Session, page_id: int) -> int:
    return (session.scalar(select(func.max(ContentRevision.number)).where(
        ContentRevision.page_id == page_id)) or 0) + 1


def new_page(session: Session, kind: str, slug: str) -> ContentPage:
    model = model_by_id(session, slug) if kind == "model" else None
    page = ContentPage(kind=kind, slug=slug, model_id=model.id if model else None)
    session.add(page)
    session.flush()
    return page


def audit(session: Session, user: User | None, action: str, page: ContentPage,
          detail: dict[str, object], username: str | None = None) -> None:
    session.add(AuditEntry(user_id=user.id if user else None,
                           username=(user.username if user else username or FILE_AUTHOR)[:80],
                           action=action, target=f"{page.kind}:{page.slug}"[:300],
                           detail=detail))


def publish_revision(session: Session, page: ContentPage, rev: ContentRevision) -> None:
    now = utcnow()
    rev.status, rev.published_at = "published", now
    page.published_revision_id = rev.id
    page.updated_at = now
    session.flush()
    session.expire(page, ["published", "head"])


def author_of(user: User) -> str:
    return (user.display_name or user.username)[:120]
