"""The first load of a database (the offline catalog, as `make serve` and
`ratecard sync --offline` do it): one "catalog loaded" entry, no "model added" per model,
the models.dev snapshot's names, dates, modalities and limits, no change of nothing."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from ratecard.models import ChangeEvent, Model, Provider, SyncRun
from ratecard.services.offline import load_offline_catalog
from scrapers.offline import MODELSDEV_FILE, data_dir, modelsdev_bundled


def test_the_models_dev_snapshot_is_shipped_and_reads_like_a_checkout():
    assert (data_dir() / MODELSDEV_FILE).is_file()
    body, meta = modelsdev_bundled()
    assert meta["as_of"].isoformat() == "2026-06-30" and "MIT" in meta["origin"]
    from scrapers import modelsdev
    parsed = modelsdev.SOURCE.parse(body)
    ids = {m.canonical_id: m for m in parsed.models}
    assert ids["openai/gpt-4o"].name == "GPT-4o"
    assert ids["openai/gpt-4o"].release_date is not None
    assert {"anthropic", "deepseek", "google", "mistral", "openai", "xai"} <= {
        m.provider for m in parsed.models}


def test_first_load_is_one_entry_with_names_and_facts(db):
    summaries = load_offline_catalog(db)
    assert [s.source for s in summaries] == ["genai_prices", "litellm", "modelsdev"]
    assert all(s.ok for s in summaries), [s.line() for s in summaries]
    with db.session() as s:
        kinds = Counter(s.scalars(select(ChangeEvent.kind)))
        models = s.scalar(select(func.count()).select_from(Model))
        loaded = s.scalars(select(ChangeEvent).where(
            ChangeEvent.kind == "catalog_loaded")).one()
        noop = s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind.in_(("price_changed", "price_corrected")),
            ChangeEvent.old_value == ChangeEvent.new_value))
        urls = [r.url for r in s.scalars(select(SyncRun).order_by(SyncRun.id))]
        gpt4o = s.scalar(select(Model).where(Model.canonical_id == "openai/gpt-4o"))
        openai = s.execute(select(Model.name).join(Provider).where(
            Provider.slug == "openai")).scalars().all()
        facts = (gpt4o.name, gpt4o.release_date, gpt4o.input_modalities, gpt4o.context_window)
    assert kinds["model_added"] == 0 and kinds["catalog_loaded"] == 1
    assert kinds["model_deprecated"] == 0       # dates found by the first load are no news
    assert loaded.model_id is None and loaded.new_value == str(models) and models > 1000
    assert noop == 0
    assert urls == ["offline:genai_prices@" + urls[0].split("@")[1],
                    "offline:litellm@8442b939", "offline:modelsdev@2026-06-30"]
    name, released, inputs, context = facts
    assert name == "GPT-4o" and released is not None and "image" in inputs and context
    # two different models never share a name on a provider's page
    assert len(openai) == len({n.casefold() for n in openai})
    assert "gpt 4o" not in openai and "gpt 4" not in openai

    # Loading again into a database that has models is no first load: no second entry.
    load_offline_catalog(db)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ChangeEvent).where(
            ChangeEvent.kind == "catalog_loaded")) == 1
