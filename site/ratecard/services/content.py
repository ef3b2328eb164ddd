"""The one writer of editorial content: file import, editor drafts, publish, rollback, export.

The editor's operations live here; file import/export in content_files.py and the shared
low-level writers in content_store.py; every name the editor UI uses is importable from here.

Invariants
- Only a revision that passes the check is ever published; a broken file or draft never
  blanks a page (the last good published revision stays, and is what the site shows).
- Import is idempotent: a file whose text (or content) a revision already has writes nothing.
- Saving a draft on a stale base is a ContentConflict, never a silent overwrite: the page's
  head is moved by a compare-and-set UPDATE, so two concurrent saves cannot both win.
- Files stay the source of truth in Git: export writes published revisions back.
"""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from ratecard.content import Problem
from ratecard.content.render import RenderedContent, render_document
from ratecard.content.source import normalise_body, serialize, sha256_text, to_json
from ratecard.db import utcnow
from ratecard.models import ContentPage, ContentRevision, User
from ratecard.queries.content import DbCatalog, page_state
from ratecard.services.content_files import (
    ImportReport,
    check_files,
    check_tree,
    export_files,
    import_files,
    run_import,
)
from ratecard.services.content_store import (
    FILE_AUTHOR,
    ContentConflict,
    ContentInvalid,
    ContentNotFound,
    audit,
    author_of,
    new_page,
    next_number,
    publish_revision,
    validate,
)

__all__ = [
    "FILE_AUTHOR", "ContentConflict", "ContentInvalid", "ContentNotFound", "ImportReport",
    "check_files", "check_tree", "export_files", "import_files", "page_state", "publish",
    "render_preview", "rollback", "run_import", "save_draft",
]


def render_preview(session: Session, kind: str, slug: str, front_matter: dict[str, Any],
                   body: str) -> RenderedContent:
    """Exactly what the public page would show, plus the check's problems."""
    kind, slug, problems = validate(session, kind, slug, front_matter, body)
    rendered = render_document(kind, slug, to_json(front_matter), normalise_body(body),
                               DbCatalog(session))
    rendered.problems = problems
    return rendered


# -- the editor ----------------------------------------------------------------------------

def save_draft(session: Session, kind: str, slug: str, front_matter: dict[str, Any], body: str,
               *, user: User, base_revision_id: int | None) -> ContentRevision:
    kind, slug, problems = validate(session, kind, slug, front_matter, body)
    if any(p.is_error for p in problems):
        raise ContentInvalid(problems)
    page = session.scalar(select(ContentPage).where(ContentPage.kind == kind,
                                                    ContentPage.slug == slug))
    if page is None:
        if base_revision_id is not None:
            raise ContentConflict(None)
        page = new_page(session, kind, slug)
    # Compare-and-set: only the editor who saw the current head may move it.
    base = (ContentPage.head_revision_id.is_(None) if base_revision_id is None
            else ContentPage.head_revision_id == base_revision_id)
    # A DML statement's result is a CursorResult (Session.execute is typed for any result).
    moved = cast(CursorResult[Any], session.execute(update(ContentPage).where(
        ContentPage.id == page.id, base).values(
        updated_at=utcnow()).execution_options(synchronize_session=False)))
    if moved.rowcount != 1:
        session.refresh(page)
        raise ContentConflict(page.head_revision_id)
    fm, body = to_json(front_matter), normalise_body(body)
    rev = ContentRevision(page_id=page.id, number=next_number(session, page.id), status="draft",
                          front_matter=fm, body=body, sha256=sha256_text(serialize(kind, fm, body)),
                          origin="editor", author=author_of(user), user_id=user.id,
                          base_revision_id=base_revision_id)
    session.add(rev)
    session.flush()
    session.execute(update(ContentPage).where(ContentPage.id == page.id).values(
        head_revision_id=rev.id).execution_options(synchronize_session=False))
    session.expire(page)
    audit(session, user, "save_draft", page, {"revision": rev.number})
    return rev


def _page_and_revision(session: Session, page_id: int,
                       revision_id: int) -> tuple[ContentPage, ContentRevision]:
    page = session.get(ContentPage, page_id)
    rev = session.get(ContentRevision, revision_id)
    if page is None or rev is None or rev.page_id != page.id:
        raise ContentNotFound(f"no revision {revision_id} of page {page_id}")
    if rev.status == "rejected":
        raise ContentInvalid([Problem(f"{page.kind}:{page.slug}", 1, f"revision {rev.number} "
                                      "failed the check on import and cannot be published")])
    problems = validate(session, page.kind, page.slug, rev.front_matter, rev.body)[2]
    if any(p.is_error for p in problems):
        raise ContentInvalid(problems)
    return page, rev


def publish(session: Session, page_id: int, revision_id: int, *, user: User) -> ContentRevision:
    page, rev = _page_and_revision(session, page_id, revision_id)
    if page.published_revision_id == rev.id:
        return rev
    publish_revision(session, page, rev)
    audit(session, user, "publish", page, {"revision": rev.number, "revision_id": rev.id})
    return rev


def rollback(session: Session, page_id: int, revision_id: int, *, user: User) -> ContentRevision:
    """A new published revision with the content of an earlier one."""
    page, old = _page_and_revision(session, page_id, revision_id)
    fm, body = dict(old.front_matter), old.body
    rev = ContentRevision(page_id=page.id, number=next_number(session, page.id),
                          status="published", front_matter=fm, body=body,
                          sha256=sha256_text(serialize(page.kind, fm, body)), origin="rollback",
                          author=author_of(user), user_id=user.id,
                          base_revision_id=page.head_revision_id)
    session.add(rev)
    session.flush()
    page.head_revision_id = rev.id
    publish_revision(session, page, rev)
    audit(session, user, "rollback", page, {"to_revision": old.number, "revision": rev.number,
                                            "revision_id": rev.id})
    return rev
