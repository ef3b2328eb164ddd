"""The page store shared by two gunicorn workers (docs/pages.md): a separate writer process
syncs a price change (a CLI write, which runs the incremental build in its own process);
both workers then serve the new profile from the store without rendering it."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ratecard.db import Database
from tests.catalog_loader import load_own_catalog
from tests.upstream import OWN
from tests.web.live import ROOT, Gunicorn

PROFILE = "/models/deepseek/deepseek-chat"


def _writer(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, RATECARD_OFFLINE="1")
    ran = subprocess.run([sys.executable, "-m", "ratecard", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran


def _get(url: str) -> tuple[bytes, str | None]:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), response.headers.get("X-Page-Store")


def test_two_workers_serve_the_writers_new_page_from_the_store(
        db: Database, database_url: str, tmp_path: Path) -> None:
    load_own_catalog(db)
    access = tmp_path / "access.log"
    with Gunicorn(database_url, tmp_path, workers=2, args=(
            "--access-logfile", str(access),
            "--access-logformat", "%(p)s %(U)s %(s)s %({x-page-store}o)s")) as server:
        base = f"http://127.0.0.1:{server.port}"
        first = _writer(database_url, "pages", "build", "--base-url", base)
        assert "rendered" in first.stdout
        old_body, hit = _get(base + PROFILE)
        assert hit == "hit"

        entries = json.loads((OWN / "litellm" / "model_prices_cut.json").read_text())
        entries["deepseek-chat"]["input_cost_per_token"] = 3.1e-07
        entries["deepseek/deepseek-chat"]["input_cost_per_token"] = 3.1e-07
        payload = tmp_path / "litellm.json"
        payload.write_text(json.dumps(entries))
        synced = _writer(database_url, "sync", "litellm", "--file", str(payload),
                         "--as-of", dt.date(2026, 8, 25).isoformat())
        assert "pages build:" in synced.stderr        # the writer rebuilt what it changed

        mark = access.read_text().count("\n") if access.exists() else 0
        pids: set[str] = set()
        for _ in range(200):
            body, hit = _get(base + PROFILE)
            assert hit == "hit" and body != old_body and b"$0.31" in body
            time.sleep(0.01)
            lines = access.read_text().splitlines()[mark:]
            pids = {line.split()[0] for line in lines if f" {PROFILE} 200 hit" in line}
            if len(pids) == 2:
                break
        assert len(pids) == 2, "both workers answered from the store"
        assert not any(f" {PROFILE} 200 -" in line
                       for line in access.read_text().splitlines()[mark:])
