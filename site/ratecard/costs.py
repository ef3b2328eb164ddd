"""What a job costs: typical-conversation and calculator arithmetic, exact Decimal only.

Rates are per 1M tokens (token meters) or per image. A rate that no source publishes
is None, and a job that needs it has no total (the page says "not published"): a
missing price is never treated as zero. Rounding happens only for display (`rounded`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

PER_MILLION = Decimal(1_000_000)
HUNDRED = Decimal(100)
# One typical chat exchange: a short prompt with some context, and a reply.
TYPICAL_INPUT = 600
TYPICAL_OUTPUT = 200
TYPICAL_COUNT = 1000

ImageOption = tuple[str | None, str | None]          # (quality, size)


@dataclass(frozen=True)
class Rates:
    """The prices a cost needs, standard tier, base conditions. None = not published."""

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    output_image: Decimal | None = None               # per 1M image output tokens
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    batch_cache_read: Decimal | None = None
    images: dict[ImageOption, Decimal] = field(default_factory=dict)   # per image

    @property
    def has_tokens(self) -> bool:
        return self.input is not None or self.output is not None

    @property
    def has_batch(self) -> bool:
        return self.batch_input is not None or self.batch_output is not None


@dataclass(frozen=True)
class Job:
    tokens_in: int = TYPICAL_INPUT
    tokens_out: int = TYPICAL_OUTPUT
    cached_pct: Decimal = Decimal(0)                  # share of tokens_in read from cache, 0-100
    batch: bool = False
    images: int = 0
    image_option: ImageOption | None = None
    image_tokens: int = 0                             # image output tokens
    count: int = 1                                    # how many such jobs


@dataclass(frozen=True)
class Line:
    key: str                  # input, cached_input, output, image_tokens, images
    label: str
    quantity: Decimal
    rate: Decimal | None      # per 1M tokens or per image
    per: str                  # "1M_tokens" or "image"
    cost: Decimal | None      # None: the rate is not published


@dataclass(frozen=True)
class Estimate:
    lines: tuple[Line, ...]
    notes: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(line.label for line in self.lines if line.cost is None)

    @property
    def total(self) -> Decimal | None:
        """The exact sum, or None when any line lacks a published rate."""
        if self.missing:
            return None
        return sum((line.cost for line in self.lines if line.cost is not None), Decimal(0))


def _tokens(key: str, label: str, quantity: Decimal, rate: Decimal | None) -> Line:
    cost = None if rate is None else quantity * rate / PER_MILLION
    return Line(key, label, quantity, rate, "1M_tokens", cost)


def _pick(standard: Decimal | None, batch: Decimal | None, use_batch: bool, what: str,
          notes: list[str]) -> Decimal | None:
    if not use_batch:
        return standard
    if batch is None and standard is not None:
        notes.append(f"No batch price is published for {what}: the standard rate is used.")
        return standard
    return batch


def estimate(rates: Rates, job: Job) -> Estimate:
    """Line by line cost of `job.count` jobs; exact, no rounding."""
    notes: list[str] = []
    lines: list[Line] = []
    count = Decimal(job.count)
    tokens_in = Decimal(job.tokens_in) * count
    cached = tokens_in * job.cached_pct / HUNDRED
    fresh = tokens_in - cached
    input_rate = _pick(rates.input, rates.batch_input, job.batch, "input tokens", notes)
    if fresh:
        lines.append(_tokens("input", "Input tokens", fresh, input_rate))
    if cached:
        cache_rate = _pick(rates.cache_read, rates.batch_cache_read, job.batch,
                           "cached input", notes)
        if cache_rate is None and input_rate is not None:
            notes.append("No cache-read price is published: cached tokens are counted at "
                         "the input rate.")
            cache_rate = input_rate
        lines.append(_tokens("cached_input", "Cached input tokens", cached, cache_rate))
    if job.tokens_out:
        output_rate = _pick(rates.output, rates.batch_output, job.batch, "output tokens", notes)
        lines.append(_tokens("output", "Output tokens", Decimal(job.tokens_out) * count,
                             output_rate))
    if job.image_tokens:
        lines.append(_tokens("image_tokens", "Image output tokens",
                             Decimal(job.image_tokens) * count, rates.output_image))
        if job.batch:
            notes.append("Batch discounts on image tokens are not published: standard rate.")
    if job.images:
        option = job.image_option
        if option is None and len(rates.images) == 1:
            option = next(iter(rates.images))
        price = rates.images.get(option) if option is not None else None
        quantity = Decimal(job.images) * count
        lines.append(Line("images", "Images", quantity, price, "image",
                          None if price is None else quantity * price))
        if job.batch:
            notes.append("Batch discounts on per-image prices are not published: standard "
                         "rate.")
    return Estimate(tuple(lines), tuple(dict.fromkeys(notes)))


def conversation(rates: Rates, count: int = 1) -> Estimate:
    """`count` typical conversations: 600 input and 200 output tokens each."""
    return estimate(rates, Job(count=count))


def image_costs(rates: Rates, count: int = 1) -> list[tuple[ImageOption, Decimal]]:
    """The cost of `count` images at each published quality and size, cheapest first."""
    return sorted(((option, price * count) for option, price in rates.images.items()),
                  key=lambda pair: (pair[1], pair[0][0] or "", pair[0][1] or ""))


def rounded(amount: Decimal) -> Decimal:
    """For display: cents from $1 up, three significant digits below (never rounded to 0)."""
    if not amount:
        return Decimal(0)
    if abs(amount) >= 1:
        step = Decimal("0.01")
    else:
        step = Decimal(1).scaleb(amount.adjusted() - 2)
    return amount.quantize(step, rounding=ROUND_HALF_UP)
