"""Image models compared as images (issue 12, item 4): per-token and per-image prices in
columns of their own, sorted by the cost of one standard image (published, or computed from
the provider's image-token counts and marked so), gpt-image-2's typical cost, and "similar
models" ranked by that cost. Over the real-data test catalog (full snapshots or the
project's own cuts)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ratecard import image_costs
from ratecard.image_costs import option_of
from ratecard.money import display as money
from ratecard.queries.models import current_prices, model_by_id, shown_prices
from tests.web.html_tables import amount, column, parse, table
from tests.web.test_profile import get, need, rows, section, text_of

ROOT = Path(__file__).resolve().parents[2]
IMAGE_HEAD = ["Model", "Provider", "Mode", "Input", "Image tokens", "Per image",
              "Standard image", "Released", "Availability", "p50", "Capabilities"]



def _id(row: list[str]) -> str:
    """The model id in a catalog row's first cell (before its copy and compare actions)."""
    return row[0].split(" Copy id ")[0].split()[-1]

def _head(html: str, css_class: str = "catalog") -> list[str]:
    return [h.replace("▲", "").replace("▼", "").split(" latency")[0].strip()
            for h in table(html, css_class)["head"]]  # type: ignore[union-attr]


def _all_rows(client, url: str) -> list[list[str]]:
    found: list[list[str]] = []
    head: list[str] = []
    for _ in range(50):
        html = get(client, url)
        head = _head(html)
        found.extend(table(html, "catalog")["rows"])  # type: ignore[arg-type]
        url = parse(html).next  # type: ignore[assignment]
        if url is None:
            return [head, *found]
    raise AssertionError("too many pages")


def _standard(site_db, canonical_id: str) -> image_costs.ImageCost | None:
    """One standard image of a model, worked out here from its shown current rows."""
    with site_db.session() as session:
        model = model_by_id(session, canonical_id)
        assert model is not None
        shown = shown_prices(current_prices(session, model.id))
    published = {option_of(ckey): p.amount for (meter, unit, ckey), p in shown.items()
                 if (meter, unit) == ("image", "image")
                 and all(part.startswith(("quality=", "size=")) for part in ckey.split(";")
                         if part)}
    rate = shown.get(("output_image", "1M_tokens", ""))
    return image_costs.standard_cost(canonical_id, published, rate.amount if rate else None)


def _gpt_image_2(site_db) -> image_costs.ImageCost:
    need(site_db, "openai/gpt-image-2")
    cost = _standard(site_db, "openai/gpt-image-2")
    if cost is None or not cost.computed:
        pytest.skip("gpt-image-2 has a published per-image price in this catalog")
    return cost


# -- the catalog's image mode --------------------------------------------------------------

def test_image_mode_has_per_token_and_per_image_columns(site_client):
    html = get(site_client, "/models?mode=image_generation")
    assert _head(html) == IMAGE_HEAD
    note = text_of(html.split('class="note image-note">')[1].split("</p>")[0])
    assert "per 1M tokens" in note and "1024×1024" in note and "computed" in note
    # every image-token cell is per 1M tokens, every per-image cell says "/ image"
    for cell in column(html, "catalog", "Per image") + column(html, "catalog",
                                                                   "Standard image"):
        assert cell == "—" or "/ image" in cell, cell
    for cell in column(html, "catalog", "Image tokens"):
        assert "image" not in cell, cell


@pytest.mark.parametrize("sort", ["image", "per_image", "image_tokens", "input"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_image_mode_sorts_by_each_price_column(site_client, sort, order):
    head, *found = _all_rows(site_client, f"/models?mode=image_generation&sort={sort}"
                                          f"&order={order}")
    name = {"image": "Standard image", "per_image": "Per image", "image_tokens": "Image tokens",
            "input": "Input"}[sort]
    values = [amount(row[head.index(name)]) for row in found]
    priced = [v for v in values if v is not None]
    assert priced, f"no {name} figure in image mode"
    assert values[:len(priced)] == priced, "models without the price come last"
    assert priced == sorted(priced, reverse=order == "desc")


def test_standard_image_sort_compares_gpt_image_2_with_per_image_models(site_client, site_db):
    cost = _gpt_image_2(site_db)
    head, *found = _all_rows(site_client, "/models?mode=image_generation&sort=image")
    by_id = {_id(row): row for row in found}
    cell = by_id["openai/gpt-image-2"][head.index("Standard image")]
    # 1,756 tokens x $30 per 1M image output tokens, exact, and marked as computed
    assert amount(cell) == cost.amount == Decimal(cost.tokens) * cost.rate / 1_000_000
    assert "computed" in cell
    published = [row for row in found if amount(row[head.index("Standard image")])
                 and "computed" not in row[head.index("Standard image")]]
    assert published, "no model with a published per-image price to compare with"
    for row in published[:20]:        # a published figure is never marked computed
        expected = _standard(site_db, _id(row))
        assert expected is not None and not expected.computed
        assert amount(row[head.index("Standard image")]) == expected.amount
    # the per-token text output price ($10 for gpt-image-2) is not in any image column
    assert "$10.00" not in " ".join(by_id["openai/gpt-image-2"][3:7])


def test_output_sort_in_image_mode_is_the_standard_image(site_client):
    html = get(site_client, "/models?mode=image_generation&sort=output")
    assert "sorted by cost of one standard image" in table(html, "catalog")["caption"]  # type: ignore[operator]


def test_lists_show_an_image_figure_for_image_models(site_client, site_db):
    cost = _gpt_image_2(site_db)
    html = get(site_client, "/models?q=gpt-image-2")
    head = _head(html)
    row = next(r for r in table(html, "catalog")["rows"]  # type: ignore[union-attr]
               if _id(r) == "openai/gpt-image-2")
    cell = row[head.index("Output")]
    assert amount(cell) == cost.amount and "/ image" in cell and "computed" in cell


def test_provider_page_lists_image_models_with_separate_columns(site_client, site_db):
    cost = _gpt_image_2(site_db)
    html = get(site_client, "/providers/openai")
    assert _head(html, "image-prices") == ["Model", "Input", "Image tokens", "Per image",
                                           "Standard image"]
    found = table(html, "image-prices")["rows"]
    values = [amount(r[4]) for r in found]  # type: ignore[union-attr]
    priced = [v for v in values if v is not None]
    assert values[:len(priced)] == priced == sorted(priced)
    row = next(r for r in found if _id(r) == "openai/gpt-image-2")  # type: ignore[union-attr]
    assert amount(row[4]) == cost.amount and "computed" in row[4]
    assert "/models?provider=openai&amp;mode=image_generation&amp;sort=image" in html


# -- the profile -------------------------------------------------------------------------------

def test_gpt_image_2_typical_cost_is_one_image_at_each_quality_and_size(site_client, site_db):
    cost = _gpt_image_2(site_db)
    costs = section(get(site_client, "/models/openai/gpt-image-2"), "costs")
    words = text_of(costs)
    assert f"One standard image (medium, 1024x1024): {money(cost.amount)} computed" in words
    assert "No source publishes a per-image price for gpt-image-2" in words
    assert "methodology#image-costs" in costs
    grid = table(costs, "image-grid")
    sizes = grid["head"][1:]  # type: ignore[index]
    assert sizes == ["1024x1024", "1024x1536", "1536x1024", "2048x2048"]
    by_quality = {r[0]: r[1:] for r in grid["rows"]}  # type: ignore[union-attr]
    assert list(by_quality) == ["low", "medium", "high"]
    for (quality, size), tokens in image_costs.GPT_IMAGE_2.tokens.items():
        value = Decimal(tokens) * cost.rate / 1_000_000     # type: ignore[operator]
        cell = by_quality[quality][sizes.index(size)]
        assert cell.endswith(f"({tokens:,})"), cell
        assert f'<data class="exact" value="{value.normalize():f}">' in costs, (quality, size)
    assert "$10.00" not in text_of(costs).split("Calculator")[0]   # not the text output price


def test_gpt_image_2_calculator_starts_at_one_standard_image(site_client, site_db):
    cost = _gpt_image_2(site_db)
    body = site_client.get("/models/openai/gpt-image-2/cost?tokens_in=0").get_json()
    assert body["qty_image_tokens"] == f"{cost.tokens:,}"
    assert Decimal(body["total_exact"].removesuffix(" USD")) == cost.amount


def test_similar_image_models_are_ranked_by_the_cost_of_one_image(site_client, site_db):
    cost = _gpt_image_2(site_db)
    similar = section(get(site_client, "/models/openai/gpt-image-2"), "similar")
    words = text_of(similar)
    assert "cost of one standard image" in words and "Standard image" in words
    found = [r for r in rows(similar) if "$" in r]
    if not found:
        pytest.skip("no other image model with a standard image cost in this catalog")
    prices = [amount(r.split(" Difference")[0]) for r in found]
    distances = [abs(p - cost.amount) for p in prices if p is not None]
    assert distances == sorted(distances), "nearest standard image first"
    assert not all(r.endswith(" same") for r in found), "every row reads 'same'"
    for r in found:          # the difference is against the computed $0.05268, exactly
        price = amount(r)
        assert price is not None
        diff = price - cost.amount
        tail = "same" if diff == 0 else (f"+{money(diff)}" if diff > 0 else f"−{money(-diff)}")
        assert r.endswith(tail), (r, tail)


def test_methodology_page_gives_every_token_count_with_its_source(db, client):
    """The page the "computed" marks link to states each count the code uses, its source
    and the date it was checked (the project's own content/ folder, imported)."""
    from ratecard.services.content_files import import_files

    with db.session() as session:
        report = import_files(session, ROOT / "content")
    assert "pages/methodology.md" not in report.refused
    html = get(client, "/methodology")
    assert 'id="image-costs"' in html
    page = text_of(html)
    for table_ in image_costs.TOKEN_TABLES:
        assert table_.source.split(",")[0] in page
        assert table_.checked.isoformat() in page
        for tokens in table_.tokens.values():
            assert f"{tokens:,}" in page, (table_.models, tokens)
