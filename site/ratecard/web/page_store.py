"""Serving from the page store (docs/pages.md): a public GET whose page is stored and
current is answered from the database, without rendering; any other is rendered as before,
then stored. Stored answers are the bytes the view returned and the gzip web/http.py would
send; the ETag, Last-Modified and security headers are still set per request by web/http.py.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Request

from ratecard.models import Model
from ratecard.queries import page_store as q
from ratecard.queries.rows import Session
from ratecard.queries.version import data_version
from ratecard.services.page_store import Rendered, store_page
from ratecard.web.http import (
    COMPRESSIBLE,
    cache_headers,
    data_etag,
    request_version,
    security_headers,
)
from ratecard.web.params import address_key
from ratecard.web.session import database, db_session

log = logging.getLogger("ratecard.pages")

# Pages that list the catalog: any change may change them.
LISTING = ("public.home", "public.catalog", "public.changes", "public.providers",
           "public.sitemap", "public.robots", "public.compare", "public.content_page",
           "public.guide",
           "public.guides", "feeds.changes")
MODEL_PAGES = ("public.profile", "feeds.model")
PROVIDER_PAGES = ("public.provider", "feeds.provider")
STORED = LISTING + MODEL_PAGES + PROVIDER_PAGES
# The first pages of a list are kept too; any other query (filters, sorts, search, the
# calculator) is rendered per request.
PAGED = ("public.catalog", "public.changes", "public.provider")
FIRST_PAGES = re.compile(r"page=(?:[2-5])")
# Addresses never stored: not worth a query in the front.
NOT_STORED = ("/api/", "/static/", "/assets/", "/editor", "/favicon")
# Set by web/page_build.py: render even when the stored page is current (pages build --all).
RENDER = "ratecard.page_store.render"
HIT = "X-Page-Store"
# A model a page shows: a link to its profile (or its feed, costs, CSV).
_PROFILE_LINK = re.compile(r"""/models/([A-Za-z0-9][^"'<>\s?#]*)""")
_SUFFIXES = ("/cost", "/prices.csv", ".atom")
_NOT_KEPT = ("content-type", "content-length", "set-cookie", "vary")


def address() -> str | None:
    """This request's path and normalised query as the store keys it, or None when the
    page is not kept."""
    if request.endpoint not in STORED:
        return None
    query = request.query_string.decode("utf-8", "replace")
    if not query:
        return request.path
    if request.endpoint in PAGED and FIRST_PAGES.fullmatch(query):
        return f"{request.path}?{query}"
    return None


def _eligible() -> str | None:
    if request.method not in ("GET", "HEAD") or "data_etag" not in g:
        return None
    return address()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class Front:
    """WSGI, in front of Flask: `_answer` answers a request itself, or returns None and
    the request goes on to `inner` (Flask, or another front)."""

    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]):
        self.app = app
        self.inner = inner

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        answer = self._answer(environ)
        if answer is None:
            return self.inner(environ, start_response)
        return answer(environ, start_response)

    def _answer(self, environ: dict[str, Any]) -> Callable[..., Iterable[bytes]] | None:
        raise NotImplementedError


class StoreFront(Front):
    """WSGI, in front of Flask: a GET or HEAD of a page stored and current is answered
    from the store in one query (the data version and the page together), with the
    headers Flask's path would add (web/http.py: revalidation, security) and its 304 for a
    client that has this version; anything else goes on to Flask, which renders (and keeps)
    it. A stored page is the same for everyone, so nothing of Flask's request machinery
    (routing, sessions, hooks) is needed to send it: this is what lets a stored page
    approach a static file's speed."""

    def _answer(self, environ: dict[str, Any]) -> Response | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get(RENDER):
            return None
        request = Request(environ)             # werkzeug's: no app or request context
        path, raw = request.path, request.query_string
        if path.startswith(NOT_STORED) or (raw and not FIRST_PAGES.fullmatch(raw.decode(
                "latin-1"))):
            return None
        address = f"{path}?{raw.decode('latin-1')}" if raw else path
        try:
            with self.app.extensions["ratecard.db"].engine.connect() as connection:
                found = q.front(connection, q.page_key(request.url_root, address), _today())
        except SQLAlchemyError as exc:       # Flask answers, and says what is wrong
            log.warning("page store: %s not read: %s", address, exc)
            return None
        if found is None or found.page is None:
            return None
        etag = data_etag(found.version, address_key(path, raw))
        if request.if_none_match.contains_weak(etag):
            response = Response(status=304)
        else:
            page = found.page
            response = Response(page.body, content_type=page.content_type)
            for name, value in page.headers.items():
                response.headers[name] = value
            if (page.gzip_body is not None
                    and "gzip" in request.headers.get("Accept-Encoding", "")
                    and (response.mimetype or "").startswith(COMPRESSIBLE)):
                response.set_data(page.gzip_body)
                response.headers["Content-Encoding"] = "gzip"
            response.headers[HIT] = "hit"
        cache_headers(response, etag, found.changed)
        security_headers(response)
        return response


def linked_models(body: bytes) -> set[str]:
    """Canonical ids of the models whose pages this page links to."""
    found = set()
    for match in _PROFILE_LINK.finditer(body.decode("utf-8", "replace")):
        path = unquote(match.group(1))
        for suffix in _SUFFIXES:
            path = path.removesuffix(suffix)
        found.add(path)
    return found


def dependencies(endpoint: str, view_args: dict[str, str], body: bytes) -> list[str]:
    """What a page shows, as queries/page_store.py's tokens."""
    if endpoint in LISTING:
        return [q.ANY]
    session = db_session()
    wanted = linked_models(body)
    if endpoint in MODEL_PAGES:
        wanted.add(f"{view_args['provider']}/{view_args['name']}")
    ids = q.model_ids(session, wanted)
    tokens = [q.model_token(i) for i in ids.values()]
    if endpoint in PROVIDER_PAGES:
        tokens.append(q.provider_token(view_args["slug"]))
    # Editorial text may quote any model's figures (shortcodes) without linking it.
    own = (ids.get(f"{view_args['provider']}/{view_args['name']}") if endpoint in MODEL_PAGES
           else None)
    if q.has_editorial(session, own, view_args.get("slug")):
        tokens.append(q.ANY)
    if endpoint == "public.profile" and own is not None:
        model = session.get(Model, own)
        if model is not None:
            tokens += q.neighbour_tokens(session, model, request_version()[0],
                                         g.get("similar_shown"))
    return tokens


def _own_address(session: Session) -> bool:
    """Whether a page rendered for this request's address may be kept. The Host header is
    the client's: one who sends a new name each time must not add a copy of every page
    each time. A build renders for the addresses it is given; a request keeps pages for
    RATECARD_SITE_URL only or, without it, for an address a build was given (its home
    page is stored) or a loopback name (a development machine)."""
    if request.environ.get(RENDER):
        return True
    site = current_app.config.get("RATECARD_SITE_URL")
    if site:
        return bool(request.url_root == site.rstrip("/") + "/")
    host = urlsplit(request.url_root).hostname or ""
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    return q.is_stored(session, q.page_key(request.url_root, "/"))


def _note_day() -> None:
    g.render_day = _today()      # a page rendered across midnight is of the earlier day


def _keep(response: Response) -> Response:
    # Registered after web/http.py's hooks, so it runs before them: the body is not gzip yet.
    if (request.method != "GET" or response.status_code != 200 or response.direct_passthrough
            or "Content-Encoding" in response.headers):
        return response
    where = _eligible()
    if where is None:
        return response
    session = database().sessionmaker()
    try:
        if not _own_address(session):
            return response
        g.page_kept = True        # web/http.py compresses it as the store does
        body = response.get_data()
        page = Rendered(
            url_root=request.url_root, address=where, endpoint=str(request.endpoint),
            content_type=response.content_type or "",
            headers={k: v for k, v in response.headers.items() if k.lower() not in _NOT_KEPT},
            body=body, etag=g.data_etag, data_version=request_version()[0],
            depends_on=dependencies(str(request.endpoint), dict(request.view_args or {}),
                                    body), day=g.get("render_day"))
        # Rendered from a version that is no longer the data's (a write landed meanwhile).
        outdated = (page.data_version != data_version(session)[0]
                    and page.data_version != q.reconciled_version(session))
        store_page(session, page, compress=True, outdated=outdated)
    except SQLAlchemyError as exc:        # the page is served all the same
        session.rollback()
        log.warning("page store: %s not kept: %s", where, exc)
    except Exception:                      # keeping a page is an optimisation, never a 500
        session.rollback()
        log.exception("page store: %s not kept", where)
    finally:
        session.close()
    return response


def init_app(app: Flask) -> None:
    """After web/http.py's init_app; before ProxyFix wraps the app (the front reads the
    address ProxyFix sets). With
    RATECARD_SITE_URL set, requests store pages of that address only (builds store those of
    the addresses they are given)."""
    app.config.setdefault("RATECARD_SITE_URL", os.environ.get("RATECARD_SITE_URL") or "")
    app.before_request(_note_day)
    app.after_request(_keep)
    app.wsgi_app = StoreFront(app, app.wsgi_app)  # type: ignore[method-assign]
