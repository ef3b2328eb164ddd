"""The one rule that decides which source's value a reader is shown.

Several sources price the same model × meter × unit × conditions, and each keeps its value
(nothing is merged away). The shown value is picked here and nowhere else; services.shown
stores the pick as a flag on the current rows, and every surface (profile, catalog, compare,
related models, charts, the API's `shown`, content shortcodes) reads that flag.

Prices — precedence, but not over fresher news:
  1. A source's current value is *superseded* when another source has since recorded a change
     to a different value: that source's current row replaced an earlier one of its own
     (a change, not a first listing) on a date strictly after the first source's value began.
     A first listing is not news: a source that merely started listing a model later does not
     outrank an earlier one.
  2. The shown value is the highest-precedence source (config.SOURCE_PRECEDENCE; sources not
     listed there after it, by name) among those not superseded.
  3. If every value is superseded (changes crossing each other), the most recent change wins;
     equal dates by precedence.
Capabilities — consensus: the value most sources give wins; a tie goes to the value of the
highest-precedence source among the tied. The shown row is that source's.

Not applicable: a meter a kind of model does not have (an embedding model's output tokens)
shows no value at all, whatever placeholder a source files for it (see applicable()).

No database or web imports: the migration that backfills the flags uses this module too.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from ratecard.config import SOURCE_PRECEDENCE
from scrapers.vocabulary import NO_OUTPUT_MODES

T = TypeVar("T")


def rank(source: str) -> tuple[int, str]:
    """Sort key: precedence order first, then every other source by name."""
    if source in SOURCE_PRECEDENCE:
        return (SOURCE_PRECEDENCE.index(source), "")
    return (len(SOURCE_PRECEDENCE), source)


# Meters of generated text: a model that produces no tokens has none of them.
TEXT_OUTPUT_METERS = frozenset({"output", "reasoning"})


def applicable(meter: str, mode: str | None) -> bool:
    """Whether a model of this mode can be billed on this meter at all."""
    return not (mode in NO_OUTPUT_MODES and meter in TEXT_OUTPUT_METERS)


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """One source's current value of one price key; `ref` is what the caller gets back."""

    source: str
    amount: Decimal
    valid_from: dt.datetime
    changed_at: dt.datetime | None   # valid_from when it replaced this source's own earlier value
    ref: T


def superseded(candidate: Candidate[T], others: Sequence[Candidate[T]]) -> bool:
    return any(o.source != candidate.source and o.changed_at is not None
               and o.changed_at > candidate.valid_from and o.amount != candidate.amount
               for o in others)


def pick_price(candidates: Sequence[Candidate[T]]) -> Candidate[T]:
    """The shown one of a key's current values (one per source)."""
    if not candidates:
        raise ValueError("pick_price needs at least one candidate")
    fresh = [c for c in candidates if not superseded(c, candidates)]
    if fresh:
        return min(fresh, key=lambda c: rank(c.source))
    return min(candidates, key=lambda c: (-_stamp(c.changed_at), rank(c.source)))


def _stamp(moment: dt.datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")


def pick_consensus(values: Sequence[tuple[str, object, T]]) -> T:
    """(source, value, ref) of one fact: the ref of the shown row (most sources, then
    precedence among the tied values, then the highest-precedence source with that value)."""
    if not values:
        raise ValueError("pick_consensus needs at least one value")
    votes: dict[object, list[str]] = {}
    for source, value, _ref in values:
        votes.setdefault(_hashable(value), []).append(source)
    best = min(votes, key=lambda v: (-len(votes[v]), min(rank(s) for s in votes[v])))
    return min((v for v in values if _hashable(v[1]) == best), key=lambda v: rank(v[0]))[2]


def _hashable(value: object) -> object:
    if isinstance(value, list | set | tuple):
        return frozenset(value)
    return value
