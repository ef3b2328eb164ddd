"""Rebuilding one source's history from its stored payloads (docs/rebuilding.md).

Every successful run kept its raw payload. A rebuild replays them, in run order, through
today's parser and the sync's own writer (services/sync.py _apply: per-change guards,
quarantine, vanishing, derived rows), in ONE transaction that first removes the source's
history (prices, capabilities, aliases, change events, held changes, facts). Nothing is
visible to readers until the commit, so a failure or a killed process leaves the old
history whole; a dry run does the same work, compares, and rolls back.

Decisions a person made on held changes (approved, rejected) are made again on the same
change (model, meter, unit, conditions, new amount) at the same point of the replay: before
the first run that started after the decision.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ratecard.db import Database
from ratecard.models import (
    Capability,
    ChangeEvent,
    Model,
    ModelAlias,
    ModelFact,
    Price,
    QuarantinedChange,
    SyncRun,
)
from ratecard.queries.history_diff import Change, compare, snapshot
from ratecard.services import catalog_rows, derived, history_models, quarantine
from ratecard.services.corrections import References
from ratecard.services.guards import GrowthLimits, RunRejected
from ratecard.services.locks import LockBusy, source_lock
from ratecard.services.sync import Overrides, RunSummary, _apply, payload_of
from scrapers.base import ParseError, Source
from scrapers.offline import OFFLINE_SCHEME

Say = Callable[[str], None]
PARKED = "rebuild_parked"        # other sources' pending held changes, during the replay
DECIDED = ("approved", "rejected")


class RebuildError(Exception):
    """A rebuild that could not run or finish; the old history is untouched."""


class RebuildBusy(RebuildError):
    """A sync (or another rebuild) of the source holds its lock."""


@dataclass
class Decision:
    model: str
    meter: str
    unit: str
    conditions_key: str
    new_amount: Decimal
    status: str
    decided_at: dt.datetime


@dataclass
class RebuildResult:
    source: str
    runs: int
    dry_run: bool
    written: bool
    before: str
    after: str
    changes: list[Change] = field(default_factory=list)
    decisions: int = 0
    lost_decisions: int = 0
    dropped_models: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if self.dry_run:
            outcome = "dry run, nothing written"
        elif self.written:
            outcome = "swapped in"
        else:
            outcome = "no difference, nothing written"
        lost = (f", {self.lost_decisions} no longer held (decision dropped)"
                if self.lost_decisions else "")
        return (f"{self.source}: {outcome}: {self.runs} runs replayed in {self.seconds:.1f} s; "
                f"{len(self.changes)} differences; {self.after} (was {self.before}); "
                f"{self.decisions} quarantine decisions re-applied{lost}; "
                f"{self.dropped_models} models left with nothing removed")


def rebuild(db: Database, source: Source, *, dry_run: bool = False,
            say: Say | None = None) -> RebuildResult:
    """Rebuild `source`'s history under its sync lock (refused while a sync of it runs)."""
    try:
        with source_lock(db, source.name, purpose="rebuild"):
            return _locked(db, source, dry_run, say or (lambda line: None))
    except LockBusy as exc:
        raise RebuildBusy(f"{exc}; rebuild it once that run has finished") from None


def runs_of(session: Session, source: str) -> list[SyncRun]:
    """The runs whose data is in the history: successful, payload kept, in run order."""
    return list(session.scalars(select(SyncRun).where(
        SyncRun.source == source, SyncRun.status == "success",
        SyncRun.payload_sha256.is_not(None)).order_by(SyncRun.as_of, SyncRun.id)))


def _locked(db: Database, source: Source, dry_run: bool, say: Say) -> RebuildResult:
    started = time.perf_counter()
    name = source.name
    session = db.sessionmaker()
    try:
        runs = [(r.id, r.as_of, r.started_at) for r in runs_of(session, name)]
        if not runs:
            raise RebuildError(f"{name}: no stored payloads to rebuild from (no successful "
                               "run of this source kept its payload)")
        before = snapshot(session, name)
        decisions = _decisions(session, name)
        touched = _models_of(session, name)
        aside = history_models.set_aside(session, name)
        redirects = _redirects(session, name)
        _clear(session, name)
        session.execute(update(QuarantinedChange).where(
            QuarantinedChange.source != name, QuarantinedChange.status == "pending").values(
            status=PARKED))
        # The runs were accepted when they ran (by the whole-run guards, or by a person who
        # lifted them): today's per-change guards decide each value again.
        lifted = Overrides(True, True, GrowthLimits.from_env())
        applied = 0
        for index, (run_id, as_of, run_started) in enumerate(runs, 1):
            applied += _decide(session, name, decisions, before=run_started)
            say(f"{name}: replaying run {index}/{len(runs)} (#{run_id}, {as_of:%Y-%m-%d})")
            _replay(session, source, run_id, as_of, lifted)
        applied += _decide(session, name, decisions, before=None)
        # A model renamed since this source created it (another source's spelling won)
        # is created again under the old spelling: its redirects name it.
        former = {str(r["key"]): int(str(r["model_id"])) for r in redirects
                  if r["model_id"] in aside}
        restored = history_models.restore(session, name, aside, former)
        session.execute(update(QuarantinedChange).where(
            QuarantinedChange.status == PARKED).values(status="pending"))
        # What the other sources' runs decided on this source's held values (a fix that
        # published once another source agreed) is decided again, now that every
        # source's rows are back on their models.
        published = quarantine.redecide(session, References(session), name, own=True)
        last = runs[-1][1]
        derived.refresh(session, touched | restored | published, last)
        dropped = history_models.drop_orphans(session, touched | restored)
        catalog_rows.refresh(session)      # models moved, renamed and dropped: every row
        _keep_redirects(session, redirects)
        session.flush()
        after = snapshot(session, name)
        changes = compare(before, after)
        written = bool(changes) and not dry_run
        if written:
            session.commit()
        else:
            session.rollback()
        return RebuildResult(
            name, len(runs), dry_run, written, before.counts(), after.counts(), changes,
            applied, len(decisions), dropped, time.perf_counter() - started)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _first_load(session: Session, run: SyncRun) -> bool:
    """An offline-catalog run that came before the database's "catalog loaded" entry."""
    if not run.url or not run.url.startswith(OFFLINE_SCHEME):
        return False
    loaded = session.scalar(select(func.min(ChangeEvent.occurred_at)).where(
        ChangeEvent.kind == "catalog_loaded"))
    return loaded is not None and run.started_at <= loaded


def _replay(session: Session, source: Source, run_id: int, as_of: dt.datetime,
            lifted: Overrides) -> None:
    run = session.get_one(SyncRun, run_id)
    payload = payload_of(session, run)
    if _first_load(session, run):   # the database's first load announced no model one by one
        lifted = dataclasses.replace(lifted, first_load=True)
    if payload is None:
        raise RebuildError(f"{source.name}: the payload of run #{run_id} is missing")
    try:
        parsed = source.parse(payload)
    except ParseError as exc:
        raise RebuildError(f"{source.name}: today's parser cannot read the payload of run "
                           f"#{run_id} ({as_of:%Y-%m-%d}): {exc}") from None
    summary = RunSummary(run_id, source.name, "running")
    try:
        _apply(session, run_id, source.name, as_of, parsed, summary, None, lifted)
    except RunRejected as exc:
        raise RebuildError(f"{source.name}: run #{run_id} ({as_of:%Y-%m-%d}) is now "
                           f"rejected: {exc.reason}") from None
    # Everything is flushed; dropping the ORM objects keeps memory flat across the series.
    session.flush()
    session.expunge_all()


def _decisions(session: Session, source: str) -> list[Decision]:
    return [Decision(model, q.meter, q.unit, q.conditions_key, q.new_amount, q.status,
                     q.decided_at or q.seen_at)
            for q, model in session.execute(select(QuarantinedChange, Model.canonical_id).join(
                Model, Model.id == QuarantinedChange.model_id).where(
                QuarantinedChange.source == source, QuarantinedChange.status.in_(DECIDED)
            ).order_by(QuarantinedChange.decided_at, QuarantinedChange.id))]


def _decide(session: Session, source: str, decisions: list[Decision],
            before: dt.datetime | None) -> int:
    """Make again the decisions taken before `before` (None: all that are left), each on
    the held change it was about, if the replay held it too. Decided ones leave the list."""
    made = 0
    for decision in [d for d in decisions if before is None or d.decided_at < before]:
        decisions.remove(decision)
        held = session.scalar(select(QuarantinedChange.id).join(
            Model, Model.id == QuarantinedChange.model_id).where(
            QuarantinedChange.source == source, QuarantinedChange.status == "pending",
            Model.canonical_id == decision.model, QuarantinedChange.meter == decision.meter,
            QuarantinedChange.unit == decision.unit,
            QuarantinedChange.conditions_key == decision.conditions_key,
            QuarantinedChange.new_amount == decision.new_amount).order_by(
            QuarantinedChange.id.desc()).limit(1))
        if held is None:
            decisions.append(decision)      # counted as lost unless a later run holds it
            continue
        act = quarantine.approve if decision.status == "approved" else quarantine.reject
        for change in act(session, [held]):
            change.decided_at = decision.decided_at
        made += 1
    return made


def _models_of(session: Session, source: str) -> set[int]:
    found: set[int] = set()
    for table in (Price, Capability, ModelAlias, ModelFact):
        found.update(session.scalars(select(table.model_id).where(
            table.source == source).distinct()))
    return found


def _redirects(session: Session, source: str) -> list[dict[str, object]]:
    """Old canonical ids kept as aliases by a merge or a rename (services/id_merge.py):
    vanished the moment they were written (last_seen == vanished_at). No payload made
    them, so no replay makes them again; their pages must still redirect."""
    return [{"model_id": a.model_id, "source": a.source, "key": a.key,
             "first_seen": a.first_seen, "last_seen": a.last_seen,
             "vanished_at": a.vanished_at}
            for a in session.scalars(select(ModelAlias).where(
                ModelAlias.source == source, ModelAlias.vanished_at.is_not(None),
                ModelAlias.vanished_at == ModelAlias.last_seen))]


def _keep_redirects(session: Session, redirects: list[dict[str, object]]) -> None:
    """The redirects back, unless the replay wrote the key again or the model is gone."""
    if not redirects:
        return
    taken = set(session.scalars(select(ModelAlias.key).where(
        ModelAlias.key.in_([r["key"] for r in redirects]))))
    alive = set(session.scalars(select(Model.id).where(
        Model.id.in_([r["model_id"] for r in redirects]))))
    for row in redirects:
        if row["key"] not in taken and row["model_id"] in alive:
            session.add(ModelAlias(**row))


def _clear(session: Session, source: str) -> None:
    for table in (Price, Capability, ChangeEvent, QuarantinedChange, ModelFact, ModelAlias):
        session.execute(delete(table).where(table.source == source))
