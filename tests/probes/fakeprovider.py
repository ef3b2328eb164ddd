"""A fake model provider on loopback (real HTTP) speaking the four API shapes probes use:
OpenAI chat completions (streamed), OpenAI image generation, Anthropic messages (streamed)
and Gemini streamGenerateContent (SSE). Tests program what the next answers do:

    with FakeProvider() as fake:
        fake.program("ok", "429", "hang", "close", "malformed", "drip", ...)
        base = fake.base("openai")          # http://127.0.0.1:PORT/v1

Behaviours (one per request, in order; the last repeats): ok, slow (answers after
`slow_seconds`), an HTTP status ("429", "500", "401", "403", "400-policy"), hang (headers,
then nothing: a gap timeout), close (half the stream, then the connection drops), malformed
(a line of broken JSON), drip (the stream a few bytes at a time: only the whole-call
deadline stops it), no_usage, empty, refuse, stream_error (an error event inside a 200),
whole (the answer as one JSON body, as a server that ignores `stream` sends it).
Every request is recorded with its headers and JSON body.
"""
from __future__ import annotations

import json
import socketserver
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = ["The", " keeper", " lit", " the", " lamp", " at", " dusk", "."]
USAGE_IN, USAGE_OUT = 42, 300


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeProvider:
    def __init__(self, slow_seconds: float = 0.3, drip_seconds: float = 0.05) -> None:
        self.slow_seconds = slow_seconds
        self.drip_seconds = drip_seconds
        self.seen: list[Seen] = []
        self._plan: list[str] = ["ok"]
        self._served = 0
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd: _Server | None = None

    def __enter__(self) -> FakeProvider:
        self._httpd = _Server(self)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def root(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def base(self, api: str) -> str:
        """The base URL a client of this API shape is configured with."""
        return {"openai": f"{self.root}/v1", "anthropic": self.root,
                "gemini": f"{self.root}/v1beta"}[api]

    def program(self, *behaviours: str) -> None:
        with self._lock:
            self._plan, self._served = list(behaviours), 0

    def next(self) -> str:
        with self._lock:
            behaviour = self._plan[min(self._served, len(self._plan) - 1)]
            self._served += 1
            return behaviour


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _shape(path: str) -> str:
    if path.startswith("/v1/chat/completions"):
        return "openai_chat"
    if path.startswith("/v1/images/generations"):
        return "openai_image"
    if path.startswith("/v1/messages"):
        return "anthropic"
    if ":streamGenerateContent" in path:
        return "gemini"
    return "unknown"


def _events(shape: str, behaviour: str) -> list[dict[str, Any]]:
    """The JSON events of a streamed answer for this shape and behaviour."""
    words = [] if behaviour == "empty" else WORDS
    usage = behaviour not in ("no_usage", "empty")
    if shape == "openai_chat":
        out: list[dict[str, Any]] = [{"choices": [{"index": 0, "delta": {"content": w}}]}
                                     for w in words]
        if behaviour == "refuse":
            out = [{"choices": [{"index": 0, "delta": {"refusal": "I can't help with that."}}]},
                   {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        if behaviour == "stream_error":
            out.append({"error": {"message": "Upstream overloaded", "code": 502,
                                  "type": "server_error"}})
        if usage:
            out.append({"choices": [], "usage": {"prompt_tokens": USAGE_IN,
                                                 "completion_tokens": USAGE_OUT}})
        return out
    if shape == "anthropic":
        out = [{"type": "message_start", "message": {"usage": {
            "input_tokens": USAGE_IN, "output_tokens": 1} if usage else {}}}]
        out += [{"type": "content_block_delta", "index": 0,
                 "delta": {"type": "text_delta", "text": w}} for w in words]
        if behaviour == "stream_error":
            out.append({"type": "error", "error": {"type": "overloaded_error",
                                                   "message": "Overloaded"}})
        stop = "refusal" if behaviour == "refuse" else "end_turn"
        out.append({"type": "message_delta", "delta": {"stop_reason": stop},
                    "usage": {"output_tokens": USAGE_OUT} if usage else {}})
        out.append({"type": "message_stop"})
        return out
    # gemini
    out = [{"candidates": [{"content": {"parts": [{"text": w}], "role": "model"}}]}
           for w in words]
    if behaviour == "refuse":
        out = [{"candidates": [{"finishReason": "SAFETY"}]}]
    if behaviour == "stream_error":
        out.append({"error": {"code": 503, "status": "UNAVAILABLE",
                              "message": "The model is overloaded."}})
    if usage:
        out.append({"candidates": [{"content": {"parts": [{"text": ""}]},
                                    "finishReason": "STOP"}],
                    "usageMetadata": {"promptTokenCount": USAGE_IN,
                                      "candidatesTokenCount": USAGE_OUT - 20,
                                      "thoughtsTokenCount": 20}})
    return out


def _whole(shape: str) -> object:
    """The answer of each shape as a server sends it when it does not stream."""
    text = "".join(WORDS)
    if shape == "openai_chat":
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": USAGE_IN, "completion_tokens": USAGE_OUT}}
    if shape == "anthropic":
        return {"type": "message", "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": USAGE_IN, "output_tokens": USAGE_OUT}}
    return [{"candidates": [{"content": {"parts": [{"text": text}]}, "finishReason": "STOP"}],
             "usageMetadata": {"promptTokenCount": USAGE_IN,
                               "candidatesTokenCount": USAGE_OUT}}]


def _sse(shape: str, events: list[dict[str, Any]]) -> list[bytes]:
    lines = []
    for event in events:
        head = f"event: {event['type']}\n" if shape == "anthropic" and "type" in event else ""
        lines.append(f"{head}data: {json.dumps(event)}\n\n".encode())
    if shape == "openai_chat":
        lines.append(b"data: [DONE]\n\n")
    return lines


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        fake.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()},
                              body))
        behaviour = fake.next()
        shape = _shape(self.path)
        self.close_connection = True
        if behaviour == "slow" and fake.stopping.wait(fake.slow_seconds):
            return
        if behaviour[:3].isdigit():
            return self._status(behaviour)
        if shape == "openai_image":
            return self._image(behaviour)
        if shape == "unknown":
            return self._json(404, {"error": {"message": "no such route"}})
        if behaviour == "whole":
            return self._json(200, _whole(shape))
        chunks = _sse(shape, _events(shape, behaviour))
        if behaviour == "malformed":
            chunks.insert(2, b'data: {"choices": [{"delta": {"content": "x"\n\n')
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if behaviour == "hang":
            self._chunk(b": keep-alive\n\n")
            fake.stopping.wait()
            return
        if behaviour == "close":
            for chunk in chunks[: len(chunks) // 2]:
                self._chunk(chunk)
            return                       # no terminating chunk: the stream breaks off
        for chunk in chunks:
            if behaviour == "drip":
                for i in range(0, len(chunk), 4):
                    self._chunk(chunk[i:i + 4])
                    if fake.stopping.wait(fake.drip_seconds):
                        return
            else:
                self._chunk(chunk)
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _json(self, status: int, payload: Any, text: bytes | None = None) -> None:
        body = text if text is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _status(self, behaviour: str) -> None:
        status = int(behaviour[:3])
        if behaviour == "400-policy":
            return self._json(400, {"error": {"code": "content_policy_violation",
                                              "message": "Your request was rejected by our "
                                                         "safety system."}})
        auth = self.headers.get("Authorization") or self.headers.get("x-api-key") or \
            self.headers.get("x-goog-api-key") or ""
        # Real providers echo part of a bad key back: the probe must not keep it.
        message = {401: f"Incorrect API key provided: {auth.removeprefix('Bearer ')}",
                   403: "Permission denied", 429: "Rate limit reached, retry in 20s",
                   500: "Internal server error", 503: "Service unavailable"}.get(
            status, "Error")
        self._json(status, {"error": {"message": message, "type": "error"}})

    def _image(self, behaviour: str) -> None:
        if behaviour == "malformed":
            return self._json(200, {}, text=b'{"data": [{"b64_json": "iVBOR')
        if behaviour == "hang":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"data": ')
            self.wfile.flush()
            self.server.fake.stopping.wait()
            return
        if behaviour == "refuse":
            return self._status("400-policy")
        if behaviour in ("close", "drip"):
            body = json.dumps({"data": [{"b64_json": "iVBORw0KGgo=" * 40}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if behaviour == "close":
                self.wfile.write(body[: len(body) // 2])
                return
            for i in range(0, len(body), 4):
                self.wfile.write(body[i:i + 4])
                self.wfile.flush()
                if self.server.fake.stopping.wait(self.server.fake.drip_seconds):
                    return
            return
        payload: dict[str, Any] = {"created": 1, "data": [] if behaviour == "empty" else
                                   [{"b64_json": "iVBORw0KGgo="}]}
        if behaviour not in ("no_usage", "empty"):
            payload["usage"] = {"input_tokens": 20, "output_tokens": 272}
        self._json(200, payload)
