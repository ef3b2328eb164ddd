"""Editorial content: Markdown files with YAML front matter in content/, rendered safely.

The pieces (pure: none of them opens a database session):
- source.py: read a file into front matter + body, with line numbers; write one back.
- check.py: validate a document (keys, types, links, images, shortcodes) into Problems.
- shortcodes.py: `{{ price "openai/gpt-4o" "input" }}` and friends, expanded from data.
- render.py: Markdown -> sanitized HTML (nh3 allow-list), the RenderedContent of a page.
- media.py: sniff, limit and re-encode illustrations (shared with the editor's upload).

The database side is services/content.py (the one writer) and queries/content.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

KINDS = ("model", "provider", "page")
# Front-matter keys per kind, in the order files are written (export keeps this order).
MODEL_KEYS = ("title", "summary", "strengths", "weaknesses", "faq", "tags", "reviewed", "author")
PAGE_KEYS = ("title", "summary", "tags", "reviewed", "author")
ALLOWED_KEYS = {"model": MODEL_KEYS, "provider": PAGE_KEYS, "page": PAGE_KEYS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content file: `path:line: message`. Warnings never fail."""

    path: str
    line: int
    message: str
    severity: str = "error"          # error | warning

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "" if self.is_error else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


def content_root() -> Path:
    """The content/ folder: $RATECARD_CONTENT_DIR, or the project's own content/."""
    from ratecard.config import PROJECT_ROOT

    configured = os.environ.get("RATECARD_CONTENT_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "content"


# -- what rendering and checking need to know about the catalog ----------------------------
# queries/content.py provides a database-backed implementation; tests may use their own.

@dataclass(frozen=True)
class ModelFacts:
    canonical_id: str
    name: str
    context_window: int | None
    max_output: int | None
    # The shown current amount (the `shown` flag) by (meter, unit, conditions_key).
    prices: dict[tuple[str, str, str], Decimal]


@dataclass(frozen=True)
class MediaFacts:
    name: str
    width: int
    height: int
    sha256: str


class Catalog(Protocol):
    def model(self, canonical_id: str) -> ModelFacts | None: ...
    def provider_exists(self, slug: str) -> bool: ...
    def page_exists(self, kind: str, slug: str) -> bool: ...
    def media(self, name: str) -> MediaFacts | None: ...
