"""The one shown-value rule (ratecard.precedence) and its flags (services.shown), on a real
database: precedence, freshness, first listings, capability consensus."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from sqlalchemy import select

from ratecard.models import Capability, Model, Price
from ratecard.precedence import Candidate, pick_consensus, pick_price
from ratecard.services.sync import run_sync
from scrapers import openrouter
from tests.services.test_sync import CATALOG, entry, sync

D = dt.datetime


def cand(source, amount, start, changed=None):
    return Candidate(source, Decimal(amount), D.fromisoformat(start),
                     D.fromisoformat(changed) if changed else None, source)


def test_precedence_decides_between_first_listings():
    # openrouter listed the model later, at another price: not news, litellm still wins.
    assert pick_price([cand("openrouter", "0.2", "2026-07-30"),
                       cand("litellm", "1", "2026-07-12")]).ref == "litellm"


def test_a_newer_change_at_another_source_supersedes_a_stale_value():
    stale = cand("litellm", "1", "2026-07-12")
    cut = cand("genai_prices", "0.2", "2026-07-30", changed="2026-07-30")
    assert pick_price([stale, cut]).ref == "genai_prices"
    # The same date is no news: precedence decides.
    same_day = cand("genai_prices", "0.2", "2026-07-12", changed="2026-07-12")
    assert pick_price([stale, same_day]).ref == "litellm"
    # A change that lands on the value the higher source already has supersedes nothing.
    agreeing = cand("genai_prices", "1", "2026-07-30", changed="2026-07-30")
    assert pick_price([stale, agreeing]).ref == "litellm"
    # The higher source moving after the cut is fresher again.
    later = cand("litellm", "0.25", "2026-08-02", changed="2026-08-02")
    assert pick_price([later, cut]).ref == "litellm"


def test_unknown_sources_rank_after_known_ones_by_name():
    assert pick_price([cand("zeta", "1", "2026-01-01"), cand("alpha", "2", "2026-01-01"),
                       cand("openrouter", "3", "2026-01-01")]).ref == "openrouter"
    assert pick_price([cand("zeta", "1", "2026-01-01"),
                       cand("alpha", "2", "2026-01-01")]).ref == "alpha"


def test_crossing_changes_fall_back_to_the_newest_change():
    a = cand("litellm", "1", "2026-03-01", changed="2026-03-01")
    b = cand("openrouter", "2", "2026-02-01", changed="2026-02-01")
    c = cand("modelsdev", "3", "2026-01-01", changed="2026-01-01")
    assert pick_price([c, b, a]).ref == "litellm"


def test_capability_consensus():
    assert pick_consensus([("litellm", False, "l"), ("openrouter", True, "o"),
                           ("modelsdev", True, "m")]) == "m"     # majority, then precedence
    assert pick_consensus([("litellm", False, "l"), ("openrouter", True, "o")]) == "l"  # tie
    assert pick_consensus([("openrouter", ["text", "image"], "o"),
                           ("modelsdev", ["image", "text"], "m"),
                           ("litellm", ["text"], "l")]) == "m"   # sets, not lists


def _router(prompt: str, day: dt.date, *, vision: bool = False):
    modalities = ["text", "image"] if vision else ["text"]
    listing = {"data": [{
        "id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,
        "context_length": 128000, "architecture": {"input_modalities": modalities,
                                                   "output_modalities": ["text"]},
        "pricing": {"prompt": prompt, "completion": "0.00001"},
    }]}
    summary = run_sync(db_ref[0], openrouter.SOURCE, payload=json.dumps(listing).encode(),
                       as_of=day)
    assert summary.ok, summary.line()


db_ref: list = []


def _shown(db, meter="input"):
    with db.session() as s:
        rows = s.execute(select(Price.source, Price.amount).join(Model).where(
            Model.canonical_id == "openai/gpt-4o", Price.meter == meter,
            Price.conditions_key == "", Price.valid_to.is_(None), Price.shown.is_(True))).all()
    assert len(rows) == 1, rows
    return rows[0]


def test_flags_follow_the_rule_through_syncs(db, client):
    db_ref[:] = [db]
    sync(db, CATALOG, "2026-01-01")                       # litellm: 2.5
    _router("0.0000026", dt.date(2026, 1, 5))             # openrouter lists at 2.6: not news
    assert _shown(db) == ("litellm", Decimal("2.5"))
    _router("0.000002", dt.date(2026, 2, 1))              # openrouter cuts to 2.0: news
    assert _shown(db) == ("openrouter", Decimal("2"))
    # Every surface shows the fresher value: profile, catalog, API.
    page = client.get("/models/openai/gpt-4o").get_data(as_text=True)
    assert "$2.00" in page
    api = client.get("/api/v1/models/openai/gpt-4o").get_json()
    flagged = [p for p in api["prices"] if p["shown"] and p["meter"] == "input"
               and not p.get("conditions")]
    assert [(p["source"], Decimal(str(p["amount"]))) for p in flagged] == [
        ("openrouter", Decimal("2"))]
    sync(db, CATALOG | {"gpt-4o": entry(inp="3e-06")}, "2026-03-01")   # litellm moves: fresher
    assert _shown(db) == ("litellm", Decimal("3"))
    # Exactly one shown row per current key, whatever happened.
    with db.session() as s:
        keys = s.execute(select(Price.model_id, Price.meter, Price.unit, Price.conditions_key,
                                Price.shown).where(Price.valid_to.is_(None))).all()
    per_key: dict[tuple, int] = {}
    for *key, flag in keys:
        per_key[tuple(key)] = per_key.get(tuple(key), 0) + int(flag)
    assert set(per_key.values()) == {1}


def test_capability_flag_is_the_consensus(db):
    db_ref[:] = [db]
    sync(db, CATALOG | {"gpt-4o": entry(supports_vision=False)}, "2026-01-01")
    _router("0.0000025", dt.date(2026, 1, 5), vision=True)
    with db.session() as s:
        shown = s.execute(select(Capability.source, Capability.value).join(Model).where(
            Model.canonical_id == "openai/gpt-4o", Capability.name == "vision",
            Capability.valid_to.is_(None), Capability.shown.is_(True))).all()
    # one source each way: a tie, so precedence (litellm) decides
    assert shown == [("litellm", False)]


def test_a_placeholder_output_of_an_embedding_model_is_not_applicable(db, client):
    """A $0 output row stored before the parsers stopped writing them (or a source's
    placeholder) is never shown: the profile has no output row, the catalog a dash, the API
    shown=false."""
    from ratecard.services.derived import refresh

    sync(db, CATALOG | {"text-embedding-3-small": entry(inp="2.5e-07", out="0.0",
                                                         mode="embedding")}, "2026-01-01")
    with db.session() as s:
        model = s.scalars(select(Model).where(
            Model.canonical_id == "openai/text-embedding-3-small")).one()
        if not s.scalar(select(Price.id).where(Price.model_id == model.id,
                                               Price.meter == "output")):
            s.add(Price(model_id=model.id, source="litellm", meter="output", unit="1M_tokens",
                        amount=Decimal(0), conditions_key="",
                        valid_from=D(2026, 1, 1, tzinfo=dt.UTC)))
        refresh(s, [model.id], D(2026, 1, 1, tzinfo=dt.UTC))
        s.commit()
        assert s.scalar(select(Price.shown).where(Price.model_id == model.id,
                                                  Price.meter == "output")) is False
    page = client.get("/models/openai/text-embedding-3-small").get_data(as_text=True)
    assert not re.search(r"\$0\.00(?![0-9])", page)
    api = client.get("/api/v1/models/openai/text-embedding-3-small").get_json()
    assert [p["shown"] for p in api["prices"] if p["meter"] == "output"] == [False]
    catalog = client.get("/models?q=text-embedding-3-small").get_data(as_text=True)
    row = next(r for r in catalog.split("<tr")[1:]
               if 'href="/models/openai/text-embedding-3-small"' in r)
    assert not re.search(r"\$0\.00(?![0-9])", row) and "—" in row
