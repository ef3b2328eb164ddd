"""genai-prices (pydantic/genai-prices): curated prices with dated history.

Payload: prices/data.json, a list of providers {id, name, models: [{id, name,
context_window, prices, price_variants?}]}; both data_v1 and data_v2 shapes.
The installed `genai-prices` package carries the same data as Python objects;
scrapers.offline serialises it into this format for the offline catalog.

Provider id -> slug (the LiteLLM parser's slugs):
  aws, aws-bedrock, bedrock      -> bedrock
  google                         -> google  (Gemini API prices; the provider also
                                             matches Vertex URLs at those prices)
  google-vertex, vertex, vertex_ai -> vertex_ai
  x-ai, xai                      -> xai
  together                       -> together_ai
  fireworks                      -> fireworks_ai
  moonshotai -> moonshot, voyageai -> voyage, github-copilot -> github_copilot
  anything else (openai, anthropic, azure, deepseek, mistral, openrouter, groq,
  cohere, zai, zhipuai, huggingface_novita, ...) -> the id, lowercased.
Canonical id: "<slug>/<model id>" lowercased ("openrouter/anthropic/claude-sonnet-5");
the source key is "<provider id>/<model id>" as genai-prices spells it. Bedrock
ids lose their inference-profile prefix like the LiteLLM parser's
(scrapers.bedrock_geo): `global.anthropic.claude-sonnet-5-v1:0` is
bedrock/anthropic.claude-sonnet-5-v1:0 with Conditions(region="global"),
`regional.` (in-region / geographic price) the same model without a region;
ids that meet on one canonical id are folded (the others become aliases).
The `openrouter` provider's `<lab>/<model>` entries copy OpenRouter's own listing:
they name the lab's model and add only an alias (scrapers.ids rule 2); ids spelling
one version two ways are one model (rule 1).

`prices` is one price set (effective_from None) or a list of
{"constraint": ..., "prices": ...}, where the last active entry wins:
- no constraint: the base price, effective_from None (it applies until the
  first start_date);
- {"start_date"}: effective_from = that date; future dates are emitted as they
  are (the sync ignores records that start after its run date);
- {"start_time", "end_time"} (UTC): Conditions(time_window="HH:MM-HH:MM").
  Window entries come last so they win inside their window (DeepSeek: the
  window 00:30-16:30 is the standard price); every other entry then applies
  only OUTSIDE the windows and gets the complementary window(s) ("16:30-00:30")
  so it is never mistaken for an all-day price.
A dated entry that drops a context tier re-states it at its flat price
(genai_prices.prices.carry_tiers). A price a later entry drops altogether
(e.g. web search) cannot be ended by a record; it stays with its old date.
`price_variants` [{"when": {...}, "prices": ..., "constraint"?}] are partial
overrides: processing=batch and service_tier=flex/priority become
Conditions(service_tier=...), route ".../eu"|"/us"|"/global" becomes
Conditions(region=...), a start_date constraint is their effective_from. Other
variants (speed/service_tier "fast", search_type, service_tier "default") have
no place in the vocabulary and are left out. Mode and capabilities are not
published by genai-prices (a cache_read price implies prompt_caching).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from scrapers import bedrock_geo, exact_json, ids
from scrapers.base import (
    Conditions,
    HttpSource,
    ModelRecord,
    ParseError,
    ParseResult,
    PriceRecord,
    Skipped,
)
from scrapers.genai_prices.prices import (
    PriceSet,
    carry_tiers,
    complement,
    parse_window,
    price_set,
    window_text,
)
from scrapers.values import date_or_none, to_int

PROVIDER_SLUGS = {
    "aws": "bedrock", "aws-bedrock": "bedrock", "bedrock": "bedrock",
    "google-vertex": "vertex_ai", "vertex": "vertex_ai", "vertex_ai": "vertex_ai",
    "x-ai": "xai", "together": "together_ai", "fireworks": "fireworks_ai",
    "moonshotai": "moonshot", "voyageai": "voyage", "github-copilot": "github_copilot",
}
VARIANT_TIERS = {("processing", "batch"): "batch", ("service_tier", "flex"): "flex",
                 ("service_tier", "priority"): "priority", ("processing", "flex"): "flex",
                 ("processing", "priority"): "priority"}
REGIONS = ("eu", "us", "global")
IMAGE_OUTPUT_MODELS = re.compile(r"(^|/)(gpt-image-|dall-e)", re.IGNORECASE)
RecordKey = tuple[str, str, Conditions, dt.date | None]


def provider_slug(provider_id: str) -> str:
    slug = provider_id.strip().lower()
    return PROVIDER_SLUGS.get(slug, slug)



def parse(payload: bytes) -> ParseResult:
    document = exact_json.loads(payload, "genai-prices")
    if not isinstance(document, list):
        raise ParseError(f"genai-prices: expected a list of providers, got "
                         f"{type(document).__name__}")
    result = ParseResult(models=[])
    groups: dict[str, list[tuple[int, ModelRecord]]] = {}
    for index, provider in enumerate(document):
        pid = provider.get("id") if isinstance(provider, dict) else None
        if not isinstance(pid, str) or not pid.strip() or not isinstance(
                provider.get("models"), list):
            result.skipped.append(Skipped(f"providers[{index}]", "not a provider object "
                                          "with an id and a models list"))
            continue
        slug = provider_slug(pid)
        if isinstance(provider.get("name"), str) and provider["name"].strip():
            result.provider_names.setdefault(slug, provider["name"].strip())
        for position, model in enumerate(provider["models"]):
            mid = model.get("id") if isinstance(model, dict) else None
            if not isinstance(mid, str) or not mid.strip():
                result.skipped.append(Skipped(f"{pid}/models[{position}]",
                                              "not a model object with an id"))
                continue
            name, region = bedrock_geo.split(mid.strip()) if slug == "bedrock" else (
                mid.strip(), None)
            record = _model(f"{pid}/{mid}", slug, name, region, model, result.skipped)
            rank = 0 if region is None else 1      # the plain (in-region) id leads
            lab_id = ids.reseller_copy(slug, name.lower())
            if lab_id is not None:                 # scrapers.ids rule 2: an alias only
                record.canonical_id, record.provider = lab_id, lab_id.split("/")[0]
                record.prices, rank = [], ids.COPY_RANK
                record.capabilities.pop("prompt_caching", None)
            groups.setdefault(record.canonical_id, []).append((rank, record))
    # One model's version spelled two ways (scrapers.ids rule 1) is one model.
    ranked = [(cid, rank) for cid, group in groups.items() for rank, _ in group]
    for old, kept in ids.respell(ranked).items():
        for rank, record in groups.pop(old):
            record.canonical_id = kept
            groups.setdefault(kept, []).append((rank, record))
    result.models = [_fold(group, result.skipped) for group in groups.values()]
    return result


def _fold(group: list[tuple[int, ModelRecord]], skipped: list[Skipped]) -> ModelRecord:
    """Ids that name one model (bedrock `global.` beside `regional.`) become one record.

    The preferred id leads (its key, name); the others' prices join it and
    their keys become aliases. The same price key with another amount is
    reported and the leading amount kept.
    """
    records = [record for _, record in sorted(group, key=lambda item: item[0])]
    merged = records[0]
    held = {(p.key, p.effective_from): p for p in merged.prices}
    for other in records[1:]:
        merged.aliases.append(other.key)
        merged.name = merged.name or other.name
        merged.context_window = merged.context_window or other.context_window
        for price in other.prices:
            kept = held.setdefault((price.key, price.effective_from), price)
            if kept is price:
                merged.prices.append(price)
            elif kept.amount != price.amount:
                skipped.append(Skipped(other.key, f"duplicate of {merged.canonical_id} with "
                                       f"{price.meter} {price.amount} (kept {kept.amount})"))
        for capability, value in other.capabilities.items():
            merged.capabilities.setdefault(capability, value)
    return merged


def _model(key: str, slug: str, model_id: str, region: str | None, model: dict[str, Any],
           skipped: list[Skipped]) -> ModelRecord:
    name = model.get("name")
    records: dict[RecordKey, PriceRecord] = {}
    _conditional(model.get("prices"), key, region, skipped, records)
    _variants(model.get("price_variants"), key, region, skipped, records)
    prices = list(records.values())
    if IMAGE_OUTPUT_MODELS.search(model_id) and all(p.meter != "output_image" for p in prices):
        prices = [PriceRecord("output_image", p.unit, p.amount, p.conditions, p.effective_from)
                  if p.meter == "output" else p for p in prices]   # see the quirk above
    record = ModelRecord(
        key=key,
        canonical_id=f"{slug}/{model_id}".lower(),
        provider=slug,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        context_window=to_int(model.get("context_window")),
        prices=prices,
    )
    if any(p.meter == "cache_read" for p in record.prices):
        record.capabilities["prompt_caching"] = True
    return record


def _conditional(prices: Any, key: str, region: str | None, skipped: list[Skipped],
                 records: dict[RecordKey, PriceRecord]) -> None:
    entries = prices if isinstance(prices, list) else [{"prices": prices}]
    if prices is None:
        skipped.append(Skipped(key, "no prices"))
        return
    dated: list[tuple[dt.date | None, PriceSet]] = []
    windowed: list[tuple[tuple[int, int], PriceSet]] = []
    for i, entry in enumerate(entries):
        where = f"prices[{i}]" if isinstance(prices, list) else "prices"
        if not isinstance(entry, dict):
            skipped.append(Skipped(key, f"{where}: not an object"))
            continue
        constraint = entry.get("constraint")
        found = price_set(entry.get("prices"), where, key, skipped)
        if constraint is None:
            dated.append((None, found))
        elif isinstance(constraint, dict) and "start_date" in constraint:
            start = date_or_none(constraint["start_date"])
            if start is None:
                skipped.append(Skipped(key, f"{where}: bad start_date "
                                       f"{constraint['start_date']!r}"))
                continue
            dated.append((start, found))
        elif isinstance(constraint, dict) and (window := parse_window(constraint)):
            windowed.append((window, found))
        else:
            skipped.append(Skipped(key, f"{where}: unusable constraint {constraint!r}"))
    outside: list[str | None] = [None]
    if windowed:
        outside = [window_text(w) for w in complement([w for w, _ in windowed])]
    # Sorted by date, base first; a later entry with the same date wins (list order).
    dated.sort(key=lambda item: item[0] or dt.date.min)
    earlier: dict[tuple[str, str], set[int]] = {}
    for start, found in dated:
        carry_tiers(earlier, found)
        for meter_unit, levels in found.items():
            earlier.setdefault(meter_unit, set()).update(levels)
        for outside_window in outside:
            _emit(found, Conditions(time_window=outside_window, region=region), start, records,
                  replace=True)
    for window, found in windowed:
        _emit(found, Conditions(time_window=window_text(window), region=region), None, records,
              replace=True)


def _variants(variants: Any, key: str, region: str | None, skipped: list[Skipped],
              records: dict[RecordKey, PriceRecord]) -> None:
    if variants is None:
        return
    if not isinstance(variants, list):
        skipped.append(Skipped(key, "price_variants is not a list"))
        return
    for i, variant in enumerate(variants):
        where = f"price_variants[{i}]"
        if not isinstance(variant, dict) or not isinstance(variant.get("when"), dict):
            skipped.append(Skipped(key, f"{where}: not an object with a when object"))
            continue
        conditions = _variant_conditions(variant["when"], region)
        if conditions is None:
            continue            # a variant the vocabulary cannot express: left out
        constraint = variant.get("constraint")
        start = None
        if isinstance(constraint, dict) and "start_date" in constraint:
            start = date_or_none(constraint["start_date"])
            if start is None:
                skipped.append(Skipped(key, f"{where}: bad start_date"))
                continue
        elif isinstance(constraint, dict) and (window := parse_window(constraint)):
            conditions = Conditions(service_tier=conditions.service_tier,
                                    region=conditions.region, time_window=window_text(window))
        elif constraint is not None:
            skipped.append(Skipped(key, f"{where}: unusable constraint {constraint!r}"))
            continue
        found = price_set(variant.get("prices"), f"{where}.prices", key, skipped)
        # Variants resolve first to last: the first one that applies wins.
        _emit(found, conditions, start, records, replace=False)


def _variant_conditions(when: dict[str, Any], model_region: str | None) -> Conditions | None:
    tier = region = None
    for name, value in when.items():
        if (name, value) in VARIANT_TIERS and tier is None:
            tier = VARIANT_TIERS[(name, value)]
        elif name == "route" and isinstance(value, str) and \
                value.rsplit("/", 1)[-1].lower() in REGIONS and region is None:
            region = value.rsplit("/", 1)[-1].lower()
        else:
            return None
    if not tier and not region:
        return None
    return Conditions(service_tier=tier, region=region or model_region)


def _emit(found: PriceSet, base: Conditions, start: dt.date | None,
          records: dict[RecordKey, PriceRecord], *, replace: bool) -> None:
    for (meter, unit), levels in found.items():
        for threshold, amount in sorted(levels.items()):
            conditions = Conditions(context_above=threshold or None,
                                    service_tier=base.service_tier,
                                    time_window=base.time_window, region=base.region)
            record_key = (meter, unit, conditions, start)
            if replace or record_key not in records:
                records[record_key] = PriceRecord(meter, unit, amount, conditions, start)


SOURCE = HttpSource(
    name="genai_prices", title="genai-prices data",
    default_url="https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json",
    default_interval_hours=24.0, parser=parse)
