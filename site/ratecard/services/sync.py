"""The sync service: the one writer of prices, capabilities and change events.

One run = one source, one transaction. Fetch, parse, apply the whole-run guards,
then diff against what is current and write only what changed. Every run is
recorded (with its raw payload) whatever its outcome. A successful run's changes and
its "success" are committed together, so a run a dead process left "running" wrote
nothing; the next run of that source, once it holds the lock, marks it "abandoned".
"""
from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ratecard.db import Database, utcnow
from ratecard.models import Capability, Price, SyncPayload, SyncRun
from ratecard.services import derived, facts, id_merge, names
from ratecard.services.apply import FLUSH_ROWS, Writer, midnight
from ratecard.services.catalog_state import load_state
from ratecard.services.guards import GrowthLimits, RunRejected, check_run
from ratecard.services.locks import source_lock
from scrapers.base import ParseError, ParseResult, Source
from scrapers.http import FetchError

Progress = Callable[[str, int, int], None]
MAX_DETAILS = 200


class SyncRefused(Exception):
    """A run that must not start (bad --as-of order, lock busy): nothing recorded."""


@dataclass
class RunSummary:
    run_id: int
    source: str
    status: str
    seen: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    quarantined: int = 0
    vanished: int = 0
    price_rows: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("success", "not_modified")

    def line(self) -> str:
        if self.status == "not_modified":
            return f"{self.source}: not modified (run {self.run_id})"
        if not self.ok:
            return f"{self.source}: {self.status.upper()} (run {self.run_id}): {self.error}"
        return (f"{self.source}: ok (run {self.run_id}): {self.seen} seen, {self.added} added, "
                f"{self.changed} changed, {self.unchanged} unchanged, {self.rejected} rejected, "
                f"{self.quarantined} quarantined, {self.vanished} vanished, "
                f"{self.price_rows} price rows written")


def run_sync(db: Database, source: Source, *, url: str | None = None,
             payload: bytes | None = None, as_of: dt.date | None = None,
             origin: str | None = None, progress: Progress | None = None,
             allow_vanish: bool = False, allow_growth: bool = False,
             first_load: bool = False) -> RunSummary:
    """Sync one source. `payload` skips the fetch (offline catalog, tests).

    allow_vanish / allow_growth lift the mass-vanish / mass-addition guard for one run,
    after an operator has checked that the models really left / joined the source.
    first_load: the run is part of the first load of an empty database, which the caller
    records as one catalog_loaded event: no "model added" per model."""
    guards = Overrides(allow_vanish, allow_growth, GrowthLimits.from_env(), first_load)
    with source_lock(db, source.name):
        return _run_locked(db, source, url, payload, as_of, origin, progress, guards)


@dataclass(frozen=True)
class Overrides:
    allow_vanish: bool
    allow_growth: bool
    growth: GrowthLimits
    first_load: bool = False


def _run_locked(db: Database, source: Source, url: str | None, payload: bytes | None,
                as_of: dt.date | None, origin: str | None,
                progress: Progress | None, guards: Overrides) -> RunSummary:
    stamp = midnight(as_of) if as_of else utcnow()
    with db.session() as session:
        _check_order(session, source.name, stamp, replay=as_of is not None)
        _abandon_orphans(session, source.name)
        previous = _last_fetch(session, source.name, url) if payload is None else None
        run = SyncRun(source=source.name, status="running", started_at=utcnow(), as_of=stamp,
                      url=url, origin=origin)
        session.add(run)
    summary = RunSummary(run.id, source.name, "running")
    sha: str | None = None
    try:
        if payload is None:
            fetched = source.fetch(url or source.default_url,
                                   etag=previous.etag if previous else None,
                                   last_modified=previous.last_modified if previous else None)
            if fetched.not_modified:
                return _finish(db, run.id, summary, "not_modified", etag=fetched.etag,
                               last_modified=fetched.last_modified)
            payload = fetched.body or b""
            etag, last_modified = fetched.etag, fetched.last_modified
        else:
            etag = last_modified = None
        sha = _store_payload(db, payload)
        try:
            parsed = source.parse(payload)
        except ParseError as exc:
            raise RunRejected("failed", f"payload could not be parsed: {exc}") from None
        summary.rejected = len(parsed.skipped)
        with db.session() as session:
            _apply(session, run.id, source.name, stamp, parsed, summary, progress, guards)
            return _record(session, run.id, summary, "success", sha=sha, etag=etag,
                           last_modified=last_modified, skipped=parsed)
    except RunRejected as exc:
        return _finish(db, run.id, summary, exc.status, error=exc.reason, sha=sha)
    except FetchError as exc:
        return _finish(db, run.id, summary, "failed", error=f"fetch failed: {exc}")
    except Exception as exc:  # recorded, then re-raised: a bug must stay loud
        _finish(db, run.id, summary, "failed", error=f"{type(exc).__name__}: {exc}")
        raise


def _apply(session: Session, run_id: int, source: str, stamp: dt.datetime,
           parsed: ParseResult, summary: RunSummary, progress: Progress | None,
           guards: Overrides) -> None:
    id_merge.resolve(session, source, parsed.models, stamp)   # one model, one id
    state = load_state(session, source)
    records = parsed.models
    check_run({r.canonical_id for r in records}, state.live_model_ids(),
              allow_vanish=guards.allow_vanish, allow_growth=guards.allow_growth,
              growth=guards.growth)
    writer = Writer(session, source, run_id, stamp, state)
    # Pass 1: providers, models and aliases (ids are needed before prices). Flushed in
    # slices: one unit of work over tens of thousands of new objects costs hundreds of MB.
    models = []
    for record in records:
        model, is_new = writer.model_for(record, parsed.provider_names)
        models.append((record, model, is_new))
        if len(models) % FLUSH_ROWS == 0:
            session.flush()
    session.flush()
    seen_ids: set[int] = set()
    returned_ids: set[int] = set()
    fresh: set[int] = set()        # models this source had never published
    for record, model, is_new in models:
        keys = [record.key, *record.aliases]
        if not any(key in writer.state.aliases for key in keys):
            fresh.add(model.id)
        returned = False
        for key in keys:
            returned |= writer.alias(model, key)
        if is_new and not guards.first_load:
            writer.event(model.id, "model_added", stamp, model.canonical_id)
        elif returned and model.id not in seen_ids:
            writer.event(model.id, "model_returned", stamp, model.canonical_id)
            returned_ids.add(model.id)
        seen_ids.add(model.id)
        if len(seen_ids) % FLUSH_ROWS == 0:
            session.flush()
        writer.flush_if_full()
    for model, day in writer.pending_deprecations:
        if guards.first_load:
            break       # a date the first load found is a fact of the catalog, not news
        writer.event(model.id, "model_deprecated", stamp, model.canonical_id,
                     new=day.isoformat())
    session.flush()
    # Pass 2: prices and capabilities, diffed against what is current.
    total = len(models)
    changed: set[int] = set()
    for index, (record, model, _is_new) in enumerate(models, 1):
        # A new or returning model is one event, not one per price.
        announce = model.id not in fresh and model.id not in returned_ids
        wrote = writer.prices(model, record.prices, announce)
        wrote |= writer.capabilities(model, record.capabilities, announce)
        if wrote and model.id not in fresh:
            changed.add(model.id)
        writer.flush_if_full()
        if progress and (index % 250 == 0 or index == total):
            progress(source, index, total)
    vanished = _vanish(session, writer, seen_ids, stamp)
    writer.flush()
    session.flush()
    writer.touch_aliases()
    touched = writer.counts.touched | derived.written_by(session, run_id, source, stamp)
    # Writer._describe set descriptive columns by precedence: settle them by consensus
    # (derived.refresh settles the touched models).
    described = facts.record(session, source, ((r, m) for r, m, _ in models), stamp, touched)
    names.settle(session, described)       # the sources' names, in the documented order
    derived.refresh(session, touched, stamp)
    summary.seen = len(seen_ids)
    summary.added = len(fresh)
    summary.changed = len(changed - fresh)
    summary.unchanged = summary.seen - summary.added - summary.changed
    summary.quarantined = writer.counts.quarantined
    summary.vanished = vanished
    summary.price_rows = writer.counts.price_rows


def _vanish(session: Session, writer: Writer, seen_ids: set[int], stamp: dt.datetime) -> int:
    """Models this source no longer publishes: close their current rows, say so once."""
    gone: set[int] = set()
    for alias in writer.state.aliases.values():
        if alias.vanished_at is None and alias.model_id not in seen_ids:
            alias.vanished_at = stamp
            gone.add(alias.model_id)
    # Current rows of a model this source did not list, though no alias of it vanished now:
    # its key moved to another model (a parser's id rule changed). They close the same way.
    # Said once: not again for rows left current when an alias vanished before this run.
    left = (set(writer.state.prices) | set(writer.state.capabilities)) - seen_ids - gone
    said = {a.model_id for a in writer.state.aliases.values()
            if a.vanished_at is not None and a.vanished_at != stamp}
    for model_id in sorted(gone | left):
        if model_id in gone or model_id not in said:
            writer.event(model_id, "model_vanished", stamp)
        writer.counts.touched.add(model_id)
    ids = sorted(gone | left)
    for start in range(0, len(ids), FLUSH_ROWS):
        for table in (Price, Capability):
            session.execute(update(table).where(
                table.source == writer.source, table.model_id.in_(ids[start:start + FLUSH_ROWS]),
                table.valid_to.is_(None)).values(valid_to=stamp))
    return len(gone)


ABANDONED = ("the process running this sync stopped before it finished (killed or "
             "crashed); none of its changes were written")


def _abandon_orphans(session: Session, source: str) -> None:
    """Runs still "running" while we hold the source's lock belong to a dead process."""
    session.execute(update(SyncRun).where(
        SyncRun.source == source, SyncRun.status == "running").values(
        status="abandoned", finished_at=utcnow(), error=ABANDONED))


def _check_order(session: Session, source: str, stamp: dt.datetime, replay: bool) -> None:
    latest = session.scalar(select(SyncRun.as_of).where(
        SyncRun.source == source, SyncRun.status == "success").order_by(
        SyncRun.as_of.desc()).limit(1))
    if latest is not None and stamp < latest:
        what = f"--as-of {stamp.date()}" if replay else "now"
        raise SyncRefused(
            f"{source}: {what} is before the last successful run of this source "
            f"({latest.date()}); replays must go forward in time")


def _last_fetch(session: Session, source: str, url: str | None) -> SyncRun | None:
    """The last successful live run from the same URL: its validators allow a 304."""
    return session.scalar(select(SyncRun).where(
        SyncRun.source == source, SyncRun.url == url,
        SyncRun.status.in_(("success", "not_modified"))).order_by(
        SyncRun.started_at.desc()).limit(1))


def _store_payload(db: Database, payload: bytes) -> str:
    sha = hashlib.sha256(payload).hexdigest()
    with db.session() as session:
        if session.get(SyncPayload, sha) is None:
            session.add(SyncPayload(sha256=sha, size=len(payload),
                                    compressed=zlib.compress(payload, 6)))
    return sha


class _Outcome(TypedDict, total=False):
    """_record's keyword arguments, as _finish passes them on."""

    error: str | None
    sha: str | None
    etag: str | None
    last_modified: str | None
    skipped: ParseResult | None


def _finish(db: Database, run_id: int, summary: RunSummary, status: str,
            **outcome: Unpack[_Outcome]) -> RunSummary:
    with db.session() as session:
        return _record(session, run_id, summary, status, **outcome)


def _record(session: Session, run_id: int, summary: RunSummary, status: str, *,
            error: str | None = None, sha: str | None = None, etag: str | None = None,
            last_modified: str | None = None, skipped: ParseResult | None = None) -> RunSummary:
    summary.status, summary.error = status, error
    details = None
    if skipped is not None and skipped.skipped:
        details = [{"key": s.key, "reason": s.reason} for s in skipped.skipped[:MAX_DETAILS]]
    run = session.get_one(SyncRun, run_id)
    run.status, run.error, run.finished_at = status, error, utcnow()
    run.payload_sha256 = sha or run.payload_sha256
    run.etag, run.last_modified, run.details = etag, last_modified, details
    for name in ("seen", "added", "changed", "unchanged", "rejected", "quarantined",
                 "vanished", "price_rows"):
        setattr(run, name, getattr(summary, name))
    return summary


def payload_of(session: Session, run: SyncRun) -> bytes | None:
    """The raw payload a run saw, for re-deriving history when a parser changes."""
    if run.payload_sha256 is None:
        return None
    stored = session.get(SyncPayload, run.payload_sha256)
    return zlib.decompress(stored.compressed) if stored else None
