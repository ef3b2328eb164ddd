"""Server-sent events over an httpx stream, with a whole-call deadline.

httpx's read timeout is a gap timeout: a server that sends one byte every few seconds never
trips it. `events` checks the deadline between lines, so no call outlives `deadline`.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx


class Deadline(Exception):
    """The whole-call deadline passed (classified as a timeout)."""


class Malformed(Exception):
    """A line of the stream is not the JSON it should be (classified as bad_response)."""


def events(response: httpx.Response, deadline: float) -> Iterator[dict[str, Any]]:
    """Each `data:` payload as a JSON object, until `[DONE]` or the end of the stream."""
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            raise Deadline("no complete answer before the deadline")
        if not line.startswith("data:"):
            continue                      # event:, id:, comments, keep-alives
        data = line[5:].strip()
        if not data:
            continue
        if data == "[DONE]":
            return
        try:
            payload = json.loads(data)
        except ValueError:
            raise Malformed(f"malformed JSON in the stream: {data[:80]}") from None
        if not isinstance(payload, dict):
            raise Malformed("a stream event is not a JSON object")
        yield payload
    if time.monotonic() > deadline:
        raise Deadline("no complete answer before the deadline")
