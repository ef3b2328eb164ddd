"""Every route (app.url_map), hostile input, no 5xx.

Path variables get real values (so the view runs past its lookup) and hostile ones; query
strings, form fields and headers get what attackers and broken clients send: huge values,
control characters, NUL, bytes that are not UTF-8 (percent-encoded and raw), repeated
parameters, unicode digits, negative and huge numbers, impossible dates, a long Host,
odd Accept / If-None-Match / Range / Cookie headers. Anonymous on the session catalog (real
data, read only), then logged in as an editor and as an admin on a small catalog of their
own (their forms write). Seeded: a failure names the request that found it, and the same
seed finds it again. Bounded: a fixed number of requests (about 2,000, well under a minute).
"""
from __future__ import annotations

import random
import re
import time
from urllib.parse import quote

import pytest
from werkzeug.routing import Rule

# Editor fixtures (accounts, a small catalog, logged-in clients) used below.
from tests.editor.conftest import (  # noqa: F401
    _fresh_render_cache,
    admin,
    catalog,
    ed,
    editor,
    root,
    token_of,
)

SEED = 20261203
PUBLIC_REQUESTS = 1200
EDITOR_REQUESTS = 350          # per account

REAL = {   # per path variable: values that exist (in one of the two catalogs)
    "provider": ["openai", "anthropic", "openrouter"],
    "name": ["gpt-4o", "gpt-4o-mini", "openai/gpt-4o", "claude-sonnet-4-5"],
    "slug": ["openai", "about", "methodology", "openai/gpt-4o", "guides/x"],
    "kind": ["model", "page", "provider"],
    "digest": ["0", "deadbeef"],
    "name@assets.asset": ["site.css", "site.js", "favicon.svg", "editor.js"],
    "filename": ["site.css", "editor.js", "../pyproject.toml"],
    "public_id": ["sub_x", "sub_" + "A" * 16],
    "token": ["0" * 32, "x"],
}
HOSTILE_TEXT = [
    "", " ", "x" * 5000, "\x00", "a\x00b", "\x01\x7f", "\t", "é", "²", "١٢", "𝟙𝟚", "\ufeff",
    "\u202e", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "%",
    "%zz", "-1", "0", "1", "+5", "1_000", "99999999999999999999999999", "-99999999999999",
    "1e309", "1e-999999", "NaN", "Infinity", "-0", "-+5", "--1", "+", "0x10", "1.5", "$-0",
    "100%",
    "2024-02-30",
    "9999-12-31", "0001-01-01", "0000-00-00", "2024-13-01", "2024-1-1", "20240101",
    "on", "off", "yes", "maybe", "true", "[]", "{}", "null", "a,b,,c", ",,,,", "a" * 300,
    "openai/gpt-4o", "openai/gpt-4o," * 10, "chat", "asc", "desc", "context", "price",
]
RAW_BYTES = ["\xff", "\xc3\x28", "\xed\xa0\x80", "%ff%fe", "%c0%af", "\x80abc"]
PARAMS = [
    "page", "q", "provider", "mode", "sort", "order", "cap", "min_context",
    "max_input_price", "deprecated", "input_modality", "output_modality", "from", "to",
    "kind", "models", "add", "tokens_in", "tokens_out", "cached_pct", "batch", "images",
    "image_option", "image_tokens", "done", "rev", "written", "skipped", "a", "b",
    "action", "next", "reason", "v", "slug", "_anchor", "_external", "x",
]
HEADERS = {
    "Host": ["h" * 64 + ".example", "a" * 300, "127.0.0.1:99999", "[::1", "ex ample.com",
             "é.example", "localhost:-1", "\x00", "..", "example.com.", ":80"],
    "Accept": ["*/*;q=abc", "text/html;q=2," * 200, "application/problem+json", "\x00",
               "x" * 5000],
    "Accept-Encoding": ["gzip;q=x", "br, gzip, *;q=0", "gzip" * 2000, "identity;q=0"],
    "If-None-Match": ["*", 'W/""', '"' + "a" * 5000 + '"', "W/", ",,,", '"x", W/"y"',
                      "\x01"],
    "If-Modified-Since": ["yesterday", "Mon, 99 Jan 9999 00:00:00 GMT", "0", "-1"],
    "Range": ["bytes=-1", "bytes=0-0,1-1," * 100, "bytes=999999999999-", "lines=1-2",
              "bytes=5-1"],
    "Cookie": ["session=" + "a" * 4000, "session=\x00", "ratecard_session=; x=%ff",
               "a=b; " * 300],
    "Referer": ["javascript:alert(1)", "http://[::1", "x" * 5000],
    "X-Forwarded-For": ["1.2.3.4, ::1, junk", "x" * 3000],
    "Content-Type": ["multipart/form-data", "application/x-www-form-urlencoded; charset=x",
                     "multipart/form-data; boundary=" + "a" * 100],
}


def _routes(app) -> list[Rule]:  # type: ignore[no-untyped-def]
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def _fill(rule: Rule, rng: random.Random) -> str | None:
    """The rule's path with its variables filled: mostly real values, some hostile."""
    path = rule.rule
    for name in rule.arguments:
        real = REAL.get(f"{name}@{rule.endpoint}") or REAL.get(name)
        assert real, f"no real value for <{name}> of {rule.rule}: add one to REAL"
        value = rng.choice(real) if rng.random() < 0.7 else rng.choice(HOSTILE_TEXT)
        converter = rule._converters[name]       # path: keeps '/', others percent-encode it
        safe = "/" if type(converter).__name__ == "PathConverter" else ""
        encoded = quote(value, safe=safe) or "x"
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", lambda _m, e=encoded: e, path)
    return path


def _query(rng: random.Random) -> tuple[str, str | None]:
    """(percent-encoded query string, or a raw one with bytes that are not UTF-8)."""
    if rng.random() < 0.1:
        name = rng.choice(PARAMS)
        return "", f"{name}={rng.choice(RAW_BYTES)}&{rng.choice(RAW_BYTES)}=1"
    pairs = []
    for _ in range(rng.choice((0, 1, 1, 2, 3, 6))):
        name = rng.choice(PARAMS) if rng.random() < 0.9 else rng.choice(HOSTILE_TEXT[:20])
        for _ in range(rng.choice((1, 1, 1, 2, 5))):          # repeated parameters
            pairs.append(f"{quote(name, safe='')}={quote(rng.choice(HOSTILE_TEXT), safe='')}")
    if rng.random() < 0.05:
        pairs.append(rng.choice(["%ff=1", "q=%ff%fe", "a=%c3%28"]))
    return "&".join(pairs), None


def _headers(rng: random.Random) -> dict[str, str]:
    chosen = rng.sample(sorted(HEADERS), k=rng.choice((0, 0, 1, 2, 3)))
    return {name: rng.choice(HEADERS[name]) for name in chosen}


def _form(rng: random.Random) -> dict[str, str]:
    fields = ["kind", "slug", "front_matter", "body", "base_revision_id", "action",
              "revision_id", "alt", "username", "password", "next", "resume_body"]
    form = {name: rng.choice(HOSTILE_TEXT) for name in rng.sample(fields, k=rng.randint(0, 7))}
    if rng.random() < 0.4:
        form["action"] = rng.choice(["save", "publish", "preview", "x"])
    return form


class Fuzz:
    def __init__(self, client, seed: int, token: str | None = None) -> None:  # type: ignore[no-untyped-def]
        self.client, self.rng, self.token = client, random.Random(seed), token
        self.failures: list[str] = []
        self.statuses: dict[int, int] = {}
        self.count = 0

    def one(self, rule: Rule, methods: list[str]) -> None:
        rng = self.rng
        path = _fill(rule, rng)
        query, raw_query = _query(rng)
        headers = _headers(rng)
        method = rng.choice(methods)
        kwargs: dict[str, object] = {"headers": headers}
        if raw_query is not None:
            kwargs["environ_overrides"] = {"QUERY_STRING": raw_query}
        url = f"{path}?{query}" if query else path
        if method == "POST":
            form = _form(rng)
            if self.token is not None and rng.random() < 0.85:
                form["csrf_token"] = self.token
            kwargs["data"] = form
            headers.pop("Content-Type", None)
        self.count += 1
        shown = {k: v[:80] for k, v in headers.items()}
        where = f"{method} {url[:200]!r} raw_query={raw_query!r} headers={shown}"
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:       # TESTING propagates what would be a 500
            self.failures.append(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            return
        response.close()                # static files are streamed from open files
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.failures.append(f"{where}: HTTP {response.status_code}")

    def run(self, rules: list[Rule], count: int, skip: set[str]) -> None:
        jobs = [(rule, sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in rules
                if rule.endpoint not in skip]
        for i in range(count):
            rule, methods = jobs[i % len(jobs)] if i < len(jobs) else self.rng.choice(jobs)
            self.one(rule, methods)

    def check(self) -> None:
        assert not self.failures, (f"{len(self.failures)} of {self.count} requests failed:\n"
                                   + "\n".join(self.failures[:15]))


def test_public_routes_anonymous(site_app, site_client):
    started = time.monotonic()
    fuzz = Fuzz(site_client, SEED)
    fuzz.run(_routes(site_app), PUBLIC_REQUESTS, skip=set())
    fuzz.check()
    assert time.monotonic() - started < 90


@pytest.fixture
def content_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Export writes files: into a folder of the test's own, never the project's content/."""
    monkeypatch.setenv("RATECARD_CONTENT_DIR", str(tmp_path / "content"))
    (tmp_path / "content").mkdir()


@pytest.mark.parametrize("who", ["ed", "root"])
def test_editor_routes_logged_in(app, catalog, ed, root, content_dir, who):  # noqa: F811
    client = {"ed": ed, "root": root}[who]
    token = token_of(client.get("/editor/").text)
    fuzz = Fuzz(client, SEED + len(who), token)
    editor_rules = [r for r in _routes(app) if r.endpoint.startswith("editor.")]
    # Logging out or in again would end the session the rest of the run needs.
    fuzz.run(editor_rules, EDITOR_REQUESTS, skip={"editor.logout", "editor.login"})
    assert client.get("/editor/").status_code == 200, "the session ended during the run"
    fuzz.check()
