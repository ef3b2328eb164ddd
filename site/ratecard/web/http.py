"""Response policy for every page: security headers, compression, conditional GET.

Pages are cached by the data version (a new sync run or decision changes it), so a
revalidating client gets a 304 without the page being rendered.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
from collections import OrderedDict

from flask import Flask, Response, g, request

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


def request_version() -> tuple[str, dt.datetime | None]:
    """data_version() once per request: the check below and the views share it."""
    if "data_version" not in g:
        g.data_version = data_version(db_session())
    return g.data_version  # type: ignore[no-any-return]


def _version_check() -> Response | None:
    """Answer 304 before rendering when the client already has this data version."""
    if request.method not in ("GET", "HEAD") or request.blueprint in (None, "assets"):
        return None
    version, stamp = request_version()
    # Weak: the same data renders the same page, not necessarily the same bytes (gzip).
    path_hash = hashlib.sha256(request_key().encode()).hexdigest()[:16]
    g.data_etag = f"{version}-{path_hash}"
    g.data_stamp = stamp
    if request.if_none_match.contains_weak(g.data_etag):
        response = Response(status=304)
        _cache_headers(response)
        return response
    return None


def _cache_headers(response: Response) -> None:
    if "data_etag" in g and response.status_code in (200, 304):
        response.set_etag(g.data_etag, weak=True)
        if g.data_stamp is not None:
            response.last_modified = g.data_stamp
        response.headers.setdefault("Cache-Control", "public, max-age=0, must-revalidate")
        response.vary.add("Accept-Encoding")


def _after(response: Response) -> Response:
    _cache_headers(response)
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
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
    response.set_data(_gzipped(body))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.headers.get("ETag", "").startswith('"'):
        response.headers["ETag"] = "W/" + response.headers["ETag"]


class _GzipCache:
    """Compressed bodies by content checksum: the same page is compressed once, not per hit.

    Bounded by total size; least recently used entries go first. Per process, like the
    page caches, so it needs no invalidation: a changed page has another checksum.
    """

    def __init__(self, limit_bytes: int = 32 * 1024 * 1024):
        self.limit = limit_bytes
        self.size = 0
        self.entries: OrderedDict[bytes, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, body: bytes) -> bytes:
        key = hashlib.blake2b(body, digest_size=20).digest()   # collisions: not a concern
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
                return found
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self.lock:
            if key not in self.entries:
                self.entries[key] = packed
                self.size += len(packed)
                while self.size > self.limit and self.entries:
                    _, dropped = self.entries.popitem(last=False)
                    self.size -= len(dropped)
        return packed


_gzipped = _GzipCache().get


def init_app(app: Flask) -> None:
    app.before_request(check_request)     # first: nothing reads a path or query it refuses
    app.before_request(_version_check)
    app.after_request(_after)
