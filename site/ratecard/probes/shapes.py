"""The four API shapes: how to ask, and how to read the streamed (or JSON) answer.

Each reader is fed the answer's JSON events and keeps what a probe records: text, the
moment of the first token, usage, a refusal, or an error the server sent mid-stream.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ratecard.probes.endpoints import Endpoint

# Fixed, so every cycle asks the same thing: an answer of about 300 output tokens.
PROMPT = ("In about 220 words (roughly 300 tokens), explain to a new reader how a lighthouse "
          "keeper's day used to be organised, from evening to morning. Plain prose, no lists.")
IMAGE_PROMPT = "A small red bicycle leaning on a white wall, simple flat illustration."
ANTHROPIC_VERSION = "2023-06-01"
# Gemini finish reasons and block reasons that mean the model declined to answer.
GEMINI_REFUSALS = {"SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"}


@dataclass(frozen=True)
class Request:
    url: str
    headers: dict[str, str]
    body: dict[str, Any]


def build(endpoint: Endpoint, key: str, prompt: str, max_tokens: int) -> Request:
    base, model = endpoint.base_url, endpoint.model
    json_headers = {"Content-Type": "application/json"}
    if endpoint.shape == "openai_chat":
        # OpenAI's own API wants max_completion_tokens (its reasoning models refuse
        # max_tokens); the compatible servers know max_tokens.
        limit = "max_completion_tokens" if endpoint.provider.name == "openai" else "max_tokens"
        return Request(f"{base}/chat/completions",
                       {**json_headers, "Authorization": f"Bearer {key}",
                        "Accept": "text/event-stream"},
                       {"model": model, "messages": [{"role": "user", "content": prompt}],
                        "stream": True, "stream_options": {"include_usage": True},
                        limit: max_tokens})
    if endpoint.shape == "openai_image":
        return Request(f"{base}/images/generations",
                       {**json_headers, "Authorization": f"Bearer {key}"},
                       {"model": model, "prompt": prompt, "n": 1, **image_options(model)})
    if endpoint.shape == "anthropic":
        return Request(f"{base}/v1/messages",
                       {**json_headers, "x-api-key": key,
                        "anthropic-version": ANTHROPIC_VERSION, "Accept": "text/event-stream"},
                       {"model": model, "max_tokens": max_tokens, "stream": True,
                        "messages": [{"role": "user", "content": prompt}]})
    if endpoint.shape == "gemini":
        # The key goes in a header, never in the URL (URLs end up in logs and errors).
        return Request(f"{base}/models/{model}:streamGenerateContent?alt=sse",
                       {**json_headers, "x-goog-api-key": key},
                       {"contents": [{"role": "user", "parts": [{"text": prompt}]}],
                        "generationConfig": {"maxOutputTokens": max_tokens}})
    raise ValueError(f"no client for API shape {endpoint.shape!r}")


def image_options(model: str) -> dict[str, str]:
    """The smallest size and lowest quality the model accepts: the cheapest image."""
    if model.startswith("dall-e-2"):
        return {"size": "256x256"}
    if model.startswith("dall-e-3"):
        return {"size": "1024x1024", "quality": "standard"}
    if model.startswith("gpt-image"):
        return {"size": "1024x1024", "quality": "low"}
    return {"size": "1024x1024"}


@dataclass
class Reading:
    """What the answer said so far."""

    started: float
    text: list[str] = field(default_factory=list)
    first_token: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    refused: str | None = None
    failure: tuple[str, str] | None = None     # (outcome, message) sent inside a 200 answer
    images: int = 0

    def token(self, piece: object) -> None:
        if isinstance(piece, str) and piece:
            if self.first_token is None:
                self.first_token = time.monotonic()
            self.text.append(piece)

    def feed(self, shape: str, event: dict[str, Any]) -> None:
        {"openai_chat": _openai_chat, "anthropic": _anthropic, "gemini": _gemini,
         "openai_image": _openai_image}[shape](self, event)


def whole_answer_events(shape: str, answer: object) -> list[dict[str, Any]]:
    """A chat answer sent whole (a server that ignores `stream`: some self-hosted and
    proxy endpoints) as the stream events `feed` reads; [] when it has no known form."""
    if isinstance(answer, list):                  # Gemini without alt=sse: a JSON array
        return [a for a in answer if isinstance(a, dict)] if shape == "gemini" else []
    if not isinstance(answer, dict):
        return []
    if shape == "anthropic" and answer.get("type") == "message":
        usage = answer.get("usage") or {}
        return [{"type": "message_start", "message": {"usage": usage}},
                *({"type": "content_block_delta", "delta": {"text": block.get("text")}}
                  for block in answer.get("content") or () if isinstance(block, dict)),
                {"type": "message_delta", "delta": {"stop_reason": answer.get("stop_reason")},
                 "usage": {"output_tokens": usage.get("output_tokens")}}]
    return [answer]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def _error_event(error: object) -> tuple[str, str]:
    info = error if isinstance(error, dict) else {"message": str(error)}
    kind = str(info.get("type") or info.get("code") or "")
    message = str(info.get("message") or kind or "error")
    if "rate" in kind or kind == "429":
        return "rate_limited", message
    if "overloaded" in kind or "server" in kind or kind.startswith("5") or kind == "api_error":
        return "server_error", message
    return "bad_response", message


def _openai_chat(r: Reading, event: dict[str, Any]) -> None:
    if "error" in event:
        r.failure = _error_event(event["error"])
        return
    for choice in event.get("choices") or ():
        delta = choice.get("delta") or choice.get("message") or {}     # streamed or whole
        if delta.get("refusal"):
            r.refused = str(delta["refusal"])
        r.token(delta.get("content") or delta.get("reasoning_content") or delta.get("reasoning"))
        if choice.get("finish_reason") == "content_filter":
            r.refused = "stopped by the provider's content filter"
    usage = event.get("usage")
    if isinstance(usage, dict):
        r.input_tokens = _int(usage.get("prompt_tokens"))
        r.output_tokens = _int(usage.get("completion_tokens"))


def _anthropic(r: Reading, event: dict[str, Any]) -> None:
    kind = event.get("type")
    if kind == "error":
        r.failure = _error_event(event.get("error"))
    elif kind == "message_start":
        usage = (event.get("message") or {}).get("usage") or {}
        r.input_tokens = _int(usage.get("input_tokens"))
        r.output_tokens = _int(usage.get("output_tokens"))
    elif kind == "content_block_delta":
        delta = event.get("delta") or {}
        r.token(delta.get("text") or delta.get("thinking"))
    elif kind == "message_delta":
        if (event.get("delta") or {}).get("stop_reason") == "refusal":
            r.refused = "the model declined (stop_reason refusal)"
        usage = event.get("usage") or {}
        if _int(usage.get("output_tokens")) is not None:
            r.output_tokens = _int(usage.get("output_tokens"))


def _gemini(r: Reading, event: dict[str, Any]) -> None:
    if "error" in event:
        r.failure = _error_event(event["error"])
        return
    block = (event.get("promptFeedback") or {}).get("blockReason")
    if block:
        r.refused = f"prompt blocked ({block})"
    for candidate in event.get("candidates") or ():
        for part in (candidate.get("content") or {}).get("parts") or ():
            r.token(part.get("text"))
        if candidate.get("finishReason") in GEMINI_REFUSALS:
            r.refused = f"answer stopped ({candidate['finishReason']})"
    usage = event.get("usageMetadata")
    if isinstance(usage, dict):
        r.input_tokens = _int(usage.get("promptTokenCount"))
        out = _int(usage.get("candidatesTokenCount"))
        thoughts = _int(usage.get("thoughtsTokenCount")) or 0   # billed as output
        r.output_tokens = None if out is None else out + thoughts


def _openai_image(r: Reading, event: dict[str, Any]) -> None:
    if "error" in event:
        r.failure = _error_event(event["error"])
        return
    for item in event.get("data") or ():
        if isinstance(item, dict) and (item.get("b64_json") or item.get("url")):
            r.images += 1
    usage = event.get("usage")
    if isinstance(usage, dict):
        r.input_tokens = _int(usage.get("input_tokens"))
        r.output_tokens = _int(usage.get("output_tokens"))
