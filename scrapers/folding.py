"""Folding several keys of one source into one ModelRecord per canonical id.

A source often lists one model under several keys (LiteLLM: `deepseek-chat` and
`deepseek/deepseek-chat`, one key per image quality and size; OpenRouter:
`openai/gpt-4o` and `openai/gpt-4o:batch`). Each key is parsed on its own into a
ModelRecord; fold() merges the records that share a canonical id:

- the *primary* record is the one of lowest rank (rank 0: the key that is the
  canonical model name itself; the source decides the other ranks), ties broken
  by payload order; its key becomes the merged key, every other key goes to
  `aliases`;
- scalar fields and capabilities come from the primary, gaps are filled from
  the others in payload order;
- prices are merged by (meter, unit, conditions): the primary's amount wins,
  else the next by rank and payload order. A different amount for the same price key is
  dropped and reported as Skipped, so a disagreement inside one source is visible.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scrapers import ids
from scrapers.base import ModelRecord, PriceRecord, Skipped
from scrapers.values import BadValue, scaled

_SCALARS = (
    "name", "mode", "context_window", "max_output", "input_modalities",
    "output_modalities", "release_date", "deprecation_date",
)


@dataclass
class Candidate:
    record: ModelRecord
    rank: int = 0        # lower = preferred; 0 = the key names the model itself


def scaled_price(value: Any, factor: Decimal) -> Decimal | None:
    """values.scaled, with a huge value (1e30 per token) refused as BadValue: scaling it
    overflows the decimal context inside values.normalise (InvalidOperation)."""
    try:
        return scaled(value, factor)
    except ArithmeticError:
        raise BadValue(f"absurd price {value}") from None


def describe(price: PriceRecord) -> str:
    """`input per 1M_tokens (context_above=200000)`: a price key for messages."""
    text = f"{price.meter} per {price.unit}"
    conditions = price.conditions.as_dict()
    if conditions:
        text += " (" + ", ".join(f"{k}={v}" for k, v in conditions.items()) + ")"
    return text


def fold(candidates: list[Candidate], skipped: list[Skipped]) -> list[ModelRecord]:
    """One ModelRecord per canonical id, in order of first appearance. Ids that spell
    one model's version two ways (scrapers.ids) are respelled first."""
    renames = ids.respell([(c.record.canonical_id, c.rank) for c in candidates])
    for candidate in candidates:
        record = candidate.record
        record.canonical_id = renames.get(record.canonical_id, record.canonical_id)
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.record.canonical_id, []).append(candidate)
    return [_merge(group, skipped) for group in groups.values()]


def _merge(group: list[Candidate], skipped: list[Skipped]) -> ModelRecord:
    if len(group) == 1:
        return group[0].record
    # Stable sort: by rank, then payload order.
    order = sorted(group, key=lambda c: c.rank)
    records = [c.record for c in order]
    primary = records[0]
    merged = ModelRecord(key=primary.key, canonical_id=primary.canonical_id,
                         provider=primary.provider)
    for name in _SCALARS:
        setattr(merged, name, next((getattr(r, name) for r in records
                                    if getattr(r, name) is not None), None))
    for record in reversed(records):          # the primary is applied last and wins
        merged.capabilities.update(record.capabilities)

    kept: dict[tuple, tuple[PriceRecord, str]] = {}
    for record in records:
        for price in record.prices:
            held = kept.get(price.key)
            if held is None:
                kept[price.key] = (price, record.key)
            elif held[0].amount != price.amount:
                skipped.append(Skipped(record.key, (
                    f"duplicate of {merged.canonical_id} with a different price for "
                    f"{describe(price)}: {price.amount} (kept {held[0].amount} from {held[1]})")))
    merged.prices = [price for price, _ in kept.values()]

    seen = {merged.key}
    for candidate in group:                   # aliases in payload order
        for key in (candidate.record.key, *candidate.record.aliases):
            if key not in seen:
                seen.add(key)
                merged.aliases.append(key)
    return merged
