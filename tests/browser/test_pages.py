"""The public site in headless Chromium: every main page renders without console errors,
fits a 360 px phone, draws its charts; the calculator, catalog filters and compare work.
Screenshots of the main pages land in tests/screenshots/ (desktop/phone x light/dark)."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from tests.browser.conftest import goto, horizontal_overflow, shoot, wait_for_charts

pytestmark = pytest.mark.browser

PROFILES = ("openai/gpt-image-2", "openai/gpt-4o")
COMPARED = ("openai/gpt-4o", "anthropic/claude-sonnet-4-5", "openai/gpt-image-2")
COMPARE_URL = "/compare?models=" + ",".join(COMPARED)
MAIN_PAGES = {
    "home": "/",
    "catalog": "/models",
    "profile-gpt-4o": "/models/openai/gpt-4o",
    "profile-gpt-image-2": "/models/openai/gpt-image-2",
    "providers": "/providers",
    "provider-openai": "/providers/openai",
    "compare": COMPARE_URL,
    "changes": "/changes",
}
# Every section of a profile page: its h2 headings, as the page words them.
PROFILE_SECTIONS = (
    "Rates", "What a typical job costs", "Pricing history", "Recent changes", "Capabilities",
    "Strengths and weaknesses", "Frequently asked questions", "Editorial profile",
    "Availability", "Last test", "Benchmark verdicts", "Same model elsewhere", "Similar models",
)
# What the calculator test types in, per profile (field name -> value).
CALCULATOR_INPUT = {
    "openai/gpt-4o": {"tokens_in": "123457", "tokens_out": "98765", "cached_pct": "37.5"},
    "openai/gpt-image-2": {"tokens_in": "2500", "tokens_out": "0", "image_tokens": "4321",
                           "images": "7"},
}


def h2_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in page.locator("main h2").all_inner_texts()]


def figures(page) -> list[tuple[dict, int]]:  # type: ignore[no-untyped-def]
    """(figure JSON embedded in the page, traces Plotly drew) for each chart on the page."""
    found = []
    for node in page.locator("[data-chart]").all():
        source = page.locator(f"script#{node.get_attribute('data-chart')}")
        assert source.get_attribute("type") == "application/json"
        figure = json.loads(source.text_content() or "{}")
        assert node.locator("svg.main-svg").count() >= 1, "no SVG drawn"
        found.append((figure, node.locator("g.trace").count()))
    return found


def visible_traces(figure: dict) -> int:
    return sum(1 for t in figure.get("data", []) if t.get("visible", True) is True)


# -- every main page --------------------------------------------------------------------

@pytest.mark.parametrize("name", MAIN_PAGES)
def test_main_page_renders_and_fits_a_phone(page, name: str) -> None:
    goto(page, MAIN_PAGES[name])
    assert page.locator("h1").count() == 1
    assert page.title().strip()
    overflow: dict[str, int] = {}

    def check(label: str, scheme: str) -> None:
        if label == "phone":
            overflow[scheme] = horizontal_overflow(page)

    shoot(page, name, each=check)
    assert overflow == {"light": 0, "dark": 0}, (
        f"{MAIN_PAGES[name]} scrolls sideways at 360 px by {overflow} px")


# -- profiles ---------------------------------------------------------------------------

@pytest.mark.parametrize("model_id", PROFILES)
def test_profile_has_every_section_and_draws_its_chart(page, model_id: str) -> None:
    goto(page, f"/models/{model_id}")
    headings = h2_texts(page)
    missing = [h for h in PROFILE_SECTIONS if h.lower() not in {x.lower() for x in headings}]
    assert not missing, f"{model_id}: sections missing {missing}; headings: {headings}"
    assert page.locator("main h3#calculator").count() == 1, "no calculator"
    charts = figures(page)
    assert charts, f"{model_id}: no pricing history chart"
    for figure, drawn in charts:
        assert drawn == visible_traces(figure) > 0, (
            f"{model_id}: {drawn} traces drawn, figure has {visible_traces(figure)}")


def calculator_fields(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {el.get_attribute("data-field"): el.inner_text().strip()
            for el in page.locator("main [data-field]").all()}


@pytest.mark.parametrize("model_id", PROFILES)
def test_calculator_live_update_matches_the_server(new_page, model_id: str) -> None:
    """Typing with JS on updates the estimate from /cost; it must show exactly what the
    server renders for the same GET without JS (Decimal arithmetic stays on the server)."""
    live = new_page()
    goto(live, f"/models/{model_id}")
    before = calculator_fields(live)
    form = live.locator("form.calculator")
    values = {name: value for name, value in CALCULATOR_INPUT[model_id].items()
              if form.locator(f"[name={name}]").count()}     # the fields this model has
    assert len(values) >= 2, f"{model_id}: calculator fields missing"
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    options = form.locator("select[name=image_option] option")
    if options.count() > 1:
        form.locator("select[name=image_option]").select_option(index=options.count() - 1)
    # the figures shown answer the form as it now stands (not an earlier, slower answer)
    live.wait_for_function(
        "() => { const f = document.querySelector('form.calculator');"
        " return f.getAttribute('data-live-shown') ==="
        " new URLSearchParams(new FormData(f)).toString(); }")
    shown = calculator_fields(live)
    assert shown != before

    static = new_page(java_script_enabled=False)
    goto(static, f"/models/{model_id}", charts=False)
    form = static.locator("form.calculator")
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    if options.count() > 1:
        form.locator("select[name=image_option]").select_option(index=options.count() - 1)
    with static.expect_navigation():
        form.locator("button[type=submit]").click()
    for name, value in values.items():
        assert f"{name}={value}" in static.url
    assert calculator_fields(static) == shown
    assert "USD" in shown["total_exact"]


def test_calculator_total_is_the_exact_decimal_sum(page) -> None:
    """gpt-4o: the exact total equals the sum worked out here with Decimal from the shown
    rates of the API (fresh input, cached input at the cache-read rate, output)."""
    prices = page.request.get("/api/v1/models/openai/gpt-4o").json()["prices"]
    shown = {p["meter"]: Decimal(p["amount"]) for p in prices
             if p.get("shown") and not p["conditions"] and p["unit"] == "1M_tokens"}
    values = CALCULATOR_INPUT["openai/gpt-4o"]
    tokens_in, tokens_out = Decimal(values["tokens_in"]), Decimal(values["tokens_out"])
    cached = tokens_in * Decimal(values["cached_pct"]) / 100
    expected = ((tokens_in - cached) * shown["input"] + cached * shown["cache_read"]
                + tokens_out * shown["output"]) / 1_000_000
    query = "&".join(f"{k}={v}" for k, v in values.items())
    goto(page, f"/models/openai/gpt-4o?{query}")
    exact = page.locator("[data-field=total_exact]").inner_text().strip()
    assert Decimal(exact.removesuffix(" USD")) == expected


@pytest.mark.parametrize("model_id", PROFILES)
def test_profile_prices_csv(page, model_id: str) -> None:
    response = page.request.get(f"/models/{model_id}/prices.csv")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text().splitlines()
    assert lines[0].split(",")[:4] == ["model", "meter", "unit", "amount"]
    assert len(lines) > 1 and all(line.startswith(model_id + ",") for line in lines[1:])


# -- catalog ------------------------------------------------------------------------------

def catalog_rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("table.catalog tbody tr").all_inner_texts()


def submit_filters(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("form.catalog-filters button[type=submit]").click()


def test_catalog_filters_change_the_url_and_the_rows(page) -> None:
    goto(page, "/models")
    everything = catalog_rows(page)
    assert len(everything) > 1

    # Filters apply as they change (no button with JavaScript: tests/browser/test_search_nav.py
    # has the form without it); the address follows.
    page.select_option("form.catalog-filters select[name=provider]", "openai")
    page.wait_for_url(re.compile(r"provider=openai"))
    page.wait_for_function("() => [...document.querySelectorAll("
                           "'table.catalog tbody tr td:nth-child(2)')].every("
                           "td => td.innerText.trim() === 'OpenAI')")
    openai = catalog_rows(page)
    assert openai and openai != everything

    page.select_option("form.catalog-filters select[name=mode]", "chat")
    page.wait_for_url(re.compile(r"mode=chat"))
    page.wait_for_function("() => [...document.querySelectorAll("
                           "'table.catalog tbody tr td:nth-child(3)')].every("
                           "td => td.innerText.trim() === 'Chat')")
    assert "provider=openai" in page.url and "mode=chat" in page.url
    modes = page.locator("table.catalog tbody tr td:nth-child(3)").all_inner_texts()
    assert modes and set(modes) == {"Chat"}


def test_catalog_search(page) -> None:
    goto(page, "/models")
    everything = catalog_rows(page)
    page.fill("form.catalog-filters input[name=q]", "gpt-4o")
    submit_filters(page)
    assert "q=gpt-4o" in page.url
    found = catalog_rows(page)
    assert found and found != everything
    assert all("gpt-4o" in row.lower() for row in found)


def test_catalog_sort_by_input_price(page) -> None:
    goto(page, "/models?provider=openai")
    before = catalog_rows(page)
    with page.expect_navigation():
        page.locator("table.catalog thead th a", has_text="Input").click()
    assert "sort=input" in page.url
    assert page.locator("table.catalog thead th[aria-sort]").inner_text().startswith("Input")
    after = catalog_rows(page)
    assert after != before
    cells = page.locator("table.catalog tbody tr td:nth-child(4)").all_inner_texts()
    # the listed amount leads the cell (a disagreement marker may follow it)
    amounts = [Decimal(found.group(1).replace(",", "")) for c in cells
               if (found := re.match(r"\$([\d,]+(?:\.\d+)?)", c.strip()))]
    assert len(amounts) > 2 and amounts == sorted(amounts)


def test_catalog_next_page(page) -> None:
    goto(page, "/models")
    first = catalog_rows(page)
    if page.locator("nav.pagination a[rel=next]").count() == 0:
        assert len(first) <= 50
        pytest.skip(f"the catalog fits on one page ({len(first)} models: small fixtures)")
    with page.expect_navigation():
        page.locator("nav.pagination a[rel=next]").first.click()
    assert "page=2" in page.url
    second = catalog_rows(page)
    assert second and not set(first) & set(second)


# -- compare --------------------------------------------------------------------------------

def test_compare_overlays_the_chosen_models(page) -> None:
    goto(page, COMPARE_URL)
    charts = figures(page)
    assert charts, "compare draws no chart"
    figure, drawn = charts[0]
    assert drawn == visible_traces(figure) >= len(COMPARED)
    text = page.locator("main").inner_text()
    for model_id in COMPARED:
        assert model_id in text or model_id.split("/")[1] in text


def test_charts_redraw_in_dark_mode(page) -> None:
    page.emulate_media(color_scheme="dark")
    goto(page, "/models/openai/gpt-4o")
    assert wait_for_charts(page) >= 1
    # the paper colour (Plotly styles the figure's first SVG with it); the profile's chart
    # has no legend or range selector of Plotly's (their rect.bg), its key and buttons are HTML
    background = page.locator("[data-chart] svg.main-svg").first.get_attribute("style")
    assert "15, 18, 22" in (background or ""), background     # #0f1216, the dark page colour
