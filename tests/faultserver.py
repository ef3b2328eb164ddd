"""A real HTTP server on loopback whose answers tests program, for fault tests (no mocks).

    with FaultServer() as server:                      # or the `fault_server` fixture
        server.serve("/prices.json", b"{}", etag='"v1"')
        server.sequence("/flaky", [Response(status=500), Response(b"{}")])
        fetch(server.url("/flaky"))
        assert server.count("/flaky") == 2
        assert server.requests[-1].headers["user-agent"].startswith("Ratecard/")

Each path answers from its list of Response objects, one per request, and keeps
repeating the last one once the list is used up. Unknown paths answer 404.
`requests` records every request (method, path, headers with lower-cased names).

The fixture is named `fault_server`. Make it available with either
    from tests.faultserver import fault_server  # noqa: F401    (in a conftest.py)
    from tests.faultserver import fault_server_fixture  # noqa: F401    (in a test module)
"""
from __future__ import annotations

import email.utils
import socket
import socketserver
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Response:
    """One programmed answer.

    body              the full body (for a truncated-JSON payload just pass the truncated text)
    status            HTTP status code
    headers           extra response headers (Content-Type defaults to application/json;
                      a Content-Length given here replaces the real one)
    delay             seconds to wait before answering (for timeout tests)
    etag              sent as ETag; a request whose If-None-Match matches gets 304, no body
    last_modified     sent as Last-Modified; If-Modified-Since at or after it gets 304
                      (only when the request has no If-None-Match)
    truncate_at       announce the full Content-Length but send only this many bytes, then close
    chunks_then_hang  send the headers and the first part of the body (truncate_at bytes,
                      default half) and then hang until the server stops (read timeout mid-body)
    chunked           send Transfer-Encoding: chunked instead of a Content-Length
    drip              send the body one byte every `drip` seconds (a trickling upstream that
                      never trips a gap timeout); stops early when the server stops
    """

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    truncate_at: int | None = None
    chunks_then_hang: bool = False
    chunked: bool = False
    drip: float | None = None


@dataclass(frozen=True)
class Request:
    """One request the server received. Header names are lower-cased."""

    method: str
    path: str
    headers: dict[str, str]


class FaultServer:
    """ThreadingHTTPServer on 127.0.0.1, an OS-chosen port, serving in a daemon thread."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._routes: dict[str, list[Response]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FaultServer:
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = _Server(self)
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.02},
                                            name="faultserver", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, break open connections, join every thread, close every socket."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()                      # wakes delays and hangs
        httpd.shutdown()
        assert self._thread is not None
        self._thread.join()
        with httpd.conn_lock:
            conns = list(httpd.conns)
        for conn in conns:                        # idle keep-alive connections
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()                      # closes the listener, joins handler threads

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- programming ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FaultServer is not running")
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def serve(self, path: str, body: bytes = b"", *, status: int = 200,
              headers: dict[str, str] | None = None, delay: float = 0.0,
              etag: str | None = None, last_modified: str | None = None,
              truncate_at: int | None = None, chunks_then_hang: bool = False,
              chunked: bool = False, drip: float | None = None) -> None:
        """Answer every request to `path` the same way."""
        self.sequence(path, [Response(
            body=body, status=status, headers=dict(headers or {}), delay=delay, etag=etag,
            last_modified=last_modified, truncate_at=truncate_at,
            chunks_then_hang=chunks_then_hang, chunked=chunked, drip=drip)])

    def sequence(self, path: str, responses: Sequence[Response]) -> None:
        """Answer successive requests to `path` with these responses; repeat the last."""
        if not responses:
            raise ValueError("sequence() needs at least one Response")
        with self._lock:
            self._routes["/" + path.lstrip("/")] = list(responses)
            self._served["/" + path.lstrip("/")] = 0

    def count(self, path: str) -> int:
        """How many requests asked for `path` (query string ignored)."""
        path = "/" + path.lstrip("/")
        return sum(1 for r in self.requests if r.path.split("?")[0] == path)

    def _next(self, path: str) -> Response | None:
        with self._lock:
            key = path if path in self._routes else path.split("?")[0]
            responses = self._routes.get(key)
            if responses is None:
                return None
            index = min(self._served[key], len(responses) - 1)
            self._served[key] += 1
            return responses[index]


@pytest.fixture(name="fault_server")
def fault_server_fixture() -> Iterator[FaultServer]:
    """The `fault_server` fixture: a running FaultServer, stopped cleanly after the test."""
    with FaultServer() as server:
        yield server


# The same fixture under its own name, for `from tests.faultserver import fault_server` in a
# conftest.py. Test modules import `fault_server_fixture` instead, so that their
# `fault_server` parameters do not shadow the import (ruff F811).
fault_server = fault_server_fixture


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, fault: FaultServer) -> None:
        self.fault = fault
        self.conns: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:              # skip HTTPServer's reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass                                     # clients hanging up mid-answer is the point


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.conn_lock:
            self.server.conns.add(self.connection)

    def finish(self) -> None:
        with self.server.conn_lock:
            self.server.conns.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        fault = self.server.fault
        headers = {k.lower(): v for k, v in self.headers.items()}
        fault.requests.append(Request(self.command, self.path, headers))
        resp = fault._next(self.path) or Response(b"no such route", 404,
                                                  {"Content-Type": "text/plain"})
        if resp.delay and fault._stopping.wait(resp.delay):
            self.close_connection = True
            return
        if _not_modified(resp, headers):
            self.send_response(304)
            self._validators(resp)
            self.end_headers()
            return
        self.send_response(resp.status)
        self._validators(resp)
        extra = {"Content-Type": "application/json", **resp.headers}
        for name, value in extra.items():
            self.send_header(name, value)
        body = resp.body
        if resp.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif "content-length" not in {name.lower() for name in extra}:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body:
            return
        if resp.drip is not None:
            for i in range(len(body)):
                self._write(body[i:i + 1], resp.chunked, last=False)
                self.wfile.flush()
                if fault._stopping.wait(resp.drip):
                    break
            self.close_connection = True
            return
        if resp.chunks_then_hang or resp.truncate_at is not None:
            cut = resp.truncate_at if resp.truncate_at is not None else len(body) // 2
            self._write(body[:cut], resp.chunked, last=False)
            self.wfile.flush()
            if resp.chunks_then_hang:
                fault._stopping.wait()
            self.close_connection = True
            return
        self._write(body, resp.chunked, last=True)

    def _validators(self, resp: Response) -> None:
        if resp.etag is not None:
            self.send_header("ETag", resp.etag)
        if resp.last_modified is not None:
            self.send_header("Last-Modified", resp.last_modified)

    def _write(self, data: bytes, chunked: bool, *, last: bool) -> None:
        if not chunked:
            self.wfile.write(data)
            return
        for i in range(0, len(data), 16384):
            piece = data[i:i + 16384]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        if last:
            self.wfile.write(b"0\r\n\r\n")


def _not_modified(resp: Response, headers: dict[str, str]) -> bool:
    if "if-none-match" in headers:
        if resp.etag is None:
            return False
        wanted = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return "*" in wanted or resp.etag.removeprefix("W/") in wanted
    since, modified = headers.get("if-modified-since"), resp.last_modified
    if since is None or modified is None:
        return False
    try:
        return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(
            modified)
    except (TypeError, ValueError):
        return since == modified
