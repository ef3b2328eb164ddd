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

from ratecard.queries import catalog as q
from ratecard.queries import search
from ratecard.queries.rows import Session
from ratecard.web import params
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_fragment, cached_page, kept_fragment
from ratecard.web.public import bp
from ratecard.web.session import db_session
from scrapers.vocabulary import IMAGE_MODES

CONTEXT_CHOICES = (8_000, 32_000, 128_000, 200_000, 1_000_000)
# First click on a column sorts the way people read it: cheapest, biggest, newest,
# most available first (p50 latency: fastest, so ascending).
FIRST_DIRECTION = {"context": "desc", "released": "desc", "availability": "desc"}
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

def _filters(providers: list[tuple[str, str]], modes: list[str],
             modalities: tuple[list[str], list[str]]) -> q.Filters:
    return q.Filters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider"),
        mode=params.choice("mode", {*modes, "unknown"}, "mode"),
        input_modality=params.choice("input_modality", modalities[0], "input modality"),
        output_modality=params.choice("output_modality", modalities[1], "output modality"),
        capabilities=tuple(params.choices("cap", q.BADGE_CAPABILITIES, "capability")),
        max_input_price=params.decimal("max_input_price", what="a number of US dollars"),
        min_context=params.whole("min_context"),
        include_deprecated=params.flag("deprecated"),
        search=params.text("q"),
    )


@bp.get("/models")
def catalog() -> str:
    return cached_page(_catalog)


def _catalog() -> str:
    session = db_session()
    providers, modes, modalities = q.facets(session, request_version()[0])
    filters = _filters(providers, modes, modalities)
    sort = params.choice("sort", (q.FEATURED, *q.SORTS), "sort column") \
        or q.FEATURED
    image_mode = filters.mode in IMAGE_MODES
    if image_mode and sort in ("output", "context"):   # columns image mode does not have
        sort = "image" if sort == "output" else q.FEATURED
    order = params.choice("order", ("asc", "desc"), "order") or FIRST_DIRECTION.get(sort, "asc")
    page_number = params.page()
    page = q.listing(session, filters, sort, order == "desc", page_number,
                     version=request_version()[0], rows=False)
    params.check_page(page_number, page.pages)
    version = request_version()[0]
    return render_template(
        "catalog/index.html", page=page, filters=filters, sort=sort, order=order,
        row_html=row_html(session, page, image_mode, version),
        provider_options=_fragment(version, _key("providers", filters.provider),
                                   "provider_options", providers, filters.provider),
        modes=modes, modalities=modalities,
        capabilities=q.BADGE_CAPABILITIES, context_choices=CONTEXT_CHOICES,
        first_direction=FIRST_DIRECTION, per_page=q.PAGE_SIZE,
        image_mode=image_mode, columns=IMAGE_COLUMNS if image_mode else COLUMNS,
        tier_words=search.TIER_WORDS,
        more_filters=any(request.args.get(k) for k in (
            "input_modality", "output_modality", "cap", "min_context", "deprecated")),
        filtered=any(request.args.get(k) for k in (
            "q", "provider", "mode", "input_modality", "output_modality", "cap",
            "max_input_price", "min_context", "deprecated")),
    )


# -- fragments ----------------------------------------------------------------------------------
# A distinct query (search words x sorts x filters) lists rows other queries listed before:
# each row ("retires" turns into "deprecated" on a date), and the form's provider choices,
# is rendered once per data version and day in a process and reused, so a query renders
# only its own frame (the page store cannot hold every query, docs/pages.md).

def _key(kind: str, *parts: object) -> tuple[object, ...]:
    return (str(db_session().get_bind().engine.url), kind, *parts)


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
