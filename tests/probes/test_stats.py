"""Statistics against figures computed by hand from a fixed probe history, including empty
and one-run windows; the same figures in the JSON API, the profile page and the catalog."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ratecard.models.probes import ProbeRun
from ratecard.queries.availability import availability, nearest_rank, window_stats
from ratecard.services.probes import refresh_summary
from tests.probes.conftest import add_models

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)

# openai/test-chat: two cycles in the last 24 h (6 calls, one rate limited), one cycle of one
# call 3 days ago, a timeout 20 days ago, and a run 40 days ago outside every window.
HISTORY = [  # (age, cycle, outcome, latency, ttft, tps, cost)
    (2 * H, "c1", "ok", 800, 200, "50.0", "0.003105"),
    (2 * H, "c1", "rate_limited", 120, None, None, "0"),
    (2 * H, "c1", "ok", 1000, 250, "60.0", "0.003105"),
    (8 * H, "c2", "ok", 1200, 300, "55.5", "0.003105"),
    (8 * H, "c2", "ok", 900, 220, "40.0", "0.003105"),
    (8 * H, "c2", "ok", 3000, 400, "70.0", "0.003105"),
    (72 * H, "c3", "ok", 500, 100, "80.0", "0.001"),
    (480 * H, "c4", "timeout", 90000, None, None, "0"),
    (960 * H, "c5", "ok", 10, 5, "1.0", "9"),
]


def _add(db, model_id: int, rows) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        for i, (age, cycle, outcome, latency, ttft, tps, cost) in enumerate(rows):
            session.add(ProbeRun(
                model_id=model_id, cycle=cycle, trigger="schedule",
                started_at=NOW - age + dt.timedelta(seconds=i), endpoint="https://api.test/v1",
                api="openai_chat", kind="chat", outcome=outcome,
                http_status=429 if outcome == "rate_limited" else (200 if outcome == "ok"
                                                                    else None),
                latency_ms=latency, ttft_ms=ttft, input_tokens=42, output_tokens=300,
                output_tps=Decimal(tps) if tps else None,
                cost_usd=Decimal(cost) if cost is not None else None,
                error="HTTP 429: Rate limit reached" if outcome == "rate_limited" else None))


@pytest.fixture
def history(db):  # type: ignore[no-untyped-def]
    ids = add_models(db)
    _add(db, ids["openai/test-chat"], HISTORY)
    _add(db, ids["anthropic/test-claude"], [(H, "d1", "ok", 700, 150, "42.5", "0.0049")])
    with db.session() as session:
        for model_id in ids.values():
            refresh_summary(session, model_id, NOW)
    return ids


def test_nearest_rank():
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 50) == nearest_rank([7], 95) == 7
    assert nearest_rank([3000, 800, 1000, 1200, 900], 50) == 1000    # rank ceil(2.5) = 3
    assert nearest_rank([3000, 800, 1000, 1200, 900], 95) == 3000    # rank ceil(4.75) = 5
    assert nearest_rank(list(range(1, 21)), 95) == 19                # rank ceil(19) = 19


def test_windows_match_hand_computed_figures(db, history):
    with db.session() as session:
        stats = availability(session, history["openai/test-chat"], NOW)
    day, week, month = stats.windows["24h"], stats.windows["7d"], stats.windows["30d"]
    # 24 h: ok latencies 800 900 1000 1200 3000; ttft 200 220 250 300 400; tps 40 50 55.5 60 70
    assert (day.runs, day.ok, day.availability) == (6, 5, Decimal("0.8333"))
    assert day.errors == {"rate_limited": 1}
    assert (day.latency_p50, day.latency_p95) == (1000, 3000)
    assert (day.ttft_p50, day.ttft_p95) == (250, 400)
    assert day.tokens_per_second == Decimal("55.5")
    assert day.cost_per_cycle == Decimal("0.007763")    # 5 x 0.003105 / 2 = 0.0077625
    assert day.failure_text() == "1 / 6 runs failed: 1 rate limited"
    # 7 d: + 500 ms; 6 / 7 = 0.857142…; (0.015525 + 0.001) / 3 = 0.0055083…
    assert (week.runs, week.ok, week.availability) == (7, 6, Decimal("0.8571"))
    assert (week.latency_p50, week.latency_p95) == (900, 3000)
    assert week.cost_per_cycle == Decimal("0.005508")
    # 30 d: + a timeout; the run 40 days ago counts nowhere
    assert (month.runs, month.ok, month.availability) == (8, 6, Decimal("0.7500"))
    assert month.errors == {"rate_limited": 1, "timeout": 1}
    assert month.cost_per_cycle == Decimal("0.004131")  # 0.016525 / 4 = 0.00413125
    assert month.failure_text() == "2 / 8 runs failed: 1 rate limited, 1 timed out"
    assert stats.measured and stats.last_run.latency_ms == 1000
    assert [(d.day.isoformat(), d.runs, d.ok) for d in stats.days] == [
        ("2026-10-31", 1, 0), ("2026-11-17", 1, 1), ("2026-11-20", 6, 5)]
    assert [f.outcome for f in stats.failures] == ["timeout", "rate_limited"]


def test_one_run_and_empty_windows(db, history):
    with db.session() as session:
        one = availability(session, history["anthropic/test-claude"], NOW)
        none = availability(session, history["google/test-gemini"], NOW)
    for window in one.windows.values():
        assert (window.runs, window.ok, window.availability) == (1, 1, Decimal("1.0000"))
        assert (window.latency_p50, window.latency_p95) == (700, 700)
        assert (window.ttft_p50, window.ttft_p95) == (150, 150)
        assert window.cost_per_cycle == Decimal("0.004900")
        assert window.failure_text() == "0 / 1 run failed"
    assert not none.measured and none.last_run is None and none.days == []
    assert all(w == window_stats([]) for w in none.windows.values())
    assert none.as_json("google/test-gemini")["windows"]["24h"] == {
        "runs": 0, "ok": 0, "availability": None, "errors": {},
        "latency_ms": {"p50": None, "p95": None}, "ttft_ms": {"p50": None, "p95": None},
        "output_tokens_per_second": None, "cost_usd": None}


def test_catalog_summary_is_the_last_seven_days(db, history):
    from ratecard.models.probes import ProbeSummary

    with db.session() as session:
        row = session.get(ProbeSummary, history["openai/test-chat"])
        assert (row.runs, row.ok, row.latency_p50_ms) == (7, 6, 900)
        empty = session.get(ProbeSummary, history["google/test-gemini"])
        assert (empty.runs, empty.ok, empty.latency_p50_ms) == (0, 0, None)


def test_any_window_for_comparisons(db, history):
    from ratecard.queries.availability import recent_runs

    with db.session() as session:
        # the week before the last 24 hours: only the one-call cycle 3 days ago
        runs = recent_runs(session, history["openai/test-chat"], NOW - 7 * 24 * H, NOW - 24 * H)
    window = window_stats(runs)
    assert (window.runs, window.ok, window.latency_p50, window.cost_per_cycle) == (
        1, 1, 500, Decimal("0.001000"))
