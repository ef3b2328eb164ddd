"""Reading the content/ folder: every page file located and parsed, every media file read.

Files that cannot be content (wrong place, wrong name, not UTF-8, two files for one slug)
are problems here; what is inside a file is check.py's business.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ratecard.content import MediaFacts, Problem
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


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def scan(root: Path) -> Tree:
    tree = Tree(root)
    if not root.is_dir():
        tree.problems.append(Problem(str(root), 0, "no content folder here", "warning"))
        return tree
    seen: dict[tuple[str, str], str] = {}
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and _visible(p, root)):
            source = _page_file(root, path, tree.problems)
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


def _page_file(root: Path, path: Path, problems: list[Problem]) -> SourceFile | None:
    rel = PurePosixPath(path.relative_to(root).as_posix())
    shown = str(path)
    if path.suffix != ".md":
        problems.append(Problem(shown, 1, "ignored: content pages are .md files", "warning"))
        return None
    try:
        kind, slug, warnings = locate(rel)
    except ValueError as exc:
        problems.append(Problem(shown, 1, str(exc)))
        return None
    problems.extend(Problem(shown, 1, w, "warning") for w in warnings)
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(shown, 1, f"file is over {MAX_FILE_BYTES // 1000} kB"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "not UTF-8 text"))
        return None
    return SourceFile(rel, shown, kind, slug, parse_text(text, shown))


def _scan_media(root: Path, tree: Tree) -> None:
    base = root / "media"
    if not base.is_dir():
        return
    for path in sorted(p for p in base.rglob("*") if p.is_file() and _visible(p, root)):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        if path.parent != base:
            tree.problems.append(Problem(str(path), 1, "media files go directly in media/ "
                                         "(no subfolders): the name is the URL"))
            continue
        if path.stat().st_size > MAX_BYTES:
            tree.problems.append(Problem(str(path), 1, f"over the {MAX_BYTES // 1048576} MB "
                                         "limit for illustrations"))
            continue
        try:
            image = process_image(path.read_bytes(), path.name)
        except MediaError as exc:
            tree.problems.append(Problem(str(path), 1, str(exc)))
            continue
        tree.media.append(MediaSource(rel, str(path), path.name, image,
                                      hashlib.sha256(image.data).hexdigest()))
