"""Search and getting around in headless Chromium (issue 12, items 2 and 6): the header
search's first results, filters that apply as they change (and still submit without
JavaScript), copy-id buttons by keyboard, add to compare from the catalog and a profile,
compare's picker with a typed name, the footer's links."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS, goto, horizontal_overflow, shoot

pytestmark = pytest.mark.browser

# The queries and the first result a reader expects ("gemini pro": a Google
# Gemini Pro model, whichever is newest).
FIRST_RESULT = {
    "gpt-4o": "openai/gpt-4o",
    "gpt4o": "openai/gpt-4o",
    "claude sonnet 4.5": "anthropic/claude-sonnet-4-5",
    "gemini pro": re.compile(r"google/gemini-[\w.-]*pro[\w.-]*"),
}


def first_ids(page, n: int = 5) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.strip() for t in page.locator(
        "table.catalog tbody tr td:first-child code").all_inner_texts()[:n]]


@pytest.mark.parametrize("query", FIRST_RESULT)
def test_header_search_puts_the_expected_model_first(page, query: str) -> None:
    goto(page, "/changes", charts=False)
    box = page.locator("header form.header-search input[name=q]")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")
    assert "/models?q=" in page.url
    ids = first_ids(page)
    wanted = FIRST_RESULT[query]
    assert ids, f"no result for {query!r}"
    if isinstance(wanted, str):
        assert ids[0] == wanted, ids
    else:
        assert wanted.fullmatch(ids[0]), ids
    assert "Best matches first" in page.locator("p.catalog-order").inner_text()


def test_the_header_search_is_on_every_main_page(page) -> None:
    for path in ("/", "/models/openai/gpt-4o", "/providers", "/compare", "/api/"):
        goto(page, path, charts=False)
        assert page.locator("header form.header-search input[name=q]").is_visible(), path


def test_filters_apply_as_they_change(page) -> None:
    goto(page, "/models")
    page.evaluate("window.notReloaded = true")
    assert "Featured order" in page.locator("p.catalog-order").inner_text()
    page.select_option("form.catalog-filters select[name=provider]", "openai")
    page.wait_for_url(re.compile(r"provider=openai"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.catalog tbody tr td:nth-child(2)')]"
        ".every(td => td.innerText.trim() === 'OpenAI')")
    page.locator("form.catalog-filters input[name=q]").fill("gpt4o")
    page.wait_for_url(re.compile(r"q=gpt4o"))
    page.wait_for_function(
        "() => document.querySelector('table.catalog tbody tr td:first-child code')"
        "?.innerText.trim() === 'openai/gpt-4o'")
    assert "provider=openai" in page.url
    assert page.evaluate("window.notReloaded") is True      # no page load: the rows swapped
    status = page.locator("[data-autoapply-status]").inner_text()
    assert re.search(r"\d+ models?", status), status
    # The swapped rows work like the first ones.
    assert page.locator("table.catalog button.copy-id").first.is_visible()


def test_filters_are_a_form_with_a_button_without_javascript(new_page) -> None:
    page = new_page(java_script_enabled=False)
    goto(page, "/models", charts=False)
    assert page.locator("button.copy-id").first.is_hidden()   # it needs JavaScript
    page.select_option("form.catalog-filters select[name=provider]", "openai")
    page.wait_for_timeout(300)
    assert "provider=" not in page.url                        # nothing happens by itself
    with page.expect_navigation():
        page.locator("form.catalog-filters button[type=submit]").click()
    assert "provider=openai" in page.url
    assert page.locator("table.catalog tbody tr").count() > 0


def _copy_by_keyboard(page, button) -> None:  # type: ignore[no-untyped-def]
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("b => b.innerText.startsWith('Copied')", arg=button.element_handle())


def test_copy_id_by_keyboard_says_copied(new_page) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    goto(page, "/models/openai/gpt-4o")
    button = page.locator(".profile-actions button.copy-id")
    assert button.is_visible()
    _copy_by_keyboard(page, button)
    assert page.evaluate("navigator.clipboard.readText()") == "openai/gpt-4o"
    assert page.locator("#copy-status").inner_text() == "Copied openai/gpt-4o"
    assert page.evaluate("document.activeElement.dataset.copy") == "openai/gpt-4o"
    # A catalog row's button, with the space bar this time.
    goto(page, "/models?q=claude+sonnet+4.5")
    row_button = page.locator("table.catalog tbody tr").first.locator("button.copy-id")
    row_button.focus()
    page.keyboard.press(" ")
    page.wait_for_function("b => b.innerText.startsWith('Copied')",
                           arg=row_button.element_handle())
    assert page.evaluate("navigator.clipboard.readText()") == "anthropic/claude-sonnet-4-5"


def test_add_to_compare_from_a_profile_and_the_catalog(page) -> None:
    goto(page, "/models/openai/gpt-4o")
    with page.expect_navigation():
        page.locator(".profile-actions a.add-compare").click()
    assert page.url.endswith("/compare?models=openai/gpt-4o")
    assert "Add at least one more model" in page.locator("main").inner_text()

    goto(page, "/models/anthropic/claude-sonnet-4-5")
    with page.expect_navigation():
        page.locator(".profile-actions a.add-compare").click()
    assert "models=openai/gpt-4o,anthropic/claude-sonnet-4-5" in page.url
    assert page.locator("table.compare").count() > 0

    goto(page, "/models?q=gemini+pro")
    first = page.locator("table.catalog tbody tr").first
    added = first.locator("code").inner_text().strip()
    with page.expect_navigation():
        first.locator("a.add-compare").click()
    assert f"models=openai/gpt-4o,anthropic/claude-sonnet-4-5,{added}" in page.url
    headings = page.locator("table.compare").first.locator("thead th").all_inner_texts()
    assert len(headings) == 4                        # the meter column and three models


def test_compare_picker_takes_a_name(page) -> None:
    goto(page, "/compare?models=openai/gpt-4o")
    box = page.locator("form.picker input[name=add]")
    assert box.get_attribute("list") == "model-ids"
    box.fill("claude sonnet 4.5")
    with page.expect_navigation():
        page.locator("form.picker button[type=submit]").click()
    assert "models=openai/gpt-4o,anthropic/claude-sonnet-4-5" in page.url
    assert "That request could not be read" not in page.content()

    # A name of several models: choices on the compare page, one click adds one.
    box = page.locator("form.picker input[name=add]")
    box.fill("sonnet")
    with page.expect_navigation():
        page.locator("form.picker button[type=submit]").click()
    choices = page.locator(".did-you-mean a")
    assert choices.count() >= 2, page.locator("main").inner_text()[:500]
    picked = choices.first.locator("xpath=following-sibling::code").inner_text()
    with page.expect_navigation():
        choices.first.click()
    assert page.url.endswith(f"models=openai/gpt-4o,anthropic/claude-sonnet-4-5,{picked}")


def test_footer_links(page) -> None:
    goto(page, "/", charts=False)
    footer = page.locator("footer.site-footer")
    hrefs = footer.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for wanted in ("/methodology", "/about", "/api/", "/feeds/changes.atom"):
        assert wanted in hrefs
    assert any(h.startswith(("mailto:", "https://", "http://")) and "Wrong%20price" in h
               for h in hrefs)
    with page.expect_navigation():
        footer.locator("a", has_text="API").click()
    assert page.url.endswith("/api/")
    report = page.request.get("/feeds/changes.atom")
    assert report.status == 200 and "atom" in report.headers["content-type"]


def test_screenshots_for_review(page) -> None:
    """Pictures of what this work changed (tests/screenshots/search-*.png), looked at by
    eye; the catalog with its new controls fits a phone."""
    shots = {"search-catalog": "/models?q=claude+sonnet+4.5",
             "search-did-you-mean": "/compare?models=openai/gpt-4o&add=sonnet"}
    for name, path in shots.items():
        goto(page, path)

        def fits(label: str, scheme: str, name: str = name) -> None:
            if name == "search-catalog" and label == "phone":
                assert horizontal_overflow(page) == 0, (name, scheme)

        assert len(shoot(page, name, each=fits)) == 4
    # A profile's head (copy id, add to compare, report a wrong price): the first screen.
    goto(page, "/models/openai/gpt-4o", charts=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-profile-head.png"))
