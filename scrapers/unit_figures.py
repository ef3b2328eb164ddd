"""Per-unit price fields (per image, per request) that hold a per-token figure.

Sources sometimes copy a per-token rate into a per-unit field: OpenRouter gives
Gemini models `image` = `prompt` (0.00000125: images are billed as input tokens
at the text rate), LiteLLM gives `xai/grok-2-vision` `input_cost_per_image` =
`input_cost_per_token`, `voyage/rerank-2` `input_cost_per_query` =
`input_cost_per_token`, and the realtime models `input_cost_per_image` 5e-06
(OpenAI's $5 per 1M image tokens). Read as written, those publish "$0.00000125
per image".

The rule, from the snapshots: a per-unit value is a per-token figure when it
equals one of the same entry's per-token prices, or when it is below FLOOR. The
cheapest real per-unit price in every snapshot is $0.00002 per image (Gemini 1.5
Flash, 2024); the per-token figures found in per-unit fields are all at most
$0.000005. A price per image *generated* has a floor of its own, IMAGE_FLOOR: the
cheapest real one in every snapshot is $0.002 (Stability's fast edit), while figures of
$0.00012 and $0.000263 sit in Gemini chat models' `output_cost_per_image` — Gemini's
$120 per 1M output image tokens, written per token. Such a figure is filed under the
token meter it names (input image tokens, output image tokens) or, where no token
meter fits (a request), dropped with a reason the sync counts.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from scrapers.vocabulary import IMAGE_MODES

FLOOR = Decimal("0.00001")
IMAGE_FLOOR = Decimal("0.001")          # per image generated (meter "image")
PER_UNIT = frozenset({"image", "1k_requests"})      # units a token figure must not take
# per-unit meter -> the token meter the same figure means, None = nothing fits
TOKEN_METERS: dict[str, str | None] = {
    "input_image_unit": "input_image",       # a price per input image
    "image": "output_image",                  # a price per image generated
    "request": None,
}


def is_token_figure(per_unit: Decimal, per_token: Iterable[Decimal],
                    meter: str | None = None) -> bool:
    """per_unit: USD per unit as the source wrote it; per_token: the same entry's
    prices in USD per token (as written, not per 1M); meter: the per-unit meter."""
    if per_unit <= 0:
        return False
    floor = IMAGE_FLOOR if meter == "image" else FLOOR
    return per_unit < floor or per_unit in {p for p in per_token if p > 0}


def reason(field: str, value: Decimal, meter: str | None) -> str:
    where = f"filed as {meter} per 1M tokens" if meter else "no token meter fits it"
    return f"{field} {value}: a per-token figure in a per-unit field ({where})"


# An image model's "per token" price below this (per 1M tokens) is a price per denoising
# step written as a token rate: LiteLLM gives Fireworks' SDXL and FLUX models 1.3e-10 to
# 5e-10 per token, their prices per step. The cheapest real token price in every snapshot
# is $0.002 per 1M (a cache read); these are $0.00013 to $0.0005.
STEP_FIGURE = Decimal("0.01")


def is_step_figure(per_million: Decimal, unit: str, mode: str | None) -> bool:
    return unit == "1M_tokens" and mode in IMAGE_MODES and 0 < per_million < STEP_FIGURE


def step_reason(field: str, per_million: Decimal) -> str:
    return (f"{field}: {per_million} per 1M tokens is a per-step price written per token "
            "(no per-step unit: dropped)")
