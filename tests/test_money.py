"""Money as text: the exact text stored and serialised, and the text a page shows."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ratecard.money import display, exact_text

EDGES = {
    # value: (exact_text, display)
    "0": ("0", "$0.00"),
    "0.000": ("0", "$0.00"),
    "1E-7": ("0.0000001", "$0.0000001"),
    "2.5": ("2.5", "$2.50"),
    "2.50": ("2.5", "$2.50"),
    "1234567.891": ("1234567.891", "$1,234,567.891"),
    "3E+2": ("300", "$300.00"),
    "0.0000125": ("0.0000125", "$0.0000125"),
    "14": ("14", "$14.00"),
}


@pytest.mark.parametrize("value", sorted(EDGES))
def test_both_texts_of_an_amount(value: str) -> None:
    exact, shown = EDGES[value]
    assert exact_text(Decimal(value)) == exact
    assert display(Decimal(value)) == shown


def test_no_amount() -> None:
    assert exact_text(None) is None          # serialised as null
    assert display(None) == "not published"


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        exact_text(2.5)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        display(2.5)  # type: ignore[arg-type]
