"""Which endpoint and key measure a model, and the probe settings, from the environment.

Keys and base URLs use the names the ecosystem already uses (OPENAI_API_KEY,
OPENAI_BASE_URL, ...). A key is read when a call is made and handed to the client; it is
never stored, logged or shown. Every name is in .env.example.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit, urlunsplit

from scrapers.vocabulary import CHAT_MODES, IMAGE_MODES


@dataclass(frozen=True)
class Provider:
    name: str                 # our provider slug (also the per-provider lock name)
    key_env: str
    base_env: str
    default_base: str
    api: str                  # openai, anthropic, gemini (the request shape)


PROVIDERS = {p.name: p for p in (
    Provider("openai", "OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1",
             "openai"),
    Provider("anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
             "https://api.anthropic.com", "anthropic"),
    Provider("google", "GEMINI_API_KEY", "GEMINI_BASE_URL",
             "https://generativelanguage.googleapis.com/v1beta", "gemini"),
    Provider("openrouter", "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",
             "https://openrouter.ai/api/v1", "openai"),
    Provider("deepseek", "DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "https://api.deepseek.com/v1",
             "openai"),
    Provider("xai", "XAI_API_KEY", "XAI_BASE_URL", "https://api.x.ai/v1", "openai"),
    Provider("mistral", "MISTRAL_API_KEY", "MISTRAL_BASE_URL", "https://api.mistral.ai/v1",
             "openai"),
    Provider("groq", "GROQ_API_KEY", "GROQ_BASE_URL", "https://api.groq.com/openai/v1",
             "openai"),
)}
# Our provider slugs that the ecosystem files under another name.
PROVIDER_ALIASES = {"gemini": "google", "vertex_ai": "google", "x-ai": "xai",
                    "mistralai": "mistral"}


@dataclass(frozen=True)
class Endpoint:
    """Where one model is called: never holds the key itself, only the variable naming it."""

    provider: Provider
    base_url: str
    model: str                # the model's id at that API
    kind: str                 # chat, image

    @property
    def shape(self) -> str:
        """openai_chat, openai_image, anthropic, gemini."""
        if self.provider.api == "openai":
            return f"openai_{self.kind}"
        return self.provider.api

    @property
    def public_url(self) -> str:
        """The base URL as recorded and shown: without user info or query, where an
        operator might have put a credential."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def key(self, env: Mapping[str, str] | None = None) -> str | None:
        return ((env if env is not None else os.environ).get(self.provider.key_env)
                or "").strip() or None


class NotMeasurable(Exception):
    """Why a model cannot be probed (unknown provider, kind not probed, no key)."""


def probe_kind(mode: str | None) -> str | None:
    if mode in IMAGE_MODES:
        return "image"
    if mode in CHAT_MODES or mode is None:
        return "chat"
    return None              # embeddings, audio, rerankers: nothing to probe this way


def endpoint_for(canonical_id: str, mode: str | None,
                 env: Mapping[str, str] | None = None) -> Endpoint:
    """The endpoint for a model, or NotMeasurable saying why (a missing key included)."""
    env = os.environ if env is None else env
    slug, _, name = canonical_id.partition("/")
    provider = PROVIDERS.get(PROVIDER_ALIASES.get(slug, slug))
    if provider is None or not name:
        raise NotMeasurable(f"{canonical_id}: no probe client for provider {slug!r} "
                            f"(known: {', '.join(sorted(PROVIDERS))})")
    kind = probe_kind(mode)
    if kind is None or (kind == "image" and provider.api != "openai"):
        raise NotMeasurable(f"{canonical_id}: {mode} models are not probed")
    if not (env.get(provider.key_env) or "").strip():
        raise NotMeasurable(f"{canonical_id}: {provider.key_env} is not set")
    base = (env.get(provider.base_env) or "").strip() or provider.default_base
    return Endpoint(provider, base.rstrip("/"), name, kind)


@dataclass(frozen=True)
class ProbeSettings:
    interval_hours: float = 6.0
    daily_usd: Decimal = Decimal("1.00")
    models: tuple[str, ...] | None = None      # None: every model with an editorial page
    calls_per_cycle: int = 3
    max_tokens: int = 400                      # the prompt asks for about 300
    connect_timeout: float = 10.0
    read_timeout: float = 30.0                 # gap between two bytes
    chat_deadline: float = 90.0                # a whole chat call
    image_deadline: float = 150.0              # a whole image call
    jitter_seconds: int = 600

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ProbeSettings:
        env = os.environ if env is None else env
        raw_usd = (env.get("RATECARD_PROBE_DAILY_USD") or "").strip() or "1.00"
        try:
            usd = Decimal(raw_usd)
        except InvalidOperation:
            raise ValueError(f"RATECARD_PROBE_DAILY_USD must be an amount in US dollars, "
                             f"got {raw_usd!r}") from None
        if not usd.is_finite() or usd < 0:
            raise ValueError(f"RATECARD_PROBE_DAILY_USD must be 0 or more, got {raw_usd!r}")
        ids = tuple(i.strip() for i in (env.get("RATECARD_PROBE_MODELS") or "").split(",")
                    if i.strip())
        raw = (env.get("RATECARD_PROBE_INTERVAL_HOURS") or "").strip()
        try:
            hours = float(raw) if raw else 6.0
        except ValueError:
            hours = -1.0
        if not hours > 0:
            raise ValueError(f"RATECARD_PROBE_INTERVAL_HOURS must be a positive number, "
                             f"got {raw!r}")
        return cls(interval_hours=hours, daily_usd=usd, models=ids or None)
