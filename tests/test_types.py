"""mypy over site/ratecard and scrapers, with [tool.mypy] of pyproject.toml, reports no
error: every def typed, untyped bodies checked, no `type: ignore` left that is not needed.
A failure prints mypy's errors, each with its file, line and code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Some 20 s from cold, a second or two with mypy's cache (.mypy_cache). Nothing here reads
# the database, so `make test` runs it once, in its SQLite run (always part of it).
pytestmark = [
    pytest.mark.types,
    pytest.mark.skipif(bool(os.environ.get("RATECARD_TEST_DATABASE_URL")),
                       reason="database-independent: checked by the SQLite run"),
]


def test_mypy_reports_no_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"mypy found errors:\n{output}"
    assert "Success: no issues found" in output, output
