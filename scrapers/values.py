"""Turning upstream values into exact Decimal amounts and dates, or refusing them.

Every source goes through here so that garbage (null, strings that are not
numbers, negatives, NaN, absurd magnitudes, dates that are not dates) is refused
the same way: the entry is skipped and counted, never turned into $0.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)
# No real price is above this in its stored unit (USD per 1M tokens, per image,
# per 1k requests…); anything larger is a unit mistake upstream.
ABSURD = Decimal(1_000_000)


class BadValue(ValueError):
    pass


def loads(payload: bytes | str) -> Any:
    """json.loads with every non-integer number as Decimal (no float anywhere)."""
    return json.loads(payload, parse_float=Decimal, parse_int=Decimal,
                      parse_constant=_reject_constant)


def _reject_constant(name: str) -> Any:
    raise BadValue(f"non-finite number {name}")


def to_decimal(value: Any) -> Decimal | None:
    """An upstream number as Decimal; None when absent. Raises BadValue on garbage."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"boolean {value!r} where a price was expected")
    if isinstance(value, float):
        # Only reached when a caller parsed JSON without parse_float=Decimal;
        # repr() is the shortest round-trip text, so no binary noise leaks in.
        value = repr(value)
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise BadValue("empty string where a price was expected")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise BadValue(f"not a number: {value!r}") from None
    if not isinstance(value, Decimal):
        raise BadValue(f"{type(value).__name__} where a price was expected")
    if not value.is_finite():
        raise BadValue(f"non-finite price {value}")
    if value < 0:
        raise BadValue(f"negative price {value}")
    return value


def scaled(value: Any, factor: Decimal) -> Decimal | None:
    """to_decimal(value) * factor, normalised (2.5e-06 per token -> Decimal('2.5') per 1M)."""
    amount = to_decimal(value)
    if amount is None:
        return None
    result = amount * factor
    if result > ABSURD:   # checked first: normalising a huge value overflows the context
        raise BadValue(f"absurd price {result:.3g} after scaling")
    return normalise(result)


def normalise(amount: Decimal) -> Decimal:
    """Drop trailing zeros and exponent notation: 2.500000 -> 2.5, 1E+1 -> 10."""
    if amount == 0:
        return Decimal(0)
    amount = amount.normalize()
    sign, digits, exp = amount.as_tuple()
    if isinstance(exp, int) and exp > 0:
        amount = amount.quantize(Decimal(1))
    return amount


def to_int(value: Any) -> int | None:
    """A token count or limit; None for absent or garbage (limits are not money)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or number <= 0 or number != number.to_integral_value():
        return None
    return int(number)


# "2025-06-17", "2025-06" (the first of the month, as models.dev writes some dates), or a
# date with a time after it ("2025-06-17T10:00:00Z"), whose date is taken as written.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2})(?:[T ].+)?)?", re.ASCII)


def to_date(value: Any, *, epoch: bool = False) -> dt.date | None:
    """An upstream date; None when absent. Raises BadValue on garbage.

    Text is an ISO date (see _ISO_DATE). With epoch=True a number (or digits) is Unix
    seconds, read as a UTC date (OpenRouter's `created`); otherwise a number is garbage.
    """
    if value is None:
        return None
    if epoch and not isinstance(value, bool) and (
            not isinstance(value, str) or value.strip().isdigit()):
        seconds = to_int(value)
        if seconds is None:
            raise BadValue(f"not a timestamp: {value!r}")
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            raise BadValue(f"timestamp out of range: {value!r}") from None
    if not isinstance(value, str):
        raise BadValue(f"{type(value).__name__} where a date was expected")
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if not match:
        raise BadValue(f"not a date: {value!r}")
    year, month, day = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day or 1))
        if len(text) > 10:
            dt.datetime.fromisoformat(text)     # the time after the date must be one too
    except ValueError:
        raise BadValue(f"not a date: {value!r}") from None
    return date


def date_or_none(value: Any, *, epoch: bool = False) -> dt.date | None:
    """to_date with garbage read as unknown: for dates a source gets wrong harmlessly
    (LiteLLM's sample row says "date when the model becomes deprecated ...")."""
    try:
        return to_date(value, epoch=epoch)
    except BadValue:
        return None
