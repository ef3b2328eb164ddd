"""A merge (one model, one id) carries everything that names the merged model: alert
subscriptions, probe runs, live tests, verdicts, the catalog's probe summary. Rows that
would collide with the kept model's (a summary, a verdict of the same week) do not stop the
merge: the kept model's verdict stands, and the summary is computed again from both models'
runs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from ratecard.db import Database
from ratecard.models import AlertSubscription, Model, Provider
from ratecard.models.live_tests import LiveTest
from ratecard.models.probes import ProbeRun, ProbeSummary
from ratecard.models.verdicts import Verdict
from ratecard.services import id_merge

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)   # the summary is of the last 7 days
WEEK = dt.date(2026, 11, 29)


def _run(model: Model, hours: int, outcome: str) -> ProbeRun:
    return ProbeRun(model_id=model.id, cycle=f"c{model.canonical_id}{hours}", trigger="schedule",
                    started_at=NOW - dt.timedelta(hours=hours), endpoint="https://x.test/v1",
                    api="openai_chat", kind="chat", outcome=outcome, latency_ms=800,
                    cost_usd=Decimal("0.001"))


def test_merge_moves_what_names_the_model(db: Database) -> None:
    with db.session() as s:
        openai = Provider(slug="openai", name="OpenAI")
        keep = Model(canonical_id="openai/gpt-4o", provider=openai, name="GPT-4o")
        old = Model(canonical_id="openai/gpt4o", provider=openai, name="gpt4o")
        s.add_all([keep, old])
        s.flush()
        s.add_all([_run(keep, 2, "ok"), _run(old, 3, "server_error"), _run(old, 4, "ok")])
        for model, runs in ((keep, 1), (old, 2)):
            s.add(ProbeSummary(model_id=model.id, computed_at=NOW, runs=runs, ok=1,
                               latency_p50_ms=800))
            s.add(Verdict(model_id=model.id, week_ending=WEEK, computed_at=NOW, runs=runs,
                          previous_runs=0, sentences=[model.canonical_id], tags=[]))
        s.add(Verdict(model_id=old.id, week_ending=WEEK - dt.timedelta(days=7),
                      computed_at=NOW, runs=2, previous_runs=0, sentences=["older"], tags=[]))
        s.add(AlertSubscription(public_id="sub_merge", url="https://hooks.test/x",
                                model_id=old.id, secret="whsec_x", status="active",
                                challenge="c", created_at=NOW))
        s.add(LiveTest(model_id=old.id, started_at=NOW, client="h" * 64, outcome="ok",
                       cost_usd=Decimal("0.002")))
    with db.session() as s:
        keep = s.scalars(select(Model).where(Model.canonical_id == "openai/gpt-4o")).one()
        old = s.scalars(select(Model).where(Model.canonical_id == "openai/gpt4o")).one()
        id_merge.merge(s, keep, old, NOW)
        keep_id = keep.id
    with db.session() as s:
        assert s.scalars(select(Model.canonical_id)).all() == ["openai/gpt-4o"]
        assert s.scalars(select(AlertSubscription.model_id)).all() == [keep_id]
        assert s.scalars(select(LiveTest.model_id)).all() == [keep_id]
        assert sorted(s.scalars(select(ProbeRun.outcome).where(
            ProbeRun.model_id == keep_id))) == ["ok", "ok", "server_error"]
        summary = s.get(ProbeSummary, keep_id)
        assert summary is not None and (summary.runs, summary.ok) == (3, 2)
        verdicts = {v.week_ending: v.sentences for v in s.scalars(select(Verdict))}
        assert verdicts == {WEEK: ["openai/gpt-4o"], WEEK - dt.timedelta(days=7): ["older"]}
