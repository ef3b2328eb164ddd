"""The content service: import, drafts and conflicts, publish, rollback, export, states."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ratecard.content.source import parse_text
from ratecard.models import AuditEntry, ContentPage, ContentRevision, MediaFile
from ratecard.queries import content as q
from ratecard.services import content as svc
from tests.content.conftest import LITELLM, sync_catalog, write


def do_import(db, root):
    with db.session() as session:
        return svc.import_files(session, root)


def revision_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ContentRevision))


def published_body(db, kind, slug) -> str:
    with db.session() as session:
        return q.page_by_slug(session, kind, slug).published.body


# -- import ------------------------------------------------------------------------------------

def test_import_creates_pages_and_media_and_is_idempotent(catalog, content_dir):
    first = do_import(catalog, content_dir)
    assert first.errors == [] and first.rejected == []
    assert len(first.created) == 5 and first.media == ["chart.png"]
    count = revision_count(catalog)
    second = do_import(catalog, content_dir)
    assert (second.created, second.updated, second.media) == ([], [], [])
    assert len(second.unchanged) == 5
    assert revision_count(catalog) == count
    with catalog.session() as session:
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        assert page.model_id is not None and page.published.origin == "file"
        media = session.scalar(select(MediaFile))
        assert (media.width, media.height, media.content_type) == (64, 48, "image/png")
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "publish"))
        assert {a.target for a in audit} >= {"page:about", "model:openai/gpt-4o"}


def test_changed_file_makes_a_new_published_revision(catalog, content_dir):
    do_import(catalog, content_dir)
    path = content_dir / "pages/about.md"
    path.write_text(path.read_text().replace("Who we are", "Who we really are"))
    report = do_import(catalog, content_dir)
    assert report.updated == [str(path)]
    assert "Who we really are" in published_body(catalog, "page", "about")


def test_broken_file_keeps_the_last_good_revision(catalog, content_dir, app):
    do_import(catalog, content_dir)
    good = published_body(catalog, "page", "about")
    path = content_dir / "pages/about.md"
    path.write_text("---\ntitle: About\nsummary: a: b\n---\nBroken now\n")
    report = do_import(catalog, content_dir)
    assert report.rejected == [str(path)]
    assert any(p.path == str(path) and p.line == 3 for p in report.errors)
    assert published_body(catalog, "page", "about") == good
    count = revision_count(catalog)
    do_import(catalog, content_dir)                       # the rejection is recorded once
    assert revision_count(catalog) == count
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "about")
        statuses = [r.status for r in q.revisions(session, page.id)]
        assert statuses[0] == "rejected" and page.head.status == "published"
    response = app.test_client().get("/about")
    assert response.status_code == 200 and b"Who we are" in response.data
    assert b"Broken now" not in response.data
    path.write_text(path.read_text().replace("summary: a: b", "summary: fixed"))
    assert do_import(catalog, content_dir).updated == [str(path)]


def test_a_new_broken_file_publishes_nothing(catalog, content_dir):
    write(content_dir, "pages/draft.md", "---\ntitle: [oops\n---\n")
    write(content_dir, "models/nobody/nothing.md", "---\ntitle: Ghost\n---\n")
    report = do_import(catalog, content_dir)
    assert sorted(report.rejected) == sorted([str(content_dir / "pages/draft.md"),
                                              str(content_dir / "models/nobody/nothing.md")])
    with catalog.session() as session:
        assert q.published(session, "page", "draft") is None
        assert q.page_by_slug(session, "model", "nobody/nothing") is None


# -- the editor's operations ---------------------------------------------------------------------

FRONT = {"title": "Pricing notes", "summary": "Short.", "reviewed": "2026-08-02"}


def test_save_draft_then_conflict_for_the_second_editor(catalog, editor, other_editor):
    with catalog.session() as session:
        first = svc.save_draft(session, "page", "notes", FRONT, "Version one",
                               user=editor, base_revision_id=None)
    with catalog.session() as session:
        # both editors opened the page at `first`; Ada saves first
        ada = svc.save_draft(session, "page", "notes", FRONT, "Ada's words",
                             user=editor, base_revision_id=first.id)
    with catalog.session() as session, pytest.raises(svc.ContentConflict) as caught:
        svc.save_draft(session, "page", "notes", FRONT, "Bob's words",
                       user=other_editor, base_revision_id=first.id)
    assert caught.value.current_revision_id == ada.id
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "notes")
        assert page.head.body == "Ada's words\n" and page.head.author == "Ada Editor"
        assert page.published is None and q.page_state(session, page) == "draft"
    with catalog.session() as session, pytest.raises(svc.ContentConflict):
        svc.save_draft(session, "page", "notes", FRONT, "New?", user=other_editor,
                       base_revision_id=None)


def test_save_draft_refuses_invalid_content(catalog, editor):
    with catalog.session() as session, pytest.raises(svc.ContentInvalid) as caught:
        svc.save_draft(session, "page", "bad", {"title": "X", "colour": "red"},
                       "[x](/models/openai/nope)", user=editor, base_revision_id=None)
    messages = [p.message for p in caught.value.problems]
    assert any("unknown front-matter key 'colour'" in m for m in messages)
    assert any("model page that does not exist" in m for m in messages)
    with catalog.session() as session, pytest.raises(svc.ContentInvalid):
        svc.save_draft(session, "model", "openai/nope", {"title": "X"}, "",
                       user=editor, base_revision_id=None)
    with catalog.session() as session, pytest.raises(svc.ContentInvalid):
        svc.save_draft(session, "page", "models", {"title": "X"}, "", user=editor,
                       base_revision_id=None)


def test_publish_and_rollback_with_audit(catalog, content_dir, editor, app):
    do_import(catalog, content_dir)
    client = app.test_client()
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "methodology")
        original = page.published
        draft = svc.save_draft(session, "page", "methodology", original.front_matter,
                               "Rewritten by Ada.", user=editor,
                               base_revision_id=page.head_revision_id)
    assert b"Rewritten by Ada" not in client.get("/methodology").data   # a draft is not public
    with catalog.session() as session:
        svc.publish(session, page.id, draft.id, user=editor)
    assert b"Rewritten by Ada" in client.get("/methodology").data
    with catalog.session() as session:
        back = svc.rollback(session, page.id, original.id, user=editor)
        assert back.origin == "rollback" and back.status == "published"
        assert back.body == original.body and back.number == 3
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "methodology")
        assert page.published_revision_id == page.head_revision_id == back.id
        actions = [(a.action, a.target, a.username) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.user_id == editor.id).order_by(AuditEntry.id))]
        assert actions == [("save_draft", "page:methodology", "ada"),
                           ("publish", "page:methodology", "ada"),
                           ("rollback", "page:methodology", "ada")]
        html = q.diff(session, original.id, draft.id)
        assert '<span class="diff-add">+Rewritten by Ada.</span>' in html
    body = client.get("/methodology").data
    assert b"Rewritten by Ada" not in body and b"600 input and 200 output" in body


def test_a_rejected_revision_cannot_be_published(catalog, content_dir, editor):
    do_import(catalog, content_dir)
    write(content_dir, "pages/about.md", "---\ntitle: About\nfoo: bar\n---\n")
    do_import(catalog, content_dir)
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "about")
        rejected = q.revisions(session, page.id)[0]
        assert rejected.status == "rejected"
        with pytest.raises(svc.ContentInvalid):
            svc.publish(session, page.id, rejected.id, user=editor)
        with pytest.raises(svc.ContentNotFound):
            svc.publish(session, page.id, 999999, user=editor)


def test_preview_renders_like_the_public_page_and_lists_problems(catalog, content_dir):
    do_import(catalog, content_dir)
    with catalog.session() as session:
        public = q.published(session, "model", "openai/gpt-4o")
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        preview = svc.render_preview(session, "model", "openai/gpt-4o",
                                     page.published.front_matter, page.published.body)
        assert preview.body_html == public.body_html and preview.faq == public.faq
        assert preview.problems == []
        broken = svc.render_preview(session, "page", "x", {"title": "X"},
                                    "![](/media/none.png)")
        assert {p.message.split(":")[0] for p in broken.problems} >= {
            "image without alt text", "missing media file 'none.png' (no content/media/none.png)"}


# -- export --------------------------------------------------------------------------------------

def test_export_round_trip(catalog, content_dir, editor):
    do_import(catalog, content_dir)
    with catalog.session() as session:
        assert svc.export_files(session, content_dir) == []       # files already match
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        front = dict(page.published.front_matter, summary="Edited in the browser.")
        draft = svc.save_draft(session, "model", "openai/gpt-4o", front, "New body.\n",
                               user=editor, base_revision_id=page.head_revision_id)
        svc.publish(session, page.id, draft.id, user=editor)
    with catalog.session() as session:
        written = svc.export_files(session, content_dir)
    path = content_dir / "models/openai/gpt-4o.md"
    assert written == [path]
    text = path.read_text()
    doc = parse_text(text, str(path))
    assert doc.problems == [] and doc.body == "New body.\n"
    keys = list(doc.front_matter)
    assert keys == ["title", "summary", "strengths", "weaknesses", "faq", "tags", "reviewed",
                    "author"]
    assert doc.front_matter["reviewed"] == dt.date(2026, 8, 1)
    assert "reviewed: 2026-08-01\n" in text and "  - question:" in text
    report = do_import(catalog, content_dir)
    assert (report.created, report.updated, report.rejected) == ([], [], [])
    with catalog.session() as session:
        assert svc.export_files(session, content_dir) == []


def test_export_writes_missing_files_and_media_but_never_clobbers_newer_work(
        catalog, content_dir, tmp_path):
    do_import(catalog, content_dir)
    (content_dir / "pages/about.md").write_text("---\ntitle: About v2\n---\nWork in progress\n")
    (content_dir / "pages/methodology.md").unlink()
    (content_dir / "media/chart.png").unlink()
    skipped: list = []
    with catalog.session() as session:
        written = svc.export_files(session, content_dir, skipped=skipped)
    assert sorted(written) == sorted([content_dir / "pages/methodology.md",
                                      content_dir / "media/chart.png"])
    assert skipped == [content_dir / "pages/about.md"]
    assert "Work in progress" in (content_dir / "pages/about.md").read_text()
    elsewhere = tmp_path / "fresh"
    with catalog.session() as session:
        assert len(svc.export_files(session, elsewhere)) == 6          # 5 pages + 1 image


# -- states and caching ----------------------------------------------------------------------------

def test_model_page_goes_stale_when_its_prices_change_after_review(catalog, content_dir):
    do_import(catalog, content_dir)
    with catalog.session() as session:
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        assert q.page_state(session, page) == "published"        # reviewed 2026-08-01
    cheaper = {**LITELLM, "gpt-4o": {**LITELLM["gpt-4o"], "input_cost_per_token": 2e-06}}
    sync_catalog(catalog, cheaper, day="2026-09-01")
    with catalog.session() as session:
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        assert q.page_state(session, page) == "stale"
        states = {row.page.slug: row.state for row in q.pages_with_state(session)}
        assert states["openai/gpt-4o"] == "stale" and states["about"] == "published"
        # and the shortcodes follow the data: the new price shows without any edit
        assert "$2.00 per 1M tokens" in q.editorial_for_model(session, page.model_id).summary_html


def test_rendering_is_cached_per_revision_and_data_version(catalog, content_dir):
    do_import(catalog, content_dir)
    with catalog.session() as session:
        first = q.editorial_for_model(session, "openai/gpt-4o")
        assert q.editorial_for_model(session, "openai/gpt-4o") is first
        page = q.page_by_slug(session, "model", "openai/gpt-4o")
        assert q.editorial_for_model(session, page.model_id) is first
        assert q.editorial_for_provider(session, "openai").title == "OpenAI"
    sync_catalog(catalog, {**LITELLM, "extra": LITELLM["gpt-4o-mini"]}, day="2026-07-02")
    with catalog.session() as session:
        assert q.editorial_for_model(session, "openai/gpt-4o") is not first


def test_pages_link_to_each_other_within_one_import(catalog, tmp_path):
    root = tmp_path / "content"
    write(root, "pages/a.md", "---\ntitle: A\n---\nSee [b](/b) and [g](/guides/g).\n")
    write(root, "pages/b.md", "---\ntitle: B\n---\nSee [a](/a).\n")
    write(root, "pages/guides/g.md", "---\ntitle: G\n---\nBack to [a](/a).\n")
    report = do_import(catalog, root)
    assert report.errors == [] and len(report.created) == 3
    with catalog.session() as session:
        assert session.scalar(select(func.count()).select_from(ContentPage)) == 3


def test_two_concurrent_saves_on_one_base_one_wins_one_conflicts(catalog, editor, other_editor):
    """The head moves by compare-and-set: while Ada's save is uncommitted, Bob's save on the
    same base waits for it, then finds the head moved and gets a conflict."""
    import threading

    with catalog.session() as session:
        base = svc.save_draft(session, "page", "notes", FRONT, "Base", user=editor,
                              base_revision_id=None)
    ada_session = catalog.sessionmaker()
    svc.save_draft(ada_session, "page", "notes", FRONT, "Ada", user=editor,
                   base_revision_id=base.id)              # holds the page row, uncommitted
    outcome: list[object] = []

    def bob() -> None:
        try:
            with catalog.session() as session:
                outcome.append(svc.save_draft(session, "page", "notes", FRONT, "Bob",
                                              user=other_editor, base_revision_id=base.id))
        except Exception as exc:                           # recorded, asserted below
            outcome.append(exc)

    thread = threading.Thread(target=bob)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive() or outcome                    # Bob waits (or already lost)
    ada_session.commit()
    ada_session.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], svc.ContentConflict), outcome
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "notes")
        assert page.head.body == "Ada\n"
        assert [r.body for r in q.revisions(session, page.id)] == ["Ada\n", "Base\n"]


def test_content_stamp_moves_on_publish_import_and_media(catalog, content_dir, editor):
    """For the data version (ETags): a publish must never leave a stale page in a cache."""
    with catalog.session() as session:
        empty = q.content_stamp(session)
    do_import(catalog, content_dir)
    with catalog.session() as session:
        imported = q.content_stamp(session)
        assert imported[0] != empty[0] and imported[1] is not None
        page = q.page_by_slug(session, "page", "about")
        draft = svc.save_draft(session, "page", "about", page.published.front_matter, "New",
                               user=editor, base_revision_id=page.head_revision_id)
    with catalog.session() as session:
        before = q.content_stamp(session)
        svc.publish(session, page.id, draft.id, user=editor)
    with catalog.session() as session:
        assert q.content_stamp(session)[0] != before[0]
