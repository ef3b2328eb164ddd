"""Editor views of content pages: the list, edit with live preview, save, publish, history,
diff, roll back, new pages, and the conflict page when two editors save the same page.

The content engine does the work (services.content, queries.content); these views turn the
form into its arguments and its answers (problems, conflicts) into pages that keep the text.
"""
from __future__ import annotations

import difflib
from dataclasses import replace
from typing import TypedDict

from flask import abort, g, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ratecard.content import KINDS, source
from ratecard.models import AuditEntry, ContentPage, ContentRevision
from ratecard.queries import content as content_queries
from ratecard.services import content as content_service
from ratecard.web import auth, params
from ratecard.web.editor import bp, render
from ratecard.web.editor_form import (
    Draft,
    blank_front_matter,
    describe,
    draft_from_form,
    draft_from_revision,
    draft_from_text,
    preview_of,
)
from ratecard.web.errors import BadParameter
from ratecard.web.session import db_session

MAX_REVISION = 10**12
DONE = {"saved": "Draft saved as revision {rev}.",
        "published": "Revision {rev} is published.",
        "rolled_back": "Rolled back: revision {rev} (a copy of an earlier one) is published."}


class Conflict(TypedDict):
    """What the conflict page shows beside the editor's own text."""

    theirs: ContentRevision | None
    their_draft: Draft | None
    diff: str
    message: str


def valid_name(kind: str, slug: str) -> bool:
    """Whether kind/slug can name a page: the content files' own rule (source.locate),
    so the editor never makes a page that could not be exported to a file."""
    if kind not in KINDS or not slug or len(slug) > 255 or slug != slug.lower():
        return False
    try:
        found = source.locate(source.path_for(kind, slug))
    except ValueError:
        return False
    return found[:2] == (kind, slug)


def _kind_slug(kind: str, slug: str) -> None:
    if not valid_name(kind, slug):
        abort(404, description=f"There is no {kind} page {slug!r} in the editor.")


def _page(kind: str, slug: str) -> ContentPage:
    _kind_slug(kind, slug)
    page = content_queries.page_by_slug(db_session(), kind, slug)
    if page is None:
        abort(404, description=f"There is no {kind} page {slug!r} yet. Create it from the "
                               "list of pages.")
    return page


def _revision_id(name: str, page: ContentPage) -> int:
    wanted = params.whole(name, 1, MAX_REVISION, source=request.values,
                          what="a revision number")
    if wanted is None:
        raise BadParameter(name, "a revision number is required")
    if wanted not in {r.id for r in content_queries.revisions(db_session(), page.id)}:
        abort(404, description=f"{name}: revision {wanted} is not a revision of this page.")
    return wanted


def _edit_page(draft: Draft, status: int = 200, *, page: ContentPage | None = None,
               message: str | None = None, problems: list[str] | None = None,
               conflict: Conflict | None = None) -> tuple[str, int]:
    rendered, preview_problems = preview_of(db_session(), draft)
    preview_problems = [p for p in preview_problems if p not in (problems or [])]
    state = content_queries.page_state(db_session(), page) if page is not None else "new"
    return render("editor/edit.html", status, draft=draft, page=page, state=state,
                  public_url=content_queries.public_url(draft.kind, draft.slug),
                  message=message, problems=problems or [], preview=rendered,
                  preview_problems=preview_problems, conflict=conflict)


def render_resumed(resume: dict[str, str], status: int, message: str) -> tuple[str, int]:
    """The edit form with text that was posted but not saved (session ended, stale token)."""
    draft = draft_from_form(resume)
    if not valid_name(draft.kind, draft.slug):
        return render("editor/error.html", 400, title="Nothing was saved", detail=message)
    page = content_queries.page_by_slug(db_session(), draft.kind, draft.slug)
    return _edit_page(draft, status, page=page, message=message)


@bp.get("/")
def index() -> tuple[str, int]:
    from ratecard.queries.models import model_ids

    db = db_session()
    rows = content_queries.pages_with_state(db)
    have = {(row.page.kind, row.page.slug) for row in rows}
    missing = [cid for cid in model_ids(db)
               if ("model", cid) not in have and valid_name("model", cid)]
    message = None
    if params.choice("done", ("exported",), "notice") == "exported":
        written = params.whole("written", 0, MAX_REVISION)
        skipped = params.whole("skipped", 0, MAX_REVISION)
        message = (f"Exported to content/: {'?' if written is None else written} file(s) "
                   "written" + (f", {skipped} left alone because the file is newer than the "
                                "database." if skipped else "."))
    return render("editor/index.html", rows=rows, missing_models=missing, kinds=KINDS,
                  message=message)


@bp.get("/new")
def new_page() -> Response | tuple[str, int]:
    kind = params.text("kind", 20) or "model"
    slug = (params.text("slug", 255) or "").strip("/").lower()
    if not valid_name(kind, slug):
        return render("editor/error.html", 400, title="Not a page name",
                      detail=f"{slug!r} cannot name a {kind} page: a model page is named by "
                             "the model's canonical id (provider/model), a provider page by "
                             "its slug, a page by lowercase letters, digits and '-' (or "
                             "guides/<name>), not a path the site itself uses.",
                      back=url_for("editor.index"))
    if content_queries.page_by_slug(db_session(), kind, slug) is not None:
        return redirect(url_for("editor.edit", kind=kind, slug=slug))
    draft = draft_from_text(kind, slug, blank_front_matter(db_session(), kind, slug,
                                                           g.user.display_name))
    return _edit_page(draft, message="A new page: nothing is saved until you save a draft.")


@bp.get("/pages/<kind>/<path:slug>")
def edit(kind: str, slug: str) -> tuple[str, int]:
    page = _page(kind, slug)
    head = page.head
    draft = draft_from_revision(page, head)
    done = params.choice("done", DONE, "notice")
    rev = params.whole("rev", 1, MAX_REVISION, what="a revision number")
    message = DONE[done].format(rev="?" if rev is None else rev) if done else None
    return _edit_page(draft, page=page, message=message)


@bp.post("/pages/<kind>/<path:slug>")
def save(kind: str, slug: str) -> Response | tuple[str, int]:
    _kind_slug(kind, slug)
    db = db_session()
    draft = draft_from_form(request.form, kind=kind, slug=slug)
    page = content_queries.page_by_slug(db, kind, slug)
    action = request.form.get("action", "preview")
    if draft.problems:
        return _edit_page(draft, 422, page=page, problems=draft.problems)
    if action not in ("save", "publish"):
        return _edit_page(draft, page=page)
    try:
        revision = content_service.save_draft(
            db, kind, slug, draft.front_matter, draft.body, user=g.user,
            base_revision_id=draft.base_revision_id)
        _stamp_ip(db)
        done = "saved"
        if action == "publish":
            page = content_queries.page_by_slug(db, kind, slug)
            assert page is not None                 # save_draft has just made it
            content_service.publish(db, page.id, revision.id, user=g.user)
            _stamp_ip(db)
            done = "published"
    except content_service.ContentInvalid as exc:
        db.rollback()
        return _edit_page(draft, 422, page=page,
                          problems=describe(exc.problems, kind, draft.front_matter))
    except content_service.ContentConflict as exc:
        db.rollback()
        return _conflict(draft, exc.current_revision_id)
    db.commit()
    return redirect(url_for("editor.edit", kind=kind, slug=slug, done=done,
                            rev=revision.number))


def _stamp_ip(db: Session) -> None:
    """The content service writes its own audit entries (save, publish, rollback); add the
    address the request came from, as the editor's other entries have."""
    for entry in db.new:
        if isinstance(entry, AuditEntry) and entry.ip is None:
            entry.ip = auth.client_ip()[:64]


def _conflict(draft: Draft, current_revision_id: int | None) -> tuple[str, int]:
    db = db_session()
    page = content_queries.page_by_slug(db, draft.kind, draft.slug)
    theirs = their_draft = None
    diff = ""
    if page is not None and current_revision_id is not None:
        theirs = next((r for r in content_queries.revisions(db, page.id)
                       if r.id == current_revision_id), None)
    if page is not None and theirs is not None:
        their_draft = draft_from_revision(page, theirs)
        diff = "".join(difflib.unified_diff(
            their_draft.source_text().splitlines(keepends=True),
            draft.source_text().splitlines(keepends=True),
            f"revision {theirs.number} (saved by {theirs.author})", "your text"))
    # Their revision becomes the base: saving again is a deliberate choice, not a race.
    mine = replace(draft, base_revision_id=current_revision_id)
    message = ("Someone saved this page while you were editing it. Nothing was overwritten "
               "and nothing was saved from you yet: compare the two versions, merge what you "
               "want into your text below, and save again.")
    return _edit_page(mine, 409, page=page, message=None, conflict={
        "theirs": theirs, "their_draft": their_draft, "diff": diff, "message": message})


@bp.post("/preview")
def preview() -> tuple[str, int]:
    """The live preview (editor.js): the form in, the rendered page fragment out."""
    kind = request.form.get("kind", "")
    slug = request.form.get("slug", "")
    if not valid_name(kind, slug):
        return render("editor/_preview.html", 400, preview=None,
                      preview_problems=["unknown page kind or name"], draft=None)
    draft = draft_from_form(request.form, kind=kind, slug=slug)
    rendered, problems = preview_of(db_session(), draft)
    return render("editor/_preview.html", 200, preview=rendered,
                  preview_problems=problems, draft=draft)


@bp.get("/pages/<kind>/<path:slug>/history")
def history(kind: str, slug: str) -> tuple[str, int]:
    page = _page(kind, slug)
    revisions = content_queries.revisions(db_session(), page.id)
    return render("editor/history.html", page=page, revisions=revisions,
                  state=content_queries.page_state(db_session(), page))


@bp.get("/pages/<kind>/<path:slug>/diff")
def diff(kind: str, slug: str) -> tuple[str, int]:
    page = _page(kind, slug)
    a, b = _revision_id("a", page), _revision_id("b", page)
    by_id = {r.id: r for r in content_queries.revisions(db_session(), page.id)}
    html = content_queries.diff(db_session(), a, b)
    return render("editor/diff.html", page=page, a=by_id[a], b=by_id[b], diff_html=html)


@bp.post("/pages/<kind>/<path:slug>/publish")
def publish(kind: str, slug: str) -> Response | tuple[str, int]:
    return _settle(kind, slug, "publish")


@bp.post("/pages/<kind>/<path:slug>/rollback")
def rollback(kind: str, slug: str) -> Response | tuple[str, int]:
    return _settle(kind, slug, "rollback")


def _settle(kind: str, slug: str, action: str) -> Response | tuple[str, int]:
    page = _page(kind, slug)
    revision_id = _revision_id("revision_id", page)
    db = db_session()
    try:
        if action == "publish":
            revision = content_service.publish(db, page.id, revision_id, user=g.user)
            done = "published"
        else:
            revision = content_service.rollback(db, page.id, revision_id, user=g.user)
            done = "rolled_back"
        _stamp_ip(db)
    except content_service.ContentInvalid as exc:
        db.rollback()
        return render("editor/error.html", 422, title="Cannot publish this revision",
                      detail="; ".join(str(p) for p in exc.problems),
                      back=url_for("editor.history", kind=kind, slug=slug))
    except content_service.ContentNotFound:
        db.rollback()
        abort(404, description="That revision is not a revision of this page.")
    db.commit()
    return redirect(url_for("editor.edit", kind=kind, slug=slug, done=done,
                            rev=revision.number))
