"""Load a test database with every source from real data, through the real sync path."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ratecard.db import Database
from ratecard.services.sync import run_sync
from scrapers import genai_prices, litellm, modelsdev, openrouter
from tests.upstream import OWN, sources_dir


def _day(path: Path, default: dt.date) -> dt.date:
    found = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
    return dt.date.fromisoformat(found.group(0)) if found else default


def _sync(db: Database, source, path: Path, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    payload = source.fetch(str(path)).body
    summary = run_sync(db, source, payload=payload, as_of=day, origin=str(path))
    assert summary.ok, summary.line()
    # Nobody approves anything: the test catalog shows what a real site shows on its own
    # (corrections publish by themselves; the rest waits in the quarantine), as does the
    # site's offline catalog (services/offline.py).


def load_catalog(db: Database) -> None:
    full = sources_dir()
    if (full / "litellm").is_dir():
        for path in sorted((full / "litellm").glob("*.json"), key=lambda p: _day(p, dt.date.min)):
            _sync(db, litellm.SOURCE, path, _day(path, dt.date(2026, 1, 1)))
        # OpenRouter's listings drop a quarter of their models between snapshots (the
        # vanish guard holds that, rightly); the test catalog takes the full listing only.
        for path in sorted((full / "openrouter").glob("models_all_*.json"))[-1:]:
            _sync(db, openrouter.SOURCE, path, _day(path, dt.date(2026, 8, 18)))
        _sync(db, modelsdev.SOURCE, full / "modelsdev", dt.date(2026, 8, 20))
        for path in sorted((full / "genai-prices").glob("data_v[12]_*.json")):
            _sync(db, genai_prices.SOURCE, path, _day(path, dt.date(2026, 8, 21)))
        return
    load_own_catalog(db)


def load_own_catalog(db: Database) -> None:
    """The project's own cuts of the same files (a few dozen models): a fresh clone's
    catalog, and a small one for tests that render every page."""
    _sync(db, litellm.SOURCE, OWN / "litellm" / "model_prices_cut.json", dt.date(2026, 7, 24))
    _sync(db, openrouter.SOURCE, OWN / "openrouter" / "models_cut.json", dt.date(2026, 8, 18))
    _sync(db, modelsdev.SOURCE, OWN / "modelsdev" / "tree", dt.date(2026, 8, 20))
    _sync(db, genai_prices.SOURCE, OWN / "genai_prices" / "data_v2_sample.json",
          dt.date(2026, 8, 21))
