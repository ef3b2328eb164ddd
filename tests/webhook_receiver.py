"""A real webhook endpoint on loopback for alert tests: records every POST (headers with
lower-cased names, body) and answers as the test programs each path.

    with Receiver() as hooks:
        hooks.program("/ok", ["echo"])              # echo a verification challenge, 200
        hooks.program("/flaky", [500, 500, "echo"]) # one answer per request, the last repeats
        hooks.program("/slow", [("sleep", 2.0)])    # answer 200 after 2 s
        hooks.program("/moved", [("redirect", "/ok")])
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.plans: dict[str, list[object]] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.hits.append(Hit(self.path, {k.lower(): v for k, v in
                                                         self.headers.items()}, body))
                    plan = receiver.plans.get(self.path, [404])
                    step = plan.pop(0) if len(plan) > 1 else plan[0]
                self._answer(step, body)

            def _answer(self, step: object, body: bytes) -> None:
                status, payload, headers = 200, b"ok", {}
                if step == "echo":
                    try:
                        payload = json.loads(body)["data"]["challenge"].encode()
                    except (ValueError, KeyError, TypeError):
                        payload = b"ok"
                elif isinstance(step, int):
                    status = step
                elif isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                elif isinstance(step, tuple) and step[0] == "redirect":
                    status, headers = 302, {"Location": step[1]}
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass          # the client gave up (timeout tests)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def program(self, path: str, steps: list[object]) -> None:
        with self.lock:
            self.plans[path] = list(steps)

    def at(self, path: str) -> list[Hit]:
        with self.lock:
            return [hit for hit in self.hits if hit.path == path]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
