"""LiteLLM entry fields -> PriceRecords and capabilities.

Field names are a base name plus variant suffixes, combined freely:
`input_cost_per_token_above_200k_tokens_priority`,
`cache_creation_input_token_cost_above_1hr_above_200k_tokens`.
Suffixes: `_above_<N>k_tokens` -> context_above N*1000; `_batches` -> service tier
batch; `_flex`; `_priority`; `_<N>p` (video resolution, `_1080p`) -> quality.
`cache_creation_input_token_cost_above_1hr` is a base name (the 1-hour cache
write), not a context tier.

Deliberately ignored fields (no meter in our vocabulary, or not a price of use):
`*_above_<N>s_interval` (video length tiers), cache_read/creation_input_audio_token_cost,
cache_read_input_image_token_cost, input_dbu_cost_per_token / output_dbu_cost_per_token
(Databricks units), citation_cost_per_token, code_interpreter_cost_per_session,
computer_use_*_cost_per_1k_tokens, file_search_*, vector_store_cost_per_gb_per_day,
annotation_cost_per_page, ocr_cost_per_credit, output_cost_per_image_above_*_pixels /
_premium_image (Bedrock Titan sizes), regional_processing_uplift_multiplier_*
(multipliers, not prices), tiered_pricing entries by max_results_range (search).
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from scrapers.base import Conditions
from scrapers.values import MILLION, THOUSAND, BadValue, to_decimal
from scrapers.vocabulary import IMAGE_MODES, NO_OUTPUT_MODES

ONE = Decimal(1)
TOKENS = ("1M_tokens", MILLION)
Spec = tuple[str, str, Decimal]          # meter, unit, factor

_BASES: dict[str, Spec | None] = {
    "input_cost_per_token": ("input", *TOKENS),
    "output_cost_per_token": ("output", *TOKENS),
    "cache_read_input_token_cost": ("cache_read", *TOKENS),
    "input_cost_per_token_cache_hit": ("cache_read", *TOKENS),
    "cache_creation_input_token_cost": ("cache_write_5m", *TOKENS),
    "cache_creation_input_token_cost_above_1hr": ("cache_write_1h", *TOKENS),
    "output_cost_per_reasoning_token": ("reasoning", *TOKENS),
    "input_cost_per_audio_token": ("input_audio", *TOKENS),
    "output_cost_per_audio_token": ("output_audio", *TOKENS),
    "input_cost_per_image_token": ("input_image", *TOKENS),
    "output_cost_per_image_token": ("output_image", *TOKENS),
    "input_cost_per_video_token": ("input_video", *TOKENS),
    "output_cost_per_video_token": ("output_video", *TOKENS),
    "input_cost_per_character": ("input_character", "1M_characters", MILLION),
    "output_cost_per_character": ("output_character", "1M_characters", MILLION),
    "input_cost_per_audio_per_second": ("input_audio_second", "second", ONE),
    "input_cost_per_video_per_second": ("input_video_second", "second", ONE),
    "output_cost_per_video_per_second": ("output_video_second", "second", ONE),
    "input_cost_per_request": ("request", "1k_requests", THOUSAND),
    "input_cost_per_query": ("request", "1k_requests", THOUSAND),
    "ocr_cost_per_page": ("page", "page", ONE),
    "output_cost_per_image": ("image", "image", ONE),
    "cost_per_image": ("image", "image", ONE),               # 2024 vertex_ai imagegeneration
    "input_cost_per_pixel": ("image", "1M_pixels", MILLION),
    "output_cost_per_pixel": ("image", "1M_pixels", MILLION),
    # Decided per entry (see spec_for): the meaning depends on the mode.
    "input_cost_per_image": None,
    "input_cost_per_second": None,
    "output_cost_per_second": None,
}
# Longest first, so `input_cost_per_token_cache_hit` is not read as a suffix of
# `input_cost_per_token`, nor `..._above_1hr` as a suffix of the 5-minute write.
_BASE_ORDER = sorted(_BASES, key=len, reverse=True)
_SUFFIX = re.compile(r"_(?:above_(\d+)k_tokens|(batches)|(flex)|(priority)|(\d{3,4}p))")
_TIERS = {"batches": "batch", "flex": "flex", "priority": "priority"}
# Lower number = preferred when two fields of one entry give the same price key.
PREFERENCE = {"input_cost_per_token_cache_hit": 1}

CAPABILITY_FLAGS = {
    "supports_vision": "vision", "supports_pdf_input": "pdf_input",
    "supports_function_calling": "function_calling",
    "supports_parallel_function_calling": "parallel_function_calling",
    "supports_tool_choice": "tool_choice", "supports_response_schema": "json_schema",
    "supports_reasoning": "reasoning", "supports_prompt_caching": "prompt_caching",
    "supports_audio_input": "audio_input", "supports_audio_output": "audio_output",
    "supports_video_input": "video_input", "supports_web_search": "web_search",
    "supports_computer_use": "computer_use", "supports_system_messages": "system_messages",
    "supports_assistant_prefill": "assistant_prefill",
    "supports_native_structured_output": "structured_output",
}


@lru_cache(maxsize=1024)
def parse_field(name: str) -> tuple[str, Conditions] | None:
    """(base name, conditions from the suffixes) or None for a field we do not read."""
    for base in _BASE_ORDER:
        if name.startswith(base):
            rest = name[len(base):]
            break
    else:
        return None
    context = tier = quality = None
    pos = 0
    while pos < len(rest):
        match = _SUFFIX.match(rest, pos)
        if match is None:
            return None                     # e.g. _above_15s_interval, _premium_image
        if match.group(1):
            context = int(match.group(1)) * 1000
        elif match.group(5):
            quality = match.group(5)
        else:
            tier = _TIERS[next(g for g in match.groups()[1:4] if g)]
        pos = match.end()
    return base, Conditions(quality=quality, context_above=context, service_tier=tier)


class NotApplicable(ValueError):
    """A value the entry gives for a meter its model does not have (reported, not kept)."""


def spec_for(base: str, entry: dict[str, Any], mode: str | None) -> Spec | None:
    """Meter, unit and factor of a base field in this entry; None = not a price we keep.
    Raises NotApplicable for a value that must be reported as dropped."""
    if base == "output_cost_per_token":
        return (output_meter(entry, mode), *TOKENS)
    spec = _BASES[base]
    if spec is not None:
        return spec
    if base == "input_cost_per_image":
        # OpenAI's image entries (dall-e, gpt-image-1 per quality/size) put the price
        # of a generated image here. Where the entry also has output_cost_per_image
        # (Gemini image models, chat models), this is the price of an input image.
        if mode in ("image_generation", "image_edit") and "output_cost_per_image" not in entry:
            return ("image", "image", ONE)
        return ("input_image_unit", "image", ONE)
    if base == "input_cost_per_second":
        if mode == "video_generation":
            return ("input_video_second", "second", ONE)
        if mode in ("audio_transcription", "audio_speech", "realtime"):
            return ("input_audio_second", "second", ONE)
        return None                         # per-second compute (SageMaker, commitments)
    # output_cost_per_second: seconds of video generated, or of speech generated.
    # A transcription's output is text; LiteLLM repeats the input rate or 0 there,
    # which is not a price of its own, so it is not read.
    if mode == "video_generation":
        return ("output_video_second", "second", ONE)
    if mode == "audio_speech":
        return ("output_audio_second", "second", ONE)
    return None


def output_meter(entry: dict[str, Any], mode: str | None) -> str:
    """What `output_cost_per_token` prices. A model whose only output is audio (mode
    audio_speech, or supported_output_modalities ["audio"]: Gemini's TTS models in
    mode chat) or images (an image mode without text among its outputs) is billed for
    audio / image output tokens there, never for text `output`. Where a speech
    model's entry prices audio output tokens itself (gpt-4o-mini-tts: 1e-05 beside
    output_cost_per_audio_token 1.2e-05) the extra figure prices nothing it produces:
    NotApplicable. An image model that prices its image tokens itself keeps both
    (gpt-image-2: $10 text output beside $30 image output, two meters)."""
    kind = _only_output(entry, mode)
    if kind == "audio":
        if _positive(entry.get("output_cost_per_audio_token")):
            raise NotApplicable("a model whose only output is audio has no text output; "
                                "output_cost_per_audio_token prices its audio")
        return "output_audio"
    if kind == "image" and "output_cost_per_image_token" not in entry:
        return "output_image"
    return "output"


def _only_output(entry: dict[str, Any], mode: str | None) -> str | None:
    """"audio" / "image" for a model that outputs only that, "none" for one that
    outputs no tokens (embedding, rerank, moderation), None otherwise."""
    value = entry.get("supported_output_modalities")
    outputs = {v.strip().lower() for v in value if isinstance(v, str)} \
        if isinstance(value, list) else set()
    if "text" in outputs:
        return None
    if mode in NO_OUTPUT_MODES:
        return "none"
    if outputs == {"audio"} or (mode == "audio_speech" and not outputs):
        return "audio"
    if outputs == {"image"} or (mode in IMAGE_MODES and not outputs):
        return "image"
    return None


def is_not_applicable_zero(base: str, amount: Decimal, entry: dict[str, Any],
                           mode: str | None) -> bool:
    """A 0.0 output price of a model that produces no text (embeddings, rerank,
    moderation; audio-only and image-only models) is LiteLLM's placeholder for "not
    applicable", not "free": kept, it would show $0.00 output on 115 embeddings."""
    return amount == 0 and base == "output_cost_per_token" and \
        _only_output(entry, mode) is not None


def is_placeholder_zero(base: str, amount: Decimal, entry: dict[str, Any],
                        mode: str | None) -> bool:
    """LiteLLM's 0.0 beside a real image price means "not charged separately / unknown",
    not "free": the per-image entries carry `output_cost_per_pixel: 0.0` (and old azure
    dall-e entries `output_cost_per_token: 0.0`) next to the per-image or per-pixel
    price, and Bedrock Titan has `input_cost_per_image: 0.0` beside its per-image price.
    Keeping those would publish a $0 image price."""
    if is_not_applicable_zero(base, amount, entry, mode):
        return True
    if amount != 0 or mode not in IMAGE_MODES:
        return False
    if base in ("output_cost_per_pixel", "output_cost_per_token"):
        return any(_positive(entry.get(f)) for f in ("input_cost_per_image",
                                                    "input_cost_per_pixel"))
    if base == "input_cost_per_image":
        return _positive(entry.get("output_cost_per_image"))
    return False


# The explicit per-token field of the meters a per-unit token figure is filed under.
TOKEN_FIELDS_OF = {"input_image": "input_cost_per_image_token",
                   "output_image": "output_cost_per_image_token"}


def token_rates(entry: dict[str, Any]) -> list[Decimal]:
    """The entry's per-token prices in USD per token, as written (garbage left out:
    it is reported where it is read)."""
    rates = []
    for name, value in entry.items():
        parsed = parse_field(name) if isinstance(value, int | float | str) else None
        spec = _BASES.get(parsed[0]) if parsed else None
        if spec is not None and spec[1] == "1M_tokens":
            try:
                rate = to_decimal(value)
            except BadValue:
                continue
            if rate is not None:
                rates.append(rate)
    return rates


def _positive(value: Any) -> bool:
    try:
        amount = to_decimal(value)
    except BadValue:
        return False
    return amount is not None and amount > 0


def search_price(value: Any) -> Any:
    """The web-search price per query from `search_context_cost_per_query`.

    LiteLLM gives low / medium / high search-context sizes (OpenAI bills by the
    context size the request asks for; most other providers give one price three
    times). Medium is OpenAI's default size and the one LiteLLM's own cost
    calculation falls back to, so it is the base web_search price here; the low
    and high variants have no condition in our vocabulary. Returns the raw value
    (None when absent); raises TypeError when the field is not an object."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"search_context_cost_per_query is a {type(value).__name__}")
    return value.get("search_context_size_medium")
