"""The rules that keep a broken upstream from publishing nonsense.

Whole-run guards decide whether a payload may be written at all; per-change
guards hold one suspicious price change in quarantine while the rest publishes.
"""
from __future__ import annotations

from decimal import Decimal

# A run that would make more than this share of a source's live models vanish is held.
MAX_VANISH_SHARE = Decimal("0.20")
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


def check_run(seen_ids: set[str], live_ids: set[str], *, allow_vanish: bool = False) -> None:
    """Raise RunRejected when the payload is empty or would drop too many models.

    allow_vanish: an operator has checked that the models really went away upstream.
    """
    if not seen_ids:
        raise RunRejected("failed", "empty payload: no models parsed")
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


def check_change(old: Decimal, new: Decimal) -> str | None:
    """Why this price change must wait for review, or None when it may publish."""
    if old == new:
        return None
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
