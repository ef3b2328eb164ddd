"""Rendered pages kept per data version: the same version, address and day render the same
HTML, so a page is built once per worker until a sync or a decision changes the data (the
version is the one in the ETag, web/http.py)."""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request

from ratecard.web.http import request_version
from ratecard.web.params import request_key

T = TypeVar("T")


class RenderCache:
    """Bounded by total size, least recently used out first. Per app (tests build many),
    per process."""

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


def page_cache() -> RenderCache:
    return current_app.extensions.setdefault(  # type: ignore[no-any-return]
        "ratecard.pages", RenderCache())


def version_key() -> str:
    """This request's data version (and address): the ETag web/http.py computed for it."""
    return g.get("data_etag") or request_version()[0]


def cached_page(render: Callable[[], T]) -> T | str:
    """render(), or the page it rendered before for this data version, address and day.
    Only finished pages are kept: errors (BadParameter, 404) and redirects are not."""
    key = (version_key(), dt.datetime.now(dt.UTC).date().isoformat(), request.url_root,
           request_key())
    cache = page_cache()
    page = cache.get(key)
    if page is not None:
        return page
    result = render()
    if isinstance(result, str):
        cache.put(key, result)
    return result
