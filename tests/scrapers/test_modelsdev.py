"""models.dev: the TOML tree -> api.json build, and parse() over the api.json shape."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scrapers import modelsdev
from scrapers.base import (
    CAPABILITIES,
    METERS,
    MODES,
    UNITS,
    Conditions,
    ModelRecord,
    ParseError,
    ParseResult,
)
from scrapers.modelsdev import toml as modelsdev_toml
from tests.upstream import OWN, upstream

TREE = OWN / "modelsdev" / "tree"
GARBAGE = OWN / "modelsdev" / "api_garbage.json"


def build(path: Path) -> ParseResult:
    fetched = modelsdev.SOURCE.fetch(str(path))
    assert fetched.body is not None
    return modelsdev.SOURCE.parse(fetched.body)


def by_id(result: ParseResult) -> dict[str, ModelRecord]:
    return {m.canonical_id: m for m in result.models}


def price(model: ModelRecord, meter: str, **conditions: object) -> Decimal | None:
    wanted = Conditions(**conditions)  # type: ignore[arg-type]
    found = [p.amount for p in model.prices if p.meter == meter and p.conditions == wanted]
    assert len(found) <= 1
    return found[0] if found else None


def assert_valid(result: ParseResult) -> None:
    for model in result.models:
        assert model.canonical_id == model.canonical_id.lower()
        assert model.canonical_id.startswith(model.provider + "/")
        assert model.mode in MODES
        assert set(model.capabilities) <= set(CAPABILITIES)
        assert all(isinstance(v, bool) for v in model.capabilities.values())
        keys = set()
        for p in model.prices:
            assert isinstance(p.amount, Decimal) and p.amount.is_finite() and p.amount >= 0
            assert p.meter in METERS and p.unit in UNITS
            assert p.key not in keys
            keys.add(p.key)


# --- the full upstream tree ------------------------------------------------

def test_whole_upstream_tree_builds_and_parses() -> None:
    result = build(upstream("modelsdev"))
    assert len(result.models) == 139
    assert result.skipped == []
    assert_valid(result)
    assert set(result.provider_names) == {"anthropic", "deepseek", "google", "mistral",
                                          "openai", "xai"}
    models = by_id(result)
    sonnet = models["anthropic/claude-sonnet-4-5"]
    assert (price(sonnet, "input"), price(sonnet, "output")) == (Decimal(3), Decimal(15))
    assert price(sonnet, "cache_write_5m") == Decimal("3.75")
    gpt4o = models["openai/gpt-4o"]
    assert [(p.meter, p.amount) for p in gpt4o.prices] == [
        ("input", Decimal("2.5")), ("output", Decimal(10)), ("cache_read", Decimal("1.25"))]
    assert gpt4o.context_window == 128_000 and gpt4o.max_output == 16_384
    assert gpt4o.capabilities["vision"] and gpt4o.capabilities["json_schema"]


def test_upstream_image_models_price_image_output() -> None:
    models = by_id(build(upstream("modelsdev")))
    expected = {"openai/gpt-image-2": 30, "google/gemini-2.5-flash-image": 30,
                "google/gemini-3-pro-image-preview": 120,
                "google/gemini-3.1-flash-image-preview": 60}
    for canonical_id, amount in expected.items():
        model = models[canonical_id]
        assert model.mode == "image_generation"
        assert price(model, "output_image") == Decimal(amount)
        assert price(model, "output") is None, canonical_id
    assert models["xai/grok-imagine-video"].mode == "video_generation"
    tts = models["google/gemini-2.5-flash-preview-tts"]
    assert tts.mode == "audio_speech" and price(tts, "output_audio") == Decimal(10)


def test_upstream_base_model_merge() -> None:
    models = by_id(build(upstream("modelsdev")))
    # providers/google/models/gemini-2.5-pro.toml has only base_model, cost and tiers.
    pro = models["google/gemini-2.5-pro"]
    assert pro.name == "Gemini 2.5 Pro" and pro.release_date == dt.date(2025, 6, 17)
    assert pro.context_window == 1_048_576
    assert "audio" in (pro.input_modalities or ())
    # The provider's own [limit] overrides the lab's key by key.
    banana_pro = models["google/gemini-3-pro-image-preview"]
    assert banana_pro.context_window == 131_072 and banana_pro.max_output == 32_768
    # The provider's name wins over the lab's.
    assert models["openai/gpt-image-2"].name == "gpt-image-2"


# --- the project's own small tree (fresh clone) -----------------------------

def test_small_tree_builds_exact_json() -> None:
    body = modelsdev.SOURCE.fetch(str(TREE)).body
    assert body is not None
    raw = json.loads(body)
    assert sorted(raw) == ["anthropic", "google", "openai", "xai"]
    # TOML 0.30 is written as the JSON number 0.30, never through a float.
    assert b'"cache_read":0.30' in body
    assert raw["openai"]["models"]["gpt-image-2"]["id"] == "gpt-image-2"
    assert "base_model" not in raw["openai"]["models"]["gpt-image-2"]
    assert "benchmarks" not in raw["google"]["models"]["gemini-2.5-pro"]


def test_small_tree_known_values() -> None:
    result = build(TREE)
    assert_valid(result)
    models = by_id(result)
    assert len(models) == 8
    pro = models["google/gemini-2.5-pro"]
    assert price(pro, "input") == Decimal("1.25")
    assert price(pro, "input", context_above=200_000) == Decimal("2.5")
    assert price(pro, "output", context_above=200_000) == Decimal(15)
    gpt55 = models["openai/gpt-5.5"]
    assert price(gpt55, "output", context_above=272_000) == Decimal(45)
    assert price(gpt55, "input", service_tier="priority") == Decimal("12.5")
    assert models["xai/grok-4.3"].provider == "xai"
    image = models["openai/gpt-image-2"]
    assert (price(image, "input"), price(image, "output_image")) == (Decimal(5), Decimal(30))
    assert image.context_window is None        # models.dev says 0: unknown, not zero
    embedding = models["openai/text-embedding-3-small"]
    assert embedding.mode == "embedding" and embedding.max_output is None
    assert [p.meter for p in embedding.prices] == ["input"]   # output = 0 is not a price
    assert models["google/gemini-2.5-flash-image"].capabilities["vision"] is True


def test_fetch_tree_etag_not_modified() -> None:
    first = modelsdev.SOURCE.fetch(str(TREE))
    again = modelsdev.SOURCE.fetch(TREE.as_uri(), etag=first.etag)
    assert again.not_modified and again.body is None


def test_fetch_json_file_goes_through_http_fetch(tmp_path: Path) -> None:
    built = modelsdev.SOURCE.fetch(str(TREE)).body
    assert built is not None
    saved = tmp_path / "api.json"
    saved.write_bytes(built)
    fetched = modelsdev.SOURCE.fetch(str(saved))
    assert fetched.body == built and fetched.last_modified    # scrapers.http read the file


def test_base_model_omit_and_unresolved(tmp_path: Path) -> None:
    (tmp_path / "models" / "lab").mkdir(parents=True)
    (tmp_path / "providers" / "p" / "models").mkdir(parents=True)
    (tmp_path / "models" / "lab" / "m.toml").write_text(
        'name = "M"\nrelease_date = "2025-01"\n[limit]\ncontext = 1000\noutput = 10\n'
        '[modalities]\ninput = ["text"]\noutput = ["text"]\n')
    (tmp_path / "providers" / "p" / "provider.toml").write_text('name = "P"\n')
    (tmp_path / "providers" / "p" / "models" / "m.toml").write_text(
        'base_model = "lab/m"\nbase_model_omit = ["limit.output"]\n[cost]\ninput = 1.5\n')
    (tmp_path / "providers" / "p" / "models" / "lost.toml").write_text(
        'base_model = "lab/none"\n[cost]\ninput = 2\n')
    models = by_id(build(tmp_path))
    merged = models["p/m"]
    assert (merged.name, merged.context_window, merged.max_output) == ("M", 1000, None)
    assert merged.release_date == dt.date(2025, 1, 1)
    assert price(models["p/lost"], "input") == Decimal(2)


def test_broken_toml_is_a_fetch_error(tmp_path: Path) -> None:
    from scrapers.http import FetchError

    (tmp_path / "providers" / "p" / "models").mkdir(parents=True)
    (tmp_path / "providers" / "p" / "provider.toml").write_text("name = \n")
    with pytest.raises(FetchError, match="invalid TOML"):
        modelsdev.SOURCE.fetch(str(tmp_path))
    with pytest.raises(modelsdev_toml.TreeError):
        modelsdev_toml.build(tmp_path / "providers" / "p")


# --- parse() on the api.json shape ------------------------------------------

def test_garbage_values_are_skipped_never_zero() -> None:
    result = modelsdev.parse(GARBAGE.read_bytes())
    assert_valid(result)
    models = by_id(result)
    good = models["openai/gpt-good"]
    assert price(good, "cache_read") == Decimal("0.275")
    assert good.release_date == dt.date(2025, 6, 1)
    assert models["openai/gpt-null-price"].prices == []
    assert [(p.meter, p.amount) for p in models["openai/gpt-nan"].prices] == [
        ("input_audio", Decimal("2.5"))]
    assert [p.meter for p in models["openai/gpt-absurd"].prices] == ["output"]
    assert models["openai/gpt-bad-cost"].context_window is None
    assert models["openai/gpt-no-cost"].prices == []
    assert "openai/gpt-string" not in models
    reasons = {(s.key, s.reason.split(":")[0]) for s in result.skipped}
    for expected in [("openai/gpt-null-price", "cost.output"), ("openai/gpt-nan", "cost.input"),
                     ("openai/gpt-nan", "cost.cache_write"), ("openai/gpt-absurd", "cost.input"),
                     ("openai/gpt-null-price", "release_date"), ("broken-provider", "provider "
                     "is not an object with a models object")]:
        assert expected in reasons
    assert all(p.amount != 0 for m in result.models for p in m.prices)


def test_api_json_tiers_and_legacy_context_over_200k() -> None:
    payload = {"google-vertex": {"name": "Vertex", "models": {"Gemini-X": {
        "modalities": {"input": ["audio"], "output": ["text"]},
        "cost": {"input": 2, "output": 10,
                 "tiers": [{"tier": {"type": "context", "size": 272000}, "input": 4}],
                 "context_over_200k": {"input": 3, "output": 15}}}}}}
    model = modelsdev.parse(json.dumps(payload).encode()).models[0]
    assert model.canonical_id == "vertex_ai/gemini-x" and model.key == "google-vertex/Gemini-X"
    assert model.mode == "audio_transcription"
    assert price(model, "input", context_above=272_000) == Decimal(4)
    assert price(model, "input", context_above=200_000) == Decimal(3)
    assert price(model, "output", context_above=200_000) == Decimal(15)


def test_bedrock_profiles_fold_into_one_model() -> None:
    payload = {"amazon-bedrock": {"name": "Amazon Bedrock", "models": {
        "global.anthropic.claude-x-v1:0": {"name": "X global", "cost": {"input": 3}},
        "anthropic.claude-x-v1:0": {"name": "X", "cost": {"input": 3.3, "output": 16.5}},
        "eu.anthropic.claude-x-v1:0": {"cost": {"input": 3.3}}}}}
    result = modelsdev.parse(json.dumps(payload).encode())
    assert [m.canonical_id for m in result.models] == ["bedrock/anthropic.claude-x-v1:0"]
    model = result.models[0]
    assert (model.key, model.name) == ("amazon-bedrock/anthropic.claude-x-v1:0", "X")
    assert model.aliases == ["amazon-bedrock/global.anthropic.claude-x-v1:0",
                             "amazon-bedrock/eu.anthropic.claude-x-v1:0"]
    assert price(model, "input") == Decimal("3.3")
    assert price(model, "input", region="global") == Decimal(3)
    assert price(model, "input", region="eu") == Decimal("3.3")
    assert result.provider_names == {"bedrock": "Amazon Bedrock"}


@pytest.mark.parametrize("payload", [b"", b"{", b'{"openai": {"models": {', b"[]", b'"x"',
                                     b"\xff\xfe"])
def test_bad_payload_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(ParseError):
        modelsdev.parse(payload)


def test_empty_object_is_zero_models() -> None:
    assert modelsdev.parse(b"{}").models == []


def test_source_attributes() -> None:
    source = modelsdev.SOURCE
    assert (source.name, source.default_url) == ("modelsdev", "https://models.dev/api.json")
    assert source.default_interval_hours == 6
