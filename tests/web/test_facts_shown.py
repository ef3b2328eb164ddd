"""Facts by consensus on the page and in the API: the majority shown, the others visible."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from ratecard.labels import count
from ratecard.models import Model, ModelFact
from ratecard.services.facts import consensus
from tests.services.test_facts import litellm_sync, modelsdev_sync, router_sync

URL = "/models/google/gemini-1.5-flash"


def text_of(page: bytes) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.decode())))


def test_profile_shows_the_majority_and_says_who_differs(db, client):
    litellm_sync(db, "embedding", "2026-07-01", max_input_tokens=8192)
    router_sync(db, ["text"], "2026-07-02")
    modelsdev_sync(db, "2026-07-03")
    page = client.get(URL)
    assert page.status_code == 200
    text = text_of(page.data)
    assert "into vectors" not in text
    assert "Sources disagree on 2 of these facts" in text
    assert "Kind: Chat (2 sources: models.dev, OpenRouter); LiteLLM says Embedding" in text
    assert "Context window: 1,048,576 tokens (2 sources" in text and "says 8,192 tokens" in text
    body = client.get("/api/v1" + URL).get_json()
    assert body["mode"] == "chat"
    found = {d["field"]: d for d in body["facts_disagree"]}
    assert set(found) == {"mode", "context_window"}
    assert found["mode"] == {"field": "mode", "shown": "chat",
                             "sources": ["modelsdev", "openrouter"],
                             "others": {"litellm": "embedding"}}


def test_no_disagreement_no_note(db, client):
    router_sync(db, ["text"], "2026-07-02")
    modelsdev_sync(db, "2026-07-03")
    assert "Sources disagree on" not in text_of(client.get(URL).data)
    assert client.get("/api/v1" + URL).get_json()["facts_disagree"] == []


# -- on the full load ------------------------------------------------------------------------

def test_full_load_every_model_shows_the_consensus_of_its_sources(site_db):
    wrong = []
    with site_db.session() as s:
        votes: dict[int, dict[str, dict[str, object]]] = {}
        for model_id, source, name, value in s.execute(select(
                ModelFact.model_id, ModelFact.source, ModelFact.field, ModelFact.value)):
            votes.setdefault(model_id, {}).setdefault(name, {})[source] = value
        assert votes, "no source recorded any fact"
        for model in s.scalars(select(Model).where(Model.id.in_(list(votes)))):
            for name, by_source in votes[model.id].items():
                if name == "name":      # names follow a documented order, not a vote
                    continue            # (services/names.py, tests/test_names.py)
                want, have = consensus(name, by_source), getattr(model, name)
                if isinstance(want, list):
                    want, have = set(want), set(have or ())
                if want != have:
                    wrong.append((model.canonical_id, name, have, by_source))
    assert not wrong, (len(wrong), wrong[:10])


def test_full_load_gemini_1_5_flash_shows_what_its_sources_say(site_db, site_client):
    with site_db.session() as s:
        model = s.scalars(select(Model).where(
            Model.canonical_id == "google/gemini-1.5-flash")).one()
        given = dict(s.execute(select(ModelFact.source, ModelFact.value).where(
            ModelFact.model_id == model.id, ModelFact.field == "mode")).all())
        limits = dict(s.execute(select(ModelFact.source, ModelFact.value).where(
            ModelFact.model_id == model.id, ModelFact.field == "context_window")).all())
        mode = model.mode
    print(f"gemini-1.5-flash: mode by source {given}, context by source {limits}, "
          f"shown {mode}")
    assert given and mode == consensus("mode", given)
    text = text_of(site_client.get(URL).data)
    if mode != "embedding":
        assert "into vectors" not in text
    if len(set(limits.values())) > 1:       # the sources' other values are on the page
        assert "Sources disagree on" in text
        for source, value in limits.items():
            assert f"{count(value)} tokens" in text, source


def test_full_load_gemini_1_5_flash_is_not_called_an_embedding_model(site_db, site_client):
    """Every snapshot loaded in order: LiteLLM's late flip to "embedding" is not taken."""
    from tests.upstream import upstream

    upstream("litellm")
    with site_db.session() as s:
        mode = s.scalar(select(Model.mode).where(
            Model.canonical_id == "google/gemini-1.5-flash"))
    assert mode == "chat"
    assert "into vectors" not in text_of(site_client.get(URL).data)
