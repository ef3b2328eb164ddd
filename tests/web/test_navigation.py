"""Getting around (issue 12, item 6) without a browser: compare's picker takes names,
"did you mean" instead of an error page, copy-id and add-to-compare controls, the
report-a-wrong-price link and its setting."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ratecard import config, create_app
from ratecard.services.content_files import run_import
from ratecard.services.sync import run_sync
from scrapers import litellm
from tests.web.html_tables import parse

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = {
    "gpt-4o": {"litellm_provider": "openai"},
    "gpt-4o-mini": {"litellm_provider": "openai"},
    "gpt-4": {"litellm_provider": "openai"},
    "gpt-4-0613": {"litellm_provider": "openai"},
    "azure/gpt-4o": {"litellm_provider": "azure"},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic"},
    "claude-haiku-4-5": {"litellm_provider": "anthropic"},
    "claude-opus-4-1": {"litellm_provider": "anthropic"},
}


@pytest.fixture
def known(db, client):  # type: ignore[no-untyped-def]
    payload = {key: {"mode": "chat", "input_cost_per_token": 1e-06,
                     "output_cost_per_token": 2e-06, **value} for key, value in PAYLOAD.items()}
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                    as_of=dt.date(2026, 1, 1)).ok
    return client


def _models_of(location: str) -> list[str]:
    return parse_qs(urlsplit(location).query)["models"][0].split(",")


@pytest.mark.parametrize(("typed", "resolved"), [
    ("claude sonnet 4.5", "anthropic/claude-sonnet-4-5"),
    ("Claude Sonnet 4-5", "anthropic/claude-sonnet-4-5"),
    ("gpt4o", "openai/gpt-4o"),
    ("GPT-4o", "openai/gpt-4o"),
    ("openai/gpt-4o-mini", "openai/gpt-4o-mini"),
    ("azure/gpt-4o", "azure/gpt-4o"),
])
def test_the_picker_resolves_a_name_or_an_id(known, typed, resolved):
    response = known.get("/compare", query_string={"models": "openai/gpt-4", "add": typed})
    assert response.status_code == 303, response.get_data(as_text=True)[-300:]
    assert _models_of(response.headers["Location"]) == ["openai/gpt-4", resolved]


def test_a_name_of_several_models_offers_choices_on_the_compare_page(known):
    response = known.get("/compare", query_string={"models": "openai/gpt-4o", "add": "claude"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Did you mean" in html and "Compare models" in html
    choices = [unquote(link) for link in parse(response.data).links
               if unquote(link).startswith("/compare?models=openai/gpt-4o,")]
    picked = {link.split(",", 1)[1] for link in choices}
    assert {"anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5",
            "anthropic/claude-opus-4-1"} <= picked
    # Each choice adds that model to what was being compared.
    assert known.get(choices[0]).status_code == 200
    # A typo is offered, not guessed.
    response = known.get("/compare", query_string={"models": "openai/gpt-4o",
                                                    "add": "claude sonet 4.5"})
    assert response.status_code == 200
    assert "/compare?models=openai/gpt-4o,anthropic/claude-sonnet-4-5" in {
        unquote(link) for link in parse(response.data).links}


def test_choices_in_a_full_comparison_keep_the_comparison(known):
    response = known.get("/compare", query_string={
        "models": "openai/gpt-4o,openai/gpt-4o-mini", "add": "sonnet haiku opus"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No model matches" in html and "id=\"rates\"" in html   # the table stays


def test_an_unknown_name_is_never_an_error_page(known):
    for typed in ("nobody/nothing-9", "zzzz qqqq", "§§§"):
        response = known.get("/compare", query_string={"models": "openai/gpt-4o",
                                                        "add": typed})
        assert response.status_code == 200, typed
        html = response.get_data(as_text=True)
        assert "No model matches" in html and 'name="add"' in html


def test_the_picker_suggests_names_and_ids(known):
    html = known.get("/compare").get_data(as_text=True)
    assert '<option value="openai/gpt-4o"' in html
    assert "name or id" in html


def test_copy_and_compare_controls_on_the_catalog_and_profile(known):
    catalog = known.get("/models").get_data(as_text=True)
    assert 'data-copy="openai/gpt-4o"' in catalog
    assert 'href="/compare?models=openai/gpt-4o"' in catalog
    profile = known.get("/models/openai/gpt-4o").get_data(as_text=True)
    assert 'data-copy="openai/gpt-4o"' in profile and "Add to compare" in profile
    # The copy button needs JavaScript: hidden until site.js shows it.
    assert '<button type="button" class="copy-id" data-copy="openai/gpt-4o" hidden>' in profile


def _report_link(html: bytes) -> str:
    links = [link for link in parse(html).links if "Wrong%20price" in link]
    assert links, "no report link"
    return links[0]


def test_report_link_default_is_a_prefilled_mail(known):
    response = known.get("/models/openai/gpt-4o")
    link = _report_link(response.data)
    assert link.startswith(config.DEFAULT_REPORT_URL + "?subject=")
    query = parse_qs(urlsplit(link).query)
    assert query["subject"] == ["Wrong price for openai/gpt-4o on Ratecard"]
    assert "Model: openai/gpt-4o" in query["body"][0]
    assert "http://localhost/models/openai/gpt-4o" in query["body"][0]
    assert "+" not in link                      # spaces are %20 for mail clients


def test_report_link_to_an_issue_tracker(db, database_url, monkeypatch):
    monkeypatch.setenv("RATECARD_REPORT_URL", "https://tracker.example/acme/ratecard/issues/new")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True})
    try:
        html = app.test_client().get("/providers").data
        link = _report_link(html)
        parts = urlsplit(link)
        assert parts.netloc == "tracker.example" and parts.path == "/acme/ratecard/issues/new"
        query = parse_qs(parts.query)
        assert query["title"] == ["Wrong price on Ratecard"] and "Page: " in query["body"][0]
    finally:
        app.extensions["ratecard.db"].dispose()


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://x", "https://a b"])
def test_a_bad_report_setting_stops_the_start(monkeypatch, bad):
    monkeypatch.setenv("RATECARD_REPORT_URL", bad)
    with pytest.raises(ValueError, match="RATECARD_REPORT_URL"):
        config.from_env()


def test_the_setting_is_in_env_example():
    assert "RATECARD_REPORT_URL=" in (ROOT / ".env.example").read_text()


def test_the_about_page_has_the_report_link(db, client):
    report = run_import(db, ROOT / "content")
    assert report is not None
    response = client.get("/about")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Found a wrong price?" in html
    assert _report_link(response.data).startswith(config.DEFAULT_REPORT_URL)
    methodology = client.get("/methodology").get_data(as_text=True)
    assert "Found a wrong price?" not in methodology
