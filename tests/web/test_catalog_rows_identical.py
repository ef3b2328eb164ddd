"""The catalog read from its rows (models/catalog_rows.py) renders byte for byte what the
listing over the normalised tables rendered (tests/web/catalog_before.py, the old path), on
the test catalog, for filters x sorts x searches x pages, the API's listing and provider
pages."""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask.testing import FlaskClient

from ratecard import cache
from ratecard.queries import catalog
from ratecard.web.page_store import RENDER
from tests.web import catalog_before

SORTS = ("", "name", "provider", "mode", "input", "output", "context", "released",
         "availability", "p50", "image_tokens", "per_image", "image", "featured")
FILTERS = ("", "provider=openai", "mode=chat", "mode=image_generation", "mode=unknown",
           "cap=vision&cap=function_calling", "max_input_price=1", "min_context=128000",
           "deprecated=1", "input_modality=image", "output_modality=image")
SEARCHES = ("q=mini", "q=gpt 4o", "q=claude&provider=anthropic", "q=zzzzqqq",
            "q=flash&mode=chat&max_input_price=0.5")
IMAGE_SORTS = ("image_tokens", "per_image", "image")


def _urls() -> list[str]:
    urls = []
    for f, s, o, p in itertools.product(FILTERS, SORTS, ("", "desc"), ("", "2")):
        urls.append("/models?" + "&".join(x for x in (
            f, s and f"sort={s}", o and f"order={o}", p and f"page={p}") if x))
    for f, s, o in itertools.product(SEARCHES, SORTS, ("", "&order=desc")):
        if s not in IMAGE_SORTS:        # the old path answered these with a 500 (KeyError)
            urls.append(f"/models?{f}&sort={s}{o}" if s else f"/models?{f}{o}")
    return urls + ["/api/v1/models?limit=500", "/api/v1/models?sort=input&limit=200",
                   "/api/v1/models?sort=output&order=desc&limit=300&offset=100",
                   "/api/v1/models?mode=chat&sort=availability&limit=100",
                   "/providers/openai", "/providers/google"]


def _render(client: FlaskClient, urls: list[str]) -> dict[str, tuple[int, bytes]]:
    cache.clear_all()
    out = {}
    for url in urls:
        # Rendered, never the page store's copy of the first pass's pages.
        response = client.get(url, environ_overrides={RENDER: True})
        out[url] = (response.status_code, response.data)
    return out


def test_the_catalog_renders_as_it_did(site_client: FlaskClient,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    urls = _urls()
    now = _render(site_client, urls)
    def listing_before(*args: Any, rows: bool = True, **kwargs: Any) -> catalog.Page:
        page = catalog_before.listing(*args, **kwargs)     # always with its rows
        page.ids = [row.model.id for row in page.rows]
        return page

    monkeypatch.setattr(catalog, "listing", listing_before)
    monkeypatch.setattr(catalog, "facets", catalog_before.facets)
    before = _render(site_client, urls)
    cache.clear_all()
    assert sum(status == 200 for status, _ in now.values()) > len(urls) * 0.9
    assert [u for u in urls if now[u] != before[u]] == []
