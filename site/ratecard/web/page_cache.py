"""Rendered pages kept per data version: the same version, address and day render the same
HTML, so a page is built once per worker until a sync or a decision changes the data (the
version is the one in the ETag, web/http.py). Kept as the "pages" entries of the app's
ratecard.cache (bounded, least recently used out)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import g, request

from ratecard.cache import VersionedCache, current_cache
from ratecard.web.http import request_version
from ratecard.web.params import request_key

T = TypeVar("T")


def page_key(kind: str, *parts: str) -> tuple[str, ...]:
    """A page's key in the "pages" entries of ratecard.cache: its kind, the day and the
    address it was rendered for (the data version is the entry's version)."""
    return (kind, dt.datetime.now(dt.UTC).date().isoformat(), request.url_root, *parts)


def version_key() -> str:
    """This request's data version (and address): the ETag web/http.py computed for it."""
    return g.get("data_etag") or request_version()[0]


def cached_page(render: Callable[[], T], kind: str = "page", address: str | None = None,
                also: Hashable = None) -> T | str:
    """render(), or the page it rendered before for this data version, address (the path
    and query unless given) and day; `also` is what else the page depends on (the profile:
    its editorial revision). Only finished pages are kept: errors (BadParameter, 404) and
    redirects are not."""
    version = version_key() if also is None else (version_key(), also)
    return current_cache().get("pages", version, render,
                               key=page_key(kind, request_key() if address is None else address),
                               keep=lambda page: isinstance(page, str))


def cached_fragment(version: Hashable, key: Hashable, render: Callable[[], T]) -> T:
    """A piece many pages share (a catalog row), rendered once per data version, day and
    key in this process: the "catalog fragments" entries of ratecard.cache."""
    return current_cache().get("catalog fragments", _fragment_version(version), render,
                               key=(request.script_root, key))


def kept_fragment(version: Hashable, key: Hashable) -> object | None:
    """The fragment cached_fragment keeps for this key, or None (nothing is rendered)."""
    return fragment_in(current_cache(), version, dt.datetime.now(dt.UTC).date(),
                       request.script_root, key)


def fragment_in(cache: VersionedCache, version: Hashable, day: dt.date, script_root: str,
                key: Hashable) -> object | None:
    """kept_fragment without a request (the catalog front, web/catalog_front.py)."""
    return cache.find("catalog fragments", (version, day), (script_root, key))


def _fragment_version(version: Hashable) -> Hashable:
    return (version, dt.datetime.now(dt.UTC).date())
