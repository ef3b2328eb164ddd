"""Figure builders: valid Plotly figures, step lines, one trace per source, exact texts."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import plotly.graph_objects as go

from ratecard.charts import prices


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


NOW = day("2026-08-22")
SEGMENTS = [
    prices.Segment("input", "1M_tokens", "litellm", D("5"), day("2024-07-20"), day("2025-01-19")),
    prices.Segment("input", "1M_tokens", "litellm", D("2.5"), day("2025-01-19"), None),
    prices.Segment("input", "1M_tokens", "openrouter", D("2.5"), day("2026-08-18"), None),
    prices.Segment("output", "1M_tokens", "litellm", D("15"), day("2024-07-20"),
                   day("2025-01-19")),
    prices.Segment("output", "1M_tokens", "litellm", D("10"), day("2025-01-19"), None),
]


def money(amount: D) -> str:
    return f"${amount:.2f}"


def build() -> dict:
    figure = prices.history_figure(SEGMENTS, now=NOW, money=money,
                                   order=[("input", "1M_tokens"), ("output", "1M_tokens")])
    assert figure is not None
    return figure


def test_figure_is_valid_plotly():
    figure = build()
    go.Figure(figure)          # raises on anything outside Plotly's schema


def test_one_chart_meters_as_traces_sources_as_dashes():
    """Meters that share a unit share one panel: a trace per meter and source, the colour
    naming the meter and the dash the source."""
    figure = build()
    traces = figure["data"]
    assert {t["yaxis"] for t in traces} == {"y"} and "yaxis2" not in figure["layout"]
    assert sorted(t["name"] for t in traces) == [
        "input, litellm", "input, openrouter", "output, litellm"]
    assert all(t["line"]["shape"] == "hv" for t in traces)
    colour = {t["name"]: t["line"]["color"] for t in traces}
    assert colour["input, litellm"] == colour["input, openrouter"] != colour["output, litellm"]
    dash = {t["name"]: t["line"]["dash"] for t in traces}
    assert dash["input, litellm"] == dash["output, litellm"] != dash["input, openrouter"]


def test_incompatible_units_get_a_small_panel_of_their_own():
    segments = SEGMENTS + [prices.Segment("image", "image", "litellm", D("0.04"),
                                          day("2025-03-01"), None)]
    figure = prices.history_figure(segments, now=NOW, money=money,
                                   order=[("input", "1M_tokens"), ("image", "image")])
    go.Figure(figure)
    layout = figure["layout"]
    assert [t["yaxis"] for t in figure["data"]].count("y2") == 1
    assert layout["xaxis2"]["matches"] == "x"
    top, small = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert small[1] < top[0]                                     # no overlap
    assert (top[1] - top[0]) > (small[1] - small[0])
    # dates only under the last panel: no year label runs into the next panel
    assert layout["xaxis"]["showticklabels"] is False and layout["xaxis2"]["showticklabels"]


def test_hover_on_every_step_says_unchanged_since_in_words():
    """Every step has points at both ends carrying its text, so hovering anywhere along a
    flat line (hovermode x unified, no distance cut-off) names that step's price."""
    trace = next(t for t in build()["data"] if t["name"] == "input, litellm")
    assert trace["x"] == ["2024-07-20 00:00:00", "2025-01-18 23:59:59",
                          "2025-01-19 00:00:00", "2026-08-21 23:59:59"]
    assert trace["y"] == [5.0, 5.0, 2.5, 2.5]
    assert trace["customdata"] == [
        "input, litellm: $5.00, from 2024-07-20 until 2025-01-19"] * 2 + [
        "input, litellm: $2.50 (was $5.00), unchanged since 2025-01-19"] * 2
    assert trace["marker"]["size"] == [0, 0, 7, 0]            # markers only at changes
    assert trace["hovertemplate"] == "%{customdata}<extra></extra>"
    layout = build()["layout"]
    assert layout["hovermode"] == "x unified" and layout["hoverdistance"] == -1


def test_no_plotly_range_selector_or_mode_bar():
    """The range buttons are HTML (reachable by keyboard); Plotly's own are gone."""
    layout = build()["layout"]
    assert "rangeselector" not in layout["xaxis"]
    assert prices.CONFIG["displayModeBar"] is False
    assert not layout.get("annotations")


def test_gap_breaks_the_line():
    segments = [
        prices.Segment("input", "1M_tokens", "litellm", D("1"), day("2025-01-01"),
                       day("2025-02-01")),
        prices.Segment("input", "1M_tokens", "litellm", D("2"), day("2025-03-01"), None),
    ]
    items = prices.steps(segments)[("input", "1M_tokens", "litellm")]
    assert [s.before for s in items] == [None, None]
    xs, ys, _texts, sizes = prices.step_points(items, NOW, "input", money)
    assert ys == [1.0, 1.0, None, 2.0, 2.0]
    assert xs[2] is None and sizes == [0, 0, 0, 0, 0]       # a return is not a change


def test_repeated_rows_of_one_price_are_one_step():
    segments = [
        prices.Segment("input", "1M_tokens", "litellm", D("1"), day("2025-01-01"),
                       day("2025-02-01")),
        prices.Segment("input", "1M_tokens", "litellm", D("1.0"), day("2025-02-01"), None),
    ]
    (step,) = prices.steps(segments)[("input", "1M_tokens", "litellm")]
    assert (step.start, step.end, step.before) == (day("2025-01-01"), None, None)


def test_nothing_to_draw():
    assert prices.history_figure([], now=NOW) is None


def test_figure_json_is_safe_inside_a_script_element():
    figure = build()
    figure["layout"]["title"] = {"text": "</script><b>&"}
    text = prices.figure_json(figure)
    assert "</script>" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["layout"]["title"]["text"] == "</script><b>&"


def test_max_panels():
    segments = [prices.Segment("input", f"u{i}", "litellm", D(i + 1), day("2025-01-01"),
                               None) for i in range(5)]
    figure = prices.history_figure(segments, now=NOW, max_panels=2)
    assert figure is not None
    assert len(figure["data"]) == 2 and "yaxis2" in figure["layout"]
    assert "yaxis3" not in figure["layout"]


def test_sources_on_the_same_price_stay_distinguishable():
    """Sources that agree draw on top of each other: each has its own dash and width, and
    the y values stay the exact prices (no offset)."""
    traces = [t for t in build()["data"] if t["name"].startswith("input")]
    assert len({t["line"]["dash"] for t in traces}) == len(traces)
    # wider lines first, so a thinner dashed line shows on top of them
    widths = [t["line"]["width"] for t in traces]
    assert widths == sorted(widths, reverse=True)
    assert traces[1]["y"] == [2.5, 2.5]
