"""Sending one webhook safely: Standard Webhooks signatures, and never to loopback, private,
link-local or metadata addresses unless RATECARD_WEBHOOK_ALLOW_PRIVATE=1.

The host is resolved when a subscription is made and again at every delivery, and the
request goes to the address checked (the Host header and TLS name stay the URL's), so a DNS
answer that changes in between cannot steer a delivery inside. Redirects are not followed.
`RESOLVER` is the one hook tests point at a fake resolver: DNS is the outside world.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from ratecard.config import positive_number

MAX_URL = 2000
MAX_RESPONSE = 64 * 1024        # a verification echo is small; the rest is not read
# Cloud metadata services that are not in a private or link-local range everywhere
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254",
                                                "100.100.100.200", "169.254.170.2")}


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


RESOLVER: Callable[[str, int], list[str]] = _system_resolve


class UrlRefused(ValueError):
    """A webhook URL we will not send to; the message says why (shown to the subscriber)."""


@dataclass(frozen=True)
class WebhookSettings:
    allow_private: bool = False
    max_attempts: int = 8
    timeout_seconds: float = 10.0
    backoff_seconds: float = 60.0     # 1st retry after this, then doubling
    base_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls) -> WebhookSettings:
        return cls(
            allow_private=(os.environ.get("RATECARD_WEBHOOK_ALLOW_PRIVATE") or "").strip()
            .lower() in ("1", "true", "yes", "on"),
            max_attempts=int(positive_number("RATECARD_WEBHOOK_MAX_ATTEMPTS", 8, int)),
            timeout_seconds=positive_number("RATECARD_WEBHOOK_TIMEOUT_SECONDS", 10.0),
            backoff_seconds=positive_number("RATECARD_WEBHOOK_BACKOFF_SECONDS", 60.0),
            base_url=(os.environ.get("RATECARD_BASE_URL") or cls.base_url).rstrip("/"))


def public_address(text: str) -> bool:
    """True for an address on the public internet: not loopback, private, link-local,
    shared (CGNAT), multicast, reserved, unspecified or a metadata service."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            address = mapped
    return address.is_global and not address.is_multicast and address not in METADATA


def _parts(url: str) -> tuple[str, str, int]:
    if not isinstance(url, str) or not url.strip():
        raise UrlRefused("a webhook URL is required")
    if len(url) > MAX_URL:
        raise UrlRefused(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("the URL must start with https:// (or http://)")
    if not parts.hostname:
        raise UrlRefused("the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("the URL must not contain a user name or password")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_checked(url: str, settings: WebhookSettings) -> list[str]:
    """The URL's addresses, each allowed, or UrlRefused saying which one is not."""
    _scheme, host, port = _parts(url)
    try:
        addresses = RESOLVER(host, port)
    except (OSError, UnicodeError) as exc:
        raise UrlRefused(f"{host} does not resolve ({exc})") from None
    if not addresses:
        raise UrlRefused(f"{host} does not resolve")
    if not settings.allow_private:
        for address in addresses:
            if not public_address(address):
                raise UrlRefused(f"{host} resolves to {address}, a loopback, private, "
                                 "link-local or metadata address; webhooks go only to public "
                                 "addresses")
    return addresses


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header: v1,<base64 HMAC-SHA256 of id.timestamp.body>."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Outcome:
    status: int | None        # None: no HTTP response
    body: bytes
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def post(url: str, message_id: str, secret: str, body: bytes,
         settings: WebhookSettings) -> Outcome:
    """POST a signed body to the URL's checked address; never raises."""
    started = time.monotonic()

    def done(status: int | None, data: bytes, error: str | None) -> Outcome:
        return Outcome(status, data, error, int((time.monotonic() - started) * 1000))

    try:
        addresses = resolve_checked(url, settings)
    except UrlRefused as exc:
        return done(None, b"", f"refused: {exc}")
    parts = urlsplit(url.strip())
    scheme, host, port = _parts(url)
    address = addresses[0]
    pinned = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    target = urlunsplit((scheme, pinned, parts.path or "/", parts.query, ""))
    timestamp = int(time.time())
    headers = {
        "Host": parts.netloc, "Content-Type": "application/json",
        "User-Agent": "Ratecard-Webhooks/1", "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    try:
        # trust_env off: a proxy from the environment would connect to a name we did not check
        with httpx.Client(timeout=settings.timeout_seconds, follow_redirects=False,
                          trust_env=False) as client, client.stream(
                "POST", target, content=body, headers=headers,
                extensions=extensions) as response:
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= MAX_RESPONSE:
                    break
                # the timeout is per read: an endpoint trickling bytes must not hold the job
                if time.monotonic() - started > 2 * settings.timeout_seconds:
                    return done(response.status_code, b"", "the response took too long")
            if response.is_redirect:
                return done(response.status_code, b"", "redirects are not followed")
            return done(response.status_code, data[:MAX_RESPONSE], None)
    except httpx.TimeoutException:
        return done(None, b"", f"timed out after {settings.timeout_seconds:g} s")
    except httpx.HTTPError as exc:
        return done(None, b"", f"{type(exc).__name__}: {exc}"[:300])
