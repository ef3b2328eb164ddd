"""What every /api/v1 answer shares: a per-address rate limit, CORS, and strict parameters
(the ones the OpenAPI document lists for the operation, no others).

Rate limit: a fixed window per client address (request.remote_addr, which ProxyFix sets from
X-Forwarded-For when RATECARD_PROXY_HOPS says to believe our proxies). Counted in process
memory, so per process: with gunicorn -w N a client gets up to N times the limit. Settings:
RATECARD_API_RATE_LIMIT requests (default 300) per RATECARD_API_RATE_WINDOW seconds (60);
0 turns it off. Headers on every answer: RateLimit-Limit, RateLimit-Remaining,
RateLimit-Reset (seconds) and RateLimit-Policy; over the limit, 429 with Retry-After.
"""
from __future__ import annotations

import math
import os
import threading
import time

from flask import Response, current_app, g, request
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App

from ratecard.web.api import bp
from ratecard.web.errors import BadParameter, problem
from ratecard.web.openapi_spec import query_parameters

PREFIX = "/api/v1"
EXPOSED = ("ETag, Last-Modified, Link, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
           "RateLimit-Reset, RateLimit-Policy")
MAX_KEYS = 100_000          # addresses remembered at once; a full table starts a new one


class WindowLimiter:
    """At most `limit` hits per key in each `window`-second window (fixed, aligned to the
    clock); thread-safe; memory bounded by MAX_KEYS. Counters, not derived values: not
    kept in ratecard.cache, whose eviction would forget a client's hits."""

    def __init__(self, limit: int, window: int):
        self.limit, self.window = limit, window
        self.counts: dict[str, tuple[int, int]] = {}      # key -> (window number, hits)
        self.lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until the window resets)."""
        now = time.time() if now is None else now
        number = int(now // self.window)
        reset = max(1, math.ceil((number + 1) * self.window - now))
        with self.lock:
            seen, hits = self.counts.get(key, (number, 0))
            if seen != number:
                hits = 0
            if hits >= self.limit:
                return False, 0, reset
            if len(self.counts) >= MAX_KEYS and key not in self.counts:
                self.counts = {k: v for k, v in self.counts.items() if v[0] == number}
                if len(self.counts) >= MAX_KEYS:
                    self.counts.clear()
            self.counts[key] = (number, hits + 1)
            return True, self.limit - hits - 1, reset


def _setting(app: App, name: str, default: int) -> int:
    raw = app.config.get(name, os.environ.get(name))
    if raw in (None, ""):
        return default
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{name} must be a whole number, got {raw!r}")
    return int(text)


def _install(state: BlueprintSetupState) -> None:
    app = state.app
    # Test apps (TESTING) are not limited unless a test sets the limit: one test client
    # is one address making thousands of calls.
    limit = _setting(app, "RATECARD_API_RATE_LIMIT", 0 if app.testing else 300)
    window = _setting(app, "RATECARD_API_RATE_WINDOW", 60) or 60
    app.extensions["ratecard.api_limiter"] = WindowLimiter(limit, window) if limit else None
    # First of all: a revalidation answered 304 by web/http.py counts too.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit)
    app.after_request(_headers)


def _limit() -> Response | None:
    if not request.path.startswith(PREFIX) or request.method == "OPTIONS":
        return None
    limiter: WindowLimiter | None = current_app.extensions.get("ratecard.api_limiter")
    if limiter is None:
        return None
    allowed, remaining, reset = limiter.hit(request.remote_addr or "unknown")
    g.rate_limit = (limiter.limit, remaining, reset, limiter.window)
    if allowed:
        return None
    response = problem(429, "Too Many Requests",
                       f"At most {limiter.limit} requests per {limiter.window} seconds from one "
                       f"address; try again in {reset} seconds.")
    response.headers["Retry-After"] = str(reset)
    return response


def _headers(response: Response) -> Response:
    if not request.path.startswith(PREFIX):
        return response
    if "rate_limit" in g:
        limit, remaining, reset, window = g.rate_limit
        response.headers["RateLimit-Limit"] = str(limit)
        response.headers["RateLimit-Remaining"] = str(remaining)
        response.headers["RateLimit-Reset"] = str(reset)
        response.headers["RateLimit-Policy"] = f"{limit};w={window}"
    # Open data, read with no credentials: any site may read it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ("Authorization, Content-Type, "
                                                            "If-None-Match")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.before_request
def _strict_parameters() -> None:
    """A parameter the operation does not take is a 400 naming it (a typo such as
    ?provder= would otherwise be silently ignored and answer the unfiltered list)."""
    if request.method == "OPTIONS" or request.endpoint is None:
        return
    allowed = query_parameters(request.endpoint.rsplit(".", 1)[-1],
                               "get" if request.method == "HEAD" else request.method.lower())
    for name in request.args:
        if name not in allowed:
            raise BadParameter(name, "unknown parameter for this operation; it takes "
                               + (", ".join(sorted(allowed)) or "none"))


bp.record_once(_install)


# After the parameter check: a cached answer is only ever one to an accepted query.
from ratecard.web import api_cache  # noqa: E402,F401,I001
