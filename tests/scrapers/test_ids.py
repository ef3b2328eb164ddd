"""One model, one id (scrapers.ids): version spellings and reseller copies, inside each
source's payload; across sources the sync and migration 0007 use the same keys."""
from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pytest

from scrapers import genai_prices, litellm, modelsdev, openrouter
from scrapers.base import Conditions, ParseResult
from scrapers.ids import reseller_copy, respell, spelling_key
from tests.upstream import upstream, upstream_glob


def test_spelling_key_ignores_the_separator_between_digits_only() -> None:
    assert spelling_key("anthropic/claude-opus-4.7") == spelling_key("anthropic/claude-opus-4-7")
    assert spelling_key("a/qwen2_5-7b") == spelling_key("a/qwen2.5-7b")
    assert spelling_key("a/gpt-4o-mini") != spelling_key("a/gpt-4o.mini")   # not digits
    assert spelling_key("a/model-1-2") != spelling_key("a/model-12")
    assert spelling_key("a/model-1-2", joined=True) == spelling_key("a/model-12", joined=True)


def test_respell_keeps_the_best_ranked_spelling() -> None:
    renames = respell([("xai/grok-4.1-fast", 2), ("xai/grok-4-1-fast", 0)])
    assert renames == {"xai/grok-4.1-fast": "xai/grok-4-1-fast"}
    assert respell([("a/m-1.5", 0), ("a/m-1-5", 1)]) == {"a/m-1-5": "a/m-1.5"}


def test_respell_among_equals_follows_the_labs_own_ids() -> None:
    ranked = [("vercel/anthropic/claude-3.5-sonnet", 1), ("vercel/anthropic/claude-3-5-sonnet", 1),
              ("anthropic/claude-3-5-sonnet-20240620", 0)]
    assert respell(ranked) == {"vercel/anthropic/claude-3.5-sonnet":
                               "vercel/anthropic/claude-3-5-sonnet"}
    # The lab spelling the other way round wins the other way round.
    ranked = [("vercel/openai/gpt-4-1", 1), ("vercel/openai/gpt-4.1", 1),
              ("openai/gpt-4.1-mini", 0)]
    assert respell(ranked) == {"vercel/openai/gpt-4-1": "vercel/openai/gpt-4.1"}


def test_run_together_digits_join_only_when_both_spellings_are_there() -> None:
    assert respell([("azure/gpt-35-turbo", 1)]) == {}
    assert respell([("azure/gpt-35-turbo", 1), ("azure/gpt-3.5-turbo", 1)]) == {
        "azure/gpt-35-turbo": "azure/gpt-3.5-turbo"}
    assert respell([("azure/gpt-35-turbo", 1), ("openai/gpt-3.5-turbo", 0)]) == {}  # sellers
    assert respell([("a/m-1.23", 0), ("a/m-12.3", 0)]) == {}      # two real versions


def test_reseller_copy() -> None:
    assert reseller_copy("openrouter", "x-ai/grok-4") == "xai/grok-4"
    assert reseller_copy("openrouter", "anthropic/claude-3.5-haiku") == \
        "anthropic/claude-3.5-haiku"
    assert reseller_copy("openrouter", "auto") is None            # OpenRouter's own model
    assert reseller_copy("vercel_ai_gateway", "openai/gpt-4o") is None


def test_litellm_copy_is_an_alias_and_never_a_price() -> None:
    payload = {
        "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-6},
        "openrouter/openai/gpt-4o": {"litellm_provider": "openrouter", "mode": "chat",
                                     "input_cost_per_token": 3e-6},
        "openrouter/x-ai/grok-9": {"litellm_provider": "openrouter", "mode": "chat",
                                   "input_cost_per_token": 1e-6,
                                   "supports_function_calling": True},
    }
    result = litellm.parse(json.dumps(payload))
    models = {m.canonical_id: m for m in result.models}
    assert sorted(models) == ["openai/gpt-4o", "xai/grok-9"]
    gpt = models["openai/gpt-4o"]
    assert gpt.key == "gpt-4o" and gpt.aliases == ["openrouter/openai/gpt-4o"]
    assert [(p.meter, p.amount) for p in gpt.prices] == [("input", Decimal("2.5"))]
    assert result.skipped == []            # a copy's other price is no disagreement
    grok = models["xai/grok-9"]
    assert grok.provider == "xai" and grok.prices == []
    assert grok.capabilities["function_calling"] is True


def test_genai_prices_route_variants_still_become_regions() -> None:
    payload = [{"id": "mistral", "name": "Mistral", "models": [{
        "id": "mistral-large-4-0", "prices": {"input_mtok": 0.68},
        "price_variants": [{"when": {"route": "mistral/eu"}, "prices": {"input_mtok": 0.748}}],
    }]}, {"id": "openrouter", "name": "OpenRouter", "models": [
        {"id": "mistralai/mistral-large-4.0", "prices": {"input_mtok": 0.9}}]}]
    result = genai_prices.parse(json.dumps(payload).encode())
    [model] = result.models
    assert model.canonical_id == "mistral/mistral-large-4-0"
    assert model.aliases == ["openrouter/mistralai/mistral-large-4.0"]
    assert {(p.conditions, p.amount) for p in model.prices} == {
        (Conditions(), Decimal("0.68")), (Conditions(region="eu"), Decimal("0.748"))}


def _payloads() -> list[tuple[str, ParseResult]]:
    found = [(p.name, litellm.SOURCE.parse(p.read_bytes()))
             for p in upstream_glob("litellm", "*.json")]
    found += [(p.name, openrouter.SOURCE.parse(p.read_bytes()))
              for p in upstream_glob("openrouter", "*.json")]
    found += [(p.name, genai_prices.SOURCE.parse(p.read_bytes()))
              for p in upstream_glob("genai-prices", "data_v[12]_*.json")]
    tree = upstream("modelsdev")
    found.append(("modelsdev", modelsdev.SOURCE.parse(modelsdev.SOURCE.fetch(str(tree)).body)))
    return found


def test_no_payload_lists_one_model_under_two_spellings() -> None:
    """Every snapshot of every source: no two models of one payload whose ids differ only
    in a version separator, no reseller copy left as a model of its own, and the two
    spellings both present (Azure's gpt-35 / gpt-3.5) joined."""
    merged = 0
    for name, result in _payloads():
        by_key: dict[str, list[str]] = defaultdict(list)
        for model in result.models:
            by_key[spelling_key(model.canonical_id)].append(model.canonical_id)
            assert reseller_copy(model.provider, model.canonical_id.split("/", 1)[1]) is None
            merged += len(model.aliases)
        pairs = {k: v for k, v in by_key.items() if len(v) > 1}
        assert not pairs, (name, pairs)
        assert not respell([(m.canonical_id, 0) for m in result.models]), name
    assert merged


@pytest.mark.parametrize("name", ["model_prices_2026-07-24_8442b939.json"])
def test_litellm_vercel_and_azure_spellings_fold(name: str) -> None:
    result = litellm.SOURCE.parse(upstream("litellm", name).read_bytes())
    models = {m.canonical_id: m for m in result.models}
    sonnet = models["vercel_ai_gateway/anthropic/claude-3-5-sonnet"]
    assert "vercel_ai_gateway/anthropic/claude-3.5-sonnet" in {sonnet.key, *sonnet.aliases}
    assert "vercel_ai_gateway/anthropic/claude-3.5-sonnet" not in models
    turbo = models["azure/gpt-3.5-turbo"]
    assert {"azure/gpt-35-turbo", "azure/gpt-3.5-turbo"} <= {turbo.key, *turbo.aliases}
