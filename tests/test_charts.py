"""Figure builders: valid Plotly figures, step lines, one trace per source, exact texts."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import plotly.graph_objects as go

from ratecard import charts


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


NOW = day("2026-08-22")
SEGMENTS = [
    charts.Segment("input", "1M_tokens", "litellm", D("5"), day("2024-07-20"), day("2025-01-19")),
    charts.Segment("input", "1M_tokens", "litellm", D("2.5"), day("2025-01-19"), None),
    charts.Segment("input", "1M_tokens", "openrouter", D("2.5"), day("2026-08-18"), None),
    charts.Segment("output", "1M_tokens", "litellm", D("15"), day("2024-07-20"),
                   day("2025-01-19")),
    charts.Segment("output", "1M_tokens", "litellm", D("10"), day("2025-01-19"), None),
]


def money(amount: D) -> str:
    return f"${amount:.2f}"


def build() -> dict:
    figure = charts.history_figure(SEGMENTS, now=NOW, money=money,
                                   order=[("input", "1M_tokens"), ("output", "1M_tokens")])
    assert figure is not None
    return figure


def test_figure_is_valid_plotly():
    figure = build()
    go.Figure(figure)          # raises on anything outside Plotly's schema


def test_one_step_trace_per_source_and_meter():
    figure = build()
    traces = figure["data"]
    assert [(t["yaxis"], t["name"]) for t in traces] == [
        ("y", "litellm"), ("y", "openrouter"), ("y2", "litellm")]
    assert all(t["line"]["shape"] == "hv" for t in traces)
    # one legend entry per source, shared across subplots
    assert [t["showlegend"] for t in traces] == [True, True, False]


def test_step_points_extend_to_now_and_texts_are_exact():
    trace = build()["data"][0]
    assert trace["x"] == ["2024-07-20 00:00:00", "2025-01-19 00:00:00", "2026-08-22 00:00:00"]
    assert trace["y"] == [5.0, 2.5, 2.5]
    assert trace["customdata"] == ["$5.00", "$2.50", "$2.50"]


def test_changes_are_annotated():
    annotations = build()["layout"]["annotations"]
    texts = sorted(a["text"] for a in annotations)
    assert texts == ["$15.00 → $10.00", "$5.00 → $2.50"]
    assert {a["yref"] for a in annotations} == {"y", "y2"}


def test_range_selector_and_shared_axis():
    layout = build()["layout"]
    buttons = layout["xaxis"]["rangeselector"]["buttons"]
    assert buttons[-1]["step"] == "all" and len(buttons) >= 3
    assert layout["xaxis2"]["matches"] == "x"


def test_gap_breaks_the_line():
    segments = [
        charts.Segment("input", "1M_tokens", "litellm", D("1"), day("2025-01-01"),
                       day("2025-02-01")),
        charts.Segment("input", "1M_tokens", "litellm", D("2"), day("2025-03-01"), None),
    ]
    xs, ys, _texts, changes = charts.step_trace(segments, NOW, money)
    assert ys == [1.0, 1.0, None, 2.0, 2.0]
    assert xs[2] is None and changes == []


def test_nothing_to_draw():
    assert charts.history_figure([], now=NOW) is None


def test_figure_json_is_safe_inside_a_script_element():
    figure = build()
    figure["layout"]["title"] = {"text": "</script><b>&"}
    text = charts.figure_json(figure)
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["layout"]["title"]["text"] == "</script><b>&"


def test_max_rows():
    segments = [charts.Segment(f"m{i}", "1M_tokens", "litellm", D(i + 1), day("2025-01-01"),
                               None) for i in range(9)]
    figure = charts.history_figure(segments, now=NOW, max_rows=4)
    assert figure is not None
    assert len(figure["data"]) == 4 and "yaxis4" in figure["layout"]
    assert figure["layout"]["height"] == 90 + charts.ROW_HEIGHT * 4


def test_sources_on_the_same_price_stay_distinguishable():
    """Sources that agree draw on top of each other: each has its own dash and marker, and
    the y values stay the exact prices (no offset)."""
    traces = [t for t in build()["data"] if t["yaxis"] == "y"]
    assert len({t["line"]["dash"] for t in traces}) == len(traces)
    assert len({t["marker"]["symbol"] for t in traces}) == len(traces)
    # wider lines first, so a thinner dashed line shows on top of them
    widths = [t["line"]["width"] for t in traces]
    assert widths == sorted(widths, reverse=True)
    assert traces[1]["y"] == [2.5, 2.5]
