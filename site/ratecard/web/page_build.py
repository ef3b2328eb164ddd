"""Render on write (docs/pages.md): after a write, the writer's process brings the page
store up to date through the app itself (its test client: no HTTP, the same views and
hooks as a request, so a stored page is the live site's answer byte for byte).

A build first marks stale exactly the stored pages that show what was written since the
last build (services/page_store.reconcile), then renders those again, the pages of an
earlier day, and, for the site addresses it is given, every page not stored yet.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import multiprocessing.util as mp_util
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from flask import Flask

from ratecard.queries import page_store as q
from ratecard.queries.version import data_version
from ratecard.services.page_store import finish_build, forget_page, reconcile
from ratecard.web.page_store import RENDER

# Pages not reached from the sitemap's addresses.
FIXED = ("/", "/sitemap.xml", "/robots.txt", "/models", "/providers", "/changes",
         "/compare", "/feeds/changes.atom")
_LOC = "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"

Progress = Callable[[int, int], None]


@dataclass
class BuildSummary:
    marked_stale: int = 0
    rendered: int = 0
    gone: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        failed = f", {len(self.failed)} failed" if self.failed else ""
        gone = f", {self.gone} gone" if self.gone else ""
        return (f"pages build: {self.marked_stale} marked stale, {self.rendered} rendered"
                f"{gone}{failed} in {self.seconds:.1f}s")


def _root(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url}: the site's address must be http(s)://host[:port]")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def _site_addresses(app: Flask, root: str) -> list[str]:
    """Every page the store keeps for this site address: the fixed pages, each address of
    the sitemap (profiles, providers, content pages) and each provider's feed."""
    client = app.test_client()
    sitemap = client.get("/sitemap.xml", base_url=root.rstrip("/"))
    found = list(FIXED)
    if sitemap.status_code == 200:
        for loc in ElementTree.fromstring(sitemap.get_data()).iter(_LOC):
            url = loc.text or ""
            if url.startswith(root):
                found.append("/" + url[len(root):])
    found += ["/feeds" + a + ".atom" for a in found if a.startswith("/providers/")]
    return list(dict.fromkeys(found))


def build_pages(app: Flask, *, everything: bool = False, sites: Iterable[str] = (),
                progress: Progress | None = None, workers: int | None = None
                ) -> BuildSummary:
    """Bring the store up to date with the data; `everything` renders every stored page
    and every page of `sites` (a new deployment, a template change). `workers`: processes
    rendering (default: one per core, for PARALLEL_FROM pages or more)."""
    with _one_build:
        return _build(app, everything, sites, progress, workers)


def _build(app: Flask, everything: bool, sites: Iterable[str], progress: Progress | None,
           workers: int | None) -> BuildSummary:
    started = time.monotonic()
    summary = BuildSummary()
    roots = [_root(s) for s in sites]
    database = app.extensions["ratecard.db"]
    with database.sessionmaker() as session:
        version = data_version(session)[0]
        reconciled = reconcile(session, version, everything=everything)
        summary.marked_stale, build_id = reconciled.marked_stale, reconciled.build_id
        today = dt.datetime.now(dt.UTC).date()
        todo = q.stale_pages(session, today)
        for root in roots:
            stored = q.stored_addresses(session, root)
            todo += [(root, a) for a in _site_addresses(app, root)
                     if everything or a not in stored]
    todo = list(dict.fromkeys(todo))
    done = 0
    for rendered, gone, failed in _render_all(app, todo, workers):
        summary.rendered += rendered
        summary.gone += gone
        summary.failed += failed
        done += rendered + gone + len(failed)
        if progress is not None:
            progress(done, len(todo))
    with database.sessionmaker() as session:
        finish_build(session, build_id, summary.rendered)
    summary.seconds = time.monotonic() - started
    return summary


_apps: dict[str, Flask] = {}
# One build at a time in a process: the scheduler's sync jobs run side by side and each
# ends with a build; one after the other, the second finds little left to do.
_one_build = threading.Lock()


def app_for(database_url: str) -> Flask:
    """One app per database for a writer process's builds (the scheduler's jobs)."""
    from ratecard import create_app

    with _one_build:
        if database_url not in _apps:
            _apps[database_url] = create_app({"DATABASE_URL": database_url,
                                              "RATECARD_API_RATE_LIMIT": 0})
        return _apps[database_url]


# -- rendering, on every core when there is enough of it --------------------------------------

PARALLEL_FROM = 200     # pages: below this, starting processes costs more than it saves
CHUNK = 25              # pages per task: progress stays smooth, the cores stay busy
Result = tuple[int, int, list[str]]          # rendered, gone, failed
_renderer: Flask | None = None               # the app a renderer process uses


def _render(app: Flask, todo: list[tuple[str, str]]) -> Result:
    """Render each (site, address) through the app's test client, as a request would."""
    database = app.extensions["ratecard.db"]
    client = app.test_client()
    rendered = gone = 0
    failed: list[str] = []
    for root, address in todo:
        response = client.get(address, base_url=root.rstrip("/"),
                              environ_overrides={RENDER: True})
        if response.status_code == 200:
            rendered += 1
        elif response.status_code in (301, 302, 308, 404, 410):
            gone += 1             # merged away, renamed or removed: not kept
            with database.sessionmaker() as session:
                forget_page(session, root, address)
        else:
            failed.append(f"{root.rstrip('/')}{address} (HTTP {response.status_code})")
        response.close()
    return rendered, gone, failed


def _forked_start() -> None:
    # Whatever the pool still refers to is the parent's: dropped, never closed from here.
    assert _renderer is not None
    _renderer.extensions["ratecard.db"].engine.dispose(close=False)
    _close_at_exit(_renderer)


def _spawned_start(config: dict[str, object]) -> None:
    global _renderer
    from ratecard import create_app

    _renderer = create_app(config)
    _close_at_exit(_renderer)


def _close_at_exit(app: Flask) -> None:
    # A renderer that ends normally (the pool closed, not terminated) closes its database
    # connections, rather than leave the server to find them dropped.
    mp_util.Finalize(None, app.extensions["ratecard.db"].engine.dispose, exitpriority=10)


def _in_pool(pool: Any, chunks: list[list[tuple[str, str]]]) -> Iterator[Result]:
    """The chunks' results from `pool`; then its processes end normally (their exit
    closes their connections), or at once when the build stops early."""
    try:
        yield from pool.imap_unordered(_child_render, chunks)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _child_render(todo: list[tuple[str, str]]) -> Result:
    assert _renderer is not None
    return _render(_renderer, todo)


def _picklable(config: dict[str, object]) -> dict[str, object]:
    """The app's settings a spawned renderer builds its own app from (an object that
    cannot cross a process boundary, such as a callable, is left to its default)."""
    kept = {}
    for key, value in config.items():
        try:
            pickle.dumps(value)
        except Exception:       # noqa: BLE001  (any reason to refuse it is the same here)
            continue
        kept[key] = value
    return kept


def _render_all(app: Flask, todo: list[tuple[str, str]], workers: int | None
                ) -> Iterator[Result]:
    """The results chunk by chunk: in this process, or in child processes (each renders
    and stores its share; the database serialises their writes) when there is enough to
    do, more than one core, and a database other processes can open."""
    global _renderer
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(todo) >= PARALLEL_FROM else 1
    url = app.extensions["ratecard.db"].engine.url
    if (workers < 2 or len(chunks) < 2
            or (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))):
        for chunk in chunks:
            yield _render(app, chunk)
        return
    processes = min(workers, len(chunks))
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        # One thread (a CLI write): a forked child starts at once with this process's
        # loaded app. None of the pool's connections is shared with the children: closed
        # here, before the fork (SQLAlchemy, "Using Connection Pools with
        # Multiprocessing"); each child opens its own.
        app.extensions["ratecard.db"].engine.dispose()
        _renderer = app
        try:
            yield from _in_pool(mp.get_context("fork").Pool(
                processes, initializer=_forked_start), chunks)
        finally:
            _renderer = None
        return
    # Other threads (the scheduler's, a server's) may hold a lock at the moment of a fork,
    # which the child would wait on for ever: children start afresh instead and build
    # their own app from this one's settings (about a second each, in parallel).
    yield from _in_pool(mp.get_context("spawn").Pool(
        processes, initializer=_spawned_start, initargs=(_picklable(dict(app.config)),)),
        chunks)
