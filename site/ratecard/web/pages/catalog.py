"""The catalog (/models): every model in one table, filtered, sorted and paged from the
catalog's rows (queries/catalog.py; docs/pages.md, "Catalog queries").

All state lives in the query string, so every view is a link and the page works without
JavaScript (a GET form). Its parameters are parsed by web/params.py, its links built by
web/urls.py.
"""
from __future__ import annotations

from typing import cast

from flask import get_template_attribute, render_template, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ratecard.queries import catalog as q
from ratecard.queries import search
from ratecard.queries.rows import Session
from ratecard.web import catalog_frame as frames
from ratecard.web import params
from ratecard.web.catalog_frame import FIRST_DIRECTION
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_fragment, cached_page, kept_fragment
from ratecard.web.public import bp
from ratecard.web.session import db_session
from scrapers.vocabulary import IMAGE_MODES

CONTEXT_CHOICES = (8_000, 32_000, 128_000, 200_000, 1_000_000)
# (sort, heading, class) of the table's sortable columns. Image models get per-token and
# per-image prices in columns of their own (one "Output" column would mix the units).
COLUMNS = (("name", "Model", ""), ("provider", "Provider", ""), ("mode", "Mode", ""),
           ("input", "Input", "num"), ("output", "Output", "num"),
           ("context", "Context", "num"), ("released", "Released", ""),
           ("availability", "Availability", "num"), ("p50", "p50 latency", "num"))
IMAGE_COLUMNS = (("name", "Model", ""), ("provider", "Provider", ""), ("mode", "Mode", ""),
                 ("input", "Input", "num"), ("image_tokens", "Image tokens", "num"),
                 ("per_image", "Per image", "num"), ("image", "Standard image", "num"),
                 ("released", "Released", ""), ("availability", "Availability", "num"),
                 ("p50", "p50 latency", "num"))


# -- the page ---------------------------------------------------------------------------------

def _filters(facets: q.Facets, args: MultiDict[str, str]) -> q.Filters:
    providers, modes, modalities = facets
    return q.Filters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider",
                               source=args),
        mode=params.choice("mode", {*modes, "unknown"}, "mode", source=args),
        input_modality=params.choice("input_modality", modalities[0], "input modality",
                                     source=args),
        output_modality=params.choice("output_modality", modalities[1], "output modality",
                                      source=args),
        capabilities=tuple(params.choices("cap", q.BADGE_CAPABILITIES, "capability",
                                          source=args)),
        max_input_price=params.decimal("max_input_price", what="a number of US dollars",
                                       source=args),
        min_context=params.whole("min_context", source=args),
        include_deprecated=params.flag("deprecated", source=args),
        search=params.text("q", source=args),
    )


def parse(args: MultiDict[str, str], facets: q.Facets) -> frames.Query:
    """A catalog query's parameters (BadParameter names the first one that is wrong)."""
    filters = _filters(facets, args)
    sort = params.choice("sort", (q.FEATURED, *q.SORTS), "sort column", source=args) \
        or q.FEATURED
    image_mode = filters.mode in IMAGE_MODES
    if image_mode and sort in ("output", "context"):   # columns image mode does not have
        sort = "image" if sort == "output" else q.FEATURED
    order = params.choice("order", ("asc", "desc"), "order", source=args) \
        or FIRST_DIRECTION.get(sort, "asc")
    return frames.Query(
        filters=filters, sort=sort, order=order,
        page=params.page(source=args),
        image_mode=image_mode,
        filtered=any(args.get(k) for k in (
            "q", "provider", "mode", "input_modality", "output_modality", "cap",
            "max_input_price", "min_context", "deprecated")),
        more_filters=any(args.get(k) for k in (
            "input_modality", "output_modality", "cap", "min_context", "deprecated")))


@bp.get("/models")
def catalog() -> str:
    return cached_page(_catalog)


def _catalog() -> str:
    session = db_session()
    version = request_version()[0]
    facets = q.facets(session, version)
    query = parse(request.args, facets)
    found = q.listing(session, query.filters, query.sort, query.descending, query.page,
                      version=version, rows=False)
    params.check_page(query.page, found.pages)
    providers, modes, modalities = facets
    context = dict(
        sort=query.sort, order=query.order,
        provider_options=_fragment(version, _key("providers", query.filters.provider),
                                   "provider_options", providers, query.filters.provider),
        modes=modes, modalities=modalities,
        capabilities=q.BADGE_CAPABILITIES, context_choices=CONTEXT_CHOICES,
        first_direction=FIRST_DIRECTION, per_page=q.PAGE_SIZE,
        image_mode=query.image_mode, columns=IMAGE_COLUMNS if query.image_mode else COLUMNS,
        tier_words=search.TIER_WORDS, more_filters=query.more_filters,
        filtered=query.filtered)

    def render(template: str, shown: q.Page, filters: q.Filters, **parts: Markup) -> str:
        return render_template(template, page=shown, filters=filters,
                               **{**context, **parts})

    def choices() -> str:
        return str(_fragment(version, _key("providers", None), "provider_options",
                             providers, None))

    return frames.page(version, query, found,
                       row_html(session, found, query.image_mode, version), render, choices)


# -- fragments ----------------------------------------------------------------------------------
# A distinct query (search words x sorts x filters) lists rows other queries listed before:
# each row ("retires" turns into "deprecated" on a date), and the form's provider choices,
# is rendered once per data version and day in a process and reused, so a query renders
# only its own frame (the page store cannot hold every query, docs/pages.md).

def _key(kind: str, *parts: object) -> tuple[object, ...]:
    return fragment_key(str(db_session().get_bind().engine.url), kind, *parts)


def fragment_key(database_url: str, kind: str, *parts: object) -> tuple[object, ...]:
    """A fragment's key: the database's too (tests run several in one process)."""
    return (database_url, kind, *parts)


def _fragment(version: str, key: tuple[object, ...], macro: str, *args: object) -> Markup:
    template = "catalog/_row.html" if macro == "catalog_row" else "catalog/_macros.html"
    return cached_fragment(
        version, key, lambda: Markup(get_template_attribute(template, macro)(*args)))


def row_html(session: Session, page: q.Page, image_mode: bool, version: str) -> list[Markup]:
    """The page's rows: those kept as fragments, and the others read (one select) and
    rendered once."""
    found = {i: kept_fragment(version, _key("row", i, image_mode)) for i in page.ids}
    missing = [i for i, html in found.items() if html is None]
    rows = {r.model.id: r for r in page.rows}
    rows.update((r.model.id, r) for r in q.rows_for(session, [i for i in missing
                                                               if i not in rows]))
    for i in missing:
        if i in rows:
            found[i] = _fragment(version, _key("row", i, image_mode), "catalog_row",
                                 rows[i], image_mode)
    return [cast(Markup, found[i]) for i in page.ids if found[i] is not None]
