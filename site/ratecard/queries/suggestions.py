""""Did you mean" for an unknown model id (the profile's 404), from an index built once per
data version.

A 404 is the one page anyone can ask for in unlimited variety, so it must cost little and
the same whatever is asked: the index (every canonical id, model part and name, and their
trigrams) is read with one query per data version and shared by the worker's threads; a
lookup truncates its input, reads a bounded number of trigram postings, scores a bounded
number of candidates with difflib, and reads nothing from the database.
"""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.models import Model, Provider
from ratecard.queries.version import derived

MAX_INPUT = 120          # characters of the unknown id that are looked at
POSTING_BUDGET = 10_000  # trigram postings read per lookup, at most
CANDIDATES = 24          # texts scored with difflib per lookup, at most
CUTOFF = 0.6             # difflib.get_close_matches' default


class Suggestion(NamedTuple):
    canonical_id: str
    name: str
    provider_slug: str


@dataclass(frozen=True)
class SuggestionIndex:
    models: tuple[Suggestion, ...]
    texts: tuple[str, ...]                 # lowercased canonical ids, model parts, names
    owner: tuple[int, ...]                 # texts[i] names models[owner[i]]
    grams: dict[str, tuple[int, ...]]      # trigram -> indexes into texts

    def lookup(self, wanted: str, n: int = 5) -> list[Suggestion]:
        wanted = wanted.lower()[:MAX_INPUT]
        short = wanted.split("/", 1)[-1]
        found: list[int] = []
        for text in dict.fromkeys((wanted, short)):
            found.extend(self.owner[i] for i in self._close(text, n * 2))
        return [self.models[i] for i in list(dict.fromkeys(found))[:n]]

    def _close(self, text: str, n: int) -> list[int]:
        """Like difflib.get_close_matches over every text, but scoring only the texts that
        share the most trigrams with `text` (rare trigrams first, a bounded number read)."""
        postings = sorted((self.grams[g] for g in _trigrams(text) if g in self.grams), key=len)
        counts: Counter[int] = Counter()
        budget = POSTING_BUDGET
        for posting in postings:
            if len(posting) > budget:
                break
            counts.update(posting)
            budget -= len(posting)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(text)
        scored: list[tuple[float, int]] = []
        for i, _ in counts.most_common(CANDIDATES):
            matcher.set_seq1(self.texts[i])
            if (matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF
                    and (score := matcher.ratio()) >= CUTOFF):
                scored.append((score, i))
        scored.sort(key=lambda s: (-s[0], self.texts[s[1]]))
        return [i for _, i in scored[:n]]


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def build_index(session: Session) -> SuggestionIndex:
    rows = session.execute(select(Model.canonical_id, Model.name, Provider.slug).join(
        Model.provider).order_by(Model.canonical_id)).all()
    models = tuple(Suggestion(cid, name or cid, slug) for cid, name, slug in rows)
    # A canonical id always names its own model; model parts and names only fill what is
    # left (openrouter/openai/gpt-4o's model part is the text "openai/gpt-4o").
    by_text: dict[str, int] = {m.canonical_id: i for i, m in enumerate(models)}
    for i, model in enumerate(models):
        by_text.setdefault(model.canonical_id.split("/", 1)[-1], i)
        by_text.setdefault(model.name.lower()[:MAX_INPUT], i)
    texts = tuple(by_text)
    grams: dict[str, list[int]] = {}
    for t, text in enumerate(texts):
        for gram in _trigrams(text):
            grams.setdefault(gram, []).append(t)
    return SuggestionIndex(models, texts, tuple(by_text.values()),
                           {g: tuple(p) for g, p in grams.items()})


def suggestion_index(session: Session, version: str) -> SuggestionIndex:
    """The index at this data version: built by one thread while the others wait for it
    (a flood of 404s right after a sync builds it once), then shared; only the newest
    version's is kept."""
    return derived(session, "suggestions", version, lambda: build_index(session))


def suggestions(session: Session, wanted: str, version: str, n: int = 5) -> list[Suggestion]:
    """The closest models to a mistyped id (canonical id, model part or name)."""
    return suggestion_index(session, version).lookup(wanted, n)
