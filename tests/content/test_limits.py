"""Markdown that would break or stall a page is refused before rendering, by one function
(content.limits.refusal) that the renderer, `content check` and the preview all use.
Timings are in bench/render; these tests assert on the refusal and the limits."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from ratecard.content import limits
from ratecard.content.limits import refusal
from ratecard.content.render import Refused, render_document, render_markdown
from ratecard.models import ContentPage, ContentRevision
from ratecard.services import content as svc
from tests.content.conftest import write
from tests.content.test_check_cli import run_check
from tests.content.test_render import CATALOG
from tests.editor.conftest import make_user, token_of

STARS = "*" * 20000 + "x" + "*" * 20000          # a RecursionError: a 500 on every view
OPEN_BRACKETS = "[" * 8000                       # 12 s per render
PREVIEW_BRACKETS = "[" * 50000                   # ran until gunicorn killed the worker
HEADINGS = "#\n" * 20000                         # 20,000 headings: 18 s
HOSTILE = {"stars": STARS, "brackets": OPEN_BRACKETS, "headings": HEADINGS,
           "preview brackets": PREVIEW_BRACKETS}


def render(body: str):  # type: ignore[no-untyped-def]
    return render_document("model", "openai/gpt-4o", {"title": "T", "summary": "Fine."},
                           body, CATALOG)


@pytest.mark.parametrize(("body", "why"), [
    (STARS, "a run of 20,000 '*' characters (at most 32)"),
    (OPEN_BRACKETS, "more than 8 '[' open at once"),
    (PREVIEW_BRACKETS, "the text is 50,000 characters long; the limit is 30,000"),
    (HEADINGS, "more than 200 headings"),
], ids=["stars", "brackets", "preview brackets", "headings"])
def test_hostile_bodies_are_refused_and_the_rest_of_the_page_renders(body, why):
    with pytest.raises(Refused) as refused:
        render_markdown(body, CATALOG)
    assert why in str(refused.value)
    rendered = render(body)
    assert rendered.body_html == "" and rendered.toc_html == ""
    assert rendered.summary_html == "Fine."
    (left_out,) = rendered.refused
    assert left_out.startswith(f"body line {201 if 'headings' in why else 1}: {why}")


@pytest.mark.parametrize(("make", "limit"), [
    (lambda n: ("a" * 99 + "\n\n") * (n // 101) + "a" * (n % 101), limits.MAX_CHARS),
    (lambda n: "a" * n, limits.MAX_PARAGRAPH),
    (lambda n: "a\n" * (n - 1) + "a", limits.MAX_LINES),
    (lambda n: "# h\n" * n, limits.MAX_HEADINGS),
    (lambda n: "> " * n + "x", limits.MAX_NESTING),
    (lambda n: "- " * n + "x", limits.MAX_NESTING),
    (lambda n: "".join("    " * i + "- a\n" for i in range(n)), limits.MAX_NESTING),
    (lambda n: "[" * n + "a" + "]" * n + "(/about)", limits.MAX_NESTING),
    (lambda n: "(" * n + "a" + ")" * n, limits.MAX_NESTING),
    (lambda n: "".join(f"*a{i} _b{i} " for i in range(n // 2)) + "x", limits.MAX_NESTING),
    (lambda n: "*" * n + "x" + "*" * n, limits.MAX_RUN),
    (lambda n: "a " + "`" * n + "x" + "`" * n, limits.MAX_RUN),
], ids=["chars", "paragraph", "lines", "headings", "quotes", "lists", "indented lists", "brackets",
        "parentheses", "emphasis", "run", "backtick run"])
def test_each_limit_accepts_its_maximum_and_refuses_one_more(make, limit):
    assert refusal(make(limit)) is None
    assert refusal(make(limit + 2)) is not None


def test_link_targets_read_to_the_paragraph_end_are_refused_by_their_scan_cost():
    # Each is closed (nothing stays open), yet a quote in a link target makes the matcher
    # read on to the paragraph's end for every one of them: quadratic without the budget.
    link, text = '[a](b "x) ', "text " * 1800
    assert refusal(link * 20 + text) is None
    found = refusal(link * 40 + text)
    assert found is not None and "too many unclosed '[' or '('" in found.message
    assert refusal((link * 20 + text + "\n\n") * 2) is not None    # summed over the text


def test_escaped_brackets_and_snake_case_are_not_counted_fences_are():
    assert refusal("\\[" * 5000) is None
    assert refusal("```\n" + "[" * 5000 + "\n") is not None    # an unclosed fence is not code
    assert refusal(" ".join(f"max_tokens_{i}" for i in range(200))) is None
    assert refusal("*_" * 17) is not None                  # a mixed run counts as one


def test_a_recursion_error_becomes_a_refusal_not_a_500():
    # A body within the limits, rendered from ever deeper call stacks (as a page may be):
    # wherever the recursion limit is hit, the answer is a refusal, never the exception.
    body = "> " * limits.MAX_NESTING + "deep *and [linked](/about)*"
    outcomes = set()
    for headroom in range(12, 80, 2):
        rendered = _with_headroom(headroom, lambda: render(body))
        outcomes.add(tuple(rendered.refused))
    assert () in outcomes                              # enough room: rendered
    assert ("body line 1: the text is nested too deeply to be rendered",) in outcomes
    assert all(why.endswith("line 1: the text is nested too deeply to be rendered")
               for refused in outcomes for why in refused)
    assert render(body).refused == []                  # the Markdown instance still works


def _with_headroom(frames: int, call):  # type: ignore[no-untyped-def]
    """call() with about `frames` frames left below the recursion limit."""
    def room(n: int) -> int:
        try:
            return room(n + 1)
        except RecursionError:
            return n

    def dive(n: int):  # type: ignore[no-untyped-def]
        return dive(n - 1) if n > 0 else call()
    return dive(room(0) - frames)


def test_fields_are_limited_too():
    rendered = render_document("model", "openai/gpt-4o", {
        "title": "T", "summary": STARS, "strengths": ["ok", OPEN_BRACKETS],
        "faq": [{"question": "Q?", "answer": OPEN_BRACKETS}]}, "Body.", CATALOG)
    assert rendered.summary_html == "" and rendered.strengths == ["ok"] and rendered.faq == []
    assert "<p>Body.</p>" in rendered.body_html
    assert [r.split(":")[0] for r in rendered.refused] == ["summary", "faq answer", "strengths"]


# -- content check, the preview and the public page --------------------------------------------

def test_check_refuses_them_with_path_and_line(catalog, database_url, content_dir):
    for name, body in HOSTILE.items():
        write(content_dir, f"pages/{name.replace(' ', '-')}.md",
              f"---\ntitle: {name}\n---\nA fine first paragraph.\n\n{body}\n")
    write(content_dir, "pages/field.md", f"---\ntitle: F\nsummary: '{'[' * 40}'\n---\nok\n")
    result = run_check(content_dir, database_url)
    assert result.returncode == 1
    for name, line, why in [("stars", 6, "a run of 20,000 '*'"),
                            ("brackets", 6, "more than 8 '[' open at once"),
                            ("preview-brackets", 6, "the text is 50,026 characters long"),
                            ("headings", 206, "more than 200 headings"),
                            ("field", 3, "more than 8 '[' open at once")]:
        path = content_dir / f"pages/{name}.md"
        assert f"{path}:{line}: {why}" in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


def test_preview_answers_200_with_the_message(catalog, app, db):
    from tests.editor.conftest import logged_in

    make_user(db, "ed")
    ed = logged_in(app, "ed")
    token = token_of(ed.get("/editor/").text)
    for body in (PREVIEW_BRACKETS, STARS):
        response = ed.post("/editor/preview", headers={"X-CSRF-Token": token}, data={
            "kind": "page", "slug": "hostile", "front_matter": "title: Hostile",
            "body": "Intro.\n\n" + body})
        assert response.status_code == 200
        assert "body line 3:" in response.text
        assert ("the text is 50,009 characters long; the limit is 30,000" in response.text
                or "a run of 20,000 &#39;*&#39; characters" in response.text), response.text


def test_a_stored_hostile_body_is_served_without_it(catalog, content_dir, app, caplog):
    with catalog.session() as session:
        report = svc.import_files(session, content_dir)
        assert report.errors == []
        # Bodies stored before the limits existed: every view of them was a 500.
        for kind, slug, body in (("model", "openai/gpt-4o", STARS),
                                 ("page", "about", OPEN_BRACKETS)):
            page = session.scalar(select(ContentPage).where(ContentPage.kind == kind,
                                                            ContentPage.slug == slug))
            revision = session.get(ContentRevision, page.published_revision_id)
            revision.body = body
            revision.sha256 = "0" * 64
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="ratecard.queries.content"):
        profile = client.get("/models/openai/gpt-4o")
        about = client.get("/about")
    assert profile.status_code == 200 and about.status_code == 200
    assert "A multimodal model at" in profile.text          # the rest of the editorial
    assert "*" * 100 not in profile.text and "[" * 100 not in about.text
    assert "<h1>About Ratecard</h1>" in about.text
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("model/openai/gpt-4o" in w and "a run of 20,000" in w for w in warnings)
    assert any("page/about" in w and "open at once" in w for w in warnings)
