"""Recording where sources disagree on a model's current price by more than 1 %."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ratecard.models import Disagreement, Price
from ratecard.money import exact_text
from ratecard.services.guards import disagrees

BATCH = 500


def refresh_disagreements(session: Session, model_ids: Iterable[int],
                          when: dt.datetime) -> int:
    """Rebuild the disagreement rows of these models from their current prices."""
    ids = sorted(set(model_ids))
    found = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        session.execute(delete(Disagreement).where(Disagreement.model_id.in_(chunk)))
        groups: dict[tuple[int, str, str, str], dict[str, Decimal]] = defaultdict(dict)
        rows = session.execute(select(
            Price.model_id, Price.meter, Price.unit, Price.conditions_key, Price.source,
            Price.amount).where(Price.model_id.in_(chunk), Price.valid_to.is_(None)))
        for model_id, meter, unit, ckey, source, amount in rows:
            groups[(model_id, meter, unit, ckey)][source] = amount
        new = []
        for (model_id, meter, unit, ckey), amounts in groups.items():
            if len(amounts) > 1 and disagrees(list(amounts.values())):
                new.append({
                    "model_id": model_id, "meter": meter, "unit": unit, "conditions_key": ckey,
                    "low": min(amounts.values()), "high": max(amounts.values()),
                    "amounts": {s: exact_text(a) for s, a in sorted(amounts.items())},
                    "detected_at": when,
                })
        if new:
            session.execute(insert(Disagreement), new)
        found += len(new)
    return found
