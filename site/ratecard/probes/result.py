"""What one probe call returns, how a failure is classified, and secret scrubbing."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ratecard.models.probes import OUTCOMES

EXCERPT_CHARS = 200
# Looks secret: bearer tokens, key=/token= values, sk-/xai-/gsk_/AIza… keys, and any long
# unbroken run of key alphabet (our excerpts are prose; keys are not). The name before a
# value stays ("api_key=[redacted]"), so the reader still sees what was there.
_SECRETS = (
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',;]+"), r"\1 [redacted]"),
    (re.compile(r"(?i)\b(api[_-]?key|key|token|secret|password|authorization|x-api-key|"
                r"x-goog-api-key)([\"']?\s*[:=]\s*[\"']?)(?!\[redacted\])[^\s\"'&,;}]+"),
     r"\1\2[redacted]"),
    (re.compile(r"\b(sk|pk|rk|xai|gsk|sess|or|ant)[-_][A-Za-z0-9_\-]{8,}"), "[redacted]"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"), "[redacted]"),
    (re.compile(r"[A-Za-z0-9_\-+/=]{32,}"), "[redacted]"),
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without the given secrets or anything secret-looking, cut to EXCERPT_CHARS."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1] + "…"


@dataclass(frozen=True)
class CallResult:
    """One call: outcome (one of OUTCOMES), timings in ms, usage, and for the live test the
    answer text. `error` is already scrubbed."""

    outcome: str
    latency_ms: int
    http_status: int | None = None
    ttft_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    error: str | None = None
    text: str = ""
    images: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown probe outcome {self.outcome!r}")

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    @property
    def output_tps(self) -> Decimal | None:
        """Output tokens per second of generation: after the first token when the call
        streamed, over the whole call otherwise; one decimal place."""
        if not self.ok or not self.output_tokens or self.latency_ms <= 0:
            return None
        span = self.latency_ms - (self.ttft_ms or 0)
        if span <= 0:
            span = self.latency_ms
        tps = Decimal(self.output_tokens) * 1000 / Decimal(span)
        return tps.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def status_outcome(status: int, body: str) -> str | None:
    """The outcome an HTTP status stands for, or None for a 2xx (the body decides)."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return "rate_limited"
    if status in (401, 403):
        return "auth_error"
    if status >= 500:
        return "server_error"
    if refusal_text(body):
        return "refused"
    return "bad_response"        # another 4xx: the request or the answer is not usable


_REFUSAL = re.compile(r"(?i)content[_ ]policy|moderation[_ ]blocked|safety[_ ]system|"
                      r"content[_ ]filter|refus")


def refusal_text(body: str) -> bool:
    return bool(_REFUSAL.search(body))
