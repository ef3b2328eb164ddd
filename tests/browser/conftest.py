"""Browser tests: Debian's Chromium, driven by Playwright, against the real app on loopback.

Fixtures
- `live_server` (session): the app of `site_app` (the real-snapshot catalog) served by
  werkzeug on 127.0.0.1 with an ephemeral port; `.url`, `.host`, `.port`, `.url_for(path)`.
- `browser` (module): headless Chromium (skipped without it, failed without it when CI is set);
  it does not need the live server, so modules with a server of their own can use it too.
- `page`: a fresh context at 1280x900, light colour scheme, `base_url` = the live server, so
  `page.goto("/models")` works. The test FAILS when the page logged a console error, threw an
  uncaught error, got a 5xx, or asked for anything not on the live server (every such request
  is aborted: nothing is fetched from outside). Opt out with
  `@pytest.mark.allow_console_errors("regex", ...)` (no argument: any console error).
- `new_page(**context_options)`: more tabs, each in its own context (`java_script_enabled=
  False` for the no-JS path), watched the same way.
- `watch`: the test's `PageWatch` (what was recorded so far) for tests that want to look.

Helpers: `goto(page, path)` (asserts the status), `wait_for_charts(page)`,
`horizontal_overflow(page)`, `shoot(page, name)` (full-page PNGs in tests/screenshots/:
desktop 1280 and phone 360 wide, light and dark).
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.web.live import LiveServer, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
WATCH_KEY = pytest.StashKey["PageWatch"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_console_errors(*patterns): console errors matching a pattern "
        "(any, without patterns) do not fail a browser test")


# -- the live server ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(site_app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with serve_in_thread(site_app) as server:
        yield server


# -- the browser ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must have it (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str):  # type: ignore[no-untyped-def]
    """One Chromium per test module (a launch takes about a second). Module scope, not
    session: Playwright's sync API runs one instance per thread at a time, so a module that
    needs something else (its own server, say) can use this fixture, and a module that
    starts Playwright itself still works after ours has stopped."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageWatch:
    """What went wrong in the page: anything here fails the test."""

    origin: str
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] | None = field(default_factory=list)   # None = any

    def on_console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type != "error":
            return
        location = message.location or {}
        text = f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})"
        if self.allowed is None or any(p.search(text) for p in self.allowed):
            return
        self.console.append(text)

    def on_response(self, response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def route(self, route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if _same_origin(url, self.origin):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console]
                + [f"uncaught error: {m}" for m in self.page_errors]
                + [f"server error: {m}" for m in self.server_errors]
                + [f"request outside the live server (aborted): {u}" for u in self.outside])


def _same_origin(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" == origin


@pytest.fixture
def new_page(browser, live_server: LiveServer, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Factory: `new_page(**context_options)` opens a tab in a fresh browser context (e.g.
    `java_script_enabled=False`), watched like `page` (all tabs of a test share one watch)."""
    marker = request.node.get_closest_marker("allow_console_errors")
    allowed: list[re.Pattern[str]] | None = []
    if marker is not None:
        allowed = [re.compile(p) for p in marker.args] or None
    watch = PageWatch(origin=live_server.url, allowed=allowed)
    request.node.stash[WATCH_KEY] = watch
    contexts = []

    def open_page(**options: object):  # type: ignore[no-untyped-def]
        settings = {"base_url": live_server.url, "viewport": DESKTOP, "color_scheme": "light",
                    "service_workers": "block", **options}
        context = browser.new_context(**settings)
        contexts.append(context)
        context.set_default_timeout(10_000)
        context.route("**/*", watch.route)
        tab = context.new_page()
        tab.on("console", watch.on_console)
        tab.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        tab.on("response", watch.on_response)
        return tab

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page):  # type: ignore[no-untyped-def]
    return new_page()


@pytest.fixture
def watch(new_page, request: pytest.FixtureRequest) -> PageWatch:  # type: ignore[no-untyped-def]
    return request.node.stash[WATCH_KEY]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail (not error) a browser test whose page misbehaved, once its own asserts passed."""
    result = yield
    watch = item.stash.get(WATCH_KEY, None)
    if watch is not None and watch.problems():
        pytest.fail("the page misbehaved:\n  " + "\n  ".join(watch.problems()), pytrace=False)
    return result


# -- helpers --------------------------------------------------------------------------------

def goto(page, path: str, status: int = 200, charts: bool = True):  # type: ignore[no-untyped-def]
    """Open a path of the live server, check the HTTP status and (unless charts=False, e.g.
    with JavaScript off) wait for the charts to be drawn; returns the response."""
    response = page.goto(path, wait_until="load")
    assert response is not None, path
    assert response.status == status, f"{path}: HTTP {response.status}"
    if charts:
        wait_for_charts(page)
    return response


def wait_for_charts(page, timeout: float = 10_000) -> int:  # type: ignore[no-untyped-def]
    """Wait until every chart container ([data-chart]) has its Plotly SVG; returns how many.
    A chart that loads plotly.js only when it is reached (the profile's) is scrolled into
    view first, one at a time, as a reader would; the page is scrolled back to the top."""
    count = page.locator("[data-chart]").count()
    for index in range(count):
        page.evaluate("""i => { const n = document.querySelectorAll('[data-chart]')[i];
                                const fold = n.closest('details');
                                if (fold) { fold.open = true; }
                                (n.closest('[data-chart-box]') || n).scrollIntoView(); }""",
                      index)
        page.wait_for_function(
            "i => document.querySelectorAll('[data-chart]')[i].querySelector('svg.main-svg')",
            arg=index, timeout=timeout)
    page.evaluate("() => window.scrollTo(0, 0)")
    return count


def horizontal_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def shoot(page, name: str, each=None) -> list[Path]:  # type: ignore[no-untyped-def]
    """Full-page PNGs of the current URL: desktop/phone x light/dark, then the page is put
    back to desktop/light. Files: tests/screenshots/<name>-<desktop|phone>-<light|dark>.png.
    `each(label, scheme)`, if given, runs after each shot (e.g. checks at phone width)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.reload(wait_until="load")        # charts pick their colours at draw time
                wait_for_charts(page)
                path = SCREENSHOTS / f"{name}-{label}-{scheme}.png"
                page.screenshot(path=str(path), full_page=True, animations="disabled")
                paths.append(path)
                if each is not None:
                    each(label, scheme)
    finally:
        page.set_viewport_size(DESKTOP)
        page.emulate_media(color_scheme="light")
    return paths
