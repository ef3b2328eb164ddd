"""Facts by consensus: each source's mode, modalities and limits kept, the majority shown."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from ratecard.models import Model, ModelFact
from ratecard.services.facts import consensus
from ratecard.services.sync import run_sync
from scrapers import litellm, modelsdev, openrouter
from tests.services.test_sync import entry, payload

# -- the rule, on plain values --------------------------------------------------------------

def test_majority_wins_over_precedence():
    votes = {"litellm": "embedding", "openrouter": "chat", "modelsdev": "chat"}
    assert consensus("mode", votes) == "chat"


def test_tie_goes_to_the_highest_precedence_source_among_the_tied():
    assert consensus("mode", {"openrouter": "chat", "litellm": "embedding"}) == "embedding"
    # genai_prices outranks modelsdev; litellm's lone value is not among the tied pairs
    votes = {"litellm": 1, "modelsdev": 8, "openrouter": 4, "genai_prices": 4, "x": 8}
    assert consensus("context_window", votes) == 4
    votes = {"litellm": 1, "modelsdev": 8, "openrouter": 4, "y": 4, "x": 8}
    assert consensus("context_window", votes) == 8


def test_a_source_without_a_value_does_not_vote():
    assert consensus("mode", {"litellm": None, "openrouter": "chat"}) == "chat"
    assert consensus("mode", {"litellm": None}) is None
    assert consensus("max_output", {}) is None


def test_modalities_compare_as_sets_and_limits_exactly():
    votes = {"litellm": ["text", "image"], "openrouter": ["image", "text"],
             "modelsdev": ["text"]}
    assert consensus("input_modalities", votes) == ["image", "text"]
    assert consensus("context_window", {"litellm": 128000, "openrouter": 128000,
                                        "modelsdev": 131072}) == 128000


# -- the sync keeps every source's facts and shows their consensus ----------------------------

def litellm_sync(db, mode, day, max_input_tokens=None):
    data = entry(litellm_provider="gemini", mode=mode, max_input_tokens=max_input_tokens)
    body = payload({"gemini/gemini-1.5-flash": {k: v for k, v in data.items() if v is not None}})
    summary = run_sync(db, litellm.SOURCE, payload=body, as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()


def router_sync(db, outputs, day, context=1048576):
    listing = {"data": [{
        "id": "google/gemini-1.5-flash", "name": "Google: Gemini 1.5 Flash",
        "context_length": context,
        "architecture": {"input_modalities": ["text", "image"], "output_modalities": outputs},
        "pricing": {"prompt": "0.000000075", "completion": "0.0000003"}}]}
    summary = run_sync(db, openrouter.SOURCE, payload=json.dumps(listing).encode(),
                       as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()


def modelsdev_sync(db, day, models=None, **options):
    tree = {"google": {"id": "google", "name": "Google", "models": models if models is not None
                       else {"gemini-1.5-flash": {
                           "name": "Gemini 1.5 Flash", "limit": {"context": 1048576,
                                                                 "output": 8192},
                           "modalities": {"input": ["image", "text"], "output": ["text"]},
                           "cost": {"input": 0.075, "output": 0.3}}}}}
    summary = run_sync(db, modelsdev.SOURCE, payload=json.dumps(tree).encode(),
                       as_of=dt.date.fromisoformat(day), **options)
    assert summary.ok, summary.line()


def described(db, cid="google/gemini-1.5-flash"):
    with db.session() as s:
        m = s.scalars(select(Model).where(Model.canonical_id == cid)).one()
        return m.mode, m.context_window, m.max_output, m.input_modalities, m.output_modalities


def facts(db, source):
    with db.session() as s:
        return dict(s.execute(select(ModelFact.field, ModelFact.value).where(
            ModelFact.source == source)).all())


def test_every_source_keeps_its_own_facts_and_the_majority_is_shown(db):
    litellm_sync(db, "embedding", "2026-07-01", max_input_tokens=8192)
    assert described(db)[:2] == ("embedding", 8192)
    router_sync(db, ["text"], "2026-07-02")
    # one against one: LiteLLM ranks first
    assert described(db)[:2] == ("embedding", 8192)
    modelsdev_sync(db, "2026-07-03")
    mode, context, max_output, inputs, outputs = described(db)
    assert (mode, context, max_output) == ("chat", 1048576, 8192)
    assert set(inputs) == {"text", "image"} and outputs == ["text"]
    assert facts(db, "litellm") == {"mode": "embedding", "context_window": 8192}
    assert facts(db, "openrouter")["mode"] == "chat"
    # LiteLLM runs again: its precedence no longer overwrites the consensus
    litellm_sync(db, "embedding", "2026-07-04", max_input_tokens=8192)
    assert described(db)[:2] == ("chat", 1048576)


def test_a_source_that_stops_giving_a_value_no_longer_votes(db):
    litellm_sync(db, "embedding", "2026-07-01", max_input_tokens=8192)
    router_sync(db, ["text"], "2026-07-02")
    assert described(db)[:2] == ("embedding", 8192)
    litellm_sync(db, None, "2026-07-03")        # LiteLLM gives neither mode nor limit now
    assert described(db)[:2] == ("chat", 1048576)
    assert "mode" not in facts(db, "litellm") and "context_window" not in facts(db, "litellm")


def test_a_source_that_stops_listing_the_model_no_longer_votes(db):
    litellm_sync(db, "embedding", "2026-07-01", max_input_tokens=8192)
    router_sync(db, ["text"], "2026-07-02")
    modelsdev_sync(db, "2026-07-03")
    assert described(db)[0] == "chat"
    # models.dev drops the model (and lists another, so the run is not empty)
    modelsdev_sync(db, "2026-07-04", {"gemini-2.0-flash": {
        "name": "Gemini 2.0 Flash", "modalities": {"input": ["text"], "output": ["text"]}}},
        allow_vanish=True)
    assert described(db)[:2] == ("embedding", 8192)       # one against one again
    with db.session() as s:
        assert not s.scalars(select(ModelFact).join(Model).where(
            ModelFact.source == "modelsdev",
            Model.canonical_id == "google/gemini-1.5-flash")).all()


def test_a_changed_value_is_updated_in_place_with_its_date(db):
    router_sync(db, ["text"], "2026-07-01", context=1000)
    router_sync(db, ["text"], "2026-07-02", context=1000)
    router_sync(db, ["text"], "2026-07-03", context=2000)
    with db.session() as s:
        rows = s.scalars(select(ModelFact).where(ModelFact.field == "context_window")).all()
        assert [(r.value, r.seen_at.date()) for r in rows] == [(2000, dt.date(2026, 7, 3))]
        mode = s.scalars(select(ModelFact).where(ModelFact.field == "mode")).one()
        assert mode.seen_at.date() == dt.date(2026, 7, 1)     # unchanged: not bumped
    assert described(db)[1] == 2000


@pytest.mark.parametrize("outputs", [["text"], ["image", "text"]])
def test_modalities_in_another_order_are_the_same_value(db, outputs):
    router_sync(db, outputs, "2026-07-01")
    modelsdev_sync(db, "2026-07-02", {"gemini-1.5-flash": {
        "name": "Gemini 1.5 Flash",
        "modalities": {"input": ["text", "image"], "output": list(reversed(outputs))}}})
    with db.session() as s:
        values = s.scalars(select(ModelFact.value).where(
            ModelFact.field == "output_modalities")).all()
    assert len(values) == 2 and values[0] == values[1] == sorted(outputs)


def test_a_source_turning_a_chat_model_into_an_embedding_is_not_believed(db):
    """LiteLLM's July 2026 files call gemini/gemini-1.5-flash an 8,192-token embedding model
    after two years of a 1M-token chat model: the flip is not taken, the earlier facts stay."""
    litellm_sync(db, "chat", "2026-01-24", max_input_tokens=1048576)
    litellm_sync(db, "embedding", "2026-07-12", max_input_tokens=8192)
    assert described(db)[:2] == ("chat", 1048576)
    assert facts(db, "litellm")["mode"] == "chat"
    # Repeating the flip on the next run changes nothing.
    litellm_sync(db, "embedding", "2026-07-12", max_input_tokens=8192)
    with db.session() as s:
        assert s.scalar(select(Model.mode).where(
            Model.canonical_id == "google/gemini-1.5-flash")) == "chat"


def test_a_first_description_as_embedding_is_taken(db):
    litellm_sync(db, "embedding", "2026-07-12", max_input_tokens=8192)
    assert described(db)[:2] == ("embedding", 8192)
