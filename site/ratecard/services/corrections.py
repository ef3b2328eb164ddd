"""Agreement with the other sources: the outlier check on a new value and the decision
that lets a held change publish by itself as a correction.

The reference for one price (model x meter x unit x conditions) is the median of what the
other sources currently say for the same model; where no other source prices it, the
median of the same model at other hosts (the same family key as queries/related.py,
variant included: gpt-4o:extended is not gpt-4o). docs/syncing.md gives the figures
behind the factors.
"""
from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Model, Price, QuarantinedChange
from ratecard.queries.related import family_keys
from ratecard.services.guards import check_plausible

# A value more than this factor from the median of the same model at other sources is
# an outlier. Of 3,297 current values that another source also prices (every snapshot
# loaded), 185 differ from the others' median by more than 2x and 35 by more than 5x
# (honest: stale list prices, regional hosts); the 15 beyond 10x are each a unit or meter
# error (a per-character or per-1k figure, an image price filed as text output).
SOURCE_FACTOR = Decimal(10)
# The same model at other hosts legitimately differs more (a host's own list price): up
# to 41x in the snapshots (oci llama-3.2-11b-vision $2 against a $0.049 median), where
# the unit errors this check exists for are 1,000x and more. Only for a first sight with
# no other source, and only against at least HOST_MIN hosts.
HOST_FACTOR = Decimal(100)
HOST_MIN = 2
# A new value is an outlier only against at least this many other sources: against one,
# which of the two is wrong is unknown (the disagreement is shown instead).
SOURCE_MIN = 2

Key = tuple[str, str, str]                   # meter, unit, conditions_key


@dataclass(frozen=True)
class Reference:
    """What the others say: `median` of `amounts`, from other sources or other hosts."""

    median: Decimal
    amounts: tuple[Decimal, ...]
    hosts: bool                                # True: other hosts, not other sources

    def describe(self) -> str:
        return (f"the median ${self.median:f} of {len(self.amounts)} other host(s)"
                if self.hosts else f"the other sources' median ${self.median:f}")


def factor(a: Decimal, b: Decimal) -> Decimal | None:
    """How many times apart two amounts are (>= 1); None when only one of them is zero."""
    if a == b:
        return Decimal(1)
    if a <= 0 or b <= 0:
        return None
    return a / b if a > b else b / a


def _times(value: Decimal) -> str:
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


_VARIANT = re.compile(r":([a-z0-9._-]*)$")


def _family(canonical_id: str) -> tuple[str, str]:
    """The exact family key plus the priced variant (:free, :extended), which differ."""
    found = _VARIANT.search(canonical_id.lower().split("/")[-1])
    variant = "" if found is None or found.group(1).isdigit() else found.group(1)
    return family_keys(canonical_id)[0], variant


class References:
    """Every current price of every source, read at most once per run (one query, on the
    first check that needs it; re-deciding a few held values reads only their models) and
    kept up to date with what the run itself writes, so the checks never query per value."""

    def __init__(self, session: Session):
        self.session = session
        self.current: dict[int, dict[Key, dict[str, Decimal]]] = defaultdict(dict)
        self.loaded: set[int] | None = set()       # None: every model's prices are loaded
        self.notes: list[tuple[int, str, Key, Decimal | None]] = []
        # A value with a held change pending is in doubt: it is no reference for others
        # (else a stale value and its held fix would each keep the other waiting).
        self.doubt: set[tuple[int, Key, str]] = {
            (model_id, (meter, unit, ckey), source)
            for model_id, meter, unit, ckey, source in session.execute(select(
                QuarantinedChange.model_id, QuarantinedChange.meter, QuarantinedChange.unit,
                QuarantinedChange.conditions_key, QuarantinedChange.source).where(
                QuarantinedChange.status == "pending"))}
        self.family_of: dict[int, tuple[str, str]] = {}
        self.members: dict[tuple[str, str], list[int]] = defaultdict(list)

    def _families(self) -> None:
        """The family key of every model (one query and a regex pass), when first needed."""
        if not self.family_of:
            for model_id, canonical_id in self.session.execute(select(Model.id,
                                                                      Model.canonical_id)):
                self.add_model(model_id, canonical_id)

    def _load(self, model_ids: set[int] | None) -> None:
        """Current prices from the database (of these models, or of all), then what this
        run wrote over them (its rows may not be flushed yet)."""
        if self.loaded is None:
            return
        query = select(Price.model_id, Price.source, Price.meter, Price.unit,
                       Price.conditions_key, Price.amount).where(Price.valid_to.is_(None))
        if model_ids is not None:
            model_ids = model_ids - self.loaded
            if not model_ids:
                return
            query = query.where(Price.model_id.in_(model_ids))
        fresh = model_ids if model_ids is not None else set(self.current) | self.loaded
        for model_id in fresh:
            self.current.pop(model_id, None)
        for model_id, source, meter, unit, ckey, amount in self.session.execute(query):
            self.current[model_id].setdefault((meter, unit, ckey), {})[source] = amount
        for model_id, source, key, amount in self.notes:
            if model_ids is None or model_id in model_ids:
                self._apply(model_id, source, key, amount)
        if model_ids is None:
            self.loaded = None
        else:
            self.loaded |= model_ids

    def add_model(self, model_id: int, canonical_id: str) -> None:
        if model_id not in self.family_of:
            family = _family(canonical_id)
            self.family_of[model_id] = family
            if family[0]:
                self.members[family].append(model_id)

    def held(self, model_id: int, source: str, key: Key, pending: bool) -> None:
        """A change to this value was held (True) or settled (False)."""
        (self.doubt.add if pending else self.doubt.discard)((model_id, key, source))

    def note(self, model_id: int, source: str, key: Key, amount: Decimal | None) -> None:
        """This run wrote (or, with None, closed) a value."""
        self.notes.append((model_id, source, key, amount))
        self._apply(model_id, source, key, amount)

    def _apply(self, model_id: int, source: str, key: Key, amount: Decimal | None) -> None:
        slot = self.current[model_id].setdefault(key, {})
        if amount is None:
            slot.pop(source, None)
        else:
            slot[source] = amount

    def around(self, model_id: int, source: str, key: Key,
               few: bool = False) -> Reference | None:
        """The reference for `source`'s value of this price, or None when nobody else
        prices it. `few`: one of a few look-ups, read just this model and its hosts."""
        self._families()
        family = self.members.get(self.family_of.get(model_id, ("", "")), [])
        self._load({model_id, *family} if few else None)
        others = [a for s, a in self.current.get(model_id, {}).get(key, {}).items()
                  if s != source and (model_id, key, s) not in self.doubt]
        if others:
            return Reference(statistics.median(others), tuple(others), hosts=False)
        hosts = []
        for other in family:
            if other != model_id:
                slot = [a for s, a in self.current.get(other, {}).get(key, {}).items()
                        if (other, key, s) not in self.doubt]
                if slot:   # one value per host: the median of its sources
                    hosts.append(statistics.median(slot))
        if len(hosts) < HOST_MIN:
            return None
        return Reference(statistics.median(hosts), tuple(hosts), hosts=True)


def outlier(amount: Decimal, ref: Reference | None) -> str | None:
    """Why a new value is too far from the others to publish unseen, or None."""
    if ref is None or amount == 0 or ref.median == 0:
        return None       # free tiers and local models are not outliers
    if len(ref.amounts) < (HOST_MIN if ref.hosts else SOURCE_MIN):
        return None
    apart = factor(amount, ref.median)
    limit = HOST_FACTOR if ref.hosts else SOURCE_FACTOR
    if apart is None or apart <= limit:
        return None
    return f"outlier: {_times(apart)} {ref.describe()}"


def correction(old: Decimal | None, new: Decimal, unit: str,
               ref: Reference | None) -> str | None:
    """Why a held value may publish by itself (a correction), or None when a person must
    decide. It must be plausible, and either move an implausible value into the bands or
    agree with the others: within SOURCE_FACTOR of their median and closer to it than the
    value it replaces. A held first sight (old None) publishes once it is no outlier."""
    if check_plausible(unit, new) is not None:
        return None
    if old is not None and check_plausible(unit, old) is not None:
        return f"moves the implausible {old:f} into the bands"
    if ref is None:
        return None
    apart = factor(new, ref.median)
    if apart is None or apart > SOURCE_FACTOR:
        return None
    if old is None:
        return f"agrees with {ref.describe()}"
    before = factor(old, ref.median)
    if before is not None and before <= apart:
        return None       # no closer to the others than what it replaces
    was = _times(before) if before is not None else "unbounded"
    return f"agrees with {ref.describe()} ({_times(apart)} from it, was {was})"


def waiting(reason: str, ref: Reference | None) -> str:
    """A held reason with what the others say, for the reviewer."""
    if ref is None or "median" in reason:
        return reason
    return f"{reason}; {ref.describe()}"
