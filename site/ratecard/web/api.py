"""The public JSON API (first cut): a model with its current prices, and its price history."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.urls import iri_to_uri

from ratecard.models import Model
from ratecard.money import exact_text
from ratecard.queries import models as q
from ratecard.queries import point_in_time
from ratecard.queries.facts import fact_disagreements
from ratecard.queries.held import pending as pending_held
from ratecard.records import capability_json, model_json, price_json  # noqa: F401
from ratecard.records import iso_utc as _iso
from ratecard.web import params
from ratecard.web.errors import problem
from ratecard.web.session import db_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _find(provider: str, name: str) -> Model | Response:
    canonical = f"{provider}/{name}"
    model = q.model_by_id(db_session(), canonical)
    if model is None:
        return problem(404, "Unknown model", f"No model with id {canonical!r}.")
    return model


@bp.get("/models/<provider>/<path:name>/availability")
def model_availability(provider: str, name: str) -> Response:
    """Probe statistics per window (24h, 7d, 30d) and the last run; nulls where nothing
    was measured (queries.availability)."""
    from ratecard.queries.availability import availability

    model = _find(provider, name)
    if isinstance(model, Response):
        return model
    stats = availability(db_session(), model.id, dt.datetime.now(dt.UTC))
    return jsonify(stats.as_json(model.canonical_id))


@bp.get("/models/<provider>/<path:name>/prices")
def model_prices(provider: str, name: str) -> Response:
    model = _find(provider, name)
    if isinstance(model, Response):
        return model
    return jsonify(api_models.prices_body(model))     # ?at=, ?meter=, ?source=


@bp.get("/models/<provider>/<path:name>")
def model_detail(provider: str, name: str) -> Response:
    model = _find(provider, name)
    if isinstance(model, Response):
        return model
    session = db_session()
    at = params.instant()             # the rows in force then; None: now
    body = model_json(model)
    body["at"] = _iso(at)
    body["prices"] = [dict(price_json(p), shown=shown)
                      for p, shown in point_in_time.prices_at(session, model, at)]
    body["capabilities"] = [capability_json(c)
                            for c, _ in point_in_time.capabilities_at(session, model.id, at)]
    body["disagreements"] = [
        {"meter": d.meter, "unit": d.unit, "conditions_key": d.conditions_key,
         "low": exact_text(d.low), "high": exact_text(d.high), "amounts": d.amounts}
        for d in q.disagreements(session, model.id)]
    body["facts_disagree"] = [d.as_dict() for d in fact_disagreements(session, model)]
    # Held values a person must still decide: not in "prices", never shown
    body["pending"] = [held.as_json() for held in pending_held(session, model.id)]
    body["links"] = {"prices": url_for("api.model_prices", provider=model.provider.slug,
                                       name=model.canonical_id.split("/", 1)[1])}
    return jsonify(body)


# -- paged answers ---------------------------------------------------------------------------

def next_url(next_cursor: str) -> str:
    """This request's URL with `cursor` replaced (other parameters kept, limit too)."""
    pairs = [(k, v) for k, vs in request.args.lists() if k != "cursor" for v in vs]
    pairs.append(("cursor", next_cursor))
    return iri_to_uri(f"{request.base_url}?{urlencode(pairs)}")


def paged(response: Response, next_cursor: str | None) -> Response:
    """RFC 8288 Link: the next page (absent on the last page)."""
    if next_cursor is not None:
        response.headers["Link"] = f'<{next_url(next_cursor)}>; rel="next"'
    return response


# The other operations live in modules of their own, registered on this blueprint.
from ratecard.web import (  # noqa: E402,F401,I001
    api_changes, api_cost, api_docs, api_models, api_policy, api_providers)
