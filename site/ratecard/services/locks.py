"""One sync per source at a time, across processes and machines, that a dead process
cannot keep.

PostgreSQL: a session-level advisory lock on a dedicated connection; it dies with the
connection, so a killed process lets go at once.
SQLite: a row in sync_locks (the primary key makes the second insert fail). The row
names its holder (pid, process start time, host). A row is taken over when
- its holder ran on this host and that process is gone (or the pid now belongs to a
  later process: the start time differs), or
- its holder ran elsewhere (we cannot see its processes) and the row has expired: a
  heartbeat renews it every HEARTBEAT while the holder runs, so a dead holder's row
  expires within LOCK_TTL.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import socket
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ratecard.db import Database, utcnow
from ratecard.models import SyncLock

LOCK_TTL = dt.timedelta(minutes=5)
HEARTBEAT = dt.timedelta(minutes=1)
_NAMESPACE = 0x5A7E  # keeps our advisory keys apart from other users of the database
_HOLDER = re.compile(r"pid (?P<pid>\d+)(?: start (?P<start>\d+))? on (?P<host>\S+)$")

log = logging.getLogger("ratecard.locks")


class LockBusy(Exception):
    pass


def serialise(session: Session, name: str) -> None:
    """Make this transaction the only one past this point for `name` until it ends (other
    processes wait): a read-then-write such as "check the spend cap, then reserve" cannot
    interleave with another's. PostgreSQL: a transaction-level advisory lock. SQLite: a
    write takes the database's write lock at once, and others wait for it (busy_timeout)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": _advisory_key("xact:" + name)})
    else:
        session.execute(text("UPDATE sync_locks SET name = name WHERE 0 = 1"))


def _advisory_key(name: str) -> int:
    return (_NAMESPACE << 32) | zlib.crc32(name.encode())


def _busy(name: str, holder: str | None = None) -> LockBusy:
    by = f" ({holder})" if holder else ""
    return LockBusy(f"{name}: another sync of this source is running{by}")


@contextmanager
def source_lock(db: Database, name: str, purpose: str = "sync",
                ttl: dt.timedelta | None = None,
                heartbeat: dt.timedelta | None = None) -> Iterator[None]:
    if db.engine.dialect.name == "postgresql":
        with _advisory(db, name):
            yield
        return
    holder = f"{purpose} {holder_id()}"
    ttl = ttl or LOCK_TTL
    _take_row(db, name, holder, ttl)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(db, name, holder, ttl,
                                                     heartbeat or HEARTBEAT, stop),
                            name=f"lock-heartbeat:{name}", daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        with db.session() as session:
            session.execute(delete(SyncLock).where(SyncLock.name == name,
                                                   SyncLock.holder == holder))


@contextmanager
def _advisory(db: Database, name: str) -> Iterator[None]:
    with db.engine.connect() as conn:
        key = _advisory_key(name)
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        conn.commit()
        if not got:
            raise _busy(name)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def _take_row(db: Database, name: str, holder: str, ttl: dt.timedelta) -> None:
    now = utcnow()
    try:
        with db.session() as session:
            row = session.get(SyncLock, name)
            if row is not None:
                if _holder_alive(row.holder, row.expires_at, now):
                    raise _busy(name, f"{row.holder}, since {row.acquired_at:%Y-%m-%d %H:%M}Z")
                log.warning("%s: taking over the lock of %s, which is gone", name, row.holder)
                # Compare-and-delete: a rival that took it over first makes our insert fail.
                session.execute(delete(SyncLock).where(SyncLock.name == name,
                                                       SyncLock.holder == row.holder))
            session.add(SyncLock(name=name, holder=holder, acquired_at=now,
                                 expires_at=now + ttl))
    except IntegrityError:
        raise _busy(name) from None


def _heartbeat(db: Database, name: str, holder: str, ttl: dt.timedelta,
               every: dt.timedelta, stop: threading.Event) -> None:
    while not stop.wait(every.total_seconds()):
        try:
            with db.session() as session:
                session.execute(update(SyncLock).where(
                    SyncLock.name == name, SyncLock.holder == holder).values(
                    expires_at=utcnow() + ttl))
        except OperationalError as exc:   # the run's own write transaction held the file
            log.info("%s: lock heartbeat skipped (%s)", name, exc.orig)


def holder_id() -> str:
    """This process as a lock holder: pid, start time (guards against pid reuse), host."""
    pid = os.getpid()
    start = _start_time(pid)
    return f"pid {pid}" + (f" start {start}" if start is not None else "") + \
        f" on {socket.gethostname()}"


def _holder_alive(holder: str, expires_at: dt.datetime, now: dt.datetime) -> bool:
    found = _HOLDER.search(holder)
    if found is None or found["host"] != socket.gethostname():
        return expires_at > now            # another host: only the heartbeat tells
    pid = int(found["pid"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass                               # alive, owned by another user
    fields = _stat_fields(pid)
    if fields is None:                     # no /proc here (not Linux): trust the pid
        return not Path("/proc/self/stat").exists()
    if fields[0] == "Z":                   # killed, not yet reaped by its parent
        return False
    return found["start"] is None or found["start"] == fields[19]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    return raw[raw.rfind(")") + 2:].split()


def _start_time(pid: int) -> int | None:
    """Clock ticks since boot at which `pid` started (Linux), None when unknown or a zombie."""
    fields = _stat_fields(pid)
    if not fields or fields[0] == "Z":
        return None
    return int(fields[19])                 # field 22 of /proc/PID/stat
