"""The availability JSON, the profile's availability and last-test sections, and the
catalog's availability and p50 columns, on a probe history ending now."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ratecard.db import utcnow
from ratecard.services.probes import refresh_summary
from tests.probes.conftest import KEY, add_models
from tests.probes.test_stats import HISTORY, _add


@pytest.fixture
def measured(db):  # type: ignore[no-untyped-def]
    ids = add_models(db)
    now = utcnow()
    shift = now - dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    from tests.probes import test_stats

    # the fixed history, moved so that it ends now
    saved = test_stats.NOW
    test_stats.NOW = now
    try:
        _add(db, ids["openai/test-chat"], HISTORY)
        _add(db, ids["anthropic/test-claude"], [(dt.timedelta(hours=1), "d1", "ok", 700, 150,
                                                 "42.5", "0.0049")])
    finally:
        test_stats.NOW = saved
    with db.session() as session:
        for model_id in ids.values():
            refresh_summary(session, model_id, now)
    assert shift
    return ids


def test_availability_json(client, measured):
    body = client.get("/api/v1/models/openai/test-chat/availability").get_json()
    assert body["model"] == "openai/test-chat" and body["measured"] is True
    day = body["windows"]["24h"]
    assert day == {"runs": 6, "ok": 5, "availability": "0.8333",
                   "errors": {"rate_limited": 1},
                   "latency_ms": {"p50": 1000, "p95": 3000}, "ttft_ms": {"p50": 250, "p95": 400},
                   "output_tokens_per_second": "55.5", "cost_usd": "0.007763"}
    assert body["windows"]["30d"]["errors"] == {"rate_limited": 1, "timeout": 1}
    last = body["last_run"]
    assert last["outcome"] == "ok" and last["latency_ms"] == 1000
    assert last["cost_usd"] == "0.003105" and last["started_at"].endswith("Z")
    assert set(body["windows"]) == {"24h", "7d", "30d"}


def test_availability_json_of_an_unmeasured_and_an_unknown_model(client, measured):
    body = client.get("/api/v1/models/google/test-gemini/availability").get_json()
    assert body["measured"] is False and body["last_run"] is None
    assert body["windows"]["7d"]["availability"] is None
    assert body["windows"]["7d"]["latency_ms"] == {"p50": None, "p95": None}
    missing = client.get("/api/v1/models/nobody/none/availability")
    assert missing.status_code == 404 and missing.is_json


def _section(html: str, name: str) -> str:
    found = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert found, name
    return found.group(0)


def test_profile_sections(client, measured):
    html = client.get("/models/openai/test-chat").get_data(as_text=True)
    section = _section(html, "availability")
    assert "83.33 %" in section and "1 / 6 runs failed: 1 rate limited" in section
    assert "2 / 8 runs failed: 1 rate limited, 1 timed out" in section
    assert "1,000 / 3,000 ms" in section and "$0.007763" in section
    assert 'data-chart="chart-latency"' in section and 'data-chart="chart-availability"' in section
    figure = json.loads(re.search(r'id="chart-availability">(.*?)</script>', section,
                                  re.S).group(1))
    marks = next(t for t in figure["data"] if t["name"] == "failed run")
    assert sorted(marks["customdata"]) == ["rate limited (HTTP 429)", "timed out"]
    last = _section(html, "last-test")
    assert "1,000 ms" in last and "$0.003105" in last and "42 in, 300 out" in last
    assert "Not measured" not in section + last
    assert KEY not in html


def test_unmeasured_profile_says_not_measured_never_down(client, measured):
    html = client.get("/models/google/test-gemini").get_data(as_text=True)
    section = _section(html, "availability")
    assert "Not measured" in section and "does not mean down" in section
    assert "failed" not in section
    assert "Not measured" in _section(html, "last-test")


def test_new_probe_runs_change_the_page(client, db, measured, monkeypatch):
    from tests.probes import test_stats

    first = client.get("/models/anthropic/test-claude")
    etag = first.headers.get("ETag")
    # a run older than the newest one still changes the figures at once (cache key: newest id)
    monkeypatch.setattr(test_stats, "NOW", utcnow())
    _add(db, measured["anthropic/test-claude"], [(dt.timedelta(hours=2), "d2",
                                                  "server_error", 50, None, None, "0")])
    again = client.get("/models/anthropic/test-claude", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "1 / 2 runs failed: 1 server error" in again.get_data(as_text=True)


def test_catalog_sorts_by_availability_and_p50(client, measured):
    # the first click (no order given) reads best first, like the explicit descending order
    for url in ("/models?sort=availability", "/models?sort=availability&order=desc"):
        html = client.get(url).get_data(as_text=True)
        order = [m for m in re.findall(r"<code class=\"muted\">([^<]+)</code>", html)]
        assert order[:2] == ["anthropic/test-claude", "openai/test-chat"], url  # 100 % > 85.7 %
    assert "85.7 %" in html and "100.0 %" in html
    html = client.get("/models?sort=p50").get_data(as_text=True)
    order = re.findall(r"<code class=\"muted\">([^<]+)</code>", html)
    assert order[:2] == ["anthropic/test-claude", "openai/test-chat"]   # 700 ms < 900 ms
    assert "900 ms" in html and "700 ms" in html
    # not measured: a dash, sorted last either way
    assert order[-1] not in ("anthropic/test-claude", "openai/test-chat")


def test_the_spend_cap_shows_on_the_profile(client, db, measured, monkeypatch):
    from tests.probes import test_stats

    monkeypatch.setattr(test_stats, "NOW", utcnow())          # a run now: spent today
    _add(db, measured["openai/test-chat"], [(dt.timedelta(0), "e1", "ok", 900, 200, "50.0",
                                             "0.003105")])
    monkeypatch.setenv("RATECARD_PROBE_DAILY_USD", "0.003")
    html = client.get("/models/openai/test-chat").get_data(as_text=True)
    assert "Probing is paused until 00:00 UTC" in _section(html, "availability")
