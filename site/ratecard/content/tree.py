"""Reading the content/ folder: every page file located and parsed, every media file read.

Files that cannot be content (wrong place, wrong name, not UTF-8, two files for one slug, a
link or a special file: see files.py) are problems here; what is inside a file is check.py's
business.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ratecard.content import MediaFacts, Problem, files
from ratecard.content.media import MAX_BYTES, MediaError, ProcessedImage, process_image
from ratecard.content.source import MAX_FILE_BYTES, Document, locate, parse_text

FOLDERS = ("models", "providers", "pages")


@dataclass
class SourceFile:
    rel: PurePosixPath                 # relative to content/
    path: str                          # as shown in problems
    kind: str
    slug: str
    doc: Document


@dataclass
class MediaSource:
    rel: PurePosixPath
    path: str
    name: str
    image: ProcessedImage
    sha256: str                        # of the re-encoded bytes (what is stored and served)

    def facts(self) -> MediaFacts:
        return MediaFacts(self.name, self.image.width, self.image.height, self.sha256)


@dataclass
class Tree:
    root: Path
    files: list[SourceFile] = field(default_factory=list)
    media: list[MediaSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def scan(root: Path) -> Tree:
    """Every file under root, each read at most once through files.py (no link followed).
    Never raises for what a file holds: a file that cannot be read is a problem of its own."""
    tree = Tree(root)
    if not root.is_dir():
        tree.problems.append(Problem(str(root), 0, "no content folder here", "warning"))
        return tree
    seen: dict[tuple[str, str], str] = {}
    for folder in FOLDERS:
        for rel in _listing(root, folder, tree.problems):
            try:
                source = _page_file(root, rel, tree.problems)
            except files.Refused as exc:
                tree.problems.append(Problem(str(root / exc.rel), 1, exc.message))
                continue
            except OSError as exc:
                tree.problems.append(Problem(str(root / rel), 1, f"cannot be read: "
                                             f"{exc.strerror or exc}"))
                continue
            if source is None:
                continue
            key = (source.kind, source.slug)
            if key in seen:
                tree.problems.append(Problem(source.path, 1, f"duplicate slug: {seen[key]} is "
                                             f"already the {source.kind} page {source.slug!r}"))
                continue
            seen[key] = source.path
            tree.files.append(source)
    _scan_media(root, tree)
    return tree


def _listing(root: Path, folder: str, problems: list[Problem]) -> list[PurePosixPath]:
    found, refused = files.listing(root, folder)
    problems.extend(Problem(str(root / r.rel), 1, r.message) for r in refused)
    return found


def _page_file(root: Path, rel: PurePosixPath, problems: list[Problem]) -> SourceFile | None:
    shown = str(root / rel)
    if rel.suffix != ".md":
        problems.append(Problem(shown, 1, "ignored: content pages are .md files", "warning"))
        return None
    try:
        kind, slug, warnings = locate(rel)
    except ValueError as exc:
        problems.append(Problem(shown, 1, str(exc)))
        return None
    problems.extend(Problem(shown, 1, w, "warning") for w in warnings)
    raw = files.read(root, rel, MAX_FILE_BYTES)
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(shown, 1, f"file is over {MAX_FILE_BYTES // 1000} kB"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "not UTF-8 text"))
        return None
    if "\0" in text:      # not text, and PostgreSQL cannot store it: refused, never stored
        line = text.count("\n", 0, text.index("\0")) + 1
        problems.append(Problem(shown, line, "NUL character: content files are text"))
        return None
    return SourceFile(rel, shown, kind, slug, parse_text(text, shown))


def _scan_media(root: Path, tree: Tree) -> None:
    for rel in _listing(root, "media", tree.problems):
        shown = str(root / rel)
        if len(rel.parts) != 2:
            tree.problems.append(Problem(shown, 1, "media files go directly in media/ "
                                         "(no subfolders): the name is the URL"))
            continue
        try:
            raw = files.read(root, rel, MAX_BYTES)
        except files.Refused as exc:
            tree.problems.append(Problem(shown, 1, exc.message))
            continue
        except OSError as exc:
            tree.problems.append(Problem(shown, 1, f"cannot be read: {exc.strerror or exc}"))
            continue
        if len(raw) > MAX_BYTES:
            tree.problems.append(Problem(shown, 1, f"over the {MAX_BYTES // 1048576} MB "
                                         "limit for illustrations"))
            continue
        try:
            image = process_image(raw, rel.name)
        except MediaError as exc:
            tree.problems.append(Problem(shown, 1, str(exc)))
            continue
        tree.media.append(MediaSource(rel, shown, rel.name, image,
                                      hashlib.sha256(image.data).hexdigest()))
