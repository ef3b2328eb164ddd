"""The change log (/changes): every price, capability and model event, newest first (in the
words of ratecard.change_words, the `change_text` filter)."""
from __future__ import annotations

from flask import render_template

from ratecard.labels import CHANGE_KIND_LABELS
from ratecard.queries import catalog
from ratecard.queries import changes as q
from ratecard.queries import verdicts as verdict_q
from ratecard.web import params
from ratecard.web.errors import BadParameter
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session


@bp.get("/changes")
def changes() -> str:
    return cached_page(_changes)


def _changes() -> str:
    session = db_session()
    providers = catalog.providers(session)
    filters = q.ChangeFilters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider"),
        kind=params.choice("kind", q.KINDS, "kind of change"),
        start=params.date("from"), end=params.date("to"))
    if filters.start and filters.end and filters.start > filters.end:
        raise BadParameter("to", f"{filters.end} is before from={filters.start}")
    page_number = params.page()
    page = q.events(session, filters, page_number)
    params.check_page(page_number, page.pages)
    return render_template("changes/index.html", page=page, filters=filters,
                           providers=providers, kinds=CHANGE_KIND_LABELS,
                           filtered=filters != q.ChangeFilters(),
                           verdicts=verdict_q.latest(session) if page_number == 1 else [])
