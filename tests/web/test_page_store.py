"""The page store (docs/pages.md): a stored page is the live site's answer byte for byte,
and a write marks stale exactly the stored pages that show what it wrote; after the
incremental build every stored page equals a fresh render again."""
from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ratecard import create_app
from ratecard.cache import clear_all
from ratecard.db import Database
from ratecard.models import Model, Price, ProbeRun, StoredPage
from ratecard.queries import page_store as q
from ratecard.queries.version import data_version
from ratecard.services.page_store import reconcile
from ratecard.web.page_build import build_pages
from ratecard.web.page_store import HIT, LISTING, RENDER
from tests.catalog_loader import load_own_catalog
from tests.cli_runner import run_cli
from tests.upstream import OWN

BASE = "https://ratecard.example"
ROOT = BASE + "/"
SHOWN = ("/", "/models", "/providers/openai", "/models/deepseek/deepseek-chat",
         "/sitemap.xml", "/feeds/changes.atom", "/feeds/providers/deepseek.atom")


@pytest.fixture
def built(db: Database, database_url: str):  # type: ignore[no-untyped-def]
    load_own_catalog(db)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RATECARD_OFFLINE": True})
    summary = build_pages(app, sites=[BASE])
    assert summary.failed == [] and summary.rendered > 40
    yield app
    app.extensions["ratecard.db"].dispose()


def _get(app, path: str, *, render: bool = False, gzip: bool = False):  # type: ignore[no-untyped-def]
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    return app.test_client().get(path, base_url=BASE, headers=headers,
                                 environ_overrides={RENDER: True} if render else {})


def test_a_stored_page_is_the_fresh_render_byte_for_byte(built) -> None:  # type: ignore[no-untyped-def]
    for path in SHOWN:
        for gzip in (False, True):
            stored = _get(built, path, gzip=gzip)
            fresh = _get(built, path, gzip=gzip, render=True)
            assert stored.status_code == fresh.status_code == 200, path
            assert stored.headers.get(HIT) == "hit" and HIT not in fresh.headers, path
            assert stored.get_data() == fresh.get_data(), path
            same = {k: v for k, v in stored.headers.items() if k != HIT}
            assert sorted(same.items()) == sorted(fresh.headers.items()), path
    # A revalidating client still gets its 304, before the store is read.
    etag = _get(built, "/").headers["ETag"]
    assert built.test_client().get("/", base_url=BASE, headers={
        "If-None-Match": etag}).status_code == 304


def test_query_pages_and_other_hosts_are_not_served_from_the_store(built) -> None:  # type: ignore[no-untyped-def]
    assert HIT not in _get(built, "/models?sort=name").headers
    # Without RATECARD_SITE_URL a request keeps pages for a loopback name only (a
    # development machine): a client sending any Host cannot fill the store with copies.
    for name in ("other.example", "ratecard.example.evil", "10.0.0.1"):
        other = built.test_client().get("/", base_url=f"http://{name}")
        assert HIT not in other.headers and f"http://{name}/".encode() in other.get_data()
        again = built.test_client().get("/", base_url=f"http://{name}")
        assert HIT not in again.headers, name
    for name in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        first = built.test_client().get("/", base_url=f"http://{name}")
        assert HIT not in first.headers
        again = built.test_client().get("/", base_url=f"http://{name}")
        assert again.headers.get(HIT) == "hit" and again.get_data() == first.get_data(), name
    with built.extensions["ratecard.db"].session() as session:
        assert not any("example" in root or "10.0.0.1" in root
                       for root in q.stored_roots(session) if root != BASE + "/")


def _stale_after(db: Database) -> set[str]:
    """Reconcile the store with what was written and say which pages it marked."""
    with db.session() as session:
        before = {p for p, in session.execute(select(StoredPage.address)
                                              .where(StoredPage.stale.is_(True)))}
        reconcile(session, data_version(session)[0])
        after = {p for p, in session.execute(select(StoredPage.address)
                                             .where(StoredPage.stale.is_(True)))}
    return after - before


def _changed(app) -> set[str]:  # type: ignore[no-untyped-def]
    """The stored pages a fresh render would now answer differently: each must be stale.
    (No build has seen the write yet, so each GET renders; keeping another site's pages
    only, the app stores none of these renders.)"""
    with app.extensions["ratecard.db"].session() as session:
        stored = list(session.execute(select(StoredPage.address, StoredPage.body)))
    app.config["RATECARD_SITE_URL"] = "https://elsewhere.example"
    try:
        fresh = {address: _get(app, address) for address, _ in stored}
    finally:
        app.config["RATECARD_SITE_URL"] = ""
    assert not any(HIT in r.headers for r in fresh.values())
    return {address for address, body in stored if fresh[address].get_data() != body}


def _expected(db: Database, models: set[str]) -> set[str]:
    """Listing pages, and each stored page that is about, or links to, one of `models`, or
    names its provider (the provider page and feed)."""
    providers = {m.split("/", 1)[0] for m in models}
    found = set()
    with db.session() as session:
        for page in session.scalars(select(StoredPage)):
            body = page.body.decode()
            if (page.endpoint in LISTING
                    or any(f"/models/{m}\"" in body or f"/models/{m}/" in body
                           or page.address in (f"/models/{m}", f"/feeds/models/{m}.atom")
                           for m in models)
                    or page.address in {f"/providers/{p}" for p in providers}
                    or page.address in {f"/feeds/providers/{p}.atom" for p in providers}):
                found.add(page.address)
    return found


def _all_current_and_fresh(app) -> None:  # type: ignore[no-untyped-def]
    summary = build_pages(app, sites=[BASE])
    assert summary.failed == []
    db = app.extensions["ratecard.db"]
    with db.session() as session:
        addresses = [a for a, in session.execute(select(StoredPage.address))]
        status = q.status(session, data_version(session)[0], dt.datetime.now(dt.UTC).date())
    assert status.current == len(addresses) and status.stale == 0
    for path in addresses:
        stored = _get(app, path)
        assert stored.headers.get(HIT) == "hit", path
        assert stored.get_data() == _get(app, path, render=True).get_data(), path


def _priced_by(db: Database, source: str) -> set[str]:
    """The models a source prices or describes (their profiles show its last sync)."""
    with db.session() as session:
        return set(session.scalars(select(Model.canonical_id).join(
            Price, Price.model_id == Model.id).where(Price.source == source))) | set(
            session.scalars(select(Model.canonical_id).where(Model.meta_source == source)))


def test_a_price_change_marks_its_model_and_its_sources_profiles(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    entries = json.loads((OWN / "litellm" / "model_prices_cut.json").read_text())
    entries["deepseek-chat"]["input_cost_per_token"] = 3.1e-07
    entries["deepseek/deepseek-chat"]["input_cost_per_token"] = 3.1e-07
    summary = run_sync(db, litellm.SOURCE, payload=json.dumps(entries).encode(),
                       as_of=dt.date(2026, 8, 25))
    assert summary.ok and summary.changed >= 1, summary.line()
    changed = _changed(built)
    stale = _stale_after(db)
    assert changed <= stale
    # The run said nothing new of LiteLLM on its profiles (same day, succeeded again), so
    # its other profiles stay current: marked are the changed model's pages, the listings,
    # and profiles whose similar models the new price changes.
    expected = _expected(db, {"deepseek/deepseek-chat"})
    assert expected <= stale
    assert all(p.startswith("/models/") for p in stale - expected), stale - expected
    # A price inside a profile's similar-models window that does not change its picks (a
    # nearer or newer model, a family already picked) leaves that profile current.
    assert stale - expected <= changed, sorted(stale - expected - changed)
    priced = {f"/models/{m}" for m in _priced_by(db, "litellm")}
    assert len(stale & priced) < len(priced) / 2, (len(stale & priced), len(priced))
    assert "/models/deepseek/deepseek-chat" in stale and "/providers/deepseek" in stale
    assert "/models/openrouter/auto" not in stale       # priced by openrouter alone
    _all_current_and_fresh(built)


def test_a_change_of_facts_alone_marks_its_model(built, db) -> None:  # type: ignore[no-untyped-def]
    """A source that changes only what it says of a model (its output limit here: no
    price, no change event, the run's freshness words the same) marks that model's pages."""
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    entries = json.loads((OWN / "litellm" / "model_prices_cut.json").read_text())
    for key in ("deepseek-chat", "deepseek/deepseek-chat"):
        entries[key]["max_output_tokens"] = 12345
    summary = run_sync(db, litellm.SOURCE, payload=json.dumps(entries).encode(),
                       as_of=dt.date(2026, 8, 25))
    assert summary.ok and summary.changed == 0, summary.line()
    changed = _changed(built)
    assert "/models/deepseek/deepseek-chat" in changed
    stale = _stale_after(db)
    assert changed <= stale, sorted(changed - stale)
    _all_current_and_fresh(built)
    assert b"12,345" in _get(built, "/models/deepseek/deepseek-chat").get_data()


def test_a_new_model_is_stored_by_the_next_build(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.sync import run_sync
    from scrapers import openrouter

    payload = json.loads((OWN / "openrouter" / "models_cut.json").read_text())
    first = dict(payload["data"][0])
    first.update(id="acme/brand-new-1", canonical_slug="acme/brand-new-1", name="Acme: New 1")
    payload["data"].append(first)
    summary = run_sync(db, openrouter.SOURCE, payload=json.dumps(payload).encode(),
                       as_of=dt.date(2026, 8, 26))
    assert summary.ok and summary.added >= 1, summary.line()
    with db.session() as session:
        new = session.scalars(select(Model.canonical_id).where(
            Model.canonical_id.like("%brand-new-1"))).one()
    changed = _changed(built)
    stale = _stale_after(db)
    assert changed <= stale
    expected = _expected(db, {new})
    assert expected <= stale
    assert all(p.startswith("/models/") for p in stale - expected), stale - expected
    _all_current_and_fresh(built)
    assert _get(built, f"/models/{new}").headers.get(HIT) == "hit"


def test_a_failed_sync_marks_every_profile_of_its_source(built, db) -> None:  # type: ignore[no-untyped-def]
    """A failure changes what each of the source's profiles says of it ("failed, <day>")."""
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    summary = run_sync(db, litellm.SOURCE, payload=b'{"gpt-4o": [', as_of=dt.date(2026, 8, 27))
    assert not summary.ok, summary.line()
    changed = _changed(built)
    stale = _stale_after(db)
    assert changed <= stale
    assert _expected(db, _priced_by(db, "litellm")) <= stale
    _all_current_and_fresh(built)


def test_a_probe_cycle_marks_only_the_probed_model(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.probes import refresh_summary

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with db.session() as session:
        model = session.scalars(select(Model).where(
            Model.canonical_id == "deepseek/deepseek-chat")).one()
        session.add(ProbeRun(model_id=model.id, cycle="c1", trigger="schedule",
                             started_at=now, endpoint="https://x.test/v1", api="openai_chat",
                             kind="chat", outcome="ok", latency_ms=800,
                             cost_usd=Decimal("0.001")))
        session.flush()
        refresh_summary(session, model.id, now)
        session.commit()
    changed = _changed(built)
    stale = _stale_after(db)
    assert changed <= stale and stale == _expected(db, {"deepseek/deepseek-chat"})
    assert "/models/openai/gpt-4o" not in stale
    _all_current_and_fresh(built)


def test_a_content_publish_marks_its_model(built, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.content import import_files

    page = tmp_path / "models" / "deepseek" / "deepseek-chat.md"
    page.parent.mkdir(parents=True)
    page.write_text("---\ntitle: DeepSeek Chat\nsummary: A cheap chat model.\n---\n"
                    "Cheap and able.\n")
    with db.session() as session:
        report = import_files(session, tmp_path)
        session.commit()
    assert report.created and not report.problems
    changed = _changed(built)
    stale = _stale_after(db)
    assert changed <= stale and stale == _expected(db, {"deepseek/deepseek-chat"})
    _all_current_and_fresh(built)
    assert b"Cheap and able." in _get(built, "/models/deepseek/deepseek-chat").get_data()


def test_pages_build_and_status_commands(built, database_url: str) -> None:  # type: ignore[no-untyped-def]
    env = {"DATABASE_URL": database_url}
    status = run_cli("pages", "status", env=env)
    assert status.returncode == 0 and " 0 stale" in status.stdout, status.stdout
    ran = run_cli("pages", "build", "--all", "--base-url", BASE, env=env)
    assert ran.returncode == 0, ran.stderr
    assert "marked stale" in ran.stdout and " rendered in " in ran.stdout
    assert "pages: " in ran.stderr                        # progress
    refused = run_cli("pages", "build", "--base-url", "ftp://x", env=env)
    assert refused.returncode != 0 and "http(s)" in refused.stderr


def test_the_scheduler_builds_after_a_write_and_each_new_day(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.config import from_env
    from ratecard.scheduler import build_scheduler, pages_job

    with db.session() as session:
        model = session.scalars(select(Model).where(
            Model.canonical_id == "openai/gpt-4o")).one()
        session.add(ProbeRun(model_id=model.id, cycle="c2", trigger="schedule",
                             started_at=dt.datetime.now(dt.UTC), endpoint="https://x.test/v1",
                             api="openai_chat", kind="chat", outcome="ok", latency_ms=700,
                             cost_usd=Decimal("0.001")))
        session.commit()
    pages_job(db)                           # what a probe tick runs after its cycle
    with db.session() as session:
        status = q.status(session, data_version(session)[0], dt.datetime.now(dt.UTC).date())
        count = len(session.scalars(select(StoredPage.id)).all())
    assert (status.current, status.stale) == (count, 0)
    assert _get(built, "/models/openai/gpt-4o").headers.get(HIT) == "hit"
    scheduler = build_scheduler(db, from_env(), background=True)
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert str(jobs["pages"].trigger) == "cron[hour='0', minute='5']"


def test_with_a_site_url_requests_keep_only_that_sites_pages(built, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    built.config["RATECARD_SITE_URL"] = BASE
    other = built.test_client().get("/changes", base_url="http://evil.example")
    assert other.status_code == 200
    db = built.extensions["ratecard.db"]
    with db.session() as session:
        assert "http://evil.example/" not in q.stored_roots(session)


def test_before_the_next_build_a_changed_page_is_rendered_once_then_served(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.page_store import Rendered, store_page

    path = "/models/deepseek/deepseek-chat"
    old = _get(built, path).get_data()
    with db.session() as session:
        model = session.scalars(select(Model).where(
            Model.canonical_id == "deepseek/deepseek-chat")).one()
        session.add(ProbeRun(model_id=model.id, cycle="c3", trigger="schedule",
                             started_at=dt.datetime.now(dt.UTC), endpoint="https://x.test/v1",
                             api="openai_chat", kind="chat", outcome="ok", latency_ms=900,
                             cost_usd=Decimal("0.001")))
        session.commit()
    first = _get(built, path)                   # no build has seen the write: rendered
    assert HIT not in first.headers
    again = _get(built, path)                   # stored for this version: served
    assert again.headers.get(HIT) == "hit" and again.get_data() == first.get_data()
    # A slow request's page from before the write never replaces a page of this version.
    build_pages(built)
    with db.session() as session:
        store_page(session, Rendered(ROOT, path, "public.profile", "text/html; charset=utf-8",
                                     {}, old, "etag", "old-version", []),
                   stale=True, compress=True, outdated=True)
    assert _get(built, path).get_data() == first.get_data()


def test_a_stored_address_that_no_longer_answers_is_forgotten(built, db) -> None:  # type: ignore[no-untyped-def]
    from ratecard.services.page_store import mark_stale

    with db.session() as session:
        page = session.scalars(select(StoredPage).where(
            StoredPage.address == "/models/deepseek/deepseek-chat")).one()
        page.address = "/models/deepseek/no-such-model"      # as if merged away
        page.key = q.page_key(ROOT, page.address)
        session.commit()
        mark_stale(session, [page.id])
    summary = build_pages(built)
    assert summary.gone == 1 and summary.failed == [] and "1 gone" in summary.line()
    with db.session() as session:
        assert "/models/deepseek/no-such-model" not in q.stored_addresses(session, ROOT)


def test_a_page_that_cannot_be_kept_is_served_all_the_same(built, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Keeping a page is an optimisation: a fault while working out what it shows (here an
    unexpected error) is logged, and the rendered page is served, not a 500."""
    from ratecard.web import page_store

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("dependencies went wrong")
    monkeypatch.setattr(page_store, "dependencies", broken)
    first = built.test_client().get("/", base_url="http://127.0.0.3")
    assert first.status_code == 200 and b"http://127.0.0.3/" in first.get_data()
    assert "not kept" in caplog.text
    again = built.test_client().get("/", base_url="http://127.0.0.3")
    assert again.status_code == 200 and HIT not in again.headers     # nothing was stored


def test_a_price_in_a_similar_models_window_marks_a_profile_only_when_its_picks_change(
        built, db) -> None:  # type: ignore[no-untyped-def]
    """The window over-approximates: a build recomputes the picks of a profile met only by
    a moved price in its window, and marks it when they differ from those it shows."""
    with db.session() as session:
        version = data_version(session)[0]
        # A profile with one window, bounded (some have a second, open one: any price
        # meets that), the first by id: the rows' order is the database's own otherwise.
        page = next(p for p in session.scalars(select(StoredPage).where(
            StoredPage.endpoint == "public.profile").order_by(StoredPage.id))
            if [d for d in p.depends_on if d.startswith("w:")]
            and all(not d.endswith(":*") for d in p.depends_on if d.startswith("w:")))
        window = next(d for d in page.depends_on if d.startswith("w:"))
        group, low, high = window[2:].split(":")
        inside = {f"w:{group}={(Decimal(low) + Decimal(high)) / 2}"}
        # The same picks now: not marked; without the version (no recomputing), marked.
        assert page.id not in q.dependent_pages(session, inside, version)
        assert page.id in q.dependent_pages(session, inside)
        # Picks that differ from those the page shows: marked.
        picks = next(d for d in page.depends_on if d.startswith("s:"))
        page.depends_on = [d for d in page.depends_on if d != picks] + [picks + ",0"]
        session.flush()
        assert page.id in q.dependent_pages(session, inside, version)
        # A price outside every window meets nothing but listings.
        assert page.id not in q.dependent_pages(session, {f"w:{group}=-1"}, version)
        # Image models are compared by one standard image's cost, which a moved price does
        # not say: any image price moved in the group, yet the picks are made again too.
        image = next(p for p in session.scalars(select(StoredPage).where(
            StoredPage.endpoint == "public.profile")) if any(
            d.startswith("s:") and d.split(":")[2] == "i" for d in p.depends_on))
        window = next(d for d in image.depends_on if d.startswith("w:"))
        moved = {window.replace(":*", "=*")}
        assert image.id not in q.dependent_pages(session, moved, version)
        assert image.id in q.dependent_pages(session, moved)


def test_a_build_on_two_processes_stores_what_one_process_stores(built, db) -> None:  # type: ignore[no-untyped-def]
    """Large builds render on every core (forked processes, each with its own database
    connections): the same pages, counted once, each the fresh render."""
    with db.session() as session:
        before = dict(session.execute(select(StoredPage.address, StoredPage.body)).all())
    summary = build_pages(built, everything=True, sites=[BASE], workers=2)
    assert summary.failed == [] and summary.rendered == len(before), summary.line()
    with db.session() as session:
        after = dict(session.execute(select(StoredPage.address, StoredPage.body)).all())
        assert all(r == ROOT for r in q.stored_roots(session))
    assert after == before
    _all_current_and_fresh(built)


def test_a_build_beside_other_threads_starts_its_renderers_afresh(built, db) -> None:  # type: ignore[no-untyped-def]
    """The scheduler and `ratecard serve` have other threads, and one may hold a lock at
    the moment a build would fork: here the template cache's (jinja2's LRUCache), held for
    the whole build. A forked renderer would wait on it for ever; renderers that start
    afresh never see it, and store what one process stores."""
    with db.session() as session:
        before = dict(session.execute(select(StoredPage.address, StoredPage.body)).all())
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with built.jinja_env.cache._wlock:
            held.set()
            release.wait(600)

    clear_all()          # no page kept in this process's memory: each is rendered again
    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(10)
    done: list[object] = []
    builder = threading.Thread(target=lambda: done.append(
        build_pages(built, everything=True, workers=2)), daemon=True)
    builder.start()
    builder.join(300)
    release.set()
    assert done, "the build waited on a lock another thread of its process held"
    summary = done[0]
    assert summary.failed == [] and summary.rendered == len(before), summary.line()
    with db.session() as session:
        after = dict(session.execute(select(StoredPage.address, StoredPage.body)).all())
    assert after == before


def test_content_pages_are_in_the_sitemap_and_stored(built, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Editorial pages with an address of their own (about, guides) are listed in the
    sitemap, so a build stores them and the front serves them."""
    from ratecard.services.content import import_files

    (tmp_path / "pages" / "guides").mkdir(parents=True)
    (tmp_path / "pages" / "about.md").write_text(
        "---\ntitle: About\nsummary: Who keeps this catalog.\n---\nWho we are.\n")
    (tmp_path / "pages" / "guides" / "choosing.md").write_text(
        "---\ntitle: Choosing a model\nsummary: Where to start.\n---\nStart here.\n")
    with db.session() as session:
        report = import_files(session, tmp_path)
        session.commit()
    assert len(report.created) == 2 and not report.problems, report
    summary = build_pages(built, sites=[BASE])
    assert summary.failed == [], summary.line()
    sitemap = _get(built, "/sitemap.xml").get_data(as_text=True)
    for path, words in (("/about", b"Who we are."), ("/guides", b"Choosing a model"),
                        ("/guides/choosing", b"Start here.")):
        assert f"<loc>{BASE}{path}</loc>" in sitemap, path
        response = _get(built, path)
        assert response.status_code == 200 and response.headers.get(HIT) == "hit", path
        assert words in response.get_data(), path


def test_a_page_rendered_before_a_build_is_not_kept_as_current_after_it(built, db) -> None:  # type: ignore[no-untyped-def]
    """A request renders from the data before a write, the write's build re-renders the
    page, then the request stores what it rendered: whether that page is current is decided
    in the write (against the build's version), so the build's page keeps being served."""
    from ratecard.services.page_store import Rendered, store_page

    path = "/models/deepseek/deepseek-chat"
    old = _get(built, path)
    with db.session() as session:
        old_version = data_version(session)[0]
        model = session.scalars(select(Model).where(
            Model.canonical_id == "deepseek/deepseek-chat")).one()
        session.add(ProbeRun(model_id=model.id, cycle="c9", trigger="schedule",
                             started_at=dt.datetime.now(dt.UTC), endpoint="https://x.test/v1",
                             api="openai_chat", kind="chat", outcome="ok", latency_ms=700,
                             cost_usd=Decimal("0.001")))
        session.commit()
    build_pages(built)
    new = _get(built, path)
    assert new.headers.get(HIT) == "hit" and new.get_data() != old.get_data()
    with db.session() as session:
        store_page(session, Rendered(ROOT, path, "public.profile", "text/html; charset=utf-8",
                                     {}, old.get_data(), "etag", old_version, []), compress=True)
        assert session.scalars(select(StoredPage.stale).where(
            StoredPage.address == path)).one() is True
    assert _get(built, path).get_data() == new.get_data()


def test_a_page_is_kept_for_the_day_its_request_began(built, db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A page rendered across midnight shows the earlier day ("retires" on a date, 30-day
    windows): it is kept as that day's, so the new day renders it again."""
    from ratecard.web import page_store

    began = dt.date(2026, 8, 31)
    monkeypatch.setattr(page_store, "_today", lambda: began)
    assert built.test_client().get("/changes", base_url="http://127.0.0.1").status_code == 200
    with db.session() as session:
        assert session.scalars(select(StoredPage.rendered_day).where(
            StoredPage.url_root == "http://127.0.0.1/",
            StoredPage.address == "/changes")).one() == began


def test_a_build_that_fails_after_a_write_leaves_the_write_and_says_so(
        built, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    entries = json.loads((OWN / "litellm" / "model_prices_cut.json").read_text())
    entries["deepseek-chat"]["input_cost_per_token"] = 3.3e-07
    payload = tmp_path / "litellm.json"
    payload.write_text(json.dumps(entries))
    ran = run_cli("sync", "litellm", "--file", str(payload), "--as-of", "2026-08-26",
                  env={"DATABASE_URL": database_url, "RATECARD_SITE_URL": "ftp://x"})
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "pages build failed: ftp://x: the site's address must be http(s)" in ran.stderr
    assert "Traceback" not in ran.stderr
    with built.extensions["ratecard.db"].session() as session:
        assert Decimal("0.33") in set(session.scalars(select(Price.amount).where(
            Price.valid_to.is_(None))))
