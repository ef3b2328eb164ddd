"""content/ files <-> the database: check, import (idempotent; a broken file never
unpublishes anything) and export (published revisions back to files, for Git)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.content import Problem, files
from ratecard.content.check import check_document
from ratecard.content.source import path_for, serialize, to_json
from ratecard.content.tree import MediaSource, SourceFile, Tree, scan
from ratecard.db import Database, utcnow
from ratecard.models import ContentPage, ContentRevision, MediaFile
from ratecard.queries.content import DbCatalog
from ratecard.services.content_store import (
    FILE_AUTHOR,
    audit,
    new_page,
    next_number,
    publish_revision,
)

log = logging.getLogger("ratecard.content")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)     # paths of pages published first time
    updated: list[str] = field(default_factory=list)     # a new published revision
    unchanged: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)    # failed the check: not published
    refused: list[str] = field(default_factory=list)     # not read at all (link, not UTF-8…)
    problems: list[Problem] = field(default_factory=list)
    media: list[str] = field(default_factory=list)       # media names stored or replaced

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def line(self) -> str:
        return (f"content: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected, "
                f"{len(self.refused)} refused, {len(self.media)} media stored, "
                f"{len(self.errors)} error(s)")


# -- checking ------------------------------------------------------------------------------

def _catalog(session: Session, tree: Tree) -> DbCatalog:
    return DbCatalog(session, pages={(f.kind, f.slug) for f in tree.files},
                     media={m.name: m.facts() for m in tree.media})


def check_tree(session: Session, tree: Tree) -> dict[str, list[Problem]]:
    """Problems per file path (tree-level ones under their own paths). Writes nothing."""
    catalog = _catalog(session, tree)
    found: dict[str, list[Problem]] = {}
    for problem in tree.problems:
        found.setdefault(problem.path, []).append(problem)
    for source in tree.files:
        try:
            problems = check_document(source.doc, source.kind, source.slug, catalog)
        except Exception as exc:      # one file that breaks the checker never stops the rest
            log.exception("content check of %s failed", source.path)
            problems = [Problem(source.path, 1, f"could not be checked ({type(exc).__name__})"
                                "; nothing from this file is published")]
        found.setdefault(source.path, []).extend(problems)
    return found


def check_files(session: Session, root: Path) -> list[Problem]:
    """`ratecard content check`: every problem in content/, sorted by file and line."""
    return check_report(session, root)[0]


def check_report(session: Session, root: Path) -> tuple[list[Problem], int]:
    """(every problem sorted by file and line, how many page files there are)."""
    tree = scan(root)
    found = check_tree(session, tree)
    pages = {f.path for f in tree.files} | {p.path for p in tree.problems
                                            if p.path.endswith(".md")}
    return sorted((p for ps in found.values() for p in ps),
                  key=lambda p: (p.path, p.line)), len(pages)


# -- import --------------------------------------------------------------------------------

def import_files(session: Session, root: Path, *, author: str = FILE_AUTHOR) -> ImportReport:
    tree = scan(root)
    found = check_tree(session, tree)
    report = ImportReport(problems=sorted((p for ps in found.values() for p in ps),
                                          key=lambda p: (p.path, p.line)),
                          refused=sorted({p.path for p in tree.problems if p.is_error}))
    for media in tree.media:
        if _store_media(session, media):
            report.media.append(media.name)
    session.flush()
    catalog = _catalog(session, tree)
    for source in tree.files:
        _import_one(session, source, found.get(source.path, []), catalog, author, report)
    return report


def _store_media(session: Session, media: MediaSource) -> bool:
    row = session.scalar(select(MediaFile).where(MediaFile.name == media.name))
    if row is not None and row.sha256 == media.sha256:
        return False
    if row is None:
        row = MediaFile(name=media.name)
        session.add(row)
    row.content_type, row.width, row.height = (media.image.content_type, media.image.width,
                                               media.image.height)
    row.data, row.sha256, row.created_at = media.image.data, media.sha256, utcnow()
    return True


def _import_one(session: Session, source: SourceFile, problems: list[Problem],
                catalog: DbCatalog, author: str, report: ImportReport) -> None:
    doc, errors = source.doc, [p for p in problems if p.is_error]
    page = session.scalar(select(ContentPage).where(ContentPage.kind == source.kind,
                                                    ContentPage.slug == source.slug))
    front_matter, body = to_json(doc.front_matter), doc.body
    if page is None:
        if errors and source.kind == "model" and catalog.model(source.slug) is None:
            report.rejected.append(source.path)        # nothing to attach a revision to
            return
        if errors and source.kind == "provider" and not catalog.provider_exists(source.slug):
            report.rejected.append(source.path)
            return
        page = new_page(session, source.kind, source.slug)
    pub = page.published
    if pub is not None and (pub.sha256 == doc.sha256 or (
            pub.front_matter == front_matter and pub.body == body)):
        report.unchanged.append(source.path)
        return
    same = list(session.scalars(select(ContentRevision).where(
        ContentRevision.page_id == page.id, ContentRevision.sha256 == doc.sha256)))
    if errors:
        if not same:        # recorded once, for the editor to see; never published
            session.add(ContentRevision(
                page_id=page.id, number=next_number(session, page.id), status="rejected",
                front_matter=front_matter, body=body, sha256=doc.sha256, origin="file",
                author=author[:120]))
            session.flush()
        report.rejected.append(source.path)
        return
    if any(r.status != "rejected" for r in same):
        # The database is ahead of this file (an editor published since): keep its version
        # until the file changes or is exported.
        report.unchanged.append(source.path)
        return
    first = pub is None
    rev = ContentRevision(page_id=page.id, number=next_number(session, page.id),
                          status="published", front_matter=front_matter, body=body,
                          sha256=doc.sha256, origin="file", author=author[:120],
                          base_revision_id=page.head_revision_id)
    session.add(rev)
    session.flush()
    page.head_revision_id = rev.id
    publish_revision(session, page, rev)
    audit(session, None, "publish", page, {"revision": rev.number, "origin": "file",
                                           "path": source.rel.as_posix()}, author)
    (report.created if first else report.updated).append(source.path)


def run_import(db: Database, root: Path) -> ImportReport | None:
    """Import under a lock (scheduler, serve start); None when another import is running."""
    from ratecard.services.locks import LockBusy, source_lock

    try:
        with source_lock(db, "content", purpose="content import"), db.session() as session:
            report = import_files(session, root)
    except LockBusy:
        log.info("content import skipped: another import is running")
        return None
    for problem in report.problems:
        (log.warning if problem.is_error else log.info)("%s", problem)
    log.info("%s", report.line())
    return report


# -- export --------------------------------------------------------------------------------

def export_files(session: Session, root: Path, *, only_changed: bool = True,
                 skipped: list[Path] | None = None,
                 refused: list[Problem] | None = None) -> list[Path]:
    """Write each page's published revision (and every stored illustration) to content/.

    With only_changed (the default) a file is left alone when it already says what the
    published revision says, and also when it is *ahead* of the database (text no revision
    has, or a rejected/draft revision newer than the published one): an author's work in
    progress is never overwritten. Those paths are added to `skipped`. A target that is a
    link, or lies under one, is never written: it is added to `refused` as a problem."""
    tree = scan(root)
    existing = {(f.kind, f.slug): f for f in tree.files}
    written: list[Path] = []
    pages = session.scalars(select(ContentPage).where(
        ContentPage.published_revision_id.is_not(None)).order_by(ContentPage.id))
    for page in pages:
        rev = page.published
        if rev is None:
            continue
        source = existing.get((page.kind, page.slug))
        if only_changed and source is not None:
            if source.doc.sha256 == rev.sha256 or (
                    to_json(source.doc.front_matter) == rev.front_matter
                    and source.doc.body == rev.body):
                continue
            known = session.scalar(select(func.max(ContentRevision.number)).where(
                ContentRevision.page_id == page.id,
                ContentRevision.sha256 == source.doc.sha256))
            if known is None or known > rev.number:
                if skipped is not None:
                    skipped.append(root / source.rel)
                continue
        rel = source.rel if source else path_for(page.kind, page.slug)
        data = serialize(page.kind, rev.front_matter, rev.body).encode("utf-8")
        if _write(root, rel, data, refused):
            written.append(root / rel)
    on_disk = {m.name: m.sha256 for m in tree.media}
    for media in session.scalars(select(MediaFile).order_by(MediaFile.name)):
        if only_changed and on_disk.get(media.name) == media.sha256:
            continue
        rel = PurePosixPath("media", media.name)
        if _write(root, rel, media.data, refused):
            written.append(root / rel)
    return written


def _write(root: Path, rel: PurePosixPath, data: bytes, refused: list[Problem] | None) -> bool:
    try:
        files.write(root, rel, data)
    except files.Refused as exc:
        problem = Problem(str(root / exc.rel), 1, f"not written: {exc.message}")
        log.warning("%s", problem)
        if refused is not None:
            refused.append(problem)
        return False
    return True
