"""Meters right: per-token figures never become per-image or per-request prices, audio and
image-token prices never sit under text `output`, and "not applicable" is not stored as $0.

The small payloads are entries cut from the real snapshots (published data); the
full-snapshot tests run every parser over every file in ../shared/fixtures/sources."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from scrapers import genai_prices, litellm, modelsdev, openrouter
from scrapers.base import ModelRecord, ParseResult
from tests.scrapers.test_litellm import has_price, models, price
from tests.upstream import upstream_glob

MILLION = Decimal(1_000_000)
# Modes whose models produce no text: an `output` price there is not applicable.
NO_TEXT_MODES = frozenset({"embedding", "rerank", "moderation"})


def _openrouter(*items: dict) -> ParseResult:
    return openrouter.parse(json.dumps({"data": list(items)}))


def _or(model_id: str, inputs: list[str], outputs: list[str], pricing: dict) -> dict:
    return {"id": model_id, "name": model_id, "pricing": pricing,
            "architecture": {"input_modalities": inputs, "output_modalities": outputs}}


GEMINI_25_PRO = _or("google/gemini-2.5-pro", ["text", "image", "file", "audio", "video"],
                    ["text"], {"prompt": "0.00000125", "completion": "0.00001",
                               "image": "0.00000125", "audio": "0.00000125",
                               "web_search": "0.014"})
GEMINI_EMBEDDING_2 = _or("google/gemini-embedding-2", ["text", "image", "audio"],
                         ["embeddings"], {"prompt": "0.0000002", "completion": "0",
                                          "image": "0.00000045", "audio": "0.0000065"})
SEEDREAM = _or("bytedance-seed/seedream-5-0-pro", ["text", "image"], ["image"],
               {"prompt": "0", "completion": "0", "image": "0.003",
                "image_token": "0.0000107784431137725",
                "image_output": "0.0000107784431137725"})
GEMINI_TTS = _or("google/gemini-3.1-flash-tts-preview", ["text"], ["speech"],
                 {"prompt": "0.000001", "completion": "0.00002"})


def test_openrouter_image_equal_to_prompt_is_a_token_price() -> None:
    m = models(_openrouter(GEMINI_25_PRO))["google/gemini-2.5-pro"]
    assert not has_price(m, "input_image_unit", "image")        # not "$0.00000125 per image"
    assert price(m, "input_image") == Decimal("1.25")            # image tokens at the text rate
    assert price(m, "input") == Decimal("1.25")


def test_openrouter_tiny_image_value_is_a_token_price() -> None:
    # $0.00000045 "per image" beside $0.20 per 1M text tokens: Google's $0.45 per 1M image tokens
    m = models(_openrouter(GEMINI_EMBEDDING_2))["google/gemini-embedding-2"]
    assert not has_price(m, "input_image_unit", "image")
    assert price(m, "input_image") == Decimal("0.45")
    assert not has_price(m, "output")


def test_openrouter_real_per_image_price_stays() -> None:
    m = models(_openrouter(SEEDREAM))["bytedance-seed/seedream-5-0-pro"]
    assert price(m, "input_image_unit", "image") == Decimal("0.003")
    assert price(m, "input_image") == Decimal("10.7784431137725")


def test_openrouter_token_figure_beside_image_token_is_dropped_with_reason() -> None:
    item = _or("lab/vision", ["text", "image"], ["text"],
               {"prompt": "0.000002", "completion": "0.000008", "image": "0.000002",
                "image_token": "0.000003", "request": "0.000002"})
    result = _openrouter(item)
    m = models(result)["lab/vision"]
    assert price(m, "input_image") == 3                          # the source's own image rate
    assert not has_price(m, "input_image_unit", "image")
    assert not has_price(m, "request", "1k_requests")            # a request is not 0.002 per 1k
    reasons = [s.reason for s in result.skipped if s.key == "lab/vision"]
    assert len(reasons) == 2 and all("per-token figure" in r for r in reasons)


def test_openrouter_speech_only_completion_is_audio_output() -> None:
    m = models(_openrouter(GEMINI_TTS))["google/gemini-3.1-flash-tts-preview"]
    assert price(m, "output_audio") == 20                        # $20 per 1M audio tokens
    assert not has_price(m, "output")
    assert price(m, "input") == 1


def test_openrouter_image_only_completion_without_image_output_is_image_output() -> None:
    item = _or("lab/painter", ["text"], ["image"], {"prompt": "0.000001", "completion": "0.00003"})
    m = models(_openrouter(item))["lab/painter"]
    assert price(m, "output_image") == 30 and not has_price(m, "output")


# --- the full snapshots -------------------------------------------------------------------

def _token_rates(model: ModelRecord) -> set[Decimal]:
    """The model's per-token prices, in USD per token as the source wrote them."""
    return {p.amount / MILLION for p in model.prices if p.unit == "1M_tokens" and p.amount > 0}


def _per_unit_token_figures(result: ParseResult) -> list[str]:
    found = []
    for m in result.models:
        rates = _token_rates(m)
        for p in m.prices:
            per_unit = {"image": p.amount, "1k_requests": p.amount / 1000}.get(p.unit)
            if per_unit is not None and per_unit in rates:
                found.append(f"{m.canonical_id} {p.meter} {p.amount} per {p.unit}")
    return found


def _misplaced_outputs(result: ParseResult) -> list[str]:
    """`output` prices of models that produce no text, and $0 outputs of embeddings."""
    found = []
    for m in result.models:
        outputs = set(m.output_modalities or ())
        for p in m.prices:
            if p.meter != "output":
                continue
            if m.mode in NO_TEXT_MODES and p.amount == 0:
                found.append(f"{m.canonical_id} ({m.mode}) output $0")
            elif outputs and "text" not in outputs and outputs & {"audio", "speech", "image"} \
                    and not any(q.meter in ("output_audio", "output_image") for q in m.prices):
                found.append(f"{m.canonical_id} ({'/'.join(sorted(outputs))}) output {p.amount}")
            elif m.mode == "audio_speech" and not outputs & {"text"} and not any(
                    q.meter == "output_audio" for q in m.prices):
                found.append(f"{m.canonical_id} (audio_speech) output {p.amount}")
    return found


def _snapshots(name: str) -> list[tuple[str, ParseResult]]:
    if name == "modelsdev":
        folder = upstream_glob("modelsdev", "providers")[0].parent
        return [("modelsdev", modelsdev.SOURCE.parse(modelsdev.SOURCE.fetch(str(folder)).body))]
    parser = {"openrouter": openrouter.parse, "litellm": litellm.parse,
              "genai-prices": genai_prices.parse}[name]
    return [(path.name, parser(path.read_bytes())) for path in upstream_glob(name, "*.json")
            if "schema" not in path.name]


@pytest.mark.parametrize("name", ["openrouter", "litellm", "genai-prices", "modelsdev"])
def test_full_snapshots_meters(name: str) -> None:
    problems = []
    for label, result in _snapshots(name):
        problems += [f"{label}: {p}" for p in _per_unit_token_figures(result)]
        problems += [f"{label}: {p}" for p in _misplaced_outputs(result)]
        if name == "genai-prices":      # no modalities there: the TTS models by id
            problems += [f"{label}: {m.canonical_id} output {p.amount}" for m in result.models
                         for p in m.prices if p.meter == "output" and "-tts" in m.canonical_id]
    assert problems == [], "\n".join(problems[:40]) + f"\n… {len(problems)} in all"


def test_full_snapshot_gemini_image_field_filed_as_tokens() -> None:
    """Every OpenRouter model whose `image` equals its `prompt` has that rate as
    input_image per 1M tokens and no per-image price (17 models in 2026-05-15)."""
    for path in upstream_glob("openrouter", "*.json"):
        data = json.loads(path.read_text())
        items = data["data"] if isinstance(data, dict) else data
        same = {i["id"].lower() for i in items
                if (i.get("pricing") or {}).get("image") not in (None, "0")
                and i["pricing"]["image"] == i["pricing"].get("prompt")
                and not i["id"].startswith("~") and ":" not in i["id"]}
        assert same, path.name
        by_key = {m.key.lower(): m for m in openrouter.parse(path.read_bytes()).models}
        for key in same:
            m = by_key[key]
            assert not has_price(m, "input_image_unit", "image"), (path.name, key)
            assert price(m, "input_image") == price(m, "input"), (path.name, key)


# --- LiteLLM ------------------------------------------------------------------------------

LITELLM_ENTRIES = {       # cut from model_prices_2026-07-24 (fields not about price left out)
    "xai/grok-2-vision": {"litellm_provider": "xai", "mode": "chat",
                          "input_cost_per_image": 2e-06, "input_cost_per_token": 2e-06,
                          "output_cost_per_token": 1e-05},
    "azure/gpt-realtime-2025-08-28": {
        "litellm_provider": "azure", "mode": "realtime", "input_cost_per_audio_token": 3.2e-05,
        "input_cost_per_image": 5e-06, "input_cost_per_token": 4e-06,
        "output_cost_per_audio_token": 6.4e-05, "output_cost_per_token": 1.6e-05},
    "voyage/rerank-2": {"litellm_provider": "voyage", "mode": "rerank",
                        "input_cost_per_query": 5e-08, "input_cost_per_token": 5e-08,
                        "output_cost_per_token": 0.0},
    "gemini-3-pro-image-preview": {
        "litellm_provider": "vertex_ai-language-models", "mode": "image_generation",
        "input_cost_per_image": 0.0011, "input_cost_per_token": 2e-06,
        "output_cost_per_image": 0.134, "output_cost_per_image_token": 0.00012,
        "output_cost_per_token": 1.2e-05, "supported_output_modalities": ["text", "image"]},
    "gemini/gemini-2.5-pro-preview-tts": {
        "litellm_provider": "gemini", "mode": "chat", "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05, "output_cost_per_token_above_200k_tokens": 1.5e-05,
        "supported_output_modalities": ["audio"]},
    "gemini/gemini-2.5-flash-preview-tts": {"litellm_provider": "gemini", "mode": "audio_speech",
                                            "input_cost_per_token": 3e-07,
                                            "output_cost_per_token": 2.5e-06},
    "gpt-4o-mini-tts": {"litellm_provider": "openai", "mode": "audio_speech",
                        "input_cost_per_token": 2.5e-06, "output_cost_per_audio_token": 1.2e-05,
                        "output_cost_per_second": 0.00025, "output_cost_per_token": 1e-05,
                        "supported_output_modalities": ["audio"]},
    "gpt-image-2": {"litellm_provider": "openai", "mode": "image_generation",
                    "input_cost_per_token": 5e-06, "input_cost_per_image_token": 8e-06,
                    "output_cost_per_token": 1e-05, "output_cost_per_image_token": 3e-05},
    "text-embedding-3-small": {"litellm_provider": "openai", "mode": "embedding",
                               "input_cost_per_token": 2e-08, "output_cost_per_token": 0.0,
                               "output_cost_per_token_batches": 0.0},
    "gemini/lyria-3-pro-preview": {"litellm_provider": "gemini", "mode": "chat",
                                   "input_cost_per_token": 0, "output_cost_per_token": 0,
                                   "supported_output_modalities": ["audio"]},
    "fal_ai/painter": {"litellm_provider": "fal_ai", "mode": "image_generation",
                       "input_cost_per_token": 1e-06, "output_cost_per_token": 0.0,
                       "output_cost_per_image": 0.03},
}


@pytest.fixture(scope="module")
def entries() -> ParseResult:
    return litellm.parse(json.dumps(LITELLM_ENTRIES))


def _m(result: ParseResult, key: str) -> ModelRecord:
    return next(m for m in result.models if key in (m.key, *m.aliases))


def test_litellm_per_image_token_figures_become_image_token_prices(entries: ParseResult) -> None:
    grok = _m(entries, "xai/grok-2-vision")
    assert price(grok, "input_image") == 2 and not has_price(grok, "input_image_unit", "image")
    realtime = _m(entries, "azure/gpt-realtime-2025-08-28")  # OpenAI's $5 per 1M image tokens
    assert not any(p.unit == "image" for p in realtime.prices)
    assert any(p.meter == "input_image" and p.amount == 5 for p in realtime.prices)


def test_litellm_per_query_token_figure_is_dropped_with_reason(entries: ParseResult) -> None:
    rerank = _m(entries, "voyage/rerank-2")
    assert not any(p.meter == "request" for p in rerank.prices)   # not $0.00005 per 1k requests
    assert price(rerank, "input") == Decimal("0.05")
    assert any(s.key == "voyage/rerank-2" and "per-token figure" in s.reason
               for s in entries.skipped)


def test_litellm_real_per_image_prices_stay(entries: ParseResult) -> None:
    image = _m(entries, "gemini-3-pro-image-preview")
    assert price(image, "input_image_unit", "image") == Decimal("0.0011")
    assert price(image, "image", "image") == Decimal("0.134")
    assert price(image, "output") == 12 and price(image, "output_image") == 120   # text + image
    assert price(_m(entries, "fal_ai/painter"), "image", "image") == Decimal("0.03")


def test_litellm_audio_only_output_is_audio(entries: ParseResult) -> None:
    pro_tts = _m(entries, "gemini/gemini-2.5-pro-preview-tts")      # mode chat, audio out
    assert price(pro_tts, "output_audio") == 10
    assert price(pro_tts, "output_audio", context_above=200000) == 15
    assert not any(p.meter == "output" for p in pro_tts.prices)
    flash_tts = _m(entries, "gemini/gemini-2.5-flash-preview-tts")  # mode audio_speech
    assert price(flash_tts, "output_audio") == Decimal("2.5") and not has_price(flash_tts, "output")


def test_litellm_speech_model_keeps_its_own_audio_price(entries: ParseResult) -> None:
    tts = _m(entries, "gpt-4o-mini-tts")
    assert price(tts, "output_audio") == 12 and not has_price(tts, "output")
    assert any(s.key == "gpt-4o-mini-tts" and s.reason.startswith("output_cost_per_token:")
               for s in entries.skipped)


def test_litellm_image_model_with_both_prices_keeps_both(entries: ParseResult) -> None:
    image2 = _m(entries, "gpt-image-2")
    assert price(image2, "output") == 10 and price(image2, "output_image") == 30


def test_litellm_not_applicable_zero_is_not_stored(entries: ParseResult) -> None:
    embedding = _m(entries, "text-embedding-3-small")
    assert price(embedding, "input") == Decimal("0.02")
    assert not any(p.meter == "output" for p in embedding.prices)
    assert not has_price(_m(entries, "voyage/rerank-2"), "output")
    lyria = _m(entries, "gemini/lyria-3-pro-preview")               # input 0 is a real zero
    assert price(lyria, "input") == 0 and not any(p.meter.startswith("output")
                                                   for p in lyria.prices)
    painter = _m(entries, "fal_ai/painter")
    assert not any(p.meter in ("output", "output_image") for p in painter.prices)


def test_genai_prices_tts_output_is_audio() -> None:
    payload = json.dumps([{"id": "openai", "name": "OpenAI", "models": [
        {"id": "gpt-4o-mini-tts", "prices": {"input_mtok": 0.6, "output_mtok": 12}},
        {"id": "lab-tts-2", "prices": {"input_mtok": 1, "output_mtok": 10,
                                       "output_audio_mtok": 20}},
        {"id": "gpt-audio", "prices": {"input_mtok": 2.5, "output_mtok": 10,
                                       "output_audio_mtok": 64}}]}])
    result = genai_prices.parse(payload.encode())
    tts = _m(result, "openai/gpt-4o-mini-tts")
    assert price(tts, "output_audio") == 12 and not has_price(tts, "output")
    assert price(tts, "input") == Decimal("0.6")
    both = _m(result, "openai/lab-tts-2")
    assert price(both, "output_audio") == 20 and not has_price(both, "output")
    assert any(s.key == "openai/lab-tts-2" and "text-to-speech" in s.reason
               for s in result.skipped)
    audio = _m(result, "openai/gpt-audio")                          # text and audio out
    assert price(audio, "output") == 10 and price(audio, "output_audio") == 64


def test_a_per_image_figure_below_any_real_image_price_is_a_token_rate():
    """Gemini chat models' output_cost_per_image 0.00012 is $120 per 1M output image tokens
    written per token: never "$0.00012 per image"; a real per-image price is kept."""
    body = json.dumps({
        "vertex_ai/gemini-3.1-pro-preview": {
            "litellm_provider": "vertex_ai-language-models", "mode": "chat",
            "input_cost_per_token": 2e-06, "output_cost_per_token": 1.2e-05,
            "output_cost_per_image": 0.00012},
        "stability/fast": {"litellm_provider": "stability", "mode": "image_edit",
                           "output_cost_per_image": 0.002},
    }).encode()
    found = {m.canonical_id: m for m in litellm.SOURCE.parse(body).models}
    gemini = {(p.meter, p.unit): p.amount for p in found["vertex_ai/gemini-3.1-pro-preview"].prices}
    assert ("image", "image") not in gemini
    assert gemini[("output_image", "1M_tokens")] == Decimal("120")
    fast = {(p.meter, p.unit): p.amount for p in found["stability/fast"].prices}
    assert fast[("image", "image")] == Decimal("0.002")


def test_an_image_models_per_step_price_is_not_a_token_price():
    body = json.dumps({"fireworks_ai/accounts/fireworks/models/ssd-1b": {
        "litellm_provider": "fireworks_ai", "mode": "image_generation",
        "input_cost_per_token": 1.3e-10, "output_cost_per_token": 1.3e-10}}).encode()
    parsed = litellm.SOURCE.parse(body)
    assert [m.prices for m in parsed.models] == [[]]
    assert any("per-step price" in s.reason for s in parsed.skipped)
