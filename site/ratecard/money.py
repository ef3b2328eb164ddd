"""Money as text, two ways and only two (Decimal in, never float):

- `exact_text`: the exact plain decimal, no exponent, no trailing zeros ("2.5", "0.0000001",
  "300"). What the API, the dump, the CSV and change events store and serialise; also the
  one text per value SQLite keeps (`db.Money`).
- `display`: what a page shows ("$2.50", "$0.0000125", "$1,234,567.891"): dollars, thousands
  separated, at least two decimals and never rounded away.

Imports nothing of the application, so models, records, charts, services and web all use it.
"""
from __future__ import annotations

from decimal import Decimal
from typing import overload

from scrapers.values import normalise

NOT_PUBLISHED = "not published"


@overload
def exact_text(amount: Decimal) -> str: ...
@overload
def exact_text(amount: None) -> None: ...
@overload
def exact_text(amount: Decimal | None) -> str | None: ...


def exact_text(amount: Decimal | None) -> str | None:
    """2.50 -> "2.5", 1E-7 -> "0.0000001", 3E+2 -> "300", 0.000 -> "0"; None stays None
    (an absent value serialises as null)."""
    if amount is None:
        return None
    if not isinstance(amount, Decimal):
        raise TypeError(f"exact_text() needs a Decimal, got {type(amount).__name__}")
    return format(normalise(amount), "f")


def display(amount: Decimal | None) -> str:
    """$2.50, $0.011, $0.0000125, $1,234.50: at least two decimals, never rounded away;
    no amount reads "not published"."""
    if amount is None:
        return NOT_PUBLISHED
    if not isinstance(amount, Decimal):
        raise TypeError(f"display() needs a Decimal, got {type(amount).__name__}")
    whole, _, frac = exact_text(abs(amount)).partition(".")
    sign = "-" if amount < 0 else ""
    return f"{sign}${int(whole):,}.{frac.ljust(2, '0')}"
