"""The catalog marks a listed price whose sources disagree, as the profile does."""
from __future__ import annotations

import datetime as dt
import json
import re

from ratecard.services.sync import run_sync
from scrapers import openrouter
from tests.services.test_sync import CATALOG, sync


def rows_of(page: str) -> list[str]:
    """Each table row's text, tags removed."""
    return [re.sub(r"<[^>]+>", " ", row) for row in page.split("<tr")[1:]]


def test_catalog_and_provider_pages_mark_disagreeing_prices(db, client):
    sync(db, CATALOG, "2026-01-01")
    listing = {"data": [{
        "id": "openai/gpt-4o", "name": "OpenAI: GPT-4o", "created": 1715558400,
        "context_length": 128000, "architecture": {"input_modalities": ["text"],
                                                   "output_modalities": ["text"]},
        "pricing": {"prompt": "0.0000026", "completion": "0.00001"},
    }]}
    assert run_sync(db, openrouter.SOURCE, payload=json.dumps(listing).encode(),
                    as_of=dt.date(2026, 1, 2)).ok
    for url in ("/models", "/providers/openai"):
        page = client.get(url).get_data(as_text=True)
        marked = [r for r in rows_of(page) if "sources disagree" in r]
        assert len(marked) == 1, url
        assert "gpt-4o" in marked[0].lower() and "$2.50 to $2.60" in marked[0]
