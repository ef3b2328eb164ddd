"""Every query-string and form parameter is parsed here, by type, with one set of rules.

A value the user got wrong raises BadParameter (a 400 naming the parameter: an HTML page on
the site, an RFC 9457 problem document on /api, web/errors.py). The rules, the same for
every page:
- a parameter that is absent or left empty is "not given" (None, or the default);
- numbers are ASCII digits only ('²' and '١٢' are digits to Python, not to us), in a range;
- flags are on/off words; anything else is a 400, not silently "off";
- text is length-capped and has no control characters;
- dates are YYYY-MM-DD between MIN_DATE and MAX_DATE (so date arithmetic never overflows);
  the API's instants (`at`) are ISO 8601, in the same range;
- a cursor is only good for the query that gave it out.
Each parser reads request.args unless given another mapping (request.form, the calculator's
arguments).
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import request

from ratecard.web.errors import BadParameter

MAX_TEXT = 200
MAX_PAGE = 1_000_000
MAX_DECIMALS = 12
MIN_DATE = dt.date(1970, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
TRUE_WORDS = ("1", "on", "true", "yes")
FALSE_WORDS = ("0", "off", "false", "no")
_MAX_DIGITS = 20


def _source(source: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return request.args if source is None else source


def _shown(raw: str) -> str:
    """A bad value as the message quotes it: short, whatever was sent."""
    return repr(raw[:40] + ("…" if len(raw) > 40 else ""))


def text(name: str, max_length: int = MAX_TEXT, *, source: Mapping[str, Any] | None = None,
         strip: bool = True) -> str | None:
    """The parameter's text, or None when absent or empty; capped, no control characters."""
    value = _source(source).get(name)
    if value is None:
        return None
    value = str(value).strip() if strip else str(value)
    if not value:
        return None
    if len(value) > max_length:
        raise BadParameter(name, f"at most {max_length:,} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadParameter(name, "control characters are not allowed")
    return value


def choice(name: str, allowed: Collection[str], what: str, *,
           source: Mapping[str, Any] | None = None) -> str | None:
    value = text(name, source=source)
    if value is not None and value not in allowed:
        raise BadParameter(name, f"unknown {what} {_shown(value)}")
    return value


def choices(name: str, allowed: Collection[str], what: str, *, limit: int = 50,
            source: Mapping[str, Any] | None = None) -> list[str]:
    """A repeated parameter (?cap=a&cap=b): the known values, order kept, no duplicates."""
    given = _source(source)
    values = given.getlist(name) if hasattr(given, "getlist") else [given.get(name, "")]
    if len(values) > limit:
        raise BadParameter(name, f"at most {limit} values")
    out: list[str] = []
    for raw in values:
        value = str(raw).strip()
        if value and value not in allowed:
            raise BadParameter(name, f"unknown {what} {_shown(value)}")
        if value and value not in out:
            out.append(value)
    return out


def id_list(name: str, limit: int, max_length: int = 2000, *,
            source: Mapping[str, Any] | None = None) -> list[str]:
    """Comma-separated ids, also repeated (?models=a,b&models=c): lowercased, order kept,
    duplicates dropped, at most `limit`."""
    given = _source(source)
    values = given.getlist(name) if hasattr(given, "getlist") else [given.get(name, "")]
    raw = ",".join(str(v) for v in values)
    if len(raw) > max_length or any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise BadParameter(name, f"expected up to {limit} ids separated by commas")
    ids = list(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    if len(ids) > limit:
        raise BadParameter(name, f"at most {limit} at a time ({len(ids)} given)")
    return ids


def digits(raw: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return raw.isascii() and raw.isdigit()


def whole(name: str, minimum: int = 0, maximum: int = 10**12, *,
          source: Mapping[str, Any] | None = None, what: str = "a whole number") -> int | None:
    """A whole number in [minimum, maximum], or None when absent or empty."""
    raw = text(name, 60, source=source)
    if raw is None:
        return None
    body = raw.replace("_", "")           # 1_000_000, as Python and people write it
    negative = body.startswith("-")
    number = body[1:] if body[:1] in ("-", "+") else body
    if not digits(number):
        raise BadParameter(name, f"must be {what}, got {_shown(raw)}")
    span = f"must be between {minimum:,} and {maximum:,}"
    if len(number) > _MAX_DIGITS:         # beyond every range here: not worth converting
        raise BadParameter(name, f"{span}, got {_shown(raw)}")
    value = -int(number) if negative else int(number)
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"{span}, got {value:,}")
    return value


def decimal(name: str, *, minimum: Decimal = Decimal(0), maximum: Decimal = Decimal(10**9),
            source: Mapping[str, Any] | None = None, what: str = "a number") -> Decimal | None:
    """A finite decimal number in range (a leading '$' or a trailing '%' is allowed)."""
    raw = text(name, 30, source=source)
    if raw is None:
        return None
    cleaned = raw.removeprefix("$").removesuffix("%").strip()
    try:
        # Decimal() accepts non-ASCII digits too; keep to what people type.
        value = Decimal(cleaned) if cleaned.isascii() else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise BadParameter(name, f"must be {what}, got {_shown(raw)}")
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"must be between {minimum} and {maximum}, got {_shown(raw)}")
    # 1e-999999 is in range, but no database column stores it (PostgreSQL: out of range).
    if value and int(value.normalize().as_tuple().exponent) < -MAX_DECIMALS:
        raise BadParameter(name, f"at most {MAX_DECIMALS} decimal places, got {_shown(raw)}")
    return value


def date(name: str, earliest: dt.date = MIN_DATE, latest: dt.date = MAX_DATE, *,
         source: Mapping[str, Any] | None = None) -> dt.date | None:
    raw = text(name, 10, source=source)
    if raw is None:
        return None
    try:
        value = dt.date.fromisoformat(raw) if len(raw) == 10 and raw.isascii() else None
    except ValueError:
        value = None
    if value is None:
        raise BadParameter(name, f"must be a date as YYYY-MM-DD, got {_shown(raw)}")
    if not earliest <= value <= latest:
        raise BadParameter(name, f"must be a date from {earliest} to {latest}, got {raw}")
    return value


def flag(name: str, *, source: Mapping[str, Any] | None = None) -> bool:
    """on/off: absent or empty is off; an unknown word is a 400 (not silently off)."""
    raw = text(name, 10, source=source)
    if raw is None:
        return False
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise BadParameter(name, f"must be on or off, got {_shown(raw)}")


def image_orders(name: str, limit: int) -> list[tuple[int, str | None, str | None]]:
    """Repeated `image=COUNT` or `image=COUNT:QUALITY:SIZE` (either part may be empty):
    (count, quality, size) each, empty values skipped."""
    orders = request.args.getlist(name)
    if len(orders) > limit:
        raise BadParameter(name, f"at most {limit} image orders")
    found: list[tuple[int, str | None, str | None]] = []
    for raw in orders:
        if not raw.strip():
            continue
        count, _, rest = raw.partition(":")
        quality, _, size = rest.partition(":")
        if not digits(count) or len(count) > 7 or ":" in size:
            raise BadParameter(name, "expected COUNT or COUNT:QUALITY:SIZE, such as "
                                     f"3:high:1024x1024, got {raw[:40]!r}")
        found.append((int(count), quality or None, size or None))
    return found


def page(*, source: Mapping[str, Any] | None = None) -> int:
    return whole("page", 1, MAX_PAGE, source=source) or 1


def check_page(number: int, pages: int) -> None:
    """A page past the end is a bad parameter (400), like any other out-of-range value."""
    if number > pages:
        raise BadParameter("page", f"there are {pages:,} page{'s' if pages != 1 else ''}, "
                                   f"page {number:,} does not exist")


# -- the API's own: instants, page sizes, fields, cursors ------------------------------------

_PLUS_LOST = re.compile(r"T\d\d:\d\d(:\d\d(\.\d+)?)? \d\d:\d\d$")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def instant(name: str = "at", *, source: Mapping[str, Any] | None = None) -> dt.datetime | None:
    """An ISO 8601 instant: a date (midnight UTC), or a date and time with `Z` or an offset
    (without one it is read as UTC). Returned in UTC."""
    raw = text(name, 40, source=source)
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
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise BadParameter(name, f"must be from {MIN_DATE} to {MAX_DATE}, "
                                 f"got {raw!r}")
    return value


def limit() -> int:
    return whole("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT


def fields(allowed: Collection[str]) -> list[str] | None:
    """`fields=id,name,prices`: the row fields to keep (None: all), in the order asked."""
    raw = text("fields", 500)
    if raw is None:
        return None
    chosen = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise BadParameter("fields", f"unknown field {unknown[0]!r}; the fields are "
                           + ", ".join(allowed) if unknown else "name at least one field")
    return chosen


def encode_cursor(state: dict[str, Any]) -> str:
    """The cursor a paged answer gives out for `state` (cursor() reads it back)."""
    packed = json.dumps(state, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(packed.encode()).decode().rstrip("=")


def cursor(required: Mapping[str, type]) -> dict[str, Any] | None:
    """The state a `next` cursor carries (None: the first page). A cursor is only good for
    the query that gave it out: `scope` (a digest of the other parameters) must match."""
    raw = text("cursor", 500)
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


# -- the raw request: path and query string -----------------------------------------------

def check_request() -> None:
    """Before any view: a path without control characters (no page is named by one, and
    PostgreSQL refuses NUL in text, so none may reach a query) and a query string that
    is UTF-8 text."""
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in request.path):
        raise BadParameter("path", "control characters are not allowed in an address")
    check_query_string()


def check_query_string() -> None:
    """Before any view: every name and value must be UTF-8 once percent-decoded. werkzeug
    would otherwise decode some with replacement characters and raise on others
    (request.full_path); one rule instead: a 400 naming the parameter."""
    check_query_bytes(request.query_string)


def check_query_bytes(raw: bytes) -> None:
    """check_query_string's rule on a raw query string (the catalog front checks one
    before any Flask request exists)."""
    if not raw or raw.isascii() and b"%" not in raw:
        return
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        shown = _decode(name)
        if shown is None:
            raise BadParameter("query string", "a parameter name is not valid UTF-8 text")
        if _decode(value) is None:
            raise BadParameter(shown[:60] or "query string", "is not valid UTF-8 text")


def _decode(part: bytes) -> str | None:
    try:
        return unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def request_key() -> str:
    """This request's path and query as text, for cache keys and ETags; never raises
    (request.full_path decodes the raw query string strictly)."""
    return address_key(request.path, request.query_string)


def address_key(path: str, query_string: bytes) -> str:
    return f"{path}?{query_string.decode('utf-8', 'replace')}"
