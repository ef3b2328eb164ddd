"""Setting Model.name from the sources' own names (ratecard.names), unique per provider.

services.facts keeps each source's name of each model (model_facts, field "name"); after
a sync writes them, settle() chooses every touched model's name in the documented order
and makes the names of a provider's models distinct, so every page, feed and API answer
that reads Model.name says "GPT-4o", never "gpt 4o", and a provider page never lists two
models under one name.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from ratecard.models import Model, ModelFact
from ratecard.names import choose, distinct
from ratecard.services.facts import NAME_FIELD

BATCH = 500      # providers per read: an IN list any database takes
_NAME_TYPE = Model.__table__.c.name.type
NAME_LENGTH = (_NAME_TYPE.length if isinstance(_NAME_TYPE, String) else None) or 255


def settle(session: Session, model_ids: Iterable[int]) -> int:
    """Name the models of every provider these models belong to; returns how many names
    changed. A whole provider is read, because a new name can clash with an old one."""
    ids = sorted(set(model_ids))
    providers: set[int] = set()
    for start in range(0, len(ids), BATCH):
        providers.update(session.scalars(select(Model.provider_id).where(
            Model.id.in_(ids[start:start + BATCH])).distinct()))
    ordered = sorted(providers)
    changed = 0
    for start in range(0, len(ordered), BATCH):
        changed += _settle_providers(session, ordered[start:start + BATCH])
    return changed


def _settle_providers(session: Session, provider_ids: list[int]) -> int:
    given: dict[int, dict[str, str]] = defaultdict(dict)
    for model_id, source, value in session.execute(select(
            ModelFact.model_id, ModelFact.source, ModelFact.value).join(
            Model, Model.id == ModelFact.model_id).where(
            Model.provider_id.in_(provider_ids), ModelFact.field == NAME_FIELD)):
        if isinstance(value, str):
            given[model_id][source] = value
    by_provider: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    current: dict[int, str] = {}
    for model_id, canonical_id, provider_id, name in session.execute(select(
            Model.id, Model.canonical_id, Model.provider_id, Model.name).where(
            Model.provider_id.in_(provider_ids))):
        ident = canonical_id.split("/", 1)[-1]
        by_provider[provider_id].append((model_id, ident, choose(given.get(model_id, {}),
                                                                 ident)))
        current[model_id] = name
    wanted: dict[int, str] = {}
    for models in by_provider.values():
        wanted.update((pk, name) for pk, name in distinct(models).items()
                      if current.get(pk) != name)
    pending = sorted(wanted)
    for start in range(0, len(pending), BATCH):
        for model in session.scalars(select(Model).where(
                Model.id.in_(pending[start:start + BATCH]))):
            model.name = wanted[model.id][:NAME_LENGTH]
    return len(wanted)
