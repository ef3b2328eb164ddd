"""Which addresses make up the public site, rendered through the app itself (its test
client against the database of the CLI's context), so an exported page is the live
site's answer, byte for byte (`ratecard export-site`, services/site_export.py).

The walk starts from the home page, the sitemap (every provider and model profile), the
API's documents, robots.txt, the feeds and the fingerprinted assets; it then follows every
link of every page (<a href>, <link href>, <script src>, <img src>, data-plotly) on the
site's own host. Links with a query string (filters, sorts, search, page 2…) and the
pages that take input (editor, live test, alerts, the calculator) need the app: they are
not exported (docs/publishing.md says how a web server sends them to the app).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from flask import Flask, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ratecard.services.site_export import ExportError, Page

# Endpoints that answer input or a person's session: served by the app only.
NEEDS_APP = ("editor.", "live_test.", "alerts.", "api.cost", "api.compare_costs",
             "api.show_alert", "api.create_alert", "api.delete_alert", "public.profile_cost",
             "public.media")
# The nightly dump: there once `ratecard export` (or the scheduler) has written it.
OPTIONAL = ("exports.dump", "exports.dump_sha")
MODEL_DOCUMENTS = ("api.model_detail", "api.model_prices", "api.model_capabilities",
                   "api.model_availability", "api.model_verdicts")
START: tuple[tuple[str, dict[str, str]], ...] = (
    ("public.home", {}), ("public.sitemap", {}), ("public.robots", {}),
    ("public.catalog", {}), ("public.providers", {}), ("public.compare", {}),
    ("public.changes", {}), ("api_docs_page", {}), ("api.openapi", {}),
    ("api.models", {}), ("api.providers", {}), ("api.changes", {}),
    ("feeds.changes", {}), ("exports.prices_csv", {}))
NOT_FOUND_PROBE = "/404.html"      # no page has this address: the 404 page
LINKS = {"a": "href", "link": "href", "script": "src", "img": "src"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = LINKS.get(tag)
        for key, value in attrs:
            if value and (key == named or key == "data-plotly"):
                self.found.append(value)


def page_links(body: bytes) -> list[str]:
    parser = _Links()
    parser.feed(body.decode("utf-8", "replace"))
    parser.close()
    return parser.found


class SiteWalk:
    """Iterate to render the site: each address once, in the order found. `total` is the
    number of addresses known so far (it grows as pages name new ones)."""

    def __init__(self, app: Flask, base_url: str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ExportError(f"{base_url}: the site's address must be http(s)://host[:port]")
        self.app = app
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.client = app.test_client()
        self.adapter = app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
        self.queue: deque[str] = deque()
        self.seen: set[str] = set()
        self.needs_app: set[str] = set()      # linked addresses left to the app
        self.linked: set[str] = set()         # addresses found only as a page's link
        self.skipped: list[str] = []          # "path (why)": not exported

    @property
    def total(self) -> int:
        return len(self.seen)

    def _url_for(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context("/", base_url=self.base):
            return url_for(endpoint, **values)

    def _add(self, path: str) -> None:
        if path not in self.seen:
            self.seen.add(path)
            self.queue.append(path)

    def _endpoint(self, path: str) -> tuple[str, Mapping[str, Any]] | None:
        try:
            endpoint, values = self.adapter.match(path, method="GET")
        except RequestRedirect:
            return None
        except HTTPException:
            return None
        return str(endpoint), values

    def follow(self, href: str, page_url: str) -> None:
        url = urljoin(page_url, href)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != self.base:
            return
        path = parts.path or "/"
        if parts.query:
            self.needs_app.add(path + "?" + parts.query)
            return
        found = self._endpoint(path)
        if found is None or found[0].startswith(NEEDS_APP):
            self.needs_app.add(path)
            return
        if path not in self.seen:
            self.linked.add(path)
        self._add(path)
        if found[0] == "public.profile":
            for endpoint in MODEL_DOCUMENTS:
                self._add(self._url_for(endpoint, **found[1]))

    def __iter__(self) -> Iterator[Page]:
        for endpoint, values in START:
            self._add(self._url_for(endpoint, **values))
        with self.app.test_request_context("/", base_url=self.base):
            from ratecard.web.assets import _files, asset_url

            for name in sorted(_files()):
                self._add(asset_url(name))
        while self.queue:
            path = self.queue.popleft()
            page = self._render(path)
            if page is None:
                continue
            kind = page.content_type.split(";", 1)[0].strip()
            if kind == "text/html":
                for href in page_links(page.body):
                    self.follow(href, self.base + path)
            elif kind == "application/xml" and path.endswith("sitemap.xml"):
                for loc in ElementTree.fromstring(page.body).iter(
                        "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
                    self.follow(loc.text or "", self.base + path)
            yield page
        yield self._not_found()

    def _render(self, path: str) -> Page | None:
        try:
            response = self.client.get(path, base_url=self.base)
        except Exception as exc:  # noqa: BLE001  (any failure of a page names its URL)
            raise ExportError(f"{self.base}{path}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            found = self._endpoint(path)
            if response.status_code == 404 and found is not None and found[0] in OPTIONAL:
                self.skipped.append(f"{path} (not written yet)")
                return None
            if response.status_code == 404 and path in self.linked:
                # A page links to it and the live site answers 404 too (a content page
                # not published yet): the same broken link, not a failed export.
                self.skipped.append(f"{path} (404 on the live site)")
                return None
            raise ExportError(f"{self.base}{path}: HTTP {response.status_code} "
                              f"({response.status})")
        return Page(path, response.get_data(), response.content_type or "")

    def _not_found(self) -> Page:
        """The site's 404 page, for the web server's error_page."""
        response = self.client.get(NOT_FOUND_PROBE, base_url=self.base)
        if response.status_code != 404:
            raise ExportError(f"{self.base}{NOT_FOUND_PROBE}: HTTP {response.status_code}, "
                              "expected the 404 page")
        return Page(NOT_FOUND_PROBE, response.get_data(), response.content_type or "")
