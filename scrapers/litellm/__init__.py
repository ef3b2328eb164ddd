"""LiteLLM's model_prices_and_context_window.json -> normalised records.

One JSON object: key = LiteLLM's model key, value = its entry. How keys become
canonical ids (providers, routes, image quality/size prefixes, Bedrock and Azure
regions as the `region` condition) is in scrapers.litellm.ids; how fields become
meters, units and conditions is in scrapers.litellm.fields. Several keys that
name one model fold into one ModelRecord (scrapers.folding); the others are kept
in `aliases`, and a conflicting price among them is reported as Skipped.

Values: USD per token / pixel / image / second / character, as JSON numbers
(strings in some old entries). Token prices become per 1M tokens, exactly
(`2.5e-06` -> Decimal("2.5")). `null` means absent, never $0. Garbage in one
value (a non-number, negative, NaN, boolean, absurd) skips that value and is
reported; an entry that is not an object or has no litellm_provider is skipped.
`sample_spec`, `last_updated` and `fallback_generalizations` are not models.
`mode` is kept as LiteLLM writes it, lowercased (old files' "moderations" ->
"moderation").

context_window is `max_input_tokens` only, max_output `max_output_tokens` only:
the legacy `max_tokens` meant the context window in early 2024 files
(gpt-4-1106-preview: 128000) and the output limit later (4096), so it is not read.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapers import exact_json, unit_figures
from scrapers.base import (
    Conditions,
    HttpSource,
    ModelRecord,
    ParseError,
    ParseResult,
    PriceRecord,
    Skipped,
)
from scrapers.folding import Candidate, describe, fold, scaled_price
from scrapers.litellm.fields import (
    CAPABILITY_FLAGS,
    PREFERENCE,
    TOKEN_FIELDS_OF,
    NotApplicable,
    is_placeholder_zero,
    parse_field,
    search_price,
    spec_for,
    token_rates,
)
from scrapers.litellm.ids import KeyInfo, NotAModel, UnusableKey, canonical
from scrapers.values import MILLION, THOUSAND, BadValue, date_or_none, to_int

NOT_MODELS = frozenset({"sample_spec", "last_updated", "fallback_generalizations"})
MODE_ALIASES = {"moderations": "moderation"}
PROVIDER_NAMES = {
    "openai": "OpenAI", "anthropic": "Anthropic", "google": "Google",
    "vertex_ai": "Google Vertex AI",
    "bedrock": "Amazon Bedrock", "azure": "Azure OpenAI", "azure_ai": "Azure AI Foundry",
    "mistral": "Mistral AI", "deepseek": "DeepSeek", "xai": "xAI", "openrouter": "OpenRouter",
}




def parse(payload: bytes | str) -> ParseResult:
    if not exact_json.is_object(payload):
        data = exact_json.loads(payload, "litellm")      # to say what it is instead
        raise ParseError(f"litellm: expected a JSON object of model entries, "
                         f"got {type(data).__name__}")
    # Entry by entry: the Decimal tree of a 45,000-model payload is never built whole.
    # A key given twice counts once, its last entry (as json.loads would keep it).
    found: dict[str, tuple[Candidate | None, list[Skipped], bool]] = {}
    for key, entry in exact_json.iter_object(payload, "litellm"):
        if key in NOT_MODELS:
            continue
        notes: list[Skipped] = []
        candidate = None
        if isinstance(entry, dict):
            candidate = _candidate(key, entry, notes)
        else:
            notes.append(Skipped(key, f"entry is a {_kind(entry)}, not an object"))
        found[key] = (candidate, notes, isinstance(entry, dict))
    if found and not any(is_object for _, _, is_object in found.values()):
        raise ParseError("litellm: expected a JSON object of model entries, "
                         "found no entry that is an object")
    skipped = [note for _, notes, _ in found.values() for note in notes]
    candidates = [candidate for candidate, _, _ in found.values() if candidate is not None]
    del found
    models = fold(candidates, skipped)
    names = {m.provider: PROVIDER_NAMES[m.provider] for m in models
             if m.provider in PROVIDER_NAMES}
    return ParseResult(models=models, skipped=skipped, provider_names=names)


def _candidate(key: str, entry: dict[str, Any], skipped: list[Skipped]) -> Candidate | None:
    provider = entry.get("litellm_provider")
    if not isinstance(provider, str) or not provider.strip():
        skipped.append(Skipped(key, "entry has no litellm_provider"))
        return None
    mode = _mode(entry.get("mode"))
    try:
        info = canonical(key, provider, mode)
    except NotAModel:
        return None
    except UnusableKey as exc:
        skipped.append(Skipped(key, str(exc)))
        return None
    record = ModelRecord(
        key=key, canonical_id=info.canonical_id, provider=info.provider, mode=mode,
        context_window=to_int(entry.get("max_input_tokens")),
        max_output=to_int(entry.get("max_output_tokens")),
        input_modalities=_modalities(entry.get("supported_modalities")),
        output_modalities=_modalities(entry.get("supported_output_modalities")),
        deprecation_date=date_or_none(entry.get("deprecation_date")),
        capabilities=_capabilities(key, entry, skipped),
        prices=[] if info.copy else _prices(key, entry, mode, info, skipped),
    )
    return Candidate(record, info.rank)


def _prices(key: str, entry: dict[str, Any], mode: str | None, info: KeyInfo,
            skipped: list[Skipped]) -> list[PriceRecord]:
    found: dict[tuple, tuple[PriceRecord, str, int]] = {}

    def add(price: PriceRecord, field: str, preference: int) -> None:
        held = found.get(price.key)
        if held is None:
            found[price.key] = (price, field, preference)
        elif held[0].amount != price.amount:
            new = (price, field, preference)
            keep, drop = (held, new) if held[2] <= preference else (new, held)
            found[price.key] = keep
            skipped.append(Skipped(key, f"{drop[1]}: {drop[0].amount} conflicts with "
                                        f"{keep[1]} ({keep[0].amount}) for {describe(keep[0])}"))

    def read(field: str, value: Any, extra: Conditions, preference: int) -> None:
        parsed = parse_field(field)
        if parsed is None:
            return
        base, suffix = parsed
        try:
            spec = spec_for(base, entry, mode)
        except NotApplicable as exc:
            skipped.append(Skipped(key, f"{field}: {exc}"))
            return
        if spec is None:
            return
        meter, unit, factor = spec
        try:
            amount = scaled_price(value, factor)
        except BadValue as exc:
            skipped.append(Skipped(key, f"{field}: {exc}"))
            return
        if amount is not None and unit in unit_figures.PER_UNIT and \
                unit_figures.is_token_figure(amount / factor, token_rates(entry), meter):
            target = unit_figures.TOKEN_METERS[meter]
            if target is None or TOKEN_FIELDS_OF[target] in entry:
                skipped.append(Skipped(key, unit_figures.reason(field, amount / factor, None)))
                return
            meter, unit, factor = target, "1M_tokens", MILLION
            amount = scaled_price(value, factor)
        if amount is None or is_placeholder_zero(base, amount, entry, mode):
            return
        if unit_figures.is_step_figure(amount, unit, mode):
            skipped.append(Skipped(key, unit_figures.step_reason(field, amount)))
            return
        conditions = Conditions(
            quality=info.quality or suffix.quality, size=info.size,
            context_above=suffix.context_above or extra.context_above,
            service_tier=suffix.service_tier, region=info.region)
        add(PriceRecord(meter, unit, amount, conditions), field,
            max(preference, PREFERENCE.get(base, 0)))

    for field, value in entry.items():
        if value is None:
            continue                              # null = absent, not garbage
        if field == "search_context_cost_per_query":
            _search(key, value, info, add, skipped)
        elif field == "tiered_pricing":
            for tier_field, tier_value, start in _tiers(key, value, skipped):
                read(tier_field, tier_value, Conditions(context_above=start), 2)
        else:
            read(field, value, Conditions(), 0)
    return [price for price, _, _ in found.values()]


def _search(key: str, value: Any, info: KeyInfo, add: Any, skipped: list[Skipped]) -> None:
    field = "search_context_cost_per_query"
    try:
        amount = scaled_price(search_price(value), THOUSAND)
    except (TypeError, BadValue) as exc:
        skipped.append(Skipped(key, f"{field}: {exc}"))
        return
    if amount is not None:
        add(PriceRecord("web_search", "1k_searches", amount, Conditions(region=info.region)),
            field, 0)


def _tiers(key: str, value: Any, skipped: list[Skipped]
           ) -> Iterator[tuple[str, Any, int | None]]:
    """(field, value, context start or None) from LiteLLM's `tiered_pricing` list:
    `[{"input_cost_per_token": …, "range": [0, 256000]}, {…, "range": [256000, …]}]`.
    A tier starting at 0 is the base price (top-level fields win over it)."""
    if not isinstance(value, list):
        skipped.append(Skipped(key, f"tiered_pricing is a {_kind(value)}, not a list"))
        return
    for tier in value:
        if not isinstance(tier, dict) or "range" not in tier:
            continue                              # e.g. search tiers by max_results_range
        bounds = tier["range"]
        start = bounds[0] if isinstance(bounds, list) and bounds else None
        begin = 0 if start == 0 and not isinstance(start, bool) else to_int(start)
        if begin is None:
            skipped.append(Skipped(key, f"tiered_pricing: unusable range {bounds!r}"))
            continue
        for field, amount in tier.items():
            if field != "range" and amount is not None:
                yield field, amount, (begin or None)


def _capabilities(key: str, entry: dict[str, Any], skipped: list[Skipped]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for flag, capability in CAPABILITY_FLAGS.items():
        value = entry.get(flag)
        if value is None:
            continue
        if isinstance(value, bool):
            found[capability] = value
        else:
            skipped.append(Skipped(key, f"{flag}: not a boolean ({value!r})"))
    return found


def _mode(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    mode = value.strip().lower()
    return MODE_ALIASES.get(mode, mode)


def _modalities(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(v.strip().lower() for v in value if v.strip()) or None


def _kind(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


SOURCE = HttpSource(
    name="litellm", title="LiteLLM price map",
    default_url=("https://raw.githubusercontent.com/BerriAI/litellm/main/"
                 "model_prices_and_context_window.json"),
    default_interval_hours=6.0, parser=parse)
