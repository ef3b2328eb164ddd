"""Shaping one model's rows for its profile page: rate tables (base, tiers, per-image
grid), the rates a cost needs, and the price-history table body. No queries here."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from markupsafe import Markup, escape

from ratecard import costs
from ratecard.labels import conditions_label, meter_label, source_label, unit_label
from ratecard.precedence import applicable
from ratecard.queries.models import precedence_rank
from ratecard.queries.profile import PriceRow
from ratecard.queries.rows import Disagreement
from ratecard.web.pages.profile_words import CHAT_LIKE
from scrapers.vocabulary import METERS

_METER_ORDER = {meter: n for n, meter in enumerate(METERS)}


def meter_sort(meter: str) -> int:
    return _METER_ORDER.get(meter, len(_METER_ORDER))


@dataclass
class RateRow:
    meter: str
    unit: str
    conditions: dict[str, object]
    shown: PriceRow | None = None                 # the flagged row; None = not published
    others: list[PriceRow] = field(default_factory=list)
    disagreement: Disagreement | None = None

    @property
    def conditions_text(self) -> str:
        return conditions_label(self.conditions)


@dataclass
class Grid:
    """Per-image prices as quality (rows) x size (columns)."""

    meter: str
    unit: str
    qualities: list[str | None]
    sizes: list[str | None]
    cells: dict[tuple[str | None, str | None], RateRow]


@dataclass
class RateTables:
    base: list[RateRow]
    tiers: list[RateRow]
    context: list[RateRow]
    other: list[RateRow]
    grids: list[Grid]
    sources: list[str]

    @property
    def empty(self) -> bool:
        return not any(r.shown for r in self.base) and not (
            self.tiers or self.context or self.other or self.grids)

    def label(self, meter: str) -> str:
        """Meter names; beside image tokens, plain input/output are said to be text."""
        image_tokens = any(r.meter in ("input_image", "output_image") for r in self.base)
        if image_tokens and meter in ("input", "output"):
            return "Text " + meter
        return meter_label(meter)

    def find(self, meter: str, unit: str = "1M_tokens", tier: str | None = None
             ) -> Decimal | None:
        rows = self.tiers if tier else self.base
        for row in rows:
            if (row.meter, row.unit) == (meter, unit) and row.shown is not None and (
                    tier is None or row.conditions == {"service_tier": tier}):
                return row.shown.amount
        return None


def _row_sort(row: RateRow) -> tuple[object, ...]:
    c = row.conditions
    above = c.get("context_above")                  # an int column, or absent
    return (_METER_ORDER.get(row.meter, 99), row.meter, row.unit, str(c.get("service_tier", "")),
            above if isinstance(above, int) else 0, str(c.get("region", "")),
            str(c.get("time_window", "")))


def size_key(size: str | None) -> tuple[int, str]:
    if size and "x" in size:
        w, _, h = size.partition("x")
        if w.isdigit() and h.isdigit():
            return int(w) * int(h), size
    return (0 if size is None else 10**9), size or ""


def _option(value: object) -> str | None:
    """An image option (quality, size) of a row's conditions: a text column, or absent."""
    return None if value is None else str(value)


QUALITY_ORDER = {"low": 0, "standard": 1, "medium": 2, "high": 3, "hd": 4, "auto": 5}


def rate_tables(current: list[PriceRow], disagreements: list[Disagreement], mode: str | None
                ) -> RateTables:
    groups: dict[tuple[str, str, str], list[PriceRow]] = {}
    for price in current:
        if not applicable(price.meter, mode):
            continue    # a placeholder for a meter this kind has not (embedding output)
        groups.setdefault((price.meter, price.unit, price.conditions_key), []).append(price)
    flags = {(d.meter, d.unit, d.conditions_key): d for d in disagreements}
    tables = RateTables([], [], [], [], [], sorted({p.source for p in current},
                                                   key=precedence_rank))
    image_rows: dict[tuple[str, str], list[RateRow]] = {}
    for key, prices in groups.items():
        # The flagged row first (services.shown decided it), then the others by precedence.
        prices.sort(key=lambda p: (not p.shown, precedence_rank(p.source)))
        shown = prices[0] if prices[0].shown else None
        row = RateRow(key[0], key[1], prices[0].conditions(), shown,
                      prices[1:] if shown else prices, flags.get(key))
        c = row.conditions
        if c and set(c) <= {"quality", "size"}:
            image_rows.setdefault((row.meter, row.unit), []).append(row)
        elif not c:
            tables.base.append(row)
        elif c.get("service_tier"):
            tables.tiers.append(row)
        elif c.get("context_above") is not None:
            tables.context.append(row)
        else:
            tables.other.append(row)
    expected = ["input", "output"] if mode in CHAT_LIKE or mode is None else (
        ["input"] if mode == "embedding" else [])
    have = {(r.meter, r.unit) for r in tables.base}
    for meter in expected:
        if (meter, "1M_tokens") not in have and (current or mode is not None):
            tables.base.append(RateRow(meter, "1M_tokens", {}))
    for rows in (tables.base, tables.tiers, tables.context, tables.other):
        rows.sort(key=_row_sort)
    for (meter, unit), rows in sorted(image_rows.items(), key=lambda kv: (
            kv[0][1] != "image", kv[0])):
        cells = {(_option(r.conditions.get("quality")), _option(r.conditions.get("size"))): r
                 for r in rows}
        qualities = sorted({q for q, _ in cells}, key=lambda q: (
            QUALITY_ORDER.get(q or "", 50), q or ""))
        sizes = sorted({s for _, s in cells}, key=size_key)
        tables.grids.append(Grid(meter, unit, qualities, sizes, cells))
    return tables


def cost_rates(tables: RateTables) -> costs.Rates:
    images: dict[costs.ImageOption, Decimal] = {}
    for grid in tables.grids:
        if (grid.meter, grid.unit) == ("image", "image"):
            images = {k: r.shown.amount for k, r in grid.cells.items() if r.shown is not None}
            break
    if not images:   # one base per-image price (dall-e-2 style)
        base = tables.find("image", "image")
        if base is not None:
            images = {(None, None): base}
    return costs.Rates(
        input=tables.find("input"), output=tables.find("output"),
        cache_read=tables.find("cache_read"), output_image=tables.find("output_image"),
        batch_input=tables.find("input", tier="batch"),
        batch_output=tables.find("output", tier="batch"),
        batch_cache_read=tables.find("cache_read", tier="batch"), images=images)


def history_rows_html(rows: list[PriceRow], money_text: Callable[[Decimal], str]) -> Markup:
    """The price-history table body. A long history is hundreds of rows, so they are written
    here in one pass (every value escaped once per distinct value) rather than cell by cell
    in Jinja."""
    @functools.cache
    def text(value: str) -> str:
        return str(escape(value))

    @functools.cache
    def day(value: dt.datetime | None) -> str:
        return "current" if value is None else value.astimezone(dt.UTC).date().isoformat()

    out = []
    for p in rows:
        out.append(
            f'<tr><th scope="row">{text(meter_label(p.meter))}</th>'
            f"<td>{text(source_label(p.source))}</td>"
            f'<td class="num">{text(money_text(p.amount))}</td>'
            f'<td class="unit">{text(unit_label(p.unit))}</td>'
            f'<td class="date">{text(day(p.valid_from))}</td>'
            f'<td class="date">{text(day(p.valid_to))}</td></tr>')
    return Markup("\n".join(out))
