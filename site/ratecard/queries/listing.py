"""The catalog listing: every model with its shown base prices, filtered, sorted and paged in SQL.

The price expressions (the precedence rule in SQL) live in queries.shown. Amounts come back as
Decimal; only sorting and the max-price filter compare them as floats.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, cast, func, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from ratecard.models import Capability, Disagreement, Model, Price, Provider
from ratecard.models.probes import ProbeSummary
from ratecard.queries import image_prices
from ratecard.queries.search import search_index
from ratecard.queries.shown import (
    has_capability,
    image_only,
    input_price,
    joins_prices,
    numeric,
    output_for_sort,
    with_prices,
)
from ratecard.queries.version import data_version
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


# -- filters ---------------------------------------------------------------------------------

def _modality(column: ColumnElement[object], value: str) -> ColumnElement[bool]:
    # JSON arrays are stored as text on both backends: match the quoted element.
    return cast(column, String).like(f'%"{value}"%')


def conditions(filters: Filters, joined: bool = False) -> list[ColumnElement[bool]]:
    """WHERE terms; when `joined`, a max input price needs the joined "input" table (see
    price_tables)."""
    where: list[ColumnElement[bool]] = []
    if filters.provider:
        where.append(Provider.slug == filters.provider)
    if filters.mode == "unknown":
        where.append(Model.mode.is_(None))
    elif filters.mode:
        where.append(Model.mode == filters.mode)
    if filters.input_modality:
        where.append(_modality(Model.input_modalities, filters.input_modality))
    if filters.output_modality:
        where.append(_modality(Model.output_modalities, filters.output_modality))
    for name in filters.capabilities:
        where.append(has_capability(name))
    if filters.max_input_price is not None:
        where.append(numeric(input_price(joined)) <= float(filters.max_input_price))
    if filters.min_context is not None:
        where.append(Model.context_window >= filters.min_context)
    if not filters.include_deprecated:
        where.append(or_(Model.deprecation_date.is_(None),
                         Model.deprecation_date > filters.today))
    # filters.search is matched by queries.search's index, not in SQL (see listing).
    return where


def price_tables(filters: Filters, sort: str | None, joined: bool) -> set[str]:
    tables: set[str] = set()
    if not joined:
        return tables
    if filters.max_input_price is not None or sort == "input":
        tables.add("input")
    if sort == "output":
        tables.update(("output", "image"))
    return tables


@cache
def _sort_key(sort: str, joined: bool) -> ColumnElement[object]:
    return {
        "name": func.lower(Model.name), "provider": Provider.slug, "mode": Model.mode,
        "input": numeric(input_price(joined)), "output": numeric(output_for_sort(joined)),
        "context": Model.context_window, "released": Model.release_date,
        # Probe figures by correlated lookups on probe_summaries' primary key (few rows).
        "availability": select(ProbeSummary.ok * 1.0 / ProbeSummary.runs).where(
            ProbeSummary.model_id == Model.id, ProbeSummary.runs > 0).scalar_subquery(),
        "p50": select(ProbeSummary.latency_p50_ms).where(
            ProbeSummary.model_id == Model.id).scalar_subquery(),
    }[sort]


def _order(sort: str, descending: bool, joined: bool) -> list[ColumnElement[object]]:
    key = _sort_key(sort, joined)
    # Missing values last in both directions (NULLS LAST: SQLite 3.30+, PostgreSQL); ties
    # broken by id for stable pages.
    return [(key.desc() if descending else key.asc()).nulls_last(), Model.canonical_id]


# -- the listing ---------------------------------------------------------------------------------

def count(session: Session, filters: Filters) -> int:
    joined = joins_prices(session)
    query = with_prices(select(func.count()).select_from(Model).join(Provider),
                         price_tables(filters, None, joined))
    return session.scalar(query.where(*conditions(filters, joined))) or 0


def listing(session: Session, filters: Filters, sort: str = "name", descending: bool = False,
            page: int = 1, per_page: int | None = PAGE_SIZE, version: str | None = None
            ) -> Page:
    """One page of models. With a search, or in the featured order, see ranked().
    Otherwise prices are computed Prices are computed for the page's rows only, unless the sort or
    a filter needs them for every row (then from the joined shown-price tables). When the
    filters are cheap and the sort is a column of the models table, the total is a separate
    count and the page a top-N sort (no window over every row); otherwise the total comes
    with the page (a window count), so costly filters run once."""
    if filters.search or sort == FEATURED:
        return ranked(session, filters, sort, descending, page, per_page, version)
    joined = joins_prices(session)
    if sort in image_prices.IMAGE_SORTS:      # computed costs: sorted in Python
        ordered = image_prices.sorted_ids(session, conditions(filters), sort, descending)
        start = (page - 1) * per_page if per_page else 0
        chosen = ordered[start:start + per_page] if per_page else ordered
        return Page(rows=rows_for(session, chosen), total=len(ordered), page=page,
                    pages=max(1, math.ceil(len(ordered) / per_page)) if per_page else 1)
    split = bool(per_page) and sort not in ("input", "output") \
        and not filters.capabilities and filters.max_input_price is None
    if split:
        total = count(session, filters)
        if total == 0 or (page - 1) * per_page >= total:   # type: ignore[operator]
            found = []
        else:
            found = session.execute(select(Model.id).join(Provider).where(
                *conditions(filters, joined)).order_by(*_order(sort, descending, joined))
                .limit(per_page).offset((page - 1) * per_page)).all()  # type: ignore[operator]
        pages = max(1, math.ceil(total / per_page))  # type: ignore[operator]
        return Page(rows=rows_for(session, [row[0] for row in found]), total=total,
                    page=page, pages=pages)
    query = with_prices(select(Model.id, func.count().over()).join(Provider),
                         price_tables(filters, sort, joined))
    query = query.where(*conditions(filters, joined)).order_by(
        *_order(sort, descending, joined))
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    found = session.execute(query).all()
    total = found[0][1] if found else (count(session, filters) if page > 1 else 0)
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return Page(rows=rows_for(session, [row[0] for row in found]), total=total, page=page,
                pages=pages)


# Above this many matches, a search filters the SQL result in Python rather than sending
# the matches' ids to the database (an IN list of thousands of parameters).
MAX_IN_LIST = 1000


def ranked(session: Session, filters: Filters, sort: str, descending: bool, page: int,
           per_page: int | None, version: str | None = None) -> Page:
    """A page of a search (its matches, best first, or in a column's order) or of the
    featured order. The filters run in SQL and return ids only; the order and the matches
    come from the search index of this data version (queries.search)."""
    index = search_index(session, version or data_version(session)[0])
    joined = joins_prices(session)
    hits = index.search(filters.search) if filters.search else None
    if hits == []:
        return Page(rows=[], total=0, page=page, pages=1)
    query = with_prices(select(Model.id).join(Provider), price_tables(
        filters, None if sort == FEATURED else sort, joined)).where(
        *conditions(filters, joined))
    if hits is not None and len(hits) <= MAX_IN_LIST:
        query = query.where(Model.id.in_([h.entry.id for h in hits]))
    if sort == FEATURED:
        kept = set(session.scalars(query))
        order: Sequence[int] = [h.entry.id for h in hits] if hits is not None \
            else index.featured
        found = [i for i in order if i in kept]
    else:
        found = list(session.scalars(query.order_by(*_order(sort, descending, joined))))
        if hits is not None:
            matched = {h.entry.id for h in hits}
            found = [i for i in found if i in matched]
    total = len(found)
    if per_page:
        found = found[(page - 1) * per_page:page * per_page]
    pages = max(1, math.ceil(total / per_page)) if per_page else 1
    return Page(rows=rows_for(session, found), total=total, page=page, pages=pages)


@cache
def _page_models() -> Select[Any]:
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


def rows_for(session: Session, ids: Sequence[int]) -> list[Row]:
    """Models with their shown prices and badge capabilities, in the order of `ids`.
    A few small queries whatever the page, two more when it lists image models (a
    statement pricing each row in SQL costs more to build and hash than to run)."""
    if not ids:
        return []
    prices = page_prices(session, ids)
    found = {}
    for row in session.execute(_page_models(), {"ids": list(ids)}):
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
    return [m for m in session.scalars(select(Model.mode).distinct().where(
        Model.mode.is_not(None)).order_by(Model.mode))]


Facets = tuple[list[tuple[str, str]], list[str], tuple[list[str], list[str]]]
_FACETS: dict[tuple[str, str], Facets] = {}


def facets(session: Session, version: str) -> Facets:
    """(providers, modes, modalities) for the filter form, cached per data version (they
    only change with a sync). Shared between requests: read them, never change them."""
    key = (str(session.get_bind().url), version)
    found = _FACETS.get(key)
    if found is None:
        inputs: set[str] = set()
        outputs: set[str] = set()
        for ins, outs in session.execute(select(Model.input_modalities,
                                                Model.output_modalities)):
            inputs.update(ins or ())
            outputs.update(outs or ())
        found = (providers(session), modes(session), (sorted(inputs), sorted(outputs)))
        _FACETS.clear()
        _FACETS[key] = found
    return found
