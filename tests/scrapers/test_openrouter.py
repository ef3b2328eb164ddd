"""scrapers.openrouter: the project's own cut of the listing, garbage, and every snapshot."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from scrapers import openrouter
from scrapers.base import ModelRecord, ParseError, ParseResult
from tests.scrapers.test_litellm import assert_sane, has_price, models, price
from tests.upstream import OWN, upstream, upstream_glob

CUT = OWN / "openrouter" / "models_cut.json"
GARBAGE = OWN / "openrouter" / "garbage.json"
ALL = "models_all_2026-08-18_ef05c3be.json"


@pytest.fixture(scope="module")
def cut() -> ParseResult:
    return openrouter.parse(CUT.read_bytes())


@pytest.fixture(scope="module")
def garbage() -> ParseResult:
    return openrouter.parse(GARBAGE.read_bytes())


def by_key(result: ParseResult) -> dict[str, ModelRecord]:
    return {m.key: m for m in result.models}


def test_source_object() -> None:
    source = openrouter.SOURCE
    assert source.name == "openrouter" and source.title
    assert source.default_url == "https://openrouter.ai/api/v1/models?output_modalities=all"
    assert source.default_interval_hours == 1
    assert source.fetch(str(CUT)).body == CUT.read_bytes()   # local path: no network


def test_cut_is_sane(cut: ParseResult) -> None:
    assert_sane(cut, CUT.name)


def test_gpt_4o(cut: ParseResult) -> None:
    m = models(cut)["openai/gpt-4o"]
    assert m.key == "openai/gpt-4o" and m.provider == "openai"
    assert price(m, "input") == Decimal("2.5") and str(price(m, "input")) == "2.5"
    assert price(m, "output") == 10 and price(m, "cache_read") == Decimal("1.25")
    assert (m.name, m.mode, m.context_window, m.max_output) == ("GPT-4o", "chat", 128000, 16384)
    assert m.release_date == dt.date(2024, 5, 13)
    assert m.input_modalities == ("text", "image", "file") and m.output_modalities == ("text",)
    assert m.capabilities == {"function_calling": True, "tool_choice": True,
                              "json_schema": True, "web_search": True}
    assert cut.provider_names["openai"] == "OpenAI"


def test_batch_variant_is_a_service_tier(cut: ParseResult) -> None:
    m = models(cut)["openai/gpt-4o"]
    assert m.aliases == ["openai/gpt-4o:batch"]
    assert price(m, "input", service_tier="batch") == Decimal("1.25")
    assert price(m, "output", service_tier="batch") == 5
    assert "openai/gpt-4o:batch" not in models(cut)


def test_cache_writes_and_context_overrides(cut: ParseResult) -> None:
    m = models(cut)["anthropic/claude-sonnet-4.5"]
    assert price(m, "cache_write_5m") == Decimal("3.75")
    assert price(m, "cache_write_1h") == 6
    assert price(m, "web_search", "1k_searches") == 10
    assert price(m, "input", context_above=200000) == 6
    assert price(m, "cache_write_1h", context_above=200000) == 12


def test_image_models(cut: ParseResult) -> None:
    image2 = models(cut)["openai/gpt-image-2"]
    assert price(image2, "output") == 8                 # OpenRouter's completion
    assert price(image2, "output_image") == 30
    assert image2.mode == "image_generation"
    seedream = models(cut)["bytedance-seed/seedream-5-0-pro"]
    assert price(seedream, "input_image_unit", "image") == Decimal("0.003")
    assert price(seedream, "input_image") == Decimal("10.7784431137725")
    assert price(seedream, "input") == 0                 # text prompt free: a real zero
    assert not has_price(seedream, "output")             # no text out: "0" is not a price
    gemini = models(cut)["google/gemini-3-pro-image"]
    assert price(gemini, "output_image") == 120 and price(gemini, "reasoning") == 12
    assert price(gemini, "input_audio") == 2


def test_variable_router_price_is_skipped_not_zero(cut: ParseResult) -> None:
    auto = models(cut)["openrouter/auto"]
    assert auto.prices == []
    reasons = [s.reason for s in cut.skipped if s.key == "openrouter/auto"]
    assert reasons == ["variable price (-1) for prompt", "variable price (-1) for completion"]


def test_free_model_keeps_its_real_zero(cut: ParseResult) -> None:
    free = next(m for m in cut.models if m.key.endswith(":free"))
    assert price(free, "input") == 0 and price(free, "output") == 0
    assert free.canonical_id == free.key.lower()


def test_moving_alias_folds_into_its_target(cut: ParseResult) -> None:
    grok = models(cut)["xai/grok-4.6"]                   # x-ai spelled as the others do
    assert grok.key == "x-ai/grok-4.6" and grok.aliases == ["~x-ai/grok-latest"]
    assert price(grok, "input") == 2 and price(grok, "input", context_above=200000) == 4
    assert not any(m.canonical_id.startswith("~") for m in cut.models)


def test_speech_models_per_unit_quirk(cut: ParseResult) -> None:
    stt = models(cut)["xai/grok-stt-1.0"]
    assert stt.prices == [] and stt.mode == "audio_transcription"
    assert any(s.key == "x-ai/grok-stt-1.0" and "per-unit" in s.reason for s in cut.skipped)
    token_priced = models(cut)["openai/gpt-4o-transcribe"]
    assert price(token_priced, "input") == Decimal("2.5")
    assert price(token_priced, "output") == 10
    veo = models(cut)["google/veo-3.1"]                  # "0"/"0" for a paid video model
    assert veo.prices == [] and veo.mode == "video_generation"
    embedding = models(cut)["voyageai/voyage-4"]
    assert price(embedding, "input") == Decimal("0.06") and not has_price(embedding, "output")
    assert embedding.mode == "embedding"


def test_garbage(garbage: ParseResult) -> None:
    assert_sane(garbage, GARBAGE.name)
    by = by_key(garbage)
    good = by["acme/good"]
    assert price(good, "input") == 1 and good.capabilities == {"function_calling": True}
    assert good.release_date == dt.date(2023, 11, 14) and good.name == "Good"
    assert garbage.provider_names == {"acme": "Acme"}
    bad = by["acme/garbage-prices"]
    assert [(p.meter, p.unit, p.amount) for p in bad.prices] == \
        [("request", "1k_requests", Decimal(500))]
    reasons = [s.reason for s in garbage.skipped if s.key == "acme/garbage-prices"]
    assert len(reasons) == 6                            # abc, -5, NaN, true, 1e30, ""
    assert by["acme/variable"].prices == []
    assert price(by["acme/free:free"], "input") == 0
    empty = by["acme/no-pricing"]
    assert empty.prices == [] and empty.release_date is None and empty.context_window is None
    assert empty.capabilities == {} and empty.deprecation_date is None
    assert {s.key for s in garbage.skipped} >= {"no-slash", "#6", "#7", "#8", "#9"}
    assert len(garbage.models) == 5


@pytest.mark.parametrize("payload", [
    CUT.read_bytes()[:-300],
    b"",
    b'{"models": []}',
    b'{"data": {"id": "x/y"}}',
    b'"data"',
    b"12",
])
def test_unreadable_payload_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(ParseError, match="openrouter"):
        openrouter.parse(payload)


def test_empty_listing_is_zero_models() -> None:
    assert openrouter.parse(b'{"data": []}').models == []
    assert openrouter.parse(b"[]").models == []


# --- every entry of every upstream snapshot -------------------------------------------

def test_every_snapshot_parses_sanely() -> None:
    paths = upstream_glob("openrouter", "models_*.json")
    assert len(paths) >= 4
    for path in paths:
        payload = path.read_bytes()
        raw = json.loads(payload)
        items = raw["data"] if isinstance(raw, dict) else raw     # 2026-02 is a bare list
        result = openrouter.parse(payload)
        assert_sane(result, path.name)
        mapped = {k for m in result.models for k in (m.key, *m.aliases)}
        assert mapped == {item["id"] for item in items}, path.name
        assert 300 <= len(result.models) <= len(items), path.name
        variable = [s for s in result.skipped if s.reason.startswith("variable price")]
        assert len(variable) == 2 * sum(1 for i in items if i["pricing"]["prompt"] == "-1")


def test_all_modalities_snapshot_known_values() -> None:
    result = openrouter.parse(upstream("openrouter", ALL).read_bytes())
    by = models(result)
    assert price(by["openai/gpt-4o"], "input") == Decimal("2.5")
    assert price(by["openai/gpt-4o"], "input", service_tier="batch") == Decimal("1.25")
    assert price(by["openai/gpt-image-2"], "output_image") == 30
    assert price(by["anthropic/claude-sonnet-4.5"], "input", context_above=200000) == 6
    assert price(by["anthropic/claude-sonnet-4.5"], "cache_write_1h") == 6
    # no speech-to-text per-unit price is read as $100,000 per 1M tokens
    assert all(p.amount < 1000 for m in result.models for p in m.prices
               if p.unit == "1M_tokens" and p.meter == "input")
    assert len([s for s in result.skipped if s.reason.startswith("variable")]) == 10
    assert by["openai/gpt-4o"].release_date == dt.date(2024, 5, 13)


def test_fixture_cut_matches_upstream() -> None:
    """The project's cut is real data: each kept field equals the upstream one."""
    full = {m["id"]: m for m in json.loads(upstream("openrouter", ALL).read_text())["data"]}
    for item in json.loads(CUT.read_text())["data"]:
        assert item.items() <= full[item["id"]].items(), item["id"]
