"""The model profile page, its CSV and its cost JSON, over the real-data test catalog.

Works on the full snapshots (../shared) and on a fresh clone's small fixtures; a test
that needs a model the loaded catalog lacks skips with the reason.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from ratecard.models import Disagreement, Model, Price
from ratecard.queries.models import current_prices, model_by_id, shown_prices

SECTIONS = ("Rates", "What a typical job costs", "Pricing history", "Recent changes",
            "Capabilities", "Strengths and weaknesses", "Frequently asked questions",
            "Editorial profile", "Availability", "Last test", "Benchmark verdicts",
            "Same model elsewhere", "Similar models")


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows(page: str) -> list[str]:
    return [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]


def section(page: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}".*?</section>', page, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


def need(site_db, canonical_id: str) -> Model:
    with site_db.session() as session:
        model = model_by_id(session, canonical_id)
    if model is None:
        pytest.skip(f"{canonical_id} is not in the loaded test catalog")
    return model


def shown(site_db, canonical_id: str) -> dict[tuple[str, str, str], Price]:
    with site_db.session() as session:
        model = model_by_id(session, canonical_id)
        assert model is not None
        return shown_prices(current_prices(session, model.id))


def get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


# -- the page ----------------------------------------------------------------------------

def test_gpt_image_2_renders_every_section(site_client, site_db):
    need(site_db, "openai/gpt-image-2")
    page = get(site_client, "/models/openai/gpt-image-2")
    headings = re.findall(r"<(h[1-3])[^>]*>(.*?)</\1>", page, re.S)
    assert [text_of(t) for h, t in headings if h == "h1"] == ["gpt-image-2"]
    h2 = [text_of(t) for h, t in headings if h == "h2"]
    for title in SECTIONS:
        assert title in h2, title
    levels = [int(h[1]) for h, _ in headings]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert "No review yet" in page and "Not measured yet" in page
    assert '<link rel="canonical" href="http://localhost/models/openai/gpt-image-2">' in page
    assert '<meta property="og:type" content="article">' in page
    title = text_of(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    assert title.startswith("gpt-image-2 (OpenAI)")


def test_image_model_summary_is_about_images(site_client, site_db):
    need(site_db, "openai/gpt-image-2")
    page = get(site_client, "/models/openai/gpt-image-2")
    summary = text_of(re.search(r'<p class="lede summary">(.*?)</p>', page, re.S).group(1))
    description = re.search(r'<meta name="description" content="([^"]*)"', page).group(1)
    for text in (summary, html.unescape(description)):
        assert "image generation model" in text
        assert "text generation" not in text.lower()
    assert "text generation" not in page.lower()


def test_chat_summary_names_context_and_prices(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    page = get(site_client, "/models/openai/gpt-4o")
    summary = text_of(re.search(r'<p class="lede summary">(.*?)</p>', page, re.S).group(1))
    assert "chat model from OpenAI" in summary and "128k-token context window" in summary
    assert "$2.50 per 1M input tokens" in summary and "image generation" not in summary


def test_gpt_image_2_rates_show_text_and_image_output(site_client, site_db):
    need(site_db, "openai/gpt-image-2")
    rates = section(get(site_client, "/models/openai/gpt-image-2"), "rates")
    table = rows(rates)
    assert any(r.startswith("Text output $10.00 per 1M tokens LiteLLM") for r in table), table
    assert any(r.startswith("Image output $30.00 per 1M tokens") for r in table), table
    assert "$0.00" not in rates
    assert "Sources and freshness" in rates and "every 6 hours" in rates


def test_per_image_prices_as_a_quality_by_size_grid(site_client, site_db):
    need(site_db, "openai/gpt-image-1")
    rates = section(get(site_client, "/models/openai/gpt-image-1"), "rates")
    grid = re.search(r'<table class="grid[^"]*">.*?</table>', rates, re.S)
    assert grid, "no per-image grid"
    header, *body = rows(grid.group(0))
    assert "1024x1024" in header and "1024x1536" in header
    by_quality = {r.split()[0]: r for r in body}
    assert {"low", "high"} <= set(by_quality)
    assert "$0.011" in by_quality["low"] and "$0.25" in by_quality["high"]
    prices = shown(site_db, "openai/gpt-image-1")
    cells = {(p.quality, p.size) for p in prices.values() if p.unit == "image"}
    qualities = {q for q, _ in cells}
    sizes = {s for _, s in cells}
    if len(cells) < len(qualities) * len(sizes):      # a combination nobody prices
        assert "not published" in grid.group(0)
    costs = section(get(site_client, "/models/openai/gpt-image-1"), "costs")
    assert "1 image" in costs and "$0.011" in costs


def test_batch_and_priority_have_their_own_rows(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    rates = section(get(site_client, "/models/openai/gpt-4o"), "rates")
    standard = re.search(r"<caption>Standard rates.*?</table>", rates, re.S).group(0)
    tiers = re.search(r"<caption>Service-tier rates.*?</table>", rates, re.S).group(0)
    inputs = [r for r in rows(standard) if r.startswith("Input ")]
    assert len(inputs) == 1 and inputs[0].startswith("Input $2.50")
    assert "Batch" not in standard and "batch" not in standard
    assert any(r.startswith("Input Batch tier $1.25") for r in rows(tiers)), rows(tiers)
    assert any(r.startswith("Output Batch tier $5.00") for r in rows(tiers))


def test_disagreement_is_flagged(site_client, site_db):
    with site_db.session() as session:
        found = session.execute(select(Model.canonical_id, Disagreement.meter).join(
            Disagreement, Disagreement.model_id == Model.id).where(
            Disagreement.conditions_key == "").limit(1)).first()
    if found is None:
        pytest.skip("no disagreement between sources in the loaded catalog")
    provider, name = found[0].split("/", 1)
    rates = section(get(site_client, f"/models/{provider}/{name}"), "rates")
    assert "Sources disagree" in rates
    assert 'class="disagrees"' in rates


def test_missing_price_reads_not_published(site_client, site_db):
    need(site_db, "openai/gpt-image-2")
    page = get(site_client, "/models/openai/gpt-image-2")
    assert "not published" in page       # max output, per-image prices elsewhere…
    with site_db.session() as session:
        have_output = select(Price.model_id).where(
            Price.meter == "output", Price.valid_to.is_(None), Price.conditions_key == "")
        model = session.scalar(select(Model).where(
            Model.mode == "chat", Model.id.not_in(have_output)).order_by(Model.id).limit(1))
        if model is None:
            pytest.skip("every chat model in this catalog has an output price")
        canonical = model.canonical_id
    provider, name = canonical.split("/", 1)
    rates = section(get(site_client, f"/models/{provider}/{name}"), "rates")
    output = next(r for r in rows(rates) if r.startswith("Output"))
    assert "not published" in output and "$0" not in output
    costs = section(get(site_client, f"/models/{provider}/{name}"), "costs")
    assert "not published" in costs


# -- addresses ---------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "target"), [
    ("/models/low/1024-x-1024/gpt-image-1", "/models/openai/gpt-image-1"),   # litellm key
    ("/models/openai/gpt-4o:batch", "/models/openai/gpt-4o"),                # openrouter key
    ("/models/gemini/gemini-2.5-pro", "/models/google/gemini-2.5-pro"),      # litellm route
    ("/models/OpenAI/GPT-4o", "/models/openai/gpt-4o"),                      # case
    ("/models/openai/gpt-4o:batch/prices.csv", "/models/openai/gpt-4o/prices.csv"),
])
def test_alias_redirects_to_canonical(site_client, site_db, path, target):
    need(site_db, target.split("/", 2)[2].removesuffix("/prices.csv"))
    response = site_client.get(path)
    assert response.status_code == 301, path
    assert response.headers["Location"].endswith(target)


def test_redirect_keeps_calculator_query(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    response = site_client.get("/models/openai/gpt-4o:batch?tokens_in=5")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/models/openai/gpt-4o?tokens_in=5")


def test_unknown_model_is_404_with_suggestions(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    response = site_client.get("/models/openai/gpt-4oo")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Did you mean" in page and 'href="/models/openai/gpt-4o"' in page
    assert site_client.get("/models/nobody/nothing-like-it-at-all").status_code == 404


def test_model_id_with_a_slash(site_client, site_db):
    with site_db.session() as session:
        wanted = session.scalar(select(Model.canonical_id).where(
            Model.canonical_id.like("%/%/%")).order_by(Model.canonical_id).limit(1))
    if wanted is None:
        pytest.skip("no model id with a slash in its name in the loaded test catalog")
    page = get(site_client, f"/models/{wanted}")
    assert "<h1>" in page and wanted in page
    body = get(site_client, f"/models/{wanted}/prices.csv")
    assert {r["model"] for r in csv.DictReader(io.StringIO(body))} <= {wanted}
    cost = site_client.get(f"/models/{wanted}/cost").get_json()
    assert cost["model"] == wanted


def test_reseller_copy_redirects_to_the_labs_model(site_client, site_db):
    # LiteLLM's openrouter/openai/gpt-4o copies OpenRouter's own openai/gpt-4o: one model.
    need(site_db, "openai/gpt-4o")
    response = site_client.get("/models/openrouter/openai/gpt-4o")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/models/openai/gpt-4o")


def test_same_model_elsewhere_and_similar(site_client, site_db):
    need(site_db, "azure/gpt-4o")
    page = get(site_client, "/models/openai/gpt-4o")
    elsewhere = section(page, "elsewhere")
    assert 'href="/models/azure/gpt-4o"' in elsewhere
    azure = next(r for r in rows(elsewhere) if "azure/gpt-4o" in r and "2024" not in r)
    assert "$2.50" in azure and "$10.00" in azure
    similar = section(page, "similar")
    links = re.findall(r'href="(/models/[^"]+)"', similar)
    assert 1 <= len(links) <= 5
    assert "/models/openai/gpt-4o" not in links and "/models/azure/gpt-4o" not in links


# -- calculator -----------------------------------------------------------------------------

def _expected(site_db, tokens_in: int, tokens_out: int, cached_pct: str, batch: bool
              ) -> Decimal:
    prices = shown(site_db, "openai/gpt-4o")
    tier = "service_tier=batch" if batch else ""

    def rate(meter: str) -> Decimal:
        price = prices.get((meter, "1M_tokens", tier)) or prices[(meter, "1M_tokens", "")]
        return price.amount

    cached = Decimal(tokens_in) * Decimal(cached_pct) / 100
    million = Decimal(1_000_000)
    return ((Decimal(tokens_in) - cached) * rate("input") / million
            + cached * rate("cache_read") / million
            + Decimal(tokens_out) * rate("output") / million)


@pytest.mark.parametrize("batch", [False, True])
def test_calculator_get_gives_exact_figures(site_client, site_db, batch):
    need(site_db, "openai/gpt-4o")
    query = "tokens_in=1234567&tokens_out=89013&cached_pct=37.5" + ("&batch=1" if batch else "")
    page = get(site_client, f"/models/openai/gpt-4o?{query}")
    expected = _expected(site_db, 1234567, 89013, "37.5", batch)
    exact = re.search(r'data-field="total_exact">([^<]*)<', page).group(1)
    assert exact.endswith(" USD") and Decimal(exact.removesuffix(" USD")) == expected
    assert 'value="1234567"' in page
    assert ('name="batch" value="1" checked' in page) == batch
    total = re.search(r'<strong data-field="total">([^<]*)<', page).group(1)
    assert total.startswith("$") and total != "$0.00"


def test_typical_conversation(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    costs = section(get(site_client, "/models/openai/gpt-4o"), "costs")
    one = _expected(site_db, 600, 200, "0", False)
    values = re.findall(r'<data class="exact" value="([^"]+)"', costs)
    assert [Decimal(v) for v in values] == [one, one * 1000]
    assert 'data-live="/models/openai/gpt-4o/cost"' in costs
    for name in ("tokens_in", "tokens_out", "cached_pct", "batch"):
        assert re.search(rf'<label[^>]*>[^<]*<input[^>]*name="{name}"', costs) or re.search(
            rf'<label[^>]*><input[^>]*name="{name}"', costs), name


@pytest.mark.parametrize(("query", "parameter"), [
    ("tokens_in=abc", "tokens_in"), ("tokens_out=-5", "tokens_out"),
    ("cached_pct=150", "cached_pct"), ("cached_pct=NaN", "cached_pct"),
    ("batch=maybe", "batch"), ("images=1.5", "images"), ("tokens_in=%C2%B2", "tokens_in"),
    ("tokens_in=99999999999999999", "tokens_in"), ("image_option=huge", "image_option"),
])
def test_bad_calculator_input_is_400_naming_the_parameter(site_client, site_db, query,
                                                          parameter):
    need(site_db, "openai/gpt-4o")
    response = site_client.get(f"/models/openai/gpt-4o?{query}")
    assert response.status_code == 400
    assert parameter in response.get_data(as_text=True)
    problem = site_client.get(f"/models/openai/gpt-4o/cost?{query}")
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["parameter"] == parameter


def test_cost_json(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    body = site_client.get("/models/openai/gpt-4o/cost?tokens_in=1000000&tokens_out=0").get_json()
    rate = shown(site_db, "openai/gpt-4o")[("input", "1M_tokens", "")].amount
    assert Decimal(body["total_exact"].removesuffix(" USD")) == rate
    assert body["total"] == f"${rate:.2f}" and body["cost_output"] == "—"
    assert body["qty_input"] == "1,000,000"


def test_image_calculator(site_client, site_db):
    need(site_db, "openai/gpt-image-1")
    response = site_client.get(
        "/models/openai/gpt-image-1/cost?tokens_in=0&tokens_out=0&images=4"
        "&image_option=high|1024x1536")
    body = response.get_json()
    assert body["total_exact"] == "1 USD" and body["cost_images"] == "$1.00"


# -- history, chart and CSV -------------------------------------------------------------------

def test_chart_is_a_step_line_per_source(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    page = get(site_client, "/models/openai/gpt-4o")
    history = section(page, "history")
    data = re.search(r'<script type="application/json" id="chart-history">(.*?)</script>',
                     history, re.S).group(1)
    figure = json.loads(data)
    assert all(t["line"]["shape"] == "hv" for t in figure["data"])
    with site_db.session() as session:
        model = model_by_id(session, "openai/gpt-4o")
        name = model.name          # the sources' name (models.dev), not the id's
        sources = set(session.scalars(select(Price.source).where(
            Price.model_id == model.id, Price.meter == "input", Price.conditions_key == "")))
    inputs = [t for t in figure["data"] if t["name"].startswith("Input,")]
    assert len(inputs) == len(sources) == len({t["legendgroup"] for t in inputs})
    assert {t["legendgroup"] for t in inputs} == sources
    # token meters share one panel; no Plotly range selector (the buttons are HTML)
    assert {t["yaxis"] for t in figure["data"] if t["name"].startswith(("Input,", "Output,"))
            } == {"y"}
    assert "rangeselector" not in figure["layout"]["xaxis"]
    assert re.search(r'data-chart="chart-history"[^>]*\srole="figure"\s+aria-label="[^"]+"',
                     history)
    assert f"<caption>Price history of {name}" in history and name == "GPT-4o"


def test_first_load_is_the_svg_chart_and_plotly_waits(site_client, site_db):
    """The profile draws its history as an SVG in the HTML and names plotly.min.js only
    for site.js to fetch later: no <script src=...plotly> anywhere in the page."""
    need(site_db, "openai/gpt-4o")
    page = get(site_client, "/models/openai/gpt-4o")
    assert not re.search(r"<script[^>]+plotly", page)
    history = section(page, "history")
    assert re.search(r'data-chart="chart-history" data-plotly="/assets/\w+/plotly\.min\.js"',
                     history)
    svg = re.search(r'<svg class="price-svg".*?</svg>', history, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert re.search(r"unchanged since \d{4}-\d\d-\d\d", svg)
    assert re.search(r'<li>Input \(per 1M tokens\): \$[\d.,]+, unchanged since', history)
    assert '<div class="range-buttons" role="group"' in history
    assert history.count("data-range=") == 4


def test_prices_csv(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    response = site_client.get("/models/openai/gpt-4o/prices.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert reader.fieldnames == ["model", "meter", "unit", "amount", "currency", "conditions",
                                 "source", "valid_from", "valid_to"]
    table = list(reader)
    current = [r for r in table if r["meter"] == "input" and r["source"] == "litellm"
               and r["conditions"] == "{}" and r["valid_to"] == ""]
    assert len(current) == 1
    row = current[0]
    assert (row["model"], row["unit"], row["amount"], row["currency"]) == (
        "openai/gpt-4o", "1M_tokens", "2.5", "USD")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["valid_from"])
    batch = [r for r in table if json.loads(r["conditions"]) == {"service_tier": "batch"}
             and r["meter"] == "input" and r["valid_to"] == ""]
    assert batch and all(r["amount"] == "1.25" for r in batch)
    with site_db.session() as session:
        model = model_by_id(session, "openai/gpt-4o")
        count = len(session.scalars(select(Price.id).where(Price.model_id == model.id)).all())
    assert len(table) == count


def test_page_without_javascript_has_no_inline_script(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    page = get(site_client, "/models/openai/gpt-4o")
    for tag in re.findall(r"<script[^>]*>", page):
        assert re.search(r'type="application/(ld\+)?json"', tag) or "src=" in tag, tag


# -- matching and words -----------------------------------------------------------------------

@pytest.mark.parametrize(("one", "other"), [
    ("openai/gpt-4o", "azure/gpt-4o"),
    ("openai/gpt-4o", "openrouter/openai/gpt-4o"),
    ("anthropic/claude-sonnet-4-5", "openrouter/anthropic/claude-sonnet-4.5"),
    ("anthropic/claude-3-haiku-20240307", "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0"),
    ("anthropic/claude-3-haiku-20240307", "vertex_ai/claude-3-haiku@20240307"),
    ("meta/llama-3.1-70b-instruct", "bedrock/meta.llama3-1-70b-instruct-v1:0"),
])
def test_same_model_keys(one, other):
    from ratecard.queries.related import family_keys

    assert family_keys(one)[0] == family_keys(other)[0]


def test_different_models_do_not_match():
    from ratecard.queries.related import family_keys

    assert family_keys("openai/gpt-4o")[0] != family_keys("openai/gpt-4o-mini")[0]
    assert family_keys("openai/gpt-4o-2024-08-06")[1] == family_keys("openai/gpt-4o")[1]
    assert family_keys("openai/gpt-4o-2024-08-06")[0] != family_keys("openai/gpt-4o")[0]


def test_no_image_model_is_called_a_text_model(site_client, site_db):
    with site_db.session() as session:
        ids = list(session.scalars(select(Model.canonical_id).where(
            Model.mode.in_(("image_generation", "image_edit"))).order_by(Model.id).limit(40)))
    assert ids
    for canonical in ids:
        provider, name = canonical.split("/", 1)
        page = get(site_client, f"/models/{provider}/{name}")
        summary = text_of(re.search(r'<p class="lede summary">(.*?)</p>', page, re.S).group(1))
        assert "image" in summary and "text generation" not in summary, canonical
        assert "chat model" not in summary, canonical


def test_empty_calculator_field_counts_as_zero(site_client, site_db):
    need(site_db, "openai/gpt-4o")
    body = site_client.get("/models/openai/gpt-4o/cost?tokens_in=&tokens_out=").get_json()
    assert body["total"] == "$0.00" and body["qty_input"] == "0"


def test_unknown_model_on_csv_and_cost_routes(site_client, site_db):
    assert site_client.get("/models/nobody/nothing/prices.csv").status_code == 404
    assert site_client.get("/models/nobody/nothing/cost").status_code == 404
