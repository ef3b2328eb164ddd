"""The catalog's rows (services/catalog_rows.py) follow every write: a sync changing a
price rewrites exactly that model's row, a new model gains one, a merged-away model loses
its own, a probe summary moves availability and p50, and a sync that fails leaves them as
they were (one transaction). Each row equals what the listing computes from the normalised
tables (queries/catalog.py computed_rows)."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from ratecard.db import Database
from ratecard.models import CatalogRow, Model, ProbeRun
from ratecard.queries import catalog
from ratecard.services import catalog_rows, id_merge
from ratecard.services.probes import refresh_summary
from tests.services.test_sync import CATALOG, entry, sync


def _rows(db: Database) -> dict[str, dict[str, Any]]:
    with db.session() as s:
        return {r.canonical_id: {c.name: getattr(r, c.key) for c in CatalogRow.__table__.c}
                for r in s.scalars(select(CatalogRow))}


def _ids(db: Database) -> dict[str, int]:
    with db.session() as s:
        return dict(s.execute(select(Model.canonical_id, Model.id)).tuples().all())


def _plain(row: catalog.Row) -> tuple[Any, ...]:
    p = row.probes          # an ORM object: compared by its values
    return (row.model, row.input, row.output, row.output_unit, row.capabilities,
            row.disagreements, row.image,
            p and (p.model_id, p.computed_at, p.runs, p.ok, p.latency_p50_ms))


def _as_computed(db: Database) -> None:
    """Every stored row reads back as the Row the listing would compute now."""
    with db.session() as s:
        ids = list(s.scalars(select(Model.id).order_by(Model.id)))
        assert [_plain(r) for r in catalog.rows_for(s, ids)] == [
            _plain(r) for r in catalog.computed_rows(s, ids)]


def test_a_price_change_rewrites_exactly_that_row(db: Database) -> None:
    sync(db, CATALOG, "2026-01-01")
    before = _rows(db)
    assert len(before) == len(CATALOG) and before["openai/gpt-4o"]["input"] == Decimal("2.5")
    sync(db, dict(CATALOG, **{"gpt-4o": entry(inp="3e-06")}), "2026-02-01")
    after = _rows(db)
    changed = {cid for cid in after if after[cid] != before[cid]}
    assert changed == {"openai/gpt-4o"}
    assert after["openai/gpt-4o"]["input"] == Decimal("3")
    assert after["openai/gpt-4o"]["sort_input"] == 3.0
    _as_computed(db)


def test_a_new_model_appears_and_a_merged_one_disappears(db: Database) -> None:
    sync(db, CATALOG, "2026-01-01")
    sync(db, dict(CATALOG, **{"model-new": entry(inp="5e-06")}), "2026-01-02")
    rows = _rows(db)
    assert rows["openai/model-new"]["input"] == Decimal("5")
    assert len(rows) == len(CATALOG) + 1
    with db.session() as s:
        keep = s.scalars(select(Model).where(Model.canonical_id == "openai/model-0")).one()
        old = s.scalars(select(Model).where(Model.canonical_id == "openai/model-new")).one()
        id_merge.merge(s, keep, old, dt.datetime(2026, 1, 3, tzinfo=dt.UTC))
    rows = _rows(db)
    assert "openai/model-new" not in rows and "openai/model-0" in rows
    assert len(rows) == len(CATALOG)
    _as_computed(db)


def test_a_probe_summary_updates_availability_and_p50(db: Database) -> None:
    sync(db, CATALOG, "2026-01-01")
    model_id = _ids(db)["openai/gpt-4o"]
    now = dt.datetime.now(dt.UTC)
    with db.session() as s:
        for i, outcome in enumerate(("ok", "ok", "ok", "timeout")):
            s.add(ProbeRun(model_id=model_id, cycle=f"c{i}", trigger="schedule",
                           started_at=now - dt.timedelta(hours=i + 1),
                           endpoint="https://api.test/v1", api="openai_chat", kind="chat",
                           outcome=outcome, latency_ms=400 + 100 * i))
        s.flush()
        refresh_summary(s, model_id, now)
    rows = _rows(db)
    row = rows["openai/gpt-4o"]
    assert (row["probe_runs"], row["probe_ok"], row["availability"]) == (4, 3, 0.75)
    assert row["probe_p50_ms"] is not None
    assert all(r["probe_runs"] is None for cid, r in rows.items() if cid != "openai/gpt-4o")
    _as_computed(db)


def test_a_failing_sync_leaves_the_rows_as_they_were(db: Database,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sync(db, CATALOG, "2026-01-01")
    before = _rows(db)
    refresh = catalog_rows.refresh

    def refresh_then_fail(session: Any, model_ids: Any = None) -> int:
        refresh(session, model_ids)                  # the rows are rewritten, then …
        raise RuntimeError("disk full")

    monkeypatch.setattr(catalog_rows, "refresh", refresh_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        sync(db, dict(CATALOG, **{"gpt-4o": entry(inp="3e-06"), "model-new": entry()}),
             "2026-02-01")
    assert _rows(db) == before


def test_an_empty_table_is_filled_once(db: Database) -> None:
    sync(db, CATALOG, "2026-01-01")
    with db.session() as s:
        s.execute(CatalogRow.__table__.delete())
    with db.session() as s:
        assert catalog_rows.fill_if_empty(s) == len(CATALOG)
    with db.session() as s:
        assert catalog_rows.fill_if_empty(s) == 0
    _as_computed(db)


def test_two_writers_healing_the_same_missing_rows_both_commit(db: Database) -> None:
    """Two transactions (a probe cycle per provider thread) each refresh their own model
    while every row is missing: both find the same drifted models. The second waits for the
    first to commit, then sees its rows, instead of inserting them twice."""
    sync(db, CATALOG, "2026-01-01")
    ids = _ids(db)
    with db.session() as s:
        s.execute(CatalogRow.__table__.delete())
    errors: list[BaseException] = []
    second_done = threading.Event()

    def second() -> None:
        try:
            with db.session() as s:
                catalog_rows.refresh(s, {ids["openai/gpt-4o"]})
        except BaseException as exc:            # reported below, in the test's thread
            errors.append(exc)
        finally:
            second_done.set()

    with db.session() as s:
        catalog_rows.refresh(s, {ids["openai/model-1"]})     # holds its rows, uncommitted
        thread = threading.Thread(target=second)
        thread.start()
        # The second cannot finish before this one commits (PostgreSQL: it waits for the
        # lock; SQLite: for the database's write lock).
        assert not second_done.wait(0.5)
    thread.join(30)
    assert not errors, errors
    assert set(_rows(db)) == set(ids)
    _as_computed(db)
