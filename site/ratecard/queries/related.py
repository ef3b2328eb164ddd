"""Related models for a profile: the same model under other providers' keys, and models
of the same kind at the nearest price.

"Same model elsewhere" is one LIKE query over model ids (the models table, not prices)
and one indexed price query for the few matches. "Similar models" reads a small in-memory
index of every same-kind model's shown price (exact Decimal, the `shown` flag),
built with one indexed query per kind and data version and reused until a sync or an
edit changes the data version; each request then bisects it. No schema change is needed.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam, select, true
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql import Select

from ratecard.image_costs import ImageCost, Option, option_of, standard_cost
from ratecard.models import Model, Price, Provider
from ratecard.queries.shown import image_only
from ratecard.queries.version import derived

# Modes that answer the same need: "responses" is LiteLLM's name for chat on that API.
MODE_GROUPS = {"responses": ("chat", "responses"), "chat": ("chat", "responses")}
TOKEN = "1M_tokens"

_SUFFIX = re.compile(r":[a-z0-9._-]*$")             # :0, :free, :batch
_VERSION = re.compile(r"-v\d+$")                     # bedrock's -v1 (after :0 went)
_VENDOR = re.compile(r"^(?:[a-z]{2,6}\.)?[a-z][a-z0-9-]*\.(?=[a-z])")  # us.anthropic.
_DATE = re.compile(r"(?:[-@_](?:20\d\d-?\d\d-?\d\d|\d\d-20\d\d|\d{4}))$")
_SEPARATORS = re.compile(r"[^a-z0-9]")


def family_keys(canonical_id: str) -> tuple[str, str]:
    """(exact, undated) keys of the model part of an id, for matching across providers.

    `bedrock/us.anthropic.claude-3-haiku-20240307-v1:0`, `openrouter/anthropic/claude-3-haiku`
    and `vertex_ai/claude-3-haiku@20240307` share the undated key `claude3haiku`; region
    and vendor prefixes, version suffixes and punctuation (4.5 vs 4-5) are ignored.
    """
    part = canonical_id.lower().split("/")[-1]
    part = _VERSION.sub("", _SUFFIX.sub("", part))
    part = _VENDOR.sub("", part)
    undated = _DATE.sub("", part)
    return _SEPARATORS.sub("", part), _SEPARATORS.sub("", undated)


def _variant(canonical_id: str) -> str:
    """A word after the last colon marks a priced variant of the model (OpenRouter's :free,
    :extended, :thinking; Ollama's :70b); a bare number (:0, bedrock's version) does not."""
    found = re.search(r":([a-z0-9._-]*)$", canonical_id.lower().split("/")[-1])
    return "" if found is None or found.group(1).isdigit() else found.group(1)


def _like_pattern(canonical_id: str) -> str:
    """A LIKE pattern every id of the family matches (a superset; the keys decide): the
    undated key's characters in order, so `gpt-35-turbo` finds `gpt-3.5-turbo` and
    `codellama` finds `code-llama`, and back."""
    return "%" + "%".join(family_keys(canonical_id)[1]) + "%"


@dataclass(frozen=True)
class FamilyIndex:
    """Every model by its exact and undated family keys: (id, canonical id, provider slug)."""

    exact: dict[str, list[tuple[int, str, str]]]
    undated: dict[str, list[tuple[int, str, str]]]


def family_index(session: Session, version: str) -> FamilyIndex:
    """The family keys of every model at this data version (one query and a regex pass
    over the models, once per version), so a profile finds its other keys by lookup."""
    return derived(session, "related families", version, lambda: _family_index(session))


def _family_index(session: Session) -> FamilyIndex:
    exact: dict[str, list[tuple[int, str, str]]] = {}
    undated: dict[str, list[tuple[int, str, str]]] = {}
    for row in session.execute(select(Model.id, Model.canonical_id, Provider.slug).join(
            Model.provider)):
        their_exact, their_undated = family_keys(row[1])
        exact.setdefault(their_exact, []).append(tuple(row))
        undated.setdefault(their_undated, []).append(tuple(row))
    return FamilyIndex(exact, undated)


Row = tuple[int, str, str]          # model id, canonical id, provider slug


def same_model_elsewhere(session: Session, model: Model, limit: int | None = 20,
                         version: str | None = None) -> list[Model]:
    """Other keys of this model: other providers (azure/gpt-4o, openrouter/openai/gpt-4o,
    bedrock/anthropic.…) with the same model part (family_keys), and the same priced
    variant. Dated snapshots pair with the undated model only across providers that have
    no undated key of it: an undated model lists such a provider's dated keys, and each of
    those lists the undated models back. The relation is symmetric (if A lists B, B lists
    A): it depends on the two ids and the family, never on which page asks. With the data
    `version`, the family comes from family_index; without, from one LIKE query."""
    exact, undated = family_keys(model.canonical_id)
    if not undated:
        return []
    variant = _variant(model.canonical_id)
    if version is not None:
        index = family_index(session, version)
        rows: list[Row] = [*index.exact.get(exact, ()), *index.undated.get(undated, ()),
                           *index.exact.get(undated, ())]
    else:
        rows = [tuple(r) for r in session.execute(
            select(Model.id, Model.canonical_id, Provider.slug).join(Model.provider).where(
                Model.canonical_id.like(_like_pattern(model.canonical_id))).limit(5000))]
    family: dict[int, tuple[Row, str, str]] = {}
    for row in rows:
        if _variant(row[1]) == variant:
            theirs, their_undated = family_keys(row[1])
            if their_undated == undated:
                family[row[0]] = (row, theirs, their_undated)
    # Providers that have an undated key of this family: their dated keys stand alone.
    undated_at = {row[2] for row, theirs, _ in family.values() if theirs == undated}
    ids: list[int] = []
    for model_id, (row, theirs, _) in family.items():
        if model_id == model.id:
            continue
        if theirs == exact:
            ids.append(model_id)
        elif exact == undated and theirs != undated and row[2] not in undated_at:
            ids.append(model_id)            # we are undated, they are a dated key elsewhere
        elif exact != undated and theirs == undated and model.provider.slug not in undated_at:
            ids.append(model_id)            # we are a dated key elsewhere, they are undated
    if not ids:
        return []
    found = session.scalars(_models_stmt(), {"ids": ids})
    exact_ids = {i for i in ids if family[i][1] == exact}
    ordered = sorted(found, key=lambda m: (m.id not in exact_ids, m.provider.slug,
                                           m.canonical_id))
    return ordered if limit is None else ordered[:limit]


# -- headline prices of a few models ----------------------------------------------------

class Quote(NamedTuple):
    """One current price of another model, as plain values (no ORM objects)."""

    model_id: int
    source: str
    meter: str
    unit: str
    conditions_key: str
    amount: Decimal
    computed: bool = False          # one image's cost worked out from image tokens


def _option_key(cost: ImageCost) -> str:
    return ";".join(f"{k}={v}" for k, v in (("quality", cost.quality), ("size", cost.size))
                    if v is not None)


def standard_quote(model: Model, cost: ImageCost | None, source: str = "") -> Quote | None:
    """A model's standard image cost as the basis "similar models" compares by."""
    if cost is None:
        return None
    return Quote(model.id, source, "image", "image", _option_key(cost), cost.amount,
                 cost.computed)


@dataclass(frozen=True)
class Headline:
    input: Quote | None = None
    output: Quote | None = None
    image_from: Quote | None = None      # cheapest per-image price over qualities and sizes

    def basis(self, per_image: bool) -> Quote | None:
        return self.image_from if per_image else self.input


@cache
def _models_stmt() -> Select[tuple[Model]]:
    """Models by id with their providers (statements built once: see queries.profile)."""
    return select(Model).join(Model.provider).options(contains_eager(Model.provider)).where(
        Model.id.in_(bindparam("ids", expanding=True)))


@cache
def _headline_stmts() -> tuple[Select[Any], Select[Any]]:
    columns = (Price.model_id, Price.source, Price.meter, Price.unit, Price.conditions_key,
               Price.amount)
    where = (Price.model_id.in_(bindparam("ids", expanding=True)), Price.shown == true())
    return (select(*columns).where(
        *where, Price.meter.in_(("input", "output")), Price.unit == TOKEN,
        Price.conditions_key == "", Price.valid_to.is_(None)),
        select(*columns).where(
        *where, Price.meter == "image", Price.unit == "image", Price.valid_to.is_(None)))


def headlines(session: Session, model_ids: list[int], images: bool = False
              ) -> dict[int, Headline]:
    """Shown base input/output per 1M tokens and, with `images`, the cheapest shown
    per-image price (the `shown` flag: ratecard.precedence)."""
    if not model_ids:
        return {}
    tokens, per_image = _headline_stmts()
    rows = list(session.execute(tokens, {"ids": model_ids}))
    if images:
        rows += session.execute(per_image, {"ids": model_ids})
    out: dict[int, dict[str, Quote]] = {}
    for quote in (Quote(*row) for row in rows):
        if quote.meter == "image" and not image_only(quote.conditions_key):
            continue
        model_id, meter = quote.model_id, quote.meter
        slot = out.setdefault(model_id, {})
        key = "image_from" if meter == "image" else meter
        if key not in slot or quote.amount < slot[key].amount:
            slot[key] = quote
    return {model_id: Headline(**slots) for model_id, slots in out.items()}


# -- similar models: nearest shown price among models of the same kind -----------------------

@dataclass(frozen=True)
class PriceIndex:
    """Every same-kind model's shown basis price, sorted by amount."""

    amounts: list[Decimal]
    entries: list[tuple[Decimal, int, str, dt.date | None, Quote]]   # amount, id, canonical…


def _shown_basis(rows: list[Quote], per_image: bool) -> dict[int, Quote]:
    """Rows are shown rows already; per image, the cheapest quality/size option."""
    basis: dict[int, Quote] = {}
    for quote in rows:
        if per_image and not image_only(quote.conditions_key):
            continue
        model_id = quote.model_id
        if model_id not in basis or quote.amount < basis[model_id].amount:
            basis[model_id] = quote
    return basis


def _standard_basis(rows: list[Quote], ids: dict[int, str]) -> dict[int, Quote]:
    """Per image models: one standard image's cost (ratecard.image_costs), from the
    published per-image options, or computed from the image output token price."""
    options: dict[int, dict[Option, Quote]] = {}
    rates: dict[int, Quote] = {}
    for quote in rows:
        if quote.meter == "image" and image_only(quote.conditions_key):
            options.setdefault(quote.model_id, {})[option_of(quote.conditions_key)] = quote
        elif quote.meter == "output_image" and quote.conditions_key == "":
            rates[quote.model_id] = quote
    basis: dict[int, Quote] = {}
    for model_id in options.keys() | rates.keys():
        published = options.get(model_id, {})
        rate = rates.get(model_id)
        cost = standard_cost(ids[model_id], {k: q.amount for k, q in published.items()},
                             rate.amount if rate else None)
        if cost is None:
            continue
        if cost.computed:
            basis[model_id] = Quote(model_id, rate.source if rate else "", "image", "image",
                                    _option_key(cost), cost.amount, True)
        else:
            basis[model_id] = published[cost.option]
    return basis


def price_index(session: Session, modes: tuple[str | None, ...], per_image: bool,
                version: str) -> PriceIndex:
    """The index for these modes at this data version (built once, then shared)."""
    return derived(session, "related prices", version,
                   lambda: _price_index(session, modes, per_image), key=(modes, per_image))


def _price_index(session: Session, modes: tuple[str | None, ...],
                 per_image: bool) -> PriceIndex:
    wanted: list[ColumnElement[bool]]
    if per_image:         # per-image options and the image-token price (computed costs)
        wanted = [((Price.meter == "image") & (Price.unit == "image"))
                  | ((Price.meter == "output_image") & (Price.unit == TOKEN)
                     & (Price.conditions_key == ""))]
    else:
        wanted = [Price.meter == "input", Price.unit == TOKEN, Price.conditions_key == ""]
    rows = session.execute(select(
        Price.model_id, Price.source, Price.meter, Price.unit, Price.conditions_key,
        Price.amount, Model.canonical_id, Model.release_date).join(
        Model, Model.id == Price.model_id).where(
        Model.mode.in_(modes), Price.shown == true(), Price.valid_to.is_(None),
        *wanted)).all()
    about = {row[0]: (row[6], row[7]) for row in rows}
    quotes = [Quote(*row[:6]) for row in rows]
    basis = _standard_basis(quotes, {k: v[0] for k, v in about.items()}) if per_image \
        else _shown_basis(quotes, per_image)
    entries = sorted(((q.amount, model_id, *about[model_id], q)
                      for model_id, q in basis.items()), key=lambda e: (e[0], e[1]))
    return PriceIndex([e[0] for e in entries], entries)


def similar_models(session: Session, model: Model, target: Decimal, per_image: bool,
                   exclude: set[int], version: str, n: int = 5) -> list[tuple[Model, Quote]]:
    """Models of the same kind whose shown input price (for image models the cost of one
    standard image, published or computed) is nearest to `target`, exactly (Decimal); ties
    go to the newest release.
    One suggestion per model family (gpt-image-1 at OpenAI and at Azure is one)."""
    modes = MODE_GROUPS.get(model.mode or "", (model.mode,))
    index = price_index(session, modes, per_image, version)
    skip = exclude | {model.id}
    families = {family_keys(model.canonical_id)[1]}
    chosen: dict[int, Quote] = {}
    for _, model_id, canonical_id, _, quote in _nearest(index, target):
        if model_id in skip:
            continue
        family = family_keys(canonical_id)[1]
        if family not in families:
            families.add(family)
            chosen[model_id] = quote
            if len(chosen) == n:
                break
    models = {m.id: m for m in session.scalars(_models_stmt(), {"ids": list(chosen)})}
    return [(models[model_id], quote) for model_id, quote in chosen.items()
            if model_id in models]


def _nearest(index: PriceIndex, target: Decimal, enough: int = 40
             ) -> list[tuple[Decimal, int, str, dt.date | None, Quote]]:
    """Entries by distance from target, walking out from the bisection point, until
    `enough` are found and the run of equal distance they end in is complete; within
    equal distance, newest release first."""
    entries = index.entries
    right = bisect.bisect_left(index.amounts, target)
    left = right - 1
    out: list[tuple[Decimal, tuple[Decimal, int, str, dt.date | None, Quote]]] = []
    while left >= 0 or right < len(entries):
        before = target - entries[left][0] if left >= 0 else None
        after = entries[right][0] - target if right < len(entries) else None
        take_left = after is None or (before is not None and before <= after)
        # One side is left while the loop runs, so the side taken is never None.
        distance: Decimal = before if take_left else after  # type: ignore[assignment]
        if len(out) >= enough and distance > out[-1][0]:
            break
        if take_left:
            out.append((distance, entries[left]))
            left -= 1
        else:
            out.append((distance, entries[right]))
            right += 1
    out.sort(key=lambda pair: (pair[0], -(pair[1][3] or dt.date.min).toordinal(), pair[1][1]))
    return [entry for _, entry in out]
