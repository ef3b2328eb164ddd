"""genai-prices: price sets, tiers, dated history, time-of-day windows, variants."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scrapers import genai_prices
from scrapers.base import METERS, UNITS, Conditions, ModelRecord, ParseError, ParseResult
from scrapers.genai_prices.prices import complement, parse_window, window_text
from tests.upstream import OWN, upstream

SAMPLE = OWN / "genai_prices" / "data_v2_sample.json"
PACKAGE_SAMPLE = OWN / "genai_prices" / "package_sample.json"
GARBAGE = OWN / "genai_prices" / "garbage.json"
FUTURE = dt.date(2027, 1, 1)


def parse(path: Path) -> ParseResult:
    return genai_prices.SOURCE.parse(path.read_bytes())


def by_id(result: ParseResult) -> dict[str, ModelRecord]:
    return {m.canonical_id: m for m in result.models}


def prices(model: ModelRecord, meter: str, effective_from: dt.date | None = None,
           **conditions: object) -> Decimal | None:
    wanted = Conditions(**conditions)  # type: ignore[arg-type]
    found = [p.amount for p in model.prices if p.meter == meter
             and p.conditions == wanted and p.effective_from == effective_from]
    assert len(found) <= 1
    return found[0] if found else None


def assert_valid(result: ParseResult) -> None:
    for model in result.models:
        assert model.canonical_id == model.canonical_id.lower()
        assert model.canonical_id.startswith(model.provider + "/")
        keys = set()
        for p in model.prices:
            assert isinstance(p.amount, Decimal) and p.amount.is_finite() and p.amount >= 0
            assert p.meter in METERS and p.unit in UNITS
            assert p.effective_from is None or isinstance(p.effective_from, dt.date)
            assert (p.key, p.effective_from) not in keys
            keys.add((p.key, p.effective_from))


# --- the full upstream files -------------------------------------------------

# 1442 / 1466 entries; bedrock `global.`/`regional.` pairs fold into one model each, and
# 141 of the openrouter provider's copies into the lab's model of the same id.
@pytest.mark.parametrize("name,count", [("data_v1_2026-07-25_c885e328.json", 1289),
                                        ("data_v2_2026-08-21_47df840a.json", 1311)])
def test_every_upstream_entry_parses(name: str, count: int) -> None:
    result = parse(upstream("genai-prices", name))
    assert len(result.models) == count
    assert result.skipped == []
    assert_valid(result)
    slugs = {m.provider for m in result.models}
    assert {"bedrock", "xai", "together_ai", "fireworks_ai", "google", "openai"} <= slugs
    assert not {"aws", "x-ai", "together", "fireworks"} & slugs
    assert result.provider_names["bedrock"] == "AWS Bedrock"


def test_upstream_v2_known_values() -> None:
    models = by_id(parse(upstream("genai-prices", "data_v2_2026-08-21_47df840a.json")))
    opus = models["anthropic/claude-opus-4-6"]
    assert prices(opus, "input") == Decimal(5)
    assert prices(opus, "input", context_above=200_000) == Decimal(10)
    assert prices(opus, "cache_write_1h", context_above=200_000) == Decimal(20)
    assert prices(opus, "web_search") == Decimal(10)
    assert next(p.unit for p in opus.prices if p.meter == "web_search") == "1k_searches"
    # From 2026-03-13 the 1M context is flat: the >200k tier is re-stated at the base price.
    march = dt.date(2026, 3, 13)
    assert prices(opus, "input", march) == Decimal(5)
    assert prices(opus, "input", march, context_above=200_000) == Decimal(5)
    o3 = models["openai/o3"]
    assert (prices(o3, "input"), prices(o3, "output")) == (Decimal(10), Decimal(40))
    june = dt.date(2025, 6, 10)
    assert (prices(o3, "input", june), prices(o3, "output", june)) == (Decimal(2), Decimal(8))
    flash = models["google/gemini-3.6-flash"]
    assert prices(flash, "input", FUTURE) == Decimal("1.5")   # a future start date is kept
    chat = models["deepseek/deepseek-chat"]
    assert prices(chat, "input", time_window="00:30-16:30") == Decimal("0.27")
    assert prices(chat, "input", time_window="16:30-00:30") == Decimal("0.135")
    assert prices(chat, "input") is None          # no all-day price
    bedrock = models["bedrock/anthropic.claude-sonnet-5-v1:0"]
    assert bedrock.key == "aws/regional.anthropic.claude-sonnet-5-v1:0"
    assert bedrock.aliases == ["aws/global.anthropic.claude-sonnet-5-v1:0"]
    sept = dt.date(2026, 9, 1)
    assert prices(bedrock, "output", sept) == Decimal("16.5")
    assert prices(bedrock, "output", sept, region="global") == Decimal(15)
    assert prices(bedrock, "output", region="global") == Decimal(10)


# --- the project's own samples (fresh clone) ----------------------------------

def test_sample_known_values() -> None:
    result = parse(SAMPLE)
    assert_valid(result)
    assert result.skipped == []
    models = by_id(result)
    assert set(models) >= {"anthropic/claude-opus-4-6", "deepseek/deepseek-chat", "openai/o3",
                           "bedrock/anthropic.claude-sonnet-5-v1:0",
                           "google/gemini-3.6-flash", "xai/grok-2-1212",
                           "together_ai/austism/chronos-hermes-13b"}
    chat = models["deepseek/deepseek-chat"]
    assert sorted((p.meter, p.conditions.time_window, p.amount) for p in chat.prices) == [
        ("cache_read", "00:30-16:30", Decimal("0.07")),
        ("cache_read", "16:30-00:30", Decimal("0.035")),
        ("input", "00:30-16:30", Decimal("0.27")),
        ("input", "16:30-00:30", Decimal("0.135")),
        ("output", "00:30-16:30", Decimal("1.1")),
        ("output", "16:30-00:30", Decimal("0.55")),
    ]
    sonnet = models["anthropic/claude-sonnet-4-5"]
    assert prices(sonnet, "input", context_above=200_000) == Decimal(6)
    assert prices(sonnet, "cache_write_5m") == Decimal("3.75")
    assert sonnet.context_window == 1_000_000
    assert sonnet.capabilities == {"prompt_caching": True}
    assert prices(models["google/gemini-3.6-flash"], "output", FUTURE) == Decimal("7.5")


def test_package_sample_variants_windows_regions() -> None:
    result = parse(PACKAGE_SAMPLE)
    assert_valid(result)
    models = by_id(result)
    fable = models["anthropic/claude-fable-5"]
    oct14 = dt.date(2026, 10, 14)
    assert prices(fable, "input", oct14, service_tier="batch") == Decimal(5)
    assert prices(fable, "web_search", oct14, service_tier="batch") is None  # stays standard
    v4 = models["deepseek/deepseek-v4-flash"]
    for window in ("01:00-04:00", "06:00-10:00"):
        assert prices(v4, "output", time_window=window) == Decimal("1.2")
    for window in ("04:00-06:00", "10:00-01:00"):       # outside both peak windows
        assert prices(v4, "input", time_window=window) == Decimal("0.14")
        assert prices(v4, "input", dt.date(2026, 9, 10), time_window=window) == Decimal("0.15")
    # OpenRouter's entry copies OpenRouter's own listing: an alias of the lab's model,
    # without its prices (scrapers.ids; the route variants are tested in test_ids).
    mistral = models["mistral/mistral-large-4-0"]
    assert mistral.key == "openrouter/mistralai/mistral-large-4-0" and mistral.prices == []
    image = models["openai/gpt-image-2"]
    assert prices(image, "output_image") == Decimal(30)        # genai-prices' output_mtok
    assert prices(image, "output") is None
    assert prices(image, "input_image") == Decimal(8)
    both = models["openai/gpt-image-1.5"]
    assert (prices(both, "output"), prices(both, "output_image")) == (Decimal(10), Decimal(32))


def test_garbage_is_skipped_never_zero() -> None:
    result = parse(GARBAGE)
    assert_valid(result)
    models = by_id(result)
    assert [(p.meter, p.amount) for p in models["openai/gpt-good"].prices] == [
        ("input", Decimal("1.1")), ("output", Decimal("4.4"))]
    assert models["openai/gpt-null"].prices == []
    assert [p.meter for p in models["openai/gpt-nan"].prices] == ["input_audio"]
    assert [p.meter for p in models["openai/gpt-absurd"].prices] == ["output"]
    tiers = models["openai/gpt-tiers"]
    assert prices(tiers, "input", context_above=100_000) == Decimal("1.5")
    assert prices(tiers, "output") is None
    assert [p.amount for p in models["openai/gpt-bad-list"].prices] == [Decimal(1)]
    assert [p.amount for p in models["openai/gpt-bad-variants"].prices] == [Decimal(1)]
    assert models["openai/gpt-no-prices"].prices == []
    assert "xai/grok-upper" in models
    assert all(p.amount != 0 for m in result.models for p in m.prices)
    keys = {s.key for s in result.skipped}
    assert {"openai/gpt-null", "openai/gpt-nan", "openai/gpt-absurd", "openai/gpt-tiers",
            "openai/gpt-bad-list", "openai/models[8]", "providers[1]", "providers[2]"} <= keys


def test_duplicate_canonical_ids_keep_the_first() -> None:
    payload = [{"id": "aws", "models": [{"id": "M", "prices": {"input_mtok": 1}}]},
               {"id": "bedrock", "models": [{"id": "m", "prices": {"input_mtok": 2,
                                                                     "output_mtok": 3}}]}]
    result = genai_prices.parse(json.dumps(payload).encode())
    assert len(result.models) == 1 and result.models[0].aliases == ["bedrock/m"]
    assert [(p.meter, p.amount) for p in result.models[0].prices] == [
        ("input", Decimal(1)), ("output", Decimal(3))]
    assert [s.key for s in result.skipped] == ["bedrock/m"]


def test_bedrock_profiles_fold_into_one_model() -> None:
    payload = [{"id": "aws", "name": "AWS Bedrock", "models": [
        {"id": "global.anthropic.claude-x-v1:0", "name": "X", "prices": {"input_mtok": 3}},
        {"id": "regional.anthropic.claude-x-v1:0", "prices": {"input_mtok": 3.3},
         "price_variants": [{"when": {"processing": "batch"}, "prices": {"input_mtok": 1.65}}]},
        {"id": "amazon.nova-pro-v1:0", "prices": {"input_mtok": 0.8}}]}]
    models = by_id(genai_prices.parse(json.dumps(payload).encode()))
    assert set(models) == {"bedrock/anthropic.claude-x-v1:0", "bedrock/amazon.nova-pro-v1:0"}
    claude = models["bedrock/anthropic.claude-x-v1:0"]
    assert claude.key == "aws/regional.anthropic.claude-x-v1:0" and claude.name == "X"
    assert prices(claude, "input") == Decimal("3.3")
    assert prices(claude, "input", region="global") == Decimal(3)
    assert prices(claude, "input", service_tier="batch") == Decimal("1.65")


def test_units_for_counted_meters() -> None:
    payload = [{"id": "mistral", "models": [{"id": "ocr", "prices": {
        "input_document_kpages": 1, "requests_kcount": 5, "input_mchars": 40,
        "cache_write_mtok": 1, "cache_write_5m_mtok": 2, "audio_hours": 0.36}}]}]
    model = genai_prices.parse(json.dumps(payload).encode()).models[0]
    assert sorted((p.meter, p.unit, p.amount) for p in model.prices) == [
        ("cache_write_5m", "1M_tokens", Decimal(2)),
        ("input_character", "1M_characters", Decimal(40)),
        ("page", "page", Decimal("0.001")),
        ("request", "1k_requests", Decimal(5)),
    ]


@pytest.mark.parametrize("windows,expected", [
    ([(30, 990)], ["16:30-00:30"]),
    ([(60, 240), (360, 600)], ["04:00-06:00", "10:00-01:00"]),
    ([(1320, 120)], ["02:00-22:00"]),
    ([(0, 720), (720, 0)], []),
])
def test_complement_windows(windows: list[tuple[int, int]], expected: list[str]) -> None:
    assert [window_text(w) for w in complement(windows)] == expected


def test_window_parsing() -> None:
    assert parse_window({"start_time": "00:30:00Z", "end_time": "16:30:00Z"}) == (30, 990)
    assert parse_window({"start_time": "08:30+08:00", "end_time": "00:30+08:00"}) == (30, 990)
    assert parse_window({"start_time": "00:30:15Z", "end_time": "16:30:00Z"}) is None
    assert parse_window({"start_time": "01:00", "end_time": "01:00"}) is None


@pytest.mark.parametrize("payload", [b"", b"[", b'[{"id": "openai", "models": [', b"{}",
                                     b'{"providers": []}', b"42"])
def test_bad_payload_is_a_parse_error(payload: bytes) -> None:
    with pytest.raises(ParseError):
        genai_prices.parse(payload)


def test_empty_list_is_zero_models() -> None:
    assert genai_prices.parse(b"[]").models == []


def test_fetch_local_file() -> None:
    fetched = genai_prices.SOURCE.fetch(str(SAMPLE))
    assert fetched.body == SAMPLE.read_bytes()


def test_source_attributes() -> None:
    source = genai_prices.SOURCE
    assert source.name == "genai_prices" and source.default_interval_hours == 24
    assert source.default_url == (
        "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json")
