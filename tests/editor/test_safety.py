"""What a person can get wrong or an attacker can try: forms without their CSRF token,
sessions that ended mid-edit, and nothing written or lost in any of it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ratecard.models import AuditEntry, ContentRevision, MediaFile
from tests.editor.conftest import PASSWORD, token_of
from tests.editor.test_pages import EDIT, FRONT, create, form_of
from tests.editor.test_sessions import age_sessions

MINE = "My unsaved paragraph, typed for an hour.\n"


def count(db, what) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_save_without_the_right_token_writes_nothing_and_keeps_the_text(catalog, ed, db, token):
    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    data = form | {"front_matter": FRONT, "body": MINE, "action": "publish"}
    if token is None:
        data.pop("csrf_token")
    else:
        data["csrf_token"] = token
    response = ed.post(EDIT, data=data)
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.text
    assert "Nothing was changed" in response.text
    assert MINE.strip() in response.text                   # the text comes back in the form
    assert count(db, ContentRevision) == 0
    retry = ed.post(EDIT, data=form_of(response.text) | {"action": "save"})
    assert retry.status_code == 302                        # the re-shown form has a good token
    assert count(db, ContentRevision) == 1


@pytest.mark.parametrize("path, data", [
    ("/editor/pages/model/openai/gpt-4o/publish", {"revision_id": "1"}),
    ("/editor/pages/model/openai/gpt-4o/rollback", {"revision_id": "1"}),
    ("/editor/preview", {"kind": "model", "slug": "openai/gpt-4o", "body": "x"}),
    ("/editor/export", {}),
    ("/editor/media", {"alt": "a chart"}),
])
def test_every_form_needs_the_token(catalog, root, db, path, data):
    create(root)                                           # one draft exists
    before = (count(db, ContentRevision), count(db, AuditEntry), count(db, MediaFile))
    response = root.post(path, data=data | {"csrf_token": "forged"})
    assert response.status_code == 400
    assert (count(db, ContentRevision), count(db, AuditEntry), count(db, MediaFile)) == before


def test_expired_session_keeps_the_work_through_a_new_login(app, catalog, ed, db):
    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    age_sessions(db, last_seen_at=dt.timedelta(hours=13))    # idle: over the 12 h limit
    response = ed.post(EDIT, data=form | {"front_matter": FRONT, "body": MINE,
                                          "action": "save"})
    assert response.status_code == 401
    assert "Your session expired" in response.text and "Nothing was saved" in response.text
    assert MINE.strip() in response.text and 'name="resume_body"' in response.text
    assert count(db, ContentRevision) == 0

    # Logging in again from that page restores the text in the form (not saved yet).
    import html as html_lib
    import re
    hidden = {name: html_lib.unescape(value) for name, value in re.findall(
        r'name="(resume_[a-z_]+)" value="([^"]*)"', response.text)}
    relogin = ed.post("/editor/login", data=hidden | {
        "username": "ed", "password": PASSWORD, "csrf_token": token_of(response.text)})
    assert relogin.status_code == 200
    assert "Your text is restored below but not saved yet" in relogin.text
    restored = form_of(relogin.text)
    assert restored["body"] == MINE and restored["front_matter"].strip() == FRONT.strip()
    assert count(db, ContentRevision) == 0
    saved = ed.post(EDIT, data=restored | {"action": "save"})
    assert saved.status_code == 302 and count(db, ContentRevision) == 1


def test_expired_session_on_a_get_goes_to_login_and_back(app, catalog, ed, db):
    age_sessions(db, last_seen_at=dt.timedelta(hours=13))
    response = ed.get("/editor/media")
    assert response.status_code == 302
    assert "next=/editor/media" in response.headers["Location"]


def test_live_preview_after_expiry_is_a_401_not_a_page(app, catalog, ed, db):
    token = token_of(ed.get("/editor/").text)
    age_sessions(db, last_seen_at=dt.timedelta(hours=13))
    response = ed.post("/editor/preview", headers={"X-CSRF-Token": token}, data={
        "kind": "model", "slug": "openai/gpt-4o", "front_matter": FRONT, "body": MINE,
        "action": "preview"})
    assert response.status_code == 401                     # editor.js says "session ended"


def test_revoked_session_mid_edit(app, catalog, ed, db):
    from ratecard.services.accounts import set_password

    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    with db.session() as session:
        set_password(session, "ed", "another long password")
    response = ed.post(EDIT, data=form | {"body": MINE, "action": "save"})
    assert response.status_code == 401 and "Your session was ended" in response.text
    assert MINE.strip() in response.text and count(db, ContentRevision) == 0


def test_oversized_form_is_413_not_500(catalog, ed, db):
    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    response = ed.post(EDIT, data=form | {"body": "x" * (3 * 1024 * 1024), "action": "save"})
    assert response.status_code == 413 and "Nothing was saved" in response.text
    assert count(db, ContentRevision) == 0


def test_huge_front_matter_is_refused_politely(catalog, ed, db):
    form = form_of(ed.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    response = ed.post(EDIT, data=form | {"front_matter": "title: x\n" + "# pad\n" * 20000,
                                          "action": "save"})
    assert response.status_code == 422 and "longer than" in response.text


@pytest.mark.parametrize("front", [
    "a: &anchor [1, 2]\nb: *anchor\n",
    "title: !!python/object/apply:os.system ['true']\n",
    "- just\n- a list\n",
    "title: x\n---\nbody: y\n",
    "title: x\ntitle: y\n",
    "\tbad: indent",
])
def test_hostile_or_broken_yaml_is_a_problem_not_a_crash(catalog, ed, db, front):
    response = create(ed, front=front, body=MINE)
    assert response.status_code == 422
    assert "front matter" in response.text and MINE.strip() in response.text
    assert count(db, ContentRevision) == 0
