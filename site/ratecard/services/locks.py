"""One sync per source at a time, across processes and machines.

PostgreSQL: a session-level advisory lock on a dedicated connection.
SQLite: a row in sync_locks (the primary key makes the second insert fail);
a lock whose holder died is taken over once it expires.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError

from ratecard.db import Database, utcnow
from ratecard.models import SyncLock

LOCK_TTL = dt.timedelta(hours=2)
_NAMESPACE = 0x5A7E  # keeps our advisory keys apart from other users of the database


class LockBusy(Exception):
    pass


def _advisory_key(name: str) -> int:
    return (_NAMESPACE << 32) | zlib.crc32(name.encode())


@contextmanager
def source_lock(db: Database, name: str, purpose: str = "sync") -> Iterator[None]:
    holder = f"{purpose} pid {os.getpid()} on {socket.gethostname()}"
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            key = _advisory_key(name)
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            conn.commit()
            if not got:
                raise LockBusy(f"{name}: another sync of this source is running")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    now = utcnow()
    try:
        with db.session() as session:
            session.execute(delete(SyncLock).where(SyncLock.name == name,
                                                   SyncLock.expires_at < now))
            session.add(SyncLock(name=name, holder=holder, acquired_at=now,
                                 expires_at=now + LOCK_TTL))
    except IntegrityError:
        raise LockBusy(f"{name}: another sync of this source is running") from None
    try:
        yield
    finally:
        with db.session() as session:
            session.execute(delete(SyncLock).where(SyncLock.name == name,
                                                   SyncLock.holder == holder))
