"""Weekly verdicts: each model's week ending a date compared with the week before it.

Deterministic: the same events and runs give the same sentences and tags, word for word.
What counts as noise (docs and the methodology page say the same):
- performance is compared only when both weeks have at least MIN_RUNS probe runs; below
  that a verdict states the run counts and claims nothing about performance;
- availability must move by at least AVAILABILITY_POINTS percentage points;
- p50 / p95 latency must move by at least LATENCY_PERCENT % and LATENCY_MS ms;
- an error outcome's share of runs must move by at least ERROR_POINTS points.
A week is seven whole UTC days: the one ending on the as-of date, and the seven before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import select

from ratecard.db import Database
from ratecard.models import ChangeEvent
from ratecard.models.verdicts import Verdict
from ratecard.queries import verdicts as q
from ratecard.queries.availability import Window, outcome_label, recent_runs, window_stats

MIN_RUNS = 20
AVAILABILITY_POINTS = Decimal(5)
LATENCY_PERCENT = Decimal(20)
LATENCY_MS = 100
ERROR_POINTS = Decimal(5)
WEEK = dt.timedelta(days=7)
HUNDRED = Decimal(100)


def week_bounds(as_of: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(start of the week before, start of the week, end of the week), UTC midnights."""
    end = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
    return end - 2 * WEEK, end - WEEK, end


def _dec(value: str | None) -> Decimal | None:
    try:
        return None if value is None else Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def _pct(value: Decimal) -> str:
    """A magnitude in percent: whole numbers, one decimal below 1 (never '0 %')."""
    value = abs(value)
    places = Decimal(1) if value >= 1 else Decimal("0.1")
    return str(value.quantize(places, rounding=ROUND_HALF_UP))


def _points(ratio: Decimal) -> Decimal:
    return (ratio * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _meter(event: ChangeEvent) -> tuple[str, str]:
    """('input', 'per 1M tokens, batch') from subject 'input/1M_tokens' and conditions."""
    meter, _, unit = (event.subject or "price").partition("/")
    words = [f"per {unit.replace('_', ' ')}"] if unit else []
    words += [f"{k.replace('_', ' ')} {v}" for k, v in sorted((event.conditions or {}).items())]
    return meter.replace("_", " "), ", ".join(words)


def _label(meter: str, event: ChangeEvent) -> str:
    conditions = ", ".join(str(v) for _, v in sorted((event.conditions or {}).items()))
    return f"{meter}, {conditions}" if conditions else meter


def change_lines(events: list[ChangeEvent]) -> tuple[list[str], list[str]]:
    """Sentences and tags for a week's change events (oldest first). Several sources
    reporting the same change make one line; a change undone within the week makes none."""
    sentences: list[str] = []
    tags: list[str] = []
    prices: dict[tuple[str, str], list[ChangeEvent]] = {}
    caps: dict[str, list[ChangeEvent]] = {}
    deprecated: str | None = None
    for event in events:
        if event.kind.startswith("price_"):
            key = (event.subject or "", repr(sorted((event.conditions or {}).items())))
            prices.setdefault(key, []).append(event)
        elif event.kind.startswith("capability_"):
            caps.setdefault(event.subject or "", []).append(event)
        elif event.kind == "model_deprecated":
            deprecated = event.new_value or deprecated
    for _, group in sorted(prices.items()):
        first, last = group[0], group[-1]
        meter, unit = _meter(last)
        label = _label(meter, last)
        old = None if first.kind == "price_added" else _dec(first.old_value)
        new = None if last.kind == "price_removed" else _dec(last.new_value)
        if old == new:
            continue
        if old is None and new is not None:
            sentences.append(f"{meter.capitalize()} price ({unit}) added: ${new}.")
            tags.append(f"Price added ({label})")
        elif new is None and old is not None:
            sentences.append(f"{meter.capitalize()} price ({unit}) removed: it was ${old}.")
            tags.append(f"Price removed ({label})")
        elif old is not None and new is not None:
            if old == 0:
                sentences.append(f"{meter.capitalize()} price ({unit}) went from free to ${new}.")
                tags.append(f"Price up from free ({label})")
                continue
            change = (new - old) * HUNDRED / old
            word, tag = ("cut", "Price cut") if change < 0 else ("raised", "Price up")
            sentences.append(f"{meter.capitalize()} price ({unit}) {word} {_pct(change)} %: "
                             f"${old} → ${new}.")
            tags.append(f"{tag} {_pct(change)} % ({label})")
    for name, group in sorted(caps.items()):
        had = group[0].old_value == "yes" if group[0].kind == "capability_added" else True
        has = group[-1].kind == "capability_added"
        if had == has:
            continue
        title = name.replace("_", " ")
        word = "added" if has else "removed"
        sentences.append(f"Capability {word}: {title}.")
        tags.append(f"{title.capitalize()} capability {word}")
    if deprecated:
        sentences.append(f"Deprecation announced: the provider retires it on {deprecated}.")
        tags.append(f"Deprecated {deprecated}")
    return sentences, tags


def _ms_move(name: str, old: int | None, new: int | None) -> tuple[str, str] | None:
    if old is None or new is None or old == 0 or abs(new - old) < LATENCY_MS:
        return None
    change = Decimal(new - old) * HUNDRED / Decimal(old)
    if abs(change) < LATENCY_PERCENT:
        return None
    word, tag = ("rose", "up") if change > 0 else ("fell", "down")
    return (f"{name} latency {word} {_pct(change)} %: {old:,} ms → {new:,} ms.",
            f"{name} latency {tag} {_pct(change)} %")


def performance_lines(this: Window, before: Window) -> tuple[list[str], list[str]]:
    """Sentences and tags comparing two weeks of probe runs (nothing claimed below
    MIN_RUNS runs in a week)."""
    if this.runs == 0 and before.runs == 0:
        return [], []
    if this.runs < MIN_RUNS:
        return [f"Performance not judged: {this.runs} probe run{'s' if this.runs != 1 else ''}"
                f" this week, fewer than the {MIN_RUNS} a verdict needs."], []
    assert this.availability is not None
    head = (f"This week: availability {_points(this.availability)} % "
            f"({this.ok} / {this.runs} runs ok)")
    if this.latency_p50 is not None:
        head += f", p50 latency {this.latency_p50:,} ms, p95 {this.latency_p95:,} ms"
    sentences = [head + "."]
    tags: list[str] = []
    if before.runs < MIN_RUNS:
        sentences.append(f"Not compared with the week before: it had {before.runs} run"
                         f"{'s' if before.runs != 1 else ''}, fewer than {MIN_RUNS}.")
        return sentences, tags
    assert before.availability is not None
    moved = (this.availability - before.availability) * HUNDRED
    if abs(moved) >= AVAILABILITY_POINTS:
        word, tag = ("rose", "up") if moved > 0 else ("fell", "down")
        sentences.append(f"Availability {word} {_points(abs(moved) / HUNDRED)} points: "
                         f"{_points(before.availability)} % → {_points(this.availability)} %.")
        tags.append(f"Availability {tag} {_points(abs(moved) / HUNDRED)} points")
    for name, old, new in (("p50", before.latency_p50, this.latency_p50),
                           ("p95", before.latency_p95, this.latency_p95)):
        found = _ms_move(name, old, new)
        if found:
            sentences.append(found[0])
            tags.append(found[1])
    for outcome in sorted(set(this.errors) | set(before.errors)):
        now_n, was_n = this.errors.get(outcome, 0), before.errors.get(outcome, 0)
        share = Decimal(now_n) / this.runs - Decimal(was_n) / before.runs
        if abs(share) * HUNDRED < ERROR_POINTS:
            continue
        label = outcome_label(outcome)
        sentences.append(f"{label.capitalize()} errors: {now_n} of {this.runs} runs, "
                         f"were {was_n} of {before.runs}.")
        tags.append(f"More {label} errors" if share > 0 else f"Fewer {label} errors")
    if len(sentences) == 1:
        sentences.append("No move beyond noise since the week before.")
    return sentences, tags


@dataclass(frozen=True)
class Outcome:
    model_id: int
    sentences: list[str]
    tags: list[str]
    runs: int
    previous_runs: int


def judge(events: list[ChangeEvent], this: Window, before: Window) -> Outcome | None:
    """A model's verdict from its week's events and the two weeks' figures, or None when
    there is nothing to say (no change, no run)."""
    change_s, change_t = change_lines(events)
    perf_s, perf_t = performance_lines(this, before)
    if not change_s and not perf_s:
        return None
    rests = (f"Rests on {this.runs} probe run{'s' if this.runs != 1 else ''} this week and "
             f"{before.runs} the week before.")
    return Outcome(0, change_s + perf_s + [rests], change_t + perf_t, this.runs, before.runs)


def run_verdicts(db: Database, as_of: dt.date, now: dt.datetime | None = None) -> list[Outcome]:
    """Judge every model with changes or probe runs in the two weeks ending `as_of`, and
    store one verdict per model and week (a re-run replaces it; a verdict with nothing
    left to say is removed)."""
    now = now or dt.datetime.now(dt.UTC)
    before_start, start, end = week_bounds(as_of)
    written: list[Outcome] = []
    with db.session() as session:
        events = q.week_events(session, start, end)
        ids = sorted(set(events) | q.probed_models(session, before_start, end))
        stored = {v.model_id: v for v in session.scalars(select(Verdict).where(
            Verdict.week_ending == as_of))}
        for model_id in ids:
            runs = recent_runs(session, model_id, before_start, end)
            this = window_stats([r for r in runs if r.started_at >= start])
            before = window_stats([r for r in runs if r.started_at < start])
            found = judge(events.get(model_id, []), this, before)
            row = stored.pop(model_id, None)
            if found is None:
                if row is not None:
                    session.delete(row)
                continue
            found = Outcome(model_id, found.sentences, found.tags, found.runs,
                            found.previous_runs)
            if row is None:
                row = Verdict(model_id=model_id, week_ending=as_of)
                session.add(row)
            row.computed_at, row.runs, row.previous_runs = now, found.runs, found.previous_runs
            row.sentences, row.tags = found.sentences, found.tags
            written.append(found)
        for row in stored.values():          # nothing to say about it any more
            session.delete(row)
    return written
