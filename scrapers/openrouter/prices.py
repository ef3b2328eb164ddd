"""OpenRouter's `pricing` object -> PriceRecords (scrapers.openrouter parses the rest).

Prices (per 1M tokens unless noted): prompt -> input, completion -> output,
input_cache_read -> cache_read, input_cache_write -> cache_write_5m,
input_cache_write_1h -> cache_write_1h, internal_reasoning -> reasoning,
audio -> input_audio, audio_output -> output_audio, image_token -> input_image,
image_output -> output_image, image -> input_image_unit per image (OpenRouter's
"per input image"), web_search -> web_search per 1k searches, request -> request
per 1k requests. Gemini entries give `image` the per-token `prompt` rate (their
images are billed as input tokens): a per-unit value that is a per-token figure
(scrapers.unit_figures) is filed as input_image per 1M tokens, or dropped with a
reason where image_token already gives that meter (or for `request`). Not read:
input_audio_cache (no meter for cached audio), discount. `overrides` entries with
`min_prompt_tokens` become context tiers (context_above); time-of-day overrides
(`utc_start`/`utc_end`, semantics undocumented) and any other shape are ignored.
`"-1"` marks a router whose price varies: the value is skipped (reported), never $0.
`"0"` is a real zero (free models).

Quirk: speech-to-text, text-to-speech, video and rerank models (output
modalities only among transcription / speech / video / rerank) put a per-unit
price of unstated unit (per second, minute or hour of audio; per character) in
the per-token `prompt` field (grok-stt-1.0: "0.1", $100,000 per 1M "tokens"), or
"0" where the model is not free. When such a model bills no output tokens
(completion is 0), prompt and completion are not read; a non-zero prompt is
reported as Skipped. Token-priced ones (gpt-4o-transcribe: completion > 0) are kept.
Likewise a completion of "0" on a model without text output (image-only,
embeddings) is the price of nothing and is not read; a non-zero completion on a
speech-only or image-only model prices audio / image output tokens and is filed
there, unless audio_output / image_output prices those (then it stays `output`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from scrapers import unit_figures
from scrapers.base import Conditions, PriceRecord, Skipped
from scrapers.folding import scaled_price
from scrapers.values import MILLION, THOUSAND, BadValue, to_decimal, to_int

TOKENS = ("1M_tokens", MILLION)
PRICE_FIELDS: dict[str, tuple[str, str, Decimal]] = {
    "prompt": ("input", *TOKENS),
    "completion": ("output", *TOKENS),
    "input_cache_read": ("cache_read", *TOKENS),
    "input_cache_write": ("cache_write_5m", *TOKENS),
    "input_cache_write_1h": ("cache_write_1h", *TOKENS),
    "internal_reasoning": ("reasoning", *TOKENS),
    "audio": ("input_audio", *TOKENS),
    "audio_output": ("output_audio", *TOKENS),
    "image_token": ("input_image", *TOKENS),
    "image_output": ("output_image", *TOKENS),
    "image": ("input_image_unit", "image", Decimal(1)),
    "web_search": ("web_search", "1k_searches", THOUSAND),
    "request": ("request", "1k_requests", THOUSAND),
}
TOKEN_FIELDS = tuple(f for f, spec in PRICE_FIELDS.items() if spec[1] == "1M_tokens")
TOKEN_FIELDS_OF = {spec[0]: f for f, spec in PRICE_FIELDS.items() if spec[1] == "1M_tokens"}
NON_TOKEN_OUTPUTS = frozenset({"transcription", "speech", "video", "rerank"})
OUTPUT_TOKEN_METERS = {"speech": "output_audio", "audio": "output_audio", "image": "output_image"}
UNREAD = frozenset({"input_audio_cache", "discount"})


def prices(key: str, pricing: Any, outputs: tuple[str, ...] | None, tier: str | None,
            skipped: list[Skipped]) -> list[PriceRecord]:
    if pricing is None:
        return []
    if not isinstance(pricing, dict):
        skipped.append(Skipped(key, "pricing is not an object"))
        return []
    unread = set()
    if outputs and set(outputs) <= NON_TOKEN_OUTPUTS and _zero(pricing.get("completion")):
        unread.add("prompt")
        if not _zero(pricing.get("prompt")) and not _variable(pricing.get("prompt")):
            skipped.append(Skipped(key, (
                f"prompt {pricing.get('prompt')}: per-unit price of a "
                f"{'/'.join(outputs)} model in the per-token field (unit not stated)")))
    completion_as = _completion_meter(pricing, outputs)
    if completion_as is None:
        unread.add("completion")
    found: dict[tuple, PriceRecord] = {}
    tiers: list[tuple[dict[str, Any], Conditions]] = [(pricing, Conditions(service_tier=tier))]
    for override in pricing.get("overrides") or []:
        start = override.get("min_prompt_tokens") if isinstance(override, dict) else None
        if to_int(start) and set(override) - set(PRICE_FIELDS) - UNREAD == {"min_prompt_tokens"}:
            tiers.append((override, Conditions(context_above=to_int(start), service_tier=tier)))
    for fields, conditions in tiers:
        for field, value in fields.items():
            spec = PRICE_FIELDS.get(field)
            if spec is None or value is None or field in unread:
                continue
            meter, unit, factor = spec
            if field == "completion":
                meter = completion_as or meter
            if _variable(value):
                skipped.append(Skipped(key, f"variable price (-1) for {field}"))
                continue
            if meter in unit_figures.TOKEN_METERS and _token_figure(value, fields, pricing, meter):
                target = unit_figures.TOKEN_METERS[meter]
                if target is None or _given(fields, TOKEN_FIELDS_OF[target]):
                    skipped.append(Skipped(key, unit_figures.reason(field, value, None)))
                    continue
                meter, unit, factor = target, *TOKENS
            try:
                amount = scaled_price(value, factor)
            except BadValue as exc:
                skipped.append(Skipped(key, f"{field}: {exc}"))
                continue
            if amount is not None:
                price = PriceRecord(meter, unit, amount, conditions)
                found.setdefault(price.key, price)
    return list(found.values())


def _completion_meter(pricing: dict[str, Any], outputs: tuple[str, ...] | None) -> str | None:
    """What `completion` prices. A model without text output that still has a
    completion rate bills the tokens of what it does output (Gemini's TTS: speech
    only, completion 0.00002 = $20 per 1M audio tokens): that rate is filed under the
    audio / image output meter, never under text `output`. None = not read."""
    if not outputs or "text" in outputs or _variable(pricing.get("completion")):
        return "output"
    if _zero(pricing.get("completion")):
        return None                               # no text out: "0" is not a price
    kinds = {OUTPUT_TOKEN_METERS[o] for o in outputs if o in OUTPUT_TOKEN_METERS}
    if len(kinds) != 1:
        return "output"                           # transcription, embeddings: text-like
    meter = kinds.pop()
    # Where the source prices those tokens itself (gpt-image-2: completion $8 beside
    # image_output $30), completion is a second, separate price: kept as it is.
    return "output" if _given(pricing, TOKEN_FIELDS_OF[meter]) else meter


def _token_figure(value: Any, fields: dict[str, Any], pricing: dict[str, Any],
                  meter: str) -> bool:
    """A per-image / per-request value that is a per-token rate (scrapers.unit_figures),
    judged against the token prices of its own tier and of the base pricing."""
    amount = _decimal(value)
    rates = [_decimal(prices.get(f)) for prices in (fields, pricing) for f in TOKEN_FIELDS]
    return amount is not None and unit_figures.is_token_figure(
        amount, [r for r in rates if r is not None], meter)


def _decimal(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except BadValue:
        return None                           # garbage is reported where it is read


def _given(fields: dict[str, Any], field: str | None) -> bool:
    return field is not None and not _zero(fields.get(field))


def _variable(value: Any) -> bool:
    """OpenRouter's "-1": the price depends on the model a router picks."""
    if isinstance(value, str):
        value = value.strip()
        if value not in ("-1", "-1.0"):
            return False
        return True
    return isinstance(value, Decimal | int) and not isinstance(value, bool) and value == -1


def _zero(value: Any) -> bool:
    try:
        amount = to_decimal(value)
    except BadValue:
        return False
    return amount is None or amount == 0
