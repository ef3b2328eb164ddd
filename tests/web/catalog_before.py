"""The catalog's listing as it was before the catalog's rows (main at 903494a, queries/
catalog.py): filters and sorts over the normalised tables, rows computed per page. Kept
only so tests/web/test_catalog_rows_identical.py can render the page both ways and
compare the bytes."""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import SQLColumnExpression, String, cast, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ratecard.models import Model, Price, Provider
from ratecard.models.probes import ProbeSummary
from ratecard.queries import image_prices
from ratecard.queries.catalog import FEATURED, PAGE_SIZE, Filters, Page, providers
from ratecard.queries.catalog import computed_rows as rows_for
from ratecard.queries.search import search_index
from ratecard.queries.shown import (
    has_capability,
    input_price,
    joins_prices,
    numeric,
    output_for_sort,
    with_prices,
)
from ratecard.queries.version import data_version, derived

# -- filters ---------------------------------------------------------------------------------

def _modality(column: SQLColumnExpression[list[str] | None], value: str) -> ColumnElement[bool]:
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
def _sort_key(sort: str, joined: bool) -> SQLColumnExpression[Any]:
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


def _order(sort: str, descending: bool, joined: bool) -> list[SQLColumnExpression[Any]]:
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
        ordered = sorted_ids(session, conditions(filters), sort, descending)
        start = (page - 1) * per_page if per_page else 0
        chosen = ordered[start:start + per_page] if per_page else ordered
        return Page(rows=rows_for(session, chosen), total=len(ordered), page=page,
                    pages=max(1, math.ceil(len(ordered) / per_page)) if per_page else 1)
    split = bool(per_page) and sort not in ("input", "output") \
        and not filters.capabilities and filters.max_input_price is None
    found: Sequence[Sequence[Any]]          # result rows
    if split and per_page:                  # (split: per_page is set)
        total = count(session, filters)
        if total == 0 or (page - 1) * per_page >= total:
            found = []
        else:
            found = session.execute(select(Model.id).join(Provider).where(
                *conditions(filters, joined)).order_by(*_order(sort, descending, joined))
                .limit(per_page).offset((page - 1) * per_page)).all()
        pages = max(1, math.ceil(total / per_page))
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



def modes(session: Session) -> list[str]:
    return [m for m in session.scalars(select(Model.mode).distinct().where(
        Model.mode.is_not(None)).order_by(Model.mode)) if m is not None]


Facets = tuple[list[tuple[str, str]], list[str], tuple[list[str], list[str]]]


def facets(session: Session, version: str) -> Facets:
    """(providers, modes, modalities) for the filter form, cached per data version (they
    only change with a sync). Shared between requests: read them, never change them."""
    def build() -> Facets:
        inputs: set[str] = set()
        outputs: set[str] = set()
        for ins, outs in session.execute(select(Model.input_modalities,
                                                Model.output_modalities)):
            inputs.update(ins or ())
            outputs.update(outs or ())
        return providers(session), modes(session), (sorted(inputs), sorted(outputs))

    return derived(session, "facets_before", version, build)


def sorted_ids(session: Session, where: list[ColumnElement[bool]], sort: str,
               descending: bool) -> list[int]:
    """Every model matching `where` (the listing's conditions), ordered by an image price;
    models without one last in both directions, ties by canonical id."""
    models = list(session.execute(select(Model.id, Model.canonical_id).join(
        Provider, Provider.id == Model.provider_id).where(*where)))
    if not models:
        return []
    options, tokens = image_prices._collect(session.execute(
        select(*image_prices._COLUMNS).join(Model, Model.id == Price.model_id)
        .join(Provider, Provider.id == Model.provider_id)
        .where(*image_prices._TERMS, *where)))
    keyed: list[tuple[Decimal, str, int]] = []
    missing: list[tuple[str, int]] = []
    for model_id, canonical_id in models:
        if model_id in options or model_id in tokens:
            value = image_prices._prices(canonical_id, options.get(model_id, {}),
                                         tokens.get(model_id)).key(sort)
            if value is not None:
                keyed.append((value, canonical_id, model_id))
                continue
        missing.append((canonical_id, model_id))
    keyed.sort(key=lambda k: (k[0], k[1]))
    if descending:        # larger first, ties still by id
        keyed.sort(key=lambda k: k[0], reverse=True)
    missing.sort()
    return [k[2] for k in keyed] + [m[1] for m in missing]
