"""Migration 0007 and services.id_merge: models created under the old id rules merge into
one, with nothing lost and nothing current twice; the old ids redirect."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.models import (
    Capability,
    ChangeEvent,
    ContentPage,
    Model,
    ModelAlias,
    ModelFact,
    Price,
    Provider,
    QuarantinedChange,
    SyncRun,
)
from ratecard.services import id_merge
from scrapers.base import ModelRecord
from scrapers.ids import spelling_key

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _old_catalog(db: Database) -> None:
    """Rows as the old rules wrote them, built directly at revision 0006."""
    with db.session() as s:
        run = SyncRun(source="openrouter", status="success", started_at=T2, as_of=T2)
        providers = {slug: Provider(slug=slug, name=slug)
                     for slug in ("anthropic", "xai", "azure", "openrouter")}
        s.add_all([run, *providers.values()])
        s.flush()

        def model(cid: str, *aliases: tuple[str, str, bool]) -> Model:
            m = Model(canonical_id=cid, provider=providers[cid.split("/")[0]],
                      name=cid.split("/", 1)[1], first_seen=T0)
            s.add(m)
            s.flush()
            for source, key, live in aliases:
                s.add(ModelAlias(model_id=m.id, source=source, key=key, first_seen=T0, last_seen=T2,
                                 vanished_at=None if live else T1))
            return m

        def price(m: Model, source: str, amount: str, start: dt.datetime,
                  end: dt.datetime | None = None) -> None:
            s.add(Price(model_id=m.id, source=source, meter="input", unit="1M_tokens",
                        amount=Decimal(amount), conditions_key="", valid_from=start,
                        valid_to=end))

        lab = model("anthropic/claude-opus-4-7", ("litellm", "claude-opus-4-7", True),
                    ("modelsdev", "anthropic/claude-opus-4-7", True))
        dotted = model("anthropic/claude-opus-4.7",
                       ("openrouter", "anthropic/claude-opus-4.7", True))
        price(lab, "litellm", "5", T0)
        price(dotted, "openrouter", "5.5", T1)
        price(dotted, "litellm", "4", T0, T1)          # history, moves as it is
        price(dotted, "litellm", "6", T2)              # newer than lab's litellm row
        s.add_all([Capability(model_id=lab.id, source="litellm", name="vision", value=True,
                              valid_from=T0),
                   Capability(model_id=dotted.id, source="litellm", name="vision", value=False,
                              valid_from=T1)])
        s.add(ChangeEvent(model_id=dotted.id, source="openrouter", kind="model_added",
                          occurred_at=T1))
        for m, seen in ((lab, T1), (dotted, T2)):
            s.add(QuarantinedChange(sync_run_id=run.id, model_id=m.id, source="litellm",
                                    meter="output", unit="1M_tokens", conditions={},
                                    conditions_key="",
                                    old_amount=Decimal(1), new_amount=Decimal(100),
                                    reason="100x", seen_at=seen, status="pending"))
        s.add(ModelFact(model_id=dotted.id, source="openrouter", field="context_window",
                        value=1000000, seen_at=T2))
        s.add(ContentPage(kind="model", slug="anthropic/claude-opus-4.7",
                          model_id=dotted.id))

        model("xai/grok-4-1-fast", ("litellm", "xai/grok-4-1-fast", True))
        model("xai/grok-4.1-fast", ("openrouter", "x-ai/grok-4.1-fast", True))
        model("azure/gpt-35-turbo", ("litellm", "azure/gpt-35-turbo", True))
        model("azure/gpt-3.5-turbo", ("litellm", "azure/gpt-3.5-turbo", True))
        model("azure/gpt-35-turbo-16k", ("litellm", "azure/gpt-35-turbo-16k", True))  # alone
        haiku = model("anthropic/claude-3-5-haiku", ("litellm", "claude-3-5-haiku", True))
        copy = model("openrouter/anthropic/claude-3-5-haiku",
                     ("litellm", "openrouter/anthropic/claude-3-5-haiku", True))
        lone = model("openrouter/gryphe/mythomax-l2-13b",
                     ("litellm", "openrouter/gryphe/mythomax-l2-13b", True))
        price(haiku, "litellm", "0.8", T0)
        price(copy, "litellm", "1", T0)
        price(lone, "litellm", "0.1", T0)
        model("openrouter/auto", ("openrouter", "openrouter/auto", True))   # its own model


@pytest.fixture
def merged(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database, "0006")
    _old_catalog(database)
    upgrade(database)
    yield database
    database.dispose()


def _ids(s) -> set[str]:  # type: ignore[no-untyped-def]
    return set(s.scalars(select(Model.canonical_id)))


def test_migration_merges_the_old_spellings(merged: Database) -> None:
    with merged.session() as s:
        assert _ids(s) == {"anthropic/claude-opus-4-7", "xai/grok-4-1-fast",
                           "azure/gpt-3.5-turbo", "azure/gpt-35-turbo-16k",
                           "anthropic/claude-3-5-haiku", "gryphe/mythomax-l2-13b",
                           "openrouter/auto"}
        opus = s.scalar(select(Model).where(Model.canonical_id == "anthropic/claude-opus-4-7"))
        rows = s.execute(select(Price.source, Price.amount, Price.valid_to).where(
            Price.model_id == opus.id).order_by(Price.source, Price.valid_from)).all()
        assert [(src, amount, end is None) for src, amount, end in rows] == [
            ("litellm", Decimal(4), False), ("litellm", Decimal(5), False),
            ("litellm", Decimal(6), True), ("openrouter", Decimal("5.5"), True)]
        assert rows[1].valid_to == T2                  # closed when the newer began
        caps = s.execute(select(Capability.value).where(
            Capability.model_id == opus.id, Capability.valid_to.is_(None))).scalars().all()
        assert caps == [False]
        held = s.execute(select(QuarantinedChange.status, QuarantinedChange.seen_at).where(
            QuarantinedChange.model_id == opus.id).order_by(QuarantinedChange.seen_at)).all()
        assert [status for status, _ in held] == ["rejected", "pending"]
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.model_id == opus.id)) == 1
        assert s.scalar(select(ModelFact.value).where(ModelFact.model_id == opus.id)) == 1000000
        page = s.scalar(select(ContentPage).where(ContentPage.kind == "model"))
        assert (page.slug, page.model_id) == ("anthropic/claude-opus-4-7", opus.id)
        aliases = dict(s.execute(select(ModelAlias.key, Model.canonical_id).join(Model)).all())
        for old, kept in [("anthropic/claude-opus-4.7", "anthropic/claude-opus-4-7"),
                          ("xai/grok-4.1-fast", "xai/grok-4-1-fast"),
                          ("x-ai/grok-4.1-fast", "xai/grok-4-1-fast"),
                          ("azure/gpt-35-turbo", "azure/gpt-3.5-turbo"),
                          ("openrouter/anthropic/claude-3-5-haiku",
                           "anthropic/claude-3-5-haiku"),
                          ("openrouter/gryphe/mythomax-l2-13b", "gryphe/mythomax-l2-13b")]:
            assert aliases[old] == kept, old
        # A copy's price is history on the lab's model, never a current price of it.
        haiku = s.execute(select(Price.amount, Price.valid_to).join(Model).where(
            Model.canonical_id == "anthropic/claude-3-5-haiku")).all()
        assert sorted((a, end is None) for a, end in haiku) == [
            (Decimal("0.8"), True), (Decimal(1), False)]
        _assert_one_current_row_per_key(s)


def _assert_one_current_row_per_key(s) -> None:  # type: ignore[no-untyped-def]
    keys = Counter(s.execute(select(Price.model_id, Price.source, Price.meter, Price.unit,
                                    Price.conditions_key).where(Price.valid_to.is_(None))).all())
    assert [k for k, n in keys.items() if n > 1] == []
    caps = Counter(s.execute(select(Capability.model_id, Capability.source, Capability.name)
                             .where(Capability.valid_to.is_(None))).all())
    assert [k for k, n in caps.items() if n > 1] == []


def test_old_ids_redirect(merged: Database) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": merged.url, "RATECARD_OFFLINE": True})
    try:
        client = app.test_client()
        for old, kept in [("anthropic/claude-opus-4.7", "anthropic/claude-opus-4-7"),
                          ("xai/grok-4.1-fast", "xai/grok-4-1-fast"),
                          ("azure/gpt-35-turbo", "azure/gpt-3.5-turbo"),
                          ("openrouter/anthropic/claude-3-5-haiku",
                           "anthropic/claude-3-5-haiku")]:
            response = client.get(f"/models/{old}")
            assert response.status_code == 301, old
            assert response.headers["Location"].endswith(f"/models/{kept}"), old
        assert client.get("/models/anthropic/claude-opus-4-7").status_code == 200
    finally:
        app.extensions["ratecard.db"].dispose()


def test_resolve_follows_the_catalog_or_outranks_it(merged: Database) -> None:
    with merged.session() as s:
        # OpenRouter's spelling of a model LiteLLM names: the record takes LiteLLM's id.
        record = ModelRecord(key="anthropic/claude-opus-4.7",
                             canonical_id="anthropic/claude-opus-4.7", provider="anthropic")
        id_merge.resolve(s, "openrouter", [record], T2)
        assert record.canonical_id == "anthropic/claude-opus-4-7"
        # LiteLLM spelling a model only OpenRouter had: the model takes LiteLLM's spelling.
        s.add(Model(canonical_id="anthropic/claude-9.1", name="c",
                    provider=s.scalar(select(Provider).where(Provider.slug == "anthropic")),
                    first_seen=T0))
        s.flush()
        m = s.scalar(select(Model).where(Model.canonical_id == "anthropic/claude-9.1"))
        s.add(ModelAlias(model_id=m.id, source="openrouter", key="anthropic/claude-9.1",
                         first_seen=T0, last_seen=T0))
        record = ModelRecord(key="claude-9-1", canonical_id="anthropic/claude-9-1",
                             provider="anthropic")
        id_merge.resolve(s, "litellm", [record], T2)
        assert record.canonical_id == "anthropic/claude-9-1"
        assert m.canonical_id == "anthropic/claude-9-1"
        # A new model with no twin is left alone.
        record = ModelRecord(key="x", canonical_id="anthropic/claude-10", provider="anthropic")
        id_merge.resolve(s, "litellm", [record], T2)
        assert record.canonical_id == "anthropic/claude-10"
        assert id_merge.unify(s, T2) == []


@pytest.fixture(scope="module")
def full_load(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Database, list[tuple[str, str]]]]:
    """Every snapshot through the real sync, then the merge migration 0007 runs."""
    from tests.catalog_loader import load_catalog
    from tests.conftest import PG_URL, _reset_postgres
    from tests.upstream import upstream

    upstream("litellm")
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('ids') / 'full.db'}"
    database = Database(url)
    upgrade(database)
    load_catalog(database)
    with database.session() as s:
        merged = id_merge.unify(s, dt.datetime.now(dt.UTC))
    print(f"\nmerged {len(merged)} models:", *(f"{a} -> {b}" for a, b in merged), sep="\n  ")
    yield database, merged
    database.dispose()


def test_full_load_has_one_id_per_model(full_load: tuple[Database, list[tuple[str, str]]]
                                        ) -> None:
    database, merged = full_load
    with database.session() as s:
        ids = _ids(s)
        keys = Counter(spelling_key(cid) for cid in ids)
        assert [k for k, n in keys.items() if n > 1] == []
        assert id_merge.twin_groups(s) == []
        assert not [cid for cid in ids if cid.startswith("openrouter/") and cid.count("/") > 1]
        aliases = dict(s.execute(select(ModelAlias.key, Model.canonical_id).join(Model)).all())
        # The OpenRouter spellings of current Claude models went; the lab's stayed, and the
        # old spelling leads to it (whether the sync or the migration joined them).
        for old, kept in [("anthropic/claude-opus-4.7", "anthropic/claude-opus-4-7"),
                          ("anthropic/claude-sonnet-4.6", "anthropic/claude-sonnet-4-6")]:
            assert old not in ids and aliases[old] == kept
        for old, kept in merged:
            assert old not in ids
            assert aliases[old] in ids and spelling_key(aliases[old]) in (
                spelling_key(kept), spelling_key(aliases[kept]) if kept in aliases else None)
        _assert_one_current_row_per_key(s)
