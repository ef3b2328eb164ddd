"""Fixtures for content tests: a tiny catalog synced from a small LiteLLM payload, a
content/ folder in tmp_path, and an editor account."""
from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from PIL import Image

from ratecard.cache import clear_all
from ratecard.db import Database
from ratecard.models import User
from ratecard.services.sync import run_sync
from scrapers import litellm

LITELLM = {
    "gpt-4o": {
        "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
        "max_output_tokens": 16384, "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05, "input_cost_per_token_batches": 1.25e-06,
        "output_cost_per_token_batches": 5e-06, "cache_read_input_token_cost": 1.25e-06,
    },
    "gpt-4o-mini": {
        "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
        "max_output_tokens": 16384, "input_cost_per_token": 1.5e-07,
        "output_cost_per_token": 6e-07,
    },
    "claude-sonnet-4-5": {
        "litellm_provider": "anthropic", "mode": "chat", "max_input_tokens": 200000,
        "max_output_tokens": 64000, "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
    },
}


def litellm_payload(entries: dict) -> bytes:
    return json.dumps(entries).encode()


def sync_catalog(db: Database, entries: dict | None = None, day: str = "2026-07-01") -> None:
    summary = run_sync(db, litellm.SOURCE, payload=litellm_payload(entries or LITELLM),
                       as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()


@pytest.fixture(autouse=True)
def _fresh_render_cache():
    clear_all()          # revision ids repeat across test databases
    yield
    clear_all()


@pytest.fixture
def catalog(db: Database) -> Database:
    sync_catalog(db)
    return db


def png(width: int = 64, height: int = 48, color: str = "steelblue") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ABOUT = """---
title: About Ratecard
summary: Who we are and how we work.
reviewed: 2026-08-01
author: The editors
---
## Who we are

We keep a dated record of model prices. GPT-4o input costs {{ price "openai/gpt-4o" "input" }}.

![A chart of input prices](/media/chart.png)

## What we do

See [the methodology](/methodology) and [our guide](/guides/choosing).
"""

METHODOLOGY = """---
title: Methodology
summary: Where each number comes from.
---
Numbers come from public sources. A typical conversation is 600 input and 200 output
tokens: {{ cost "openai/gpt-4o" "conversation" }} on [GPT-4o](/models/openai/gpt-4o).
"""

GUIDE = """---
title: Choosing a model
summary: A short guide.
tags: [guide]
---
Compare [two models](/compare?models=openai/gpt-4o,anthropic/claude-sonnet-4-5).
"""

GPT_4O = """---
title: GPT-4o
summary: A multimodal model at {{ price "openai/gpt-4o" "input" }} input.
strengths:
  - Batch input at {{ price "openai/gpt-4o" "input" service_tier="batch" }}
weaknesses:
  - A {{ context "openai/gpt-4o" }} window
faq:
  - question: What does a conversation cost?
    answer: About {{ cost "openai/gpt-4o" "conversation" }}.
  - question: How long can a reply be?
    answer: Up to {{ max_output "openai/gpt-4o" }}.
tags: [chat]
reviewed: 2026-08-01
author: Ada Editor
---
## What it is

A chat model. See [GPT-4o mini](/models/openai/gpt-4o-mini).
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A small, valid content/ folder."""
    root = tmp_path / "content"
    write(root, "pages/about.md", ABOUT)
    write(root, "pages/methodology.md", METHODOLOGY)
    write(root, "pages/guides/choosing.md", GUIDE)
    write(root, "models/openai/gpt-4o.md", GPT_4O)
    write(root, "providers/openai.md", "---\ntitle: OpenAI\nsummary: The maker of GPT.\n---\n"
          "OpenAI sells [GPT-4o](/models/openai/gpt-4o).\n")
    write(root, "media/chart.png", png())
    return root


@pytest.fixture
def editor(db: Database) -> User:
    with db.session() as session:
        user = User(username="ada", display_name="Ada Editor", password_hash="x",
                    role="editor")
        session.add(user)
    return user


@pytest.fixture
def other_editor(db: Database) -> User:
    with db.session() as session:
        user = User(username="bob", display_name="Bob Editor", password_hash="x",
                    role="editor")
        session.add(user)
    return user
