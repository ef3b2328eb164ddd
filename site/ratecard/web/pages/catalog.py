"""The catalog (/models): every model in one table, filtered, sorted and paged in SQL.

All state lives in the query string, so every view is a link and the page works without
JavaScript (a GET form). Its parameters are parsed by web/params.py, its links built by
web/links.py.
"""
from __future__ import annotations

from flask import render_template, request

from ratecard.queries import listing
from ratecard.web import params
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_page
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
    sort = params.choice("sort", listing.SORTS, "sort column") or "name"
    image_mode = filters.mode in IMAGE_MODES
    if image_mode and sort in ("output", "context"):   # columns image mode does not have
        sort = "image" if sort == "output" else "name"
    order = params.choice("order", ("asc", "desc"), "order") or FIRST_DIRECTION.get(sort, "asc")
    page_number = params.page()
    page = listing.listing(session, filters, sort, order == "desc", page_number)
    params.check_page(page_number, page.pages)
    return render_template(
        "catalog/index.html", page=page, filters=filters, sort=sort, order=order,
        providers=providers, modes=modes, modalities=modalities,
        capabilities=listing.BADGE_CAPABILITIES, context_choices=CONTEXT_CHOICES,
        first_direction=FIRST_DIRECTION, per_page=listing.PAGE_SIZE,
        image_mode=image_mode, columns=IMAGE_COLUMNS if image_mode else COLUMNS,
        more_filters=any(request.args.get(k) for k in (
            "input_modality", "output_modality", "cap", "min_context", "deprecated")),
        filtered=any(request.args.get(k) for k in (
            "q", "provider", "mode", "input_modality", "output_modality", "cap",
            "max_input_price", "min_context", "deprecated")),
    )
