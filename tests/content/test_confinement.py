"""A content file never reaches beyond content/: no symbolic link is followed (file or
folder) and no special file is read, for import, check, export and media; each refused
path is reported as `path:1: message`, and what it points at is never read or stored."""
from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

import pytest
from sqlalchemy import select

from ratecard.content import files
from ratecard.models import AuditEntry, ContentPage, ContentRevision, MediaFile
from ratecard.queries import content as q
from ratecard.services import content as svc
from tests.cli_runner import Ran, run_cli
from tests.content.conftest import png, write

ROOT = Path(__file__).resolve().parents[2]
SYMLINK = "symbolic link: not followed; content files must be regular files inside content/"
OUTSIDE_PAGE = "---\ntitle: Outside\nsummary: From outside content/.\n---\nOUTSIDE-BODY\n"
SECRET = "s3cr3t-key-0123456789abcdef"


def do_import(db, root):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return svc.import_files(session, root)


def cli(root: Path, database_url: str, *args: str) -> Ran:
    return run_cli("content", *args, "--root", str(root), env={"DATABASE_URL": database_url})


def stored_text(db) -> str:  # type: ignore[no-untyped-def]
    """Everything the database keeps of content: revisions (what diffs show) and audit."""
    with db.session() as session:
        revisions = session.scalars(select(ContentRevision)).all()
        audit = session.scalars(select(AuditEntry)).all()
        return "\n".join([*(r.body + json.dumps(r.front_matter) for r in revisions),
                          *(json.dumps(a.detail) + a.target for a in audit)])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def test_symlinked_page_is_not_published_and_is_reported(catalog, database_url, content_dir,
                                                         outside):
    target = write(outside, "leak.md", OUTSIDE_PAGE)
    link = content_dir / "pages/leak.md"
    link.symlink_to(target)
    report = do_import(catalog, content_dir)
    with catalog.session() as session:
        assert q.published(session, "page", "leak") is None
        assert q.page_by_slug(session, "page", "leak") is None
    assert str(link) in report.refused
    assert any(p.path == str(link) and p.line == 1 and p.message == SYMLINK
               for p in report.errors)
    assert len(report.created) == 5                     # the rest is imported
    assert "OUTSIDE-BODY" not in stored_text(catalog)
    checked = cli(content_dir, database_url, "check")
    assert checked.returncode == 1
    assert f"{link}:1: {SYMLINK}" in checked.stdout
    imported = cli(content_dir, database_url, "import")
    assert imported.returncode == 1 and f"{link}:1: {SYMLINK}" in imported.stdout
    assert "refused (not read, nothing imported from them): " + str(link) in imported.stderr


def test_symlink_to_a_secret_never_becomes_a_revision(catalog, content_dir, outside):
    secret = write(outside, "secret_key", SECRET)
    do_import(catalog, content_dir)
    about = content_dir / "pages/about.md"
    about.unlink()
    about.symlink_to(secret)                            # an existing page: was a rejected rev
    (content_dir / "pages/new.md").symlink_to(secret)   # a new page
    report = do_import(catalog, content_dir)
    assert SECRET not in stored_text(catalog)
    assert all(SECRET not in str(p) for p in report.problems)
    assert {str(about), str(content_dir / "pages/new.md")} <= set(report.refused)
    assert report.rejected == []
    with catalog.session() as session:
        page = q.page_by_slug(session, "page", "about")
        assert [r.status for r in q.revisions(session, page.id)] == ["published"]
        assert "Who we are" in page.published.body


def test_symlinked_folder_is_not_walked(catalog, database_url, content_dir, outside):
    write(outside, "guides/sneaky.md", OUTSIDE_PAGE)
    write(outside, "models/openai/gpt-4o-mini.md", OUTSIDE_PAGE.replace("Outside", "Mini"))
    (content_dir / "pages/guides/more").symlink_to(outside / "guides")
    (content_dir / "models/elsewhere").symlink_to(outside / "models")
    report = do_import(catalog, content_dir)
    with catalog.session() as session:
        slugs = set(session.scalars(select(ContentPage.slug)))
    assert "guides/sneaky" not in slugs and "openai/gpt-4o-mini" not in slugs
    for link in (content_dir / "pages/guides/more", content_dir / "models/elsewhere"):
        assert any(p.path == str(link) and p.message == SYMLINK for p in report.errors)
    assert "OUTSIDE-BODY" not in stored_text(catalog)
    checked = cli(content_dir, database_url, "check")
    assert checked.returncode == 1
    assert f"{content_dir / 'pages/guides/more'}:1: {SYMLINK}" in checked.stdout
    assert "sneaky" not in checked.stdout


def test_a_symlinked_top_folder_is_refused(catalog, content_dir, outside):
    write(outside, "pages/leak.md", OUTSIDE_PAGE)
    root = content_dir.parent / "other-content"
    root.mkdir()
    (root / "pages").symlink_to(outside / "pages")
    report = do_import(catalog, root)
    assert report.created == [] and report.refused == [str(root / "pages")]


def test_export_never_writes_through_a_symlinked_folder(catalog, database_url, content_dir,
                                                        outside):
    do_import(catalog, content_dir)
    victim = write(outside, "guides/choosing.md", "untouched\n")
    guides = content_dir / "pages/guides"
    (guides / "choosing.md").unlink()
    guides.rmdir()
    guides.symlink_to(outside / "guides")               # content/pages/guides -> outside
    result = cli(content_dir, database_url, "export", "--all")
    assert victim.read_text() == "untouched\n"
    assert sorted(outside.rglob("*")) == [outside / "guides", victim]   # no temp file either
    assert result.returncode == 1
    assert f"{guides}:1: not written: {SYMLINK}" in result.stderr
    refused: list = []
    with catalog.session() as session:
        written = svc.export_files(session, content_dir, refused=refused)
    assert victim.read_text() == "untouched\n"
    assert content_dir / "pages/guides/choosing.md" not in written
    assert [(p.path, p.message) for p in refused] == [
        (str(guides), "not written: " + SYMLINK)]


def test_export_refuses_a_symlinked_target_file(catalog, database_url, content_dir, outside):
    do_import(catalog, content_dir)
    victim = write(outside, "about.md", "untouched\n")
    about = content_dir / "pages/about.md"
    about.unlink()
    about.symlink_to(victim)
    result = cli(content_dir, database_url, "export", "--all")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{about}:1: not written: {SYMLINK}" in result.stderr
    assert victim.read_text() == "untouched\n" and about.is_symlink()
    assert f"wrote {content_dir / 'pages/methodology.md'}" in result.stdout   # the rest is


def test_symlinked_media_are_not_imported(catalog, database_url, content_dir, outside):
    target = write(outside, "evil.png", png(8, 8, "red"))
    link = content_dir / "media/evil.png"
    link.symlink_to(target)
    report = do_import(catalog, content_dir)
    with catalog.session() as session:
        assert set(session.scalars(select(MediaFile.name))) == {"chart.png"}
    assert str(link) in report.refused
    assert any(p.path == str(link) and p.message == SYMLINK for p in report.errors)
    checked = cli(content_dir, database_url, "check")
    assert f"{link}:1: {SYMLINK}" in checked.stdout and checked.returncode == 1


def test_special_files_are_refused_not_read(catalog, database_url, content_dir):
    fifo = content_dir / "pages/pipe.md"
    os.mkfifo(fifo)                     # reading it would block the importer forever
    report = do_import(catalog, content_dir)
    assert any(p.path == str(fifo) and "not a regular file" in p.message
               for p in report.errors)
    assert str(fifo) in report.refused
    assert len(report.created) == 5
    checked = cli(content_dir, database_url, "check")
    assert f"{fifo}:1: not a regular file" in checked.stdout and checked.returncode == 1


def test_reads_and_writes_refuse_a_link_on_the_way_even_when_not_listed(content_dir, outside):
    """A link swapped in after the listing is refused at open time, not followed."""
    write(outside, "leak.md", OUTSIDE_PAGE)
    (content_dir / "pages/sub").symlink_to(outside)
    (content_dir / "pages/leak.md").symlink_to(outside / "leak.md")
    for rel in ("pages/sub/leak.md", "pages/leak.md"):
        with pytest.raises(files.Refused) as caught:
            files.read(content_dir, PurePosixPath(rel), 1000)
        assert caught.value.message == SYMLINK
    with pytest.raises(files.Refused):
        files.write(content_dir, PurePosixPath("pages/sub/new.md"), b"x")
    with pytest.raises(files.Refused):
        files.write(content_dir, PurePosixPath("../escape.md"), b"x")
    assert sorted(p.name for p in outside.iterdir()) == ["leak.md"]
    assert not (content_dir.parent / "escape.md").exists()
