"""The compare page's overlay chart: price histories of several models as step lines.

Pure functions from price rows to a Plotly figure (a plain dict, drawn by static/site.js).
Amounts go into the figure as exact decimal strings on a linear axis: no float anywhere.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from ratecard.money import display, exact_text
from ratecard.precedence import rank

# Colour-blind-safe palette (Okabe-Ito), one colour per model; meters differ by dash.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = {"input": "solid", "output": "dash"}
# Models with the same price draw on top of each other: each model also has its own marker and
# line width (never an offset, which would misstate a price); wider lines are drawn first.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
WIDTHS = (4.0, 3.0, 2.5, 2.0, 1.5, 1.5)
MARKER_SIZES = (9, 7, 7, 6, 6, 6)
METER_NAMES = {"input": "input", "output": "output"}


class PriceRow(Protocol):
    """A price row as read (queries.compare.BaseRow): read-only, so a NamedTuple fits."""

    @property
    def model_id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def meter(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def valid_from(self) -> dt.datetime: ...
    @property
    def valid_to(self) -> dt.datetime | None: ...
    @property
    def shown(self) -> bool: ...


@dataclass(frozen=True)
class Segment:
    start: dt.date
    end: dt.date | None          # exclusive; None = still current
    amount: Decimal
    source: str


@dataclass(frozen=True)
class Series:
    label: str                   # the model's name
    meter: str                   # "input" or "output"
    segments: tuple[Segment, ...]


def shown_history(rows: Iterable[PriceRow]) -> list[Segment]:
    """One meter of one model: the history of the source whose value is shown now (the
    flagged current row's; a model no longer priced: the highest-precedence source)."""
    rows = list(rows)
    if not rows:
        return []
    shown = [r.source for r in rows if r.valid_to is None and r.shown]
    source = shown[0] if shown else min((r.source for r in rows), key=rank)
    return [Segment(r.valid_from.date(), r.valid_to.date() if r.valid_to else None,
                    r.amount, r.source)
            for r in sorted(rows, key=lambda r: r.valid_from) if r.source == source]


def _points(segments: Sequence[Segment], today: dt.date) -> tuple[list[Any], list[Any],
                                                                   list[Any]]:
    """x, y, hover text for a step line ("hv"); a gap in the history breaks the line."""
    xs: list[Any] = []
    ys: list[Any] = []
    texts: list[Any] = []
    for index, seg in enumerate(segments):
        if xs and xs[-1] is not None and segments[index - 1].end not in (None, seg.start):
            xs.append(None)
            ys.append(None)
            texts.append(None)
        label = f"{display(seg.amount)} since {seg.start.isoformat()} ({seg.source})"
        xs.append(seg.start.isoformat())
        ys.append(exact_text(seg.amount))
        texts.append(label)
        last = index == len(segments) - 1
        if last or segments[index + 1].start != seg.end:
            # close the step: to its end date, or to today while still current
            end = seg.end or max(today, seg.start)
            xs.append(end.isoformat())
            ys.append(exact_text(seg.amount))
            texts.append(label if seg.end is None else f"{label}, until {end.isoformat()}")
    return xs, ys, texts


def overlay_figure(series: Sequence[Series], today: dt.date,
                   model_order: Sequence[str] | None = None) -> dict[str, Any]:
    """One trace per model x meter, step lines (line_shape hv), x = date."""
    labels = list(model_order or dict.fromkeys(s.label for s in series))
    data = []
    for item in series:
        if not item.segments:
            continue
        xs, ys, texts = _points(item.segments, today)
        index = labels.index(item.label) if item.label in labels else 0
        color = PALETTE[index % len(PALETTE)]
        data.append({
            "type": "scatter", "mode": "lines+markers",
            "name": f"{item.label} · {METER_NAMES.get(item.meter, item.meter)}",
            "x": xs, "y": ys, "text": texts,
            "hovertemplate": "%{text}<extra>%{fullData.name}</extra>",
            "line": {"shape": "hv", "color": color, "dash": DASHES.get(item.meter, "dot"),
                     "width": WIDTHS[index % len(WIDTHS)]},
            "marker": {"size": MARKER_SIZES[index % len(MARKER_SIZES)],
                       "symbol": SYMBOLS[index % len(SYMBOLS)]},
            "connectgaps": False,
        })
    return {
        "data": data,
        "layout": {
            "height": 380, "margin": {"l": 60, "r": 16, "t": 16, "b": 40},
            # no x-axis title (the ticks are dates): the legend sits under the ticks, and
            # plotly grows the bottom margin to fit it however many lines it wraps to
            "xaxis": {"type": "date"},
            "yaxis": {"type": "linear", "title": {"text": "USD per 1M tokens"},
                      "tickprefix": "$", "rangemode": "tozero"},
            "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"},
            "hovermode": "closest",
        },
    }
