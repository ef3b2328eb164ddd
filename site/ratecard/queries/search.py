"""Model search and the catalog's featured order, from an index built once per data version.

Every model gets normalised search keys, computed when the index is built: its id's model
part, its name and its provider, lowercased with punctuation dropped ("GPT-4o", "gpt-4o"
and "gpt4o" all meet as "gpt4o"; "4.5" and "4-5" as "45"). A search then finds the models
whose keys contain every word of the query through trigram postings, corrects a word that
matches nothing by one edit against the catalog's own words (a lookup of the word's
one-deletion variants, not a scan), and ranks what it found. Nothing is read from the
database per search (bench/search has the figures).

Ranking, best first: the exact id; then, by who sells the model (first party: the lab's
own API; then the big clouds; then other hosts and resellers), exact ids and names before
names that start with the query, before names that contain it, before typo corrections;
ties in the featured order.
The featured order (the catalog's default): first-party models first; among them the
widely listed ones first (listed by three or more of the four sources and offered by more
than one provider: a sign of a model people use), newest release month first, plain
models before dated snapshots and variants, then the ones more providers offer; then the
same on the big clouds, then every other host.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import Model, ModelAlias, Provider
from ratecard.queries.related import family_keys
from ratecard.queries.version import derived

MAX_QUERY = 200        # characters of a query that are looked at
MAX_WORDS = 8          # words of a query that are looked at
# The big clouds that sell the labs' models under their own contracts.
CLOUDS = frozenset({"azure", "azure_ai", "bedrock", "vertex_ai"})
# Hosts and resellers of other labs' models. Any other provider is taken to be a lab selling
# its own models (OpenAI, Anthropic, Google's Gemini API, and every lab OpenRouter files
# models under: qwen, meta-llama, nvidia, …).
HOSTS = frozenset({
    "openrouter", "fireworks_ai", "together_ai", "deepinfra", "novita", "vercel_ai_gateway",
    "oci", "replicate", "snowflake", "github_copilot", "cloudflare", "nebius", "ollama",
    "watsonx", "databricks", "lambda_ai", "sambanova", "gmi", "scaleway", "hyperbolic",
    "nscale", "wandb", "llamagate", "ovhcloud", "fal_ai", "groq", "aiml", "gradient_ai",
    "anyscale", "libertai", "baseten", "tensormesh", "publicai", "cerebras", "crusoe",
    "sagemaker", "pinstripes", "lemonade", "heroku", "nvidia_nim", "featherless_ai",
    "friendliai", "darkbloom", "volcengine", "avian", "doubleword", "modal", "perplexity",
})
# Model families and lab names, with the providers that are their lab: google/claude-… or
# perplexity/anthropic/claude-… is a host's copy, not the lab's own.
OWNERS = {
    "claude": ("anthropic",), "anthropic": ("anthropic",),
    "gpt": ("openai", "chatgpt"), "openai": ("openai",), "chatgpt": ("openai", "chatgpt"),
    "gemini": ("google", "palm"), "gemma": ("google",), "google": ("google",),
    "llama": ("meta", "meta_llama", "meta-llama"), "meta": ("meta", "meta_llama", "meta-llama"),
    "mistral": ("mistral",), "mixtral": ("mistral",), "codestral": ("mistral",),
    "mistralai": ("mistral",), "grok": ("xai",), "deepseek": ("deepseek",),
    "qwen": ("qwen", "dashscope", "alibaba"),
}
TIER_WORDS = ("sold by their own lab", "the big clouds", "other hosts and resellers")

_BETWEEN_DIGITS = re.compile(r"(?<=\d)[._-](?=\d)")
_WORD = re.compile(r"[a-z0-9]+")
_DATED = re.compile(r"(?:19|20)\d{6}|\d{4}$")     # 20240806, or a -0613 at the end


def tier(provider_slug: str, model_part: str = "") -> int:
    """0: the lab's own API, 1: a big cloud, 2: another host or reseller, or a provider
    selling a model whose id starts with another lab's family or name."""
    if provider_slug in CLOUDS:
        return 1
    if provider_slug in HOSTS or provider_slug.startswith("huggingface"):
        return 2
    first = words(model_part)[:1]
    if first and provider_slug not in OWNERS.get(first[0], (provider_slug,)):
        return 2
    return 0


def words(text: str) -> list[str]:
    """Lowercase ASCII words of a text, with digits split by punctuation joined ("4.5": "45")
    and accents dropped."""
    folded = text.lower()
    if not folded.isascii():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded)
                         if not unicodedata.combining(ch))
    return _WORD.findall(_BETWEEN_DIGITS.sub("", folded))


def compact(text: str) -> str:
    return "".join(words(text))


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)}


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class Entry(NamedTuple):
    id: int
    canonical_id: str
    name: str
    provider_slug: str
    tier: int
    full: str              # compact canonical id ("openaigpt4o")
    keys: tuple[str, ...]  # compact model part and name
    haystack: str          # model part | name | provider slug | provider name, compact
    words: frozenset[str]  # every word of the above


class Hit(NamedTuple):
    entry: Entry
    # 0 the exact id, 1 its model part, 2 the exact name, 3 the id or name starts with the
    # query, 4 every word starts a word, 5 every word is contained, 6 a typo corrected
    quality: int


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[Entry, ...]
    by_id: dict[int, int]                     # model id -> index into entries
    featured: tuple[int, ...]                 # model ids in the featured order
    position: dict[int, int]                  # model id -> place in the featured order
    grams: dict[str, frozenset[int]]          # trigram -> entries whose haystack has it
    vocabulary: dict[str, frozenset[int]]     # word -> entries that have the word
    near: dict[str, frozenset[str]]           # a word or a one-deletion variant -> words
    initials: dict[str, frozenset[int]]       # a character -> entries with a word it starts

    def search(self, query: str) -> list[Hit]:
        """Every model matching the query, best first."""
        text = query[:MAX_QUERY]
        wanted = list(dict.fromkeys(words(text)))[:MAX_WORDS]
        if not wanted:
            return []
        whole = compact(text)
        found: set[int] | None = None
        corrected = False
        for word in sorted(wanted, key=len, reverse=True):
            matching = self._containing(word, found)
            if not matching and len(word) >= 3:
                matching = self._corrected(word, found)
                corrected = corrected or bool(matching)
            found = matching
            if not found:
                return []
        hits = [Hit(self.entries[i], self._quality(self.entries[i], whole, wanted, corrected))
                for i in found or ()]
        hits.sort(key=lambda h: (h.quality > 0, h.entry.tier, h.quality,
                                 self.position[h.entry.id]))
        return hits

    def _containing(self, word: str, among: set[int] | None) -> set[int]:
        """Entries whose haystack contains the word (trigram postings narrow, `in` checks)."""
        candidates: Iterable[int]
        if len(word) == 1:           # one character: the start of a word, not anywhere
            found = self.initials.get(word, frozenset())
            return set(found) if among is None else among & found
        if len(word) >= 3:
            postings = sorted((self.grams.get(g, frozenset()) for g in _trigrams(word)),
                              key=len)
            narrowed = set(postings[0]) if among is None else among & postings[0]
            for posting in postings[1:]:
                if not narrowed:
                    return set()
                narrowed &= posting
            candidates = narrowed
        else:
            candidates = range(len(self.entries)) if among is None else among
        return {i for i in candidates if word in self.entries[i].haystack}

    def _corrected(self, word: str, among: set[int] | None) -> set[int]:
        """Entries with a word one edit away from `word` (insertion, deletion, substitution
        or a swap of neighbours): shared one-deletion variants, looked up."""
        close: set[str] = set()
        for variant in {word, *_deletions(word)}:
            close.update(self.near.get(variant, ()))
        out: set[int] = set()
        for other in close:
            if abs(len(other) - len(word)) <= 1:
                out.update(self.vocabulary[other])
        return out if among is None else out & among

    @staticmethod
    def _quality(entry: Entry, whole: str, wanted: list[str], corrected: bool) -> int:
        if whole == entry.full:
            return 0
        if whole == entry.keys[0]:
            return 1
        if whole == entry.keys[1]:
            return 2
        if corrected:
            return 6
        at_starts = all(any(w.startswith(word) for w in entry.words) for word in wanted)
        if any(key.startswith(whole) for key in entry.keys) or (at_starts and any(
                key.startswith(wanted[0]) for key in entry.keys)):
            return 3
        return 4 if at_starts else 5

    def hit_for(self, model_id: int) -> Entry | None:
        i = self.by_id.get(model_id)
        return None if i is None else self.entries[i]


# Widely listed: by at least this many of the sources, and offered by more than one provider.
WIDE_SOURCES = 3


def _featured_key(tier_: int, released: dt.date | None, dated: bool, hosts: int,
                  sources: int, name: str, canonical_id: str) -> tuple[object, ...]:
    month = -(released.year * 12 + released.month) if released else 0
    wide = sources >= WIDE_SOURCES and hosts > 1
    return (tier_, not wide, released is None, month, dated, -hosts, name.lower(),
            canonical_id)


class IndexRow(NamedTuple):
    id: int
    canonical_id: str
    name: str | None
    release_date: dt.date | None
    provider_slug: str
    provider_name: str | None
    sources: int = 1       # sources that list the model now (its live aliases' sources)


def build_index(session: Session) -> SearchIndex:
    return index_of(index_rows(session))


def index_rows(session: Session) -> list[IndexRow]:
    """What the index needs of every model: two queries."""
    sources = {model_id: n for model_id, n in session.execute(select(
        ModelAlias.model_id, func.count(func.distinct(ModelAlias.source))).where(
        ModelAlias.vanished_at.is_(None)).group_by(ModelAlias.model_id))}
    return [IndexRow(*row, sources=sources.get(row[0], 0)) for row in session.execute(
        select(Model.id, Model.canonical_id, Model.name, Model.release_date, Provider.slug,
               Provider.name).join(Provider, Provider.id == Model.provider_id).order_by(
            Model.canonical_id)).tuples()]


def index_of(rows: list[IndexRow]) -> SearchIndex:
    """The index of these models (no database: bench/search builds large synthetic ones)."""
    # How many providers offer each model (its undated family key): a popularity signal.
    hosts: dict[str, set[str]] = {}
    families = []
    for _, canonical_id, _, _, slug, _, _ in rows:
        exact, undated = family_keys(canonical_id)
        families.append((exact, undated))
        hosts.setdefault(undated, set()).add(slug)
    entries: list[Entry] = []
    order: list[tuple[tuple[object, ...], int]] = []
    for (model_id, canonical_id, name, released, slug, provider_name, listed), (
            exact, undated) in zip(rows, families, strict=True):
        part = canonical_id.split("/", 1)[-1]
        name = name or part
        fields = (compact(part), compact(name), compact(slug), compact(provider_name or ""))
        entry = Entry(model_id, canonical_id, name, slug, tier(slug, part), compact(canonical_id),
                      fields[:2], "|".join(fields),
                      frozenset(words(part) + words(name) + words(slug)
                                + words(provider_name or "")))
        entries.append(entry)
        # dated snapshots and priced variants (:free, :thinking) after the plain model
        dated = exact != undated or ":" in part or bool(_DATED.search(compact(part)))
        order.append((_featured_key(entry.tier, released, dated, len(hosts.get(undated, ())),
                                    listed, name, canonical_id), model_id))
    featured = tuple(model_id for _, model_id in sorted(order))
    grams: dict[str, set[int]] = {}
    vocabulary: dict[str, set[int]] = {}
    for i, entry in enumerate(entries):
        for gram in _trigrams(entry.haystack):
            grams.setdefault(gram, set()).add(i)
        for word in entry.words:
            vocabulary.setdefault(word, set()).add(i)
    initials: dict[str, set[int]] = {}
    for word, posting in vocabulary.items():
        initials.setdefault(word[0], set()).update(posting)
    near: dict[str, set[str]] = {}
    for word in vocabulary:
        if len(word) >= 3:
            for variant in {word, *_deletions(word)}:
                near.setdefault(variant, set()).add(word)
    return SearchIndex(
        tuple(entries), {e.id: i for i, e in enumerate(entries)}, featured,
        {model_id: n for n, model_id in enumerate(featured)},
        {g: frozenset(p) for g, p in grams.items()},
        {w: frozenset(p) for w, p in vocabulary.items()},
        {v: frozenset(w) for v, w in near.items()},
        {c: frozenset(p) for c, p in initials.items()})


def search_index(session: Session, version: str) -> SearchIndex:
    """The index at this data version: built by one thread while the others wait, then
    shared (read it, never change it); only the newest version's is kept."""
    return derived(session, "search", version, lambda: build_index(session))


class Resolved(NamedTuple):
    """What a typed model (compare's picker) stands for: one model, or choices."""
    canonical_id: str | None
    choices: list[Entry]


def resolve(index: SearchIndex, typed: str, limit: int = 8) -> Resolved:
    """An id, or a name that picks one model: the best hit when it is an exact id, model
    part or name and no other hit from the same kind of seller is as exact; otherwise up to
    `limit` choices."""
    hits = index.search(typed)
    if not hits:
        return Resolved(None, [])
    best = hits[0]
    rivals = [h for h in hits[1:] if h.quality == best.quality and h.entry.tier == best.entry.tier]
    if best.quality == 0 or (best.quality <= 2 and not rivals):
        return Resolved(best.entry.canonical_id, [])
    return Resolved(None, [h.entry for h in hits[:limit]])
