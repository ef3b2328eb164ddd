"""Each source's facts about a model (mode, modalities, limits), and the consensus shown.

A sync records what its source says now about every model it lists (record) and forgets
what it said about models it no longer lists. settle() then sets the Model columns to the
value most sources give: a source that gives no value does not vote, modalities compare as
sets, limits by exact value, and a tie goes to the value of the highest-precedence source
among the tied (ratecard.precedence). A field no current source gives keeps its last value:
a model every source dropped still describes itself on its page.

A model does not change its kind. A source that turns a model it called a text model into one
that produces no output (an embedding, a reranker) or back is far likelier wrong than right
(LiteLLM made gemini/gemini-1.5-flash an 8,192-token embedding model in July 2026, after two
years as a 1M-token chat model), so that source's update of the model is not taken: its
earlier facts stay and vote, the flip is logged. A source that first describes a model so is
believed (nothing to compare with).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from ratecard.models import Model, ModelFact
from ratecard.models.facts import FACT_FIELDS
from ratecard.names import NAME_ORDER
from ratecard.precedence import rank
from scrapers.base import ModelRecord
from scrapers.vocabulary import NO_OUTPUT_MODES

log = logging.getLogger(__name__)

NAME_FIELD = "name"  # a source's own name of a model (not a consensus field)
BATCH = 1000          # models per statement: bounded memory, and IN lists any database takes
SET_FIELDS = ("input_modalities", "output_modalities")


def facts_of(record: ModelRecord) -> dict[str, Any]:
    """The fields this record gives a value for, as stored (modalities: sorted, unique)."""
    found: dict[str, Any] = {}
    for name in FACT_FIELDS:
        value = getattr(record, name)
        if name in SET_FIELDS:
            value = sorted(set(value)) if value else None
        if value is not None:
            found[name] = value
    return found


def name_fact(source: str, record: ModelRecord) -> dict[str, Any]:
    """The source's own name of the model, kept beside its facts for services.names (it
    is chosen by a fixed order, not by consensus)."""
    if source not in NAME_ORDER or not record.name:
        return {}
    return {NAME_FIELD: record.name}


def record(session: Session, source: str, pairs: Iterable[tuple[ModelRecord, Model]],
           stamp: dt.datetime, settled_elsewhere: Collection[int] = ()) -> set[int]:
    """Store this source's facts for the models it listed, drop its facts of every other
    model, then settle the consensus of all of them (but those in settled_elsewhere, which
    the caller settles itself). Returns the ids whose consensus was settled or left to it."""
    skip = set(settled_elsewhere)
    listed: set[int] = set()
    chunk: dict[int, tuple[Model, dict[str, Any]]] = {}
    for rec, model in pairs:
        chunk[model.id] = (model, facts_of(rec) | name_fact(source, rec))
        if len(chunk) >= BATCH:
            _store(session, source, chunk, stamp, skip)
            listed.update(chunk)
            chunk = {}
    if chunk:
        _store(session, source, chunk, stamp, skip)
        listed.update(chunk)
    dropped = set(session.scalars(select(ModelFact.model_id).where(
        ModelFact.source == source).distinct())) - listed
    for ids in _chunks(dropped):
        session.execute(delete(ModelFact).where(
            ModelFact.source == source, ModelFact.model_id.in_(ids)))
    settle(session, dropped - skip)
    return listed | dropped


def _store(session: Session, source: str, given: dict[int, tuple[Model, dict[str, Any]]],
           stamp: dt.datetime, skip: set[int]) -> None:
    """Diff one batch against the stored rows (insert new fields, update changed values,
    delete fields the source no longer gives), then settle the batch from the same read:
    every source's facts of these models are read once."""
    new: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    gone: list[int] = []
    have: dict[int, dict[str, tuple[int, Any]]] = defaultdict(dict)
    votes: dict[int, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for row_id, model_id, other, name, value in session.execute(select(
            ModelFact.id, ModelFact.model_id, ModelFact.source, ModelFact.field,
            ModelFact.value).where(ModelFact.model_id.in_(list(given)))):
        if other == source:
            have[model_id][name] = (row_id, value)
        else:
            votes[model_id][name][other] = value
    for model_id, (model, values) in given.items():
        old = have.get(model_id, {})
        if kind_flip(old.get("mode", (0, None))[1], values.get("mode")):
            log.warning("%s: %s turned from %s into %s: not taken (a model keeps its kind)",
                        source, model.canonical_id, old["mode"][1], values["mode"])
            for name, (_row, value) in old.items():
                votes[model_id][name][source] = value
            continue
        for name, value in values.items():
            votes[model_id][name][source] = value
            if name not in old:
                new.append({"model_id": model_id, "source": source, "field": name,
                            "value": value, "seen_at": stamp})
            elif old[name][1] != value:
                changed.append({"id": old[name][0], "value": value, "seen_at": stamp})
        gone.extend(row_id for name, (row_id, _) in old.items() if name not in values)
    if new:
        session.execute(insert(ModelFact), new)
    if changed:
        session.execute(update(ModelFact), changed)
    if gone:
        session.execute(delete(ModelFact).where(ModelFact.id.in_(gone)))
    for model_id, (model, _values) in given.items():
        if model_id not in skip:
            _apply(model, votes.get(model_id))


def kind_flip(before: Any, after: Any) -> bool:
    """A mode change across the line between producing output and producing none."""
    if before is None or after is None or before == after:
        return False
    return (before in NO_OUTPUT_MODES) != (after in NO_OUTPUT_MODES)


def consensus(name: str, votes: Mapping[str, Any]) -> Any:
    """The value most sources give (source -> value); ties by precedence; None: no votes."""
    if len(votes) == 1:            # most models: one source, nothing to count
        (value,) = votes.values()
        return sorted(set(value)) if name in SET_FIELDS and value is not None else value
    tally: dict[object, list[str]] = defaultdict(list)
    for source, value in votes.items():
        if value is not None:
            tally[_key(name, value)].append(source)
    if not tally:
        return None
    best = max(len(sources) for sources in tally.values())
    tied = [(min(rank(s) for s in sources), key) for key, sources in tally.items()
            if len(sources) == best]
    winner = min(tied, key=lambda pair: pair[0])[1]
    for value in votes.values():
        if value is not None and _key(name, value) == winner:
            return sorted(set(value)) if name in SET_FIELDS else value
    return None  # pragma: no cover - the winner came from the votes


def _key(name: str, value: Any) -> object:
    return frozenset(value) if name in SET_FIELDS else value


def votes_of(session: Session, model_ids: Iterable[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """model id -> field -> source -> value, for these models' current facts."""
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for ids in _chunks(model_ids):
        for model_id, source, name, value in session.execute(select(
                ModelFact.model_id, ModelFact.source, ModelFact.field, ModelFact.value).where(
                ModelFact.model_id.in_(ids))):
            found[model_id][name][source] = value
    return found


def settle(session: Session, model_ids: Iterable[int]) -> None:
    """Set each model's descriptive columns to the consensus of its sources' facts."""
    for ids in _chunks(model_ids):
        votes = votes_of(session, ids)
        for model in session.scalars(select(Model).where(Model.id.in_(ids))):
            _apply(model, votes.get(model.id))


def _apply(model: Model, fields: Mapping[str, Mapping[str, Any]] | None) -> None:
    if not fields:
        return         # no current source describes it: keep what it last said
    for name, by_source in fields.items():
        if name not in FACT_FIELDS:
            continue   # the sources' names: services.names chooses among them
        value = consensus(name, by_source)
        if value is not None and not _same(name, value, getattr(model, name)):
            setattr(model, name, value)


def _same(name: str, value: Any, current: Any) -> bool:
    if current is None:
        return False
    return _key(name, value) == _key(name, current)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start:start + BATCH]
