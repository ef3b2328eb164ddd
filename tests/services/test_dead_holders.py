"""Locks a dead process cannot keep: a sync SIGKILLed mid-run (a deploy, an OOM kill) does
not stop the next one, its run reads "abandoned", and it left nothing half-written."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from ratecard.db import utcnow
from ratecard.models import ChangeEvent, Model, Price, SyncLock, SyncPayload, SyncRun
from ratecard.services.locks import LockBusy, holder_id, source_lock
from tests.faultserver import fault_server_fixture  # noqa: F401

SMALL = json.dumps({"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                               "input_cost_per_token": 2.5e-06}}).encode()


def big_payload(n: int) -> bytes:
    return json.dumps({f"model-{i}": {"litellm_provider": "openai", "mode": "chat",
                                      "input_cost_per_token": 2.5e-06 + i * 1e-09,
                                      "output_cost_per_token": 1e-05,
                                      "supports_vision": i % 2 == 0}
                       for i in range(n)}).encode()


def start_sync(database_url: str, target: str) -> subprocess.Popen[str]:
    env = dict(os.environ, DATABASE_URL=database_url, RATECARD_HTTP_ATTEMPTS="1",
               RATECARD_LITELLM_URL=target)
    return subprocess.Popen([sys.executable, "-m", "ratecard", "sync", "litellm"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)        # reaps it and closes its pipes
    assert process.returncode == -signal.SIGKILL


def counts(db) -> dict[str, int]:
    with db.session() as s:
        return {table.__name__: s.scalar(select(func.count()).select_from(table))
                for table in (Model, Price, ChangeEvent)}


def runs(db) -> list[SyncRun]:
    with db.session() as s:
        return list(s.scalars(select(SyncRun).order_by(SyncRun.id)))


def assert_next_sync_runs_and_abandons(db, database_url: str, url: str) -> None:
    done = start_sync(database_url, url)
    out, err = done.communicate(timeout=180)
    assert done.returncode == 0, err
    assert "litellm: ok (run 2)" in out and "another sync" not in err
    first, second = runs(db)
    assert (first.status, second.status) == ("abandoned", "success")
    assert first.finished_at is not None and "stopped before it finished" in first.error
    with db.session() as s:
        assert s.scalars(select(SyncLock)).all() == []


def test_sync_killed_while_fetching(db, database_url, fault_server):
    fault_server.serve("/slow.json", SMALL, delay=60)
    victim = start_sync(database_url, fault_server.url("/slow.json"))
    wait_for(lambda: fault_server.count("/slow.json") == 1, "the first sync to fetch")
    kill(victim)
    assert [r.status for r in runs(db)] == ["running"]
    fault_server.serve("/good.json", SMALL)
    assert_next_sync_runs_and_abandons(db, database_url, fault_server.url("/good.json"))
    assert counts(db)["Model"] == 1


def test_sync_killed_while_parsing_or_writing(db, database_url, tmp_path):
    """Killed after its payload was stored: somewhere in the parse or the one write
    transaction. Whatever the moment, not one row of its changes is left behind."""
    path = tmp_path / "big.json"
    path.write_bytes(big_payload(4000))
    victim = start_sync(database_url, str(path))

    def stored() -> bool:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(SyncPayload)) > 0

    wait_for(stored, "the payload to be stored")
    time.sleep(1.0)
    assert victim.poll() is None, "the sync finished before it could be killed"
    kill(victim)
    assert counts(db) == {"Model": 0, "Price": 0, "ChangeEvent": 0}
    assert_next_sync_runs_and_abandons(db, database_url, str(path))
    assert counts(db)["Model"] == 4000 and counts(db)["Price"] == 8000


# -- the SQLite lock row (PostgreSQL's advisory lock dies with its connection) ------------

sqlite_only = pytest.mark.skipif(bool(os.environ.get("RATECARD_TEST_DATABASE_URL")),
                                 reason="the lock row is SQLite's; PostgreSQL uses advisory locks")


def plant(db, holder: str, expires_in: dt.timedelta) -> None:
    now = utcnow()
    with db.session() as s:
        s.add(SyncLock(name="litellm", holder=holder, acquired_at=now - dt.timedelta(hours=1),
                       expires_at=now + expires_in))




def _reaped_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def take(db) -> str:
    with source_lock(db, "litellm"):
        with db.session() as s:
            return s.get_one(SyncLock, "litellm").holder


@sqlite_only
def test_row_of_a_dead_pid_on_this_host_is_taken_over(db):
    plant(db, f"sync pid {_reaped_pid()} start 1 on {socket.gethostname()}",
          expires_in=dt.timedelta(hours=2))
    assert take(db) == f"sync {holder_id()}"


@sqlite_only
def test_row_of_a_reused_pid_is_taken_over(db):
    """Our own pid, but a different start time: the holder was an earlier process."""
    plant(db, f"sync pid {os.getpid()} start 1 on {socket.gethostname()}",
          expires_in=dt.timedelta(hours=2))
    assert take(db) == f"sync {holder_id()}"


@sqlite_only
def test_row_of_a_live_holder_is_respected(db):
    plant(db, f"sync {holder_id()}", expires_in=-dt.timedelta(hours=1))   # expired, yet alive
    with pytest.raises(LockBusy, match=r"another sync of this source is running \(sync pid"):
        take(db)


@sqlite_only
def test_row_of_another_host_waits_for_its_ttl(db):
    plant(db, "sync pid 1 start 1 on elsewhere.example", expires_in=dt.timedelta(minutes=4))
    with pytest.raises(LockBusy, match="elsewhere.example"):
        take(db)
    with db.session() as s:
        s.get_one(SyncLock, "litellm").expires_at = utcnow() - dt.timedelta(seconds=1)
    assert take(db) == f"sync {holder_id()}"


@sqlite_only
def test_heartbeat_keeps_a_live_row_fresh(db):
    ttl, beat = dt.timedelta(seconds=0.6), dt.timedelta(seconds=0.1)
    with source_lock(db, "litellm", ttl=ttl, heartbeat=beat):
        time.sleep(1.5)                          # two and a half TTLs
        with db.session() as s:
            row = s.get_one(SyncLock, "litellm")
            assert row.expires_at > utcnow(), "the heartbeat did not renew the row"
            assert row.expires_at - row.acquired_at > dt.timedelta(seconds=1.4)
