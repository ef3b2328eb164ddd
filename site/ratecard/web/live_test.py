"""/live-test/<provider>/<model>: a visitor sends one short prompt to a measured chat model
through our key and sees the answer (escaped text), latency, tokens and cost.

Guards: RATECARD_LIVE_TEST_DAILY_USD (default 0: the page says live tests are off), a
per-visitor hourly limit, capped prompt length and max tokens, and a signed form token that
expires (proof that a person loaded the page, without a CAPTCHA service). The prompt and
answer are never stored or logged (services.live_tests).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, current_app, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ratecard.models import Model
from ratecard.probes.endpoints import Endpoint, NotMeasurable, endpoint_for
from ratecard.queries import models as model_q
from ratecard.queries.availability import outcome_label
from ratecard.queries.probe_targets import probe_rates
from ratecard.services.live_tests import Limits, Refused, run_live_test
from ratecard.web.session import db_session

bp = Blueprint("live_test", __name__)
log = logging.getLogger("ratecard.live_test")

PROMPT_CHARS = 500
MAX_TOKENS = 200
TOKEN_SECONDS = 600
PER_IP_HOUR = 5
DEADLINE_SECONDS = 30.0


def _setting(name: str, env: str, default: str) -> str:
    value = current_app.config.get(name)
    return str(value) if value is not None else (os.environ.get(env) or "").strip() or default


def limits() -> Limits | None:
    """The limits, or None when live tests are off (budget 0, or a setting unreadable:
    logged, and the page says off rather than failing)."""
    raw = _setting("LIVE_TEST_DAILY_USD", "RATECARD_LIVE_TEST_DAILY_USD", "0")
    try:
        usd = Decimal(raw)
        per_ip = int(_setting("LIVE_TEST_PER_IP_HOUR", "RATECARD_LIVE_TEST_PER_IP_HOUR",
                              str(PER_IP_HOUR)))
    except (InvalidOperation, ValueError):
        log.warning("live tests off: RATECARD_LIVE_TEST_DAILY_USD=%r or "
                    "RATECARD_LIVE_TEST_PER_IP_HOUR is not a number", raw)
        return None
    if not usd.is_finite() or usd <= 0 or per_ip <= 0:
        return None
    return Limits(usd, per_ip, MAX_TOKENS, DEADLINE_SECONDS)


def _endpoint(model: Model) -> Endpoint | None:
    try:
        found = endpoint_for(model.canonical_id, model.mode)
    except NotMeasurable:
        return None
    return found if found.kind == "chat" else None


def can_serve(model: Model) -> str | None:
    """None when the live test can serve this model, else why not (for the page)."""
    if limits() is None:
        return "off"
    if _endpoint(model) is None:
        return "We cannot call this model: it is not a chat model, or we hold no key for " \
               "its provider."
    if not probe_rates(db_session(), model.id).priced("chat"):
        return "This model has no current input and output price, so a call cannot be costed."
    return None


def live_test_url(model: Model) -> str | None:
    """The page's address when it can serve the model (profile pages link only then)."""
    if can_serve(model) is not None:
        return None
    return url_for("live_test.page", provider=model.provider.slug,
                   name=model.canonical_id.split("/", 1)[1])


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="ratecard.live-test")


def _client() -> str:
    """A keyed hash of the visitor's address: limits per visitor, stores no address."""
    address = (request.remote_addr or "unknown").encode()
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, address, hashlib.sha256).hexdigest()


@bp.route("/live-test/<provider>/<path:name>", methods=["GET", "POST"])
def page(provider: str, name: str) -> tuple[str, int, dict[str, str]]:
    model = model_q.model_by_id(db_session(), f"{provider}/{name}")
    if model is None:
        abort(404)
    why_not = can_serve(model)
    context: dict[str, object] = {
        "model": model, "why_not": why_not, "prompt_chars": PROMPT_CHARS,
        "max_tokens": MAX_TOKENS, "token_minutes": _token_seconds() // 60,
        "profile_url": url_for("public.profile", provider=provider, name=name),
        "outcome_label": outcome_label, "prompt": "", "message": None, "result": None,
    }
    status = 200
    if why_not is None and request.method == "POST":
        status = _post(model, context)
    elif request.method == "POST":
        status = 403
    context["token"] = _signer().dumps(model.canonical_id) if why_not is None else None
    headers = {"Cache-Control": "no-store"}
    if "retry_after" in context:
        headers["Retry-After"] = str(context["retry_after"])
    return render_template("live_test/page.html", **context), status, headers


def _token_seconds() -> int:
    return int(current_app.config.get("LIVE_TEST_TOKEN_SECONDS") or TOKEN_SECONDS)


def _post(model: Model, context: dict[str, object]) -> int:
    prompt = (request.form.get("prompt") or "").strip()
    context["prompt"] = prompt[:PROMPT_CHARS]
    try:
        signed = _signer().loads(request.form.get("token") or "", max_age=_token_seconds())
    except SignatureExpired:
        context["message"] = ("This form has expired (it is valid for "
                              f"{_token_seconds() // 60} minutes). Send it again: it now "
                              "carries a fresh token.")
        return 400
    except BadSignature:
        context["message"] = "This form was not issued by this page. Reload it and send again."
        return 400
    if signed != model.canonical_id:
        context["message"] = "This form was issued for another model. Reload and send again."
        return 400
    if not prompt:
        context["message"] = "Write a prompt first."
        return 400
    if len(prompt) > PROMPT_CHARS:
        context["message"] = (f"The prompt is {len(prompt):,} characters long; the limit is "
                              f"{PROMPT_CHARS}.")
        return 400
    endpoint, found = _endpoint(model), limits()
    key = endpoint.key() if endpoint else None
    if endpoint is None or found is None or key is None:      # checked by can_serve
        abort(403)
    db = current_app.extensions["ratecard.db"]
    try:
        done = run_live_test(db, model.id, endpoint, key, prompt, _client(), found)
    except Refused as exc:
        context["message"], context["retry_after"] = str(exc), exc.retry_after
        return 429
    context["result"], context["cost"] = done.result, done.cost
    return 200
