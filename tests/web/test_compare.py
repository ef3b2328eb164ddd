"""Compare: 2–6 models side by side, typical costs, one overlay chart, the picker."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import plotly.graph_objects as go
import pytest
from sqlalchemy import func, select

from ratecard import costs
from ratecard.charts.compare import Segment, Series, overlay_figure
from ratecard.models import Model, Price
from ratecard.money import display as money
from ratecard.queries.models import shown_prices
from tests.web.html_tables import parse


def _priced_models(session, n: int, with_history: bool = False) -> list[str]:  # type: ignore[no-untyped-def]
    """n chat models with current base input and output prices (with price history first)."""
    base = (Price.unit == "1M_tokens", Price.conditions_key == "")
    current = select(Price.model_id).where(*base, Price.meter == "input",
                                           Price.valid_to.is_(None))
    histories = select(Price.model_id).where(*base, Price.meter == "input").group_by(
        Price.model_id).having(func.count() > 1)
    query = select(Model.canonical_id).where(Model.mode == "chat", Model.id.in_(current),
                                             Model.id.in_(select(Price.model_id).where(
                                                 *base, Price.meter == "output",
                                                 Price.valid_to.is_(None))))
    ids = []
    if with_history:
        ids = list(session.scalars(query.where(Model.id.in_(histories)).order_by(
            Model.canonical_id).limit(n)))
    ids += [i for i in session.scalars(query.order_by(Model.canonical_id).limit(n * 3))
            if i not in ids]
    names = dict(session.execute(select(Model.canonical_id, Model.name).where(
        Model.canonical_id.in_(ids))).all())
    ids = [i for index, i in enumerate(ids)       # distinct names: columns are named by them
           if names[i] not in {names[j] for j in ids[:index]}]
    if len(ids) < n:
        pytest.skip(f"fewer than {n} priced chat models in this catalog")
    return ids[:n]


def _shown(session, canonical_id: str) -> dict:  # type: ignore[no-untyped-def]
    model = session.scalar(select(Model).where(Model.canonical_id == canonical_id))
    prices = list(session.scalars(select(Price).where(Price.model_id == model.id,
                                                      Price.valid_to.is_(None))))
    return {"model": model, "shown": shown_prices(prices)}


def test_two_models_side_by_side(site_client, site_db):
    with site_db.session() as session:
        ids = _priced_models(session, 2)
        info = {i: _shown(session, i) for i in ids}
    response = site_client.get("/compare?models=" + ",".join(ids))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = parse(html)
    names = [info[i]["model"].name for i in ids]
    assert [t for lvl, t in page.headings if lvl == 1] == [" vs ".join(names)]
    rates = [t for t in page.tables if "Current rates" in str(t["caption"])][0]
    assert rates["head"][1:] == names
    input_row = next(r for r in rates["rows"] if r[0].startswith("Input per 1M tokens")
                     and "·" not in r[0])
    for index, canonical in enumerate(ids):
        amount = info[canonical]["shown"][("input", "1M_tokens", "")].amount
        assert input_row[index + 1] == money(amount)
    # Typical conversation: 600 input + 200 output tokens, exact Decimal then rounded.
    costs_table = [t for t in page.tables if "typical conversation" in str(t["caption"])][0]
    one = next(r for r in costs_table["rows"] if r[0] == "One conversation")
    thousand = next(r for r in costs_table["rows"] if r[0] == "1,000 conversations")
    for index, canonical in enumerate(ids):
        shown = info[canonical]["shown"]
        cost = (600 * shown[("input", "1M_tokens", "")].amount
                + 200 * shown[("output", "1M_tokens", "")].amount) / Decimal(1_000_000)
        assert one[index + 1] == money(costs.rounded(cost))
        assert thousand[index + 1] == money(costs.rounded(cost * 1000))
    # Remove links drop one model each; the picker keeps the list.
    for canonical in ids:
        others = [i for i in ids if i != canonical]
        assert f"/compare?models={others[0]}" in page.links
    assert 'name="add" list="model-ids"' in html and '<datalist id="model-ids">' in html
    assert f'<option value="{ids[0]}"' in html
    assert f'name="models" value="{",".join(ids)}"' in html


def test_chart_overlays_price_histories_as_step_lines(site_client, site_db):
    with site_db.session() as session:
        ids = _priced_models(session, 2, with_history=True)
    html = site_client.get("/compare?models=" + ",".join(ids)).get_data(as_text=True)
    page = parse(html)
    assert html.count('data-chart="compare-chart"') == 1
    figure = json.loads("".join(page.scripts["compare-chart"]))
    go.Figure(figure)                         # valid against plotly's schema
    traces = figure["data"]
    assert 2 <= len(traces) <= 4
    for trace in traces:
        assert trace["line"]["shape"] == "hv"
        assert all(isinstance(y, str | None) for y in trace["y"])   # exact decimals
        dt.date.fromisoformat(trace["x"][0])
    # plotly.js is fetched by site.js once the chart is in view, never in the head
    assert "plotly.min.js" not in html.split("</head>")[0]
    assert re.search(r'data-chart="compare-chart" data-plotly="/assets/\w+/plotly\.min\.js"', html)
    history = [t for t in page.tables if "by period" in str(t["caption"])][0]
    assert history["rows"], "the chart has a table alternative"


def test_six_models_and_the_limit(site_client, site_db):
    with site_db.session() as session:
        ids = _priced_models(session, 7)
    response = site_client.get("/compare?models=" + ",".join(ids[:6]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rates = [t for t in parse(html).tables if "Current rates" in str(t["caption"])][0]
    assert len(rates["head"]) == 7
    assert "the most at once" in html
    response = site_client.get("/compare?models=" + ",".join(ids))
    assert response.status_code == 400 and "models:" in response.get_data(as_text=True)
    response = site_client.get("/compare?models=" + ",".join(ids[:6]) + "&add=" + ids[6])
    assert response.status_code == 400 and "add:" in response.get_data(as_text=True)


def test_fewer_than_two_shows_the_picker(site_client, site_db):
    with site_db.session() as session:
        first = _priced_models(session, 1)[0]
    for url in ("/compare", "/compare?models=", f"/compare?models={first}",
                "/compare?models=,,,,"):
        response = site_client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "Compare models" in html and 'name="add"' in html
    assert first in site_client.get(f"/compare?models={first}").get_data(as_text=True)


def test_unknown_ids_are_a_400_naming_them(site_client, site_db):
    with site_db.session() as session:
        first = _priced_models(session, 1)[0]
    response = site_client.get(f"/compare?models={first},nobody/nothing-9")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "models:" in text and "nobody/nothing-9" in text
    # A typed id or name is never an error page (tests/web/test_navigation.py).
    response = site_client.get(f"/compare?models={first}&add=nobody/nothing-9")
    assert response.status_code == 200 and "No model matches" in response.get_data(as_text=True)


def test_add_redirects_to_the_longer_list(site_client, site_db):
    with site_db.session() as session:
        a, b = _priced_models(session, 2)
    response = site_client.get(f"/compare?models={a}&add={b.upper()}")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.path == "/compare"
    assert parse_qs(location.query) == {"models": [f"{a},{b}"]}
    # Duplicates and case are folded.
    response = site_client.get(f"/compare?models={a},{a.upper()},{b}")
    assert response.status_code == 200


def test_batch_and_tiers_are_separate_rows(site_client, site_db):
    with site_db.session() as session:
        tiered = session.scalar(select(Model.canonical_id).join(Price).where(
            Price.valid_to.is_(None), Price.service_tier == "batch", Price.meter == "input",
            Model.mode == "chat").order_by(Model.canonical_id).limit(1))
        other = _priced_models(session, 1)[0]
    if tiered is None:
        pytest.skip("no model with a batch price")
    if other == tiered:
        other = _priced_models(session, 2)[1]
    html = site_client.get(f"/compare?models={tiered},{other}").get_data(as_text=True)
    rates = [t for t in parse(html).tables if "Current rates" in str(t["caption"])][0]
    labels = [row[0] for row in rates["rows"]]
    assert "Input per 1M tokens" in labels
    assert any(label.startswith("Input") and "Batch tier" in label for label in labels)


def test_overlay_figure_is_pure_and_exact():
    day = dt.date(2026, 1, 1)
    series = [
        Series("A", "input", (Segment(day, dt.date(2026, 3, 1), Decimal("2.5"), "litellm"),
                              Segment(dt.date(2026, 3, 1), None, Decimal("10"), "litellm"))),
        Series("A", "output", ()),
        Series("B", "input", (Segment(day, dt.date(2026, 2, 1), Decimal("1"), "openrouter"),
                              Segment(dt.date(2026, 4, 1), None, Decimal("0.5"),
                                      "openrouter"))),
    ]
    figure = overlay_figure(series, dt.date(2026, 6, 1), ["A", "B"])
    go.Figure(figure)
    a, b = figure["data"]
    assert a["x"] == ["2026-01-01", "2026-03-01", "2026-06-01"]
    assert a["y"] == ["2.5", "10", "10"]
    assert a["line"]["shape"] == "hv" and a["name"] == "A · input"
    # A gap in B's history breaks its line instead of bridging it.
    assert b["x"] == ["2026-01-01", "2026-02-01", None, "2026-04-01", "2026-06-01"]
    assert a["line"]["color"] != b["line"]["color"]


def test_image_models_are_priced_per_image_not_per_conversation(site_client, site_db):
    with site_db.session() as session:
        image = session.scalar(select(Model.canonical_id).join(Price).where(
            Model.mode == "image_generation", Price.meter == "image", Price.unit == "image",
            Price.valid_to.is_(None)).order_by(Model.canonical_id).limit(1))
        if image is None:
            pytest.skip("no image model with a per-image price")
        cheapest = min(p.amount for p in _shown(session, image)["shown"].values()
                       if p.meter == "image" and p.unit == "image")
        chat = _priced_models(session, 1)[0]
    html = site_client.get(f"/compare?models={image},{chat}").get_data(as_text=True)
    costs_table = [t for t in parse(html).tables if "typical conversation" in str(t["caption"])][0]
    rows = {row[0]: row[1:] for row in costs_table["rows"]}
    assert rows["One conversation"][0] == "image model: per image below"
    assert rows["One conversation"][1].startswith("$")
    assert rows["One image"][0].endswith(money(cheapest))
    assert rows["1,000 images"][0].endswith(money(cheapest * 1000))


def test_models_sharing_a_name_are_told_apart(site_client, site_db):
    with site_db.session() as session:
        name = session.scalar(select(Model.name).group_by(Model.name).having(
            func.count() > 1).order_by(Model.name).limit(1))
        if name is None:
            pytest.skip("no two models share a name")
        twins = list(session.scalars(select(Model).where(Model.name == name).order_by(
            Model.canonical_id).limit(2)))
        ids = [m.canonical_id for m in twins]
        expected = [f"{m.name} ({m.provider.name})" for m in twins]
    html = site_client.get("/compare?models=" + ",".join(ids)).get_data(as_text=True)
    rates = [t for t in parse(html).tables if "Current rates" in str(t["caption"])][0]
    assert rates["head"][1:] == expected
