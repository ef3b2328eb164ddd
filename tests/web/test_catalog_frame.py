"""Catalog queries filled into frames (web/catalog_frame.py) and answered by the catalog
front (web/catalog_front.py): the page a query gets is the page a plain render of the
templates gives, byte for byte, and the front's answer is Flask's."""
from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import zlib
from typing import Any

import pytest
from flask.testing import FlaskClient

from ratecard import cache
from ratecard.web import catalog_frame
from ratecard.web.page_store import HIT, RENDER
from tests.web.html_tables import column

# Words no page shows, that escaping and URL-quoting change, or that look like a stand-in.
WORDS = ("mini", "gpt 4o", "  claude  ", "<script>alert('x')</script>", 'a"b&c', "c++",
         "100%", "naïve über", "a+b=c&d", "é/?:@!$'()*,;", catalog_frame.WORDS_MARK,
         "987,654,321", "zRcLink0z", "<!--ratecard:rows-->")
SHAPES = ("", "sort=input", "sort=name&order=desc", "provider=openai", "mode=chat&sort=output",
          "mode=image_generation&sort=per_image", "cap=vision&cap=reasoning&deprecated=1",
          "max_input_price=1&min_context=128000", "page=2", "provider=openai&utm_source=x%26y")


def _urls() -> list[str]:
    from urllib.parse import quote_plus

    urls = [f"/models?q={quote_plus(w)}" + (f"&{s}" if s else "")
            for w, s in itertools.product(WORDS, SHAPES)]
    # No words, a blank search, the words after the filters, a repeated q.
    return urls + ["/models?sort=input&mode=chat", "/models?q=+++&sort=input",
                   "/models?provider=openai&q=gpt", "/models?q=gpt&q=mini",
                   "/models?q=gpt&sort=released&page=3"]


def _body(response: Any) -> bytes:
    if response.headers.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.data)
    return bytes(response.data)


def _get(client: FlaskClient, url: str, **environ: object) -> Any:
    return client.get(url, headers={"Accept-Encoding": "gzip"}, environ_overrides=environ)


def test_a_filled_page_is_the_plain_render(site_client: FlaskClient,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    urls = _urls()
    cache.clear_all()
    # Twice: the first query of a frame renders it, the second fills the frame kept.
    filled = {url: (r.status_code, _body(r)) for url in urls * 2
              for r in [_get(site_client, url, **{RENDER: True})]}
    cache.clear_all()
    monkeypatch.setattr(catalog_frame, "cut", lambda *args: None)   # every page plain
    plain = {url: (r.status_code, _body(r)) for url in urls
             for r in [_get(site_client, url, **{RENDER: True})]}
    cache.clear_all()
    assert sum(status == 200 for status, _ in plain.values()) > len(urls) * 0.9
    assert [u for u in urls if filled[u] != plain[u]] == []


def test_every_stand_in_is_cut_where_its_escaping_is_known(site_client: FlaskClient,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """No catalog page falls back to a plain render: the frames are cut every time."""
    refused = []
    cut = catalog_frame.cut

    def watched(*args: Any) -> catalog_frame.Frame | None:
        frame = cut(*args)
        if frame is None:
            refused.append(args[0][:200])
        return frame

    monkeypatch.setattr(catalog_frame, "cut", watched)
    cache.clear_all()
    for url in _urls():
        _get(site_client, url, **{RENDER: True})
    cache.clear_all()
    assert refused == []


def test_the_front_answers_as_flask_does(site_client: FlaskClient) -> None:
    cache.clear_all()
    urls = _urls()
    for url in urls:                      # Flask renders the frames and rows
        _get(site_client, url)
    answered = 0
    for url in urls:
        front = _get(site_client, url)
        flask = _get(site_client, url, **{RENDER: True})
        answered += front.headers.get(HIT) == "filled"
        assert front.status_code == flask.status_code, url
        assert _body(front) == _body(flask), url
        ignore = ("Content-Length", HIT)
        assert ({k: v for k, v in front.headers.items() if k not in ignore}
                == {k: v for k, v in flask.headers.items() if k not in ignore}), url
    # Everything with words but the repeated q (and a blank search) is the front's.
    assert answered >= len(urls) - 8
    cache.clear_all()


def test_the_fronts_gzip_is_one_valid_stream(site_client: FlaskClient) -> None:
    cache.clear_all()
    for url in ("/models?q=gpt", "/models?q=gpt&provider=openai", "/models?q=zzzzqq"):
        _get(site_client, url)
        response = _get(site_client, url)
        assert response.headers[HIT] == "filled"
        assert response.headers["Content-Encoding"] == "gzip"
        stream = zlib.decompressobj(wbits=31)       # strict: header, CRC-32 and size
        body = stream.decompress(response.data) + stream.flush()
        assert stream.eof and stream.unused_data == b""
        assert body == _body(_get(site_client, url, **{RENDER: True}))
        assert int(response.headers["Content-Length"]) == len(response.data)
        plain = site_client.get(url)               # no gzip asked: none sent
        assert "Content-Encoding" not in plain.headers and plain.data == body
    cache.clear_all()


def test_the_front_leaves_bad_parameters_and_errors_to_flask(site_client: FlaskClient
                                                             ) -> None:
    cache.clear_all()
    _get(site_client, "/models?q=gpt&sort=input")
    for url, parameter in (("/models?q=gpt&sort=bogus", "sort"),
                           ("/models?q=gpt&sort=input&page=999", "page"),
                           ("/models?q=gpt&max_input_price=-1", "max_input_price"),
                           ("/models?q=%FF&sort=input", "q"),
                           ("/models?q=" + "x" * 300, "q")):
        response = _get(site_client, url)
        assert response.status_code == 400, url
        assert parameter.encode() in _body(response), url
        assert HIT not in response.headers
    cache.clear_all()


def test_the_front_answers_revalidation_and_head(site_client: FlaskClient) -> None:
    cache.clear_all()
    url = "/models?q=claude&sort=input"
    _get(site_client, url)
    first = _get(site_client, url)
    assert first.headers[HIT] == "filled"
    again = site_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = site_client.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]
    cache.clear_all()


def test_a_sync_shows_in_the_next_filled_page(db: Any, client: FlaskClient) -> None:
    """Frames are kept per data version: the query after a sync gets the new prices,
    from the front as from Flask."""
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    def sync(day: str, cost: float) -> None:
        payload = {f"m-{n}": {"litellm_provider": "acme", "mode": "chat",
                              "input_cost_per_token": cost * n,
                              "output_cost_per_token": cost} for n in (1, 2)}
        assert run_sync(db, litellm.SOURCE, payload=json.dumps(payload).encode(),
                        as_of=dt.date.fromisoformat(day)).ok

    sync("2026-01-01", 2e-06)
    for words in ("m", "m-1", "m-2"):             # frames and rows kept
        assert _get(client, f"/models?q={words}&sort=input").status_code == 200
    before = _get(client, "/models?q=m-&sort=input")
    assert before.headers[HIT] == "filled"
    assert column(_body(before), "catalog", "Input") == ["$2.00", "$4.00"]
    sync("2026-02-01", 3e-06)
    after = _get(client, "/models?q=m-&sort=input&order=desc")
    assert column(_body(after), "catalog", "Input") == ["$6.00", "$3.00"]
    again = _get(client, "/models?q=acme&sort=input&order=desc")   # the frames just made
    assert again.headers[HIT] == "filled"
    assert column(_body(again), "catalog", "Input") == ["$6.00", "$3.00"]


def test_a_fault_in_the_front_leaves_the_query_to_flask(site_client: FlaskClient,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    cache.clear_all()
    url = "/models?q=gemini&sort=input"
    _get(site_client, url)
    assert _get(site_client, url).headers[HIT] == "filled"

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a fault in the front")

    monkeypatch.setattr(catalog_frame, "gzip_page", broken)
    response = _get(site_client, url)
    assert response.status_code == 200 and HIT not in response.headers
    assert _body(response) == _body(_get(site_client, url, **{RENDER: True}))
    cache.clear_all()
