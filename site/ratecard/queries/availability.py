"""Availability statistics from probe runs: per model and window (24 h, 7 d, 30 d).

Percentiles are nearest-rank (the value at rank ceil(p/100 * n) of the sorted list, so
always a measured value) over the ok runs only. Availability is ok runs ÷ runs. Cost per
cycle is the window's known call costs ÷ its cycles. All amounts stay Decimal.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models.probes import OUTCOMES, ProbeRun, SpendReservation
from ratecard.queries.version import derived

WINDOWS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7),
           "30d": dt.timedelta(days=30)}
CHART_DAYS = 30
RATIO_PLACES = Decimal("0.0001")
COST_PLACES = Decimal("0.000001")
N = TypeVar("N", int, Decimal)


def nearest_rank(values: Sequence[N], pct: int) -> N | None:
    """The nearest-rank percentile of `values` (any order); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct * len(ordered) / 100))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Window:
    runs: int = 0
    ok: int = 0
    availability: Decimal | None = None
    errors: dict[str, int] = field(default_factory=dict)
    latency_p50: int | None = None
    latency_p95: int | None = None
    ttft_p50: int | None = None
    ttft_p95: int | None = None
    tokens_per_second: Decimal | None = None
    cost_per_cycle: Decimal | None = None

    @property
    def failed(self) -> int:
        return self.runs - self.ok

    def failure_text(self) -> str:
        """'1 / 6 runs failed: 1 rate limited' (or '0 / 6 runs failed')."""
        head = f"{self.failed} / {self.runs} run{'s' if self.runs != 1 else ''} failed"
        if not self.errors:
            return head
        return head + ": " + ", ".join(f"{n} {outcome_label(k)}" for k, n in
                                       self.errors.items())

    def as_json(self) -> dict[str, object]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else format(value, "f")
        return {"runs": self.runs, "ok": self.ok, "availability": text(self.availability),
                "errors": dict(self.errors),
                "latency_ms": {"p50": self.latency_p50, "p95": self.latency_p95},
                "ttft_ms": {"p50": self.ttft_p50, "p95": self.ttft_p95},
                "output_tokens_per_second": text(self.tokens_per_second),
                "cost_usd": text(self.cost_per_cycle)}


def outcome_label(outcome: str) -> str:
    return {"rate_limited": "rate limited", "server_error": "server error",
            "timeout": "timed out", "auth_error": "auth error", "bad_response": "bad response",
            "network_error": "network error", "refused": "refused"}.get(outcome, outcome)


class RunRow(NamedTuple):
    """The columns statistics need (plain tuples: no ORM objects for a month of runs)."""

    id: int
    cycle: str
    started_at: dt.datetime
    outcome: str
    http_status: int | None
    latency_ms: int
    ttft_ms: int | None
    output_tps: Decimal | None
    cost_usd: Decimal | None


def window_stats(runs: Sequence[RunRow] | Sequence[ProbeRun]) -> Window:
    """The figures of one window's runs (hand-checkable: tests compute them by hand)."""
    if not runs:
        return Window()
    ok = [r for r in runs if r.outcome == "ok"]
    counts = Counter(r.outcome for r in runs if r.outcome != "ok")
    cycles = {r.cycle for r in runs}
    costs = [r.cost_usd for r in runs if r.cost_usd is not None]
    tps = [r.output_tps for r in ok if r.output_tps is not None]
    ttft = [r.ttft_ms for r in ok if r.ttft_ms is not None]
    latency = [r.latency_ms for r in ok]
    return Window(
        runs=len(runs), ok=len(ok),
        availability=(Decimal(len(ok)) / Decimal(len(runs))).quantize(
            RATIO_PLACES, rounding=ROUND_HALF_UP),
        errors={k: counts[k] for k in OUTCOMES if counts.get(k)},
        latency_p50=nearest_rank(latency, 50), latency_p95=nearest_rank(latency, 95),
        ttft_p50=nearest_rank(ttft, 50), ttft_p95=nearest_rank(ttft, 95),
        tokens_per_second=nearest_rank(tps, 50),
        cost_per_cycle=(sum(costs, Decimal(0)) / len(cycles)).quantize(
            COST_PLACES, rounding=ROUND_HALF_UP) if costs else None,
    )


@dataclass(frozen=True)
class Day:
    day: dt.date
    runs: int
    ok: int
    latency_p50: int | None
    latency_p95: int | None


@dataclass(frozen=True)
class Availability:
    measured: bool                      # any run in the last 30 days
    windows: dict[str, Window]
    last_run: ProbeRun | None
    days: list[Day]                     # the last CHART_DAYS days that had runs
    failures: list[RunRow]              # failed runs of the last 30 days, oldest first

    def as_json(self, model_id: str) -> dict[str, object]:
        return {"model": model_id, "measured": self.measured,
                "windows": {k: w.as_json() for k, w in self.windows.items()},
                "last_run": run_json(self.last_run) if self.last_run else None}


def run_json(run: ProbeRun) -> dict[str, object]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else format(value, "f")
    return {"started_at": run.started_at.astimezone(dt.UTC).isoformat().replace(
                "+00:00", "Z"),
            "kind": run.kind, "endpoint": run.endpoint, "outcome": run.outcome,
            "http_status": run.http_status, "latency_ms": run.latency_ms,
            "ttft_ms": run.ttft_ms, "input_tokens": run.input_tokens,
            "output_tokens": run.output_tokens, "output_tokens_per_second": text(run.output_tps),
            "cost_usd": text(run.cost_usd), "error": run.error}


def recent_runs(session: Session, model_id: int, since: dt.datetime,
                until: dt.datetime | None = None) -> list[RunRow]:
    """A model's runs in [since, until), oldest first (any window: verdicts compare weeks)."""
    later = () if until is None else (ProbeRun.started_at < until,)
    return [RunRow(*row) for row in session.execute(select(
        ProbeRun.id, ProbeRun.cycle, ProbeRun.started_at, ProbeRun.outcome,
        ProbeRun.http_status, ProbeRun.latency_ms, ProbeRun.ttft_ms, ProbeRun.output_tps,
        ProbeRun.cost_usd).where(
        ProbeRun.model_id == model_id, ProbeRun.started_at >= since, *later).order_by(
        ProbeRun.started_at, ProbeRun.id))]


# Cold page renders within one minute share a model's figures until a new run lands
# (windows slide by at most that minute): the "availability" entries of ratecard.cache.


def availability(session: Session, model_id: int, now: dt.datetime) -> Availability:
    """Every window, the last run and the daily chart series of one model: two indexed
    lookups when this minute's figures are cached (any new run of the model is a miss)."""
    last = session.scalars(select(ProbeRun).where(
        ProbeRun.model_id == model_id, ProbeRun.started_at <= now).order_by(
        ProbeRun.started_at.desc(), ProbeRun.id.desc()).limit(1)).first()
    if last is None:
        return compute(session, model_id, now, None)
    newest = session.scalar(select(func.max(ProbeRun.id)).where(ProbeRun.model_id == model_id))
    version = (newest, last.started_at, now.replace(second=0, microsecond=0))
    return derived(session, "availability", version,
                   lambda: compute(session, model_id, now, last), key=model_id)


def compute(session: Session, model_id: int, now: dt.datetime,
            last: ProbeRun | None) -> Availability:
    """The figures themselves (no cache): one query for the last 30 days."""
    runs = recent_runs(session, model_id, now - WINDOWS["30d"])
    runs = [r for r in runs if r.started_at <= now]
    windows = {name: window_stats([r for r in runs if r.started_at >= now - span])
               for name, span in WINDOWS.items()}
    by_day: dict[dt.date, list[RunRow]] = {}
    for run in runs:
        by_day.setdefault(run.started_at.astimezone(dt.UTC).date(), []).append(run)
    days = []
    for day, items in sorted(by_day.items()):
        latency = [r.latency_ms for r in items if r.outcome == "ok"]
        days.append(Day(day, len(items), len(latency), nearest_rank(latency, 50),
                        nearest_rank(latency, 95)))
    return Availability(measured=bool(runs), windows=windows, last_run=last, days=days,
                        failures=[r for r in runs if r.outcome != "ok"])


def spent_since(session: Session, since: dt.datetime) -> Decimal:
    """What every probe since `since` cost, by our prices (exact)."""
    costs = session.scalars(select(ProbeRun.cost_usd).where(
        ProbeRun.started_at >= since, ProbeRun.cost_usd.is_not(None)))
    return sum((c for c in costs if c is not None), Decimal(0))


def reserved_at(session: Session, ledger: str, now: dt.datetime) -> Decimal:
    """The worst cases of the calls in flight now, held against `ledger`'s cap."""
    return sum(session.scalars(select(SpendReservation.amount).where(
        SpendReservation.ledger == ledger, SpendReservation.expires_at > now)), Decimal(0))


def day_start(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def last_runs(session: Session, model_ids: Sequence[int]) -> dict[int, ProbeRun]:
    """Each model's newest run."""
    out: dict[int, ProbeRun] = {}
    for model_id in model_ids:
        run = session.scalars(select(ProbeRun).where(ProbeRun.model_id == model_id).order_by(
            ProbeRun.started_at.desc(), ProbeRun.id.desc()).limit(1)).first()
        if run is not None:
            out[model_id] = run
    return out
