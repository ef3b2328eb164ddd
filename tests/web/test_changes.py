"""The change log: newest first, filters by provider, kind and dates, changes in words."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from ratecard.labels import count
from ratecard.models import ChangeEvent, Model, Provider
from tests.web.html_tables import parse, table


def _rows(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.data[-300:]
    return response.get_data(as_text=True), table(response.data, "changes")["rows"]


def test_every_change_newest_first_with_a_total(site_client, site_db):
    with site_db.session() as session:
        total = session.scalar(select(func.count()).select_from(ChangeEvent))
    html, rows = _rows(site_client, "/changes")
    assert f"{count(total)} changes" in html
    assert len(rows) == min(total, 50)
    dates = [row[0] for row in rows]
    assert dates == sorted(dates, reverse=True)
    for row in rows:
        dt.date.fromisoformat(row[0])
        assert row[3], "every row names its source"
    if total > 50:
        _, second = _rows(site_client, "/changes?page=2")
        assert second and second[0][0] <= rows[-1][0]


def test_kind_filter_and_wording(site_client, site_db):
    with site_db.session() as session:
        event = session.scalar(select(ChangeEvent).where(
            ChangeEvent.kind == "price_changed").order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(1))
        n = session.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind == "price_changed"))
    if event is None:
        pytest.skip("no price change in this catalog")
    html, rows = _rows(site_client, "/changes?kind=price_changed")
    assert f"{count(n)} changes" in html
    assert all(" price" in row[2] and " changed from $" in row[2] and " to $" in row[2]
               for row in rows)
    assert 'value="price_changed" selected' in html
    html, rows = _rows(site_client, "/changes?kind=model_added")
    assert rows and all(row[2] == "Model added" for row in rows)


def test_capability_and_deprecation_wording(site_client, site_db):
    with site_db.session() as session:
        kinds = set(session.scalars(select(ChangeEvent.kind).distinct()))
        vision = session.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind == "capability_added", ChangeEvent.subject == "vision"))
    if "capability_added" in kinds and vision:
        _, rows = _rows(site_client, "/changes?kind=capability_added")
        assert all(row[2].endswith(" capability added") for row in rows)
        html = site_client.get("/changes?kind=capability_added&page=1").get_data(as_text=True)
        assert "capability added" in html
    if "model_deprecated" in kinds:
        _, rows = _rows(site_client, "/changes?kind=model_deprecated")
        for row in rows:
            assert row[2].startswith("Deprecated (")
            dt.date.fromisoformat(row[2][len("Deprecated ("):-1])


def test_provider_and_date_filters(site_client, site_db):
    with site_db.session() as session:
        slug, n = session.execute(select(Provider.slug, func.count(ChangeEvent.id)).join(
            Model, Model.provider_id == Provider.id).join(
            ChangeEvent, ChangeEvent.model_id == Model.id).group_by(Provider.slug).order_by(
            func.count(ChangeEvent.id).desc()).limit(1)).one()
        ids = set(session.scalars(select(Model.canonical_id).join(Provider).where(
            Provider.slug == slug)))
        days = sorted({e.date() for e in session.scalars(select(ChangeEvent.occurred_at))})
    html, rows = _rows(site_client, f"/changes?provider={slug}")
    assert f"{count(n)} changes" in html
    assert all(row[1].split()[-1] in ids for row in rows)
    day = days[len(days) // 2]
    _, rows = _rows(site_client, f"/changes?from={day}&to={day}")
    assert rows and all(row[0] == day.isoformat() for row in rows)
    _, rows = _rows(site_client, f"/changes?from={day}")
    assert all(row[0] >= day.isoformat() for row in rows)
    _, rows = _rows(site_client, f"/changes?to={day}")
    assert all(row[0] <= day.isoformat() for row in rows)
    response = site_client.get("/changes?from=1990-01-01&to=1990-01-02")
    assert response.status_code == 200
    assert "No change matches" in response.get_data(as_text=True)
    # The pagination links keep the filters.
    html = site_client.get(f"/changes?provider={slug}&kind=model_added").get_data(as_text=True)
    for link in parse(html).links:
        if "page=" in link:
            assert f"provider={slug}" in link and "kind=model_added" in link


@pytest.mark.parametrize("query, parameter", [
    ("from=2026-99-99", "from"),
    ("from=yesterday", "from"),
    ("to=2026-02-30", "to"),
    ("from=2026-05-01&to=2026-04-01", "to"),
    ("kind=price_exploded", "kind"),
    ("provider=nobody", "provider"),
    ("page=0", "page"),
    ("page=99999", "page"),
])
def test_bad_parameters_are_a_400_naming_them(site_client, query, parameter):
    response = site_client.get(f"/changes?{query}")
    assert response.status_code == 400
    assert f"{parameter}:" in response.get_data(as_text=True)
