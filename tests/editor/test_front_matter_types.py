"""Front matter the YAML reader accepts but the content cannot use (keys that are not text,
dates that do not exist) comes back as the form with a message, never a 500."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ratecard.models import ContentRevision
from tests.editor.conftest import token_of
from tests.editor.test_pages import EDIT, FRONT, form_of

END = FRONT.count("\n") + 1            # the line of a key added after FRONT's last line
# Each beside a text key the page does not know: sorting the two kinds of key was the 500.
BAD_FRONT = {
    "int key": (FRONT + "colour: red\n1: one\n", f"front matter line {END + 1}: "
                "key 1 is not text"),
    "date key": (FRONT + "2024-01-01: new year\ncolour: red\n", f"front matter line {END}: "
                 "key 2024-01-01 is not text"),
    "null key": (FRONT + "~: nothing\ncolour: red\n", f"front matter line {END}: "
                 "key ~ is not text"),
    "bool key in a faq item": (FRONT.replace("  - question: What does it cost?",
                                             "  - yes: maybe\n    question: What does it cost?"),
                               "front matter line 8: key yes is not text"),
    "impossible date": (FRONT.replace("reviewed: 2026-02-01", "reviewed: 2024-02-30"),
                        "front matter line 10: not a date: 2024-02-30"),
}


def revisions(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(ContentRevision)) or 0


@pytest.mark.parametrize("case", list(BAD_FRONT))
@pytest.mark.parametrize("action", ["preview", "save", "publish"])
def test_bad_front_matter_on_the_edit_form(catalog, ed, db, case, action):
    front, message = BAD_FRONT[case]
    page = ed.get("/editor/new?kind=model&slug=openai/gpt-4o")
    body = "My precious paragraph.\n"
    response = ed.post(EDIT, data=form_of(page.text) | {
        "front_matter": front, "body": body, "action": action})
    assert response.status_code == 422, response.text[:500]
    assert message in response.text
    kept = form_of(response.text)
    assert kept["front_matter"].rstrip("\n") == front.rstrip("\n")
    assert kept["body"].strip() == body.strip()
    assert revisions(db) == 0


@pytest.mark.parametrize("case", list(BAD_FRONT))
def test_bad_front_matter_in_the_live_preview(catalog, ed, case):
    front, message = BAD_FRONT[case]
    token = token_of(ed.get("/editor/").text)
    response = ed.post("/editor/preview", headers={"X-CSRF-Token": token}, data={
        "kind": "model", "slug": "openai/gpt-4o", "front_matter": front,
        "body": "Still previewed."})
    assert response.status_code == 200, response.text[:500]
    assert message in response.text and "Still previewed." in response.text


SURPRISES = [
    "title: [a, list]\n", "title: 2024-01-01\n", "title: GPT-4o\nsummary: {a: b}\n",
    "title: GPT-4o\ntags: 5\n", "title: GPT-4o\nfaq: {question: a, answer: b}\n",
    "title: GPT-4o\nfaq: [[1, 2]]\n",
    "title: GPT-4o\nfaq:\n  - question: [a]\n    answer: {b: c}\n",
    "title: GPT-4o\nstrengths: [[1], {a: b}, 2024-01-01]\n", "title: GPT-4o\nreviewed: [1]\n",
    "title: GPT-4o\nreviewed: 2024-01-01 10:00:00\n", "title: GPT-4o\nauthor: 5\n",
    "title: GPT-4o\nsummary: .nan\n", "title: GPT-4o\nsummary: \"a\\0b\"\n",
    "title: GPT-4o\nsummary: " + "9" * 5000 + "\n",
    "title: GPT-4o\nsummary: " + "[" * 3000 + "]" * 3000 + "\n",
]


@pytest.mark.parametrize("front", SURPRISES, ids=range(len(SURPRISES)))
def test_yaml_type_surprises_are_problems(catalog, ed, db, front):
    """A date where text is expected, a list where a mapping is, …: shown, never a 500."""
    token = token_of(ed.get("/editor/").text)
    preview = ed.post("/editor/preview", headers={"X-CSRF-Token": token}, data={
        "kind": "model", "slug": "openai/gpt-4o", "front_matter": front, "body": "Body."})
    assert preview.status_code == 200 and "Problems to fix" in preview.text
    page = ed.get("/editor/new?kind=model&slug=openai/gpt-4o")
    saved = ed.post(EDIT, data=form_of(page.text) | {
        "front_matter": front, "body": "Body.", "action": "publish"})
    assert saved.status_code == 422, saved.text[:300]
    assert revisions(db) == 0
