"""What is derived from the current rows of a model, rebuilt after every write of them.

The sync, an approved or published held change and a data migration all call refresh()
for the models they touched, so the pages read derived rows directly and never recompute;
the catalog's rows (services/catalog_rows.py) come last, from everything before them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Capability, Price
from ratecard.services import catalog_rows
from ratecard.services.disagreements import refresh_disagreements
from ratecard.services.facts import settle as settle_facts
from ratecard.services.shown import refresh_shown


def written_by(session: Session, run_id: int, source: str, stamp: dt.datetime) -> set[int]:
    """Every model whose price or capability rows this run inserted or closed (a withdrawn
    price or a changed capability moves what is shown as much as a new price does)."""
    found: set[int] = set()
    for table in (Price, Capability):
        found.update(session.scalars(select(table.model_id).where(
            table.sync_run_id == run_id).distinct()))
        found.update(session.scalars(select(table.model_id).where(
            table.source == source, table.valid_to == stamp).distinct()))
    return found


def refresh(session: Session, model_ids: Iterable[int], when: dt.datetime) -> None:
    ids = set(model_ids)
    if not ids:
        return
    session.flush()
    settle_facts(session, ids)
    refresh_shown(session, ids)
    refresh_disagreements(session, ids, when)
    catalog_rows.refresh(session, ids)
