"""Alerts on the API: POST /api/v1/alerts subscribes a webhook (the secret is in this
answer only), GET /api/v1/alerts/<id> shows its state and recent deliveries, DELETE removes
it. GET and DELETE take the removal token as `Authorization: Bearer <token>` (or ?token=)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask import Response, g, jsonify, request
from sqlalchemy import select

from ratecard.models import Model, Provider
from ratecard.models.alerts import AlertDelivery, AlertSubscription
from ratecard.queries.feeds import provider_by_slug
from ratecard.queries.models import model_by_id
from ratecard.services import alerts
from ratecard.services.webhook_http import UrlRefused, WebhookSettings
from ratecard.web.api import bp
from ratecard.web.errors import problem
from ratecard.web.session import db_session


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace(
        "+00:00", "Z")


def subscription_json(sub: AlertSubscription) -> dict[str, object]:
    session = db_session()
    model = session.get(Model, sub.model_id) if sub.model_id else None
    provider = session.get(Provider, sub.provider_id) if sub.provider_id else None
    return {"id": sub.public_id, "url": sub.url, "model": model.canonical_id if model else None,
            "provider": provider.slug if provider else None,
            "kinds": sub.kinds or list(alerts.ALERT_KINDS), "status": sub.status,
            "created_at": _iso(sub.created_at), "confirmed_at": _iso(sub.confirmed_at)}


def subscribe_from(fields: Mapping[str, object]) -> tuple[alerts.NewSubscription | None,
                                                          tuple[str, str] | None]:
    """Validate the input and subscribe: (created, None) or (None, (parameter, message)).
    Shared by the API and the page form."""
    session = db_session()
    model = provider = None
    model_id, slug = fields.get("model") or None, fields.get("provider") or None
    if model_id is not None and slug is not None:
        return None, ("provider", "give a model or a provider, not both")
    if model_id is not None:
        model = model_by_id(session, str(model_id)) if isinstance(model_id, str) and len(
            model_id) <= 300 else None
        if model is None:
            return None, ("model", f"no model with id {str(model_id)[:120]!r}")
    if slug is not None:
        provider = provider_by_slug(session, str(slug)) if isinstance(slug, str) and len(
            slug) <= 80 else None
        if provider is None:
            return None, ("provider", f"no provider with the slug {str(slug)[:80]!r}")
    kinds = fields.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        return None, ("kinds", "a list of kinds of change")
    url = fields.get("url")
    if not isinstance(url, str):
        return None, ("url", "a webhook URL (https://…) is required")
    try:
        created = alerts.subscribe(session, url, model=model, provider=provider, kinds=kinds,
                                   settings=WebhookSettings.from_env())
    except UrlRefused as exc:
        session.rollback()
        return None, ("url", str(exc))
    except ValueError as exc:
        session.rollback()
        return None, ("kinds", str(exc))
    session.commit()
    return created, None


@bp.post("/alerts")
def create_alert() -> Response:
    fields = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(fields, dict):
        return problem(400, "Bad request", "The body must be a JSON object.", parameter="body")
    created, error = subscribe_from(fields)
    if error is not None:
        return problem(400, "Bad subscription", f"{error[0]}: {error[1]}", parameter=error[0])
    assert created is not None
    sub = created.subscription
    settings = WebhookSettings.from_env()
    body = subscription_json(sub)
    body |= {"secret": created.secret, "unsubscribe_token": created.unsubscribe_token,
             "unsubscribe_url": alerts.unsubscribe_url(sub, settings),
             "note": "The secret is shown only now. The subscription fires once your "
                     "endpoint has echoed the challenge of the verification request."}
    response = _json(body, 201)
    response.headers["Location"] = f"{request.script_root}/api/v1/alerts/{sub.public_id}"
    return response


def _json(body: dict[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _authorised(public_id: str) -> AlertSubscription | Response:
    g.pop("data_etag", None)        # per-subscription state: never a data-version 304
    session = db_session()
    sub = session.scalar(select(AlertSubscription).where(
        AlertSubscription.public_id == public_id)) if len(public_id) <= 40 else None
    # The header is better (a token in a URL lands in access logs); ?token= is for curl
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    token = token or request.args.get("token", "")
    if sub is None or not alerts.check_token(sub, token):
        # the same answer for an unknown id and a wrong token: ids cannot be probed
        return problem(404, "Unknown subscription",
                       "No subscription with this id and token (Authorization: Bearer <token>).",
                       parameter="token")
    return sub


@bp.get("/alerts/<public_id>")
def show_alert(public_id: str) -> Response:
    sub = _authorised(public_id)
    if isinstance(sub, Response):
        return sub
    session = db_session()
    body = subscription_json(sub)
    body["deliveries"] = [
        {"id": d.message_id, "kind": d.kind, "status": d.status, "attempts": d.attempts,
         "last_status": d.last_status, "last_error": d.last_error,
         "created_at": _iso(d.created_at), "next_attempt_at": _iso(d.next_attempt_at)}
        for d in session.scalars(select(AlertDelivery).where(
            AlertDelivery.subscription_id == sub.id).order_by(
            AlertDelivery.id.desc()).limit(20))]
    return _json(body, 200)


@bp.delete("/alerts/<public_id>")
def delete_alert(public_id: str) -> Response:
    sub = _authorised(public_id)
    if isinstance(sub, Response):
        return sub
    session = db_session()
    alerts.unsubscribe(session, sub)
    session.commit()
    return Response(status=204)
