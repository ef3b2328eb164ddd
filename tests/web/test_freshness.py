"""Freshness says what is true on an offline install: the shipped copies and their dates,
and live sources that cannot be reached, rather than "failed" four times."""
from __future__ import annotations

import datetime as dt
import re
import socket

import pytest

from ratecard import create_app
from ratecard.models import SyncRun
from ratecard.queries.freshness import state
from ratecard.services.sync import run_sync
from scrapers import genai_prices, litellm, modelsdev, openrouter
from tests.upstream import OWN
from tests.web.html_tables import table


def _run(status: str, url: str | None = None, error: str | None = None) -> SyncRun:
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    return SyncRun(source="litellm", status=status, url=url, error=error, started_at=now,
                   as_of=now)


def test_the_state_of_a_source_in_one_word():
    copy = _run("success", "offline:litellm@8442b939")
    live = _run("success", "https://example.org/prices.json")
    refused = _run("failed", "https://example.org/", "fetch failed: https://example.org/: "
                   "connection refused after 3 attempts")
    broken = _run("failed", "https://example.org/", "payload could not be parsed: bad JSON")
    answered = _run("failed", "https://example.org/",
                    "fetch failed: https://example.org/: HTTP 503 Service Unavailable after 3 "
                    "attempts")
    assert state(copy, copy) == "offline copy"
    assert state(live, live) == "ok"
    assert state(copy, refused) == "unreachable"
    assert state(None, refused) == "unreachable"
    assert state(copy, broken) == "failed"          # a real failure stays one
    assert state(copy, answered) == "failed"        # the source answered: it is reachable
    assert state(None, None) == "never"
    assert state(live, _run("not_modified", "https://example.org/")) == "unchanged"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def offline_install(db, database_url, monkeypatch):  # type: ignore[no-untyped-def]
    """The project's own cuts loaded as the offline copies are (offline:… addresses), then
    one live try per source against a closed port on loopback (no network here)."""
    def copy(source, path, day, version):  # type: ignore[no-untyped-def]
        body = source.fetch(str(path)).body
        summary = run_sync(db, source, payload=body, as_of=dt.date.fromisoformat(day),
                           url=f"offline:{source.name}@{version}", first_load=True)
        assert summary.ok, summary.line()

    copy(genai_prices.SOURCE, OWN / "genai_prices" / "data_v2_sample.json", "2026-12-03",
         "0.2.3")
    copy(litellm.SOURCE, OWN / "litellm" / "model_prices_cut.json", "2026-07-24", "8442b939")
    copy(modelsdev.SOURCE, OWN / "modelsdev" / "tree", "2026-06-30", "2026-06-30")
    monkeypatch.setenv("RATECARD_HTTP_ATTEMPTS", "1")
    dead = f"http://127.0.0.1:{_closed_port()}/payload.json"
    for source in (litellm.SOURCE, openrouter.SOURCE, modelsdev.SOURCE, genai_prices.SOURCE):
        assert run_sync(db, source, url=dead).status == "failed"
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "RATECARD_OFFLINE": False})
    yield app.test_client()
    app.extensions["ratecard.db"].dispose()


def test_home_says_offline_catalog_and_unreachable_not_failed(offline_install):
    html = offline_install.get("/").get_data(as_text=True)
    summary = re.search(r'<p class="freshness-summary"[^>]*>(.*?)</p>', html, re.S)
    assert summary is not None
    assert re.fullmatch(
        r"Offline catalog from \d{4}-\d{2}-\d{2} \(LiteLLM 2026-07-24, genai-prices 0\.2\.3, "
        r"models\.dev 2026-06-30\); live sources unreachable from this machine\.",
        summary.group(1)), summary.group(1)
    rows = {row[0]: row for row in table(html.encode(), "sources")["rows"]}
    assert rows["LiteLLM"][2] == "2026-07-24" and rows["models.dev"][2] == "2026-06-30"
    assert {row[3] for row in rows.values()} == {"unreachable"}
    assert "failed" not in " ".join(row[3] for row in rows.values())


def test_profile_freshness_line_says_offline_copy_and_unreachable(offline_install):
    html = offline_install.get("/models/openai/gpt-4o").get_data(as_text=True)
    section = html.split("<h3>Sources and freshness</h3>")[1].split("</table>")[0]
    assert "offline catalog, data as of 2026-07-24" in section
    assert "source unreachable from this machine" in section
    assert "failed" not in section


def test_an_offline_install_without_live_syncs_says_so(db, database_url):
    body = litellm.SOURCE.fetch(str(OWN / "litellm" / "model_prices_cut.json")).body
    run_sync(db, litellm.SOURCE, payload=body, as_of=dt.date(2026, 7, 24),
             url="offline:litellm@8442b939", first_load=True)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True})
    try:
        html = app.test_client().get("/").get_data(as_text=True)
    finally:
        app.extensions["ratecard.db"].dispose()
    assert "(LiteLLM 2026-07-24); live syncs are switched off on this install." in html
    rows = {row[0]: row for row in table(html.encode(), "sources")["rows"]}
    assert rows["LiteLLM"][3] == "offline copy" and rows["OpenRouter"][3] == "not run"
