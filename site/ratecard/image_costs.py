"""What one image costs: published per-image prices, or, for models billed by the image
output token, the provider's published token count of an image times the model's image
output token price. Exact Decimal; pure (no database).

A computed figure is never stored as a price: sources publish prices, this module only
multiplies two published numbers, and every figure it makes says `computed=True`, so
pages can say so. The token counts are a small dated table (TOKEN_TABLES), cited on the
methodology page; a model outside the table gets no computed figure.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

PER_MILLION = Decimal(1_000_000)

Option = tuple[str | None, str | None]          # (quality, size); None = not a condition


@dataclass(frozen=True)
class TokenTable:
    """Image output tokens per (quality, size) that a provider publishes for some models."""

    models: tuple[str, ...]                     # model names, as family keys (see family)
    tokens: Mapping[Option, int]
    source: str                                 # who publishes the counts, and where
    url: str
    published: str                              # when the counts were published, in words
    checked: dt.date                            # when we last compared them with the source


# OpenAI's image generation guide ("Cost and latency"): output image tokens of gpt-image-1
# by quality and size. They reproduce OpenAI's own per-image prices at $40 per 1M image
# output tokens (272 x $40 / 1M = $0.01088, listed as $0.011). gpt-image-1-mini and
# gpt-image-1.5 publish per-image prices of their own, so they need no table.
GPT_IMAGE_1 = TokenTable(
    models=("gptimage1",),
    tokens={("low", "1024x1024"): 272, ("medium", "1024x1024"): 1056,
            ("high", "1024x1024"): 4160,
            ("low", "1024x1536"): 408, ("medium", "1024x1536"): 1584,
            ("high", "1024x1536"): 6240,
            ("low", "1536x1024"): 400, ("medium", "1536x1024"): 1568,
            ("high", "1536x1024"): 6208},
    source="OpenAI, image generation guide (cost and latency)",
    url="https://developers.openai.com/api/docs/guides/image-generation#cost-and-latency",
    published="April 2025, with gpt-image-1", checked=dt.date(2026, 12, 3))

# gpt-image-2 (2026-04-21): OpenAI's guide gives its costs through a calculator; at
# 1024x1024 it shows $0.006 / $0.053 / $0.211, which is 196 / 1,756 / 7,024 tokens at
# $30 per 1M image output tokens (the counts the API reports in usage for those sizes).
GPT_IMAGE_2 = TokenTable(
    models=("gptimage2",),
    tokens={("low", "1024x1024"): 196, ("medium", "1024x1024"): 1756,
            ("high", "1024x1024"): 7024,
            ("low", "1024x1536"): 158, ("medium", "1024x1536"): 1372,
            ("high", "1024x1536"): 5488,
            ("low", "1536x1024"): 158, ("medium", "1536x1024"): 1372,
            ("high", "1536x1024"): 5488,
            ("low", "2048x2048"): 397, ("medium", "2048x2048"): 3568,
            ("high", "2048x2048"): 14272},
    source="OpenAI, image generation guide (size and quality options, cost calculator)",
    url="https://developers.openai.com/api/docs/guides/image-generation",
    published="April 2026, with gpt-image-2", checked=dt.date(2026, 12, 3))

# Google's Gemini API pricing page: an output image of up to 1024x1024 is 1,290 tokens
# (gemini-2.5-flash-image, "$0.039 per image" at $30 per 1M image output tokens).
GEMINI_25_FLASH_IMAGE = TokenTable(
    models=("gemini25flashimage", "gemini25flashimagepreview"),
    tokens={(None, "1024x1024"): 1290},
    source="Google, Gemini API pricing", url="https://ai.google.dev/gemini-api/docs/pricing",
    published="August 2025, with gemini-2.5-flash-image", checked=dt.date(2026, 12, 3))

# Same page: 1K and 2K images are 1,120 tokens, 4K images 2,000 (gemini-3-pro-image,
# "$0.134" and "$0.24" per image at $120 per 1M image output tokens).
GEMINI_3_PRO_IMAGE = TokenTable(
    models=("gemini3proimage", "gemini3proimagepreview"),
    tokens={(None, "1024x1024"): 1120, (None, "2048x2048"): 1120, (None, "4096x4096"): 2000},
    source="Google, Gemini API pricing", url="https://ai.google.dev/gemini-api/docs/pricing",
    published="November 2025, with gemini-3-pro-image-preview", checked=dt.date(2026, 12, 3))

TOKEN_TABLES = (GPT_IMAGE_1, GPT_IMAGE_2, GEMINI_25_FLASH_IMAGE, GEMINI_3_PRO_IMAGE)

# "One standard image": a square 1024x1024 picture at the middle quality a model offers
# (medium; standard where there is no medium; the one price of a model without qualities).
STANDARD_SIZE = "1024x1024"
STANDARD_QUALITIES: tuple[str | None, ...] = ("medium", "standard", None, "auto")

_DATE = re.compile(r"[-@_](?:20\d\d-?\d\d-?\d\d|\d{4})$")
_SEPARATORS = re.compile(r"[^a-z0-9]")


def family(canonical_id: str) -> str:
    """The model part of an id without date or punctuation: openai/gpt-image-2-2026-04-21,
    azure/gpt-image-2 and openrouter/openai/gpt-image-2 are all `gptimage2`."""
    part = canonical_id.lower().split("/")[-1].split(":")[0]
    return _SEPARATORS.sub("", _DATE.sub("", part))


_BY_FAMILY = {name: table for table in TOKEN_TABLES for name in table.models}


def token_table(canonical_id: str) -> TokenTable | None:
    return _BY_FAMILY.get(family(canonical_id))


@dataclass(frozen=True)
class ImageCost:
    """The cost of one image at one quality and size."""

    quality: str | None
    size: str | None
    amount: Decimal
    computed: bool = False          # tokens x rate, not a price a source publishes
    tokens: int | None = None       # image output tokens (computed figures)
    rate: Decimal | None = None     # per 1M image output tokens (computed figures)

    @property
    def option(self) -> Option:
        return (self.quality, self.size)


def option_of(conditions_key: str) -> Option:
    """(quality, size) of a per-image price's conditions key ("quality=low;size=1024x1024")."""
    parts = dict(part.split("=", 1) for part in conditions_key.split(";") if "=" in part)
    return parts.get("quality"), parts.get("size")


def computed(canonical_id: str, output_image_rate: Decimal | None) -> list[ImageCost]:
    """One image at each quality and size of the model's token table, at this rate per 1M
    image output tokens; [] without a table or a rate."""
    table = token_table(canonical_id)
    if table is None or output_image_rate is None:
        return []
    return [ImageCost(quality, size, Decimal(tokens) * output_image_rate / PER_MILLION,
                      computed=True, tokens=tokens, rate=output_image_rate)
            for (quality, size), tokens in table.tokens.items()]


def image_costs(canonical_id: str, published: Mapping[Option, Decimal],
                output_image_rate: Decimal | None) -> list[ImageCost]:
    """Every option's cost of one image, cheapest first: the published per-image prices
    where a source publishes any, else the computed ones."""
    if published:
        found = [ImageCost(q, s, amount) for (q, s), amount in published.items()]
    else:
        found = computed(canonical_id, output_image_rate)
    return sorted(found, key=lambda c: (c.amount, c.quality or "", c.size or ""))


def _area(size: str | None) -> int:
    width, _, height = (size or "").partition("x")
    return int(width) * int(height) if width.isdigit() and height.isdigit() else 10**12


def standard(costs: list[ImageCost]) -> ImageCost | None:
    """The cost of one standard image (STANDARD_SIZE at the first of STANDARD_QUALITIES),
    or the nearest the model offers: any size when it prices none, else its smallest; at
    that size the first standard quality, else the cheapest."""
    if not costs:
        return None
    sizes = {c.size for c in costs}
    if STANDARD_SIZE in sizes:
        size = STANDARD_SIZE
    elif None in sizes:
        size = None
    else:
        size = min(sizes, key=lambda s: (_area(s), s or ""))
    at_size = [c for c in costs if c.size == size]
    for quality in STANDARD_QUALITIES:
        for cost in at_size:
            if cost.quality == quality:
                return cost
    return min(at_size, key=lambda c: c.amount)


def standard_cost(canonical_id: str, published: Mapping[Option, Decimal],
                  output_image_rate: Decimal | None) -> ImageCost | None:
    return standard(image_costs(canonical_id, published, output_image_rate))
