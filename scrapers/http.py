"""The shared HTTP client every source fetches through.

Timeouts, retries with exponential backoff, a size cap, conditional GET
(ETag / Last-Modified) and local files, behind one function: fetch().
Two timeouts: the gap timeout (connect / read) and a total deadline over the whole
fetch, retries included, so an upstream that trickles a byte at a time cannot hang a sync.
Every failure a user can cause or meet is a FetchError with a one-line message.
"""
from __future__ import annotations

import atexit
import email.utils
import math
import os
import random
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from scrapers.base import FetchResult

try:
    _VERSION = metadata.version("ratecard")
except metadata.PackageNotFoundError:  # running from a bare checkout
    _VERSION = "0.0.0"

RETRY_AFTER_CAP = 5.0  # seconds; a longer Retry-After is not worth blocking a sync for


class FetchError(Exception):
    """A source could not be fetched; str() is a one-line message naming the URL or path."""


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 5.0      # seconds
    read_timeout: float = 30.0        # seconds between bytes, not for the whole body
    attempts: int = 3                 # total tries, including the first
    backoff: float = 0.5              # base seconds; doubles per retry, plus up to 25 % jitter
    max_bytes: int = 50 * 1024 * 1024
    total_timeout: float = 120.0      # seconds for the whole fetch, every attempt included
    user_agent: str = f"Ratecard/{_VERSION} (+https://github.com/ratecard; catalog sync)"

    @classmethod
    def from_env(cls) -> HttpSettings:
        """Defaults overridden by RATECARD_HTTP_* variables; a bad value is a ValueError."""
        d = cls()
        return cls(
            connect_timeout=_env("RATECARD_HTTP_CONNECT_TIMEOUT", d.connect_timeout, 0.001),
            read_timeout=_env("RATECARD_HTTP_READ_TIMEOUT", d.read_timeout, 0.001),
            attempts=int(_env("RATECARD_HTTP_ATTEMPTS", d.attempts, 1, integer=True)),
            backoff=_env("RATECARD_HTTP_BACKOFF", d.backoff, 0.0),
            max_bytes=int(_env("RATECARD_HTTP_MAX_BYTES", d.max_bytes, 1, integer=True)),
            total_timeout=_env("RATECARD_HTTP_TOTAL_TIMEOUT", d.total_timeout, 0.001),
        )


def _env(name: str, default: float, minimum: float, *, integer: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = "an integer" if integer else "a number"
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ValueError(f"{name} must be {kind}, got {raw!r}") from None
    if not (math.isfinite(value) and value >= minimum):
        raise ValueError(f"{name} must be {kind} >= {minimum:g}, got {raw!r}")
    return value


_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _shared_client(settings: HttpSettings) -> httpx.Client:
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(timeout=_timeout(settings), follow_redirects=True,
                                   headers=_headers(settings))
        return _client


def close_client() -> None:
    """Dispose of the shared client (it is recreated on the next fetch)."""
    global _client
    with _client_lock:
        client, _client = _client, None
    if client is not None:
        client.close()


atexit.register(close_client)


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          settings: HttpSettings | None = None, client: httpx.Client | None = None,
          ) -> FetchResult:
    """Fetch an http(s) URL, a file:// URL or a local path. Raises FetchError."""
    settings = settings or HttpSettings.from_env()
    if not url.strip():
        raise FetchError("no URL or path given")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{url}: malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "" or len(scheme) == 1:          # a path; one letter is a Windows drive
        return _fetch_file(Path(url).expanduser(), url, settings)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"{url}: file URL on another host is not supported")
        return _fetch_file(Path(url2pathname(parts.path)), url, settings)
    if scheme not in ("http", "https"):
        raise FetchError(f"{url}: unsupported URL scheme {scheme!r} (use http, https or a path)")
    try:
        if not parts.hostname:
            raise FetchError(f"{url}: malformed URL (no host)")
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(f"{url}: malformed URL ({exc})") from None
    return _fetch_http(url, etag, last_modified, settings, client or _shared_client(settings))


def _fetch_file(path: Path, url: str, settings: HttpSettings) -> FetchResult:
    try:
        if path.is_dir():
            raise FetchError(f"is a directory, not a file: {path}")
        if path.exists() and not path.is_file():   # a FIFO would block the open forever
            raise FetchError(f"not a regular file: {path}")
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise FetchError(f"{path}: file larger than {_size(settings.max_bytes)} cap")
        with path.open("rb") as fh:
            body = fh.read(settings.max_bytes + 1)
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}") from None
    except PermissionError:
        raise FetchError(f"permission denied: {path}") from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(body) > settings.max_bytes:
        raise FetchError(f"{path}: file larger than {_size(settings.max_bytes)} cap")
    return FetchResult(body=body, last_modified=email.utils.formatdate(mtime, usegmt=True),
                       url=url)


def _fetch_http(url: str, etag: str | None, last_modified: str | None,
                settings: HttpSettings, client: httpx.Client) -> FetchResult:
    headers = _headers(settings)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    cause = "no attempt made"
    deadline = _Deadline(url, settings.total_timeout)
    for attempt in range(1, settings.attempts + 1):
        wait = settings.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
        try:
            with client.stream("GET", url, headers=headers,
                               timeout=deadline.timeout(settings),
                               follow_redirects=True) as r, deadline.watch(r):
                if r.status_code == 304:
                    return FetchResult(body=None, etag=r.headers.get("etag", etag),
                                       last_modified=r.headers.get("last-modified", last_modified),
                                       not_modified=True, url=url)
                if r.is_success:
                    return FetchResult(body=_read_capped(r, url, settings.max_bytes,
                                                         deadline),
                                       etag=r.headers.get("etag"),
                                       last_modified=r.headers.get("last-modified"), url=url)
                status = f"HTTP {r.status_code} {r.reason_phrase}".rstrip()
                if r.status_code != 429 and r.status_code < 500:
                    raise FetchError(f"{url}: {status}")
                cause = status
                retry_after = _retry_after(r.headers.get("retry-after"))
                if retry_after is not None:
                    wait = max(wait, min(retry_after, RETRY_AFTER_CAP))
        except httpx.ConnectTimeout:
            cause = f"connect timed out (connect timeout {settings.connect_timeout:g} s)"
        except httpx.TimeoutException:
            cause = f"timed out (read timeout {settings.read_timeout:g} s)"
        except httpx.UnsupportedProtocol as exc:
            raise FetchError(f"{url}: {exc}") from None
        except httpx.ConnectError as exc:
            cause = _connect_cause(exc)
        except httpx.RemoteProtocolError as exc:
            cause = f"incomplete or broken response ({exc})"
        except httpx.TransportError as exc:
            cause = f"network error ({exc or type(exc).__name__})"
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise FetchError(f"{url}: {exc or type(exc).__name__}") from None
        if deadline.passed():
            raise deadline.error(cause)
        if attempt < settings.attempts:
            if wait >= deadline.remaining():
                raise deadline.error(cause)   # the next attempt could not start in time
            time.sleep(wait)
    n = settings.attempts
    head, _, detail = cause.partition(" (")
    detail = f" ({detail}" if detail else ""
    raise FetchError(f"{url}: {head} after {n} attempt{'s' if n != 1 else ''}{detail}")


def _read_capped(response: httpx.Response, url: str, max_bytes: int,
                 deadline: _Deadline | None = None) -> bytes:
    too_big = FetchError(f"{url}: response larger than {_size(max_bytes)} cap")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    body = bytearray()
    for chunk in response.iter_bytes():   # decoded: the cap also guards against gzip bombs
        body += chunk
        if len(body) > max_bytes:
            raise too_big
        if deadline is not None and deadline.passed():
            raise deadline.error("the body was still arriving")
    return bytes(body)


class _Deadline:
    """The total deadline of one fetch.

    Each attempt's gap timeouts are shortened to what is left, which bounds the wait
    for headers; while a body streams, a watchdog timer shuts the socket down at the
    deadline, because a byte arriving within every gap would otherwise never time out.
    """

    def __init__(self, url: str, seconds: float):
        self.url, self.seconds = url, seconds
        self.end = time.monotonic() + seconds
        self.cut = False          # the watchdog ended a body that was still arriving

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0

    def error(self, cause: str) -> FetchError:
        if self.cut:
            cause = "the body was still arriving"
        return FetchError(f"{self.url}: no complete answer within the total deadline of "
                          f"{self.seconds:g} s (RATECARD_HTTP_TOTAL_TIMEOUT; last: {cause})")

    def timeout(self, s: HttpSettings) -> httpx.Timeout:
        left = max(self.remaining(), 0.001)
        return httpx.Timeout(min(s.read_timeout, left), connect=min(s.connect_timeout, left),
                             pool=left)

    @contextmanager
    def watch(self, response: httpx.Response) -> Iterator[None]:
        timer = threading.Timer(max(self.remaining(), 0.0), self._cut, (response,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _cut(self, response: httpx.Response) -> None:
        """Wake a read blocked on this response's socket (the read then fails at once)."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            self.cut = True
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _connect_cause(exc: httpx.ConnectError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if any(s in text for s in ("Name or service", "name resolution", "nodename", "getaddrinfo")):
        return f"cannot resolve host ({text})"
    return f"cannot connect ({text or type(exc).__name__})"


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _timeout(s: HttpSettings) -> httpx.Timeout:
    return httpx.Timeout(s.read_timeout, connect=s.connect_timeout)


def _headers(s: HttpSettings) -> dict[str, str]:
    return {"User-Agent": s.user_agent, "Accept-Encoding": "gzip"}


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{n} bytes"
