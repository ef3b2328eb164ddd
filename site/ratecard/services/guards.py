"""The rules that keep a broken upstream from publishing nonsense.

Whole-run guards decide whether a payload may be written at all; per-change
guards hold one suspicious price change in quarantine while the rest publishes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ratecard.config import positive_number

# A run that would make more than this share of a source's live models vanish is held.
MAX_VANISH_SHARE = Decimal("0.20")
# A run may always add this many new models, whatever the share (small sources grow in steps).
GROWTH_ALLOWANCE = 100
# A price moving by more than this factor (either way) waits for review.
MAX_PRICE_FACTOR = Decimal(10)
# Sources disagreeing by more than this are recorded for the pages to show.
DISAGREEMENT_SHARE = Decimal("0.01")


class RunRejected(Exception):
    """A whole-run guard refused the payload; `status` is "failed" or "held"."""

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class GrowthLimits:
    """How many new models one run may add before it is held for an operator.

    share       new models as a share of the source's live models (1.5 = +150 %); the
                dated LiteLLM snapshots, half a year apart, grew by up to 123 %
    first_load  a source with no live models (its first run) may add at most this many
    """

    share: Decimal = Decimal("1.5")
    first_load: int = 10_000

    @classmethod
    def from_env(cls) -> GrowthLimits:
        """RATECARD_SYNC_MAX_GROWTH and RATECARD_SYNC_MAX_FIRST_LOAD; a bad value is a
        ValueError naming the variable."""
        d = cls()
        share = positive_number("RATECARD_SYNC_MAX_GROWTH", float(d.share))
        if not math.isfinite(share):
            raise ValueError(f"RATECARD_SYNC_MAX_GROWTH must be a finite number, got {share}")
        first = positive_number("RATECARD_SYNC_MAX_FIRST_LOAD", d.first_load, int)
        return cls(share=Decimal(str(share)), first_load=int(first))


def check_run(seen_ids: set[str], live_ids: set[str], *, allow_vanish: bool = False,
              allow_growth: bool = False, growth: GrowthLimits | None = None) -> None:
    """Raise RunRejected when the payload is empty, would drop too many models or add
    too many.

    allow_vanish / allow_growth: an operator has checked that the models really went
    away upstream / really arrived there.
    """
    if not seen_ids:
        raise RunRejected("failed", "empty payload: no models parsed")
    if not allow_growth:
        _check_growth(seen_ids, live_ids, growth or GrowthLimits())
    if not live_ids or allow_vanish:
        return
    vanishing = live_ids - seen_ids
    share = Decimal(len(vanishing)) / Decimal(len(live_ids))
    if share > MAX_VANISH_SHARE:
        examples = ", ".join(sorted(vanishing)[:5])
        raise RunRejected(
            "held",
            f"{len(vanishing)} of {len(live_ids)} models ({share:.0%}) would vanish, "
            f"more than the {MAX_VANISH_SHARE:.0%} allowed (e.g. {examples}); nothing written "
            "(if upstream really dropped them: ratecard sync SOURCE --allow-vanish)",
        )


def _check_growth(seen_ids: set[str], live_ids: set[str], limits: GrowthLimits) -> None:
    new = len(seen_ids) - len(seen_ids & live_ids)
    if not live_ids:
        if new <= limits.first_load:
            return
        why = (f"the first run of this source would add {new} models, more than the "
               f"{limits.first_load} allowed for a first load (RATECARD_SYNC_MAX_FIRST_LOAD)")
    else:
        allowed = max(int(limits.share * len(live_ids)), GROWTH_ALLOWANCE)
        if new <= allowed:
            return
        share = Decimal(new) / Decimal(len(live_ids))
        why = (f"{new} new models would join the {len(live_ids)} live ones (+{share:.0%}), "
               f"more than the +{limits.share:.0%} allowed (RATECARD_SYNC_MAX_GROWTH)")
    examples = ", ".join(sorted(seen_ids - live_ids)[:5])
    raise RunRejected("held", f"{why} (e.g. {examples}); nothing written (if upstream "
                              "really added them: ratecard sync SOURCE --allow-growth)")


# The highest plausible amount per unit (a value at or above it waits for review). Chosen
# from every snapshot of the four sources: the honest extremes (o1-pro output $600 per 1M
# tokens, ElevenLabs $180 per 1M characters, $58.67 per 1k deep searches, $35 per 1k web
# searches, $0.75 per second of video, $0.60 per upscaled image) sit well below; the
# errors (per-1M figures in per-token fields: $2,000-$540,000 per 1M tokens, $35,000 per
# 1k searches) well above. docs/syncing.md lists them.
PLAUSIBLE_MAX: dict[str, Decimal] = {
    "1M_tokens": Decimal(1000),
    "1M_characters": Decimal(1000),
    "1k_searches": Decimal(1000),
    "1k_requests": Decimal(1000),
    "image": Decimal(10),
    "1M_pixels": Decimal(10),
    "second": Decimal(10),
    "page": Decimal(10),
    "request": Decimal(10),
}


def check_plausible(unit: str, amount: Decimal) -> str | None:
    """Why this amount cannot be a real price for its unit, or None when it may be."""
    if amount < 0:
        return f"implausible: negative price {amount:f}"
    ceiling = PLAUSIBLE_MAX.get(unit)
    if ceiling is not None and amount >= ceiling:
        return f"implausible: {amount:f} per {unit} is at or above the {ceiling:f} band"
    return None


def check_change(old: Decimal, new: Decimal, unit: str | None = None) -> str | None:
    """Why this price change must wait for review, or None when it may publish.

    With `unit`, a move into an implausible band waits whatever its size."""
    if old == new:
        return None
    if unit is not None and (implausible := check_plausible(unit, new)) is not None:
        return implausible
    if new == 0:
        return f"price dropped to zero (was {old:f})"
    if old == 0:
        return None  # a free preview getting a price is ordinary news
    factor = new / old if new > old else old / new
    if factor > MAX_PRICE_FACTOR:
        direction = "up" if new > old else "down"
        return f"price moved {direction} {factor:.1f}x ({old:f} -> {new:f})"
    return None


def disagrees(amounts: list[Decimal]) -> bool:
    low, high = min(amounts), max(amounts)
    if high == low:
        return False
    if low == 0:
        return True
    return (high - low) / low > DISAGREEMENT_SHARE
