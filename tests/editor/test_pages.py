"""Editing pages: list with states, new page, preview, draft, publish, history, diff,
roll back, conflicts between two editors, and mistakes that must not cost anyone's text."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ratecard.models import AuditEntry, ContentPage, ContentRevision, Model
from tests.editor.conftest import logged_in, token_of

FRONT = """title: GPT-4o
summary: A fast multimodal model.
strengths:
  - Quick answers
weaknesses:
  - Pricier than mini
faq:
  - question: What does it cost?
    answer: '{{ price "openai/gpt-4o" "input" }} per million input tokens.'
reviewed: 2026-02-01
author: Ed Itor
"""
BODY = "## Verdict\n\nA **solid** all-rounder.\n"
EDIT = "/editor/pages/model/openai/gpt-4o"


def count(db, what, *where) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(what).where(*where)) or 0


def form_of(html: str) -> dict[str, str]:
    """The edit form's fields as the browser would send them."""
    def field(name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        return found.group(1) if found else ""

    def area(name: str) -> str:
        found = re.search(rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
        assert found, name
        import html as html_lib
        return html_lib.unescape(found.group(1))

    return {"csrf_token": token_of(html), "base_revision_id": field("base_revision_id"),
            "kind": field("kind"), "slug": field("slug"),
            "front_matter": area("front_matter"), "body": area("body")}


def create(client, front: str = FRONT, body: str = BODY, action: str = "save"):  # type: ignore[no-untyped-def]
    page = client.get("/editor/new?kind=model&slug=openai/gpt-4o")
    assert page.status_code == 200, page.text
    data = form_of(page.text) | {"front_matter": front, "body": body, "action": action}
    return client.post(EDIT, data=data)


@pytest.fixture
def published(catalog, ed):  # type: ignore[no-untyped-def]
    response = create(ed, action="publish")
    assert response.status_code == 302, response.text
    return ed


def test_list_shows_pages_and_models_without_one(catalog, ed):
    page = ed.get("/editor/")
    assert page.status_code == 200
    assert "No pages yet" in page.text
    assert '<option value="openai/gpt-4o">' in page.text          # can be created
    create(ed)
    listing = ed.get("/editor/")
    assert "GPT-4o" in listing.text and ">draft<" in listing.text
    assert '<option value="openai/gpt-4o">' not in listing.text


def test_new_page_then_draft_then_publish(catalog, ed, db, client):
    new = ed.get("/editor/new?kind=model&slug=openai/gpt-4o")
    with db.session() as session:
        name = session.scalars(select(Model.name).where(
            Model.canonical_id == "openai/gpt-4o")).one()
    assert new.status_code == 200 and f"title: {name}" in new.text   # from the catalog
    saved = create(ed)
    assert saved.status_code == 302 and "done=saved" in saved.headers["Location"]
    with db.session() as session:
        page = session.scalars(select(ContentPage)).one()
        assert page.published_revision_id is None                   # a draft only
    shown = ed.get(saved.headers["Location"])
    assert "Draft saved as revision 1." in shown.text
    published = ed.post(EDIT, data=form_of(shown.text) | {"action": "publish"})
    assert published.status_code == 302 and "done=published" in published.headers["Location"]
    with db.session() as session:
        page = session.scalars(select(ContentPage)).one()
        assert page.published is not None and page.published.number == 2
        assert page.published.author == "Ed Itor"
    listing = ed.get("/editor/")
    assert ">published<" in listing.text
    with db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.target == "model:openai/gpt-4o").order_by(AuditEntry.id)).all()
    assert actions == ["save_draft", "save_draft", "publish"]


def test_preview_renders_like_the_public_page(catalog, ed):
    page = ed.get("/editor/new?kind=model&slug=openai/gpt-4o")
    token = token_of(page.text)
    response = ed.post("/editor/preview", data={
        "kind": "model", "slug": "openai/gpt-4o", "front_matter": FRONT, "body": BODY,
        "csrf_token": token})
    assert response.status_code == 200
    assert "<strong>solid</strong>" in response.text
    assert "Quick answers" in response.text and "$2.50" in response.text   # shortcode
    assert "Strengths and weaknesses" in response.text
    # The no-JS button: the whole page again, with the preview and the text kept.
    full = ed.post(EDIT, data=form_of(page.text) | {"front_matter": FRONT, "body": BODY,
                                                   "action": "preview"})
    assert full.status_code == 200 and "<strong>solid</strong>" in full.text
    assert "A **solid** all-rounder." in full.text


def test_preview_header_token_and_problems(catalog, ed):
    token = token_of(ed.get("/editor/").text)
    response = ed.post("/editor/preview", headers={"X-CSRF-Token": token}, data={
        "kind": "model", "slug": "openai/gpt-4o", "front_matter": "title: [oops",
        "body": "text"})
    assert response.status_code == 200
    assert "front matter line" in response.text and "text" in response.text
    bad = ed.post("/editor/preview", headers={"X-CSRF-Token": token},
                  data={"kind": "nope", "slug": "x", "front_matter": "", "body": ""})
    assert bad.status_code == 400


def test_invalid_yaml_shows_problems_and_keeps_the_text(catalog, ed, db):
    broken = "title: GPT-4o\nstrengths: [unclosed\n"
    response = create(ed, front=broken, body="My precious paragraph.")
    assert response.status_code == 422
    assert "front matter line" in response.text
    assert "strengths: [unclosed" in response.text and "My precious paragraph." in response.text
    assert count(db, ContentRevision) == 0


def test_content_problems_show_and_nothing_is_saved(catalog, ed, db):
    response = create(ed, front=FRONT + "colour: blue\n")
    assert response.status_code == 422
    assert "colour" in response.text and "Not saved" in response.text
    assert count(db, ContentRevision) == 0


PAGE = "/editor/pages/page/field-notes"
PAGE_FRONT = "title: Field notes\nsummary: What we learned.\nreviewed: 2026-02-01\nauthor: Ed\n"


def test_history_diff_and_rollback_seen_publicly(catalog, ed, db, client):
    """A content page (/<slug>) shows what is published: the first version, the second,
    then the first again after a rollback."""
    new = ed.get("/editor/new?kind=page&slug=field-notes")
    first = ed.post(PAGE, data=form_of(new.text) | {
        "front_matter": PAGE_FRONT, "body": "The **first** version.\n", "action": "publish"})
    assert first.status_code == 302, first.text
    assert "<strong>first</strong>" in client.get("/field-notes").text
    second = ed.post(PAGE, data=form_of(ed.get(PAGE).text) | {
        "body": "Now a *different* version.\n", "action": "publish"})
    assert second.status_code == 302
    public = client.get("/field-notes").text
    assert "<em>different</em>" in public and "first" not in public

    history = ed.get(PAGE + "/history")
    assert history.status_code == 200
    assert history.text.count("Ed Itor") >= 2 and "#1" in history.text and "#2" in history.text
    with db.session() as session:
        revs = {r.number: r.id for r in session.scalars(select(ContentRevision))}
    diff = ed.get(f"{PAGE}/diff?a={revs[1]}&b={revs[2]}")
    assert diff.status_code == 200
    assert "diff-del" in diff.text and "diff-add" in diff.text and "different" in diff.text

    back = ed.post(PAGE + "/rollback", data={"csrf_token": token_of(history.text),
                                             "revision_id": revs[1]})
    assert back.status_code == 302 and "done=rolled_back" in back.headers["Location"]
    assert "Rolled back" in ed.get(back.headers["Location"]).text
    public = client.get("/field-notes").text
    assert "<strong>first</strong>" in public and "different" not in public
    with db.session() as session:
        page = session.scalars(select(ContentPage)).one()
        assert page.published.number == 3 and page.published.origin == "rollback"
        actions = session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.in_(["publish", "rollback"])).order_by(AuditEntry.id)).all()
        assert actions == ["publish", "publish", "rollback"]
        assert all(e.ip == "127.0.0.1" for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["publish", "rollback", "save_draft"]))))


def test_published_model_page_is_on_the_profile(published, client):
    response = client.get("/models/openai/gpt-4o")
    assert response.status_code == 200
    if "data-revision" not in response.text:
        pytest.skip("the profile page does not include the editorial partial yet")
    assert "<strong>solid</strong>" in response.text and "Quick answers" in response.text


def test_publish_an_older_draft_from_history(published, db):
    ed = published
    draft = ed.post(EDIT, data=form_of(ed.get(EDIT).text) | {"body": "Draft text.\n",
                                                            "action": "save"})
    assert draft.status_code == 302
    assert ">draft<" in ed.get("/editor/").text
    with db.session() as session:
        newest = session.scalar(select(func.max(ContentRevision.id)))
    history = ed.get(EDIT + "/history")
    assert ">Publish<" in history.text
    done = ed.post(EDIT + "/publish", data={"csrf_token": token_of(history.text),
                                            "revision_id": newest})
    assert done.status_code == 302
    assert ">published<" in ed.get("/editor/").text


@pytest.mark.parametrize("query, status", [
    ("a=1&b=abc", 400), ("a=&b=1", 400), ("b=1", 400), ("a=1&b=99999", 404),
    ("a=-1&b=1", 400), ("a=1&b=1" + "0" * 30, 400),
])
def test_bad_revision_ids_in_the_diff_url(published, query, status):
    response = published.get(f"{EDIT}/diff?{query}")
    assert response.status_code == status


def test_bad_revision_ids_for_publish_and_rollback(published, db):
    token = token_of(published.get("/editor/").text)
    for action in ("publish", "rollback"):
        for value in ("", "x", "424242"):
            response = published.post(f"{EDIT}/{action}", data={"csrf_token": token,
                                                                 "revision_id": value})
            assert response.status_code in (400, 404), (action, value)
    assert count(db, ContentRevision) == 1


def test_revision_of_another_page_is_refused(published, catalog, db):
    ed = published
    page = ed.get("/editor/new?kind=model&slug=anthropic/claude-sonnet-4-5")
    ed.post("/editor/pages/model/anthropic/claude-sonnet-4-5", data=form_of(page.text) | {
        "front_matter": "title: Sonnet\n", "body": "Other.\n", "action": "save"})
    with db.session() as session:
        other = session.scalar(select(ContentRevision.id).join(ContentPage).where(
            ContentPage.slug == "anthropic/claude-sonnet-4-5"))
    mine = ed.get(f"{EDIT}/diff?a={other}&b={other}")
    assert mine.status_code == 404


@pytest.mark.parametrize("path", [
    "/editor/pages/model/openai/nope", "/editor/pages/weird/thing",
    "/editor/pages/model/openai/nope/history", "/editor/pages/page/ABOUT/diff?a=1&b=2",
])
def test_unknown_pages_are_404(catalog, ed, path):
    assert ed.get(path).status_code == 404


@pytest.mark.parametrize("query", ["kind=model&slug=", "kind=bad&slug=x",
                                   "kind=model&slug=../../etc/passwd", "kind=page&slug=a%00b"])
def test_bad_new_page_names(catalog, ed, query):
    assert ed.get(f"/editor/new?{query}").status_code == 400


def test_new_page_for_unknown_model_is_refused_on_save(catalog, ed, db):
    page = ed.get("/editor/new?kind=model&slug=openai/no-such-model")
    assert page.status_code == 200
    response = ed.post("/editor/pages/model/openai/no-such-model", data=form_of(page.text) | {
        "action": "save"})
    assert response.status_code == 422 and count(db, ContentPage) == 0


def test_two_editors_saving_the_same_page(app, published, db, editor):
    from tests.editor.conftest import make_user

    make_user(db, "eve", "editor", "Eve Second")
    first, second = published, logged_in(app, "eve")
    form_a = form_of(first.get(EDIT).text)
    form_b = form_of(second.get(EDIT).text)              # both start from revision 1
    saved = first.post(EDIT, data=form_a | {"body": "Ed's words.\n", "action": "save"})
    assert saved.status_code == 302
    clash = second.post(EDIT, data=form_b | {"body": "Eve's words.\n", "action": "save"})
    assert clash.status_code == 409
    assert "Conflict" in clash.text and "Nothing was overwritten" in clash.text
    assert "Ed&#39;s words." in clash.text and "Eve&#39;s words." in clash.text   # both shown
    assert count(db, ContentRevision) == 2                 # nothing of Eve's written yet
    assert "is required" not in clash.text                 # her front matter still previews
    # Eve's form now builds on Ed's revision: saving again is a deliberate choice.
    again = second.post(EDIT, data=form_of(clash.text) | {"action": "save"})
    assert again.status_code == 302
    with db.session() as session:
        page = session.scalars(select(ContentPage)).one()
        assert page.head.body == "Eve's words.\n" and page.head.author == "Eve Second"


def test_crlf_from_browsers_is_normalised(catalog, ed, db):
    response = create(ed, front=FRONT.replace("\n", "\r\n"), body="One\r\nTwo\r\n")
    assert response.status_code == 302
    with db.session() as session:
        assert session.scalars(select(ContentRevision)).one().body == "One\nTwo\n"


def test_editor_pages_are_never_cached(published):
    for path in ("/editor/", EDIT, EDIT + "/history"):
        response = published.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers


@pytest.mark.parametrize("slug", ["azure/mai-ds-r1:free", "google/gemini-2.5-pro"])
def test_model_ids_with_colons_and_dots_can_have_pages(catalog, ed, db, slug):
    assert f'<option value="{slug}">' in ed.get("/editor/").text
    page = ed.get(f"/editor/new?kind=model&slug={slug}")
    assert page.status_code == 200
    saved = ed.post(f"/editor/pages/model/{slug}", data=form_of(page.text) | {
        "front_matter": "title: A model\n", "body": "Cheap.\n",
        "action": "publish"})
    assert saved.status_code == 302, saved.text
    assert ed.get(f"/editor/pages/model/{slug}/history").status_code == 200


def test_reserved_and_malformed_page_names(catalog, ed):
    for query in ("kind=page&slug=editor", "kind=page&slug=models", "kind=page&slug=a/b/c",
                  "kind=provider&slug=no-such-provider-but-valid-name"):
        response = ed.get(f"/editor/new?{query}")
        if "no-such-provider" in query:
            assert response.status_code == 200       # a valid name; saving checks it exists
        else:
            assert response.status_code == 400, query
