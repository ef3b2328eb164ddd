"""How fresh each source's data is, said as it is: a shipped offline copy, a live sync, a
source this machine cannot reach, or a real failure.

An install with no network runs on the offline catalog (scrapers.offline): its runs are
recorded with an offline:<source>@<version> address. A live run that could not reach its
source is not the same news as a payload that broke a parser, and neither makes the copy
already loaded wrong; so a page says "offline copy; source unreachable" where the bare run
statuses would say "failed" four times.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ratecard.labels import date
from ratecard.models import SyncRun
from ratecard.queries.changes import OK_STATUSES, freshness
from scrapers.offline import offline_version

# Sources whose offline copy is named by its package version rather than a date
# (genai-prices is loaded from the installed package, dated the day it is loaded).
VERSIONED = ("genai_prices",)


def offline(run: SyncRun | None) -> bool:
    return run is not None and offline_version(run.url) is not None


def unreachable(run: SyncRun | None) -> bool:
    """A live run that failed before any answer came (connection, DNS, timeout): the
    source could not be reached from this machine. An HTTP error status is an answer."""
    if run is None or run.status != "failed" or not run.error:
        return False
    return run.error.startswith("fetch failed:") and " HTTP " not in run.error


def state(last_ok: SyncRun | None, newest: SyncRun | None) -> str:
    """One word for a source's latest run: ok, unchanged, offline copy, unreachable,
    running, never, or the failing run's status (failed, held, abandoned)."""
    if newest is None:
        return "never"
    if newest.status in OK_STATUSES:
        if offline(newest):
            return "offline copy"
        return "unchanged" if newest.status == "not_modified" else "ok"
    if newest.status == "running":
        return "running"
    if unreachable(newest):
        return "unreachable"
    return newest.status


def profile_cells(last_ok: SyncRun | None, newest: SyncRun | None) -> tuple[str, str]:
    """What a profile's "Sources and freshness" table says of a source: (last success, last
    run), to the day. Only a new day or a run's outcome changes them, not every sync: the page
    store (queries/page_store.py) re-renders a source's profiles only when these change."""
    if last_ok is not None and offline(last_ok):
        success = f"offline catalog, data as of {date(last_ok.as_of)}"
    elif last_ok is not None and last_ok.finished_at:
        success = date(last_ok.finished_at)
    else:
        success = "never"
    if newest is None:
        return success, "—"
    now = state(last_ok, newest)
    said = {"ok": "succeeded", "unchanged": "succeeded",
            "unreachable": "source unreachable from this machine"}.get(
                now, now.replace("_", " "))
    return success, f"{said}, {date(newest.started_at)}"


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    last_ok: SyncRun | None
    newest: SyncRun | None

    @property
    def state(self) -> str:
        return state(self.last_ok, self.newest)

    @property
    def offline_copy(self) -> bool:
        """The data shown comes from the shipped offline copy (no live sync since)."""
        return offline(self.last_ok)

    def copy_label(self) -> str:
        """"2026-07-24" (the copy's date) or "0.0.38" (a package version)."""
        run = self.last_ok
        if run is None:
            return ""
        if self.source in VERSIONED:
            return offline_version(run.url) or run.as_of.date().isoformat()
        return run.as_of.date().isoformat()


@dataclass(frozen=True)
class Freshness:
    sources: list[SourceFreshness]

    @property
    def offline_sources(self) -> list[SourceFreshness]:
        return [s for s in self.sources if s.offline_copy]

    @property
    def loaded(self) -> dt.date | None:
        """The day the offline catalog was loaded (its first run)."""
        runs = [s.last_ok for s in self.offline_sources if s.last_ok is not None]
        return min(r.started_at for r in runs).date() if runs else None

    @property
    def live_tried(self) -> bool:
        return any(s.newest is not None and not offline(s.newest) for s in self.sources)

    @property
    def live_unreachable(self) -> bool:
        """Every live run tried lately failed to reach its source, and none succeeded."""
        live = [s for s in self.sources if s.newest is not None and not offline(s.newest)]
        return bool(live) and all(unreachable(s.newest) for s in live)

    @property
    def live_ok(self) -> bool:
        return any(s.last_ok is not None and not offline(s.last_ok) for s in self.sources)


def summary(session: Session) -> Freshness:
    return Freshness([SourceFreshness(source, ok, newest)
                      for source, ok, newest in freshness(session)])
