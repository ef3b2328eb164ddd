"""models.dev `cost` objects as PriceRecords (USD per 1M tokens, unit "1M_tokens").

  input -> input            cache_read  -> cache_read       reasoning    -> reasoning
  output -> output (*)      cache_write -> cache_write_5m   input_audio  -> input_audio
                                                            output_audio -> output_audio
Context tiers: `tiers = [{tier = {type = "context", size = N}, input = ...}]`
(the repository writes `tier = { size = 200_000 }`) and the older
`context_over_200k = {...}` both become Conditions(context_above=N); when both
describe the same threshold, `tiers` wins.
Service tiers: `experimental.modes.<name>` whose request body sets
`service_tier` to flex / priority / batch becomes Conditions(service_tier=...).
Other modes (Anthropic's `speed = "fast"`) have no place in the project's
service-tier vocabulary and are left out. `per_minute` (audio) is left out too.

(*) models.dev quirk: for image-generation models `output` is the price of
IMAGE output tokens, not text: gemini-2.5-flash-image $30 (Google's text
output is $2.50), gemini-3-pro-image-preview $120 (text $12), gpt-image-2
$30 (OpenAI: text output $10, image output $30). Those models answer with an
image and at most a caption, so the one `output` figure models.dev keeps is
the image-token price even when text is listed among the outputs
(gemini-2.5-flash-image): we store it as meter `output_image` so it is never
compared with, or shown as, a text output price. Likewise for text-to-speech
models (output modality audio only) `output` is the audio-token price and is
stored as `output_audio` unless an explicit `output_audio` is given.
Embedding models list `output = 0`: they produce no output tokens, so that
zero is not stored as a price.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from scrapers.base import Conditions, PriceRecord, Skipped
from scrapers.values import BadValue, scaled, to_int

UNIT = "1M_tokens"
METERS = {
    "input": "input",
    "output": "output",
    "cache_read": "cache_read",
    "cache_write": "cache_write_5m",
    "reasoning": "reasoning",
    "input_audio": "input_audio",
    "output_audio": "output_audio",
}
LEGACY_TIER = 200_000          # context_over_200k
SERVICE_TIERS = ("flex", "priority", "batch")
ONE = Decimal(1)


def cost_prices(cost: Any, entry: dict[str, Any], mode: str | None, key: str,
                skipped: list[Skipped], region: str | None = None) -> list[PriceRecord]:
    found: dict[tuple[str, Conditions], PriceRecord] = {}
    if not isinstance(cost, dict):
        skipped.append(Skipped(key, f"cost is {type(cost).__name__}, not an object"))
        return []
    meters = _meters(cost, mode)
    plain = Conditions(region=region)
    _priced(cost, "cost", plain, meters, mode, key, skipped, found)
    _tiers(cost, "cost", plain, meters, mode, key, skipped, found)
    for mode_name, service_tier, mode_cost in _service_modes(entry):
        where = f"experimental.modes.{mode_name}.cost"
        base = replace(plain, service_tier=service_tier)
        if not isinstance(mode_cost, dict):
            skipped.append(Skipped(key, f"{where} is not an object"))
            continue
        _priced(mode_cost, where, base, meters, mode, key, skipped, found)
        _tiers(mode_cost, where, base, meters, mode, key, skipped, found)
    return list(found.values())


def _meters(cost: dict[str, Any], mode: str | None) -> dict[str, str]:
    meters = dict(METERS)
    if mode == "image_generation":
        meters["output"] = "output_image"        # see the module docstring
    elif mode == "audio_speech" and cost.get("output_audio") is None:
        meters["output"] = "output_audio"
    return meters


def _priced(prices: dict[str, Any], where: str, conditions: Conditions,
            meters: dict[str, str], mode: str | None, key: str, skipped: list[Skipped],
            found: dict[tuple[str, Conditions], PriceRecord]) -> None:
    for field, meter in meters.items():
        if field not in prices:
            continue
        try:
            amount = checked(prices[field], ONE)
        except BadValue as exc:
            skipped.append(Skipped(key, f"{where}.{field}: {exc}"))
            continue
        if amount is None:
            continue
        if mode == "embedding" and field == "output" and amount == 0:
            continue                              # no output tokens to price
        found.setdefault((meter, conditions), PriceRecord(meter, UNIT, amount, conditions))


def _tiers(cost: dict[str, Any], where: str, base: Conditions, meters: dict[str, str],
           mode: str | None, key: str, skipped: list[Skipped],
           found: dict[tuple[str, Conditions], PriceRecord]) -> None:
    tiers = cost.get("tiers")
    if tiers is not None and not isinstance(tiers, list):
        skipped.append(Skipped(key, f"{where}.tiers is not a list"))
        tiers = []
    for i, tier in enumerate(tiers or []):
        spec = tier.get("tier") if isinstance(tier, dict) else None
        size = to_int(spec.get("size")) if isinstance(spec, dict) else None
        kind = spec.get("type", "context") if isinstance(spec, dict) else None
        if size is None or kind != "context":
            skipped.append(Skipped(key, f"{where}.tiers[{i}]: not a context tier "
                                   f"with a positive size: {spec!r}"))
            continue
        conditions = replace(base, context_above=size)
        _priced(tier, f"{where}.tiers[{i}]", conditions, meters, mode, key, skipped, found)
    legacy = cost.get("context_over_200k")
    if isinstance(legacy, dict):
        conditions = replace(base, context_above=LEGACY_TIER)
        _priced(legacy, f"{where}.context_over_200k", conditions, meters, mode, key,
                skipped, found)
    elif legacy is not None:
        skipped.append(Skipped(key, f"{where}.context_over_200k is not an object"))


def _service_modes(entry: dict[str, Any]) -> list[tuple[str, str, Any]]:
    experimental = entry.get("experimental")
    modes = experimental.get("modes") if isinstance(experimental, dict) else None
    if not isinstance(modes, dict):
        return []
    found = []
    for name, mode in modes.items():
        if not isinstance(mode, dict) or "cost" not in mode:
            continue
        provider = mode.get("provider")
        body = provider.get("body") if isinstance(provider, dict) else None
        tier = body.get("service_tier") if isinstance(body, dict) else None
        if tier in SERVICE_TIERS:
            found.append((str(name), tier, mode["cost"]))
    return found


def checked(value: Any, factor: Decimal) -> Decimal | None:
    """scaled(), with magnitudes Decimal cannot even normalise (1e400) refused too."""
    try:
        return scaled(value, factor)
    except ArithmeticError:
        raise BadValue(f"absurd price {value}") from None
