"""Alert pages: the subscribe form's target (from a model or provider page), the page that
shows the secret once, and the signed removal link (/alerts/<id>/remove/<token>)."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from sqlalchemy import select

from ratecard.labels import ALERT_KIND_LABELS
from ratecard.models.alerts import AlertSubscription
from ratecard.services import alerts
from ratecard.services.webhook_http import WebhookSettings
from ratecard.web.session import db_session

bp = Blueprint("alerts", __name__, url_prefix="/alerts")



@bp.app_context_processor
def _kinds() -> dict[str, object]:
    return {"alert_kind_labels": ALERT_KIND_LABELS}


@bp.post("")
def subscribe() -> tuple[str, int] | str:
    from ratecard.web.api_alerts import subscribe_from

    g.pop("data_etag", None)
    fields: dict[str, object] = {k: request.form.get(k, "") for k in ("url", "model",
                                                                      "provider")}
    fields["kinds"] = [k for k in request.form.getlist("kinds") if k]
    created, error = subscribe_from(fields)
    if error is not None:
        return render_template("alerts/result.html", error=error, fields=fields), 400
    assert created is not None
    return render_template(
        "alerts/result.html", created=created, fields=fields,
        remove_url=alerts.unsubscribe_url(created.subscription, WebhookSettings.from_env()))


@bp.route("/<public_id>/remove/<token>", methods=["GET", "POST"])
def remove(public_id: str, token: str) -> tuple[str, int] | str:
    g.pop("data_etag", None)
    session = db_session()
    sub = session.scalar(select(AlertSubscription).where(
        AlertSubscription.public_id == public_id)) if len(public_id) <= 40 else None
    if sub is None or not alerts.check_token(sub, token):
        return render_template("alerts/removed.html", unknown=True), 404
    if request.method == "POST":
        alerts.unsubscribe(session, sub)
        session.commit()
        return render_template("alerts/removed.html", removed=True)
    # GET asks first: link scanners and prefetchers follow links, people press buttons
    return render_template("alerts/removed.html", sub=sub)
