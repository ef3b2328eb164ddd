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
from decimal import Decimal
from typing import NamedTuple

from plotly.utils import PlotlyJSONEncoder

SOURCE_COLORS = {"litellm": "#1f5fbf", "openrouter": "#c2570c", "modelsdev": "#1a7f37",
                 "genai_prices": "#8250df"}
FALLBACK_COLORS = ("#b42318", "#0e7490", "#a16207", "#4b5563")
# Sources often agree on a price, so their lines lie on top of each other: each source also
# has its own dash, width and marker (never an offset, which would misstate the price). They
# are drawn in this order, widest first, so a thinner dashed line shows on top of a wider one.
SOURCE_STYLES = {  # source: (dash, line width, marker symbol, marker size)
    "litellm": ("solid", 4.0, "circle", 9),
    "genai_prices": ("dash", 3.0, "square", 7),
    "modelsdev": ("dot", 2.5, "diamond", 7),
    "openrouter": ("dashdot", 2.0, "triangle-up", 6),
}
FALLBACK_STYLES = (("longdash", 2.0, "x", 6), ("longdashdot", 1.5, "star", 6))
ROW_HEIGHT = 230
MAX_ANNOTATIONS = 10
RANGE_BUTTONS = [
    {"count": 6, "label": "6 months", "step": "month", "stepmode": "backward"},
    {"count": 1, "label": "1 year", "step": "year", "stepmode": "backward"},
    {"count": 2, "label": "2 years", "step": "year", "stepmode": "backward"},
    {"step": "all", "label": "All"},
]


class Segment(NamedTuple):
    """One effective-dated price: `amount` from `start` (inclusive) to `end` (None = now)."""

    meter: str
    unit: str
    source: str
    amount: Decimal
    start: dt.datetime
    end: dt.datetime | None


def _x(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _color(source: str, index: int) -> str:
    return SOURCE_COLORS.get(source, FALLBACK_COLORS[index % len(FALLBACK_COLORS)])


def _style(source: str, index: int) -> tuple[str, float, str, int]:
    return SOURCE_STYLES.get(source, FALLBACK_STYLES[index % len(FALLBACK_STYLES)])


def _draw_order(source: str) -> tuple[int, str]:
    order = list(SOURCE_STYLES)
    return (order.index(source) if source in order else len(order), source)


def step_trace(segments: list[Segment], now: dt.datetime, money: Callable[[Decimal], str]
               ) -> tuple[list[str | None], list[float | None], list[str | None],
                          list[tuple[dt.datetime, Decimal, Decimal]]]:
    """x, y, hover texts and the change points of one source's segments (oldest first).

    A step line (line_shape "hv") needs one point per segment start plus the end of the
    last one; a gap between segments (price withdrawn, later back) breaks the line.
    """
    xs: list[str | None] = []
    ys: list[float | None] = []
    texts: list[str | None] = []
    changes: list[tuple[dt.datetime, Decimal, Decimal]] = []
    previous: Segment | None = None
    for segment in segments:
        if previous is not None:
            if previous.end is not None and previous.end < segment.start:
                xs.append(_x(previous.end))        # close the earlier step, then break
                ys.append(float(previous.amount))
                texts.append(money(previous.amount))
                xs.append(None)
                ys.append(None)
                texts.append(None)
            elif previous.amount != segment.amount:
                changes.append((segment.start, previous.amount, segment.amount))
        xs.append(_x(segment.start))
        ys.append(float(segment.amount))            # drawing only
        texts.append(money(segment.amount))
        previous = segment
    if previous is not None:
        end = previous.end or max(now, previous.start)
        xs.append(_x(end))
        ys.append(float(previous.amount))
        texts.append(money(previous.amount))
    return xs, ys, texts, changes


def history_figure(segments: Iterable[Segment], *, now: dt.datetime,
                   order: list[tuple[str, str]] | None = None,
                   label: Callable[[str, str], str] = lambda meter, unit: f"{meter} ({unit})",
                   source_label: Callable[[str], str] = str,
                   money: Callable[[Decimal], str] = lambda d: f"${d}",
                   max_rows: int = 6) -> dict[str, object] | None:
    """Step lines of price over time: one subplot per meter and unit, one trace per source.

    `segments` are base-condition prices (no tier, no image size); `order` fixes the
    subplot order (meter, unit); at most `max_rows` subplots. None when nothing to draw.
    """
    by_meter: dict[tuple[str, str], dict[str, list[Segment]]] = {}
    for segment in sorted(segments, key=lambda s: s.start):
        by_meter.setdefault((segment.meter, segment.unit), {}).setdefault(
            segment.source, []).append(segment)
    rows_order = [m for m in (order or []) if m in by_meter]
    rows_order += sorted(m for m in by_meter if m not in rows_order)
    rows_order = rows_order[:max_rows]
    if not rows_order:
        return None
    rows = len(rows_order)
    gap = 0.1 / rows if rows > 1 else 0
    height = 1 / rows
    data: list[dict[str, object]] = []
    annotations: list[dict[str, object]] = []
    layout: dict[str, object] = {}
    sources_seen: list[str] = []
    for row, series in enumerate(rows_order):
        suffix = "" if row == 0 else str(row + 1)
        top = 1 - row * height
        layout[f"xaxis{suffix}"] = {
            "type": "date", "anchor": f"y{suffix}", "domain": [0, 1],
            **({"matches": "x"} if row else {}),
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}", "domain": [max(0.0, top - height + gap), top],
            "title": {"text": label(*series)},
            "tickprefix": "$", "rangemode": "tozero", "fixedrange": True,
        }
        for source, items in sorted(by_meter[series].items(),
                                    key=lambda pair: _draw_order(pair[0])):
            first = source not in sources_seen
            if first:
                sources_seen.append(source)
            dash, width, symbol, size = _style(source, sources_seen.index(source))
            xs, ys, texts, changes = step_trace(items, now, money)
            data.append({
                "type": "scatter", "mode": "lines+markers", "name": source_label(source),
                "legendgroup": source, "showlegend": first,
                "x": xs, "y": ys, "customdata": texts,
                "line": {"shape": "hv", "width": width, "dash": dash,
                         "color": _color(source, sources_seen.index(source))},
                "marker": {"size": size, "symbol": symbol}, "connectgaps": False,
                "xaxis": f"x{suffix}", "yaxis": f"y{suffix}",
                "meta": [label(*series).replace("<br>", " ")],
                "hovertemplate": "%{meta[0]}: %{customdata}<br>%{x|%Y-%m-%d}"
                                 "<extra>%{fullData.name}</extra>",
            })
            for when, old, new in changes:
                annotations.append({
                    "x": _x(when), "y": float(new), "xref": f"x{suffix}", "yref": f"y{suffix}",
                    "text": f"{money(old)} → {money(new)}", "showarrow": True, "arrowhead": 2,
                    "ax": 0, "ay": -28, "font": {"size": 11},
                    "bgcolor": "rgba(255, 255, 255, 0.85)",   # readable across a line
                })
    first_x = layout["xaxis"]
    assert isinstance(first_x, dict)
    first_x["rangeselector"] = {"buttons": RANGE_BUTTONS, "y": 1.02, "yanchor": "bottom",
                                "x": 0, "xanchor": "left"}
    layout.update({
        "height": 90 + ROW_HEIGHT * rows,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 40},
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0},
        "hovermode": "closest",
        "annotations": annotations[-MAX_ANNOTATIONS:],
    })
    return {"data": data, "layout": layout}


def figure_json(figure: dict[str, object]) -> str:
    """JSON text for a <script type="application/json"> element: plotly's encoder, with
    <, > and & escaped so the text can never close the script element."""
    text = json.dumps(figure, cls=PlotlyJSONEncoder, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
