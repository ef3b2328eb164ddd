"""Weekly verdicts on a fixed probe and price history, checked against figures computed by
hand: price cuts and rises with %, capabilities, deprecation, availability, p50/p95 and
error-mix moves, noise, empty and one-run windows; idempotent re-runs; the CLI and /changes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import func, select

from ratecard.cli.verdicts import verdicts as verdicts_command
from ratecard.models import ChangeEvent
from ratecard.models.probes import ProbeRun
from ratecard.models.verdicts import Verdict
from ratecard.services.verdicts import run_verdicts, week_bounds

AS_OF = dt.date(2026, 3, 15)                                   # weeks: 03-09..15, 03-02..08
THIS = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
BEFORE = dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC)


def _runs(model_id: int, start: dt.datetime, items: list[tuple[str, int]],
          kind: str = "chat") -> list[ProbeRun]:
    """One run per (outcome, latency), 10 minutes apart, 3 to a cycle."""
    return [ProbeRun(model_id=model_id, cycle=f"{model_id}-{start:%m%d}-{i // 3}",
                     trigger="schedule", started_at=start + dt.timedelta(minutes=10 * i),
                     endpoint="http://127.0.0.1/v1", api="openai_chat", kind=kind,
                     outcome=outcome, http_status=200 if outcome == "ok" else 429,
                     latency_ms=latency, ttft_ms=None, input_tokens=42, output_tokens=300,
                     output_tps=None, cost_usd=Decimal("0.003"))
            for i, (outcome, latency) in enumerate(items)]


def _event(model_id: int, kind: str, subject: str | None, old: str | None, new: str | None,
           when: dt.datetime, source: str = "litellm") -> ChangeEvent:
    return ChangeEvent(model_id=model_id, source=source, kind=kind, subject=subject,
                       old_value=old, new_value=new, occurred_at=when)


def history(db, ids) -> None:  # type: ignore[no-untyped-def]
    chat, claude = ids["openai/test-chat"], ids["anthropic/test-claude"]
    gemini, image = ids["google/test-gemini"], ids["openai/gpt-image-1"]
    with db.session() as s:
        # test-chat: before, 24 ok (20 x 1000 ms, 4 x 1100 ms): p50 1000, p95 (rank 23) 1100.
        # This week 20 ok (10 x 1000, 10 x 1500: p50 rank 10 = 1000, p95 rank 19 = 1500) and
        # 4 rate limited: availability 20/24 = 83.3 %, down 16.7 points; p95 +36.4 %.
        s.add_all(_runs(chat, BEFORE, [("ok", 1000)] * 20 + [("ok", 1100)] * 4))
        s.add_all(_runs(chat, THIS, [("ok", 1000)] * 10 + [("rate_limited", 200)] * 4
                        + [("ok", 1500)] * 10))
        # Two sources report the same cut: one line. Output 10 -> 12: +20 %.
        s.add_all([
            _event(chat, "price_changed", "input/1M_tokens", "2.50", "1.25", THIS),
            _event(chat, "price_changed", "input/1M_tokens", "2.50", "1.25", THIS,
                   source="openrouter"),
            _event(chat, "price_changed", "output/1M_tokens", "10", "12", THIS),
            _event(chat, "capability_added", "vision", "no", "yes", THIS),
            _event(chat, "model_deprecated", None, None, "2026-06-01", THIS),
            # the week before and the week after are not this week's business
            _event(chat, "price_changed", "input/1M_tokens", "3", "2.50", BEFORE),
            _event(chat, "capability_removed", "reasoning", "yes", None,
                   dt.datetime(2026, 3, 16, 0, tzinfo=dt.UTC)),
        ])
        # test-claude: one run this week, none before (a one-run window).
        s.add_all(_runs(claude, THIS, [("ok", 900)]))
        # test-gemini: steady. Before 24 x 800; this week 22 x 800 + 2 x 900: p95 900 is
        # +12.5 %, within noise. A price raised and put back within the week: no line.
        s.add_all(_runs(gemini, BEFORE, [("ok", 800)] * 24))
        s.add_all(_runs(gemini, THIS, [("ok", 800)] * 22 + [("ok", 900)] * 2))
        s.add_all([
            _event(gemini, "price_changed", "input/1M_tokens", "1.25", "2", THIS),
            _event(gemini, "price_changed", "input/1M_tokens", "2", "1.25",
                   THIS + dt.timedelta(days=1)),
        ])
        # gpt-image-1: 25 runs this week, 5 before: not compared.
        s.add_all(_runs(image, BEFORE, [("ok", 5000)] * 5, kind="image"))
        s.add_all(_runs(image, THIS, [("ok", 5000)] * 25, kind="image"))
        # openai/unpriced: nothing at all (empty windows): no verdict.


def _stored(db) -> dict[int, Verdict]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        rows = list(s.scalars(select(Verdict)))
        s.expunge_all()
    return {v.model_id: v for v in rows}


def test_week_bounds_are_whole_utc_days():
    before, start, end = week_bounds(AS_OF)
    assert (before, start, end) == (dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
                                    dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
                                    dt.datetime(2026, 3, 16, tzinfo=dt.UTC))


def test_verdicts_match_hand_computed_figures(db, models):  # type: ignore[no-untyped-def]
    history(db, models)
    now = dt.datetime(2026, 3, 16, 4, tzinfo=dt.UTC)
    found = run_verdicts(db, AS_OF, now=now)
    stored = _stored(db)
    assert set(stored) == {o.model_id for o in found} == {
        models["openai/test-chat"], models["anthropic/test-claude"],
        models["google/test-gemini"], models["openai/gpt-image-1"]}

    chat = stored[models["openai/test-chat"]]
    assert chat.week_ending == AS_OF and (chat.runs, chat.previous_runs) == (24, 24)
    assert chat.tags == [
        "Price cut 50 % (input)", "Price up 20 % (output)", "Vision capability added",
        "Deprecated 2026-06-01", "Availability down 16.7 points", "p95 latency up 36 %",
        "More rate limited errors"]
    assert chat.sentences == [
        "Input price (per 1M tokens) cut 50 %: $2.50 → $1.25.",
        "Output price (per 1M tokens) raised 20 %: $10 → $12.",
        "Capability added: vision.",
        "Deprecation announced: the provider retires it on 2026-06-01.",
        "This week: availability 83.3 % (20 / 24 runs ok), p50 latency 1,000 ms, p95 1,500 ms.",
        "Availability fell 16.7 points: 100.0 % → 83.3 %.",
        "p95 latency rose 36 %: 1,100 ms → 1,500 ms.",
        "Rate limited errors: 4 of 24 runs, were 0 of 24.",
        "Rests on 24 probe runs this week and 24 the week before.",
    ]

    claude = stored[models["anthropic/test-claude"]]
    assert claude.tags == []            # one run: nothing claimed about performance
    assert claude.sentences == [
        "Performance not judged: 1 probe run this week, fewer than the 20 a verdict needs.",
        "Rests on 1 probe run this week and 0 the week before."]

    gemini = stored[models["google/test-gemini"]]
    assert gemini.tags == []
    assert gemini.sentences == [
        "This week: availability 100.0 % (24 / 24 runs ok), p50 latency 800 ms, p95 900 ms.",
        "No move beyond noise since the week before.",
        "Rests on 24 probe runs this week and 24 the week before."]

    image = stored[models["openai/gpt-image-1"]]
    assert image.tags == [] and image.sentences[1] == (
        "Not compared with the week before: it had 5 runs, fewer than 20.")


def test_a_rerun_of_the_same_week_leaves_one_verdict(db, models):  # type: ignore[no-untyped-def]
    history(db, models)
    run_verdicts(db, AS_OF, now=dt.datetime(2026, 3, 16, 4, tzinfo=dt.UTC))
    first = {k: (v.sentences, v.tags) for k, v in _stored(db).items()}
    later = dt.datetime(2026, 3, 17, 4, tzinfo=dt.UTC)
    run_verdicts(db, AS_OF, now=later)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Verdict)) == 4
        assert s.scalar(select(func.min(Verdict.computed_at))) == later
    assert {k: (v.sentences, v.tags) for k, v in _stored(db).items()} == first
    # An empty week (nothing in it or the week before) writes nothing, and keeps the others.
    assert run_verdicts(db, dt.date(2026, 1, 31)) == []
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Verdict)) == 4


def test_cli_and_changes_page(db, models, app, client, database_url):  # type: ignore[no-untyped-def]
    history(db, models)
    runner = CliRunner()
    bad = runner.invoke(verdicts_command, ["--as-of", "15/03/2026"],
                        env={"DATABASE_URL": database_url})
    assert bad.exit_code == 2 and "is not a date (use YYYY-MM-DD)" in bad.output
    done = runner.invoke(verdicts_command, ["--as-of", "2026-03-15"],
                         env={"DATABASE_URL": database_url})
    assert done.exit_code == 0, done.output
    assert "openai/test-chat: Price cut 50 % (input); Price up 20 % (output)" in done.output
    assert done.output.rstrip().endswith("4 verdicts for the week ending 2026-03-15")
    again = runner.invoke(verdicts_command, ["--as-of", "2026-03-15"],
                          env={"DATABASE_URL": database_url})
    assert again.exit_code == 0 and len(_stored(db)) == 4

    changes = client.get("/changes").get_data(as_text=True)
    assert "Weekly verdicts" in changes and "Price cut 50 % (input)" in changes


def test_api_newest_first(db, models, client):  # type: ignore[no-untyped-def]
    history(db, models)
    run_verdicts(db, AS_OF - dt.timedelta(days=7))     # an older week first: newest first
    run_verdicts(db, AS_OF)
    body = client.get("/api/v1/models/openai/test-chat/verdicts").get_json()
    assert body["model"] == "openai/test-chat" and len(body["verdicts"]) == 2
    verdict = body["verdicts"][0]
    assert verdict["week_ending"] == "2026-03-15" and verdict["runs"] == 24
    assert verdict["tags"][0] == "Price cut 50 % (input)"
    none = client.get("/api/v1/models/openai/unpriced/verdicts").get_json()
    assert none == {"model": "openai/unpriced", "verdicts": []}
    assert client.get("/api/v1/models/openai/nope/verdicts").status_code == 404

    older = body["verdicts"][1]
    assert older["week_ending"] == "2026-03-08" and older["runs"] == 24
    assert older["sentences"][-1] == "Rests on 24 probe runs this week and 0 the week before."
