"""Providers: the list (model counts, modes, input price range) and one page per provider."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from ratecard.labels import count, provider_name
from ratecard.models import Model, Price, Provider
from ratecard.money import display as money
from ratecard.queries.models import shown_prices
from tests.web.html_tables import parse, table

TODAY = dt.datetime.now(dt.UTC).date()


def _biggest(session) -> Provider:  # type: ignore[no-untyped-def]
    return session.scalar(select(Provider).join(Model).group_by(Provider.id).order_by(
        func.count(Model.id).desc(), Provider.slug).limit(1))


def _input_range(session, provider_id: int):  # type: ignore[no-untyped-def]
    """The shown base input prices of a provider's current models, computed independently."""
    rows = session.execute(select(Price, Model.deprecation_date).join(
        Model, Model.id == Price.model_id).where(
        Model.provider_id == provider_id, Price.valid_to.is_(None),
        Price.meter == "input", Price.unit == "1M_tokens", Price.conditions_key == "")).all()
    by_model: dict[int, list[Price]] = {}
    for price, deprecation in rows:
        if deprecation is None or deprecation > TODAY:
            by_model.setdefault(price.model_id, []).append(price)
    amounts = [shown_prices(prices)[("input", "1M_tokens", "")].amount
               for prices in by_model.values()]
    return (min(amounts), max(amounts)) if amounts else None


def test_provider_list_has_counts_modes_and_price_ranges(site_client, site_db):
    with site_db.session() as session:
        counts = dict(session.execute(select(Provider.slug, func.count(Model.id)).join(
            Model).group_by(Provider.slug)).all())
        biggest = _biggest(session)
        expected = _input_range(session, biggest.id)
        name = provider_name(biggest)   # as pages show it
    response = site_client.get("/providers")
    assert response.status_code == 200
    rows = table(response.data, "providers")["rows"]
    assert len(rows) == len(counts)
    by_slug = {row[0].split()[-1]: row for row in rows}
    for slug, n in counts.items():
        assert by_slug[slug][1] == count(n)
    row = by_slug[biggest.slug]
    assert row[0].startswith(name)
    assert row[2], "modes are listed"
    if expected is not None:
        low, high = expected
        assert money(low) in row[3] and money(high) in row[3]
    links = parse(response.data).links
    assert f"/providers/{biggest.slug}" in links


def test_provider_page_lists_its_models_with_prices(site_client, site_db):
    with site_db.session() as session:
        provider = _biggest(session)
        slug, name = provider.slug, provider_name(provider)
        total = session.scalar(select(func.count()).select_from(Model).where(
            Model.provider_id == provider.id))
        expected = _input_range(session, provider.id)
        some_id = session.scalar(select(Model.canonical_id).where(
            Model.provider_id == provider.id).order_by(func.lower(Model.name),
                                                       Model.canonical_id).limit(1))
    response = site_client.get(f"/providers/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = parse(html)
    assert [h for h in page.headings if h[0] == 1] == [(1, name)]
    assert {"Models", "Latest changes"} <= {text for level, text in page.headings if level == 2}
    rows = table(html, "catalog")["rows"]
    assert len(rows) == min(total, 100)
    assert rows[0][0].split()[-1] == some_id
    assert f"{count(total)} models" in html
    if expected is not None:
        assert money(expected[0]) in html and money(expected[1]) in html
    assert f"/models?provider={slug}" in page.links


def test_provider_page_shows_its_latest_changes(site_client, site_db):
    from ratecard.models import ChangeEvent

    with site_db.session() as session:
        found = session.execute(select(Provider.slug, Model.canonical_id).join(Model).join(
            ChangeEvent, ChangeEvent.model_id == Model.id).where(
            ChangeEvent.kind != "model_added").order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(1)).first()
    if found is None:
        return
    slug, model_id = found
    html = site_client.get(f"/providers/{slug}").get_data(as_text=True)
    changes = table(html, "changes")["rows"]
    assert changes and changes[0][1].split()[-1] == model_id
    assert all("Model added" not in row[2] for row in changes)


def test_unknown_provider_is_a_404(site_client):
    response = site_client.get("/providers/no-such-provider")
    assert response.status_code == 404
    assert "no-such-provider" in response.get_data(as_text=True)
    assert site_client.get("/providers/openai?page=zz").status_code in (400, 404)
