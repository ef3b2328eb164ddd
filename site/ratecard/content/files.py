"""The one way into content/ on disk: list, read and write files confined to the folder.

Content arrives by pull request, so a file in content/ must never reach beyond it. Below
the (resolved) root no symbolic link is followed, file or folder, and only regular files are
read: FIFOs, sockets and devices are refused too. Every path is opened one component at a
time relative to its parent's descriptor with O_NOFOLLOW, so a link swapped in between a
check and an open is refused as well, not followed. Writes go to a temporary file in the
same folder, then a rename: a link at the target is refused, never written through.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

SYMLINK = "symbolic link: not followed; content files must be regular files inside content/"
SPECIAL = ("not a regular file (a FIFO, socket or device): content files must be regular "
           "files inside content/")
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Refused(Exception):
    """A path that is not read or written; `rel` is the component at fault."""

    def __init__(self, rel: PurePosixPath, message: str):
        super().__init__(f"{rel}: {message}")
        self.rel, self.message = rel, message


def resolved(root: Path) -> Path:
    """The root itself may be a link (a deploy's content folder): its target is the root."""
    return root.resolve()


def _inside(rel: PurePosixPath) -> None:
    if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..") for p in rel.parts):
        raise Refused(rel, "not a path inside content/")


@contextmanager
def _root_fd(root: Path) -> Iterator[int]:
    fd = os.open(resolved(root), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


def _why(dir_fd: int, name: str) -> str:
    """The message for a component that could not be opened as what it should be."""
    try:
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except OSError:
        return SYMLINK
    return SYMLINK if stat.S_ISLNK(mode) else SPECIAL


def _open_dirs(root_fd: int, parts: tuple[str, ...], create: bool = False) -> int:
    """A descriptor of the folder root/parts…, each component opened without following a
    link (made when `create`). The caller closes it."""
    fd = os.dup(root_fd)
    done = PurePosixPath()
    try:
        for part in parts:
            done = done / part
            try:
                child = os.open(part, _DIR, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o777, dir_fd=fd)
                child = os.open(part, _DIR, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refused(done, _why(fd, part)) from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def listing(root: Path, folder: str) -> tuple[list[PurePosixPath], list[Refused]]:
    """(regular files under root/folder, sorted; paths refused), all relative to the root.
    Names starting with '.' are skipped (editors' swap files, .git)."""
    files: list[PurePosixPath] = []
    refused: list[Refused] = []
    with _root_fd(root) as root_fd:
        try:
            mode = os.stat(folder, dir_fd=root_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return files, refused
        if stat.S_ISLNK(mode):
            return files, [Refused(PurePosixPath(folder), SYMLINK)]
        if not stat.S_ISDIR(mode):
            return files, refused
        # fwalk never descends into a linked folder and opens each folder safely.
        for top, dirs, names, dir_fd in os.fwalk(folder, dir_fd=root_fd,
                                                  follow_symlinks=False):
            keep = []
            for name in sorted(dirs + names):
                if name.startswith("."):
                    continue
                rel = PurePosixPath(top, name)
                try:
                    mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
                except FileNotFoundError:
                    continue
                if stat.S_ISDIR(mode):
                    keep.append(name)
                elif stat.S_ISREG(mode):
                    files.append(rel)
                else:
                    refused.append(Refused(rel, SYMLINK if stat.S_ISLNK(mode) else SPECIAL))
            dirs[:] = keep
    return sorted(files, key=lambda p: p.parts), sorted(refused, key=lambda r: r.rel.parts)


def read(root: Path, rel: PurePosixPath, limit: int) -> bytes:
    """At most limit + 1 bytes of root/rel (more than `limit` means: too big). Raises
    Refused for a link or a special file anywhere on the way, OSError as the system says."""
    _inside(rel)
    with _root_fd(root) as root_fd:
        dir_fd = _open_dirs(root_fd, rel.parts[:-1])
        try:
            try:
                fd = os.open(rel.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                             | os.O_CLOEXEC, dir_fd=dir_fd)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise Refused(rel, SYMLINK) from None
                raise
        finally:
            os.close(dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):     # a FIFO opens at once with O_NONBLOCK
            raise Refused(rel, SPECIAL)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write(root: Path, rel: PurePosixPath, data: bytes) -> None:
    """Replace root/rel with `data` atomically; folders are made as needed. Raises Refused
    when a component or the target is a link (or the target not a regular file)."""
    _inside(rel)
    root.mkdir(parents=True, exist_ok=True)        # the configured root: an export may make it
    with _root_fd(root) as root_fd:
        dir_fd = _open_dirs(root_fd, rel.parts[:-1], create=True)
        try:
            _write_in(dir_fd, rel, data)
        finally:
            os.close(dir_fd)


def _write_in(dir_fd: int, rel: PurePosixPath, data: bytes) -> None:
    try:
        mode = os.stat(rel.name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise Refused(rel, SYMLINK if stat.S_ISLNK(mode) else SPECIAL)
    tmp = f".{rel.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o666, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        # rename replaces the name itself: a link put there meanwhile is replaced, not followed
        os.replace(tmp, rel.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except FileNotFoundError:
            pass
        raise
