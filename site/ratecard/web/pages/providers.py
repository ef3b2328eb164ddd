"""Providers: the list with model counts, modes and input price ranges, and one page each."""
from __future__ import annotations

from flask import abort, render_template

from ratecard.labels import provider_name
from ratecard.queries import catalog, changes
from ratecard.queries import providers as q
from ratecard.web import params
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session
from scrapers.vocabulary import IMAGE_MODES

PER_PAGE = 100
IMAGE_ROWS = 50             # per image mode; the catalog link shows every one


@bp.get("/providers")
def providers() -> str:
    return cached_page(_providers)


def _providers() -> str:
    summaries = sorted(q.summaries(db_session()),   # by the name shown, not the recorded one
                       key=lambda s: provider_name(s.provider).lower())
    return render_template("providers/index.html", summaries=summaries,
                           model_total=sum(s.models for s in summaries))


@bp.get("/providers/<slug>")
def provider(slug: str) -> str:
    return cached_page(lambda: _provider(slug))


def _provider(slug: str) -> str:
    session = db_session()
    readable = len(slug) <= 80 and slug.isprintable()
    found = q.provider_by_slug(session, slug) if readable else None
    if found is None:
        abort(404, description=f"No provider with the slug {slug[:80]!r}.")
    page_number = params.page()
    page = catalog.listing(session, catalog.Filters(provider=found.slug, include_deprecated=True),
                           "name", page=page_number, per_page=PER_PAGE)
    params.check_page(page_number, page.pages)
    recent = changes.latest(session, changes.ChangeFilters(provider=found.slug), limit=15,
                            exclude=("model_added",))
    summary = q.summary(session, found)
    # Image models again, with per-token and per-image prices in columns of their own,
    # cheapest standard image first (the catalog's image mode sorts them every way).
    images = [(mode, catalog.listing(session, catalog.Filters(provider=found.slug, mode=mode),
                                     "image", per_page=IMAGE_ROWS))
              for mode in sorted(IMAGE_MODES) if summary.modes.get(mode)]
    return render_template("providers/detail.html", provider=found, page=page,
                           summary=summary, recent=recent,
                           images=[(mode, found_page) for mode, found_page in images
                                   if found_page.rows])
