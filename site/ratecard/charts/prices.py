"""Pure Plotly figure builders: plain values in, a figure dict out. No database, no Flask.

Figures are plain dicts in Plotly's schema (tests check them against
plotly.graph_objects), serialised with plotly's JSON encoder and drawn in the
browser by static/site.js. Amounts arrive as Decimal; they become floats only as
y coordinates for drawing, while every text (hover, annotations) is formatted from
the exact Decimal.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from plotly.utils import PlotlyJSONEncoder

# Meters are told apart by colour, sources by dash (and width: sources often agree on a
# price, so their lines lie on top of each other; never an offset, which would misstate
# the price). The SVG chart (charts/svg.py) uses the same colours and dashes, so its key
# serves both.
METER_COLORS = ("#1f5fbf", "#c2570c", "#1a7f37", "#8250df", "#b42318", "#0e7490")
SOURCE_STYLES = {  # source: (plotly dash, SVG dasharray, line width), drawn in this order
    "litellm": ("solid", "", 3.5),
    "genai_prices": ("dash", "7 4", 2.75),
    "modelsdev": ("dot", "2 3", 2.25),
    "openrouter": ("dashdot", "8 3 2 3", 1.75),
}
FALLBACK_STYLE = ("longdash", "4 2 1 2", 1.5)
PANEL_HEIGHT = 300           # px: the first unit's panel
SMALL_PANEL_HEIGHT = 160     # px: a further, incompatible unit (per image beside per token)
PANEL_GAP = 56               # px between panels: room for the next panel's title
MARGIN = {"l": 64, "r": 16, "t": 28, "b": 36}
MAX_PANELS = 3
# Range buttons are HTML (templates/profile/_history.html), so a keyboard reaches them
# and Plotly's mode bar is off: nothing of Plotly's sits in the tab order.
CONFIG = {"displayModeBar": False, "responsive": True, "displaylogo": False}


class Segment(NamedTuple):
    """One effective-dated price: `amount` from `start` (inclusive) to `end` (None = now)."""

    meter: str
    unit: str
    source: str
    amount: Decimal
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class Step:
    """A price held from `start` to `end` (None = still current), rows repeating the same
    amount merged; `before` is the amount it replaced (None: a first value, or one after
    a gap)."""

    meter: str
    unit: str
    source: str
    amount: Decimal
    start: dt.datetime
    end: dt.datetime | None
    before: Decimal | None


def steps(segments: Iterable[Segment]) -> dict[tuple[str, str, str], list[Step]]:
    """Steps per (meter, unit, source), oldest first."""
    grouped: dict[tuple[str, str, str], list[Segment]] = {}
    for s in sorted(segments, key=lambda s: s.start):
        grouped.setdefault((s.meter, s.unit, s.source), []).append(s)
    out: dict[tuple[str, str, str], list[Step]] = {}
    for key, items in grouped.items():
        merged: list[Step] = []
        for s in items:
            last = merged[-1] if merged else None
            adjacent = last is not None and last.end is not None and last.end >= s.start
            if last is not None and adjacent and last.amount == s.amount:
                merged[-1] = Step(*key, last.amount, last.start, s.end, last.before)
                continue
            merged.append(Step(*key, s.amount, s.start, s.end,
                               last.amount if last is not None and adjacent else None))
        out[key] = merged
    return out


def day(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).date().isoformat()


def step_text(step: Step, label: str, money: Callable[[Decimal], str]) -> str:
    """What one step says on hover: its price, what it replaced and for how long."""
    if step.end is None:
        span = f"unchanged since {day(step.start)}"
    else:
        span = f"from {day(step.start)} until {day(step.end)}"
    change = f" (was {money(step.before)})" if step.before is not None else ""
    return f"{label}: {money(step.amount)}{change}, {span}"


def source_style(source: str) -> tuple[str, str, float]:
    return SOURCE_STYLES.get(source, FALLBACK_STYLE)


def draw_order(source: str) -> tuple[int, str]:
    order = list(SOURCE_STYLES)
    return (order.index(source) if source in order else len(order), source)


def _x(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def step_points(items: list[Step], now: dt.datetime, label: str,
                money: Callable[[Decimal], str]
                ) -> tuple[list[str | None], list[float | None], list[str | None], list[int]]:
    """x, y, hover texts and marker sizes of one source's steps (line_shape "hv").

    Each step has a point where it starts (a marker when it is a change, not a source's
    first listing) and one a second before it ends (no marker), both carrying its text:
    wherever the pointer is along a flat line, the nearest point belongs to that step, so
    the hover tells its price and dates.
    A gap between steps (price withdrawn, later back) breaks the line.
    """
    xs: list[str | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    sizes: list[int] = []
    for index, step in enumerate(items):
        if index and step.before is None:          # not adjacent to the previous step
            xs.append(None)
            ys.append(None)
            texts.append(None)
            sizes.append(0)
        text = step_text(step, label, money)
        end = step.end or max(now, step.start)
        last = max(step.start, end - dt.timedelta(seconds=1))
        for when, size in ((step.start, 7 if step.before is not None else 0), (last, 0)):
            xs.append(_x(when))
            ys.append(float(step.amount))           # drawing only
            texts.append(text)
            sizes.append(size)
    return xs, ys, texts, sizes


def history_figure(segments: Iterable[Segment], *, now: dt.datetime,
                   order: list[tuple[str, str]] | None = None,
                   meter_label: Callable[[str], str] = str,
                   unit_label: Callable[[str], str] = str,
                   source_label: Callable[[str], str] = str,
                   money: Callable[[Decimal], str] = lambda d: f"${d}",
                   max_panels: int = MAX_PANELS) -> dict[str, object] | None:
    """Step lines of price over time in one chart per unit: meters sharing a unit are
    traces of one panel (colour = meter, dash = source); a unit that cannot share an axis
    with the first gets a smaller panel below, on the same time axis.

    `segments` are base-condition prices (no tier, no image size); `order` fixes the order
    of meters (meter, unit) and so of units. None when nothing to draw.
    """
    by_key = steps(segments)
    series = [mu for mu in (order or []) if any(k[:2] == mu for k in by_key)]
    series += sorted({k[:2] for k in by_key} - set(series))
    units: list[str] = []
    for _meter, unit in series:
        if unit not in units:
            units.append(unit)
    units = units[:max_panels]
    series = [mu for mu in series if mu[1] in units]
    if not series:
        return None
    color = {mu: METER_COLORS[i % len(METER_COLORS)] for i, mu in enumerate(series)}
    heights = [PANEL_HEIGHT if i == 0 else SMALL_PANEL_HEIGHT for i in range(len(units))]
    plot = sum(heights) + PANEL_GAP * (len(units) - 1)
    data: list[dict[str, object]] = []
    layout: dict[str, object] = {}
    top = plot
    for row, unit in enumerate(units):
        suffix = "" if row == 0 else str(row + 1)
        layout[f"xaxis{suffix}"] = {
            "type": "date", "anchor": f"y{suffix}", "domain": [0, 1],
            "hoverformat": "%Y-%m-%d", "showticklabels": row == len(units) - 1,
            **({"matches": "x"} if row else {}),
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": [(top - heights[row]) / plot, top / plot],
            "title": {"text": f"USD {unit_label(unit)}", "standoff": 6},
            "tickprefix": "$", "rangemode": "tozero", "fixedrange": True,
        }
        top -= heights[row] + PANEL_GAP
        keys = sorted((k for k in by_key if k[1] == unit and k[:2] in color),
                      key=lambda k: (draw_order(k[2]), series.index(k[:2])))
        for meter, _unit, source in keys:
            dash, _svg, width = source_style(source)
            label = f"{meter_label(meter)}, {source_label(source)}"
            xs, ys, texts, sizes = step_points(by_key[(meter, unit, source)], now, label, money)
            data.append({
                "type": "scatter", "mode": "lines+markers", "name": label,
                "legendgroup": source, "showlegend": False,
                "x": xs, "y": ys, "customdata": texts,
                "line": {"shape": "hv", "width": width, "dash": dash,
                         "color": color[(meter, unit)]},
                "marker": {"size": sizes, "color": color[(meter, unit)]},
                "connectgaps": False,
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                "hovertemplate": "%{customdata}<extra></extra>",
            })
    layout.update({
        "height": plot + MARGIN["t"] + MARGIN["b"],
        "margin": MARGIN,
        "showlegend": False,          # the HTML key under the chart names colours and dashes
        "hovermode": "x unified", "hoverdistance": -1,
        "dragmode": "zoom",
    })
    return {"data": data, "layout": layout}


def figure_json(figure: dict[str, object]) -> str:
    """JSON text for a <script type="application/json"> element: plotly's encoder, with
    <, > and & escaped so the text can never close the script element."""
    text = json.dumps(figure, cls=PlotlyJSONEncoder, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
