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

Prices, units and their quirks: scrapers.openrouter.prices.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from scrapers import exact_json, ids
from scrapers.base import (
    HttpSource,
    ModelRecord,
    ParseError,
    ParseResult,
    Skipped,
)
from scrapers.folding import Candidate, fold
from scrapers.openrouter.prices import prices
from scrapers.values import date_or_none, to_int

PARAMETERS = {
    "tools": "function_calling", "tool_choice": "tool_choice",
    "structured_outputs": "json_schema", "response_format": "json_schema",
    "reasoning": "reasoning", "include_reasoning": "reasoning",
    "web_search_options": "web_search",
}
PROVIDER_SLUGS = ids.OPENROUTER_LABS
MODES = {"embeddings": "embedding", "transcription": "audio_transcription",
         "speech": "audio_speech", "video": "video_generation", "rerank": "rerank"}




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
    arch = given if isinstance(given := item.get("architecture"), dict) else {}
    top = given if isinstance(given := item.get("top_provider"), dict) else {}
    outputs = _modalities(arch.get("output_modalities"))
    record = ModelRecord(
        key=key, canonical_id=f"{provider}/{model}", provider=provider,
        name=_text(item.get("name")),
        mode=_mode(outputs), context_window=to_int(item.get("context_length")),
        max_output=to_int(top.get("max_completion_tokens")),
        input_modalities=_modalities(arch.get("input_modalities")), output_modalities=outputs,
        release_date=date_or_none(item.get("created"), epoch=True),
        deprecation_date=date_or_none(item.get("expiration_date")),
        capabilities=_capabilities(item.get("supported_parameters")),
        prices=prices(key, item.get("pricing"), outputs, tier, skipped),
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


SOURCE = HttpSource(
    name="openrouter", title="OpenRouter model listing",
    default_url="https://openrouter.ai/api/v1/models?output_modalities=all",
    default_interval_hours=1.0, parser=parse)
