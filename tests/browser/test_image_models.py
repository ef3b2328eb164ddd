"""Image models in Chromium: the catalog's image mode sorts by the cost of one standard image
(a reader clicks the column heading, twice), gpt-image-2's computed figure among published
per-image prices, and the image columns fit a phone."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import PHONE, goto, horizontal_overflow

pytestmark = pytest.mark.browser


def _amount(text: str) -> Decimal | None:
    found = re.search(r"\$([\d,]+(?:\.\d+)?)", text)
    return Decimal(found.group(1).replace(",", "")) if found else None


def _column(page, heading: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The cell texts of a column of the catalog table, found by its heading."""
    heads = [h.strip() for h in page.locator("table.catalog thead th").all_inner_texts()]
    index = next(i for i, h in enumerate(heads) if h.startswith(heading))
    return page.locator(f"table.catalog tbody tr td:nth-child({index + 1})").all_inner_texts()


def _sort_by(page, heading: str) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.locator("table.catalog thead th a", has_text=heading).click()


def test_image_catalog_sorts_by_the_cost_of_one_standard_image(page) -> None:
    goto(page, "/models?mode=image_generation", charts=False)
    heads = page.locator("table.catalog thead th").all_inner_texts()
    assert [h.split()[0] for h in heads[3:7]] == ["Input", "Image", "Per", "Standard"]
    assert not any(h.startswith("Output") for h in heads)

    _sort_by(page, "Standard image")
    assert "sort=image" in page.url
    cells = _column(page, "Standard image")
    values = [_amount(c) for c in cells]
    priced = [v for v in values if v is not None]
    assert len(priced) >= 2 and values[:len(priced)] == priced
    assert priced == sorted(priced), "cheapest standard image first"
    assert page.locator("th[aria-sort=ascending]", has_text="Standard image").count() == 1

    rows = page.locator("table.catalog tbody tr", has_text="openai/gpt-image-2")
    if rows.count():        # on page 1 unless the catalog has 50 cheaper images
        cell = rows.first.locator("td[data-label='Standard image']")
        assert "computed" in cell.inner_text()
        badge = cell.locator(".badge.computed")
        assert "image output tokens" in (badge.get_attribute("title") or "")

    _sort_by(page, "Standard image")            # the same heading again: dearest first
    assert "order=desc" in page.url
    values = [_amount(c) for c in _column(page, "Standard image")]
    priced = [v for v in values if v is not None]
    assert priced == sorted(priced, reverse=True) and values[:len(priced)] == priced


def test_image_columns_sort_each_and_fit_a_phone(page, new_page) -> None:
    for heading in ("Per image", "Image tokens"):
        goto(page, "/models?mode=image_generation", charts=False)
        _sort_by(page, heading)
        values = [_amount(c) for c in _column(page, heading)]
        priced = [v for v in values if v is not None]
        assert priced == sorted(priced) and values[:len(priced)] == priced, heading
    phone = new_page(viewport=PHONE)       # (a phone's stacked rows hide the headings)
    goto(phone, "/models?mode=image_generation&sort=image", charts=False)
    assert horizontal_overflow(phone) <= 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_image_mode_has_no_serious_accessibility_violation(new_page, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_a11y import BLOCKING, describe

    page = new_page(color_scheme=scheme)
    goto(page, "/models?mode=image_generation&sort=image", charts=False)
    violations = Axe().run(page).response["violations"]
    blocking = [describe(v) for v in violations if v.get("impact") in BLOCKING]
    assert not blocking, "\n".join(blocking)
