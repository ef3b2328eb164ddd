"""API: the change log (price and capability changes, models added, deprecated, vanished),
newest first, filtered like the /changes page plus one model, with keyset cursors."""
from __future__ import annotations

import datetime as dt

from flask import Response, jsonify

from ratecard.models import ChangeEvent, Model
from ratecard.queries import catalog, change_log
from ratecard.queries import changes as q
from ratecard.queries import models as model_queries
from ratecard.web import params
from ratecard.web.api import _iso, bp, paged
from ratecard.web.errors import BadParameter
from ratecard.web.http import request_version
from ratecard.web.session import db_session


def event_json(event: ChangeEvent, model: Model | None) -> dict[str, object]:
    """One change; model and provider are null for an event about the whole catalog."""
    return {
        "id": event.id, "kind": event.kind,
        "model": model.canonical_id if model is not None else None,
        "provider": model.provider.slug if model is not None else None,
        "source": event.source, "subject": event.subject,
        "conditions": event.conditions or {}, "old_value": event.old_value,
        "new_value": event.new_value, "occurred_at": _iso(event.occurred_at),
    }


@bp.get("/changes")
def changes() -> Response:
    session = db_session()
    providers = catalog.facets(session, request_version()[0])[0]
    filters = q.ChangeFilters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider"),
        kind=params.choice("kind", q.KINDS, "kind of change"),
        start=params.date("from"), end=params.date("to"))
    model_id = None
    wanted = params.text("model", 255)
    if wanted is not None:
        model = model_queries.model_by_id(session, wanted)
        if model is None:
            raise BadParameter("model", f"no model with id {wanted[:80]!r}")
        model_id = model.id
    size = params.limit()
    state = params.cursor({"before": str, "id": int})
    after = None
    if state is not None:
        try:
            after = (dt.datetime.fromisoformat(state["before"]), state["id"])
        except ValueError:
            raise BadParameter("cursor", "not a cursor this API gave out") from None
    rows, more = change_log.page(session, filters, model_id, size, after)
    next_cursor = None
    if more and rows:
        last = rows[-1][0]
        next_cursor = params.encode_cursor({
            "scope": params.scope(), "before": last.occurred_at.isoformat(),
            "id": last.id})
    response = jsonify({"changes": [event_json(e, m) for e, m in rows], "next": next_cursor})
    return paged(response, next_cursor)
