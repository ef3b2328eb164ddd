"""Replaying the dated LiteLLM series rebuilds exactly the changes between files.

The expected history is derived from the parsed snapshots themselves (not from a list of
known changes), so a snapshot added to the series later is checked the same way.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from ratecard.models import ChangeEvent, Model, ModelAlias, Price
from ratecard.services import quarantine
from ratecard.services.catalog_state import conditions_key
from ratecard.services.guards import MAX_VANISH_SHARE
from ratecard.services.sync import run_sync
from scrapers import litellm
from tests.upstream import upstream_glob

Key = tuple[str, str, str, str]


def snapshot_date(path: Path) -> dt.date:
    found = re.search(r"(\d{4}-\d{2}-\d{2})", path.name)
    assert found, f"no date in {path.name}"
    return dt.date.fromisoformat(found.group(1))


def flatten(payload: bytes, ids: dict[str, str] | None = None) -> dict[Key, Decimal]:
    """Every current price of a parsed payload (the last record of a key wins, as in sync),
    by the model each record's key names in the database (`ids`: the sync joins a new
    spelling of a model it already has to that model)."""
    prices: dict[Key, Decimal] = {}
    ids = ids or {}
    for model in litellm.SOURCE.parse(payload).models:
        cid = ids.get(model.key, model.canonical_id)
        for price in model.prices:
            key = (cid, price.meter, price.unit, conditions_key(price.conditions))
            prices[key] = price.amount
    return prices


def model_ids(db) -> dict[str, str]:
    """LiteLLM key -> the canonical id of the model it names in the database."""
    with db.session() as session:
        return {key: cid for key, cid in session.execute(select(
            ModelAlias.key, Model.canonical_id).join(Model).where(
            ModelAlias.source == "litellm"))}


def test_replay_of_the_series_rebuilds_exactly_the_changes(db):
    series = sorted(upstream_glob("litellm", "*.json"), key=snapshot_date)
    assert len(series) >= 2
    previous: dict[Key, Decimal] = {}
    previous_payload = b""
    expected_rows = 0
    expected_changes: Counter[dt.date] = Counter()
    for path in series:
        day = snapshot_date(path)
        payload = path.read_bytes()
        now = flatten(payload)
        # What the guards should do with this step, derived from the data alone.
        live = {k[0] for k in previous}
        seen = {k[0] for k in now} | {m.canonical_id for m in
                                       litellm.SOURCE.parse(payload).models}
        held = bool(live) and Decimal(len(live - seen)) / len(live) > MAX_VANISH_SHARE

        summary = run_sync(db, litellm.SOURCE, payload=payload, as_of=day)
        if held:
            assert summary.status == "held", summary.line()
            continue
        assert summary.ok, summary.line()
        with db.session() as session:   # a reviewer accepting every held change
            quarantine.approve(session, None)
        ids = model_ids(db)
        now = flatten(payload, ids)
        previous = flatten(previous_payload, ids) if previous_payload else {}

        for key, amount in now.items():
            if key not in previous:
                expected_rows += 1
            elif previous[key] != amount:
                expected_rows += 1
                expected_changes[day] += 1
        previous, previous_payload = now, payload

        with db.session() as session:
            rows = session.execute(select(
                Model.canonical_id, Price.meter, Price.unit, Price.conditions_key,
                Price.amount).join(Model).where(
                Price.source == "litellm", Price.valid_to.is_(None))).all()
        current = {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
        assert current == now, f"current prices after {path.name} differ from the file"

    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Price)) == expected_rows
        changes = Counter(d.date() for d in session.scalars(select(ChangeEvent.occurred_at).where(
            ChangeEvent.kind.in_(("price_changed", "price_corrected")))))
        # Every row closed exactly when its successor opened: no gaps, no overlaps.
        history = session.execute(select(
            Price.model_id, Price.meter, Price.unit, Price.conditions_key, Price.valid_from,
            Price.valid_to).order_by(Price.model_id, Price.meter, Price.unit,
                                     Price.conditions_key, Price.valid_from)).all()
    assert changes == expected_changes
    for before, after in zip(history, history[1:], strict=False):
        if before[:4] == after[:4]:
            assert before.valid_to is not None and before.valid_to <= after.valid_from
    assert all(d in {snapshot_date(p) for p in series} for d in changes)

    # Replaying the last snapshot again changes nothing.
    again = run_sync(db, litellm.SOURCE, payload=series[-1].read_bytes(),
                     as_of=snapshot_date(series[-1]) + dt.timedelta(days=1))
    assert again.ok and again.price_rows == 0 and again.changed == 0
