"""Settings from the environment, with defaults that work on a fresh machine.

Every setting is listed in .env.example. Secrets come only from the environment.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TypedDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = Path(os.environ.get("RATECARD_INSTANCE", PROJECT_ROOT / "instance"))

# Sources in precedence order: where several sources price the same model,
# meter and conditions, the first one here is the value shown (docs/sources.md).
SOURCE_PRECEDENCE = ("litellm", "genai_prices", "modelsdev", "openrouter")


def positive_number(name: str, default: float, kind: type = float) -> float:
    """A positive number from the environment (kind float or int), or the default if unset."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def proxy_hops() -> int:
    """RATECARD_PROXY_HOPS: 0 (the default: trust no forwarded header) or more."""
    raw = (os.environ.get("RATECARD_PROXY_HOPS") or "").strip()
    if not raw:
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 10:
        raise ValueError(f"RATECARD_PROXY_HOPS must be a whole number from 0 to 10, got {raw!r}")
    return int(raw)


# Where readers report a wrong price: an issue tracker's "new issue" address (the page's
# details are added as title= and body=) or a mailto: address (as subject= and body=).
DEFAULT_REPORT_URL = "mailto:corrections@ratecard.example"


def report_url() -> str:
    """RATECARD_REPORT_URL: an http(s) or mailto: address, or the default."""
    raw = (os.environ.get("RATECARD_REPORT_URL") or "").strip()
    if not raw:
        return DEFAULT_REPORT_URL
    if not raw.lower().startswith(("https://", "http://", "mailto:")) or any(
            ord(ch) < 33 for ch in raw):
        raise ValueError("RATECARD_REPORT_URL must be an http(s):// or mailto: address "
                         f"without spaces, got {raw!r}")
    return raw


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'ratecard.db'}"


class Settings(TypedDict):
    """What from_env reads: Flask config keys and their types."""

    DATABASE_URL: str
    SECRET_KEY: str
    RATECARD_OFFLINE: bool
    SOURCE_URLS: dict[str, str]                  # source name -> URL
    SYNC_INTERVAL_HOURS: dict[str, float]        # source name -> hours between syncs
    RATECARD_PROXY_HOPS: int
    RATECARD_REPORT_URL: str


def from_env() -> Settings:
    """The application settings (Flask config keys) read from the environment."""
    from scrapers.registry import SOURCES

    settings: Settings = {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or default_database_url(),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-not-secret"),
        # Offline: load the bundled catalog only, never reach the network.
        "RATECARD_OFFLINE": _flag("RATECARD_OFFLINE", False),
        "SOURCE_URLS": {},
        "SYNC_INTERVAL_HOURS": {},
        # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are believed
        # (login throttling counts client addresses; Secure cookies follow the scheme).
        "RATECARD_PROXY_HOPS": proxy_hops(),
        # The "report a wrong price" links (profile, about page, footer).
        "RATECARD_REPORT_URL": report_url(),
    }
    for source in SOURCES:
        key = source.name.upper()
        settings["SOURCE_URLS"][source.name] = (
            os.environ.get(f"RATECARD_{key}_URL") or source.default_url)
        settings["SYNC_INTERVAL_HOURS"][source.name] = positive_number(
            f"RATECARD_{key}_INTERVAL_HOURS", source.default_interval_hours)
    return settings
