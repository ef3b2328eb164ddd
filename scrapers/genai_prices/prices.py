"""genai-prices price sets, conditional price lists and price variants as PriceRecords.

Price keys (USD per 1M tokens unless named otherwise):
  input_mtok -> input                 output_mtok -> output
  cache_read_mtok -> cache_read       cache_write_mtok -> cache_write_5m
  cache_write_5m_mtok -> cache_write_5m (wins over cache_write_mtok)
  cache_write_1h_mtok -> cache_write_1h
  input_audio_mtok -> input_audio     output_audio_mtok -> output_audio
  input_image_mtok -> input_image     output_image_mtok -> output_image
  input_video_mtok -> input_video     output_video_mtok -> output_video
  output_reasoning_mtok -> reasoning
  input_text_mtok / output_text_mtok / cache_text_read_mtok -> input / output / cache_read
      (only when the plain key is absent: they price the same tokens)
  input_mchars -> input_character per 1M_characters
  requests_kcount -> request per 1k_requests
  web_searches_kcount -> web_search per 1k_searches
  input_document_kpages -> page per page (the per-1,000 price divided by 1,000)
Left out on purpose (no meter in the project's vocabulary, or not a price of
the model itself): cache_audio_read_mtok, cache_image_read_mtok, the other
cache_{text,audio,image,video}_write*_mtok and cache_video_read_mtok,
input_*tool_mtok, output_{text,audio,image,video}_reasoning_mtok,
output_*citation_mtok, input_text_messages_kcount, audio_hours /
input_audio_hours / output_audio_hours (per hour of connection or audio; a
per-second figure would not be exact), input_gpixels,
input_annotated_document_kpages, rerank/social/storage_searches_kcount,
code_executions_kcount, and any key added upstream later.

Tiered values `{"base": b, "tiers": [{"start": n, "price": p}]}`: b has no
context condition, each tier is Conditions(context_above=n).

Quirk: genai-prices has no mode or modalities, and a text-to-speech model
(`gpt-4o-mini-tts`: input_mtok 0.6, output_mtok 12) puts its audio output price
in output_mtok. A model whose id names it a TTS model (`tts` as a word of the id;
LiteLLM calls these mode audio_speech, OpenRouter output "speech") outputs only
audio: its output_mtok is filed as output_audio (unless output_audio_mtok is
given, which then wins; a different output_mtok is dropped with a reason).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from scrapers.base import Skipped
from scrapers.values import BadValue, scaled, to_int

MTOK = "1M_tokens"
SPEECH_MODELS = re.compile(r"(^|[/_.-])tts($|[/_.-])", re.IGNORECASE)
ONE = Decimal(1)
PRICE_KEYS: dict[str, tuple[str, str, Decimal]] = {
    "input_mtok": ("input", MTOK, ONE),
    "output_mtok": ("output", MTOK, ONE),
    "cache_read_mtok": ("cache_read", MTOK, ONE),
    "cache_write_mtok": ("cache_write_5m", MTOK, ONE),
    "cache_write_5m_mtok": ("cache_write_5m", MTOK, ONE),
    "cache_write_1h_mtok": ("cache_write_1h", MTOK, ONE),
    "input_audio_mtok": ("input_audio", MTOK, ONE),
    "output_audio_mtok": ("output_audio", MTOK, ONE),
    "input_image_mtok": ("input_image", MTOK, ONE),
    "output_image_mtok": ("output_image", MTOK, ONE),
    "input_video_mtok": ("input_video", MTOK, ONE),
    "output_video_mtok": ("output_video", MTOK, ONE),
    "output_reasoning_mtok": ("reasoning", MTOK, ONE),
    "input_text_mtok": ("input", MTOK, ONE),
    "output_text_mtok": ("output", MTOK, ONE),
    "cache_text_read_mtok": ("cache_read", MTOK, ONE),
    "input_mchars": ("input_character", "1M_characters", ONE),
    "requests_kcount": ("request", "1k_requests", ONE),
    "web_searches_kcount": ("web_search", "1k_searches", ONE),
    "input_document_kpages": ("page", "page", Decimal("0.001")),
}
# key -> the key that wins when both are present
YIELDS_TO = {
    "cache_write_mtok": "cache_write_5m_mtok",
    "input_text_mtok": "input_mtok",
    "output_text_mtok": "output_mtok",
    "cache_text_read_mtok": "cache_read_mtok",
}

# (meter, unit) -> {context threshold (0 = base): amount}
PriceSet = dict[tuple[str, str], dict[int, Decimal]]


def price_set(prices: Any, where: str, key: str, skipped: list[Skipped]) -> PriceSet:
    """One genai-prices ModelPrice object; garbage values are skipped and reported."""
    found: PriceSet = {}
    if not isinstance(prices, dict):
        skipped.append(Skipped(key, f"{where}: prices is {type(prices).__name__}, "
                               "not an object"))
        return found
    speech = SPEECH_MODELS.search(key) is not None
    for field, value in prices.items():
        if field not in PRICE_KEYS or value is None:
            continue
        if speech and field in ("output_mtok", "output_text_mtok") and \
                prices.get("output_audio_mtok") is not None:
            if value != prices["output_audio_mtok"]:      # the same figure twice says nothing
                skipped.append(Skipped(key, f"{where}.{field}: a text-to-speech model has no "
                                            "text output; output_audio_mtok prices its audio"))
            continue
        if field in YIELDS_TO and prices.get(YIELDS_TO[field]) is not None:
            continue
        meter, unit, factor = PRICE_KEYS[field]
        if speech and meter == "output":
            meter = "output_audio"
        levels = _levels(value, factor, f"{where}.{field}", key, skipped)
        if levels:
            found[(meter, unit)] = levels
    return found


def _levels(value: Any, factor: Decimal, where: str, key: str,
            skipped: list[Skipped]) -> dict[int, Decimal]:
    if isinstance(value, dict):
        levels = _levels(value.get("base"), factor, f"{where}.base", key, skipped)
        if not levels:
            return {}           # tiers without a valid base price say nothing reliable
        tiers = value.get("tiers")
        if not isinstance(tiers, list):
            skipped.append(Skipped(key, f"{where}.tiers is not a list"))
            return levels
        for i, tier in enumerate(tiers):
            start = to_int(tier.get("start")) if isinstance(tier, dict) else None
            if start is None:
                skipped.append(Skipped(key, f"{where}.tiers[{i}]: no positive integer start"))
                continue
            amount = _amount(tier.get("price"), factor, f"{where}.tiers[{i}]", key, skipped)
            if amount is not None:
                levels[start] = amount
        return levels
    amount = _amount(value, factor, where, key, skipped)
    return {} if amount is None else {0: amount}


def _amount(value: Any, factor: Decimal, where: str, key: str,
            skipped: list[Skipped]) -> Decimal | None:
    try:
        amount = checked(value, factor)
    except BadValue as exc:
        skipped.append(Skipped(key, f"{where}: {exc}"))
        return None
    if amount is None:
        skipped.append(Skipped(key, f"{where}: null price"))
    return amount


def carry_tiers(earlier: dict[tuple[str, str], set[int]], current: PriceSet) -> None:
    """Thresholds an earlier entry had and this one drops are flat now: say so.

    Anthropic's claude-opus-4-6 was tiered above 200k tokens until 2026-03-13
    and flat after. A later dated entry cannot end the earlier tier record, so
    it re-states the tier at the price that now applies at that threshold.
    """
    for meter_unit, levels in current.items():
        for threshold in sorted(earlier.get(meter_unit, ())):
            if threshold and threshold not in levels:
                below = max(t for t in levels if t <= threshold)
                levels[threshold] = levels[below]


def parse_window(constraint: dict[str, Any]) -> tuple[int, int] | None:
    """start_time/end_time as minutes after midnight UTC; None when unusable."""
    minutes = []
    for field in ("start_time", "end_time"):
        value = constraint.get(field)
        try:
            moment = dt.time.fromisoformat(value.strip()) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.second or moment.microsecond:
            return None
        offset = moment.utcoffset()
        shift = int(offset.total_seconds() // 60) if offset else 0
        minutes.append((moment.hour * 60 + moment.minute - shift) % 1440)
    start, end = minutes
    return None if start == end else (start, end)


def window_text(window: tuple[int, int]) -> str:
    start, end = window
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def complement(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the day (UTC) outside every window, as windows; may wrap midnight."""
    covered = [False] * 1440
    for start, end in windows:
        minute = start
        while minute != end:
            covered[minute] = True
            minute = (minute + 1) % 1440
    if all(covered) or not any(covered):
        return []
    # Start scanning at a covered minute so a free run crossing midnight stays whole.
    origin = covered.index(True)
    runs: list[tuple[int, int]] = []
    run_start: int | None = None
    for step in range(1, 1441):
        minute = (origin + step) % 1440
        if not covered[minute] and run_start is None:
            run_start = minute
        elif covered[minute] and run_start is not None:
            runs.append((run_start, minute))
            run_start = None
    return sorted(runs)


def checked(value: Any, factor: Decimal) -> Decimal | None:
    """scaled(), with magnitudes Decimal cannot even normalise (1e400) refused too."""
    try:
        return scaled(value, factor)
    except ArithmeticError:
        raise BadValue(f"absurd price {value}") from None
