"""A fresh install as a reader meets it, in headless Chromium: an empty database loaded
with the offline catalog (what `make serve` and `ratecard sync --offline` do) on a machine
whose live sources cannot be reached (a closed port on loopback stands in for the missing
network). The home page and the change log tell the truth about that, and models carry the
sources' names on the provider page, the profile and compare."""
from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.models import Model
from ratecard.services.offline import load_offline_catalog
from ratecard.services.sync import run_sync
from scrapers.registry import SOURCES
from tests.browser.conftest import goto, shoot
from tests.conftest import own_database_url
from tests.web.live import LiveServer, serve_in_thread

pytestmark = pytest.mark.browser


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fresh_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(own_database_url(tmp_path_factory.mktemp("fresh"), "fresh"))
    upgrade(database)
    assert all(s.ok for s in load_offline_catalog(database))
    # The scheduler's first live try of every source, with no network: refused at once.
    dead = f"http://127.0.0.1:{_closed_port()}/payload.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RATECARD_HTTP_ATTEMPTS", "1")
        for source in SOURCES:
            assert run_sync(database, source, url=dead).status == "failed"
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def live_server(fresh_db: Database) -> Iterator[LiveServer]:
    """This module's own server: the fresh install, not the session's test catalog."""
    app = create_app({"TESTING": True, "DATABASE_URL": fresh_db.url,
                      "RATECARD_OFFLINE": False})
    try:
        with serve_in_thread(app, "fresh-server") as server:
            yield server
    finally:
        app.extensions["ratecard.db"].dispose()


def _model_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Model)) or 0


NO_OP = re.compile(r"from (\$[\d,.]+) to \1(?![\d])")


def test_fresh_home_page_tells_the_truth(page, fresh_db):  # type: ignore[no-untyped-def]
    goto(page, "/", charts=False)
    summary = page.locator("#freshness-summary").inner_text().strip()
    assert re.fullmatch(
        r"Offline catalog from \d{4}-\d{2}-\d{2} \(LiteLLM 2026-07-24, genai-prices "
        r"[0-9][\w.]*, models\.dev 2026-06-30\); live sources unreachable from this machine\.",
        summary), summary
    states = [t.strip() for t in page.locator(
        "table.sources tbody td:nth-child(4)").all_inner_texts()]
    assert len(states) == 4 and set(states) == {"unreachable"}, states
    latest = page.locator("table.changes").first.inner_text()
    assert f"Catalog loaded: {_model_count(fresh_db):,} models" in latest
    assert "Model added" not in latest and not NO_OP.search(latest)
    new_models = page.locator("#new-models + *").inner_text()
    assert "since the catalog was first loaded" in new_models
    shoot(page, "first-impression-home")


def test_fresh_changes_page_is_one_entry_not_thousands(page, fresh_db):  # type: ignore[no-untyped-def]
    goto(page, "/changes", charts=False)
    rows = page.locator("table.changes tbody tr")
    first = rows.first.inner_text()
    assert f"Catalog loaded: {_model_count(fresh_db):,} models" in first
    body = page.locator("table.changes").inner_text()
    assert "Model added" not in body and "Deprecated" not in body and not NO_OP.search(body)
    goto(page, "/changes?kind=model_added", charts=False)
    assert page.locator("table.changes tbody tr").count() == 0
    feed = page.request.get("/feeds/changes.atom").text()
    assert "Catalog loaded:" in feed and "Model added" not in feed


def test_names_on_the_openai_provider_page(page):  # type: ignore[no-untyped-def]
    names: list[str] = []
    path: str | None = "/providers/openai"
    # every page of the provider's models table (image models are listed again below it,
    # in their cost-per-image table)
    while path:
        goto(page, path, charts=False)
        names += [n.strip() for n in page.locator(
            "table.catalog:not(.image-prices) tbody tr td:first-child > a").all_inner_texts()]
        following = page.locator("a[rel=next]")
        path = following.first.get_attribute("href") if following.count() else None
    assert "GPT-4o" in names, names[:40]
    assert len(names) == len({n.casefold() for n in names}), "two models share a name"
    made_from_ids = [n for n in names if re.fullmatch(r"gpt [0-9a-z. ]+", n)]
    assert not made_from_ids, made_from_ids          # "gpt 4o", "gpt 4"


def test_names_on_the_profile_and_compare(page):  # type: ignore[no-untyped-def]
    goto(page, "/models/openai/gpt-4o", charts=False)
    assert page.locator("h1").inner_text().strip() == "GPT-4o"
    goto(page, "/compare?models=openai/gpt-4o,anthropic/claude-sonnet-4-5", charts=False)
    assert page.title().startswith("GPT-4o vs Claude Sonnet 4.5"), page.title()
    assert "gpt 4o" not in page.locator("main").inner_text()
