"""Probe cycles: measure a model now, or every model that is due (the scheduler's job).

A cycle is 3 sequential calls of the fixed prompt (image models: one image). Before each
call the daily spend cap (all probes, UTC day) is checked against the most that call can
cost, and that worst case is reserved in the database until the call is recorded, so every
probing process (the scheduler, `ratecard probe`) counts the others' calls in flight; once
the cap would be passed, probing stops for the day and says so. One cycle per
provider at a time, across processes: the same database lock as syncs (services.locks).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ratecard.db import Database, utcnow
from ratecard.models import Model
from ratecard.models.probes import ProbeRun, ProbeSummary, SpendReservation
from ratecard.probes.clients import call
from ratecard.probes.cost import ProbeRates, call_cost, worst_case
from ratecard.probes.endpoints import Endpoint, NotMeasurable, ProbeSettings, endpoint_for
from ratecard.queries import availability as qa
from ratecard.queries.probe_targets import editorial_models, models_by_ids, probe_rates
from ratecard.services import catalog_rows
from ratecard.services.locks import LockBusy, serialise, source_lock

log = logging.getLogger("ratecard.probes")
LEDGER = "probes"
# How long a call's reservation outlives a caller killed mid-call: longer than any call.
RESERVATION_TTL = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Target:
    """A model to measure: its endpoint, or why it is not measured."""

    model_id: int
    canonical_id: str
    endpoint: Endpoint | None
    reason: str | None = None


def targets(db: Database, settings: ProbeSettings,
            env: Mapping[str, str] | None = None) -> tuple[list[Target], list[str]]:
    """(the models chosen for probing, with endpoints or reasons; ids that are unknown)."""
    env = os.environ if env is None else env
    with db.session() as session:
        if settings.models:
            models, unknown = models_by_ids(session, settings.models)
        else:
            models, unknown = editorial_models(session), []
        out = []
        for model in models:
            try:
                endpoint = endpoint_for(model.canonical_id, model.mode, env)
            except NotMeasurable as exc:
                out.append(Target(model.id, model.canonical_id, None, str(exc)))
                continue
            if not probe_rates(session, model.id).priced(endpoint.kind):
                out.append(Target(model.id, model.canonical_id, None,
                                  f"{model.canonical_id}: no published price to cost its "
                                  f"calls against the spend cap"))
                continue
            out.append(Target(model.id, model.canonical_id, endpoint))
    return out, unknown


@dataclass
class CycleReport:
    target: Target
    runs: list[ProbeRun] = field(default_factory=list)
    stopped: str | None = None            # why the cycle stopped early (the spend cap)

    @property
    def cost(self) -> Decimal:
        return sum((r.cost_usd for r in self.runs if r.cost_usd is not None), Decimal(0))


def run_cycle(db: Database, target: Target, settings: ProbeSettings, *,
              trigger: str = "manual", env: Mapping[str, str] | None = None,
              on_call: Callable[[ProbeRun], None] | None = None,
              clock: Callable[[], dt.datetime] = utcnow) -> CycleReport:
    """One cycle now, under the provider's lock (LockBusy when another runs)."""
    endpoint = target.endpoint
    if endpoint is None:
        raise NotMeasurable(target.reason or f"{target.canonical_id} is not measured")
    key = endpoint.key(os.environ if env is None else env)
    if key is None:
        raise NotMeasurable(f"{target.canonical_id}: {endpoint.provider.key_env} is not set")
    report = CycleReport(target)
    cycle = uuid.uuid4().hex
    calls = settings.calls_per_cycle if endpoint.kind == "chat" else 1
    with source_lock(db, f"probe:{endpoint.provider.name}", purpose="probe"):
        for _ in range(calls):
            with db.session() as session:
                rates = probe_rates(session, target.model_id)
            bound = worst_case(rates, endpoint.kind, settings.max_tokens)
            if bound is None:
                report.stopped = f"{target.canonical_id}: no price to bound the call's cost"
                break
            held, spent = _reserve(db, bound, settings.daily_usd, clock())
            if held is None:
                report.stopped = (f"daily spend cap reached: ${spent} of "
                                  f"${settings.daily_usd} spent today (UTC); probing "
                                  f"resumes tomorrow")
                log.warning("probes paused: %s", report.stopped)
                break
            try:
                run = _one_call(db, target, endpoint, key, settings, rates, cycle, trigger,
                                clock, held)
            finally:
                _release(db, held)      # already gone when the run was recorded
            report.runs.append(run)
            if on_call is not None:
                on_call(run)
        with db.session() as session:
            refresh_summary(session, target.model_id, clock())
    return report


def _reserve(db: Database, bound: Decimal, cap: Decimal,
             now: dt.datetime) -> tuple[int | None, Decimal]:
    """Hold `bound` against today's cap: (the reservation's id, or None when the cap would
    be passed; what is spent and held today). One process at a time checks and holds."""
    with db.session() as session:
        serialise(session, "spend:" + LEDGER)
        spent = (qa.spent_since(session, qa.day_start(now))
                 + qa.reserved_at(session, LEDGER, now))
        if spent + bound > cap:
            return None, spent
        held = SpendReservation(ledger=LEDGER, amount=bound, created_at=now,
                                expires_at=now + RESERVATION_TTL)
        session.add(held)
        session.flush()
        return held.id, spent


def _release(db: Database, held: int) -> None:
    with db.session() as session:
        session.execute(delete(SpendReservation).where(SpendReservation.id == held))


def _one_call(db: Database, target: Target, endpoint: Endpoint, key: str,
              settings: ProbeSettings, rates: ProbeRates, cycle: str, trigger: str,
              clock: Callable[[], dt.datetime], held: int) -> ProbeRun:
    started = clock()
    result = call(endpoint, key, settings)
    run = ProbeRun(
        model_id=target.model_id, cycle=cycle, trigger=trigger, started_at=started,
        endpoint=endpoint.public_url, api=endpoint.shape, kind=endpoint.kind,
        outcome=result.outcome, http_status=result.http_status,
        latency_ms=result.latency_ms, ttft_ms=result.ttft_ms,
        input_tokens=result.input_tokens, output_tokens=result.output_tokens,
        output_tps=result.output_tps, cost_usd=call_cost(result, rates, endpoint.kind),
        error=result.error)
    with db.session() as session:       # the run's cost replaces its reservation
        session.add(run)
        session.execute(delete(SpendReservation).where(SpendReservation.id == held))
    return run


def refresh_summary(session: Session, model_id: int, now: dt.datetime) -> None:
    """The catalog's row for a model: its last 7 days."""
    _summarise(session, model_id, now)
    catalog_rows.refresh(session, {model_id})     # its availability and p50 columns


def _summarise(session: Session, model_id: int, now: dt.datetime) -> None:
    window = qa.window_stats(qa.recent_runs(session, model_id, now - qa.WINDOWS["7d"]))
    row = session.get(ProbeSummary, model_id)
    if row is None:
        row = ProbeSummary(model_id=model_id)
        session.add(row)
    row.computed_at, row.runs, row.ok = now, window.runs, window.ok
    row.latency_p50_ms = window.latency_p50


def due(db: Database, target: Target, settings: ProbeSettings, now: dt.datetime) -> bool:
    """Whether a model's last cycle is older than the interval (a tenth early is fine: the
    start is jittered)."""
    with db.session() as session:
        last = qa.last_runs(session, [target.model_id]).get(target.model_id)
    interval = dt.timedelta(hours=settings.interval_hours)
    return last is None or last.started_at <= now - interval * 0.9


def run_due(db: Database, settings: ProbeSettings,
            env: Mapping[str, str] | None = None) -> list[CycleReport]:
    """The scheduler's job: every due model, one thread per provider, models of a provider
    one after another. Stops for the day at the spend cap."""
    chosen, unknown = targets(db, settings, env)
    for unknown_id in unknown:
        log.warning("RATECARD_PROBE_MODELS: no model %s", unknown_id)
    by_provider: dict[str, list[Target]] = {}
    for target in chosen:
        if target.endpoint is None:
            log.info("not measured: %s", target.reason)
        elif due(db, target, settings, utcnow()):
            by_provider.setdefault(target.endpoint.provider.name, []).append(target)
    reports: list[CycleReport] = []
    capped = threading.Event()

    def work(items: list[Target]) -> None:
        for target in items:
            if capped.is_set():
                return
            try:
                report = run_cycle(db, target, settings, trigger="schedule", env=env)
            except LockBusy as exc:
                log.info("skipped: %s", exc)
                return
            except Exception:              # one provider's bug must not stop the others
                log.exception("probe cycle of %s failed", target.canonical_id)
                continue
            reports.append(report)
            log.info("%s: %s", target.canonical_id, cycle_line(report))
            if report.stopped:
                capped.set()

    threads = [threading.Thread(target=work, args=(items,), name=f"probe:{name}")
               for name, items in by_provider.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.session() as session:            # windows slide: keep every summary current
        now = utcnow()
        summarised = set(session.scalars(select(ProbeSummary.model_id)))
        for model_id in summarised:
            _summarise(session, model_id, now)
        catalog_rows.refresh(session, summarised)     # once: one lock, one pass
    return reports


def cycle_line(report: CycleReport) -> str:
    counts: dict[str, int] = {}
    for run in report.runs:
        counts[run.outcome] = counts.get(run.outcome, 0) + 1
    parts = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no calls"
    line = f"{len(report.runs)} call(s): {parts}; cost ${report.cost}"
    return line + (f"; stopped: {report.stopped}" if report.stopped else "")


def model_names(db: Database, ids: list[int]) -> dict[int, str]:
    with db.session() as session:
        return dict(session.execute(select(Model.id, Model.canonical_id).where(
            Model.id.in_(ids))).tuples().all())
