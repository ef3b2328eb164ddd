"""scrapers.http against a real HTTP server on loopback (tests/faultserver.py)."""
from __future__ import annotations

import gzip
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scrapers.http import FetchError, HttpSettings, close_client, fetch
from tests.faultserver import FaultServer, Response, fault_server_fixture  # noqa: F401

FAST = HttpSettings(connect_timeout=1.0, read_timeout=1.0, attempts=3, backoff=0.001)
LM = "Wed, 01 Jan 2025 00:00:00 GMT"


@pytest.fixture(autouse=True)
def _no_shared_client_left() -> Iterator[None]:
    yield
    close_client()


def test_200_returns_body_and_validators(fault_server: FaultServer) -> None:
    fault_server.serve("/p.json", b'{"a": 1}', etag='"v1"', last_modified=LM)
    result = fetch(fault_server.url("/p.json"), settings=FAST)
    assert result.body == b'{"a": 1}'
    assert (result.etag, result.last_modified, result.not_modified) == ('"v1"', LM, False)
    assert result.url == fault_server.url("/p.json")


def test_etag_then_304(fault_server: FaultServer) -> None:
    fault_server.serve("/p.json", b"{}", etag='"v1"')
    first = fetch(fault_server.url("/p.json"), settings=FAST)
    second = fetch(fault_server.url("/p.json"), etag=first.etag, settings=FAST)
    assert second.not_modified and second.body is None and second.etag == '"v1"'
    assert "if-none-match" not in fault_server.requests[0].headers
    assert fault_server.requests[1].headers["if-none-match"] == '"v1"'


def test_last_modified_conditional(fault_server: FaultServer) -> None:
    fault_server.serve("/p.json", b"{}", last_modified=LM)
    result = fetch(fault_server.url("/p.json"), last_modified=LM, settings=FAST)
    assert result.not_modified and result.body is None and result.last_modified == LM
    assert fault_server.requests[0].headers["if-modified-since"] == LM


def test_changed_etag_returns_new_body(fault_server: FaultServer) -> None:
    fault_server.serve("/p.json", b"[2]", etag='"v2"')
    result = fetch(fault_server.url("/p.json"), etag='"v1"', settings=FAST)
    assert (result.body, result.etag, result.not_modified) == (b"[2]", '"v2"', False)


def test_500_500_200_succeeds_on_third_attempt(fault_server: FaultServer) -> None:
    fault_server.sequence("/p", [Response(status=500), Response(status=500), Response(b"ok")])
    assert fetch(fault_server.url("/p"), settings=FAST).body == b"ok"
    assert fault_server.count("/p") == 3


def test_500_forever_gives_up_after_attempts(fault_server: FaultServer) -> None:
    fault_server.serve("/p", b"oops", status=500)
    with pytest.raises(FetchError, match=r"/p: HTTP 500 .*after 3 attempts"):
        fetch(fault_server.url("/p"), settings=FAST)
    assert fault_server.count("/p") == 3


def test_404_is_not_retried(fault_server: FaultServer) -> None:
    with pytest.raises(FetchError, match=r"/missing: HTTP 404"):
        fetch(fault_server.url("/missing"), settings=FAST)
    assert fault_server.count("/missing") == 1


def test_429_is_retried_honouring_retry_after(fault_server: FaultServer) -> None:
    fault_server.sequence("/p", [Response(status=429, headers={"Retry-After": "0"}),
                                 Response(b"ok")])
    assert fetch(fault_server.url("/p"), settings=FAST).body == b"ok"
    assert fault_server.count("/p") == 2


def test_slow_answer_times_out(fault_server: FaultServer) -> None:
    fault_server.serve("/slow", b"{}", delay=1.0)
    settings = HttpSettings(read_timeout=0.2, attempts=2, backoff=0.01)
    expected = r"/slow: timed out after 2 attempts \(read timeout 0.2 s\)$"
    with pytest.raises(FetchError, match=expected):
        fetch(fault_server.url("/slow"), settings=settings)
    assert fault_server.count("/slow") == 2


def test_hang_mid_body_times_out(fault_server: FaultServer) -> None:
    fault_server.serve("/hang", b"x" * 1000, chunks_then_hang=True)
    settings = HttpSettings(read_timeout=0.2, attempts=1, backoff=0.01)
    with pytest.raises(FetchError, match="timed out after 1 attempt "):
        fetch(fault_server.url("/hang"), settings=settings)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_over_size_cap(fault_server: FaultServer, chunked: bool) -> None:
    fault_server.serve("/big", b"x" * 5000, chunked=chunked)
    settings = HttpSettings(max_bytes=1000, attempts=3, backoff=0.001)
    with pytest.raises(FetchError, match="/big: response larger than 1000 bytes cap"):
        fetch(fault_server.url("/big"), settings=settings)
    assert fault_server.count("/big") == 1


def test_size_cap_message_in_megabytes(fault_server: FaultServer) -> None:
    fault_server.serve("/big", b"x", headers={"Content-Length": str(60 * 2**20)})
    with pytest.raises(FetchError, match="larger than 50 MB cap"):
        fetch(fault_server.url("/big"), settings=HttpSettings(attempts=1))


def test_exact_size_cap_is_allowed(fault_server: FaultServer) -> None:
    fault_server.serve("/p", b"x" * 1000, chunked=True)
    result = fetch(fault_server.url("/p"), settings=HttpSettings(max_bytes=1000))
    assert result.body == b"x" * 1000


def test_truncated_transfer(fault_server: FaultServer) -> None:
    fault_server.serve("/cut", b'{"a": 1, "b": 2}', truncate_at=5)
    settings = HttpSettings(attempts=2, backoff=0.001)
    with pytest.raises(FetchError, match="/cut: incomplete or broken response after 2 attempts"):
        fetch(fault_server.url("/cut"), settings=settings)
    assert fault_server.count("/cut") == 2


def test_truncated_json_with_correct_length_is_returned_as_is(fault_server: FaultServer) -> None:
    fault_server.serve("/p", b'{"a": 1, "b"')
    assert fetch(fault_server.url("/p"), settings=FAST).body == b'{"a": 1, "b"'


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(FetchError, match=rf"^{url}: connection refused after 2 attempts$"):
        fetch(url, settings=HttpSettings(attempts=2, backoff=0.001))


def test_headers_sent_and_gzip_decoded(fault_server: FaultServer) -> None:
    fault_server.serve("/gz", gzip.compress(b'{"z": 1}'), headers={"Content-Encoding": "gzip"})
    assert fetch(fault_server.url("/gz"), settings=FAST).body == b'{"z": 1}'
    headers = fault_server.requests[0].headers
    assert headers["user-agent"].startswith("Ratecard/")
    assert "catalog sync" in headers["user-agent"]
    assert headers["accept-encoding"] == "gzip"


def test_redirect_is_followed(fault_server: FaultServer) -> None:
    fault_server.serve("/old", status=301, headers={"Location": "/new"})
    fault_server.serve("/new", b"[]")
    assert fetch(fault_server.url("/old"), settings=FAST).body == b"[]"


def test_shared_client_is_reused_and_caller_client_honoured(fault_server: FaultServer) -> None:
    fault_server.serve("/p", b"1")
    assert fetch(fault_server.url("/p"), settings=FAST).body == b"1"
    assert fetch(fault_server.url("/p"), settings=FAST).body == b"1"
    with httpx.Client() as client:
        assert fetch(fault_server.url("/p"), settings=FAST, client=client).body == b"1"
    assert fault_server.requests[2].headers["user-agent"].startswith("Ratecard/")


def test_local_path_and_file_url(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_bytes(b'{"k": 1}')
    result = fetch(str(path), settings=FAST)
    assert (result.body, result.etag, result.not_modified) == (b'{"k": 1}', None, False)
    assert result.last_modified
    assert fetch(path.as_uri(), settings=FAST).body == b'{"k": 1}'


def test_local_file_over_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 100)
    with pytest.raises(FetchError, match="larger than 10 bytes cap"):
        fetch(str(path), settings=HttpSettings(max_bytes=10))


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(FetchError, match=f"^no such file: {missing}$"):
        fetch(str(missing))
    with pytest.raises(FetchError, match="no such file"):
        fetch(missing.as_uri())


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=f"is a directory.*{tmp_path}"):
        fetch(str(tmp_path))


@pytest.mark.parametrize("url, message", [
    ("ftp://x", "unsupported URL scheme 'ftp'"),
    ("", "no URL or path given"),
    ("http://", "malformed URL"),
    ("http://[::1", "malformed URL"),
    ("http://host:notaport/x", "malformed URL"),
    ("file://elsewhere/x.json", "another host"),
])
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        fetch(url, settings=FAST)


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATECARD_HTTP_READ_TIMEOUT", "12.5")
    monkeypatch.setenv("RATECARD_HTTP_ATTEMPTS", "5")
    monkeypatch.setenv("RATECARD_HTTP_MAX_BYTES", "")
    settings = HttpSettings.from_env()
    assert (settings.read_timeout, settings.attempts) == (12.5, 5)
    assert settings.max_bytes == 50 * 2**20 and settings.connect_timeout == 5.0


@pytest.mark.parametrize("name, value", [
    ("RATECARD_HTTP_ATTEMPTS", "three"),
    ("RATECARD_HTTP_ATTEMPTS", "0"),
    ("RATECARD_HTTP_READ_TIMEOUT", "-1"),
    ("RATECARD_HTTP_CONNECT_TIMEOUT", "nan"),
    ("RATECARD_HTTP_BACKOFF", "fast"),
    ("RATECARD_HTTP_MAX_BYTES", "1.5"),
])
def test_settings_from_env_rejects_bad_values(monkeypatch: pytest.MonkeyPatch, name: str,
                                              value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        HttpSettings.from_env()


def test_fault_server_stops_cleanly_with_open_connections() -> None:
    server = FaultServer().start()
    server.serve("/hang", b"x" * 10, chunks_then_hang=True)
    server.serve("/p", b"1")
    with httpx.Client() as client:
        assert client.get(server.url("/p")).content == b"1"    # leaves a keep-alive connection
        with pytest.raises(httpx.ReadTimeout):
            client.get(server.url("/hang"), timeout=0.1)
        server.stop()
    server.stop()  # idempotent


# -- the total deadline (RATECARD_HTTP_TOTAL_TIMEOUT) -------------------------------------
# The gap timeout alone never ends a fetch whose upstream trickles one byte at a time.
MARGIN = 3.0    # seconds past the deadline allowed for a busy machine (unbounded: 100+ s)


def _timed_failure(url: str, settings: HttpSettings) -> tuple[float, str]:
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch(url, settings=settings)
    return time.monotonic() - started, str(info.value)


def test_dripping_upstream_ends_by_the_total_deadline(fault_server: FaultServer) -> None:
    fault_server.serve("/drip.json", b"x" * 2000, drip=0.05)   # 100 s at one byte / 50 ms
    settings = HttpSettings(read_timeout=1.0, attempts=3, backoff=0.001, total_timeout=1.5)
    url = fault_server.url("/drip.json")
    elapsed, message = _timed_failure(url, settings)
    assert elapsed < 1.5 + MARGIN, f"fetch ran {elapsed:.2f} s past a 1.5 s deadline"
    assert message.startswith(f"{url}: ") and "total deadline of 1.5 s" in message, message
    assert "RATECARD_HTTP_TOTAL_TIMEOUT" in message and "\n" not in message


def test_retries_stop_at_the_total_deadline(fault_server: FaultServer) -> None:
    fault_server.serve("/down", status=503)
    settings = HttpSettings(attempts=50, backoff=0.2, total_timeout=1.0)
    elapsed, message = _timed_failure(fault_server.url("/down"), settings)
    assert elapsed < 1.0 + MARGIN and "total deadline of 1 s" in message, message
    assert "HTTP 503" in message                  # the last cause is still named


def test_slow_headers_end_by_the_total_deadline(fault_server: FaultServer) -> None:
    fault_server.serve("/late", b"{}", delay=5.0)   # well inside the 10 s gap timeout
    settings = HttpSettings(read_timeout=10.0, attempts=1, total_timeout=0.8)
    elapsed, message = _timed_failure(fault_server.url("/late"), settings)
    assert elapsed < 0.8 + MARGIN and "total deadline of 0.8 s" in message, message


def test_a_fetch_inside_the_deadline_is_untouched(fault_server: FaultServer) -> None:
    fault_server.serve("/drip.json", b"x" * 10, drip=0.01)
    settings = HttpSettings(read_timeout=1.0, attempts=1, total_timeout=5.0)
    assert fetch(fault_server.url("/drip.json"), settings=settings).body == b"x" * 10


def test_total_timeout_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert HttpSettings.from_env().total_timeout == 120.0
    monkeypatch.setenv("RATECARD_HTTP_TOTAL_TIMEOUT", "7.5")
    assert HttpSettings.from_env().total_timeout == 7.5
    monkeypatch.setenv("RATECARD_HTTP_TOTAL_TIMEOUT", "0")
    with pytest.raises(ValueError, match="RATECARD_HTTP_TOTAL_TIMEOUT"):
        HttpSettings.from_env()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_local_special_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)        # opening it for reading would block until a writer appears
    with pytest.raises(FetchError, match=f"not a regular file: {pipe}"):
        fetch(str(pipe), settings=FAST)
