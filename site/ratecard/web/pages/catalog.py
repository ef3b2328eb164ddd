"""The catalog (/models): every model in one table, filtered, sorted and paged in SQL.

All state lives in the query string, so every view is a link and the page works without
JavaScript (a GET form). Its parameters are parsed by web/params.py, its links built by
web/links.py.
"""
from __future__ import annotations

from flask import render_template, request

from ratecard.queries import listing, search
from ratecard.web import params
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session

CONTEXT_CHOICES = (8_000, 32_000, 128_000, 200_000, 1_000_000)
# First click on a column sorts the way people read it: cheapest, biggest, newest first.
FIRST_DIRECTION = {"context": "desc", "released": "desc"}


# -- the page ---------------------------------------------------------------------------------

def _filters(providers: list[tuple[str, str]], modes: list[str],
             modalities: tuple[list[str], list[str]]) -> listing.Filters:
    return listing.Filters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider"),
        mode=params.choice("mode", {*modes, "unknown"}, "mode"),
        input_modality=params.choice("input_modality", modalities[0], "input modality"),
        output_modality=params.choice("output_modality", modalities[1], "output modality"),
        capabilities=tuple(params.choices("cap", listing.BADGE_CAPABILITIES, "capability")),
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
    providers, modes, modalities = listing.facets(session, request_version()[0])
    filters = _filters(providers, modes, modalities)
    sort = params.choice("sort", (listing.FEATURED, *listing.SORTS), "sort column") \
        or listing.FEATURED
    order = params.choice("order", ("asc", "desc"), "order") or FIRST_DIRECTION.get(sort, "asc")
    page_number = params.page()
    page = listing.listing(session, filters, sort, order == "desc", page_number,
                           version=request_version()[0])
    params.check_page(page_number, page.pages)
    return render_template(
        "catalog/index.html", page=page, filters=filters, sort=sort, order=order,
        providers=providers, modes=modes, modalities=modalities,
        capabilities=listing.BADGE_CAPABILITIES, context_choices=CONTEXT_CHOICES,
        first_direction=FIRST_DIRECTION, per_page=listing.PAGE_SIZE,
        tier_words=search.TIER_WORDS,
        more_filters=any(request.args.get(k) for k in (
            "input_modality", "output_modality", "cap", "min_context", "deprecated")),
        filtered=any(request.args.get(k) for k in (
            "q", "provider", "mode", "input_modality", "output_modality", "cap",
            "max_input_price", "min_context", "deprecated")),
    )
