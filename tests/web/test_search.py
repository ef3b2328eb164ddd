"""Search and the catalog's default order (issue 12, item 2): ranking, tolerance of missing
punctuation and typos, filters with a search, the featured order said on the page."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import func, select

from ratecard.models import Model
from ratecard.queries import search
from ratecard.queries.version import data_version
from ratecard.services.sync import run_sync
from scrapers import litellm
from tests.web.html_tables import parse, table

# The four queries of the issue and the first result a reader expects.
FIRST = {
    "gpt-4o": "openai/gpt-4o",
    "gpt4o": "openai/gpt-4o",
    "claude sonnet 4.5": "anthropic/claude-sonnet-4-5",
}


def _ids(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.data[-400:]
    rows = table(response.data, "catalog")["rows"]
    return [_id(row) for row in rows]


def _id(row: list[str]) -> str:
    """The canonical id in a catalog row's first cell: the word before its copy button."""
    return row[0].split(" Copy id ")[0].split()[-1]


@pytest.mark.parametrize(("query", "first"), FIRST.items())
def test_the_issue_queries_put_the_model_first(site_client, query, first):
    ids = _ids(site_client, "/models?" + _q(query))
    assert ids and ids[0] == first, ids[:6]


def test_gemini_pro_finds_a_google_gemini_pro_model_first(site_client):
    ids = _ids(site_client, "/models?q=gemini+pro")
    assert ids[0].startswith("google/gemini") and "pro" in ids[0], ids[:6]


def _q(query: str) -> str:
    from urllib.parse import urlencode
    return urlencode({"q": query})


# -- ranking on a catalog made for it ---------------------------------------------------------

PAYLOAD = {
    # the lab's own API
    "gpt-4o": {"litellm_provider": "openai"},
    "gpt-4o-mini": {"litellm_provider": "openai"},
    "gpt-4o-2024-08-06": {"litellm_provider": "openai"},
    "chatgpt-4o-latest": {"litellm_provider": "openai"},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic"},
    "claude-sonnet-4-5-20250929": {"litellm_provider": "anthropic"},
    "claude-3-haiku-20240307": {"litellm_provider": "anthropic"},
    "gemini/gemini-2.5-pro": {"litellm_provider": "gemini"},
    "gemini/gemini-2.5-flash": {"litellm_provider": "gemini"},
    # a big cloud
    "azure/gpt-4o": {"litellm_provider": "azure"},
    "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0": {"litellm_provider": "bedrock"},
    "vertex_ai/gemini-2.5-pro": {"litellm_provider": "vertex_ai-language-models"},
    # other hosts
    "deepinfra/openai/gpt-4o": {"litellm_provider": "deepinfra"},
    "together_ai/gpt-4o-turbo": {"litellm_provider": "together_ai"},
}


@pytest.fixture
def known(db, client):  # type: ignore[no-untyped-def]
    payload = {key: {"mode": "chat", "input_cost_per_token": 1e-06,
                     "output_cost_per_token": 2e-06, **value} for key, value in PAYLOAD.items()}
    summary = run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                       as_of=dt.date(2026, 1, 1))
    assert summary.ok, summary.line()
    with db.session() as session:
        ids = set(session.scalars(select(Model.canonical_id)))
    return client, ids


def _search(db, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        index = search.build_index(session)
    return [hit.entry.canonical_id for hit in index.search(query)]


def test_exact_first_then_the_lab_then_clouds_then_other_hosts(db, known):
    client, ids = known
    assert {"openai/gpt-4o", "azure/gpt-4o", "deepinfra/openai/gpt-4o"} <= ids, ids
    found = _ids(client, "/models?q=gpt-4o")
    assert found[0] == "openai/gpt-4o"
    tiers = [search.tier(i.split("/", 1)[0]) for i in found]
    assert tiers == sorted(tiers), found          # lab, then cloud, then hosts
    assert found.index("azure/gpt-4o") > found.index("openai/gpt-4o-mini")
    assert found[-1].startswith(("deepinfra/", "together_ai/")), found
    # A typed id is first whoever sells it.
    assert _ids(client, "/models?q=azure/gpt-4o")[0] == "azure/gpt-4o"
    # Within the lab: the exact name, then names that start with the query, then the rest.
    first_party = [i for i in found if i.startswith("openai/")]
    assert first_party[0] == "openai/gpt-4o"
    assert first_party.index("openai/chatgpt-4o-latest") > first_party.index(
        "openai/gpt-4o-mini")


@pytest.mark.parametrize(("query", "first"), [
    ("gpt4o", "openai/gpt-4o"), ("GPT 4o", "openai/gpt-4o"), ("gpt-4o", "openai/gpt-4o"),
    ("claude sonnet 4.5", "anthropic/claude-sonnet-4-5"),
    ("Claude Sonnet 4-5", "anthropic/claude-sonnet-4-5"),
    ("claudesonnet45", "anthropic/claude-sonnet-4-5"),
    # one typo a word: a letter missing, one too many, one wrong, two swapped
    ("claude sonet 4.5", "anthropic/claude-sonnet-4-5"),
    ("claude sonnnet 4.5", "anthropic/claude-sonnet-4-5"),
    ("cluade sonnet 4.5", "anthropic/claude-sonnet-4-5"),
    ("gemni pro", "google/gemini-2.5-pro"), ("gemini pro", "google/gemini-2.5-pro"),
])
def test_punctuation_case_and_small_typos(db, known, query, first):
    found = _search(db, query)
    assert found and found[0] == first, found


def test_no_match_and_nonsense(db, known):
    client, _ = known
    assert _search(db, "zzzzqqq") == []
    assert _search(db, "!!! ---") == []
    response = client.get("/models?q=zzzzqqq")
    assert response.status_code == 200 and "No model matches" in response.get_data(as_text=True)
    assert client.get("/models?q=" + "a" * 201).status_code == 400


def test_search_keeps_the_other_filters_and_any_column_sort(db, known):
    client, _ = known
    found = _ids(client, "/models?q=gpt-4o&provider=azure")
    assert found == ["azure/gpt-4o"]
    by_name = _ids(client, "/models?q=claude&sort=name")
    assert set(by_name) == set(_search(db, "claude"))
    with db.session() as session:        # the database's own collation decides the order
        expected = list(session.scalars(select(Model.canonical_id).where(
            Model.canonical_id.in_(by_name)).order_by(func.lower(Model.name),
                                                      Model.canonical_id)))
    assert by_name == expected


def test_api_search_uses_the_same_matching(db, known):
    client, _ = known
    body = client.get("/api/v1/models?q=gpt4o").get_json()
    found = {row["id"] for row in body["models"]}
    assert "openai/gpt-4o" in found and "azure/gpt-4o" in found


def test_featured_order_is_the_default_and_said_on_the_page(db, known):
    client, _ = known
    response = client.get("/models")
    html = response.get_data(as_text=True)
    assert "Featured order" in html and "newest release first" in html
    found = [_id(row) for row in table(response.data, "catalog")["rows"]]
    tiers = [search.tier(i.split("/", 1)[0]) for i in found]
    assert tiers == sorted(tiers) and tiers[0] == 0, found
    # Plain names before dated snapshots of the same month (here: no dates at all).
    assert found.index("anthropic/claude-sonnet-4-5") < found.index(
        "anthropic/claude-sonnet-4-5-20250929")
    # The name order is one click away, and says so.
    by_name = client.get("/models?sort=name").get_data(as_text=True)
    assert "Sorted by name" in by_name and "Back to the featured order" in by_name
    searched = client.get("/models?q=claude").get_data(as_text=True)
    assert "Best matches first" in searched


def test_featured_order_newest_first_within_the_lab(db, known):
    with db.session() as session:
        for cid, day in (("openai/gpt-4o-mini", dt.date(2024, 7, 18)),
                         ("openai/gpt-4o", dt.date(2024, 5, 13)),
                         ("azure/gpt-4o", dt.date(2025, 1, 1))):
            session.scalars(select(Model).where(Model.canonical_id == cid)).one() \
                .release_date = day
        session.commit()
        index = search.build_index(session)
        order = [index.hit_for(i).canonical_id for i in index.featured]
    assert order[:2] == ["openai/gpt-4o-mini", "openai/gpt-4o"]
    assert order.index("azure/gpt-4o") > order.index("anthropic/claude-3-haiku-20240307")


def test_the_index_is_built_once_per_data_version(db, known):
    client, _ = known
    with db.session() as session:
        version = data_version(session)[0]
        first = search.search_index(session, version)
        assert search.search_index(session, version) is first
    client.get("/models?q=gpt")
    with db.session() as session:
        assert search.search_index(session, version) is first


def test_search_is_fast_on_the_site_catalog(site_db):
    """Measured, not a benchmark (bench/search has the figures): a search reads no database
    and stays well under a millisecond or two on thousands of models."""
    with site_db.session() as session:
        started = time.perf_counter()
        index = search.build_index(session)
        built = time.perf_counter() - started
    queries = ["gpt-4o", "gpt4o", "claude sonnet 4.5", "gemini pro", "llama 3.1 70b",
               "cluade", "o3", "mistral large", "text embedding", "a"]
    started = time.perf_counter()
    for _ in range(20):
        for query in queries:
            index.search(query)
    each = (time.perf_counter() - started) / (20 * len(queries))
    # Generous bounds for a shared 2-core machine; typical figures are far lower.
    assert built < 10 and each < 0.05, (len(index.entries), built, each)


# -- the header search and the footer --------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/models", "/providers", "/compare", "/changes"])
def test_every_page_has_the_header_search_and_the_footer_links(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="header-search"' in html and 'action="/models"' in html
    assert 'name="q"' in html
    links = parse(response.data).links
    for wanted in ("/methodology", "/about", "/api/", "/feeds/changes.atom"):
        assert wanted in links, (path, wanted)
    assert any(link.startswith("mailto:") or link.startswith("http") for link in links)
