"""The catalog (/models): filters, sort, search and pagination, all in the query string."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, or_, select

from ratecard.labels import MODE_LABELS, count, provider_name
from ratecard.models import Model, Price, Provider
from ratecard.queries.models import shown_prices
from tests.web.html_tables import amount, column, parse, table, tokens

TODAY = dt.datetime.now(dt.UTC).date()


def _current_models(session):  # type: ignore[no-untyped-def]
    return select(func.count()).select_from(Model).where(
        or_(Model.deprecation_date.is_(None), Model.deprecation_date > TODAY))


def _rows(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.data[-400:]
    return response, table(response.data, "catalog")["rows"]


def _id(row):  # type: ignore[no-untyped-def]
    """The canonical id in a catalog row's first cell: the word before its copy button."""
    return row[0].split(" Copy id ")[0].split()[-1]


def _all_pages(client, url):  # type: ignore[no-untyped-def]
    """Every row of every page, following the rel=next links."""
    rows = []
    for _ in range(200):
        response, page_rows = _rows(client, url)
        rows.extend(page_rows)
        url = parse(response.data).next
        if url is None:
            return rows
    raise AssertionError("too many pages")


def test_catalog_lists_every_current_model_with_a_total(site_client, site_db):
    with site_db.session() as session:
        expected = session.scalar(_current_models(session))
    response, rows = _rows(site_client, "/models")
    html = response.get_data(as_text=True)
    assert f"{count(expected)} models" in html
    assert len(rows) == min(50, expected)
    head = table(response.data, "catalog")["head"]
    assert [h.split(" ")[0] for h in head] == [
        "Model", "Provider", "Mode", "Input", "Output", "Context", "Released", "Availability",
        "p50", "Capabilities"]
    # The featured order by default (tests/web/test_search.py); the name order on request,
    # case-insensitive (in the database's collation). Each row shows the model's id.
    with site_db.session() as session:
        expected_ids = list(session.scalars(select(Model.canonical_id).where(
            or_(Model.deprecation_date.is_(None), Model.deprecation_date > TODAY)).order_by(
            func.lower(Model.name), Model.canonical_id).limit(50)))
    _, by_name = _rows(site_client, "/models?sort=name")
    assert [_id(row) for row in by_name] == expected_ids
    assert "Featured order" in html


def test_pagination_keeps_filters_and_changes_rows(site_client, site_db):
    with site_db.session() as session:
        chats = session.scalar(_current_models(session).where(Model.mode == "chat"))
    if chats <= 50:
        pytest.skip("fewer than 51 chat models in this catalog")
    _, first = _rows(site_client, "/models?mode=chat")
    response, second = _rows(site_client, "/models?mode=chat&page=2")
    assert first != second and {r[0] for r in first}.isdisjoint({r[0] for r in second})
    page_links = [a for a in parse(response.data).links if a.startswith("/models?")]
    assert page_links and all("mode=chat" in a for a in page_links)
    assert any("page=3" in a for a in page_links) or chats <= 100
    html = response.get_data(as_text=True)
    assert 'aria-current="page">2<' in html and f"page 2 of {count(-(-chats // 50))}" in html


def test_sort_links_keep_the_filters(site_client):
    response = site_client.get("/models?mode=chat&q=gpt")
    assert response.status_code == 200
    head_links = [a for a in parse(response.data).links if "sort=" in a]
    assert head_links, "column headers link to sorted views"
    for link in head_links:
        query = parse_qs(urlsplit(link).query)
        assert query["mode"] == ["chat"] and query["q"] == ["gpt"]
        assert "page" not in query
    # The current sort column links to the other direction.
    response = site_client.get("/models?sort=input")
    links = [a for a in parse(response.data).links if "sort=input" in a]
    assert any("order=desc" in a for a in links)


def _busiest_provider(session) -> str:  # type: ignore[no-untyped-def]
    """The provider with the most models that have a current base input price."""
    return session.execute(
        select(Provider.slug, func.count(func.distinct(Price.model_id)).label("n"))
        .join(Model, Model.provider_id == Provider.id).join(Price, Price.model_id == Model.id)
        .where(Price.meter == "input", Price.valid_to.is_(None), Price.conditions_key == "")
        .group_by(Provider.slug).order_by(func.count(func.distinct(Price.model_id)).desc())
    ).first()[0]


def test_sort_by_input_price_is_numeric_over_every_page(site_client, site_db):
    with site_db.session() as session:
        slug = _busiest_provider(session)
    rows = _all_pages(site_client, f"/models?provider={slug}&sort=input&deprecated=1")
    head = table(site_client.get(f"/models?provider={slug}").data, "catalog")["head"]
    index = [h.split(" ")[0] for h in head].index("Input")
    values = [amount(row[index]) for row in rows]
    priced = [v for v in values if v is not None]
    assert priced == sorted(priced), "ascending, numerically"
    # Models without a price come last, not first.
    assert values[:len(priced)] == priced
    if not (any(v >= 10 for v in priced) and any(Decimal(0) < v < 10 for v in priced)):
        pytest.skip("no prices on both sides of $10 for this provider")
    # "10" after "2.5": a text sort would put 10 first.
    assert max(i for i, v in enumerate(priced) if v < 10) < min(
        i for i, v in enumerate(priced) if v >= 10)
    rows_desc = _all_pages(site_client, f"/models?provider={slug}&sort=input&order=desc"
                                        "&deprecated=1")
    desc = [amount(row[index]) for row in rows_desc if amount(row[index]) is not None]
    assert desc == sorted(priced, reverse=True)


def test_sort_by_context_and_release_date(site_client):
    contexts = [tokens(v) for v in column(site_client.get("/models?sort=context").data,
                                          "catalog", "Context")]
    known = [c for c in contexts if c is not None]
    assert known == sorted(known, reverse=True), "biggest context first"
    released = column(site_client.get("/models?sort=released&order=asc").data,
                      "catalog", "Released")
    dates = [d for d in released if d != "—"]
    assert dates == sorted(dates)


def test_filters_narrow_the_rows(site_client, site_db):
    with site_db.session() as session:
        slug = _busiest_provider(session)
        # as pages show it: the display name (a name that is only the slug reads as words)
        name = provider_name(session.scalar(select(Provider.name).where(Provider.slug == slug)),
                             slug)
    for row in _rows(site_client, f"/models?provider={slug}")[1]:
        assert row[1] == name
    for row in _rows(site_client, "/models?mode=chat")[1]:
        assert row[2] == MODE_LABELS["chat"]
    for row in _rows(site_client, "/models?q=mini")[1]:
        assert "mini" in row[0].lower()
    for row in _rows(site_client, "/models?max_input_price=1&sort=input&order=desc")[1]:
        assert amount(row[3]) is not None and amount(row[3]) <= 1
    for row in _rows(site_client, "/models?min_context=128000")[1]:
        assert (tokens(row[5]) or 0) >= 128000
    vision = _rows(site_client, "/models?cap=vision&cap=function_calling")[1]
    for row in vision:
        assert "Vision" in row[-1] and "Function calling" in row[-1]
    for row in _rows(site_client, "/models?input_modality=image")[1]:
        assert row  # the filter is accepted; modalities are not a column


def test_filter_totals_match_the_database(site_client, site_db):
    with site_db.session() as session:
        chats = session.scalar(_current_models(session).where(Model.mode == "chat"))
        everything = session.scalar(select(func.count()).select_from(Model))
    assert f"{count(chats)} models" in site_client.get("/models?mode=chat").get_data(
        as_text=True)
    assert f"{count(everything)} models" in site_client.get("/models?deprecated=1").get_data(
        as_text=True)


def test_max_input_price_compares_numbers_not_text(site_client, site_db):
    """On SQLite amounts are text: '10' < '9' as text. The filter must compare numbers."""
    with site_db.session() as session:
        prices = [p for p in session.scalars(select(Price).where(
            Price.meter == "input", Price.unit == "1M_tokens", Price.conditions_key == "",
            Price.valid_to.is_(None)))]
    shown = {}
    for price in prices:
        shown.setdefault(price.model_id, []).append(price)
    values = [shown_prices(v)[("input", "1M_tokens", "")].amount for v in shown.values()]
    if not any(v >= 10 for v in values):
        pytest.skip("no input price of $10 or more")
    for row in _rows(site_client, "/models?max_input_price=9&sort=input&order=desc"
                                  "&deprecated=1")[1]:
        assert amount(row[3]) <= 9


def test_search_matches_ids_too(site_client, site_db):
    with site_db.session() as session:
        model = session.scalar(select(Model).where(Model.canonical_id.like("%/%-%")).order_by(
            Model.id).limit(1))
    fragment = model.canonical_id.split("/", 1)[0] + "/"
    rows = _rows(site_client, f"/models?q={fragment}&deprecated=1")[1]
    assert rows and all(fragment in row[0] for row in rows)


def test_empty_result_is_a_friendly_200(site_client):
    response = site_client.get("/models?q=zzzz-no-such-model-zzzz")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No model matches" in html and "0 models" in html


def test_form_is_a_labelled_get_form_with_the_state(site_client):
    html = site_client.get("/models?q=gpt&mode=chat&cap=vision&max_input_price=5"
                           "&min_context=128000&deprecated=1").get_data(as_text=True)
    assert 'method="get"' in html
    assert 'value="gpt"' in html and 'value="chat" selected' in html
    assert 'value="vision" checked' in html and 'value="5"' in html
    assert 'value="128000" selected' in html and 'name="deprecated" value="1" checked' in html
    page = parse(html)
    assert [level for level, _ in page.headings].count(1) == 1


@pytest.mark.parametrize("query, parameter", [
    ("sort=bogus", "sort"),
    ("order=sideways", "order"),
    ("page=abc", "page"),
    ("page=0", "page"),
    ("page=-1", "page"),
    ("page=999999", "page"),
    ("max_input_price=-1", "max_input_price"),
    ("max_input_price=NaN", "max_input_price"),
    ("max_input_price=lots", "max_input_price"),
    ("min_context=big", "min_context"),
    ("mode=telepathy", "mode"),
    ("provider=no-such-provider", "provider"),
    ("cap=mind_reading", "cap"),
    ("input_modality=smell", "input_modality"),
    ("q=%00", "q"),
])
def test_bad_parameters_are_a_400_naming_them(site_client, query, parameter):
    response = site_client.get(f"/models?{query}")
    assert response.status_code == 400
    assert f"{parameter}:" in response.get_data(as_text=True)


def test_price_sort_and_filter_are_numeric_on_a_known_catalog(db, client):
    """Amounts are text on SQLite ("10" < "2.5" as text): sort and filter must use numbers."""
    import json

    from ratecard.services.sync import run_sync
    from scrapers import litellm

    prices = {"m-two-fifty": "2.5e-06", "m-ten": "1e-05", "m-nine": "9e-06",
              "m-hundred": "0.0001", "m-cheap": "1.5e-07"}
    payload = {name: {"litellm_provider": "acme", "mode": "chat",
                      "input_cost_per_token": float(cost), "output_cost_per_token": float(cost)}
               for name, cost in prices.items()}
    payload["m-unpriced"] = {"litellm_provider": "acme", "mode": "chat"}
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                    as_of=dt.date(2026, 1, 1)).ok

    def inputs(url):  # type: ignore[no-untyped-def]
        response = client.get(url)
        assert response.status_code == 200
        return [row[3] for row in table(response.data, "catalog")["rows"]]

    assert inputs("/models?sort=input") == [
        "$0.15", "$2.50", "$9.00", "$10.00", "$100.00", "—"]
    assert inputs("/models?sort=input&order=desc") == [
        "$100.00", "$10.00", "$9.00", "$2.50", "$0.15", "—"]
    assert inputs("/models?sort=output&order=desc")[:2] == ["$100.00", "$10.00"]
    assert inputs("/models?max_input_price=9.5&sort=input") == ["$0.15", "$2.50", "$9.00"]
    assert inputs("/models?max_input_price=10&sort=input&order=desc")[0] == "$10.00"


def test_pages_follow_the_data_version(db, client):
    """Rendered pages are kept per data version: a sync that changes a price shows at once."""
    import json

    from ratecard.services.sync import run_sync
    from scrapers import litellm

    def sync(day: str, cost: float) -> None:
        payload = {"m-one": {"litellm_provider": "acme", "mode": "chat",
                             "input_cost_per_token": cost, "output_cost_per_token": cost}}
        assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                        as_of=dt.date.fromisoformat(day)).ok

    sync("2026-01-01", 2e-06)
    first = client.get("/models")
    assert column(first.data, "catalog", "Input") == ["$2.00"]
    assert client.get("/models").data == first.data          # the same version: kept
    sync("2026-02-01", 3e-06)
    assert column(client.get("/models").data, "catalog", "Input") == ["$3.00"]
    changes = table(client.get("/changes").data, "changes")["rows"]
    assert "Input price changed from $2.00 to $3.00 per 1M tokens" in [
        row[2] for row in changes[:2]]


def test_pagination_on_a_known_catalog(db, client):
    import json

    from ratecard.services.sync import run_sync
    from scrapers import litellm

    payload = {f"model-{i:03d}": {"litellm_provider": "acme" if i % 2 else "zeta",
                                  "mode": "chat", "input_cost_per_token": 1e-06 * (i + 1)}
               for i in range(120)}
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                    as_of=dt.date(2026, 1, 1)).ok
    first = client.get("/models?provider=acme")
    assert "60 models · page 1 of 2" in first.get_data(as_text=True)
    assert len(table(first.data, "catalog")["rows"]) == 50
    assert parse(first.data).next == "/models?provider=acme&page=2"
    second = client.get("/models?provider=acme&page=2")
    rows = table(second.data, "catalog")["rows"]
    assert len(rows) == 10 and _id(rows[-1]) == "acme/model-119"
    assert parse(second.data).next is None
    assert "/models?provider=acme" in parse(second.data).links       # back to page 1
    response = client.get("/models?provider=acme&page=3")
    assert response.status_code == 400 and "page:" in response.get_data(as_text=True)
