"""The 404 of an unknown model: useful suggestions, at a bounded cost (no database read for
them once the index is built, the same cost for an id of 10,000 characters as for a short
one). The flood beside a profile's latency, over real HTTP, is in test_live_params.py; the
figures are bench/notfound's."""
from __future__ import annotations

import difflib
import re

import pytest
from sqlalchemy import event

from ratecard.queries import suggestions
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
    ("vercel_ai_gateway/openai/gpt4o", "vercel_ai_gateway/openai/gpt-4o"),
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


class Scored:
    """Counts the texts a lookup compares with difflib (each costs time in its length)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = difflib.SequenceMatcher.set_seq1

        def counting(matcher, text):  # type: ignore[no-untyped-def]
            self.count += 1
            return original(matcher, text)

        monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counting)


def test_a_404_costs_the_same_for_a_huge_id(site_client, site_db, monkeypatch):
    """Work, not seconds (timings are bench/notfound's): a 404 compares a bounded number of
    texts, whatever the id's length. It compared every id and name of the catalog."""
    need(site_db, "openai/gpt-4o")
    suggested(site_client, "/models/openai/gpt-4oo")           # the index is built here
    scored = Scored(monkeypatch)
    for wanted in ("openai/gpt-4oo", "openai/" + "gpt-4o-" * 1500, "x/" + "ab" * 5000,
                   "a/" + "é" * 10_000):
        scored.count = 0
        suggested(site_client, f"/models/{wanted}")
        # Two texts looked up (the whole id and its model part), each against at most
        # CANDIDATES texts of the index (+1 each: a new matcher sets its first sequence).
        assert scored.count <= 2 * (suggestions.CANDIDATES + 1), (wanted[:20], scored.count)
