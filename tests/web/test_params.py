"""Parameters a user can get wrong: every one is a 400 (or a 422 that keeps the editor's
text) naming it, never a 500. Public pages on the session catalog, editor pages on a
small catalog of their own (they write)."""
from __future__ import annotations

import pytest

from tests.editor.conftest import load_catalog, logged_in, make_user, token_of
from tests.editor.test_pages import BODY, EDIT, FRONT, create, form_of

SUPERSCRIPT_TWO = "\u00b2"        # str.isdigit() is true, int() refuses it


def bad_request(response, parameter: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, (response.status_code, response.text[-500:])
    text = response.get_data(as_text=True)
    assert parameter in text, text[-800:]
    return text


# -- public pages --------------------------------------------------------------------------

@pytest.mark.parametrize("query, parameter", [
    ("to=9999-12-31", "to"),
    ("from=9999-12-31", "from"),
    ("from=0001-01-01", "from"),
    ("to=2024-02-30", "to"),
    (f"page={SUPERSCRIPT_TWO}", "page"),
    ("page=-1", "page"),
])
def test_changes_dates_out_of_range_are_400(site_client, query, parameter):
    bad_request(site_client.get(f"/changes?{query}"), parameter)


@pytest.mark.parametrize("url, parameter", [
    (f"/models?min_context={SUPERSCRIPT_TWO}", "min_context"),
    ("/models?min_context=\u0661\u0662", "min_context"),      # Arabic-Indic digits
    ("/models?deprecated=maybe", "deprecated"),                # one rule for every flag
    ("/providers/openai?page=99999999999999999999999", "page"),
    (f"/models/openai/gpt-4o?tokens_in={SUPERSCRIPT_TWO}", "tokens_in"),
])
def test_unicode_digits_and_unknown_flags_are_400(site_client, url, parameter):
    bad_request(site_client.get(url), parameter)


def test_api_answers_problem_json_naming_the_parameter(site_client):
    response = site_client.get("/models/openai/gpt-4o/cost?batch=maybe")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["parameter"] == "batch"


def test_non_utf8_query_is_400_naming_the_parameter(site_client):
    # Percent-encoded here; the raw bytes gunicorn passes are in test_live_params.py.
    bad_request(site_client.get("/models?q=%FF%FE"), "q")
    for raw in ("q=\xff", "\xff=1"):
        response = site_client.get("/changes", environ_overrides={"QUERY_STRING": raw})
        assert response.status_code == 400, response.text[-300:]


def test_long_host_is_400_not_500(site_client):
    response = site_client.get("/models", headers={"Host": "a" * 70 + ".example"})
    assert response.status_code == 400, response.text[-500:]
    assert "Host" in response.get_data(as_text=True)
    api = site_client.get("/api/v1/models/openai/gpt-4o", headers={"Host": "b" * 64})
    assert api.status_code == 400 and api.mimetype == "application/problem+json"


def test_pages_import_on_their_own():
    import subprocess
    import sys

    for module in ("ratecard.web.pages.profile", "ratecard.web.pages.changes",
                   "ratecard.web.pages.compare", "ratecard.web.params"):
        done = subprocess.run([sys.executable, "-c", f"import {module}"],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, (module, done.stderr[-600:])


# -- editor pages --------------------------------------------------------------------------

@pytest.fixture
def editor_client(app, db):  # type: ignore[no-untyped-def]
    load_catalog(db)
    make_user(db, "ed", "editor", "Ed Itor")
    return logged_in(app, "ed")


@pytest.fixture
def admin_client(app, db):  # type: ignore[no-untyped-def]
    make_user(db, "root", "admin", "Ada Admin")
    return logged_in(app, "root")


@pytest.mark.parametrize("query", [f"page={SUPERSCRIPT_TWO}", "page=0", "page=x",
                                   "action=nonsense"])
def test_audit_parameters_are_400(admin_client, query):
    name = query.split("=")[0]
    bad_request(admin_client.get(f"/editor/audit?{query}"), name)


@pytest.mark.parametrize("query, name", [
    (f"done=exported&written={SUPERSCRIPT_TWO}&skipped=0", "written"),
    (f"done=exported&written=1&skipped={SUPERSCRIPT_TWO}", "skipped"),
])
def test_export_notice_parameters_are_400(editor_client, query, name):
    bad_request(editor_client.get(f"/editor/?{query}"), name)


def test_revision_parameters_are_400(editor_client):
    assert create(editor_client).status_code == 302
    bad_request(editor_client.get(f"{EDIT}?done=saved&rev={SUPERSCRIPT_TWO}"), "rev")
    bad_request(editor_client.get(f"{EDIT}/diff?a={SUPERSCRIPT_TWO}&b=1"), "a")
    bad_request(editor_client.get(f"{EDIT}/diff?a=1&b=\u0661"), "b")
    form = editor_client.get(f"{EDIT}/history").text
    response = editor_client.post(f"{EDIT}/publish", data={
        "csrf_token": token_of(form), "revision_id": SUPERSCRIPT_TWO})
    bad_request(response, "revision_id")


def test_bad_base_revision_keeps_the_text(editor_client):
    assert create(editor_client).status_code == 302
    data = form_of(editor_client.get(EDIT).text) | {
        "base_revision_id": SUPERSCRIPT_TWO, "front_matter": FRONT,
        "body": BODY + "\nMy unsaved words.\n", "action": "save"}
    response = editor_client.post(EDIT, data=data)
    assert response.status_code == 422, response.text[-500:]
    assert "base_revision_id" in response.text and "My unsaved words." in response.text


@pytest.mark.parametrize("path", ["/models/a%00b/gpt-4o", "/models/openai/gpt%00-4o/prices.csv",
                                  "/api/v1/models/openai/%00", "/%00", "/providers/a%01b",
                                  "/guides/%7F", "/media/x%00.png"])
def test_control_characters_in_the_path_are_400(site_client, path):
    # PostgreSQL refuses NUL in text: it must never reach a query.
    bad_request(site_client.get(path), "path")


@pytest.mark.parametrize("field", ["body", "front_matter"])
def test_a_nul_in_the_editor_form_keeps_the_text(editor_client, field):
    data = form_of(editor_client.get("/editor/new?kind=model&slug=openai/gpt-4o").text)
    data |= {"front_matter": FRONT, "body": BODY, "action": "save"}
    data[field] += "\nbefore\x00after\n" if field == "body" else "tags: ['a\x00b']\n"
    response = editor_client.post(EDIT, data=data)
    assert response.status_code == 422, response.text[-500:]
    assert "NUL character" in response.text and "before" in response.text


@pytest.mark.parametrize("value", ["-+5", "+-5", "--5", "5-", "_", "-", "+", " 5 5", "5" * 30])
def test_signs_and_separators_that_are_no_number_are_400(site_client, value):
    from urllib.parse import quote

    bad_request(site_client.get(f"/models?min_context={quote(value)}"), "min_context")


@pytest.mark.parametrize("value", ["1e-999999", "0.00000000000000000000000000001", "1E+5",
                                   "-0", "1e9"])
def test_tiny_and_exponent_prices_never_fail(site_client, value):
    from urllib.parse import quote

    response = site_client.get(f"/models?max_input_price={quote(value)}")
    refused = value.startswith("1e-") or len(value) > 20        # beyond 12 decimal places
    assert response.status_code == (400 if refused else 200), response.text[-300:]


# -- one dialect: pages and the API say the same about the same bad value ------------------

@pytest.mark.parametrize("url, parameter, message", [
    ("/models?deprecated=maybe", "deprecated", "deprecated: must be on or off, got 'maybe'"),
    ("/models?page=x", "page", "page: must be a whole number, got 'x'"),
    ("/models?sort=bogus", "sort", "sort: unknown sort column 'bogus'"),
    ("/models?order=up", "order", "order: unknown order 'up'"),
    ("/changes?kind=nope", "kind", "kind: unknown kind of change 'nope'"),
    ("/models/openai/gpt-4o?batch=maybe", "batch", "batch: must be on or off, got 'maybe'"),
])
def test_a_bad_page_parameter_is_400_naming_it_and_its_value(site_client, url, parameter,
                                                             message):
    text = bad_request(site_client.get(url), parameter)
    assert message.replace("'", "&#39;") in text or message in text, text[-800:]


@pytest.mark.parametrize("url, parameter, message", [
    ("/api/v1/models?deprecated=maybe", "deprecated", "must be on or off, got 'maybe'"),
    ("/api/v1/models?sort=bogus", "sort", "unknown sort column 'bogus'"),
    ("/api/v1/models?limit=x", "limit", "must be a whole number, got 'x'"),
    ("/api/v1/models?limit=999", "limit", "must be between 1 and 200, got 999"),
    ("/api/v1/models?fields=id,nope", "fields", "unknown field 'nope'"),
    ("/api/v1/models?cursor=abc", "cursor", "not a cursor this API gave out"),
    ("/api/v1/models/openai/gpt-4o?at=soon", "at", "must be an ISO 8601 date"),
    ("/api/v1/changes?limit=0", "limit", "must be between 1 and 200, got 0"),
])
def test_a_bad_api_parameter_is_a_problem_naming_it_and_its_value(site_client, url,
                                                                  parameter, message):
    response = site_client.get(url)
    assert response.status_code == 400, (response.status_code, response.text[-500:])
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["parameter"] == parameter
    assert body["detail"].startswith(f"{parameter}: ") and message in body["detail"], body
