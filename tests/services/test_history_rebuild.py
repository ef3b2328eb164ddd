"""Rebuilding a source's history from its stored payloads (issue 14), on the real dated
LiteLLM series: a changed parser, no change at all, a person's quarantine decisions, the
sync lock, and bad input."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.models import ChangeEvent, Price, QuarantinedChange
from ratecard.queries.history_diff import compare, snapshot
from ratecard.services.history_rebuild import RebuildError, rebuild
from ratecard.services.locks import source_lock
from scrapers import litellm
from tests.conftest import PG_URL, _reset_postgres
from tests.history_support import decisions, meters_to_move, misfiling, replay


def shot(db: Database):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return snapshot(session, "litellm")


def fresh(tmp_path: Path) -> Database:
    """A second, empty database (PostgreSQL: the test database wiped again)."""
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    database = Database(url)
    upgrade(database)
    return database


def test_changed_parser_rebuild_equals_a_fresh_replay(db, tmp_path):
    moved, target = meters_to_move()
    spare = (moved, target)             # a reviewer decides every other held change
    replay(db, litellm.SOURCE, spare)
    old = shot(db)
    old_decisions = decisions(db)
    assert old_decisions, "the series should hold some changes for a person to decide"
    changed = misfiling(moved, target)

    dry = rebuild(db, changed, dry_run=True)
    assert dry.dry_run and not dry.written
    assert shot(db) == old, "a dry run wrote something"

    done = rebuild(db, changed)
    assert done.written
    rebuilt = shot(db)
    rebuilt_decisions = decisions(db)
    db.dispose()

    other = fresh(tmp_path)
    replay(other, changed, spare)
    expected = shot(other)
    other_decisions = decisions(other)
    other.dispose()

    assert rebuilt.prices == expected.prices
    assert rebuilt.capabilities == expected.capabilities
    assert rebuilt.events == expected.events
    assert rebuilt.aliases == expected.aliases
    assert rebuilt_decisions == other_decisions == old_decisions
    # The dry run listed exactly the differences between the old and the new reading...
    assert dry.changes == compare(old, expected) == done.changes
    assert dry.changes
    # ...and they are all about the two meters the parser change concerns.
    kinds = {c.kind for c in dry.changes}
    assert "moved meter" in kinds
    for change in dry.changes:
        assert change.subject.split("/")[0] in spare, change


def test_rebuild_without_parser_change_writes_nothing(db):
    replay(db, litellm.SOURCE, spare=())
    before = shot(db)
    with db.session() as session:
        ids = (session.scalar(select(func.max(Price.id))),
               session.scalar(select(func.max(ChangeEvent.id))),
               session.scalar(select(func.count()).select_from(QuarantinedChange)))
    held = decisions(db)
    assert held, "the series should hold some changes for a person to decide"

    dry = rebuild(db, litellm.SOURCE, dry_run=True)
    assert dry.changes == []
    result = rebuild(db, litellm.SOURCE)
    # Every decision was needed to come out equal: approved values are in the history.
    assert result.changes == [] and not result.written
    assert result.decisions == sum(held.values()) and result.lost_decisions == 0
    assert "no difference, nothing written" in result.line()
    with db.session() as session:
        assert ids == (session.scalar(select(func.max(Price.id))),
                       session.scalar(select(func.max(ChangeEvent.id))),
                       session.scalar(select(func.count()).select_from(QuarantinedChange)))
    assert shot(db) == before
    assert decisions(db) == held


def test_refused_while_a_sync_of_the_source_runs(db):
    replay(db, litellm.SOURCE)
    before = shot(db)
    with source_lock(db, "litellm"):
        with pytest.raises(RebuildError, match="another sync of this source is running"):
            rebuild(db, litellm.SOURCE)
    assert shot(db) == before
    assert rebuild(db, litellm.SOURCE).changes == []     # the lock was let go


def test_no_stored_payloads_is_a_clear_error(db):
    with pytest.raises(RebuildError, match="litellm: no stored payloads to rebuild from"):
        rebuild(db, litellm.SOURCE)


def test_a_failing_parser_leaves_the_old_history(db):
    replay(db, litellm.SOURCE)
    before = shot(db)
    calls = []

    def parse(payload):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("a parser bug half-way")
        return litellm.SOURCE.parse(payload)

    import dataclasses
    broken = dataclasses.replace(litellm.SOURCE, parser=parse)
    with pytest.raises(ValueError, match="half-way"):
        rebuild(db, broken)
    assert shot(db) == before


def test_other_sources_and_shared_models_are_untouched(db):
    from ratecard.models import Model, ModelFact, QuarantinedChange
    from ratecard.services.sync import run_sync
    from scrapers import openrouter
    from tests.history_support import day_of
    from tests.upstream import upstream_glob

    replay(db, litellm.SOURCE)
    listing = upstream_glob("openrouter", "models_*.json")[-1]
    assert run_sync(db, openrouter.SOURCE, payload=listing.read_bytes(),
                    as_of=day_of(listing)).ok

    def others():  # type: ignore[no-untyped-def]
        with db.session() as session:
            return (snapshot(session, "openrouter"),
                    sorted(session.execute(select(Model.canonical_id, ModelFact.field,
                                                  ModelFact.value, ModelFact.seen_at).join(
                        Model, Model.id == ModelFact.model_id).where(
                        ModelFact.source == "openrouter")).all(), key=repr),
                    sorted(session.execute(select(
                        QuarantinedChange.id, QuarantinedChange.status,
                        QuarantinedChange.new_amount).where(
                        QuarantinedChange.source == "openrouter")).all()),
                    dict(session.execute(select(Model.canonical_id, Model.id)).all()))

    before = others()
    moved, target = meters_to_move()
    result = rebuild(db, misfiling(moved, target))
    assert result.written and result.changes
    after = others()
    assert after[:3] == before[:3]
    # Every model keeps its database id (pages, content and other sources point at it).
    assert {k: v for k, v in after[3].items() if k in before[3]} == before[3]


def test_a_model_the_parser_now_names_otherwise_moves_with_its_history(db):
    """Small payloads (no fixtures needed): a parser change that gives one model another id
    moves its rows, events and alias there; the old id, left with nothing, is removed."""
    import dataclasses
    import datetime as dt
    import json

    from ratecard.models import Model
    from ratecard.services.sync import run_sync

    def payload(price: float) -> bytes:
        return json.dumps({
            "gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                       "input_cost_per_token": price, "output_cost_per_token": 1e-05},
            "gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat",
                            "input_cost_per_token": 1.5e-07,
                            "output_cost_per_token": 6e-07}}).encode()

    for day, price in ((dt.date(2026, 1, 1), 5e-06), (dt.date(2026, 2, 1), 2.5e-06)):
        assert run_sync(db, litellm.SOURCE, payload=payload(price), as_of=day).ok

    def parse(data):  # type: ignore[no-untyped-def]
        result = litellm.SOURCE.parse(data)
        for model in result.models:
            if model.canonical_id == "openai/gpt-4o":
                model.canonical_id = "openai/gpt-4o-renamed"
        return result

    renamed = dataclasses.replace(litellm.SOURCE, parser=parse)
    with db.session() as session:
        mini_id = session.scalar(select(Model.id).where(
            Model.canonical_id == "openai/gpt-4o-mini"))
    dry = rebuild(db, renamed, dry_run=True)
    kinds = {(c.model, c.kind) for c in dry.changes}
    assert ("openai/gpt-4o", "moved id") in kinds and ("openai/gpt-4o", "alias") in kinds
    assert all(c.model in ("openai/gpt-4o", "openai/gpt-4o-renamed") for c in dry.changes)
    result = rebuild(db, renamed)
    assert result.dropped_models == 1 and result.changes == dry.changes
    with db.session() as session:
        ids = dict(session.execute(select(Model.canonical_id, Model.id)).all())
        history = session.execute(select(Price.amount, Price.valid_from).join(Model).where(
            Model.canonical_id == "openai/gpt-4o-renamed", Price.meter == "input").order_by(
            Price.valid_from)).all()
    assert "openai/gpt-4o" not in ids and ids["openai/gpt-4o-mini"] == mini_id
    assert [(f"{a.normalize():f}", d.date()) for a, d in history] == [
        ("5", dt.date(2026, 1, 1)), ("2.5", dt.date(2026, 2, 1))]


def test_a_deprecation_announced_for_another_sources_model_survives_a_rebuild(db):
    """The offline catalog's order: genai-prices (or any source) creates a model, LiteLLM then
    announces its deprecation; rebuilding LiteLLM with no parser change finds nothing."""
    import datetime as dt
    import json

    from ratecard.services.sync import run_sync
    from scrapers import openrouter
    from tests.services.test_sync import CATALOG, entry, payload

    listing = {"data": [{
        "id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,
        "context_length": 128000, "architecture": {"input_modalities": ["text"],
                                                   "output_modalities": ["text"]},
        "pricing": {"prompt": "0.0000025", "completion": "0.00001"}}]}
    assert run_sync(db, openrouter.SOURCE, payload=json.dumps(listing).encode(),
                    as_of=dt.date(2026, 1, 1)).ok
    entries = CATALOG | {"gpt-4o": entry(deprecation_date="2026-09-01")}
    assert run_sync(db, litellm.SOURCE, payload=payload(entries), as_of=dt.date(2026, 1, 2)).ok
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind == "model_deprecated")) == 1
    result = rebuild(db, litellm.SOURCE, dry_run=True)
    assert result.changes == [], result.changes[:5]


def test_a_merge_redirect_survives_a_rebuild(db):
    """A model another source created under an old spelling, merged into the id the rules
    give it when LiteLLM named it: the old id is kept as a redirect alias under LiteLLM.
    No payload wrote it, so the replay cannot write it again, and the rebuild must keep it
    (the offline catalog's load made two: ai21/jamba-1-5-large and -mini)."""
    import datetime as dt

    from ratecard.models import Model, ModelAlias, Provider
    from ratecard.services.id_merge import rename

    replay(db, litellm.SOURCE, ())
    when = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
    with db.session() as session:
        model = session.scalars(select(Model).join(ModelAlias).where(
            ModelAlias.source == "litellm", ModelAlias.vanished_at.is_(None)).order_by(
            Model.id).limit(1)).one()
        model_id, canonical = model.id, model.canonical_id
        assert session.get(Provider, model.provider_id) is not None
        rename(session, model, canonical + "-renamed", when)   # keeps the old id as alias
        rename(session, model, canonical, when)                # and back: a redirect left
    with db.session() as session:
        redirect = session.scalars(select(ModelAlias).where(
            ModelAlias.key == canonical + "-renamed")).one()
        assert redirect.vanished_at == redirect.last_seen == when
    before = shot(db)
    dry = rebuild(db, litellm.SOURCE, dry_run=True)
    assert dry.changes == [], dry.changes
    assert shot(db) == before
    with db.session() as session:
        assert session.scalars(select(ModelAlias.model_id).where(
            ModelAlias.key == canonical + "-renamed")).one() == model_id


@pytest.mark.parametrize("source", ["litellm", "modelsdev", "genai_prices"])
def test_no_parser_change_no_difference_on_the_full_load(site_db, source):
    """Every source of the full load rebuilt (dry run) without a parser change finds
    nothing to change, although other sources renamed the models it created
    (anthropic/claude-3.5-sonnet -> claude-3-5-sonnet, by genai-prices' spelling) and
    published fixes it held (cohere/command $15 -> $1 once genai-prices agreed)."""
    from scrapers.registry import get_source

    result = rebuild(site_db, get_source(source), dry_run=True, say=lambda _: None)
    assert result.changes == []
    assert not result.written
