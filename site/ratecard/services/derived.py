"""What is derived from the current rows of a model, rebuilt after every write of them.

The sync, an approved or published held change and a data migration all call refresh()
for the models they touched, so the pages read derived rows directly and never recompute.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from ratecard.services.disagreements import refresh_disagreements


def refresh(session: Session, model_ids: Iterable[int], when: dt.datetime) -> None:
    ids = set(model_ids)
    if not ids:
        return
    session.flush()
    refresh_disagreements(session, ids, when)
