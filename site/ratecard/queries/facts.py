"""Where a model's sources disagree on its mode, modalities or limits.

The Model columns hold the consensus (services.facts); this reads each source's own value
beside it, so a page can say "Mode: chat (3 sources); LiteLLM says embedding".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Model, ModelFact
from ratecard.models.facts import FACT_FIELDS
from ratecard.precedence import rank

SET_FIELDS = ("input_modalities", "output_modalities")


@dataclass(frozen=True)
class FactDisagreement:
    field: str
    shown: Any                         # the model's column: the value most sources give
    agreeing: tuple[str, ...]          # sources giving the shown value, by precedence
    others: tuple[tuple[str, Any], ...]  # (source, value) of the sources that differ

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "shown": self.shown, "sources": list(self.agreeing),
                "others": dict(self.others)}


def _key(name: str, value: Any) -> object:
    return frozenset(value) if name in SET_FIELDS and value is not None else value


def fact_disagreements(session: Session, model: Model) -> list[FactDisagreement]:
    """The fields on which this model's current sources give more than one value."""
    by_field: dict[str, dict[str, Any]] = {}
    for source, name, value in session.execute(select(
            ModelFact.source, ModelFact.field, ModelFact.value).where(
            ModelFact.model_id == model.id)):
        by_field.setdefault(name, {})[source] = value
    found = []
    for name in FACT_FIELDS:
        given = by_field.get(name, {})
        if len({_key(name, v) for v in given.values()}) < 2:
            continue
        shown = getattr(model, name)
        order = sorted(given, key=rank)
        found.append(FactDisagreement(
            name, shown,
            tuple(s for s in order if _key(name, given[s]) == _key(name, shown)),
            tuple((s, given[s]) for s in order if _key(name, given[s]) != _key(name, shown))))
    return found
