"""OpenRouter's model listing (GET /api/v1/models) -> normalised records.

Shape: `{"data": [model, …]}`; a bare list of models (how some mirrors store it)
is accepted too. Each model: `id` (`openai/gpt-4o`), `name`, `created` (Unix
seconds), `context_length`, `architecture.input_modalities/output_modalities`,
`top_provider.max_completion_tokens`, `supported_parameters`, `expiration_date`,
and `pricing`: decimal strings in USD per token or per unit.

Canonical ids: the id lowercased, provider = the part before the slash, with
four lab slugs spelled the way the other sources spell them (x-ai -> xai,
mistralai -> mistral, z-ai -> zai, moonshotai -> moonshot) so one lab is one
provider. Two kinds of ids fold into another model (scrapers.folding):
- `<id>:batch` is the same model bought through the batch API: its prices carry
  service_tier "batch" on `<id>`;
- `~openai/gpt-latest` is a moving alias: it folds into its `alias_target.slug`
  (or, without one, into the id without the `~`).
Other variants (`:free`, `:thinking`, `:exacto`, `:extended`) are offers of their
own and keep their id.

Prices (per 1M tokens unless noted): prompt -> input, completion -> output,
input_cache_read -> cache_read, input_cache_write -> cache_write_5m,
input_cache_write_1h -> cache_write_1h, internal_reasoning -> reasoning,
audio -> input_audio, audio_output -> output_audio, image_token -> input_image,
image_output -> output_image, image -> input_image_unit per image (OpenRouter's
"per input image"; Gemini entries give it the per-token value), web_search ->
web_search per 1k searches, request -> request per 1k requests. Not read:
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
embeddings) is the price of nothing and is not read.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from scrapers import exact_json
from scrapers.base import (
    Conditions,
    HttpSource,
    ModelRecord,
    ParseError,
    ParseResult,
    PriceRecord,
    Skipped,
)
from scrapers.folding import Candidate, fold, scaled_price
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
PARAMETERS = {
    "tools": "function_calling", "tool_choice": "tool_choice",
    "structured_outputs": "json_schema", "response_format": "json_schema",
    "reasoning": "reasoning", "include_reasoning": "reasoning",
    "web_search_options": "web_search",
}
PROVIDER_SLUGS = {"x-ai": "xai", "mistralai": "mistral", "z-ai": "zai", "moonshotai": "moonshot"}
NON_TOKEN_OUTPUTS = frozenset({"transcription", "speech", "video", "rerank"})
MODES = {"embeddings": "embedding", "transcription": "audio_transcription",
         "speech": "audio_speech", "video": "video_generation", "rerank": "rerank"}
UNREAD = frozenset({"input_audio_cache", "discount"})




def parse(payload: bytes | str) -> ParseResult:
    data = exact_json.loads(payload, "openrouter")
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        items = data["data"]
    elif isinstance(data, list):
        items = data
    else:
        got = "an object without a 'data' list" if isinstance(data, dict) else \
            type(data).__name__
        raise ParseError(f"openrouter: expected {{\"data\": [...]}}, got {got}")
    skipped: list[Skipped] = []
    candidates: list[Candidate] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            skipped.append(Skipped(f"#{index}", "entry is not an object"))
            continue
        candidate = _candidate(index, item, skipped)
        if candidate is not None:
            candidates.append(candidate)
    names = _provider_names(candidates)
    return ParseResult(models=fold(candidates, skipped), skipped=skipped, provider_names=names)


def _provider_names(candidates: list[Candidate]) -> dict[str, str]:
    """Display names come as "OpenAI: GPT-4o". The label most models of a provider
    carry names the provider; it is removed from those model names."""
    votes: dict[str, Counter[str]] = {}
    for candidate in candidates:
        label, sep, rest = (candidate.record.name or "").partition(": ")
        if sep and label.strip() and rest.strip():
            votes.setdefault(candidate.record.provider, Counter())[label.strip()] += 1
    names = {provider: counter.most_common(1)[0][0] for provider, counter in votes.items()}
    for candidate in candidates:
        record = candidate.record
        prefix = f"{names.get(record.provider)}: "
        if record.name and record.name.startswith(prefix) and record.name[len(prefix):].strip():
            record.name = record.name[len(prefix):].strip()
    return names


def _candidate(index: int, item: dict[str, Any], skipped: list[Skipped]) -> Candidate | None:
    key = item.get("id")
    if not isinstance(key, str) or "/" not in key.strip("/~ "):
        skipped.append(Skipped(str(key) if isinstance(key, str) else f"#{index}",
                               "no usable id (expected provider/model)"))
        return None
    key = key.strip()
    target, tier, rank = _target(key, item)
    provider, _, model = target.partition("/")
    if not provider or not model:
        skipped.append(Skipped(key, "no usable id (expected provider/model)"))
        return None
    provider = PROVIDER_SLUGS.get(provider, provider)
    arch = item.get("architecture") if isinstance(item.get("architecture"), dict) else {}
    top = item.get("top_provider") if isinstance(item.get("top_provider"), dict) else {}
    outputs = _modalities(arch.get("output_modalities"))
    record = ModelRecord(
        key=key, canonical_id=f"{provider}/{model}", provider=provider,
        name=_text(item.get("name")),
        mode=_mode(outputs), context_window=to_int(item.get("context_length")),
        max_output=to_int(top.get("max_completion_tokens")),
        input_modalities=_modalities(arch.get("input_modalities")), output_modalities=outputs,
        release_date=_timestamp(item.get("created")),
        deprecation_date=_date(item.get("expiration_date")),
        capabilities=_capabilities(item.get("supported_parameters")),
        prices=_prices(key, item.get("pricing"), outputs, tier, skipped),
    )
    return Candidate(record, rank)


def _target(key: str, item: dict[str, Any]) -> tuple[str, str | None, int]:
    """(canonical id, service tier, fold rank) of an OpenRouter id."""
    lowered = key.lower()
    if lowered.startswith("~"):
        alias = item.get("alias_target")
        slug = alias.get("slug") if isinstance(alias, dict) else None
        target = slug.strip().lower() if isinstance(slug, str) and "/" in slug else lowered
        return target.lstrip("~"), None, 2
    if lowered.endswith(":batch"):
        return lowered[: -len(":batch")], "batch", 1
    return lowered, None, 0


def _prices(key: str, pricing: Any, outputs: tuple[str, ...] | None, tier: str | None,
            skipped: list[Skipped]) -> list[PriceRecord]:
    if pricing is None:
        return []
    if not isinstance(pricing, dict):
        skipped.append(Skipped(key, "pricing is not an object"))
        return []
    unread = set()
    if outputs and "text" not in outputs and _zero(pricing.get("completion")):
        unread.add("completion")                  # no text out: "0" is not a price
    if outputs and set(outputs) <= NON_TOKEN_OUTPUTS and _zero(pricing.get("completion")):
        unread.add("prompt")
        if not _zero(pricing.get("prompt")) and not _variable(pricing.get("prompt")):
            skipped.append(Skipped(key, (
                f"prompt {pricing.get('prompt')}: per-unit price of a "
                f"{'/'.join(outputs)} model in the per-token field (unit not stated)")))
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
            if _variable(value):
                skipped.append(Skipped(key, f"variable price (-1) for {field}"))
                continue
            try:
                amount = scaled_price(value, factor)
            except BadValue as exc:
                skipped.append(Skipped(key, f"{field}: {exc}"))
                continue
            if amount is not None:
                price = PriceRecord(meter, unit, amount, conditions)
                found.setdefault(price.key, price)
    return list(found.values())


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


def _capabilities(parameters: Any) -> dict[str, bool]:
    # Only presence says something: a parameter missing from the list does not
    # prove the model lacks the capability, so nothing is ever set to False.
    if not isinstance(parameters, list):
        return {}
    return {PARAMETERS[p]: True for p in parameters if isinstance(p, str) and p in PARAMETERS}


def _mode(outputs: tuple[str, ...] | None) -> str | None:
    if not outputs:
        return None
    if "image" in outputs:                # also text+image models: an image model first
        return "image_generation"
    if "text" in outputs:
        return "chat"
    return next((MODES[o] for o in outputs if o in MODES), None)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _modalities(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(v.strip().lower() for v in value if v.strip()) or None


def _timestamp(value: Any) -> dt.date | None:
    seconds = to_int(value)
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


SOURCE = HttpSource(
    name="openrouter", title="OpenRouter model listing",
    default_url="https://openrouter.ai/api/v1/models?output_modalities=all",
    default_interval_hours=1.0, parser=parse)
