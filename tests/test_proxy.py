"""RATECARD_PROXY_HOPS: behind our own reverse proxy the client's address is the one the
proxy forwarded (login throttling counts it); without the setting a forwarded header is
not believed, so a client cannot choose the address its failures are counted under."""
from __future__ import annotations

import pytest
from flask import request

from ratecard.config import proxy_hops


def _seen_address(app, headers):  # type: ignore[no-untyped-def]
    @app.get("/__addr")
    def addr() -> str:
        return f"{request.remote_addr} {request.scheme}"

    return app.test_client().get("/__addr", headers=headers,
                                  environ_base={"REMOTE_ADDR": "10.0.0.1"}).get_data(as_text=True)


FORWARDED = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_not_believed_by_default(make_app, db):  # type: ignore[no-untyped-def]
    app = make_app()
    assert _seen_address(app, FORWARDED) == "10.0.0.1 http"


def test_one_trusted_proxy_gives_the_address_it_saw(make_app, db):  # type: ignore[no-untyped-def]
    app = make_app(RATECARD_PROXY_HOPS=1)
    # Only the last hop (appended by our proxy) is believed, not what the client wrote.
    assert _seen_address(app, FORWARDED) == "198.51.100.7 https"


@pytest.mark.parametrize("raw", ["abc", "-1", "²", "11", "1.5"])
def test_a_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("RATECARD_PROXY_HOPS", raw)
    with pytest.raises(ValueError, match="RATECARD_PROXY_HOPS"):
        proxy_hops()
