"""`ratecard export-site DIR`: the test catalog exported, served by a static file server on
loopback (the try_files rule of docs/publishing.md), crawled from / : every link resolves
and every file is the live app's answer for its path, byte for byte. A second run rewrites
nothing; a price change rewrites the pages that show that model, and no other."""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from ratecard.db import Database
from ratecard.services.site_export import ExportError, Page, file_for, write_site
from ratecard.web.static_site import page_links
from tests.catalog_loader import load_own_catalog
from tests.cli_runner import run_cli
from tests.upstream import OWN

# Addresses with a query string are the app's (docs/publishing.md): these pages link to them.
DYNAMIC = ("/models", "/changes", "/compare", "/providers/", "/api/v1/", "/models/")


class TryFiles(SimpleHTTPRequestHandler):
    """nginx's `try_files $uri $uri/index.html $uri/index.json =404` with
    `error_page 404 /404.html`; the query string is ignored, as an object store does."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      ".atom": "application/atom+xml", ".json": "application/json",
                      ".xml": "application/xml", ".csv": "text/csv"}

    def translate_path(self, path: str) -> str:
        base = Path(super().translate_path(path))
        for candidate in (base, base / "index.html", base / "index.json"):
            if candidate.is_file():
                return str(candidate)
        return str(base / "index.html")     # absent: 404

    def send_head(self):  # type: ignore[no-untyped-def]
        if not Path(self.translate_path(self.path)).is_file():
            page = Path(self.directory) / "404.html"
            body = page.read_bytes() if page.is_file() else b"not found"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(TryFiles, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def catalog(db: Database) -> Database:
    from ratecard.content import content_root
    from ratecard.services.content_files import import_files

    load_own_catalog(db)
    with db.session() as session:
        import_files(session, content_root())
        session.commit()
    return db


def _get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _export(root: Path, base: str, database_url: str) -> str:
    ran = run_cli("export-site", str(root), "--base-url", base,
                  env={"DATABASE_URL": database_url})
    assert ran.returncode == 0, ran.stderr + ran.stdout
    assert "pages: " in ran.stderr
    return ran.stdout.strip().splitlines()[-1]


def _manifest(root: Path) -> dict[str, dict[str, object]]:
    return json.loads((root / "manifest.json").read_text())["files"]


def test_export_crawled_from_a_static_server_is_the_live_site(
        catalog: Database, database_url: str, static_server: tuple[str, Path], app) -> None:  # type: ignore[no-untyped-def]
    base, root = static_server
    summary = _export(root, base, database_url)
    assert ", 0 unchanged, 0 removed" in summary and "skipped" not in summary, summary

    live = app.test_client()
    seen: set[str] = set()
    queue = ["/", "/sitemap.xml", "/robots.txt"]
    dynamic: set[str] = set()
    broken: list[str] = []
    different: list[str] = []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status, body = _get(base + path)
        if status != 200:
            broken.append(f"{path}: {status}")
            continue
        answer = live.get(path, base_url=base)
        if answer.get_data() != body:
            different.append(path)
        kind = answer.mimetype
        links: list[str] = []
        if kind == "text/html":
            links = page_links(body)
        elif path == "/sitemap.xml":
            links = [part.split("</loc>")[0] for part in body.decode().split("<loc>")[1:]]
        for href in links:
            parts = urlsplit(urljoin(base + path, href))
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            if parts.query:
                dynamic.add(parts.path)
                status, _ = _get(base + parts.path + "?" + parts.query)
                if status != 200:          # without the app: the page without its query
                    broken.append(f"{parts.path}?{parts.query}: {status}")
                continue
            if not parts.path.startswith(("/editor", "/live-test/", "/alerts")):
                queue.append(parts.path or "/")
    assert broken == []
    assert different == []
    assert {p for p in dynamic if not p.startswith(DYNAMIC)} == set()
    profiles = [p for p in seen if p.startswith("/models/") and p.count("/") >= 3
                and not p.endswith(".csv")]
    assert len(profiles) > 20
    # Every model's API documents, under the live API's paths, though no page links them all.
    files = _manifest(root)
    assert "api/v1/models/openai/gpt-4o/index.json" in files
    assert "api/v1/models/openai/gpt-4o/prices/index.json" in files
    for name, entry in files.items():
        answer = live.get(str(entry["path"]), base_url=base)
        assert answer.status_code == (404 if name == "404.html" else 200), name
        assert answer.get_data() == (root / name).read_bytes(), name
        assert answer.content_type == entry["content_type"], name
    status, body = _get(base + "/models/nobody/nothing")
    assert status == 404 and b"<html" in body


def test_a_second_run_rewrites_nothing_and_a_price_change_only_what_shows_it(
        catalog: Database, database_url: str, tmp_path: Path) -> None:
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    root = tmp_path / "site"
    base = "https://ratecard.example"
    first = _export(root, base, database_url)
    assert "0 unchanged" in first
    before = _manifest(root)
    again = _export(root, base, database_url)
    assert ", 0 written, " in again and f"{len(before)} unchanged, 0 removed" in again
    assert _manifest(root) == before

    entries = json.loads((OWN / "litellm" / "model_prices_cut.json").read_text())
    entries["deepseek-chat"]["input_cost_per_token"] = 3.1e-07
    entries["deepseek/deepseek-chat"]["input_cost_per_token"] = 3.1e-07
    summary = run_sync(catalog, litellm.SOURCE, payload=json.dumps(entries).encode(),
                       as_of=dt.date(2026, 8, 25))
    assert summary.ok, summary.line()
    old_pages = {name: (root / name).read_bytes() for name in before}
    third = _export(root, base, database_url)
    after = _manifest(root)
    changed = {n for n in after if before.get(n, {}).get("sha256") != after[n]["sha256"]}
    assert f"{len(changed)} written" in third
    ours = "models/deepseek/deepseek-chat/"
    assert {ours + "index.html", "api/v1/models/deepseek/deepseek-chat/index.json",
            "api/v1/models/deepseek/deepseek-chat/prices/index.json"} <= changed
    # Another model's profile is rewritten only when it shows this one (similar models, the
    # same model elsewhere) or the sync's own date (its sources' "Last success"); assets never.
    others = {n for n in changed if n.startswith("models/") and n.endswith("/index.html")
              and not n.startswith(ours)}
    assert others
    for name in others:
        if b"/models/deepseek/deepseek-chat" not in old_pages[name]:
            assert _without_run_dates(old_pages[name]) == _without_run_dates(
                (root / name).read_bytes()), name
    assert not any(n.startswith("assets/") for n in changed)


def _without_run_dates(page: bytes) -> bytes:
    return re.sub(rb'<td data-label="Last success">[^<]*</td>', b"", page)


def test_paths_map_to_files_that_keep_links_correct() -> None:
    html, js = "text/html; charset=utf-8", "application/json"
    assert file_for("/", html) == "index.html"
    assert file_for("/api/", html) == "api/index.html"
    assert file_for("/models", html) == "models/index.html"
    assert file_for("/models/openai/gpt-4.1", html) == "models/openai/gpt-4.1/index.html"
    assert file_for("/models/bedrock/a.b-v1%3A0", html) == "models/bedrock/a.b-v1:0/index.html"
    assert file_for("/api/v1/models/openai/o3/prices", js) == (
        "api/v1/models/openai/o3/prices/index.json")
    assert file_for("/api/v1/openapi.json", js) == "api/v1/openapi.json"
    assert file_for("/sitemap.xml", "application/xml") == "sitemap.xml"
    assert file_for("/feeds/models/openai/o3.atom", "application/atom+xml") == (
        "feeds/models/openai/o3.atom")
    for bad in ("/models/%2e%2e/x", "/a/../b", "/manifest.json"):
        with pytest.raises(ExportError):
            file_for(bad, "text/plain")


def test_a_page_that_fails_names_its_url_and_leaves_no_half_file(tmp_path: Path) -> None:
    root = tmp_path / "site"

    def pages() -> Iterator[Page]:
        yield Page("/", b"<html>home</html>", "text/html")
        raise ExportError("http://x/models/a/b: HTTP 500 (500 INTERNAL SERVER ERROR)")

    with pytest.raises(ExportError, match="/models/a/b"):
        write_site(root, pages())
    assert sorted(p.name for p in root.rglob("*")) == ["index.html", "manifest.json"]
    assert _manifest(root)["index.html"]["size"] == len(b"<html>home</html>")
    summary = write_site(root, [Page("/about", b"<html>about</html>", "text/html")])
    assert (summary.written, summary.unchanged, summary.removed) == (1, 0, 1)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "about/index.html", "manifest.json"]


def test_an_unknown_folder_is_not_written_into(db: Database, database_url: str,
                                                tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    ran = run_cli("export-site", str(tmp_path), "--base-url", "https://ratecard.example",
                  env={"DATABASE_URL": database_url})
    assert ran.returncode == 1
    assert "is not empty and holds no manifest.json" in ran.stderr
    assert not (tmp_path / "manifest.json").exists()
    assert (tmp_path / "mine.txt").read_text() == "keep"
