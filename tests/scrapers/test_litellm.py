"""scrapers.litellm: the project's own cut of the price map, garbage, and every snapshot."""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from scrapers import litellm
from scrapers.base import (
    CAPABILITIES,
    METERS,
    SERVICE_TIERS,
    UNITS,
    Conditions,
    ModelRecord,
    ParseError,
    ParseResult,
)
from scrapers.litellm.ids import NotAModel, UnusableKey, canonical
from tests.upstream import OWN, upstream, upstream_glob

CUT = OWN / "litellm" / "model_prices_cut.json"
GARBAGE = OWN / "litellm" / "garbage.json"
LATEST = "model_prices_2026-07-24_8442b939.json"


def models(result: ParseResult) -> dict[str, ModelRecord]:
    return {m.canonical_id: m for m in result.models}


def price(model: ModelRecord, meter: str, unit: str = "1M_tokens", **conditions) -> Decimal:
    wanted = Conditions(**conditions)
    found = [p.amount for p in model.prices
             if (p.meter, p.unit, p.conditions) == (meter, unit, wanted)]
    assert len(found) == 1, f"{model.canonical_id}: {meter}/{unit} {conditions}: {found}"
    return found[0]


def has_price(model: ModelRecord, meter: str, unit: str = "1M_tokens", **conditions) -> bool:
    wanted = Conditions(**conditions)
    return any((p.meter, p.unit, p.conditions) == (meter, unit, wanted) for p in model.prices)


@pytest.fixture(scope="module")
def cut() -> ParseResult:
    return litellm.parse(CUT.read_bytes())


@pytest.fixture(scope="module")
def garbage() -> ParseResult:
    return litellm.parse(GARBAGE.read_bytes())


def assert_sane(result: ParseResult, label: str) -> None:
    """Invariants every parse must keep, whatever the payload."""
    ids = [m.canonical_id for m in result.models]
    assert len(ids) == len(set(ids)), f"{label}: a canonical id appears twice"
    keys: set[str] = set()
    for m in result.models:
        assert m.canonical_id == m.canonical_id.lower(), m.canonical_id
        assert "/" in m.canonical_id and m.canonical_id.startswith(m.provider + "/"), m
        for key in (m.key, *m.aliases):
            assert key not in keys, f"{label}: key {key} maps to two models"
            keys.add(key)
        assert set(m.capabilities) <= set(CAPABILITIES), m.capabilities
        assert all(isinstance(v, bool) for v in m.capabilities.values())
        for p in m.prices:
            assert isinstance(p.amount, Decimal), (m.key, p)
            assert p.amount.is_finite() and p.amount >= 0, (m.key, p)
            assert p.meter in METERS and p.unit in UNITS, (m.key, p)
            assert p.conditions.service_tier in (None, *SERVICE_TIERS), (m.key, p)
        assert len({p.key for p in m.prices}) == len(m.prices), f"{m.key}: duplicate price key"


# --- the project's own fixtures (no ../shared needed) -----------------------------------

def test_cut_is_sane(cut: ParseResult) -> None:
    assert_sane(cut, CUT.name)


def test_source_object() -> None:
    source = litellm.SOURCE
    assert source.name == "litellm" and source.title
    assert source.default_url == ("https://raw.githubusercontent.com/BerriAI/litellm/main/"
                                  "model_prices_and_context_window.json")
    assert source.default_interval_hours == 6
    assert source.parse(CUT.read_bytes()).models


def test_fetch_delegates_to_the_shared_client() -> None:
    # scrapers.http reads local paths too: no network, no mock.
    result = litellm.SOURCE.fetch(str(CUT))
    assert result.body == CUT.read_bytes()


def test_token_prices_are_exact_per_million(cut: ParseResult) -> None:
    gpt4o = models(cut)["openai/gpt-4o"]
    assert price(gpt4o, "input") == Decimal("2.5")
    assert str(price(gpt4o, "input")) == "2.5"            # not 2.4999999999999996
    assert price(gpt4o, "output") == 10
    assert price(gpt4o, "cache_read") == Decimal("1.25")
    assert price(gpt4o, "input", service_tier="batch") == Decimal("1.25")
    assert price(gpt4o, "output", service_tier="batch") == 5
    assert price(gpt4o, "input", service_tier="priority") == Decimal("4.25")
    assert price(gpt4o, "cache_read", service_tier="priority") == Decimal("2.125")
    assert gpt4o.mode == "chat" and gpt4o.context_window == 128000 and gpt4o.max_output == 16384
    assert gpt4o.capabilities["vision"] is True and "reasoning" not in gpt4o.capabilities
    gpt5 = models(cut)["openai/gpt-5"]
    assert price(gpt5, "input", service_tier="flex") == Decimal("0.625")


def test_gpt_image_2_has_text_and_image_output(cut: ParseResult) -> None:
    m = models(cut)["openai/gpt-image-2"]
    assert price(m, "output") == 10
    assert price(m, "output_image") == 30
    assert price(m, "input_image") == 8
    assert price(m, "input") == 5
    assert m.mode == "image_generation"


def test_image_keys_fold_into_one_model(cut: ParseResult) -> None:
    m = models(cut)["openai/gpt-image-1"]
    assert m.key == "gpt-image-1"
    assert {"low/1024-x-1024/gpt-image-1", "high/1024-x-1536/gpt-image-1"} <= set(m.aliases)
    assert price(m, "image", "image", quality="low", size="1024x1024") == Decimal("0.011")
    assert price(m, "image", "image", quality="high", size="1024x1536") == Decimal("0.25")
    assert price(m, "image", "1M_pixels", quality="low", size="1024x1024") == \
        Decimal("0.010490417")
    assert price(m, "output_image") == 40
    # output_cost_per_pixel 0.0 beside the per-image price is a placeholder, not free
    assert all(p.amount > 0 for p in m.prices if p.meter == "image")
    assert not any(k.startswith(("low/", "high/")) for k in (x.key for x in cut.models))


def test_dall_e_3_per_pixel(cut: ParseResult) -> None:
    m = models(cut)["openai/dall-e-3"]
    assert price(m, "image", "image") == Decimal("0.04")
    assert price(m, "image", "1M_pixels", quality="hd", size="1024x1792") == Decimal("0.06539")
    assert price(m, "image", "1M_pixels", quality="standard", size="1024x1024") == \
        Decimal("0.0381469")
    assert len([p for p in m.prices if p.amount == 0]) == 0


def test_context_tiers_and_cache_writes(cut: ParseResult) -> None:
    m = models(cut)["anthropic/claude-sonnet-4-5"]
    assert price(m, "input") == 3
    assert price(m, "input", context_above=200000) == 6
    assert price(m, "output", context_above=200000) == Decimal("22.5")
    assert price(m, "cache_write_5m") == Decimal("3.75")
    assert price(m, "cache_write_5m", context_above=200000) == Decimal("7.5")
    assert price(m, "cache_write_1h") == 6                 # _above_1hr is not a context tier
    assert price(m, "cache_write_1h", context_above=200000) == 12
    assert price(m, "cache_read", context_above=200000) == Decimal("0.6")
    assert price(m, "web_search", "1k_searches") == 10


def test_search_context_medium_is_the_web_search_price(cut: ParseResult) -> None:
    m = models(cut)["openai/gpt-4o-search-preview"]
    assert price(m, "web_search", "1k_searches") == 35     # low 30, medium 35, high 50


def test_tiered_pricing_becomes_context_tiers(cut: ParseResult) -> None:
    m = models(cut)["dashscope/qwen-flash"]
    assert price(m, "input") == Decimal("0.05")
    assert price(m, "input", context_above=256000) == Decimal("0.25")
    assert price(m, "output", context_above=256000) == 2


def test_per_unit_meters(cut: ParseResult) -> None:
    by = models(cut)
    assert price(by["openai/whisper-1"], "input_audio_second", "second") == Decimal("0.0001")
    # a transcription's output_cost_per_second is not a price of its own
    assert [p.meter for p in by["openai/whisper-1"].prices] == ["input_audio_second"]
    assert price(by["openai/tts-1"], "input_character", "1M_characters") == 15
    assert price(by["openai/sora-2"], "output_video_second", "second") == Decimal("0.1")
    gemini_image = by["vertex_ai/gemini-3-pro-image-preview"]
    assert price(gemini_image, "image", "image") == Decimal("0.134")          # generated
    assert price(gemini_image, "input_image_unit", "image") == Decimal("0.0011")  # input
    titan = by["bedrock/amazon.titan-image-generator-v1"]
    assert [(p.meter, p.amount) for p in titan.prices] == [("image", Decimal("0.008"))]
    sdxl = by["bedrock/stability.stable-diffusion-xl-v1"]
    assert price(sdxl, "image", "image", quality="50-steps", size="1024x1024") == Decimal("0.04")


def test_duplicate_keys_merge_into_one_model(cut: ParseResult) -> None:
    m = models(cut)["deepseek/deepseek-chat"]
    assert m.key == "deepseek-chat" and m.aliases == ["deepseek/deepseek-chat"]
    assert price(m, "input") == Decimal("0.28")
    assert m.capabilities["assistant_prefill"] is True   # filled from the alias
    assert "openai/gpt-4o" in models(cut) and "google/gemini-2.5-pro" in models(cut)
    assert models(cut)["vertex_ai/gemini-2.5-pro"].key == "gemini-2.5-pro"
    # OpenRouter's copy is an alias of the lab's model; the plain key's prices stand.
    assert "openrouter/openai/gpt-4o" in models(cut)["openai/gpt-4o"].aliases
    assert "openrouter/openai/gpt-4o" not in models(cut)


def test_conflicting_duplicate_keeps_the_preferred_key_and_reports(cut: ParseResult) -> None:
    m = models(cut)["mistral/codestral-latest"]
    assert price(m, "input") == 1 and price(m, "output") == 3
    assert m.key == "mistral/codestral-latest" and m.aliases == ["codestral/codestral-latest"]
    reasons = [s.reason for s in cut.skipped if s.key == "codestral/codestral-latest"]
    assert reasons and all("duplicate of mistral/codestral-latest" in r for r in reasons)
    # the choice does not depend on the order of the file
    data = json.loads(CUT.read_text())
    flipped = dict(reversed(list(data.items())))
    again = models(litellm.parse(json.dumps(flipped).encode()))["mistral/codestral-latest"]
    assert price(again, "input") == 1


def test_regions_are_conditions_of_one_model(cut: ParseResult) -> None:
    m = models(cut)["bedrock/anthropic.claude-3-haiku-20240307-v1:0"]
    assert m.key == "anthropic.claude-3-haiku-20240307-v1:0"
    assert set(m.aliases) == {"us.anthropic.claude-3-haiku-20240307-v1:0",
                              "bedrock/us-gov-east-1/anthropic.claude-3-haiku-20240307-v1:0"}
    assert price(m, "input") == Decimal("0.25")
    assert price(m, "input", region="us") == Decimal("0.25")
    assert price(m, "input", region="us-gov-east-1") == Decimal("0.3")
    azure = models(cut)["azure/gpt-4o-2024-08-06"]
    assert price(azure, "input", region="eu") == Decimal("2.75")
    assert price(azure, "input") == Decimal("2.5")


def test_provisioned_throughput_is_not_a_model(cut: ParseResult) -> None:
    assert "bedrock/anthropic.claude-v1" not in models(cut)
    assert not any("commitment" in s.key for s in cut.skipped)


def test_metadata_keys_are_silent(cut: ParseResult) -> None:
    keys = {k for m in cut.models for k in (m.key, *m.aliases)}
    assert not {"sample_spec", "last_updated"} & keys
    assert not any(s.key in ("sample_spec", "last_updated") for s in cut.skipped)


@pytest.mark.parametrize(("key", "provider", "mode", "expected"), [
    ("gpt-4o", "openai", "chat", "openai/gpt-4o"),
    ("claude-3-5-sonnet-20241022", "anthropic", "chat", "anthropic/claude-3-5-sonnet-20241022"),
    ("gemini/gemini-2.5-pro", "gemini", "chat", "google/gemini-2.5-pro"),
    ("gemini-2.5-pro", "vertex_ai-language-models", "chat", "vertex_ai/gemini-2.5-pro"),
    ("gemini/gemini-2.5-flash-image", "vertex_ai-language-models", "image_generation",
     "google/gemini-2.5-flash-image"),
    ("vertex_ai/claude-3-5-haiku@20241022", "vertex_ai-anthropic_models", "chat",
     "vertex_ai/claude-3-5-haiku@20241022"),
    ("azure/gpt-4o", "azure", "chat", "azure/gpt-4o"),
    ("azure/gpt-3.5-turbo-instruct-0914", "text-completion-openai", "completion",
     "azure/gpt-3.5-turbo-instruct-0914"),
    ("openrouter/openai/gpt-4o", "openrouter", "chat", "openai/gpt-4o"),
    ("babbage-002", "text-completion-openai", "completion", "openai/babbage-002"),
    ("codestral/codestral-latest", "codestral", "chat", "mistral/codestral-latest"),
    ("groq/llama3-8b-8192", "groq", "chat", "groq/llama3-8b-8192"),
    ("fireworks_ai/nomic-ai/nomic-embed-text-v1.5", "fireworks_ai-embedding-models",
     "embedding", "fireworks_ai/nomic-ai/nomic-embed-text-v1.5"),
    ("anyscale/mistralai/Mistral-7B-Instruct-v0.1", "anyscale", "chat",
     "anyscale/mistralai/mistral-7b-instruct-v0.1"),
    ("low/1024-x-1024/gpt-image-1", "openai", "image_generation", "openai/gpt-image-1"),
    ("azure/standard/1024-x-1024/dall-e-2", "azure", "image_generation", "azure/dall-e-2"),
    ("1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0", "bedrock", "image_generation",
     "bedrock/amazon.nova-canvas-v1:0"),
    ("max-x-max/max-steps/stability.stable-diffusion-xl-v0", "bedrock", "image_generation",
     "bedrock/stability.stable-diffusion-xl-v0"),
    ("bedrock/us-east-1/anthropic.claude-v1", "bedrock", "chat", "bedrock/anthropic.claude-v1"),
    ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock_converse", "chat",
     "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ("bedrock/invoke/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock", "chat",
     "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ("deepseek.v3.2", "bedrock_converse", "chat", "bedrock/deepseek.v3.2"),
    ("azure/global-standard/gpt-4o-mini", "azure", "chat", "azure/gpt-4o-mini"),
    ("standard", "aws_polly", "audio_speech", "aws_polly/standard"),
])
def test_canonical_ids(key: str, provider: str, mode: str, expected: str) -> None:
    assert canonical(key, provider, mode).canonical_id == expected


def test_canonical_conditions() -> None:
    info = canonical("hd/1024-x-1792/dall-e-3", "openai", "image_generation")
    assert (info.quality, info.size, info.region) == ("hd", "1024x1792", None)
    assert canonical("us.anthropic.claude-3-haiku-20240307-v1:0", "bedrock", "chat").region == "us"
    assert canonical("bedrock/us-gov-west-1/x.y", "bedrock", "chat").region == "us-gov-west-1"
    assert canonical("azure/eu/gpt-4o", "azure", "chat").region == "eu"
    # quality words are only read as image prefixes on image models
    assert canonical("x/high/model", "x", "chat").canonical_id == "x/high/model"
    with pytest.raises(NotAModel):
        canonical("bedrock/*/6-month-commitment/cohere.command-text-v14", "bedrock", "chat")
    with pytest.raises(UnusableKey):
        canonical("fireworks_ai/accounts/", "fireworks_ai", "chat")


# --- garbage ---------------------------------------------------------------------------

def test_garbage_never_crashes_and_never_becomes_zero(garbage: ParseResult) -> None:
    assert_sane(garbage, GARBAGE.name)
    by = {m.key: m for m in garbage.models}
    for key in ("abc-price", "negative-price", "nan-string-price", "boolean-price",
                "absurd-price", "object-price", "null-price"):
        m = by[key]
        assert not has_price(m, "input"), key          # refused, not $0
        assert price(m, "output") == 4, key            # the good value beside it stays
    assert price(by["string-price"], "input") == 2      # old entries: numbers as strings
    assert price(by["string-price"], "output") == 8
    assert by["good-model"].deprecation_date.isoformat() == "2026-12-31"
    assert by["good-model"].max_output is None


def test_garbage_is_reported_once_per_value(garbage: ParseResult) -> None:
    reported = {s.key: s.reason for s in garbage.skipped}
    for key in ("abc-price", "negative-price", "nan-string-price", "boolean-price",
                "absurd-price", "object-price", "list-entry", "string-entry", "no-provider",
                "numeric-provider", "bad-search", "fireworks_ai/accounts/fireworks/models/"):
        assert key in reported, key
    assert "input_cost_per_token" in reported["abc-price"]
    assert "list" in reported["list-entry"] and "litellm_provider" in reported["no-provider"]
    # null is absent, not garbage; a good entry is not reported
    assert "null-price" not in reported and "good-model" not in reported
    assert len([s for s in garbage.skipped if s.key == "bad-flags"]) == 1


def test_garbage_flags_and_dates(garbage: ParseResult) -> None:
    m = {m.key: m for m in garbage.models}["bad-flags"]
    assert m.capabilities == {"function_calling": False}   # "yes" skipped, null unknown
    assert m.context_window is None and m.deprecation_date is None


def test_nan_literal_is_one_bad_value() -> None:
    payload = (b'{"a": {"litellm_provider": "openai", "input_cost_per_token": NaN,'
               b' "output_cost_per_token": Infinity, "cache_read_input_token_cost": 1e-07}}')
    result = litellm.parse(payload)
    assert [(p.meter, p.amount) for p in result.models[0].prices] == \
        [("cache_read", Decimal("0.1"))]
    assert len(result.skipped) == 2


@pytest.mark.parametrize("payload", [
    CUT.read_bytes()[:-200],                     # truncated
    b"",
    b"   ",
    b"[]",                                       # wrong shape: a list
    b'"model_prices"',
    b'{"gpt-4o": 1, "gpt-4": "x"}',              # an object, but of no objects
    b"\xff\xfe{}",
])
def test_unreadable_payload_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(ParseError, match="litellm"):
        litellm.parse(payload)


def test_empty_object_is_zero_models() -> None:
    result = litellm.parse(b"{}")
    assert result.models == [] and result.skipped == []


# --- every entry of every upstream snapshot -------------------------------------------

def test_every_snapshot_parses_sanely() -> None:
    paths = upstream_glob("litellm", "model_prices_*.json")
    assert len(paths) >= 7
    previous = 0
    for path in paths:
        payload = path.read_bytes()
        raw = json.loads(payload)
        result = litellm.parse(payload)
        assert_sane(result, path.name)
        mapped = {k for m in result.models for k in (m.key, *m.aliases)}
        for key in raw:
            # every key is a model, a reported skip, or deliberately not read
            assert key in mapped or any(s.key == key for s in result.skipped) \
                or key in litellm.NOT_MODELS or "-commitment/" in key, (path.name, key)
        assert len(result.models) >= max(150, previous * 0.9), path.name
        assert len(result.skipped) <= len(raw) * 0.02, (path.name, result.skipped[:5])
        previous = len(result.models)


def test_latest_snapshot_known_values() -> None:
    by = models(litellm.parse(upstream("litellm", LATEST).read_bytes()))
    assert price(by["openai/gpt-4o"], "input") == Decimal("2.5")
    assert price(by["openai/gpt-4o"], "input", service_tier="batch") == Decimal("1.25")
    assert price(by["openai/gpt-image-2"], "output") == 10
    assert price(by["openai/gpt-image-2"], "output_image") == 30
    image1 = by["openai/gpt-image-1"]
    assert price(image1, "image", "image", quality="low", size="1024x1024") == Decimal("0.011")
    assert price(image1, "image", "image", quality="medium", size="1536x1024") == \
        Decimal("0.063")
    sonnet = by["anthropic/claude-sonnet-4-5"]
    assert price(sonnet, "input", context_above=200000) == 6
    assert price(sonnet, "cache_write_1h") == 6
    assert price(sonnet, "cache_write_1h", context_above=200000) == 12
    gpt54 = by["azure/gpt-5.4"]
    assert price(gpt54, "input", context_above=272000, service_tier="priority") == 10
    assert price(by["google/gemini-2.5-pro"], "input") == Decimal("1.25")
    assert price(by["deepseek/deepseek-chat"], "output") == Decimal("0.42")


def test_older_snapshots_known_values() -> None:
    first = models(litellm.parse(upstream("litellm",
                                          "model_prices_2024-01-17_40c00641.json").read_bytes()))
    assert price(first["openai/gpt-4"], "input") == 30
    assert "openai/gpt-4o" not in first
    mid = models(litellm.parse(upstream("litellm",
                                        "model_prices_2024-07-20_614e292b.json").read_bytes()))
    assert price(mid["openai/gpt-4o"], "input") == 5


def test_latest_snapshot_parses_fast() -> None:
    payload = upstream("litellm", LATEST).read_bytes()
    litellm.parse(payload)                        # warm the field-name cache
    started = time.perf_counter()
    result = litellm.parse(payload)
    assert time.perf_counter() - started < 1.0
    assert len(result.models) > 2000


def test_fixture_cut_matches_upstream() -> None:
    """The project's cut is real data: each entry equals the upstream one (minus notes)."""
    latest = json.loads(upstream("litellm", LATEST).read_text())
    for key, entry in json.loads(CUT.read_text()).items():
        if isinstance(entry, dict):
            assert entry.items() <= latest[key].items(), key
