"""The change log (/changes): every price, capability and model event, newest first."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import render_template

from ratecard.models import ChangeEvent
from ratecard.queries import changes as q
from ratecard.queries import listing
from ratecard.queries import verdicts as verdict_q
from ratecard.web import params
from ratecard.web.errors import BadParameter
from ratecard.web.formatting import (
    METER_LABELS,
    SOURCE_LABELS,
    UNIT_LABELS,
    capability_label,
    conditions_label,
    money,
)
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session

KIND_LABELS = {
    "price_added": "Price added", "price_changed": "Price changed",
    "price_corrected": "Price corrected",
    "price_removed": "Price withdrawn", "capability_added": "Capability added",
    "capability_removed": "Capability removed", "model_added": "Model added",
    "model_deprecated": "Deprecated", "model_vanished": "No longer listed",
    "model_returned": "Listed again", "catalog_loaded": "Catalog loaded",
}


def _money(value: str | None) -> str:
    if value is None:
        return "—"
    try:
        return money(Decimal(value))
    except (InvalidOperation, ValueError):
        return value


def _meter(subject: str | None) -> tuple[str, str]:
    meter, _, unit = (subject or "").partition("/")
    label = METER_LABELS.get(meter, meter.replace("_", " ").capitalize() or "Price")
    # every price names its unit ("$3.00 per 1M tokens"), token prices included
    suffix = "" if not unit else " " + UNIT_LABELS.get(unit, f"per {unit}")
    return label, suffix


def _count(value: str | None) -> str:
    return f"{int(value):,}" if value and value.isdigit() else (value or "the")


@bp.app_template_filter("change_text")
def change_text(event: ChangeEvent) -> str:
    """One change in words: "Input price changed $2.50 → $2.00", "Vision capability added"."""
    kind = event.kind
    source = SOURCE_LABELS.get(event.source, event.source)
    if kind.startswith("price_"):
        meter, unit = _meter(event.subject)
        conds = conditions_label(event.conditions)
        tail = f"{unit} ({conds})" if conds else unit
        if kind == "price_changed":
            return (f"{meter} price changed {_money(event.old_value)} → "
                    f"{_money(event.new_value)}{tail}")
        if kind == "price_corrected":   # a held change that agrees with the other sources
            return (f"{meter} price corrected {_money(event.old_value)} → "
                    f"{_money(event.new_value)}{tail}")
        if kind == "price_added":
            return f"{meter} price added: {_money(event.new_value)}{tail}"
        return f"{meter} price withdrawn (was {_money(event.old_value)}{tail})"
    if kind == "capability_added":
        return f"{capability_label(event.subject)} capability added"
    if kind == "capability_removed":
        return f"{capability_label(event.subject)} capability removed"
    if kind == "model_deprecated":
        return f"Deprecated ({event.new_value})" if event.new_value else "Deprecated"
    if kind == "model_vanished":
        return f"No longer listed by {source}"
    if kind == "model_returned":
        return f"Listed again by {source}"
    if kind == "model_added":
        return "Model added"
    if kind == "catalog_loaded":     # the first load: one entry, not one per model
        return f"Catalog loaded: {_count(event.new_value)} models"
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


@bp.app_template_filter("change_direction")
def change_direction(event: ChangeEvent) -> str:
    """"up" or "down" for a price change, "" otherwise (for styling only)."""
    if event.kind not in ("price_changed", "price_corrected") or not event.old_value or (
            not event.new_value):
        return ""
    try:
        old, new = Decimal(event.old_value), Decimal(event.new_value)
    except (InvalidOperation, ValueError):
        return ""
    return "up" if new > old else "down" if new < old else ""


@bp.get("/changes")
def changes() -> str:
    return cached_page(_changes)


def _changes() -> str:
    session = db_session()
    providers = listing.providers(session)
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
                           providers=providers, kinds=KIND_LABELS,
                           filtered=filters != q.ChangeFilters(),
                           verdicts=verdict_q.latest(session) if page_number == 1 else [])
