"""What a probe call costs at our own current prices, and the most the next one can cost
(the spend cap is checked against that before a call is made). Exact Decimal only."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ratecard.probes.result import CallResult

PER_MILLION = Decimal(1_000_000)
PROMPT_TOKENS_BOUND = 200        # our fixed prompts are well under this
IMAGE_TOKENS_BOUND = 1_500       # a low-quality 1024x1024 image is a few hundred tokens


@dataclass(frozen=True)
class ProbeRates:
    input: Decimal | None = None          # per 1M tokens
    output: Decimal | None = None         # per 1M tokens
    output_image: Decimal | None = None   # per 1M image output tokens
    per_image: Decimal | None = None      # cheapest price per image

    def priced(self, kind: str) -> bool:
        if kind == "image":
            return self.per_image is not None or self.output_image is not None
        return self.input is not None and self.output is not None


def call_cost(result: CallResult, rates: ProbeRates, kind: str) -> Decimal | None:
    """The call's cost, or None when its usage or a needed price is unknown."""
    if kind == "image":
        if not result.images and result.output_tokens is None:
            return Decimal(0)                           # nothing was generated
        if result.images and rates.per_image is not None:
            return rates.per_image * result.images
        if result.output_tokens is not None and rates.output_image is not None:
            return (Decimal(result.input_tokens or 0) * (rates.input or Decimal(0))
                    + Decimal(result.output_tokens) * rates.output_image) / PER_MILLION
        return None
    if rates.input is None or rates.output is None:
        return None
    if result.input_tokens is None and result.output_tokens is None:
        return Decimal(0) if not result.ok else None    # nothing was generated
    return (Decimal(result.input_tokens or 0) * rates.input
            + Decimal(result.output_tokens or 0) * rates.output) / PER_MILLION


def worst_case(rates: ProbeRates, kind: str, max_tokens: int) -> Decimal | None:
    """The most one call can cost (None: it cannot be bounded, so it is not made)."""
    if kind == "image":
        if rates.per_image is not None:
            return rates.per_image
        if rates.output_image is None:
            return None
        return (PROMPT_TOKENS_BOUND * (rates.input or Decimal(0))
                + IMAGE_TOKENS_BOUND * rates.output_image) / PER_MILLION
    if rates.input is None or rates.output is None:
        return None
    return (PROMPT_TOKENS_BOUND * rates.input + max_tokens * rates.output) / PER_MILLION
