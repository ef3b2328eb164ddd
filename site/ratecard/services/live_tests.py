"""One live test: reserve its worst case against the daily budget and the visitor's hourly
limit (one transaction), make the call, then record what it really cost. Nothing of the
prompt or the answer is written anywhere."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ratecard.db import Database
from ratecard.models.live_tests import LiveTest
from ratecard.probes.clients import call
from ratecard.probes.cost import call_cost, worst_case
from ratecard.probes.endpoints import Endpoint, ProbeSettings
from ratecard.probes.result import CallResult
from ratecard.queries import live_tests as q
from ratecard.queries.availability import day_start
from ratecard.queries.probe_targets import probe_rates
from ratecard.services.locks import serialise

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Limits:
    daily_usd: Decimal
    per_client_hour: int
    max_tokens: int
    deadline_seconds: float


class Refused(Exception):
    """A limit was reached: `kind` is rate_limit or budget; `retry_after` in seconds."""

    def __init__(self, kind: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.kind, self.retry_after = kind, retry_after


@dataclass(frozen=True)
class LiveResult:
    result: CallResult
    cost: Decimal | None          # None: the usage or a price is unknown


def run_live_test(db: Database, model_id: int, endpoint: Endpoint, key: str, prompt: str,
                  client: str, limits: Limits, now: dt.datetime | None = None) -> LiveResult:
    now = now or dt.datetime.now(dt.UTC)
    with db.session() as session:
        # one check-and-reserve at a time, across processes: two visitors at the same
        # instant cannot both fit under the budget's last dollar
        serialise(session, "spend:live_tests")
        rates = probe_rates(session, model_id)
        bound = worst_case(rates, "chat", limits.max_tokens)
        if bound is None:
            raise Refused("unpriced", "This model has no current input and output price, so "
                          "a live test cannot be costed.", 0)
        used = q.calls_since(session, client, now - HOUR)
        if used >= limits.per_client_hour:
            oldest = q.oldest_since(session, client, now - HOUR) or now
            wait = max(1, int((oldest + HOUR - now).total_seconds()) + 1)
            raise Refused("rate_limit", f"You have made {used} live tests in the last hour, "
                          f"the most we allow. Try again in {_minutes(wait)}.", wait)
        midnight = day_start(now)
        if q.spent_since(session, midnight) + bound > limits.daily_usd:
            wait = int((midnight + dt.timedelta(days=1) - now).total_seconds()) + 1
            raise Refused("budget", f"Today's live-test budget (${limits.daily_usd}) is spent. "
                          f"Live tests open again at 00:00 UTC, in {_minutes(wait)}.", wait)
        row = LiveTest(model_id=model_id, started_at=now, client=client, outcome="pending",
                       cost_usd=bound)
        session.add(row)
        session.flush()
        row_id = row.id
    settings = dataclasses.replace(ProbeSettings(), max_tokens=limits.max_tokens,
                                   chat_deadline=limits.deadline_seconds,
                                   read_timeout=min(30.0, limits.deadline_seconds))
    result = call(endpoint, key, settings, prompt=prompt, max_tokens=limits.max_tokens)
    cost = call_cost(result, rates, "chat")
    with db.session() as session:
        row = session.scalars(select(LiveTest).where(LiveTest.id == row_id)).one()
        row.outcome, row.latency_ms = result.outcome, result.latency_ms
        row.input_tokens, row.output_tokens = result.input_tokens, result.output_tokens
        row.cost_usd = bound if cost is None else cost
    return LiveResult(result, cost)


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = -(-seconds // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{minutes // 60} h {minutes % 60:02d} min"
