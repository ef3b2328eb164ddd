"""One model, one id: the canonical-id rules every source shares (docs/sources.md).

1. Version spelling. Labs and resellers write a version number both ways:
   Anthropic's own ids say `claude-opus-4-7`, OpenRouter's `claude-opus-4.7`; LiteLLM
   lists Vercel's `claude-3.5-sonnet` beside `claude-3-5-sonnet`. Ids that are equal
   once the separator between two digits (`.`, `-`, `_`) is ignored name one model
   (spelling_key). Azure writes `gpt-35-turbo` for `gpt-3.5-turbo`: two digits run
   together are the same version too, but only where the same payload or catalog
   holds both spellings at the same seller (spelling_key(..., joined=True) is a
   second, weaker key used only to find such pairs), because `llama-31` or `qwen-72b`
   on their own prove nothing.
   The spelling kept is the one the lab's own ids use: inside one payload
   (choose_spelling) the spelling whose version matches the lab's own keys
   (`anthropic/claude-3-5-…` decides Vercel's `anthropic/claude-3.5-sonnet`), else the
   preferred key's; across sources (ratecard.services.id_merge) the spelling of the
   highest-precedence source (config.SOURCE_PRECEDENCE).
2. Reseller copies. OpenRouter's own listing files its models under the lab's id
   (`openai/gpt-4o`, with OpenRouter's prices as source "openrouter"). LiteLLM's
   `openrouter/<lab>/<model>` keys and genai-prices' `openrouter` provider copy that
   listing, often with stale prices (genai-prices differs from OpenRouter's own for
   87 of 141 models in the 2026-08 snapshots). A copy names the same model as
   OpenRouter's own id (reseller_copy): its key becomes an alias of that model (so
   the old page redirects) and its prices are dropped, so a copy never outranks or
   duplicates OpenRouter's own figures.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

# OpenRouter's lab slugs -> the slugs the other sources use for the same lab.
OPENROUTER_LABS = {"x-ai": "xai", "mistralai": "mistral", "z-ai": "zai",
                   "moonshotai": "moonshot"}
RESELLER = "openrouter"
COPY_RANK = 3                    # the fold rank every parser gives a reseller's copy

_BETWEEN_DIGITS = re.compile(r"(?<=\d)[._-](?=\d)")
_DIGITS = re.compile(r"\d+(?:\.\d+)*")
_SHORT_VERSION = re.compile(r"(?<!\d[._-])(?<!\d)\d([._-])\d(?!\d|[._-]\d)")


def spelling_key(canonical_id: str, joined: bool = False) -> str:
    """The id with every separator between two digits made one (`4.7` = `4-7` = `4_7`).

    joined=True also drops it (`3.5` = `35`): only for finding pairs both spelled in
    the data, never on its own."""
    return _BETWEEN_DIGITS.sub("" if joined else ".", canonical_id.lower())


def has_version_separator(canonical_id: str) -> bool:
    """`gpt-3.5-turbo`: yes; `gpt-35-turbo`: no."""
    return _BETWEEN_DIGITS.search(canonical_id) is not None


def is_copy_key(key: str) -> bool:
    """A source key that is a reseller's copy (`openrouter/anthropic/claude-3.5-haiku`):
    it says nothing about how the lab spells its model."""
    parts = key.strip().lower().split("/")
    return len(parts) == 3 and parts[0] == RESELLER and all(parts)


def reseller_copy(provider: str, model: str) -> str | None:
    """The lab id a reseller copy names (`openrouter` + `anthropic/claude-3.5-haiku` ->
    `anthropic/claude-3.5-haiku`), or None when it is no copy of a lab's model."""
    if provider != RESELLER or model.count("/") != 1:
        return None
    lab, name = model.split("/")
    lab = lab.lstrip("~")
    if not lab or not name:
        return None
    return f"{OPENROUTER_LABS.get(lab, lab)}/{name}"


def _version_prefixes(canonical_id: str) -> set[str]:
    """`anthropic/claude-3-5-sonnet` -> {`anthropic/claude-3-5`}: the id up to the end of
    each digit run that holds a separator, spelled as written."""
    lowered = canonical_id.lower()
    return {lowered[: m.end()] for m in re.finditer(r"\d+(?:[._-]\d+)+", lowered)}


def choose_spelling(spellings: Sequence[str], index: PrefixIndex) -> str:
    """The kept spelling of ids that name one model (in the caller's preference order):
    the first whose version the lab's own other ids spell the same way
    (`anthropic/claude-3-5-…` decides `vercel_ai_gateway/anthropic/claude-3.5-sonnet`);
    else the separator most of the lab's own one-digit versions use (`4-7`, `3-5`: `-`);
    else the first."""
    others = set(spellings)
    for spelling in spellings:
        if any(index.known(prefix, others) for prefix in _version_prefixes(_lab_id(spelling))):
            return spelling
    for spelling in spellings:
        lab = _lab_id(spelling).split("/")[0]
        style = index.style(lab)
        if style and set(_SHORT_VERSION.findall(_lab_id(spelling))) == {style}:
            return spelling
    return spellings[0]


def _lab_id(canonical_id: str) -> str:
    """`vercel_ai_gateway/anthropic/claude-3.5-sonnet` -> `anthropic/claude-3.5-sonnet`:
    the last two segments, the lab and its model."""
    return "/".join(canonical_id.lower().split("/")[-2:])


class PrefixIndex:
    """The labs' own ids of a payload (two segments, not a reseller's copy): their
    version prefixes, with the ids that spell them, and each lab's usual separator
    in a one-digit version (`4.7` / `4-7`; dates and long numbers say nothing).
    Worked out per lab on first use: most payloads never ask."""

    def __init__(self, canonical_ids: Iterable[str]):
        self.by_lab: dict[str, list[str]] = {}
        for canonical_id in canonical_ids:
            if canonical_id.count("/") == 1:
                self.by_lab.setdefault(canonical_id.split("/")[0], []).append(canonical_id)
        self.labs: dict[str, tuple[dict[str, set[str]], str | None]] = {}

    def _lab(self, lab: str) -> tuple[dict[str, set[str]], str | None]:
        if lab not in self.labs:
            prefixes: dict[str, set[str]] = {}
            votes: Counter[str] = Counter()
            for canonical_id in self.by_lab.get(lab, ()):
                for prefix in _version_prefixes(canonical_id):
                    prefixes.setdefault(prefix, set()).add(canonical_id)
                votes.update(_SHORT_VERSION.findall(canonical_id))
            ranked = votes.most_common(2)
            unique = ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1])
            self.labs[lab] = (prefixes, ranked[0][0] if unique else None)
        return self.labs[lab]

    def known(self, prefix: str, besides: set[str]) -> bool:
        prefixes, _ = self._lab(prefix.split("/")[0])
        return bool(prefixes.get(prefix, set()) - besides)

    def style(self, lab: str) -> str | None:
        return self._lab(lab)[1]


def respell(ranked: Sequence[tuple[str, int]]) -> dict[str, str]:
    """canonical id -> kept spelling, for the ids of one payload that name one model
    under another spelling (ids kept as they are are not in the result).

    `ranked`: (canonical id, rank) of every key, lower rank = preferred (0: the key is
    the lab's own name). The best-ranked key's spelling is kept; among equals, the one
    spelled as the lab's other ids (choose_spelling). Run-together digits
    (`gpt-35-turbo` / `gpt-3.5-turbo`) join only when both spellings are in the payload
    at the same seller; the spelling with the separator (a version number) is kept."""
    best: dict[str, int] = {}
    for canonical_id, rank in ranked:
        best[canonical_id] = min(rank, best.get(canonical_id, rank))
    groups: dict[str, list[str]] = {}
    joined: dict[str, list[str]] = {}
    for canonical_id in best:
        if _BETWEEN_DIGITS.search(canonical_id) is None:     # most ids: one spelling only
            key = canonical_id
        else:
            key = spelling_key(canonical_id)
        members = groups.setdefault(key, [])
        if not members:
            joined.setdefault(_BETWEEN_DIGITS.sub("", key), []).append(key)
        members.append(canonical_id)
    renames: dict[str, str] = {}
    found: list[PrefixIndex] = []

    def keep(members: list[str], pool: list[str]) -> None:
        if not found:           # built only when a payload has two spellings of one model
            found.append(PrefixIndex(cid for cid, rank in best.items() if rank < COPY_RANK))
        top = min(best[cid] for cid in pool)
        kept = choose_spelling([cid for cid in pool if best[cid] == top], found[0])
        renames.update({cid: kept for cid in members if cid != kept})

    for keys in joined.values():
        if len(keys) > 1 and _has_separator_variant(keys):
            members = [cid for key in keys for cid in groups[key]]
            keep(members, [cid for cid in members if has_version_separator(cid)])
            continue
        for key in keys:
            if len(groups[key]) > 1:
                keep(groups[key], groups[key])
    return renames


def _has_separator_variant(keys: list[str]) -> bool:
    """Keys that meet once digits are joined are one model only when one writes the
    digits run together where another separates them (`gpt-35` / `gpt-3.5`), not when
    both separate them at different places (`1.23` / `12.3`)."""
    runs = [_DIGITS.findall(key) for key in keys]
    return any(all("." not in run for run in r) for r in runs) and any(
        any("." in run for run in r) for r in runs)
