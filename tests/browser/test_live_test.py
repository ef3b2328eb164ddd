"""The live-test page in headless Chromium against the fake provider (real HTTP both ways):
the answer shown as text, then the per-visitor limit, the daily budget and an expired form
token, each with its message. The app runs on its own small database, not the catalog."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.browser.conftest import DESKTOP
from tests.probes import fakeprovider
from tests.probes.conftest import add_models, env_for
from tests.probes.fakeprovider import FakeProvider
from tests.web.live import serve_in_thread

pytestmark = pytest.mark.browser
PATH = "/live-test/openai/test-chat"
EXPECTED_STATUS = ("Failed to load resource: the server responded with a status of 400",
                   "Failed to load resource: the server responded with a status of 429")


@pytest.fixture
def served(app, db, monkeypatch) -> Iterator[tuple[str, FakeProvider, object]]:  # type: ignore[no-untyped-def]
    add_models(db)
    with FakeProvider() as fake:
        for name, value in env_for(fake).items():
            monkeypatch.setenv(name, value)
        app.config.update(LIVE_TEST_DAILY_USD="1", LIVE_TEST_PER_IP_HOUR=2)
        with serve_in_thread(app) as server:
            yield server.url, fake, app


@pytest.fixture
def tab(browser, served):  # type: ignore[no-untyped-def]
    base, _, _ = served
    context = browser.new_context(base_url=base, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    # The guards answer 400/429 on purpose: Chromium logs those; anything else fails.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not
            m.text.startswith(EXPECTED_STATUS) else None)
    yield page
    context.close()
    assert not errors, errors


def _send(page, prompt: str = "Tell me about lighthouses"):  # type: ignore[no-untyped-def]
    page.fill("#prompt", prompt)
    with page.expect_navigation():
        page.click("main button[type=submit]")    # not the header's search


def test_answer_then_rate_limit(tab, served, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fakeprovider, "WORDS", ["<b>Bold</b>", " lamp", "."])
    tab.goto(PATH)
    _send(tab)
    assert tab.locator("#answer").inner_text() == "<b>Bold</b> lamp."
    assert tab.locator("#answer b").count() == 0              # text, never markup
    figures = tab.locator("#live-test-figures").inner_text()
    assert "42 / 300" in figures and "$0.003105" in figures and " ms" in figures
    _send(tab)
    _send(tab)                                                 # the third in the hour
    message = tab.locator("#live-test-message").inner_text()
    assert "2 live tests in the last hour" in message and "Try again in" in message


def test_budget_spent(tab, served):  # type: ignore[no-untyped-def]
    _, _, app = served
    app.config.update(LIVE_TEST_DAILY_USD="0.004")              # one call's worth
    tab.goto(PATH)
    _send(tab)
    assert tab.locator("#answer").is_visible()
    _send(tab)
    assert "live-test budget ($0.004) is spent" in tab.locator("#live-test-message").inner_text()


def test_token_expired(tab, served):  # type: ignore[no-untyped-def]
    _, fake, app = served
    app.config.update(LIVE_TEST_TOKEN_SECONDS=1)
    tab.goto(PATH)
    time.sleep(2.1)
    _send(tab)
    assert "This form has expired" in tab.locator("#live-test-message").inner_text()
    assert not fake.seen                                       # no call was made
    app.config.update(LIVE_TEST_TOKEN_SECONDS=600)       # (a loaded machine: not 1 s again)
    _send(tab)                                                 # the page carries a fresh token
    assert tab.locator("#answer").is_visible()


def test_off_page(tab, served):  # type: ignore[no-untyped-def]
    _, _, app = served
    app.config.update(LIVE_TEST_DAILY_USD="0")
    tab.goto(PATH)
    assert "Live tests are off" in tab.locator("main").inner_text()
