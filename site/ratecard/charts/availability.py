"""Availability charts (pure Plotly figure dicts): latency p50/p95 per day, and availability
per day with every failed run marked. Plain values in; no database, no Flask."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from ratecard.queries.availability import Day, outcome_label

P50_COLOR, P95_COLOR = "#1f5fbf", "#c2570c"
OK_COLOR, FAIL_COLOR = "#1a7f37", "#b42318"


def _days_axis(now: dt.datetime | None) -> dict[str, object]:
    """A date axis over the last 30 days (whole days as ticks, whatever the data spans)."""
    axis: dict[str, object] = {"type": "date", "tickformat": "%b %d"}
    if now is not None:
        start = now - dt.timedelta(days=30)
        axis["range"] = [start.strftime("%Y-%m-%d %H:%M"), now.strftime("%Y-%m-%d %H:%M")]
    return axis


def latency_figure(days: Sequence[Day], now: dt.datetime | None = None
                   ) -> dict[str, object] | None:
    """p50 and p95 of ok-run latency per UTC day (None when no day had an ok run)."""
    measured = [d for d in days if d.latency_p50 is not None]
    if not measured:
        return None
    x = [d.day.isoformat() for d in measured]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": "p50", "x": x,
         "y": [d.latency_p50 for d in measured], "line": {"color": P50_COLOR, "width": 3},
         "hovertemplate": "%{x}: p50 %{y} ms<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "p95", "x": x,
         "y": [d.latency_p95 for d in measured],
         "line": {"color": P95_COLOR, "width": 2, "dash": "dash"},
         "marker": {"symbol": "square"}, "hovertemplate": "%{x}: p95 %{y} ms<extra></extra>"},
    ]
    return {"data": data, "layout": {
        "height": 300, "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
        "yaxis": {"title": {"text": "ms (ok runs)"}, "rangemode": "tozero"},
        "xaxis": _days_axis(now), "showlegend": True,
        "legend": {"orientation": "h", "y": -0.2, "x": 0}, "hovermode": "closest"}}


def availability_figure(days: Sequence[Day],
                        failures: Sequence[tuple[dt.datetime, str, int | None]],
                        now: dt.datetime | None = None) -> dict[str, object] | None:
    """Ok runs ÷ runs per UTC day as bars, and each failed run (time, outcome, HTTP status)
    as a marker at its moment, labelled with its outcome."""
    if not days:
        return None
    shares = [Decimal(d.ok) / Decimal(d.runs) * 100 if d.runs else Decimal(0) for d in days]
    data: list[dict[str, object]] = [{
        "type": "bar", "name": "availability", "x": [d.day.isoformat() for d in days],
        "y": [float(s) for s in shares], "marker": {"color": OK_COLOR},
        "customdata": [f"{d.ok} / {d.runs} runs ok" for d in days],
        "hovertemplate": "%{x}: %{customdata}<extra></extra>"}]
    if failures:
        data.append({
            "type": "scatter", "mode": "markers", "name": "failed run",
            "x": [when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") for when, _, _ in
                  failures],
            "y": [2] * len(failures),
            "marker": {"color": FAIL_COLOR, "symbol": "x", "size": 11},
            "customdata": [outcome_label(o) + (f" (HTTP {s})" if s else "")
                           for _, o, s in failures],
            "hovertemplate": "%{x}: %{customdata}<extra></extra>"})
    return {"data": data, "layout": {
        "height": 280, "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
        "yaxis": {"title": {"text": "% of runs ok"}, "range": [0, 105]},
        "xaxis": _days_axis(now), "showlegend": True,
        "legend": {"orientation": "h", "y": -0.2, "x": 0}, "hovermode": "closest"}}
