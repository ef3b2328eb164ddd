"""The `ratecard` command as a user runs it: exit codes and messages, in this process
(Click's runner); two smoke tests start a real process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ratecard.db import Database
from tests.cli_runner import Ran, run_cli

SMALL = {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                    "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05}}


def ratecard(database_url: str, *args: str, **env: str) -> Ran:
    return run_cli(*args, env=dict(DATABASE_URL=database_url, RATECARD_HTTP_ATTEMPTS="1",
                                   **env))


def in_a_process(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environ = dict(os.environ, DATABASE_URL=database_url, RATECARD_HTTP_ATTEMPTS="1")
    return subprocess.run([sys.executable, "-m", "ratecard", *args], capture_output=True,
                          text=True, env=environ, timeout=120)


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(SMALL))
    return path


def test_sync_file_prints_summary(db, database_url, small_file):
    result = in_a_process(database_url, "sync", "litellm", "--file", str(small_file),
                          "--as-of", "2026-01-01")
    assert result.returncode == 0, result.stderr
    assert "litellm: ok" in result.stdout and "1 seen, 1 added" in result.stdout
    again = ratecard(database_url, "sync", "litellm", "--file", str(small_file),
                     "--as-of", "2026-01-02")
    assert "0 price rows written" in again.stdout


@pytest.mark.parametrize("args, message", [
    (["sync", "litellm", "--as-of", "2026-13-45"], "is not a date"),
    (["sync", "litellm", "--file", "/no/such/file.json"], "no such file"),
    (["sync", "nosuch"], "unknown source 'nosuch'"),
    (["sync", "--file", "x.json"], "exactly one SOURCE"),
    (["quarantine", "approve"], "give the IDs"),
    (["quarantine", "approve", "99"], "no pending held change with id 99"),
])
def test_wrong_input_gets_a_clear_message(db, database_url, args, message):
    result = ratecard(database_url, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_url_fails_with_reason(db, database_url):
    result = ratecard(database_url, "sync", "litellm",
                      RATECARD_LITELLM_URL="http://127.0.0.1:9/prices.json")
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "connection refused" in result.stdout
    assert "Traceback" not in result.stderr


def test_truncated_file_fails_without_traceback(db, database_url, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(SMALL)[:40])
    result = ratecard(database_url, "sync", "litellm", "--file", str(path))
    assert result.returncode == 1 and "could not be parsed" in result.stdout


def test_sources_lists_every_source_and_last_run(db, database_url, small_file):
    ratecard(database_url, "sync", "litellm", "--file", str(small_file), "--as-of", "2026-01-01")
    result = ratecard(database_url, "sources")
    assert result.returncode == 0
    for name in ("litellm", "openrouter", "modelsdev", "genai_prices"):
        assert name in result.stdout
    assert "success" in result.stdout and "never run" in result.stdout


def test_quarantine_list_empty(db, database_url):
    result = ratecard(database_url, "quarantine", "list")
    assert result.returncode == 0 and "no pending held changes" in result.stdout


def test_only_db_upgrade_migrates(database_url, small_file):
    """Other commands check the schema and say what to run; they never migrate (a
    production database changes schema when its operator says so)."""
    for args in (["users", "list"], ["sync", "litellm", "--file", str(small_file)],
                 ["sources"], ["quarantine", "list"]):
        refused = ratecard(database_url, *args)
        assert refused.returncode == 1, args
        assert "the database has no schema yet: run `ratecard db upgrade`" in refused.stderr
    from ratecard.migrate import is_empty
    database = Database(database_url)
    try:
        assert is_empty(database)
    finally:
        database.dispose()
    result = in_a_process(database_url, "db", "upgrade")
    assert result.returncode == 0 and "database at head" in result.stdout
    assert "was: the database has no schema yet" in result.stdout
    assert ratecard(database_url, "users", "list").returncode == 0
    again = ratecard(database_url, "db", "upgrade")
    assert again.returncode == 0 and "(was:" not in again.stdout


def test_two_upgrades_at_once_both_succeed(database_url):
    """Two operators (or two deploy hooks) at the same moment: the second waits for the
    first's lock, then finds nothing to do."""
    environ = dict(os.environ, DATABASE_URL=database_url)
    both = [subprocess.Popen([sys.executable, "-m", "ratecard", "db", "upgrade"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=environ) for _ in range(2)]
    for process in both:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "database at head" in out
