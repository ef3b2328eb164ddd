"""Price-change alerts: subscriptions, the messages queued after each sync, and their
delivery with retries (services.webhook_http sends each one safely).

Runs in the scheduler process only (`run_alerts` after every sync and once a minute for
retries); a web request only records a subscription. A subscription fires once its
endpoint echoed the verification challenge; a message is retried with exponential backoff
and given up after the limit, every try recorded.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.change_words import alert_kind, change_record
from ratecard.db import Database, utcnow
from ratecard.models import ChangeEvent, Model, Provider
from ratecard.models.alerts import AlertAttempt, AlertDelivery, AlertSubscription
from ratecard.services import webhook_http as http
from ratecard.services.webhook_http import UrlRefused, WebhookSettings

log = logging.getLogger("ratecard.alerts")

# What a person can subscribe to: alert kinds (one change kind can be several)
ALERT_KINDS = ("price_cut", "price_rise", "price_added", "price_removed", "new_model",
               "capability_change", "deprecation", "listing_change")
BATCH = 100                 # changes per message
MAX_PER_TICK = 200          # deliveries tried per run: a backlog drains over several ticks
MAX_PENDING_PER_URL = 3     # unconfirmed subscriptions to one URL: no verification spam


@dataclass(frozen=True)
class NewSubscription:
    subscription: AlertSubscription
    secret: str
    unsubscribe_token: str


def unsubscribe_token(sub: AlertSubscription) -> str:
    """The signed part of the removal link: HMAC of the subscription id under its secret."""
    return hmac.new(sub.secret.encode(), b"unsubscribe:" + sub.public_id.encode(),
                    hashlib.sha256).hexdigest()[:32]


def check_token(sub: AlertSubscription, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(sub), token or "")


def subscribe(session: Session, url: str, *, model: Model | None = None,
              provider: Provider | None = None, kinds: Iterable[str] | None = None,
              settings: WebhookSettings | None = None) -> NewSubscription:
    """Record a pending subscription and queue its verification request. UrlRefused or
    ValueError (kinds) say what is wrong with the input."""
    settings = settings or WebhookSettings.from_env()
    wanted = sorted(set(kinds or ()))
    unknown = [k for k in wanted if k not in ALERT_KINDS]
    if unknown:
        raise ValueError(f"unknown kind {unknown[0]!r}; one of {', '.join(ALERT_KINDS)}")
    if model is not None and provider is not None:
        raise ValueError("subscribe to a model or a provider, not both")
    url = url.strip() if isinstance(url, str) else url
    http.resolve_checked(url, settings)
    pending = session.scalar(select(func.count()).select_from(AlertSubscription).where(
        AlertSubscription.url == url, AlertSubscription.status == "pending")) or 0
    if pending >= MAX_PENDING_PER_URL:
        raise UrlRefused("this URL already has subscriptions waiting for confirmation")
    now = utcnow()
    secret = http.new_secret()
    sub = AlertSubscription(
        public_id="sub_" + secrets.token_urlsafe(12), url=url,
        model_id=model.id if model else None, provider_id=provider.id if provider else None,
        kinds=wanted or None, secret=secret, status="pending",
        challenge=secrets.token_urlsafe(24), created_at=now,
        last_event_id=session.scalar(select(func.max(ChangeEvent.id))) or 0)
    session.add(sub)
    session.flush()
    _queue(session, sub, "verification", {
        "type": "webhook.verification", "timestamp": _iso(now),
        "data": {"subscription": sub.public_id, "challenge": sub.challenge}}, now)
    return NewSubscription(sub, secret, unsubscribe_token(sub))


def unsubscribe(session: Session, sub: AlertSubscription) -> None:
    session.delete(sub)       # its deliveries and attempts go with it (ON DELETE CASCADE)
    session.flush()


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _queue(session: Session, sub: AlertSubscription, kind: str, body: dict[str, object],
           now: dt.datetime) -> AlertDelivery:
    delivery = AlertDelivery(
        message_id="msg_" + secrets.token_urlsafe(16), subscription_id=sub.id, kind=kind,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")), status="pending",
        attempts=0, next_attempt_at=now, created_at=now)
    session.add(delivery)
    return delivery


def _matches(sub: AlertSubscription, event: ChangeEvent, model: Model) -> bool:
    if sub.model_id is not None and event.model_id != sub.model_id:
        return False
    if sub.provider_id is not None and model.provider_id != sub.provider_id:
        return False
    return not sub.kinds or alert_kind(event) in sub.kinds


def _chunks(items: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def queue_changes(session: Session, settings: WebhookSettings,
                  now: dt.datetime | None = None) -> int:
    """Messages for the change events each subscription has not yet considered. Only
    confirmed subscriptions get them; a pending one just moves past them."""
    now = now or utcnow()
    subs = list(session.scalars(select(AlertSubscription).where(
        AlertSubscription.status.in_(("pending", "active")))))
    if not subs:
        return 0
    newest = session.scalar(select(func.max(ChangeEvent.id))) or 0
    queued = 0
    active = [s for s in subs if s.status == "active" and s.last_event_id < newest]
    start = min((s.last_event_id for s in active), default=newest)
    found: dict[int, list[dict[str, object]]] = {s.id: [] for s in active}
    if active:
        rows = session.execute(
            select(ChangeEvent, Model).join(Model, Model.id == ChangeEvent.model_id)
            .where(ChangeEvent.id > start, ChangeEvent.id <= newest)
            .order_by(ChangeEvent.id).execution_options(yield_per=1000))
        providers = dict(session.execute(select(Provider.id, Provider.slug)).tuples().all())
        for event, model in rows:
            for sub in active:
                if event.id > sub.last_event_id and _matches(sub, event, model):
                    found[sub.id].append(change_record(
                        event, model, providers[model.provider_id], settings.base_url))
    for sub in subs:
        for changes in _chunks(found.get(sub.id, [])):
            _queue(session, sub, "changes", {
                "type": "changes", "timestamp": _iso(now),
                "data": {"subscription": sub.public_id,
                         "unsubscribe_url": unsubscribe_url(sub, settings),
                         "changes": changes}}, now)
            queued += 1
        sub.last_event_id = max(sub.last_event_id, newest)
    return queued


def unsubscribe_url(sub: AlertSubscription, settings: WebhookSettings) -> str:
    return f"{settings.base_url}/alerts/{sub.public_id}/remove/{unsubscribe_token(sub)}"


def _echoed(challenge: str, body: bytes) -> bool:
    text = body.decode("utf-8", "replace").strip()
    if text == challenge:
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("challenge") == challenge


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def line(self) -> str:
        return f"alerts: {self.delivered} delivered, {self.retrying} to retry, " \
               f"{self.failed} given up"


def deliver_due(db: Database, settings: WebhookSettings,
                now: dt.datetime | None = None) -> DeliveryReport:
    """Try every due message once (oldest first, at most MAX_PER_TICK): a verification
    for a pending subscription, changes for an active one."""
    report = DeliveryReport()
    with db.session() as session:
        due = [d.id for d in session.scalars(
            select(AlertDelivery).where(AlertDelivery.status == "pending",
                                        AlertDelivery.next_attempt_at <= (now or utcnow()))
            .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(MAX_PER_TICK))]
    failing: set[int] = set()
    for delivery_id in due:
        # one transaction per message: a crash never loses the record of a sent one
        with db.session() as session:
            delivery = session.get(AlertDelivery, delivery_id)
            if delivery is None or delivery.status != "pending":
                continue
            sub = session.get(AlertSubscription, delivery.subscription_id)
            if sub is None or sub.id in failing:
                continue      # one failure per endpoint a tick: a dead one cannot hold the job
            if delivery.kind == "changes" and sub.status != "active":
                continue
            if not _attempt(session, sub, delivery, settings, now, report):
                failing.add(sub.id)
    return report


def _attempt(session: Session, sub: AlertSubscription, delivery: AlertDelivery,
             settings: WebhookSettings, now: dt.datetime | None,
             report: DeliveryReport) -> bool:
    outcome = http.post(sub.url, delivery.message_id, sub.secret, delivery.body.encode(),
                        settings)
    at = now or utcnow()
    error = outcome.error
    ok = outcome.ok
    if ok and delivery.kind == "verification" and not _echoed(sub.challenge, outcome.body):
        ok, error = False, "the response did not echo the challenge"
    if not ok and error is None:
        error = f"HTTP {outcome.status}"
    session.add(AlertAttempt(delivery_id=delivery.id, attempted_at=at, status=outcome.status,
                             error=error, duration_ms=outcome.duration_ms))
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = outcome.status, error
    if ok:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "delivered", at, None
        if delivery.kind == "verification":
            sub.status, sub.confirmed_at = "active", at
        report.delivered += 1
        return True
    if delivery.attempts >= settings.max_attempts:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", at, None
        if delivery.kind == "verification":
            sub.status = "unconfirmed"
        report.failed += 1
        log.warning("alert %s to %s given up after %d tries: %s", delivery.message_id,
                    sub.public_id, delivery.attempts, error)
    else:
        wait = settings.backoff_seconds * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = at + dt.timedelta(seconds=wait)
        report.retrying += 1
    return False


def run_alerts(db: Database, settings: WebhookSettings | None = None,
               now: dt.datetime | None = None) -> DeliveryReport:
    """The scheduler's step: queue messages for new change events, then send what is due."""
    settings = settings or WebhookSettings.from_env()
    with db.session() as session:
        queue_changes(session, settings, now)
    return deliver_due(db, settings, now)
