"""The catalog listing: every model with its shown base prices, filtered, sorted and paged in SQL.

The price expressions (the precedence rule in SQL) live in queries.shown. Amounts come back as
Decimal; only sorting and the max-price filter compare them as floats.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import SQLColumnExpression, String, bindparam, cast, func, or_, select, true
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from ratecard.image_costs import ImageCost
from ratecard.models import Capability, CatalogRow, Disagreement, Model, Price, Provider
from ratecard.models.probes import ProbeSummary
from ratecard.queries import image_prices
from ratecard.queries.search import search_index
from ratecard.queries.shown import (
    image_only,
)
from ratecard.queries.version import data_version, derived
from scrapers.vocabulary import IMAGE_MODES

PAGE_SIZE = 50
# Capabilities worth a badge and a filter (the others are API details, shown on profiles).
BADGE_CAPABILITIES = (
    "vision", "function_calling", "json_schema", "reasoning", "prompt_caching", "pdf_input",
    "audio_input", "audio_output", "video_input", "web_search", "computer_use", "open_weights",
)
SORTS = ("name", "provider", "mode", "input", "output", "context", "released", "availability",
         "p50", *image_prices.IMAGE_SORTS)
# The catalog page's default: search relevance with a query, else the featured order
# (queries.search). Not a column, so not in SORTS (the API's sort parameter).
FEATURED = "featured"


@dataclass(frozen=True)
class Filters:
    provider: str | None = None
    mode: str | None = None            # "unknown" = no mode recorded
    input_modality: str | None = None
    output_modality: str | None = None
    capabilities: tuple[str, ...] = ()
    max_input_price: Decimal | None = None
    min_context: int | None = None
    include_deprecated: bool = False
    search: str | None = None
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())


@dataclass(frozen=True)
class ProviderRef:
    """A provider as a link shows it: the catalog rows and the profile header share it."""

    slug: str
    name: str


@dataclass(frozen=True)
class ModelRef:
    """The listed fields of a model (plain values: a page of rows builds no ORM objects)."""
    id: int
    canonical_id: str
    name: str
    mode: str | None
    context_window: int | None
    release_date: dt.date | None
    deprecation_date: dt.date | None
    provider: ProviderRef


@dataclass
class Row:
    model: ModelRef
    input: Decimal | None
    output: Decimal | None
    output_unit: str                  # "1M_tokens", or "image" for image models' per-image price
    capabilities: list[str]
    # "input"/"output" -> (low, high) where the sources' current values of the listed price
    # differ by more than 1 % (the profile's disagreement rows, services.disagreements)
    disagreements: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    # Our probes' last 7 days (services.probes keeps probe_summaries): None = not measured
    probes: ProbeSummary | None = None
    # Image models only: per-image, image-token and standard-image prices (queries.image_prices)
    image: image_prices.ImagePrices | None = None

    @property
    def availability(self) -> Decimal | None:
        if self.probes is None or not self.probes.runs:
            return None
        return Decimal(self.probes.ok) / Decimal(self.probes.runs)

    @property
    def deprecated(self) -> bool:
        """Past its deprecation date (a future date is announced, not yet deprecated)."""
        day = self.model.deprecation_date
        return day is not None and day <= dt.datetime.now(dt.UTC).date()


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int
    # The page's model ids in order; `rows` is empty when the caller asked for ids only
    # (the catalog renders most rows from fragments it keeps, web/pages/catalog.py).
    ids: list[int] = field(default_factory=list)


# -- filters ---------------------------------------------------------------------------------

T = CatalogRow


def _modality(column: SQLColumnExpression[list[str] | None], value: str) -> ColumnElement[bool]:
    # JSON arrays are stored as text on both backends: match the quoted element.
    return cast(column, String).like(f'%"{value}"%')


def conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """WHERE terms on the catalog's rows (filters.search is matched by queries.search's
    index, not in SQL: see ranked)."""
    where: list[ColumnElement[bool]] = []
    if filters.provider:
        where.append(T.provider_slug == filters.provider)
    if filters.mode == "unknown":
        where.append(T.mode.is_(None))
    elif filters.mode:
        where.append(T.mode == filters.mode)
    if filters.input_modality:
        where.append(_modality(T.input_modalities, filters.input_modality))
    if filters.output_modality:
        where.append(_modality(T.output_modalities, filters.output_modality))
    for name in filters.capabilities:       # stored ",vision,reasoning,"
        where.append(T.capabilities.like(f"%,{name},%"))
    if filters.max_input_price is not None:
        where.append(T.sort_input <= float(filters.max_input_price))
    if filters.min_context is not None:
        where.append(T.context_window >= filters.min_context)
    if not filters.include_deprecated:
        where.append(or_(T.deprecation_date.is_(None), T.deprecation_date > filters.today))
    return where


_SORT_KEYS: dict[str, SQLColumnExpression[Any]] = {
    "name": func.lower(T.name), "provider": T.provider_slug, "mode": T.mode,
    "input": T.sort_input, "output": T.sort_output, "context": T.context_window,
    "released": T.release_date, "availability": T.availability, "p50": T.probe_p50_ms,
    "image_tokens": T.sort_image_tokens, "per_image": T.sort_per_image, "image": T.sort_image,
}


def _order(sort: str, descending: bool) -> list[SQLColumnExpression[Any]]:
    key = _SORT_KEYS[sort]
    # Missing values last in both directions (NULLS LAST: SQLite 3.30+, PostgreSQL); ties
    # broken by id for stable pages.
    return [(key.desc() if descending else key.asc()).nulls_last(), T.canonical_id]


# -- the listing ---------------------------------------------------------------------------------

def count(session: Session, filters: Filters) -> int:
    return session.scalar(select(func.count()).select_from(T).where(
        *conditions(filters))) or 0


def listing(session: Session, filters: Filters, sort: str = "name", descending: bool = False,
            page: int = 1, per_page: int | None = PAGE_SIZE, version: str | None = None,
            rows: bool = True) -> Page:
    """One page of models from the catalog's rows (models/catalog_rows.py): a count and one
    select with WHERE, ORDER BY and LIMIT (a top-N sort, no window over every row). With a
    search, or in the featured order, see ranked()."""
    if filters.search or sort == FEATURED:
        return ranked(session, filters, sort, descending, page, per_page, version, rows)
    total = count(session, filters)
    if total == 0 or (per_page and (page - 1) * per_page >= total):
        found = []
    else:
        query = select(*T.__table__.c).where(*conditions(filters)).order_by(
            *_order(sort, descending))
        if per_page:
            query = query.limit(per_page).offset((page - 1) * per_page)
        found = [_row(r._mapping) for r in session.execute(query)]
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return Page(rows=found, total=total, page=page, pages=pages,
                ids=[row.model.id for row in found])


def ranked(session: Session, filters: Filters, sort: str, descending: bool, page: int,
           per_page: int | None, version: str | None = None, rows: bool = True) -> Page:
    """A page of a search (its matches, best first, or in a column's order) or of the
    featured order. The matches and the featured order come from the search index of this
    data version (queries.search); the models the filters keep, and each column's order of
    every row, from one select each, kept for the version (a search's words are what no two
    visitors repeat; its filters and sorts are few). Only the page's rows are read."""
    version = version or data_version(session)[0]
    index = search_index(session, version)
    hits = matches(session, version, filters.search) if filters.search else None
    if hits == ():
        return Page(rows=[], total=0, page=page, pages=1)
    kept = kept_by(session, filters, version)
    if sort == FEATURED:
        order: Sequence[int] = hits if hits is not None else index.featured
        found = [i for i in order if i in kept]
    elif hits is None:
        found = [i for i in ordered(session, sort, descending, version) if i in kept]
    else:
        position = positions(session, sort, descending, version)
        # In the column's order; a match without a catalog row (none should lack one)
        # after the others, best first.
        found = sorted((i for i in hits if i in kept and i in position),
                       key=position.__getitem__)
        found += [i for i in hits if i in kept and i not in position]
    total = len(found)
    if per_page:
        found = found[(page - 1) * per_page:page * per_page]
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return Page(rows=rows_for(session, found) if rows else [], total=total, page=page,
                pages=pages, ids=found)


def matches(session: Session, version: str, words: str) -> tuple[int, ...]:
    """The ids of the models matching the words, best first, kept per version: the same
    words come back with other filters, sorts and pages as a visitor narrows them."""
    return derived(session, "search matches", version, lambda: tuple(
        hit.entry.id for hit in search_index(session, version).search(words)), key=words)


def kept_by(session: Session, filters: Filters, version: str) -> frozenset[int]:
    """The models the filters (all but the search words) keep, at this version and day."""
    plain = replace(filters, search=None)
    return derived(session, "catalog filters", (version, filters.today),
                   lambda: frozenset(session.scalars(select(T.model_id).where(
                       *conditions(plain)))), key=plain)


def ordered(session: Session, sort: str, descending: bool, version: str) -> tuple[int, ...]:
    """Every row's model id in a column's order (the listing's ORDER BY)."""
    return derived(session, "catalog orders", version, lambda: tuple(session.scalars(
        select(T.model_id).order_by(*_order(sort, descending)))), key=(sort, descending))


def positions(session: Session, sort: str, descending: bool, version: str) -> dict[int, int]:
    return derived(session, "catalog positions", version, lambda: {
        model_id: n for n, model_id in enumerate(ordered(session, sort, descending, version))},
        key=(sort, descending))


def rows_for(session: Session, ids: Sequence[int]) -> list[Row]:
    """The catalog's rows of `ids`, in that order (one select)."""
    if not ids:
        return []
    found = {r.model_id: _row(r._mapping) for r in session.execute(
        select(*T.__table__.c).where(T.model_id.in_(list(ids))))}
    return [found[i] for i in ids if i in found]


def _split(low: Decimal | None, high: Decimal | None) -> tuple[Decimal, Decimal] | None:
    return None if low is None or high is None else (low, high)


def _row(r: RowMapping) -> Row:
    """A stored catalog row as the listing's Row (what computed_rows built when stored)."""
    split = {"input": _split(r["input_low"], r["input_high"]),
             "output": _split(r["output_low"], r["output_high"])}
    image = None
    if r["has_image"]:
        standard = None if r["standard_amount"] is None else ImageCost(
            quality=r["standard_quality"], size=r["standard_size"],
            amount=r["standard_amount"], computed=bool(r["standard_computed"]),
            tokens=r["standard_tokens"], rate=r["standard_rate"])
        image = image_prices.ImagePrices(
            r["per_image_from"], r["output_image"], standard,
            per_image_split=_split(r["per_image_low"], r["per_image_high"]),
            output_image_split=_split(r["output_image_low"], r["output_image_high"]))
    probes = None if r["probe_computed_at"] is None else ProbeSummary(
        model_id=r["model_id"], computed_at=r["probe_computed_at"], runs=r["probe_runs"],
        ok=r["probe_ok"], latency_p50_ms=r["probe_p50_ms"])
    return Row(
        model=ModelRef(r["model_id"], r["canonical_id"], r["name"], r["mode"],
                       r["context_window"], r["release_date"], r["deprecation_date"],
                       ProviderRef(r["provider_slug"], r["provider_name"])),
        input=r["input"], output=r["output"], output_unit=r["output_unit"],
        capabilities=r["capabilities"].strip(",").split(",") if r["capabilities"] else [],
        disagreements={k: v for k, v in split.items() if v is not None},
        probes=probes, image=image)


# -- a row's values, computed from the normalised tables (services.catalog_rows stores them) --

@cache
def _page_models() -> Select[tuple[int, str, str, str | None, int | None, dt.date | None,
                                   dt.date | None, str, str]]:
    return select(
        Model.id, Model.canonical_id, Model.name, Model.mode, Model.context_window,
        Model.release_date, Model.deprecation_date, Provider.slug, Provider.name,
    ).join(Provider, Provider.id == Model.provider_id).where(
        Model.id.in_(bindparam("ids", expanding=True)))


@cache
def _page_prices() -> Select[Any]:
    """The shown rows the listed prices come from: base input/output per 1M tokens and
    per-image prices, one seek per model and meter on ix_prices_shown."""
    return select(Price.model_id, Price.meter, Price.unit, Price.conditions_key,
                  Price.amount).where(
        Price.meter.in_(("input", "output", "image")), Price.unit.in_(("1M_tokens", "image")),
        Price.model_id.in_(bindparam("ids", expanding=True)), Price.shown == true(),
        Price.valid_to.is_(None))


def page_prices(session: Session, ids: Sequence[int]
                ) -> dict[int, tuple[Decimal | None, Decimal | None, Decimal | None]]:
    """model id -> (input, output per 1M tokens, cheapest per-image price): the shown prices
    of a page of models (queries.shown's base_price and cheapest_image_price, one read)."""
    tokens: dict[tuple[int, str], Decimal] = {}
    cheapest: dict[int, Decimal] = {}
    for model_id, meter, unit, conditions_key, amount in session.execute(
            _page_prices(), {"ids": list(ids)}):
        if meter == "image":
            if unit == "image" and image_only(conditions_key) and (
                    model_id not in cheapest or amount < cheapest[model_id]):
                cheapest[model_id] = amount
        elif unit == "1M_tokens" and conditions_key == "":
            tokens[(model_id, meter)] = amount
    return {model_id: (tokens.get((model_id, "input")), tokens.get((model_id, "output")),
                       cheapest.get(model_id)) for model_id in ids}


def computed_rows(session: Session, ids: Sequence[int]) -> list[Row]:
    """Models with their shown prices and badge capabilities, in the order of `ids`.
    A few small queries whatever the page, two more when it lists image models (a
    statement pricing each row in SQL costs more to build and hash than to run)."""
    if not ids:
        return []
    prices = page_prices(session, ids)
    found = {}
    for row in session.execute(_page_models(), {"ids": list(ids)}).tuples():
        model = ModelRef(*row[:7], provider=ProviderRef(row[7], row[8]))
        input_, output, image = prices[model.id]
        per_image = model.mode in IMAGE_MODES and image is not None
        found[model.id] = (model, input_, image if per_image else output,
                           "image" if per_image else "1M_tokens")
    caps = badge_capabilities(session, ids)
    split = page_disagreements(session, ids)
    probes = {p.model_id: p for p in session.scalars(select(ProbeSummary).where(
        ProbeSummary.model_id.in_(list(ids))))}
    images = image_prices.page_image_prices(session, [
        (m.id, m.canonical_id) for m, *_ in found.values() if m.mode in IMAGE_MODES])
    return [Row(model=m, input=i, output=o, output_unit=u, capabilities=caps.get(m.id, []),
                disagreements={k: v for k, v in {
                    "input": split.get((m.id, "input", "1M_tokens")),
                    "output": split.get((m.id, "image" if u == "image" else "output", u)),
                }.items() if v is not None}, probes=probes.get(m.id), image=images.get(m.id))
            for m, i, o, u in (found[x] for x in ids if x in found)]


@cache
def _disagreements_stmt() -> Select[Any]:
    return select(Disagreement.model_id, Disagreement.meter, Disagreement.unit,
                  Disagreement.conditions_key, Disagreement.low, Disagreement.high).where(
        Disagreement.model_id.in_(bindparam("ids", expanding=True)),
        Disagreement.meter.in_(("input", "output", "image")))


def page_disagreements(session: Session, ids: Sequence[int]
                       ) -> dict[tuple[int, str, str], tuple[Decimal, Decimal]]:
    """(model id, meter, unit) -> (low, high) of the listed prices' disagreements: base
    token prices, and any per-image option (the listed one is the cheapest)."""
    out: dict[tuple[int, str, str], tuple[Decimal, Decimal]] = {}
    for model_id, meter, unit, ckey, low, high in session.execute(
            _disagreements_stmt(), {"ids": list(ids)}):
        if (unit == "1M_tokens" and ckey == "") or (unit == "image" and image_only(ckey)):
            key = (model_id, meter, unit)
            was = out.get(key)
            out[key] = (low, high) if was is None else (min(low, was[0]), max(high, was[1]))
    return out


@cache
def _badges_stmt() -> Select[Any]:
    return select(Capability.model_id, Capability.name).where(
        Capability.model_id.in_(bindparam("ids", expanding=True)),
        Capability.valid_to.is_(None), Capability.shown == true(), Capability.value == true(),
        Capability.name.in_(BADGE_CAPABILITIES))


def badge_capabilities(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """The badge capabilities whose shown value is true, for a page of models (one query),
    in BADGE_CAPABILITIES order."""
    found = set(session.execute(_badges_stmt(), {"ids": list(ids)}).tuples())
    out: dict[int, list[str]] = {}
    for name in BADGE_CAPABILITIES:
        for model_id in ids:
            if (model_id, name) in found:
                out.setdefault(model_id, []).append(name)
    return out


# -- facets for the filter form ----------------------------------------------------------------

def providers(session: Session) -> list[tuple[str, str]]:
    return [(slug, name) for slug, name in session.execute(
        select(Provider.slug, Provider.name).order_by(func.lower(Provider.name)))]


def modes(session: Session) -> list[str]:
    return [m for m in session.scalars(select(T.mode).distinct().where(
        T.mode.is_not(None)).order_by(T.mode)) if m is not None]


Facets = tuple[list[tuple[str, str]], list[str], tuple[list[str], list[str]]]


def facets(session: Session, version: str) -> Facets:
    """(providers, modes, modalities) for the filter form, cached per data version (they
    only change with a sync); modes and modalities from the catalog's rows. Shared
    between requests: read them, never change them."""
    def build() -> Facets:
        inputs: set[str] = set()
        outputs: set[str] = set()
        for ins, outs in session.execute(select(T.input_modalities, T.output_modalities)):
            inputs.update(ins or ())
            outputs.update(outs or ())
        return providers(session), modes(session), (sorted(inputs), sorted(outputs))

    return derived(session, "facets", version, build)
