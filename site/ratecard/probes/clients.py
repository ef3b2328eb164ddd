"""One probe call over httpx: `call(endpoint, key, settings)` -> CallResult.

Every failure becomes an outcome, never an exception: a failure is a measurement. No call
outlives its deadline (connect and gap timeouts from httpx, the whole-call deadline checked
between stream lines and body chunks). Reusable by the live-test page (prompt, max_tokens).
"""
from __future__ import annotations

import json
import time
from typing import Protocol

import httpx

from ratecard.probes import shapes, sse
from ratecard.probes.endpoints import Endpoint, ProbeSettings
from ratecard.probes.result import CallResult, scrub, status_outcome

ERROR_BODY_BYTES = 4096
CHAT_BODY_BYTES = 1024 * 1024          # a whole (unstreamed) chat answer
IMAGE_BODY_BYTES = 32 * 1024 * 1024
USER_AGENT = "Ratecard-probe/1 (+https://github.com/ratecard)"


class _Result(Protocol):
    """`call`'s closure that stamps an outcome with the call's timings and reading."""

    def __call__(self, outcome: str, error: str | None = None) -> CallResult: ...


def call(endpoint: Endpoint, key: str, settings: ProbeSettings, *, prompt: str | None = None,
         max_tokens: int | None = None) -> CallResult:
    chat = endpoint.kind == "chat"
    prompt = prompt or (shapes.PROMPT if chat else shapes.IMAGE_PROMPT)
    request = shapes.build(endpoint, key, prompt, max_tokens or settings.max_tokens)
    budget = settings.chat_deadline if chat else settings.image_deadline
    timeout = httpx.Timeout(connect=min(settings.connect_timeout, budget),
                            read=min(settings.read_timeout, budget),
                            write=min(settings.read_timeout, budget), pool=1.0)
    # Built before the clock starts: making a client (its TLS context) is our cost, not the
    # provider's. A fresh connection per call: every call pays its own handshake.
    client = httpx.Client(timeout=timeout, follow_redirects=False,
                          headers={"User-Agent": USER_AGENT})
    started = time.monotonic()
    deadline = started + budget
    reading = shapes.Reading(started=started)
    status: int | None = None

    def result(outcome: str, error: str | None = None) -> CallResult:
        first = reading.first_token
        return CallResult(
            outcome=outcome, latency_ms=_ms(time.monotonic() - started), http_status=status,
            ttft_ms=_ms(first - started) if first is not None and chat else None,
            input_tokens=reading.input_tokens, output_tokens=reading.output_tokens,
            error=scrub(error, [key]) if error else None, text="".join(reading.text),
            images=reading.images)

    try:
        with client, client.stream("POST", request.url, headers=request.headers,
                              json=request.body) as response:
            status = response.status_code
            if not 200 <= status < 300:
                error_text = _read(response, deadline, ERROR_BODY_BYTES, cut=True).decode(
                    "utf-8", "replace")
                outcome = status_outcome(status, error_text) or "bad_response"
                return result(outcome, f"HTTP {status}: {_message(error_text)}")
            if chat and _whole_json(response):
                # The server ignored `stream`: measured, but it has no time to first token.
                body = _read(response, deadline, CHAT_BODY_BYTES)
                try:
                    answer = json.loads(body)
                except ValueError:
                    return result("bad_response", f"unparseable JSON: {body[:80]!r}")
                events = shapes.whole_answer_events(endpoint.shape, answer)
                if not events:
                    return result("bad_response", "the answer is not a chat answer")
                for event in events:
                    reading.feed(endpoint.shape, event)
                reading.first_token = None
            elif chat:
                for event in sse.events(response, deadline):
                    reading.feed(endpoint.shape, event)
            else:
                body = _read(response, deadline, IMAGE_BODY_BYTES)
                try:
                    event = json.loads(body)
                except ValueError:
                    return result("bad_response", f"unparseable JSON: {body[:80]!r}")
                if not isinstance(event, dict):
                    return result("bad_response", "the answer is not a JSON object")
                reading.feed(endpoint.shape, event)
    except (sse.Deadline, httpx.TimeoutException) as exc:
        return result("timeout", f"{type(exc).__name__}: no complete answer within "
                                 f"{budget:g} s" if isinstance(exc, sse.Deadline)
                      else f"{type(exc).__name__}: {exc}")
    except sse.Malformed as exc:
        return result("bad_response", str(exc))
    except httpx.TransportError as exc:       # refused, reset, closed mid-stream
        return result("network_error", f"{type(exc).__name__}: {exc}")
    return _verdict(reading, result, chat)


def _whole_json(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _verdict(reading: shapes.Reading, result: _Result, chat: bool) -> CallResult:
    if reading.failure is not None:
        return result(*reading.failure)
    if reading.refused is not None:
        return result("refused", reading.refused)
    if chat:
        if not reading.text and not reading.output_tokens:
            return result("bad_response", "empty answer")
        if reading.output_tokens is None:
            return result("bad_response", "no usage in the answer")
    elif not reading.images:
        return result("bad_response", "no image in the answer")
    # Image answers without usage (DALL-E) are fine: they are priced per image.
    return result("ok")


def _read(response: httpx.Response, deadline: float, limit: int, cut: bool = False) -> bytes:
    """The body, checking the whole-call deadline between chunks; over `limit` is an error
    unless `cut` (an error body is only excerpted)."""
    parts: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if time.monotonic() > deadline:
            raise sse.Deadline("no complete answer before the deadline")
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            if cut:
                break
            raise sse.Malformed(f"answer larger than {limit} bytes")
    if time.monotonic() > deadline:
        raise sse.Deadline("no complete answer before the deadline")
    return b"".join(parts)[:limit]


def _message(body: str) -> str:
    """The error message of a JSON error body, or the body's start."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:300] or "(empty body)"
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return error
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return body[:300]


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))
