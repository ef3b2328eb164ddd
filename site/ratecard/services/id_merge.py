"""One model, one id in the database: models whose canonical ids spell one version two
ways (scrapers.ids) become one, under the spelling of the highest-precedence source.

- unify(): every such group in the catalog is merged (migration 0007 runs it on a
  database loaded under the old rules).
- resolve(): before a sync writes, a record spelled differently from a model already in
  the catalog is given that model's id, or, when its source outranks every other source
  of that model, the model takes the record's spelling (the sync hook; see
  docs/sources.md).
Either way the old canonical id stays an alias of the model, so its page redirects (301).

merge() moves everything that names the old model to the kept one: aliases, prices,
capabilities, change events, held changes, facts, content pages (a model profile named by
the old id takes the new one). Where both models had a current row from the same source
for the same meter, unit and conditions (or capability, or fact), the newer is kept and the
other closed, so no key has two current rows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Column, Table, UniqueConstraint, delete, exists, inspect, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from ratecard.db import utcnow
from ratecard.models import (
    Capability,
    CatalogRow,
    ChangeEvent,
    ContentPage,
    Disagreement,
    Model,
    ModelAlias,
    ModelFact,
    Price,
    Provider,
    QuarantinedChange,
)
from ratecard.models.probes import ProbeSummary
from ratecard.precedence import rank
from ratecard.services import catalog_rows, derived
from scrapers import ids
from scrapers.base import ModelRecord

_FIELDS = ("mode", "context_window", "max_output", "input_modalities", "output_modalities",
           "release_date", "deprecation_date", "regions", "meta_source")


def _sources(session: Session, model_ids: Iterable[int]) -> dict[int, list[str]]:
    """model id -> the sources that spell it so, live ones first, each in precedence
    order."""
    rows = session.execute(select(ModelAlias.model_id, ModelAlias.source, ModelAlias.key,
                                  ModelAlias.vanished_at).where(
        ModelAlias.model_id.in_(list(model_ids))))
    found: dict[int, dict[str, bool]] = defaultdict(dict)
    for model_id, source, key, vanished in rows:
        if ids.is_copy_key(key):        # a reseller's copy does not spell for the lab
            continue
        found[model_id][source] = found[model_id].get(source, False) or vanished is None
    return {model_id: sorted(by, key=lambda s: (not by[s], rank(s)))
            for model_id, by in found.items()}


def _standing(sources: Sequence[str]) -> tuple[int, tuple[int, str]]:
    """Sort key of a spelling: its best live source, then its best source at all."""
    return (0, rank(sources[0])) if sources else (1, (99, ""))


def twin_groups(session: Session) -> list[list[Model]]:
    """Models (two or more) whose ids name one model by scrapers.ids' rules."""
    rows = session.execute(select(Model.id, Model.canonical_id)).tuples().all()
    ranked = [(canonical_id, 0) for _, canonical_id in rows]
    renames = ids.respell(ranked)
    groups: dict[str, list[int]] = defaultdict(list)
    by_id = dict(rows)
    for model_id, canonical_id in rows:
        groups[renames.get(canonical_id, canonical_id)].append(model_id)
    wanted = [members for members in groups.values() if len(members) > 1]
    if not wanted:
        return []
    models = {m.id: m for m in session.scalars(select(Model).where(
        Model.id.in_([i for members in wanted for i in members])))}
    return [sorted((models[i] for i in members), key=lambda m: by_id[m.id])
            for members in wanted]


def kept_of(session: Session, group: Sequence[Model]) -> Model:
    """The spelling of the highest-precedence source; equal standing: a spelling with a
    separator between digits (a version number), then the older model."""
    sources = _sources(session, [m.id for m in group])
    return min(group, key=lambda m: (_standing(sources.get(m.id, [])),
                                     not ids.has_version_separator(m.canonical_id), m.id))


def unify(session: Session, when: dt.datetime) -> list[tuple[str, str]]:
    """Merge every reseller copy into the lab's model and every group of twin ids;
    (old id, kept id) pairs, for the log."""
    merged = _fold_copies(session, when)
    for group in twin_groups(session):
        keep = kept_of(session, group)
        for old in group:
            if old.id != keep.id:
                merged.append((old.canonical_id, keep.canonical_id))
                merge(session, keep, old, when)
    return merged


def _fold_copies(session: Session, when: dt.datetime) -> list[tuple[str, str]]:
    """A model of a reseller's copy (`openrouter/anthropic/claude-3-5-haiku`, from LiteLLM
    or genai-prices) joins the lab's id as the parsers now give it; its current prices
    close (the parsers no longer read them: OpenRouter's own figures stand), its history
    stays."""
    moved: list[tuple[str, str]] = []
    copies = session.scalars(select(Model).join(Model.provider).where(
        Provider.slug == ids.RESELLER)).all()
    for model in copies:
        lab_id = ids.reseller_copy(ids.RESELLER, model.canonical_id.split("/", 1)[1])
        if lab_id is None:
            continue
        session.execute(update(Price).where(Price.model_id == model.id,
                                            Price.valid_to.is_(None)).values(valid_to=when))
        moved.append((model.canonical_id, lab_id))
        target = session.scalar(select(Model).where(Model.canonical_id == lab_id))
        if target is not None:
            merge(session, target, model, when)
            continue
        slug = lab_id.split("/")[0]
        provider = session.scalar(select(Provider).where(Provider.slug == slug))
        if provider is None:
            provider = Provider(slug=slug, name=slug)
            session.add(provider)
        model.provider = provider
        rename(session, model, lab_id, when)
        derived.refresh(session, {model.id}, when)
    return moved


def resolve(session: Session, source: str, records: Sequence[ModelRecord],
            when: dt.datetime) -> None:
    """Give each record the id of the model it names already (the sync hook): a record
    whose spelling is new but whose twin exists takes the twin's id, unless `source`
    outranks every other source of the twin, which then takes the record's spelling."""
    existing = dict(session.execute(select(Model.canonical_id, Model.id)).tuples().all())
    incoming = [r.canonical_id for r in records if r.canonical_id not in existing]
    if not incoming:
        return
    ranked = [(cid, 0) for cid in existing] + [(cid, 1) for cid in incoming]
    renames = ids.respell(ranked)
    twins: dict[str, str] = {}       # incoming id -> existing id of the same model
    groups: dict[str, list[str]] = defaultdict(list)
    for cid in [*existing, *incoming]:
        groups[renames.get(cid, cid)].append(cid)
    for members in groups.values():
        old = [cid for cid in members if cid in existing]
        if len(old) == 1:
            twins.update({cid: old[0] for cid in members if cid not in existing})
    if not twins:
        return
    sources = _sources(session, [existing[cid] for cid in set(twins.values())])
    taken = {r.canonical_id for r in records}
    for record in records:
        twin = twins.get(record.canonical_id)
        if twin is None or twin in taken:   # the payload names the twin too: left as is
            continue
        others = [s for s in sources.get(existing[twin], []) if s != source]
        taken.add(twin)
        if ids.is_copy_key(record.key) or (others and rank(source) >= rank(others[0])):
            record.canonical_id = twin
            continue
        model = session.get(Model, existing.pop(twin))
        assert model is not None
        rename(session, model, record.canonical_id, when)
        existing[record.canonical_id] = model.id


def rename(session: Session, model: Model, canonical_id: str, when: dt.datetime) -> None:
    """The model takes another spelling; the old id stays an alias (its page redirects)."""
    old = model.canonical_id
    _keep_alias(session, model, old, when)
    model.canonical_id = canonical_id
    session.execute(update(ContentPage).where(
        ContentPage.kind == "model", ContentPage.slug == old).values(slug=canonical_id))
    session.flush()


def _keep_alias(session: Session, model: Model, old_id: str, when: dt.datetime) -> None:
    """The old canonical id as an alias of the model, under its best source (aliases are
    per source), vanished: no source lists it, it only redirects."""
    if session.scalar(select(ModelAlias.id).where(ModelAlias.key == old_id).limit(1)):
        return
    sources = _sources(session, [model.id]).get(model.id) or ["litellm"]
    session.add(ModelAlias(model_id=model.id, source=sources[0], key=old_id,
                           first_seen=model.first_seen or when, last_seen=when,
                           vanished_at=when))


def merge(session: Session, keep: Model, old: Model, when: dt.datetime) -> None:
    """Move everything of `old` to `keep`, then delete `old` (its id stays an alias)."""
    session.flush()
    _keep_alias(session, old, old.canonical_id, when)
    session.flush()
    _close_overlaps(session, Price, keep.id, old.id,
                    (Price.source, Price.meter, Price.unit, Price.conditions_key))
    _close_overlaps(session, Capability, keep.id, old.id, (Capability.source, Capability.name))
    _settle_held(session, keep.id, old.id, when)
    _settle_facts(session, keep.id, old.id)
    session.execute(delete(Disagreement).where(Disagreement.model_id == old.id))
    for table in (ModelAlias, Price, Capability, ChangeEvent, QuarantinedChange, ModelFact,
                  ContentPage):
        session.execute(update(table).where(table.model_id == old.id).values(
            model_id=keep.id))
    _move_other_references(session, keep.id, old.id)
    taken = session.scalar(select(ContentPage.id).where(
        ContentPage.kind == "model", ContentPage.slug == keep.canonical_id).limit(1))
    if taken is None:
        session.execute(update(ContentPage).where(
            ContentPage.kind == "model", ContentPage.slug == old.canonical_id).values(
            slug=keep.canonical_id))
    for name in _FIELDS:
        if getattr(keep, name) is None and getattr(old, name) is not None:
            setattr(keep, name, getattr(old, name))
    if old.first_seen and (keep.first_seen is None or old.first_seen < keep.first_seen):
        keep.first_seen = old.first_seen
    session.flush()
    old_id = old.id
    session.expunge(old)
    session.execute(delete(Model).where(Model.id == old_id))
    session.expire(keep)
    catalog_rows.refresh(session, {old_id})       # gone (no cascade without SQLite's FKs)
    derived.refresh(session, {keep.id}, when)


def _move_other_references(session: Session, keep_id: int, old_id: int) -> None:
    """Tables added later that name a model (probe runs, alert subscriptions, …) follow
    it too; at an older revision (migration 0007) they do not exist yet."""
    handled = {t.__table__.name for t in (ModelAlias, Price, Capability, ChangeEvent,
                                          QuarantinedChange, ModelFact, ContentPage,
                                          Disagreement, CatalogRow)}
    present = set(inspect(session.connection()).get_table_names())
    for table in Model.metadata.sorted_tables:
        if table.name in handled or table.name not in present:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == Model.__tablename__:
                _drop_collisions(session, table, fk.parent, keep_id, old_id)
                session.execute(table.update().where(fk.parent == old_id).values(
                    {fk.parent.name: keep_id}))
    if "probe_summaries" in present and session.get(ProbeSummary, keep_id) is not None:
        from ratecard.services.probes import refresh_summary  # both models' runs now
        refresh_summary(session, keep_id, utcnow())


def _drop_collisions(session: Session, table: Table, column: Column, keep_id: int,
                     old_id: int) -> None:
    """Rows of `old` that a unique key would find twice once moved (a verdict of the same
    week, the probe summary) give way to the kept model's."""
    keys = [table.primary_key, *(c for c in table.constraints
                                 if isinstance(c, UniqueConstraint))]
    for key in keys:
        columns = list(key.columns)
        if column not in columns:
            continue
        kept = table.alias("kept")
        clash = exists().where(kept.c[column.name] == keep_id,
                               *(kept.c[c.name] == c for c in columns if c is not column))
        session.execute(table.delete().where(column == old_id, clash))


def _close_overlaps(session: Session, table: type[Price] | type[Capability], keep_id: int,
                    old_id: int, key_columns: tuple[InstrumentedAttribute[str], ...]) -> None:
    """Current rows of both models for one key: the newer stays, the older closes when
    the newer began."""
    rows = session.execute(select(table.id, table.model_id, table.valid_from, *key_columns)
                           .where(table.model_id.in_((keep_id, old_id)),
                                  table.valid_to.is_(None))).all()
    current: dict[tuple, list[tuple[dt.datetime, int, int]]] = defaultdict(list)
    for row_id, model_id, valid_from, *key in rows:
        current[tuple(key)].append((valid_from, model_id == keep_id, row_id))
    for found in current.values():
        if len(found) > 1:
            found.sort()
            newest = found[-1][0]
            for valid_from, _, row_id in found[:-1]:
                session.execute(update(table).where(table.id == row_id).values(
                    valid_to=max(newest, valid_from)))


def _settle_held(session: Session, keep_id: int, old_id: int, when: dt.datetime) -> None:
    """Two pending held changes for one key: the one seen last waits, the other is
    rejected (it describes a row that no longer is current)."""
    q = QuarantinedChange
    rows = session.execute(select(q.id, q.seen_at, q.source, q.meter, q.unit,
                                  q.conditions_key).where(
        q.model_id.in_((keep_id, old_id)), q.status == "pending")).all()
    pending: dict[tuple, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for row_id, seen_at, *key in rows:
        pending[tuple(key)].append((seen_at, row_id))
    for found in pending.values():
        for _, row_id in sorted(found)[:-1]:
            session.execute(update(q).where(q.id == row_id).values(
                status="rejected", decided_at=when))


def _settle_facts(session: Session, keep_id: int, old_id: int) -> None:
    """model_facts is unique per (model, source, field): the one seen last stays."""
    rows = session.execute(select(ModelFact.id, ModelFact.seen_at, ModelFact.source,
                                  ModelFact.field).where(
        ModelFact.model_id.in_((keep_id, old_id)))).all()
    facts: dict[tuple, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for row_id, seen_at, *key in rows:
        facts[tuple(key)].append((seen_at, row_id))
    stale = [row_id for found in facts.values() for _, row_id in sorted(found)[:-1]]
    if stale:
        session.execute(delete(ModelFact).where(ModelFact.id.in_(stale)))
