"""The 404 of an unknown model: useful suggestions, at a bounded cost (no database read for
them once the index is built, the same cost for an id of 10,000 characters as for a short
one). The flood beside a profile's latency, over real HTTP, is in test_live_404_flood.py."""
from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from tests.web.test_profile import need

LINK = re.compile(r'<li><a href="(/models/[^"]+)"')


def suggested(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    return LINK.findall(response.get_data(as_text=True))


@pytest.mark.parametrize("typo, real", [
    ("openai/gpt-4oo", "openai/gpt-4o"),
    ("openai/gtp-4o-mini", "openai/gpt-4o-mini"),
    ("openai/gpt-4o-mnii", "openai/gpt-4o-mini"),
    ("anthropic/claude-sonet-4-5", "anthropic/claude-sonnet-4-5"),
    ("openrouter/openai/gpt4o", "openrouter/openai/gpt-4o"),
    ("azure/gpt-4o-mini-", "azure/gpt-4o-mini"),
])
def test_a_typo_suggests_the_real_id(site_client, site_db, typo, real):
    need(site_db, real)
    links = suggested(site_client, f"/models/{typo}")
    assert f"/models/{real}" in links, links


def test_nothing_like_it_suggests_nothing(site_client):
    assert suggested(site_client, "/models/nobody/zzqx-qqzz-xxyy-1") == []


class Statements:
    """The SQL a block of requests ran, read from the engine's own events."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.seen = engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.seen.append(" ".join(statement.split()))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def test_a_404_reads_no_models_for_its_suggestions(site_app, site_client, site_db):
    need(site_db, "openai/gpt-4o")
    suggested(site_client, "/models/openai/gpt-4oo")           # the index is built here
    engine = site_app.extensions["ratecard.db"].engine
    for wanted in ("openai/gpt-4ooo", "openai/" + "x" * 10_000, "zz/" + "gpt-4o-" * 1500):
        with Statements(engine) as sql:
            suggested(site_client, f"/models/{wanted}")
        # What is left is finding the model (indexed lookups by id and alias): no scan
        # of the models for suggestions, and no read of the suggested models.
        scans = [s for s in sql.seen if "FROM models" in s and "WHERE" not in s]
        assert not scans, scans
        assert not [s for s in sql.seen if "models.canonical_id IN" in s], sql.seen
        assert len(sql.seen) <= 5, sql.seen


def _median_ms(app, path: str, runs: int = 7, expect: str = "404") -> float:  # type: ignore[no-untyped-def]
    """The app's own time (not the test client's, which re-parses a long URL several
    times), median of `runs`."""
    environ = EnvironBuilder(path=path).get_environ()
    times: list[float] = []
    status: list[str] = []
    for _ in range(runs):
        status.clear()
        start = time.perf_counter()
        body = b"".join(app.wsgi_app(dict(environ), lambda s, h, e=None: status.append(s)))
        times.append((time.perf_counter() - start) * 1000)
        assert status[0].startswith(expect), (status, body[-300:])
    return statistics.median(times)


def test_a_404_costs_the_same_for_a_huge_id(site_app, site_client, site_db):
    need(site_db, "openai/gpt-4o")
    suggested(site_client, "/models/openai/gpt-4oo")
    short = _median_ms(site_app, "/models/openai/gpt-4oo")
    # A 404 costs about what a cached profile costs (it was ~25x: a scan and difflib over
    # every id and name per 404).
    profile = _median_ms(site_app, "/models/openai/gpt-4o", expect="200")
    assert short < 6 * profile + 10, (short, profile)
    for huge in ("openai/" + "gpt-4o-" * 1500, "x/" + "ab" * 5000, "a/" + "é" * 10_000):
        long = _median_ms(site_app, f"/models/{huge}")
        # Generous: a shared machine is noisy. Unbounded, these took 10-100x as long.
        assert long < 3 * short + 15, (huge[:20], short, long)
