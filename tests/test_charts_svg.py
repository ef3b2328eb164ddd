"""The server-rendered SVG step chart: steps where the prices change, dates on the axis,
words for "unchanged since", every text escaped, an accessible image."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal as D

from ratecard.charts import svg as svg_chart
from ratecard.charts.prices import Segment

SVG = "{http://www.w3.org/2000/svg}"


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


NOW = day("2026-08-22")
SEGMENTS = [
    Segment("input", "1M_tokens", "litellm", D("5"), day("2024-07-20"), day("2025-01-19")),
    Segment("input", "1M_tokens", "litellm", D("2.5"), day("2025-01-19"), None),
    Segment("input", "1M_tokens", "openrouter", D("3"), day("2026-08-18"), None),
    Segment("output", "1M_tokens", "litellm", D("15"), day("2024-07-20"), day("2025-01-19")),
    Segment("output", "1M_tokens", "litellm", D("10"), day("2025-01-19"), None),
]
ORDER = [("input", "1M_tokens"), ("output", "1M_tokens")]
RANK = {"litellm": 0, "openrouter": 1}.__getitem__


def money(amount: D) -> str:
    return f"${amount:.2f}"


def build(segments=SEGMENTS, order=ORDER, **options) -> str:
    markup = svg_chart.history_svg(
        segments, now=NOW, ident="h", title="Price history of GPT-4o", order=order,
        rank=RANK, money=money, **options)
    assert markup is not None
    return str(markup)


def parse(markup: str) -> ET.Element:
    svg = markup[:markup.index("</svg>") + 6]
    return ET.fromstring(svg)


def titles(root: ET.Element) -> list[str]:
    return [g.findtext(f"{SVG}title") for g in root.iter(f"{SVG}g")]


def test_an_accessible_image_with_a_title_and_a_description():
    root = parse(build())
    assert root.get("role") == "img" and root.get("aria-labelledby") == "h-title h-desc"
    assert root.find(f"{SVG}title").get("id") == "h-title"
    assert root.findtext(f"{SVG}title") == "Price history of GPT-4o"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == "h-desc"
    assert "input (1M_tokens): $2.50, unchanged since 2025-01-19 (litellm)" in desc.text
    assert root.get("width") == "100%" and float(root.get("height")) > 100


def test_one_step_per_price_with_a_riser_and_a_marker_at_each_change():
    root = parse(build())
    assert titles(root) == [
        "input, litellm: $5.00, from 2024-07-20 until 2025-01-19",
        "input, litellm: $2.50 (was $5.00), unchanged since 2025-01-19",
        "input, openrouter: $3.00, unchanged since 2026-08-18",
        "output, litellm: $15.00, from 2024-07-20 until 2025-01-19",
        "output, litellm: $10.00 (was $15.00), unchanged since 2025-01-19",
    ]
    groups = list(root.iter(f"{SVG}g"))
    first, second = groups[0], groups[1]
    # the first price: one flat line from the first date; x are shares of the width
    flat = [ln for ln in first.iter(f"{SVG}line") if "step" in ln.get("class", "")]
    assert len(flat) == 1 and flat[0].get("x1") == "0%"
    # the change: a riser from $5 down to $2.50 at the date, then the flat line to now
    lines = [ln for ln in second.iter(f"{SVG}line") if "step" in ln.get("class", "")]
    riser, level = lines
    assert riser.get("x1") == riser.get("x2") == level.get("x1") == flat[0].get("x2")
    assert float(riser.get("y1")) < float(riser.get("y2")) == float(level.get("y1"))
    assert level.get("x2") == "100%"
    assert second.find(f"{SVG}circle") is not None and first.find(f"{SVG}circle") is None
    # colour is the meter, the dash the source
    input_openrouter = [ln for ln in groups[2].iter(f"{SVG}line") if "step" in ln.get("class")]
    assert input_openrouter[0].get("stroke") == level.get("stroke")
    assert input_openrouter[0].get("stroke-dasharray") and not level.get("stroke-dasharray")
    output = [ln for ln in groups[4].iter(f"{SVG}line") if "step" in ln.get("class")]
    assert output[0].get("stroke") != level.get("stroke")


def test_dates_on_the_axis_and_round_prices_on_the_grid():
    root = parse(build())
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert ["2025", "2026"] == [t for t in ticks if not t.startswith("$")]
    assert [t for t in ticks if t.startswith("$")] == ["$5.00", "$10.00", "$15.00"]
    year = next(t for t in root.iter(f"{SVG}text") if t.text == "2025")
    # 2025-01-01 lies 165 days into a span of 763 days
    assert abs(float(year.get("x").rstrip("%")) - 100 * 165 / 763) < 0.01


def test_short_histories_get_months_and_tiny_prices_exact_ticks():
    segments = [Segment("input", "1M_tokens", "litellm", D("0.075"), day("2026-03-10"), None)]
    root = parse(build(segments, [("input", "1M_tokens")]))
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert [t for t in ticks if not t.startswith("$")] == ["Apr 2026", "Jul"]
    assert [t for t in ticks if t.startswith("$")] == ["$0.02", "$0.04", "$0.06", "$0.08"]


def test_units_that_cannot_share_an_axis_get_their_own_panel():
    segments = SEGMENTS + [Segment("image", "image", "litellm", D("0.04"), day("2025-03-01"),
                                   None)]
    markup = build(segments, ORDER + [("image", "image")])
    root = parse(markup)
    panels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "panel"]
    assert panels == ["USD 1M_tokens", "USD image"]
    assert "$0.04" in {t.text for t in root.iter(f"{SVG}text")}


def test_the_key_names_meters_by_colour_and_sources_by_dash():
    markup = build(meter_label=str.capitalize, source_label={"litellm": "LiteLLM",
                                                            "openrouter": "OpenRouter"}.get)
    key = markup[markup.index('<ul class="chart-key">'):]
    assert re.findall(r"</svg>([^<]+)</li>", key) == ["Input", "Output", "LiteLLM",
                                                      "OpenRouter"]


def test_every_text_is_escaped():
    evil = "<script>alert(1)</script>&"
    markup = build(meter_label=lambda m: evil, unit_label=lambda u: evil,
                   source_label=lambda s: evil)
    assert "<script>" not in markup
    root = parse(markup)                        # still well-formed XML
    assert evil in root.findtext(f"{SVG}desc")
    assert any(evil in (t or "") for t in titles(root))
    title_markup = str(svg_chart.history_svg(
        SEGMENTS, now=NOW, ident="h", title='"><img src=x>', order=ORDER, rank=RANK))
    assert "<img" not in title_markup


def test_words_unchanged_since_and_disagreements():
    lines = svg_chart.since_lines(SEGMENTS, order=ORDER, rank=RANK, meter_label=str.title,
                                   unit_label=lambda u: "per 1M tokens", source_label=str,
                                   money=money)
    assert lines == [
        "Input (per 1M tokens): $2.50, unchanged since 2025-01-19 (litellm); other sources "
        "differ: openrouter $3.00.",
        "Output (per 1M tokens): $10.00, unchanged since 2025-01-19 (litellm).",
    ]
    agreeing = SEGMENTS + [
        Segment("output", "1M_tokens", "openrouter", D("10"), day("2026-08-18"), None),
        Segment("output", "1M_tokens", "modelsdev", D("10.00"), day("2026-08-20"), None)]
    rank = ["litellm", "openrouter", "modelsdev"].index
    assert svg_chart.since_lines(agreeing, order=ORDER[1:], rank=rank,
                                  meter_label=str, unit_label=str, source_label=str,
                                  money=money) == [
        "output (1M_tokens): $10.00, unchanged since 2025-01-19 (litellm); 2 other sources "
        "agree."]
    withdrawn = [Segment("input", "1M_tokens", "litellm", D("1"), day("2025-01-01"),
                         day("2025-06-01"))]
    assert svg_chart.since_lines(withdrawn, order=ORDER, rank=RANK, meter_label=str,
                                  unit_label=str, source_label=str, money=money) == [
        "input (1M_tokens): no current price; litellm last listed $1.00 until 2025-06-01."]


def test_nothing_to_draw():
    assert svg_chart.history_svg([], now=NOW, ident="h", title="t", order=ORDER,
                                  rank=RANK) is None
