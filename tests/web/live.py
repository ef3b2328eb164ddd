"""The real app on loopback: in a thread under werkzeug (`serve_in_thread`), or under a real
gunicorn, and raw HTTP/1.1 to it: what a test client cannot send (bytes that are not UTF-8 in
the request line, any Host header)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


@dataclass(frozen=True)
class LiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + path


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr; errors still go to the log (a 500 fails a page test)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextlib.contextmanager
def serve_in_thread(app: Any, name: str = "live-server") -> Iterator[LiveServer]:
    """Serve a WSGI app with werkzeug on 127.0.0.1 (an ephemeral port) in a daemon thread."""
    server: BaseWSGIServer = make_server(HOST, 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=name, daemon=True)
    thread.start()
    try:
        yield LiveServer(HOST, server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """`gunicorn ratecard.wsgi:app` on loopback; stopped on leaving the with-block."""

    def __init__(self, database_url: str, workdir: Path, workers: int = 1,
                 extra_env: dict[str, str] | None = None, args: tuple[str, ...] = ()):
        self.port = free_port()
        self.log = workdir / "gunicorn.log"
        env = dict(os.environ, DATABASE_URL=database_url, RATECARD_OFFLINE="1",
                   RATECARD_INSTANCE=str(workdir), **(extra_env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{HOST}:{self.port}",
             "--error-logfile", str(self.log), "--log-level", "warning", *args,
             "ratecard.wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if raw_get(self.port, b"/robots.txt")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else "(no log)"


def raw_get(port: int, target: bytes, host: bytes = b"127.0.0.1",
            headers: bytes = b"") -> tuple[int, bytes]:
    """GET `target` exactly as given (no encoding); the status and the body."""
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + host +
                     b"\r\nConnection: close\r\n" + headers + b"\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body
