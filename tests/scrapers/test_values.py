"""scrapers.values.to_date: the one reader of upstream dates, for every source."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scrapers.values import BadValue, date_or_none, to_date


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-06-17", dt.date(2025, 6, 17)),                 # LiteLLM, OpenRouter, genai-prices
    (" 2025-06-17 ", dt.date(2025, 6, 17)),
    ("2025-06", dt.date(2025, 6, 1)),                     # models.dev: the first of the month
    ("2025-06-17T10:00:00Z", dt.date(2025, 6, 17)),       # a time after it: the date as written
    ("2025-06-17T23:30:00-05:00", dt.date(2025, 6, 17)),
    ("2025-06-17 10:00", dt.date(2025, 6, 17)),
    (None, None),                                         # absent, not garbage
])
def test_iso_text_is_a_date(value: object, expected: dt.date | None) -> None:
    assert to_date(value) == expected


@pytest.mark.parametrize("value", [
    "soon", "", "yesterday", "2025-02-30", "2025-13", "2025-06-17garbage", "2025-06-17T99:00",
    "date when the model becomes deprecated in the format YYYY-MM-DD", "17/06/2025",
    True, 1700000000, Decimal(1700000000), ["2025-06-17"], {"date": "2025-06-17"},
])
def test_garbage_is_refused_with_its_value(value: object) -> None:
    with pytest.raises(BadValue, match="date|timestamp"):
        to_date(value)


def test_epoch_seconds_only_when_asked() -> None:
    """OpenRouter's `created` is Unix seconds; read as a UTC date."""
    assert to_date(1700000000, epoch=True) == dt.date(2023, 11, 14)
    assert to_date(Decimal(1715558400), epoch=True) == dt.date(2024, 5, 13)
    assert to_date("1700000000", epoch=True) == dt.date(2023, 11, 14)
    assert to_date("2025-06-17", epoch=True) == dt.date(2025, 6, 17)     # text stays text
    for bad in (0, -5, Decimal("1.5"), True, "yesterday", 10**20):
        with pytest.raises(BadValue):
            to_date(bad, epoch=True)


def test_date_or_none_reads_garbage_as_unknown() -> None:
    assert date_or_none("soon") is None and date_or_none(None) is None
    assert date_or_none("2026-12-31") == dt.date(2026, 12, 31)
    assert date_or_none("yesterday", epoch=True) is None
