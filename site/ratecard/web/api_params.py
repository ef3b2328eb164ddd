"""Parameters only the JSON API takes: instants (`at`), opaque cursors, page sizes, `fields`,
and the Link header of a paged answer. Bad values raise BadParameter (a problem document
naming the parameter, web/errors.py), like every parser in web/params.py."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Response, request
from werkzeug.urls import iri_to_uri

from ratecard.web import params
from ratecard.web.errors import BadParameter

_PLUS_LOST = re.compile(r"T\d\d:\d\d(:\d\d(\.\d+)?)? \d\d:\d\d$")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def instant(name: str = "at", *, source: Mapping[str, Any] | None = None) -> dt.datetime | None:
    """An ISO 8601 instant: a date (midnight UTC), or a date and time with `Z` or an offset
    (without one it is read as UTC). Returned in UTC."""
    raw = params.text(name, 40, source=source)
    if raw is None:
        return None
    if _PLUS_LOST.search(raw):           # an unencoded "+02:00" arrives as " 02:00"
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        value = dt.datetime.fromisoformat(raw) if raw.isascii() and len(raw) >= 10 else None
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(name, "must be an ISO 8601 date or date and time, such as "
                                 f"2026-03-01 or 2026-03-01T12:00:00Z, got {raw[:40]!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:
        value = dt.datetime.min.replace(tzinfo=dt.UTC)
    if not params.MIN_DATE <= value.date() <= params.MAX_DATE:
        raise BadParameter(name, f"must be from {params.MIN_DATE} to {params.MAX_DATE}, "
                                 f"got {raw!r}")
    return value


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def limit() -> int:
    return params.whole("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT


def fields(allowed: Collection[str]) -> list[str] | None:
    """`fields=id,name,prices`: the row fields to keep (None: all), in the order asked."""
    raw = params.text("fields", 500)
    if raw is None:
        return None
    chosen = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise BadParameter("fields", f"unknown field {unknown[0]!r}; the fields are "
                           + ", ".join(allowed) if unknown else "name at least one field")
    return chosen


def encode_cursor(state: dict[str, Any]) -> str:
    text = json.dumps(state, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor(required: Mapping[str, type]) -> dict[str, Any] | None:
    """The state a `next` cursor carries (None: the first page). A cursor is only good for
    the query that gave it out: `scope` (a digest of the other parameters) must match."""
    raw = params.text("cursor", 500)
    if raw is None:
        return None
    bad = BadParameter("cursor", "not a cursor this API gave out for this query; start "
                                 "again without it")
    try:
        state = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(state, dict) or state.get("scope") != scope():
        raise bad
    for key, kind in required.items():
        value = state.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) or (
                isinstance(value, int) and not 0 <= value <= 10**9):
            raise bad
    return state


def scope() -> str:
    """The query's parameters other than the cursor (limit included), as a short tag."""
    pairs = sorted((k, v) for k, vs in request.args.lists() if k != "cursor"
                   for v in vs)
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:12]


def next_url(next_cursor: str) -> str:
    """This request's URL with `cursor` replaced (other parameters kept, limit too)."""
    pairs = [(k, v) for k, vs in request.args.lists() if k != "cursor" for v in vs]
    pairs.append(("cursor", next_cursor))
    return iri_to_uri(f"{request.base_url}?{urlencode(pairs)}")


def paged(response: Response, next_cursor: str | None) -> Response:
    """RFC 8288 Link: the next page (absent on the last page)."""
    if next_cursor is not None:
        response.headers["Link"] = f'<{next_url(next_cursor)}>; rel="next"'
    return response
