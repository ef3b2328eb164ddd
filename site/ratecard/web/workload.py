"""An itemised cost of a workload at a set of prices: one line per meter with its rate,
quantity, amount and source. Exact Decimal only; nothing rounded, nothing through float.

Which price applies to a line:
- the shown value of the meter (the caller passes the rows in force and shown);
- the service tier asked for (batch, flex, priority); where a meter has no price at that
  tier the standard one is used, and a note says so;
- the context tier: prompt tokens per request (input + cache reads + cache writes, divided
  by `requests`) above a tier's start (">200k tokens") bill every token meter of those
  requests at that tier's rate, as the providers that publish tiers do;
- reasoning tokens at the reasoning rate, or where none is published at the output rate
  (providers bill them as output); a note says so;
- a rate nobody publishes is never zero: the line has no amount and the total is null.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

PER_MILLION = Decimal(1_000_000)
PER_THOUSAND = Decimal(1000)
# workload field -> the meter its quantity is billed on (token meters, per 1M tokens)
TOKEN_FIELDS = (
    ("input_tokens", "input"), ("cache_read_tokens", "cache_read"),
    ("cache_write_5m_tokens", "cache_write_5m"), ("cache_write_1h_tokens", "cache_write_1h"),
    ("output_tokens", "output"), ("reasoning_tokens", "reasoning"),
)
PROMPT_FIELDS = ("input_tokens", "cache_read_tokens", "cache_write_5m_tokens",
                 "cache_write_1h_tokens")


@dataclass(frozen=True)
class Rate:
    """One shown price in force: what a line can be billed at."""
    meter: str
    unit: str
    amount: Decimal
    source: str
    conditions: dict[str, object]


@dataclass(frozen=True)
class ImageOrder:
    count: int
    quality: str | None = None
    size: str | None = None


@dataclass(frozen=True)
class Workload:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    reasoning_tokens: int = 0
    images: tuple[ImageOrder, ...] = ()
    web_searches: int = 0
    requests: int = 1

    @property
    def prompt_per_request(self) -> Decimal:
        prompt = sum(getattr(self, name) for name in PROMPT_FIELDS)
        return Decimal(prompt) / Decimal(max(self.requests, 1))


@dataclass(frozen=True)
class Line:
    meter: str
    unit: str
    quantity: int
    rate: Decimal | None
    amount: Decimal | None
    source: str | None
    conditions: dict[str, object]


@dataclass
class Cost:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [line.meter for line in self.lines if line.amount is None]

    @property
    def total(self) -> Decimal | None:
        if self.missing:
            return None
        return sum((line.amount for line in self.lines if line.amount is not None), Decimal(0))


def _plain(rate: Rate) -> bool:
    """Not tied to an image option, a time of day or a region."""
    return not any(rate.conditions.get(k) for k in ("quality", "size", "time_window", "region"))


def _token_rate(rates: list[Rate], meter: str, tier: str | None, prompt: Decimal
                ) -> Rate | None:
    """The meter's per-1M-token rate at this service tier for this prompt size: the
    highest context tier whose start the prompt exceeds (the base rate starts at 0)."""
    found = [r for r in rates if r.meter == meter and r.unit == "1M_tokens" and _plain(r)
             and r.conditions.get("service_tier") == tier]
    fitting = [r for r in found if prompt > Decimal(_tier_start(r))
               or not r.conditions.get("context_above")]
    return max(fitting, key=_tier_start, default=None)


def _tier_start(rate: Rate) -> int:
    """Where the rate's context tier starts, in prompt tokens (0: the base rate)."""
    start = rate.conditions.get("context_above")      # an int column (Price.context_above)
    return start if isinstance(start, int) else 0


def _line(meter: str, unit: str, quantity: int, rate: Rate | None, per: Decimal) -> Line:
    if rate is None:
        return Line(meter, unit, quantity, None, None, None, {})
    return Line(meter, unit, quantity, rate.amount, Decimal(quantity) * rate.amount / per,
                rate.source, rate.conditions)


def price(rates: list[Rate], work: Workload, service_tier: str | None = None) -> Cost:
    """The itemised cost of `work` (`service_tier` None or "standard": the standard tier)."""
    tier = None if service_tier in (None, "standard") else service_tier
    cost = Cost()
    prompt = work.prompt_per_request
    for name, meter in TOKEN_FIELDS:
        quantity = getattr(work, name)
        if not quantity:
            continue
        billed = meter
        if meter == "reasoning" and not any(r.meter == "reasoning" for r in rates):
            billed = "output"
            cost.notes.append("No reasoning price is published: reasoning tokens are billed "
                              "at the output rate.")
        rate = _token_rate(rates, billed, tier, prompt)
        if rate is None and tier is not None:
            rate = _token_rate(rates, billed, None, prompt)
            if rate is not None:
                cost.notes.append(f"No {tier} price is published for {billed}: the standard "
                                  "rate is used.")
        line = _line(billed, "1M_tokens", quantity, rate, PER_MILLION)
        cost.lines.append(replace(line, meter=meter))   # reasoning billed as output
    for order in work.images:
        cost.lines.append(_line("image", "image", order.count, _image_rate(rates, order),
                                Decimal(1)))
    if work.web_searches:
        found = [r for r in rates if r.meter == "web_search" and r.unit == "1k_searches"
                 and _plain(r) and not r.conditions.get("service_tier")]
        cost.lines.append(_line("web_search", "1k_searches", work.web_searches,
                                found[0] if len(found) == 1 else None, PER_THOUSAND))
    per_request = [r for r in rates if r.meter == "request" and _plain(r)
                   and not r.conditions.get("service_tier")
                   and r.unit in ("1k_requests", "request")]
    if per_request and work.requests:
        rate = per_request[0]
        cost.lines.append(_line("request", rate.unit, work.requests, rate,
                                PER_THOUSAND if rate.unit == "1k_requests" else Decimal(1)))
    cost.notes = list(dict.fromkeys(cost.notes))
    return cost


def _image_rate(rates: list[Rate], order: ImageOrder) -> Rate | None:
    """The per-image price of this quality and size; with neither given, the only option."""
    options = [r for r in rates if r.meter == "image" and r.unit == "image"
               and not r.conditions.get("service_tier")]
    if order.quality is None and order.size is None and len(options) == 1:
        return options[0]
    for rate in options:
        if (rate.conditions.get("quality") == order.quality
                and rate.conditions.get("size") == order.size):
            return rate
    return None
