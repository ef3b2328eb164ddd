"""API: the model listing (the catalog's filters and sorts, queries.catalog), a model's prices
and capabilities at an instant (queries.point_in_time)."""
from __future__ import annotations

from flask import Response, jsonify, url_for

from ratecard.models import Model
from ratecard.money import exact_text
from ratecard.queries import catalog
from ratecard.queries.point_in_time import capabilities_at, prices_at
from ratecard.web import params
from ratecard.web.api import _find, _iso, bp, paged, price_json
from ratecard.web.http import request_version
from ratecard.web.session import db_session
from scrapers.vocabulary import METERS

ROW_FIELDS = ("id", "name", "provider", "provider_name", "mode", "context_window",
              "release_date", "deprecation_date", "deprecated", "input_price", "output_price",
              "output_unit", "capabilities", "disagreements", "links")


def _filters() -> catalog.Filters:
    providers, modes, modalities = catalog.facets(db_session(), request_version()[0])
    return catalog.Filters(
        provider=params.choice("provider", {slug for slug, _ in providers}, "provider"),
        mode=params.choice("mode", {*modes, "unknown"}, "mode"),
        input_modality=params.choice("input_modality", modalities[0], "input modality"),
        output_modality=params.choice("output_modality", modalities[1], "output modality"),
        capabilities=tuple(params.choices("capability", catalog.BADGE_CAPABILITIES,
                                          "capability")),
        max_input_price=params.decimal("max_input_price", what="a number of US dollars"),
        min_context=params.whole("min_context"),
        include_deprecated=params.flag("deprecated"),
        search=params.text("q"),
    )


def _model_links(canonical_id: str) -> dict[str, str]:
    provider, name = canonical_id.split("/", 1)
    return {"self": url_for("api.model_detail", provider=provider, name=name),
            "prices": url_for("api.model_prices", provider=provider, name=name)}


def row_json(row: catalog.Row) -> dict[str, object]:
    model = row.model
    return {
        "id": model.canonical_id, "name": model.name, "provider": model.provider.slug,
        "provider_name": model.provider.name, "mode": model.mode,
        "context_window": model.context_window, "release_date": _iso(model.release_date),
        "deprecation_date": _iso(model.deprecation_date), "deprecated": row.deprecated,
        "input_price": exact_text(row.input), "output_price": exact_text(row.output),
        "output_unit": row.output_unit, "capabilities": row.capabilities,
        "disagreements": {k: {"low": exact_text(lo), "high": exact_text(hi)}
                          for k, (lo, hi) in row.disagreements.items()},
        "links": _model_links(model.canonical_id),
    }


@bp.get("/models")
def models() -> Response:
    filters = _filters()
    sort = params.choice("sort", catalog.SORTS, "sort column") or "name"
    descending = (params.choice("order", ("asc", "desc"), "order") or "asc") == "desc"
    chosen = params.fields(ROW_FIELDS)
    size = params.limit()
    state = params.cursor({"offset": int}) or {"offset": 0}
    offset = state["offset"]
    if offset % size:            # cursors are made for this limit (it is in their scope)
        offset -= offset % size
    page = catalog.listing(db_session(), filters, sort, descending, offset // size + 1, size,
                           version=request_version()[0])
    rows = [row_json(row) for row in page.rows]
    if chosen is not None:
        rows = [{k: row[k] for k in chosen} for row in rows]
    more = offset + size < page.total
    next_cursor = params.encode_cursor(
        {"scope": params.scope(), "offset": offset + size}) if more else None
    response = jsonify({"models": rows, "total": page.total, "next": next_cursor})
    return paged(response, next_cursor)


def prices_body(model: Model) -> dict[str, object]:
    """/prices: the whole history, or with `at` the rows in force then (and which was
    shown); `meter` and `source` narrow either."""
    at = params.instant()
    meter = params.choice("meter", METERS, "meter")
    source = params.text("source", 40)
    body: dict[str, object] = {"model": model.canonical_id, "at": _iso(at)}
    if at is None:
        from ratecard.queries import models as q

        body["prices"] = [price_json(p) for p in q.price_history(db_session(), model.id)
                          if (meter is None or p.meter == meter)
                          and (source is None or p.source == source)]
    else:
        body["prices"] = [dict(price_json(p), shown=shown) for p, shown in prices_at(
            db_session(), model, at, meter=meter, source=source)]
    return body


@bp.get("/models/<provider>/<path:name>/capabilities")
def model_capabilities(provider: str, name: str) -> Response:
    model = _find(provider, name)
    if isinstance(model, Response):
        return model
    at = params.instant()
    rows = capabilities_at(db_session(), model.id, at)
    return jsonify({"model": model.canonical_id, "at": _iso(at), "capabilities": [
        {"name": c.name, "value": c.value, "source": c.source, "since": _iso(c.valid_from),
         "until": _iso(c.valid_to), "shown": shown} for c, shown in rows]})
