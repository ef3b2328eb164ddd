"""Atom feeds of the change log: valid Atom 1.0 (RFC 4287's required elements, RFC 3339
dates, unique ids), entries dated, linking to the model's page, saying old → new in words
and numbers; ids stable across syncs and the same in another database that replayed the
same snapshots; advertised on the matching pages."""
from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.services.sync import run_sync
from scrapers import litellm
from tests.services.test_alerts import litellm_payload

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SNAPSHOTS = [("2.5e-06", "2026-07-01"), ("2e-06", "2026-07-02"), ("3e-06", "2026-07-03")]


def sync(db, snapshot) -> None:  # type: ignore[no-untyped-def]
    price, day = snapshot
    summary = run_sync(db, litellm.SOURCE, payload=litellm_payload(price),
                       as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()


def parse_atom(client, path: str) -> ET.Element:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.get_data())
    assert feed.tag == A + "feed"
    for name in ("id", "title", "updated"):           # exactly one each (RFC 4287 4.1.1)
        assert len(feed.findall(A + name)) == 1, name
    assert RFC3339.match(feed.findtext(A + "updated"))
    assert feed.find(f"{A}link[@rel='self']").get("href").endswith(path)
    assert feed.find(f"{A}author/{A}name").text          # entries have no author of their own
    ids = []
    for entry in feed.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(A + name)) == 1, name
        assert RFC3339.match(entry.findtext(A + "updated"))
        assert entry.find(f"{A}link[@rel='alternate']") is not None
        assert entry.findtext(A + "summary")
        ids.append(entry.findtext(A + "id"))
    assert len(ids) == len(set(ids))
    assert all(i.startswith("urn:uuid:") for i in ids)
    return feed


def entries(feed: ET.Element) -> dict[str, ET.Element]:
    return {e.findtext(A + "id"): e for e in feed.findall(A + "entry")}


def test_feeds_are_atom_and_say_old_and_new(db, client) -> None:  # type: ignore[no-untyped-def]
    for snapshot in SNAPSHOTS:
        sync(db, snapshot)
    site = parse_atom(client, "/feeds/changes.atom")
    model = parse_atom(client, "/feeds/models/openai/gpt-4o.atom")
    provider = parse_atom(client, "/feeds/providers/anthropic.atom")
    assert set(entries(model)) < set(entries(site))
    assert set(entries(provider)) < set(entries(site))
    assert not set(entries(model)) & set(entries(provider))
    titles = [e.findtext(A + "title") for e in model.findall(A + "entry")]
    assert any("Input price changed from $2.00 to $3.00" in t for t in titles), titles
    rise = next(e for e in model.findall(A + "entry") if "from $2.00 to $3.00" in
                e.findtext(A + "title"))
    assert "Old 2, new 3 (USD per 1M_tokens), +50.0 %" in rise.findtext(A + "summary")
    assert rise.findtext(A + "updated") == "2026-07-03T00:00:00Z"
    link = rise.find(f"{A}link[@rel='alternate']").get("href")
    assert link == "http://localhost/models/openai/gpt-4o"
    assert client.get(link.removeprefix("http://localhost")).status_code == 200
    # newest first
    stamps = [e.findtext(A + "updated") for e in site.findall(A + "entry")]
    assert stamps == sorted(stamps, reverse=True)


def test_ids_stable_across_syncs_and_databases(db, client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sync(db, SNAPSHOTS[0])
    sync(db, SNAPSHOTS[1])
    before = entries(parse_atom(client, "/feeds/changes.atom"))
    sync(db, SNAPSHOTS[1])                  # the same payload again: nothing new
    assert entries(parse_atom(client, "/feeds/changes.atom")).keys() == before.keys()
    sync(db, SNAPSHOTS[2])
    after = entries(parse_atom(client, "/feeds/changes.atom"))
    assert set(before) < set(after)        # old entries keep their ids, new ones are added
    for ident, entry in before.items():
        assert after[ident].findtext(A + "title") == entry.findtext(A + "title")
    # Another database that replayed the same snapshots gives the same entries the same ids
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    for snapshot in SNAPSHOTS:
        sync(other, snapshot)
    app = create_app({"TESTING": True, "DATABASE_URL": other.url, "RATECARD_OFFLINE": True})
    replayed = entries(parse_atom(app.test_client(), "/feeds/changes.atom"))
    app.extensions["ratecard.db"].dispose()
    other.dispose()
    assert replayed.keys() == after.keys()


def test_unknown_feeds_are_404(db, client) -> None:  # type: ignore[no-untyped-def]
    sync(db, SNAPSHOTS[0])
    assert client.get("/feeds/models/openai/nope.atom").status_code == 404
    assert client.get("/feeds/providers/nope.atom").status_code == 404
    assert client.get("/feeds/providers/" + "x" * 200 + ".atom").status_code == 404
    own = parse_atom(client, "/feeds/providers/openai.atom")
    assert own.findall(A + "entry")


def test_pages_advertise_their_feeds(db, client) -> None:  # type: ignore[no-untyped-def]
    sync(db, SNAPSHOTS[0])
    expected = {
        "/models/openai/gpt-4o": ["/feeds/changes.atom", "/feeds/models/openai/gpt-4o.atom"],
        "/providers/openai": ["/feeds/changes.atom", "/feeds/providers/openai.atom"],
        "/changes": ["/feeds/changes.atom"], "/": ["/feeds/changes.atom"],
    }
    for page, feeds in expected.items():
        html = client.get(page).get_data(as_text=True)
        head = html.split("</head>", 1)[0]
        found = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" '
                           r'href="http://localhost([^"]+)"', head)
        assert found == feeds, page
        for feed in found:
            assert client.get(feed).status_code == 200
