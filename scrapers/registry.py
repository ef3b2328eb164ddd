"""The sources Ratecard syncs from. A new source is one package (scrapers/<name>/) added here
(docs/sources.md, "Adding a source")."""
from __future__ import annotations

from scrapers import genai_prices, litellm, modelsdev, openrouter
from scrapers.base import Source

SOURCES: tuple[Source, ...] = (
    litellm.SOURCE,
    openrouter.SOURCE,
    modelsdev.SOURCE,
    genai_prices.SOURCE,
)


def get_source(name: str) -> Source:
    for source in SOURCES:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in SOURCES)
    raise KeyError(f"unknown source {name!r} (known: {known})")
