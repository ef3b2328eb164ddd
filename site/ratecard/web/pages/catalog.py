"""The catalog (/models): every model in one table, filtered, sorted and paged in SQL.

All state lives in the query string, so every view is a link and the page works without
JavaScript (a GET form). Query-string helpers here are shared by the other list pages.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from decimal import Decimal, InvalidOperation
from typing import TypeVar
from urllib.parse import quote, urlencode

from flask import current_app, g, render_template, request, url_for

from ratecard.models import Model
from ratecard.queries import listing
from ratecard.queries.listing import ModelRef
from ratecard.web.errors import BadParameter
from ratecard.web.formatting import mode_label
from ratecard.web.http import request_version
from ratecard.web.public import bp
from ratecard.web.session import db_session

T = TypeVar("T")
MAX_TEXT = 200
MAX_PAGE = 1_000_000
CONTEXT_CHOICES = (8_000, 32_000, 128_000, 200_000, 1_000_000)
# First click on a column sorts the way people read it: cheapest, biggest, newest first.
FIRST_DIRECTION = {"context": "desc", "released": "desc"}
_SEGMENT_SAFE = "!$&'()*+,/:;=@"     # werkzeug.routing.BaseConverter.to_url


# -- query-string parameters (400 naming the parameter on anything malformed) ----------------

def text_arg(name: str, max_length: int = MAX_TEXT) -> str | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if len(value) > max_length:
        raise BadParameter(name, f"at most {max_length} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadParameter(name, "control characters are not allowed")
    return value


def choice_arg(name: str, allowed: Collection[str], what: str) -> str | None:
    value = text_arg(name)
    if value is not None and value not in allowed:
        raise BadParameter(name, f"unknown {what} {value!r}")
    return value


def int_arg(name: str, minimum: int = 0, maximum: int = 10**12) -> int | None:
    raw = text_arg(name, 20)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"must be between {minimum:,} and {maximum:,}, got {value}")
    return value


def decimal_arg(name: str) -> Decimal | None:
    raw = text_arg(name, 30)
    if raw is None:
        return None
    try:
        value = Decimal(raw.removeprefix("$"))
    except InvalidOperation:
        raise BadParameter(name, f"must be a number of US dollars, got {raw!r}") from None
    if not value.is_finite():
        raise BadParameter(name, f"must be a finite number, got {raw!r}")
    if value < 0:
        raise BadParameter(name, f"cannot be negative, got {raw!r}")
    return value


def date_arg(name: str) -> dt.date | None:
    raw = text_arg(name, 10)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else _bad_date(name, raw)
    except ValueError:
        return _bad_date(name, raw)


def _bad_date(name: str, raw: str) -> dt.date:
    raise BadParameter(name, f"must be a date as YYYY-MM-DD, got {raw!r}")


def flag_arg(name: str) -> bool:
    return (text_arg(name, 10) or "").lower() in ("1", "on", "yes", "true")


def page_arg() -> int:
    return int_arg("page", minimum=1, maximum=MAX_PAGE) or 1


def check_page(page: int, pages: int) -> None:
    """A page past the end is a bad parameter (400), like any other out-of-range value."""
    if page > pages:
        raise BadParameter("page", f"there are {pages:,} page{'s' if pages != 1 else ''}, "
                                   f"page {page:,} does not exist")


@bp.app_template_global()
def url_with(**changes: object) -> str:
    """This page's URL with some query parameters changed (None removes one). Changing a
    filter or the sort goes back to page 1."""
    args: dict[str, list[str]] = {k: [v for v in request.args.getlist(k) if v]
                                  for k in request.args}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "" or value == []:
            args.pop(key, None)
        elif isinstance(value, list | tuple):
            args[key] = [str(v) for v in value]
        else:
            args[key] = [str(value)]
    params = {k: v for k, v in args.items() if v}
    # A page links to itself dozens of times: build the path once per request, then append
    # the query as url_for would (werkzeug's _urlencode: these characters stay unescaped).
    # Query parameters never reach url_for as arguments, so ?_anchor=… or a parameter named
    # like a path part (/providers/x?slug=…) is a parameter like any other, not a 500.
    if "url_with_base" not in g:
        g.url_with_base = url_for(request.endpoint or "public.home",
                                  **(request.view_args or {}))
    if not params:
        return g.url_with_base  # type: ignore[no-any-return]
    return g.url_with_base + "?" + urlencode(  # type: ignore[no-any-return]
        [(k, v) for k, values in params.items() for v in values], safe="!$'()*,/:;?@")


@bp.app_template_filter("mode_name")
def mode_name(mode: str | None) -> str:
    """The same label as mode_label (formatting.mode_label): one label per mode everywhere."""
    return mode_label(mode)


@bp.app_template_global()
def profile_url(model: Model | ModelRef) -> str:
    return profile_path(model.provider.slug, model.canonical_id)


def profile_path(provider_slug: str, canonical_id: str, root: str | None = None) -> str:
    """url_for("public.profile", provider=…, name=…) without its cost per call (the sitemap
    links thousands of models): the prefix (profile_root) comes from url_for once per
    request, each part is quoted as werkzeug's converters quote it (BaseConverter.to_url)."""
    name = canonical_id.split("/", 1)[1]
    return (f"{root or profile_root()}/{quote(provider_slug, safe=_SEGMENT_SAFE)}/"
            f"{quote(name, safe=_SEGMENT_SAFE)}")


@bp.app_template_global()
def provider_path(slug: str) -> str:
    """url_for("public.provider", slug=…) for a table of models: as profile_path."""
    if "provider_root" not in g:
        g.provider_root = url_for("public.provider", slug="p").removesuffix("/p")
    return f"{g.provider_root}/{quote(slug, safe=_SEGMENT_SAFE)}"


def profile_root() -> str:
    """What every profile URL starts with ("/models", behind any script root)."""
    if "profile_root" not in g:
        g.profile_root = url_for("public.profile", provider="p", name="n").removesuffix("/p/n")
    return g.profile_root  # type: ignore[no-any-return]


# -- rendered pages, kept per data version ----------------------------------------------------

class RenderCache:
    """Pages rendered for one data version: the same version, address and day render the
    same HTML, so a page is built once per worker until a sync or a decision changes the
    data (the version is the one in the ETag, web/http.py). Bounded by total size, least
    recently used out first. Per app (tests build many), per process."""

    def __init__(self, max_bytes: int = 48 * 1024 * 1024):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[tuple[str, ...], str] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> str | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, ...], page: str) -> None:
        with self.lock:
            if key in self.pages or len(page) > self.max_bytes // 8:
                return
            self.pages[key] = page
            self.size += len(page)
            while self.size > self.max_bytes:
                _old, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped)


def version_key() -> str:
    """This request's data version (and address): the ETag web/http.py computed for it."""
    return g.get("data_etag") or request_version()[0]


def cached_page(render: Callable[[], T]) -> T | str:
    """render(), or the page it rendered before for this data version, address and day.
    Only finished pages are kept: errors (BadParameter, 404) and redirects are not."""
    key = (version_key(), dt.datetime.now(dt.UTC).date().isoformat(), request.url_root,
           request.full_path)
    cache: RenderCache = current_app.extensions.setdefault("ratecard.pages", RenderCache())
    page = cache.get(key)
    if page is not None:
        return page
    result = render()
    if isinstance(result, str):
        cache.put(key, result)
    return result


# -- the page ---------------------------------------------------------------------------------

def _filters(providers: list[tuple[str, str]], modes: list[str],
             modalities: tuple[list[str], list[str]]) -> listing.Filters:
    return listing.Filters(
        provider=choice_arg("provider", {slug for slug, _ in providers}, "provider"),
        mode=choice_arg("mode", {*modes, "unknown"}, "mode"),
        input_modality=choice_arg("input_modality", modalities[0], "input modality"),
        output_modality=choice_arg("output_modality", modalities[1], "output modality"),
        capabilities=tuple(dict.fromkeys(_capabilities())),
        max_input_price=decimal_arg("max_input_price"),
        min_context=int_arg("min_context"),
        include_deprecated=flag_arg("deprecated"),
        search=text_arg("q"),
    )


def _capabilities() -> list[str]:
    values = [v.strip() for v in request.args.getlist("cap") if v.strip()]
    for value in values:
        if value not in listing.BADGE_CAPABILITIES:
            raise BadParameter("cap", f"unknown capability {value[:60]!r}")
    return values


@bp.get("/models")
def catalog() -> str:
    return cached_page(_catalog)


def _catalog() -> str:
    session = db_session()
    providers, modes, modalities = listing.facets(session, request_version()[0])
    filters = _filters(providers, modes, modalities)
    sort = choice_arg("sort", listing.SORTS, "sort column") or "name"
    order = choice_arg("order", ("asc", "desc"), "order") or FIRST_DIRECTION.get(sort, "asc")
    page_number = page_arg()
    page = listing.listing(session, filters, sort, order == "desc", page_number)
    check_page(page_number, page.pages)
    return render_template(
        "catalog/index.html", page=page, filters=filters, sort=sort, order=order,
        providers=providers, modes=modes, modalities=modalities,
        capabilities=listing.BADGE_CAPABILITIES, context_choices=CONTEXT_CHOICES,
        first_direction=FIRST_DIRECTION, per_page=listing.PAGE_SIZE,
        more_filters=any(request.args.get(k) for k in (
            "input_modality", "output_modality", "cap", "min_context", "deprecated")),
        filtered=any(request.args.get(k) for k in (
            "q", "provider", "mode", "input_modality", "output_modality", "cap",
            "max_input_price", "min_context", "deprecated")),
    )
