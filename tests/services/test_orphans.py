"""No orphan current rows: what a source no longer lists has no current row of that source."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from sqlalchemy import select

from ratecard.models import Capability, ChangeEvent, Model, ModelAlias, ModelFact, Price, SyncRun
from ratecard.services.sync import payload_of, run_sync
from scrapers import litellm
from scrapers.base import ParseResult
from scrapers.registry import SOURCES
from tests.services.test_sync import CATALOG, entry, payload, sync


def current_rows(db, cid, source="litellm"):
    with db.session() as s:
        return [(t.__name__, n) for t in (Price, Capability) for n in s.scalars(
            select(t.id).join(Model).where(Model.canonical_id == cid, t.source == source,
                                           t.valid_to.is_(None)))]


def kinds(db, cid):
    with db.session() as s:
        return s.scalars(select(ChangeEvent.kind).join(Model).where(
            Model.canonical_id == cid).order_by(ChangeEvent.id)).all()


WITH_CAPS = dict(CATALOG, **{"gpt-4o": entry(supports_vision=True)})


def test_a_vanished_model_keeps_no_current_price_or_capability(db):
    sync(db, WITH_CAPS, "2026-01-01")
    assert ("Capability", 1) in [(t, 1) for t, _ in current_rows(db, "openai/gpt-4o")]
    fewer = {k: v for k, v in WITH_CAPS.items() if k != "gpt-4o"}
    assert sync(db, fewer, "2026-02-01").vanished == 1
    assert current_rows(db, "openai/gpt-4o") == []
    assert kinds(db, "openai/gpt-4o")[-1] == "model_vanished"


def test_a_price_key_no_longer_published_is_closed_with_an_event(db):
    sync(db, CATALOG, "2026-01-01")
    sync(db, dict(CATALOG, **{"gpt-4o": entry(out=None)}), "2026-02-01")
    with db.session() as s:
        meters = s.scalars(select(Price.meter).join(Model).where(
            Model.canonical_id == "openai/gpt-4o", Price.valid_to.is_(None))).all()
    assert meters == ["input"]
    assert kinds(db, "openai/gpt-4o")[-1] == "price_removed"


def renaming(key: str, canonical_id: str):
    """LiteLLM's parser with one id rule changed: `key` now names another model."""
    def parse(body: bytes) -> ParseResult:
        result = litellm.parse(body)
        for record in result.models:
            if record.key == key:
                record.canonical_id = canonical_id
        return result
    return dataclasses.replace(litellm.SOURCE, parser=parse)


def test_a_key_that_moves_to_another_model_leaves_no_current_row_behind(db):
    sync(db, WITH_CAPS, "2026-01-01")
    source = renaming("gpt-4o", "openai/gpt-4o-moved")
    summary = run_sync(db, source, payload=payload(WITH_CAPS), as_of=dt.date(2026, 2, 1))
    assert summary.ok, summary.line()
    assert current_rows(db, "openai/gpt-4o") == []
    assert {t for t, _ in current_rows(db, "openai/gpt-4o-moved")} == {"Price", "Capability"}
    assert kinds(db, "openai/gpt-4o")[-1] == "model_vanished"
    with db.session() as s:
        old = s.scalars(select(Model).where(Model.canonical_id == "openai/gpt-4o")).one()
        assert not s.scalars(select(ModelFact).where(ModelFact.model_id == old.id)).all()
    # Said once: the next run closes nothing more and says nothing more
    events = len(kinds(db, "openai/gpt-4o"))
    assert run_sync(db, source, payload=payload(WITH_CAPS), as_of=dt.date(2026, 3, 1)).ok
    assert len(kinds(db, "openai/gpt-4o")) == events


# -- on the full load ------------------------------------------------------------------------

def test_full_load_no_current_row_of_a_source_for_a_model_its_latest_payload_omits(site_db):
    parsers = {s.name: s for s in SOURCES}
    found: dict[str, list[str]] = defaultdict(list)
    with site_db.session() as s:
        runs = s.scalars(select(SyncRun).where(SyncRun.status == "success").order_by(
            SyncRun.as_of, SyncRun.id)).all()
        latest = {run.source: run for run in runs}
        assert latest, "the test catalog synced nothing"
        for name, run in latest.items():
            body = payload_of(s, run)
            assert body is not None
            # by the model each listed key names in the database (the sync joins a new
            # spelling of a model it has to that model)
            ids = {key: cid for key, cid in s.execute(select(
                ModelAlias.key, Model.canonical_id).join(Model).where(
                ModelAlias.source == name))}
            listed = {ids.get(r.key, r.canonical_id) for r in parsers[name].parse(body).models}
            for table in (Price, Capability):
                rows = s.execute(select(Model.canonical_id).join(table).where(
                    table.source == name, table.valid_to.is_(None)).distinct())
                found[name].extend(cid for (cid,) in rows if cid not in listed)
    orphans = {name: ids for name, ids in found.items() if ids}
    assert not orphans, {name: (len(ids), sorted(ids)[:10]) for name, ids in orphans.items()}
