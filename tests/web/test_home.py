"""The home page: latest changes, new models, cheapest per mode, counts, freshness."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

from sqlalchemy import func, or_, select

from ratecard.labels import MODE_LABELS, SOURCE_LABELS, count
from ratecard.models import ChangeEvent, Model, Price, Provider, SyncRun
from ratecard.money import display as money
from ratecard.queries.home import IMAGE_FAMILIES
from ratecard.queries.models import shown_prices
from tests.web.html_tables import parse, table

TODAY = dt.datetime.now(dt.UTC).date()


def test_home_sections_and_counts(site_client, site_db):
    with site_db.session() as session:
        models = session.scalar(select(func.count()).select_from(Model))
        providers = session.scalar(select(func.count()).select_from(Provider))
        events = session.scalar(select(func.count()).select_from(ChangeEvent))
    response = site_client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = parse(html)
    assert [level for level, _ in page.headings].count(1) == 1
    assert {"latest", "new-models", "cheapest", "sources"} <= set(page.ids)
    facts = html.split('<dl class="facts">')[1].split("</dl>")[0]
    for n in (models, providers, events):
        assert f">{count(n)}<" in facts


def test_latest_changes_are_the_ten_newest(site_client, site_db):
    with site_db.session() as session:
        newest = list(session.scalars(select(ChangeEvent).where(
            ChangeEvent.kind != "model_added").order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc()).limit(10)))
        ids = {m.id: m.canonical_id for m in session.scalars(select(Model).where(
            Model.id.in_([e.model_id for e in newest])))}
    rows = table(site_client.get("/").data, "changes")["rows"]
    assert [row[1].split()[-1] for row in rows] == [ids[e.model_id] for e in newest]


def test_new_models_are_new_upstream_not_a_sources_first_listing(site_client, site_db):
    """"New models": model_added events, but not those of a source's first successful run
    (what a source lists when first read is not new upstream)."""
    with site_db.session() as session:
        firsts = set(session.execute(select(func.min(SyncRun.id)).where(
            SyncRun.status == "success").group_by(SyncRun.source)).scalars())
        events = session.execute(select(ChangeEvent, Model.name).join(
            Model, Model.id == ChangeEvent.model_id).where(
            ChangeEvent.kind == "model_added").order_by(
            ChangeEvent.occurred_at.desc(), ChangeEvent.id.desc())).all()
    new = [name for event, name in events if event.sync_run_id not in firsts][:10]
    html = site_client.get("/").get_data(as_text=True)
    section = html.split('id="new-models"')[1].split("<h2")[0]
    listed = re.findall(r'<li><a href="[^"]*">([^<]*)</a>', section)
    assert [unescape(name) for name in listed] == new


def _text_model(canonical_id: str, outputs: list[str] | None) -> bool:
    """The home page's rule for text modes: recorded output modalities include text, or none
    are recorded and the id names no image-generation family (FLUX filed as chat)."""
    if outputs:
        return "text" in outputs
    return not any(name in canonical_id.lower() for name in IMAGE_FAMILIES)


def test_cheapest_chat_model_matches_the_database(site_client, site_db):
    """Computed independently: the lowest shown base input price > 0 of current chat models
    that are text models."""
    with site_db.session() as session:
        rows = session.execute(select(Price, Model.canonical_id, Model.output_modalities).join(
            Model, Model.id == Price.model_id).where(
            Model.mode == "chat", Price.valid_to.is_(None), Price.meter == "input",
            Price.unit == "1M_tokens", Price.conditions_key == "",
            or_(Model.deprecation_date.is_(None), Model.deprecation_date > TODAY))).all()
    by_model: dict[str, list[Price]] = {}
    for price, canonical, outputs in rows:
        if _text_model(canonical, outputs):
            by_model.setdefault(canonical, []).append(price)
    shown = [shown_prices(p)[("input", "1M_tokens", "")].amount for p in by_model.values()]
    paid = [a for a in shown if a > 0]
    cheapest = table(site_client.get("/").data, "cheapest")["rows"]
    if not paid:
        assert all(MODE_LABELS["chat"] != row[0] for row in cheapest)
        return
    chat = next(row for row in cheapest if row[0] == MODE_LABELS["chat"])
    assert chat[2].startswith(money(min(paid)) + " per 1M input tokens")


def test_freshness_lists_every_source_with_its_last_success(site_client, site_db):
    with site_db.session() as session:
        last = dict(session.execute(select(SyncRun.source, func.max(SyncRun.finished_at)).where(
            SyncRun.status.in_(("success", "not_modified"))).group_by(SyncRun.source)).all())
    rows = table(site_client.get("/").data, "sources")["rows"]
    by_source = {row[0]: row for row in rows}
    for source, finished in last.items():
        row = by_source[SOURCE_LABELS.get(source, source)]
        assert row[1] == finished.date().isoformat()
        assert row[3] in ("ok", "unchanged")


def test_cheapest_chat_model_is_a_text_model(site_client):
    """An image model some source files under chat (FLUX at a nominal token price) never
    wins "cheapest chat"."""
    cheapest = table(site_client.get("/").data, "cheapest")["rows"]
    for row in cheapest:
        if row[0] in (MODE_LABELS["chat"], MODE_LABELS["completion"], MODE_LABELS["responses"]):
            assert not any(name in row[1].lower() for name in IMAGE_FAMILIES), row
