"""The public site as static files (`ratecard export-site DIR`): each page written to the
file a plain web server, an object store or a CDN serves for its path, with a manifest of
content hashes, so a second run rewrites only what changed (docs/publishing.md).

This module is the writing half: it takes pages already rendered (web/static_site.py
renders them through the app) and knows nothing of the web. A path maps to a file so that
every link of a page stays correct without rewriting:

    /                              index.html
    /models/openai/gpt-4o          models/openai/gpt-4o/index.html     (an HTML page)
    /api/v1/models/openai/gpt-4o   api/v1/models/openai/gpt-4o/index.json   (a JSON document)
    /sitemap.xml, /feeds/x.atom    the same name (a path whose answer is a file of its kind)

The web server tries `$uri`, `$uri/index.html`, `$uri/index.json` in that order.
Writes are atomic (a temporary file renamed over the old one): a reader never sees half a
file, and a run that fails leaves every file either old or new.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

MANIFEST = "manifest.json"
NOT_FOUND = "404.html"
GZIP_MIN = 500                   # as web/http.py: smaller bodies are sent as they are
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/atom+xml",
                "image/svg+xml", "application/javascript")


class ExportError(Exception):
    """A page that could not be exported; the message names its URL."""


@dataclass(frozen=True)
class Page:
    path: str                    # the URL path, as a link names it (percent-encoded)
    body: bytes
    content_type: str            # as the live site answers it


@dataclass
class Summary:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"site exported: {self.files} files, {self.written} written, "
                f"{self.unchanged} unchanged, {self.removed} removed")
        if self.skipped:
            text += f", {len(self.skipped)} skipped ({', '.join(self.skipped[:5])}"
            text += ", …)" if len(self.skipped) > 5 else ")"
        return text


def file_for(path: str, content_type: str) -> str:
    """The file (relative to the export's root, POSIX) that serves the URL path."""
    decoded = unquote(path.split("?", 1)[0])
    parts = [p for p in decoded.split("/") if p]
    if not decoded.startswith("/") or any(p in (".", "..") or "\\" in p for p in parts):
        raise ExportError(f"{path}: not a path inside the site")
    kind = content_type.split(";", 1)[0].strip().lower()
    name = parts[-1] if parts else ""
    if decoded.endswith("/") or not parts:
        parts.append("index.json" if kind == "application/json" else "index.html")
    elif kind == "text/html" and not name.endswith(".html"):
        parts.append("index.html")
    elif kind == "application/json" and not name.endswith(".json"):
        parts.append("index.json")
    relative = "/".join(parts)
    if relative == MANIFEST or relative.startswith(MANIFEST + ".") or relative.endswith(".gz.tmp"):
        raise ExportError(f"{path}: its file would be the export's own {relative}")
    return relative


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: Path) -> dict[str, dict[str, object]]:
    try:
        raw = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ExportError(f"{directory / MANIFEST} cannot be read: {exc}") from None
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        raise ExportError(f"{directory / MANIFEST} is not an export manifest")
    return files


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class SiteWriter:
    """Pages in, files out: each file rewritten only when its bytes changed, and at the end
    (finish) the files of the last export that this one no longer has removed."""

    def __init__(self, directory: Path, *, gzip_copies: bool = False):
        self.root = directory
        self.gzip_copies = gzip_copies
        if directory.exists() and not directory.is_dir():
            raise ExportError(f"{directory} is not a folder")
        self.previous = read_manifest(directory)
        if not self.previous and directory.is_dir() and any(directory.iterdir()):
            raise ExportError(f"{directory} is not empty and holds no {MANIFEST}: "
                              "export into an empty folder or a previous export")
        self.files: dict[str, dict[str, object]] = {}
        self.summary = Summary()

    def add(self, page: Page) -> None:
        relative = file_for(page.path, page.content_type)
        if relative in self.files:
            raise ExportError(f"{page.path}: its file {relative} is written by "
                              f"{self.files[relative]['path']} already")
        self._put(relative, page.body, {"path": page.path, "content_type": page.content_type})
        kind = page.content_type.split(";", 1)[0].strip().lower()
        if self.gzip_copies and len(page.body) >= GZIP_MIN and kind.startswith(COMPRESSIBLE):
            packed = gzip.compress(page.body, compresslevel=9, mtime=0)
            self._put(relative + ".gz", packed, {"path": page.path,
                                                 "content_type": page.content_type,
                                                 "content_encoding": "gzip"})

    def _put(self, relative: str, data: bytes, meta: dict[str, object]) -> None:
        digest = _sha256(data)
        entry = {**meta, "sha256": digest, "size": len(data)}
        self.files[relative] = entry
        target = self.root / PurePosixPath(relative)
        old = self.previous.get(relative)
        if (old is not None and old.get("sha256") == digest and target.is_file()
                and target.stat().st_size == len(data)):
            self.summary.unchanged += 1
            return
        if target.is_dir():
            raise ExportError(f"{meta['path']}: {relative} is a folder of other pages")
        _atomic_write(target, data)
        self.summary.written += 1

    def finish(self) -> Summary:
        """Remove what the last export had and this one has not, then write the manifest."""
        for relative in sorted(set(self.previous) - set(self.files)):
            target = self.root / PurePosixPath(relative)
            if target.is_file():
                target.unlink()
                self.summary.removed += 1
                self._prune(target.parent)
        self._save(self.files)
        self.summary.files = len(self.files)
        return self.summary

    def abandon(self) -> None:
        """After a failure: the manifest says what is on disk now (the old files and the
        ones written), nothing is removed."""
        self._save({**self.previous, **self.files})

    def _prune(self, folder: Path) -> None:
        root = self.root.resolve()
        while folder.resolve() != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _save(self, files: dict[str, dict[str, object]]) -> None:
        body = json.dumps({"format": 1, "files": dict(sorted(files.items()))},
                          indent=1, ensure_ascii=False) + "\n"
        _atomic_write(self.root / MANIFEST, body.encode("utf-8"))


def write_site(directory: Path, pages: Iterable[Page], *, gzip_copies: bool = False,
               progress: Callable[[int, Page], None] | None = None) -> Summary:
    """Write every page; the first failure (an ExportError from the pages' iterator, or a
    file that cannot be written) stops the run with the manifest kept true."""
    writer = SiteWriter(directory, gzip_copies=gzip_copies)
    directory.mkdir(parents=True, exist_ok=True)
    done = 0
    try:
        for page in pages:
            writer.add(page)
            done += 1
            if progress is not None:
                progress(done, page)
    except BaseException:
        writer.abandon()
        raise
    return writer.finish()
