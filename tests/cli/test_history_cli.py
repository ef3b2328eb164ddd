"""`ratecard history rebuild` as a user runs it: real processes, exit codes, and a rebuild
killed half-way that must leave the old history whole."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from ratecard.queries.history_diff import snapshot
from ratecard.services.locks import source_lock
from scrapers import litellm
from tests.history_support import replay


def ratecard(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own; a whole rebuild may take minutes on a busy
    machine (tests.cli.test_cli.ratecard allows 2)."""
    environ = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.run([sys.executable, "-m", "ratecard", *args], capture_output=True,
                          text=True, env=environ, timeout=900)


def shot(db):  # type: ignore[no-untyped-def]
    with db.session() as session:
        return snapshot(session, "litellm")


@pytest.mark.parametrize("args, message, code", [
    (["history", "rebuild", "nosuch"], "unknown source 'nosuch'", 2),
    (["history", "rebuild", "litellm"], "litellm: no stored payloads to rebuild from", 1),
    (["history", "rebuild"], "no source has stored payloads to rebuild from", 1),
])
def test_bad_input_is_one_clear_line(db, database_url, args, message, code):
    result = ratecard(database_url, *args)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_refused_while_a_sync_of_the_source_runs(db, database_url):
    with source_lock(db, "litellm"):
        result = ratecard(database_url, "history", "rebuild", "litellm")
    assert result.returncode == 2, result.stderr     # as `ratecard sync` answers
    assert "another sync of this source is running" in result.stderr
    assert "Traceback" not in result.stderr


def test_rebuild_and_dry_run_print_progress_and_a_summary(db, database_url):
    replay(db, litellm.SOURCE)
    before = shot(db)
    dry = ratecard(database_url, "history", "rebuild", "litellm", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "litellm: replaying run 1/" in dry.stderr
    lines = dry.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("litellm: dry run, nothing written")
    assert "0 differences" in lines[0]
    done = ratecard(database_url, "history", "rebuild")     # every source with payloads
    assert done.returncode == 0, done.stderr
    assert "litellm: no difference, nothing written" in done.stdout
    assert shot(db) == before


def test_a_rebuild_killed_half_way_leaves_the_old_history_whole(db, database_url):
    runs = replay(db, litellm.SOURCE)
    assert runs >= 3
    before = shot(db)
    environ = dict(os.environ, DATABASE_URL=database_url)
    process = subprocess.Popen([sys.executable, "-m", "ratecard", "history", "rebuild",
                                "litellm"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True, env=environ)
    assert process.stderr is not None
    # Half-way: the old rows are deleted and several runs replayed, all uncommitted.
    half = f"replaying run {runs // 2 + 1}/{runs}"
    seen = []
    for line in process.stderr:
        seen.append(line)
        if half in line:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    assert any(half in line for line in seen), "".join(seen)
    assert shot(db) == before
    # The dead process's lock is no obstacle: the next rebuild runs, and finds no change.
    again = ratecard(database_url, "history", "rebuild", "litellm")
    assert again.returncode == 0, again.stderr
    assert "no difference" in again.stdout
