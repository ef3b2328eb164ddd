"""Where the full upstream snapshots live, and what to do when they are absent.

Tests over the full snapshots (README, "Layout") read them from
../shared/fixtures/sources (RATECARD_FIXTURES may point elsewhere). Without
that folder they skip with a reason; in CI (RATECARD_REQUIRE_FIXTURES=1) a
missing snapshot is an error, not a skip.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OWN = ROOT / "tests" / "fixtures"          # the project's own small fixtures


def sources_dir() -> Path:
    configured = os.environ.get("RATECARD_FIXTURES")
    return Path(configured) if configured else ROOT.parent / "shared" / "fixtures" / "sources"


def upstream(*parts: str) -> Path:
    """Path to a full upstream snapshot file or folder, or skip (fail in CI)."""
    path = sources_dir().joinpath(*parts)
    if not path.exists():
        message = f"upstream snapshot {path} is absent (set RATECARD_FIXTURES)"
        if os.environ.get("RATECARD_REQUIRE_FIXTURES") == "1":
            pytest.fail(message + "; CI requires it")
        pytest.skip(message)
    return path


def upstream_glob(folder: str, pattern: str) -> list[Path]:
    """Every snapshot in a folder matching pattern, sorted by name (= by date)."""
    found = sorted(upstream(folder).glob(pattern))
    if not found:
        upstream(folder, pattern)  # skip/fail with the same message
    return found
