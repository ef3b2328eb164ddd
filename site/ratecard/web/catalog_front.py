"""The catalog front (docs/pages.md, "Catalog queries"): a query of the catalog (filters,
sorts, search words, pages past the fifth) answered in WSGI, in front of Flask, from what
this process keeps at the current data version: one query reads the version, the listing
comes from the search index and the filters' and columns' orders kept per version
(queries/catalog.py), the page from its frames (web/catalog_frame.py) and its rows'
fragments. Rows no query showed yet are rendered here. A query whose frames are not kept
yet, a bad parameter or a page past the end goes on to Flask, which renders the page (and
keeps its frames) or says what is wrong. The answer is Flask's, to the byte once
decompressed (tests/web/test_catalog_frame.py); its gzip is put together from the
frames' pieces compressed once (catalog_frame.gzip_page).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.http import http_date, quote_etag
from werkzeug.wrappers import Request

from ratecard.cache import EXTENSION, VersionedCache
from ratecard.queries import catalog as q
from ratecard.queries.version import data_version
from ratecard.web import catalog_frame as frames
from ratecard.web.http import (
    CACHE_CONTROL,
    MIN_SIZE,
    SECURITY_HEADERS,
    cache_headers,
    data_etag,
    security_headers,
)
from ratecard.web.page_cache import fragment_in
from ratecard.web.page_store import FIRST_PAGES, HIT, RENDER, Front
from ratecard.web.pages.catalog import fragment_key, parse, row_html
from ratecard.web.params import BadParameter, address_key, check_query_bytes
from ratecard.web.session import db_session
from ratecard.web.urls import report_base

log = logging.getLogger("ratecard.pages")
PATH = "/models"
CONTENT_TYPE = "text/html; charset=utf-8"


class CatalogFront(Front):
    """A GET or HEAD of a catalog query whose frames are kept is answered here; any other
    request goes on to `inner`."""

    def _answer(self, environ: dict[str, Any]) -> Callable[..., Iterable[bytes]] | None:
        raw = environ.get("QUERY_STRING", "")
        if (environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get(RENDER)
                or environ.get("PATH_INFO") != PATH or not raw
                or FIRST_PAGES.fullmatch(raw)):     # those are the page store's
            return None
        request = Request(environ)
        try:
            check_query_bytes(request.query_string)
        except BadParameter:                 # Flask says what is wrong
            return None
        with self.app.app_context():         # the app's cache and database
            try:
                return self._page(request)
            except SQLAlchemyError as exc:   # Flask answers, and says what is wrong
                log.warning("catalog front: %s not answered: %s", request.full_path, exc)
            except Exception:                # a shortcut, never a 500: Flask answers
                log.exception("catalog front: %s not answered", request.full_path)
            return None

    def _page(self, request: Request) -> Callable[..., Iterable[bytes]] | None:
        cache: VersionedCache = self.app.extensions[EXTENSION]
        engine = self.app.extensions["ratecard.db"].engine
        path = request.path
        with engine.connect() as connection:
            version, stamp = data_version(connection)
            etag = data_etag(version, address_key(path, request.query_string))
            if request.if_none_match.contains_weak(etag):
                response = Response(status=304)
                cache_headers(response, etag, stamp)
                security_headers(response)
                return response
            with Session(bind=connection) as session:
                try:
                    query = parse(request.args, q.facets(session, version))
                except BadParameter:         # Flask says which
                    return None
                found = q.listing(session, query.filters, query.sort, query.descending,
                                  query.page, version=version, rows=False)
        if query.page > found.pages:
            return None
        day = query.filters.today
        database = str(engine.url)
        rows: Sequence[object] = [
            fragment_in(cache, version, day, request.script_root,
                        fragment_key(database, "row", i, query.image_mode))
            for i in found.ids]
        if any(row is None for row in rows):
            # Rows no query showed yet in this process: rendered here (one select) and
            # kept, as Flask's view would.
            with self.app.request_context(request.environ):
                rows = row_html(db_session(), found, query.image_mode, version)
        kept = frames.kept_frames(cache, version, day, frames.frame_keys(
            request.url_root, query, found, bool(rows)))
        state = cache.find("catalog fragments", "", frames.state_key(query))
        if kept is None or not isinstance(state, str):
            return None                      # Flask renders what is missing, and keeps it
        segments = frames.fill(kept, state, query, found, "\n".join(str(r) for r in rows),
                               request.script_root + PATH, request.args, request.url,
                               report_base())
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, gzipped = frames.gzip_page(segments)
        else:
            body, gzipped = frames.text_of(segments).encode(), b""
        headers = [("Content-Type", CONTENT_TYPE)]
        if gzipped and len(body) >= MIN_SIZE:
            body = gzipped
            headers.append(("Content-Encoding", "gzip"))
        # What web/http.py's cache_headers and security_headers set, written out: this
        # answer is most of what a worker does, and werkzeug's Headers cost a tenth of it.
        headers += [("Content-Length", str(len(body))), (HIT, "filled"),
                    ("ETag", quote_etag(etag, weak=True))]
        if stamp is not None:
            headers.append(("Last-Modified", http_date(stamp)))
        headers += [("Cache-Control", CACHE_CONTROL), ("Vary", "Accept-Encoding"),
                    *SECURITY_HEADERS.items()]
        return Answer("200 OK", headers, body)


@dataclass(frozen=True)
class Answer:
    """A response as WSGI sends it."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        start_response(self.status, self.headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


def init_app(app: Flask) -> None:
    """After web/page_store.py's init_app (this front asks first)."""
    app.wsgi_app = CatalogFront(app, app.wsgi_app)  # type: ignore[method-assign]
