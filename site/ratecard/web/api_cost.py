"""API: what a workload costs on a model at the prices in force at an instant (ratecard.web.workload
does the arithmetic). GET prices one workload on one model; POST compares a list of workloads
on a list of models. Bad input is a 400 naming the field (`workloads[1].input_tokens`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import BadRequest

from ratecard.models import Model
from ratecard.money import exact_text
from ratecard.queries import models as model_queries
from ratecard.queries.point_in_time import prices_at
from ratecard.web import params
from ratecard.web.api import _iso, bp
from ratecard.web.errors import BadParameter
from ratecard.web.session import db_session
from ratecard.web.workload import ImageOrder, Rate, Workload, price
from scrapers.vocabulary import SERVICE_TIERS

MAX_TOKENS = 10**12
MAX_MODELS = 20
MAX_WORKLOADS = 20
MAX_IMAGE_ORDERS = 20
COUNT_FIELDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
                "cache_write_1h_tokens", "reasoning_tokens", "web_searches", "requests")
WORKLOAD_FIELDS = (*COUNT_FIELDS, "images")


def _workload(source: Mapping[str, Any], images: tuple[ImageOrder, ...]) -> Workload:
    counts = {name: params.whole(name, 0, MAX_TOKENS, source=source,
                                 what="a whole number of 0 or more") for name in COUNT_FIELDS}
    requests = counts.pop("requests")
    return Workload(**{k: v or 0 for k, v in counts.items()}, images=images,
                    requests=1 if requests is None else max(requests, 1))


def _model(wanted: str | None, name: str) -> Model:
    if wanted is None:
        raise BadParameter(name, "required: a model id such as openai/gpt-4o")
    found = model_queries.model_by_id(db_session(), wanted)
    if found is None:
        raise BadParameter(name, f"no model with id {wanted[:80]!r}")
    return found


def _rates(model: Model, at: dt.datetime | None) -> list[Rate]:
    return [Rate(p.meter, p.unit, p.amount, p.source, p.conditions())
            for p, shown in prices_at(db_session(), model, at) if shown]


def cost_json(model: Model, work: Workload, tier: str | None,
              rates: list[Rate]) -> dict[str, object]:
    cost = price(rates, work, tier)
    total = cost.total
    return {
        "model": model.canonical_id, "currency": "USD",
        "lines": [{"meter": line.meter, "unit": line.unit, "quantity": line.quantity,
                   "rate": exact_text(line.rate), "amount": exact_text(line.amount),
                   "source": line.source, "conditions": line.conditions}
                  for line in cost.lines],
        "total": exact_text(total),
        "missing": cost.missing, "notes": cost.notes,
    }


@bp.get("/cost")
def cost() -> Response:
    model = _model(params.text("model", 255), "model")
    orders = params.image_orders("image", MAX_IMAGE_ORDERS)
    work = _workload(request.args, tuple(ImageOrder(*order) for order in orders))
    tier = params.choice("service_tier", SERVICE_TIERS, "service tier")
    at = params.instant()
    return jsonify(dict(cost_json(model, work, tier, _rates(model, at)), at=_iso(at),
                        service_tier=tier or "standard"))


def _list(body: Mapping[str, Any], name: str, limit: int) -> list[Any]:
    value = body.get(name)
    if not isinstance(value, list) or not value:
        raise BadParameter(name, "required: a non-empty list")
    if len(value) > limit:
        raise BadParameter(name, f"at most {limit} at a time ({len(value)} given)")
    return value


def _json_workload(raw: object, where: str) -> Workload:
    if not isinstance(raw, dict):
        raise BadParameter(where, "must be an object of token counts")
    unknown = sorted(set(raw) - set(WORKLOAD_FIELDS))
    if unknown:
        raise BadParameter(f"{where}.{unknown[0]}", "unknown field; the fields are "
                           + ", ".join(WORKLOAD_FIELDS))
    orders = []
    images = raw.get("images") or []
    if not isinstance(images, list) or len(images) > MAX_IMAGE_ORDERS:
        raise BadParameter(f"{where}.images", f"a list of at most {MAX_IMAGE_ORDERS} orders")
    for index, order in enumerate(images):
        at = f"{where}.images[{index}]"
        if not isinstance(order, dict) or set(order) - {"count", "quality", "size"}:
            raise BadParameter(at, "an object with count, quality and size")
        quality, size = order.get("quality"), order.get("size")
        if not all(v is None or (isinstance(v, str) and len(v) <= 40) for v in (quality, size)):
            raise BadParameter(at, "quality and size are short strings")
        count = _nested(at, lambda o=order: params.whole(
            "count", 0, 10**6, source={"count": _text(o.get("count"))}))
        orders.append(ImageOrder(count or 0, quality or None, size or None))
    counts = {k: _text(v) for k, v in raw.items() if k != "images"}
    return _nested(where, lambda: _workload(counts, tuple(orders)))


def _text(value: object) -> str | None:
    """JSON numbers as the query-string parsers read them; booleans and fractions fail."""
    if value is None or isinstance(value, bool):
        return None if value is None else "true"
    return str(value)


def _nested(where: str, parse: Any) -> Any:
    try:
        return parse()
    except BadParameter as exc:
        message = str(exc.description).split(": ", 1)[-1]
        raise BadParameter(f"{where}.{exc.parameter}", message) from None


@bp.post("/cost")
def compare_costs() -> Response:
    try:
        body = request.get_json(force=True, silent=False)
    except BadRequest:
        raise BadParameter("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise BadParameter("body", "must be a JSON object")
    unknown = sorted(set(body) - {"models", "workloads", "service_tier", "at"})
    if unknown:
        raise BadParameter(unknown[0], "unknown field; the fields are models, workloads, "
                                       "service_tier and at")
    names = _list(body, "models", MAX_MODELS)
    if not all(isinstance(n, str) for n in names):
        raise BadParameter("models", "a list of model ids")
    work = [_json_workload(raw, f"workloads[{i}]")
            for i, raw in enumerate(_list(body, "workloads", MAX_WORKLOADS))]
    scalars = {k: body[k] for k in ("service_tier", "at")
               if isinstance(body.get(k), str)}
    for key in ("service_tier", "at"):
        if body.get(key) is not None and key not in scalars:
            raise BadParameter(key, "must be a string")
    tier = params.choice("service_tier", SERVICE_TIERS, "service tier", source=scalars)
    at = params.instant(source=scalars)
    models = [_model(params.text("id", 255, source={"id": name}) if name.strip() else None,
                     f"models[{i}]") for i, name in enumerate(names)]
    results = [dict(cost_json(model, w, tier, rates), workload=index)
               for model in models for rates in [_rates(model, at)]
               for index, w in enumerate(work)]
    return jsonify({"at": _iso(at), "service_tier": tier or "standard", "results": results})
