"""Response policy for every page: security headers, compression, conditional GET.

Pages are cached by the data version (a new sync run or decision changes it), so a
revalidating client gets a 304 without the page being rendered.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib

from flask import Flask, Response, g, request

from ratecard.cache import current_cache
from ratecard.queries.version import data_version
from ratecard.web.params import check_request, request_key
from ratecard.web.session import db_session

# Scripts only from us; plotly.js injects its own <style> elements, hence inline styles.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
COMPRESSIBLE = ("text/", "application/json", "application/problem+json",
                "application/xml", "image/svg+xml", "text/javascript")
MIN_SIZE = 500
# Pages change with the data: a cache keeps them, and asks whether they changed.
CACHE_CONTROL = "public, max-age=0, must-revalidate"


def request_version() -> tuple[str, dt.datetime | None]:
    """data_version() once per request: the check below and the views share it."""
    if "data_version" not in g:
        g.data_version = data_version(db_session())
    return g.data_version


SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def data_etag(version: str, key: str) -> str:
    """A page's ETag value: its data version and its address (params.request_key).
    Weak: the same data renders the same page, not necessarily the same bytes (gzip)."""
    return f"{version}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _version_check() -> Response | None:
    """Answer 304 before rendering when the client already has this data version."""
    if request.method not in ("GET", "HEAD") or request.blueprint in (None, "assets"):
        return None
    version, stamp = request_version()
    g.data_etag = data_etag(version, request_key())
    g.data_stamp = stamp
    if request.if_none_match.contains_weak(g.data_etag):
        response = Response(status=304)
        _cache_headers(response)
        return response
    return None


def cache_headers(response: Response, etag: str, stamp: dt.datetime | None) -> None:
    """Revalidation headers of a page of this data version (web/page_store.py's front
    sets them too)."""
    response.set_etag(etag, weak=True)
    if stamp is not None:
        response.last_modified = stamp
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    response.vary.add("Accept-Encoding")


def security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def _cache_headers(response: Response) -> None:
    if "data_etag" in g and response.status_code in (200, 304):
        cache_headers(response, g.data_etag, g.data_stamp)


def _after(response: Response) -> Response:
    _cache_headers(response)
    security_headers(response)
    _compress(response)
    return response


def _compress(response: Response) -> None:
    if (response.direct_passthrough or response.status_code < 200
            or response.status_code in (204, 304) or "Content-Encoding" in response.headers
            or "gzip" not in request.headers.get("Accept-Encoding", "")
            or not (response.mimetype or "").startswith(COMPRESSIBLE)):
        return
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return
    many = g.get("page_kept") or request.blueprint == "assets"     # sent many times
    response.set_data(_gzipped(body, 6 if many else 1))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.headers.get("ETag", "").startswith('"'):
        response.headers["ETag"] = "W/" + response.headers["ETag"]


def _gzipped(body: bytes, level: int) -> bytes:
    """The body compressed, once per distinct body: the "gzip" entries of ratecard.cache,
    found by checksum (a changed page has another one, so they need no version). A page the
    store keeps is compressed as the store compresses it (level 6, services/page_store.py),
    and so is an asset: each is sent many times. Any other (a catalog query, an API answer)
    at level 1: made for one answer, it costs less than half the time for a fifth more
    bytes."""
    key = hashlib.blake2b(body, digest_size=20).digest()   # collisions: not a concern
    return current_cache().get(
        "gzip", "", lambda: gzip.compress(body, compresslevel=level, mtime=0), key=(key, level))


def init_app(app: Flask) -> None:
    app.before_request(check_request)     # first: nothing reads a path or query it refuses
    app.before_request(_version_check)
    app.after_request(_after)
