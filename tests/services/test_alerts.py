"""Webhook alerts against a real receiver on loopback: confirmation, signatures (checked
with the ten lines in docs/api.md), retries with backoff on 500s and timeouts, giving
up, redirects not followed, and the address rules with the private setting off, including
a DNS answer that changes between subscription and delivery (the resolver hook is the one
fake: DNS is the outside world)."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ratecard.db import utcnow
from ratecard.models import Model
from ratecard.models.alerts import AlertAttempt, AlertDelivery, AlertSubscription
from ratecard.services import alerts
from ratecard.services import webhook_http as http
from ratecard.services.sync import run_sync
from ratecard.services.webhook_http import UrlRefused, WebhookSettings
from scrapers import litellm
from tests.webhook_receiver import Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ON = WebhookSettings(allow_private=True, max_attempts=4, timeout_seconds=1.0,
                     backoff_seconds=60, base_url="https://ratecard.test")
OFF = WebhookSettings(allow_private=False, max_attempts=4, timeout_seconds=1.0,
                      backoff_seconds=60, base_url="https://ratecard.test")


def verifier():  # type: ignore[no-untyped-def]
    """The signature check exactly as docs/api.md prints it."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 11
    namespace: dict[str, object] = {}
    exec(code, namespace)  # noqa: S102
    return namespace["verify"]


def litellm_payload(input_per_token: str) -> bytes:
    entries = {"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
                          "input_cost_per_token": "@IN", "output_cost_per_token": 1e-05},
               "claude-x": {"litellm_provider": "anthropic", "mode": "chat",
                            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05}}
    return json.dumps(entries).replace('"@IN"', input_per_token).encode()


def sync(db, input_per_token: str, day: str) -> None:  # type: ignore[no-untyped-def]
    summary = run_sync(db, litellm.SOURCE, payload=litellm_payload(input_per_token),
                       as_of=dt.date.fromisoformat(day))
    assert summary.ok, summary.line()


def subscribe(db, url: str, settings: WebhookSettings = ON, **kw):  # type: ignore[no-untyped-def]
    with db.session() as session:
        model = session.scalar(select(Model).where(Model.canonical_id == kw.pop("model")))\
            if "model" in kw else None
        created = alerts.subscribe(session, url, model=model, settings=settings, **kw)
        return created.subscription.public_id, created.secret


def sub_state(db, public_id: str) -> AlertSubscription:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(AlertSubscription).where(
            AlertSubscription.public_id == public_id))


def deliveries(db, public_id: str) -> list[AlertDelivery]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        sub = session.scalar(select(AlertSubscription).where(
            AlertSubscription.public_id == public_id))
        return list(session.scalars(select(AlertDelivery).where(
            AlertDelivery.subscription_id == sub.id).order_by(AlertDelivery.id)))


def attempts(db, delivery_id: int) -> list[AlertAttempt]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return list(session.scalars(select(AlertAttempt).where(
            AlertAttempt.delivery_id == delivery_id).order_by(AlertAttempt.id)))


@pytest.fixture
def hooks():  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        yield receiver


def test_confirmed_subscription_gets_signed_changes(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/hook", ["echo"])
    public_id, secret = subscribe(db, hooks.url("/hook"), model="openai/gpt-4o")
    assert hooks.at("/hook") == []                # nothing is sent from the subscribing call
    sync(db, "2e-06", "2026-07-02")               # before confirmation: never delivered
    alerts.run_alerts(db, ON)
    verification = hooks.at("/hook")
    assert len(verification) == 1
    assert json.loads(verification[0].body)["type"] == "webhook.verification"
    assert sub_state(db, public_id).status == "active"
    sync(db, "3e-06", "2026-07-03")               # a rise on the model, nothing on claude-x
    report = alerts.run_alerts(db, ON)
    assert report.delivered == 1
    hit = hooks.at("/hook")[-1]
    verify = verifier()
    assert verify(secret, hit.headers, hit.body)
    assert not verify(secret, hit.headers, hit.body + b" ")
    assert not verify(http.new_secret(), hit.headers, hit.body)
    assert hit.headers["webhook-id"].startswith("msg_")
    message = json.loads(hit.body)
    changes = message["data"]["changes"]
    assert [(c["model"], c["meter"], c["old"], c["new"], c["alert"]) for c in changes] == [
        ("openai/gpt-4o", "input", "2", "3", "price_rise")]
    assert changes[0]["url"] == "https://ratecard.test/models/openai/gpt-4o"
    assert "changed from $2.00 to $3.00" in changes[0]["text"]
    assert changes[0]["change_percent"] == "50.0"
    assert message["data"]["unsubscribe_url"].startswith(
        f"https://ratecard.test/alerts/{public_id}/remove/")
    alerts.run_alerts(db, ON)                     # nothing new: nothing sent again
    assert len(hooks.at("/hook")) == 2


def test_kind_filter_and_provider_scope(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/cuts", ["echo"])
    public_id, _ = subscribe(db, hooks.url("/cuts"), kinds=["price_cut"])
    alerts.run_alerts(db, ON)
    sync(db, "3e-06", "2026-07-02")               # a rise: not wanted
    alerts.run_alerts(db, ON)
    assert len(hooks.at("/cuts")) == 1
    sync(db, "1e-06", "2026-07-03")               # a cut: sent
    alerts.run_alerts(db, ON)
    changes = json.loads(hooks.at("/cuts")[-1].body)["data"]["changes"]
    assert [c["alert"] for c in changes] == ["price_cut"]
    with pytest.raises(ValueError, match="unknown kind"):
        subscribe(db, hooks.url("/cuts"), kinds=["price_drop"])


def test_unechoed_verification_never_confirms(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/deaf", [200])                 # 2xx, but no challenge in the body
    public_id, _ = subscribe(db, hooks.url("/deaf"))
    now = utcnow()
    for step in range(ON.max_attempts + 2):
        alerts.deliver_due(db, ON, now + dt.timedelta(hours=step * 10))
    assert len(hooks.at("/deaf")) == ON.max_attempts
    assert sub_state(db, public_id).status == "unconfirmed"
    (delivery,) = deliveries(db, public_id)
    assert delivery.status == "failed" and "echo" in delivery.last_error
    sync(db, "3e-06", "2026-07-02")
    alerts.run_alerts(db, ON, now + dt.timedelta(days=10))
    assert len(hooks.at("/deaf")) == ON.max_attempts     # no change message, ever


def test_retries_on_500_with_exponential_backoff(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/flaky", [500, 503, "echo"])
    public_id, _ = subscribe(db, hooks.url("/flaky"))
    start = utcnow()
    alerts.deliver_due(db, ON, start)
    (delivery,) = deliveries(db, public_id)
    assert delivery.attempts == 1 and delivery.status == "pending"
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60)
    alerts.deliver_due(db, ON, start + dt.timedelta(seconds=59))    # not due yet
    assert len(hooks.at("/flaky")) == 1
    alerts.deliver_due(db, ON, start + dt.timedelta(seconds=60))
    (delivery,) = deliveries(db, public_id)
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60 + 120)   # doubled
    alerts.deliver_due(db, ON, start + dt.timedelta(seconds=180))
    (delivery,) = deliveries(db, public_id)
    assert delivery.status == "delivered" and delivery.attempts == 3
    assert [a.status for a in attempts(db, delivery.id)] == [500, 503, 200]
    ids = {hit.headers["webhook-id"] for hit in hooks.at("/flaky")}
    assert len(ids) == 1                           # the same message id on every retry
    assert sub_state(db, public_id).status == "active"


def test_timeouts_retry_and_the_limit_gives_up(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/slow", ["echo"])
    public_id, _ = subscribe(db, hooks.url("/slow"))
    alerts.deliver_due(db, ON)
    hooks.program("/slow", [("sleep", 3.0)])
    sync(db, "3e-06", "2026-07-02")
    start = utcnow()
    alerts.run_alerts(db, ON, start)
    changes = deliveries(db, public_id)[-1]
    assert changes.kind == "changes" and changes.status == "pending"
    assert "timed out" in changes.last_error and changes.last_status is None
    hooks.program("/slow", [500])
    for step in range(1, 10):
        alerts.deliver_due(db, ON, start + dt.timedelta(hours=step))
    changes = deliveries(db, public_id)[-1]
    assert changes.status == "failed" and changes.attempts == ON.max_attempts
    tried = attempts(db, changes.id)
    assert [a.status for a in tried] == [None] + [500] * (ON.max_attempts - 1)
    assert len(hooks.at("/slow")) == 1 + ON.max_attempts


def test_redirects_are_not_followed(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/moved", [("redirect", "/target")])
    hooks.program("/target", ["echo"])
    public_id, _ = subscribe(db, hooks.url("/moved"))
    alerts.deliver_due(db, ON)
    (delivery,) = deliveries(db, public_id)
    assert delivery.last_status == 302 and "redirect" in delivery.last_error
    assert hooks.at("/target") == []
    assert sub_state(db, public_id).status == "pending"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/hook", "http://[::1]/hook", "http://10.1.2.3/hook",
    "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data",
    "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/", "http://localhost/hook"])
def test_private_targets_refused_at_subscription(db, url: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UrlRefused, match="public addresses"):
        subscribe(db, url, OFF)


@pytest.mark.parametrize("url", ["ftp://example.com/", "https://user:pw@example.com/",
                                 "not a url", "https:///nohost"])
def test_malformed_urls_refused(db, url: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UrlRefused):
        subscribe(db, url, OFF)


def test_dns_answer_changing_after_subscription_is_refused_at_delivery(
        db, hooks, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers = {"hooks.example": ["93.184.215.14"]}
    monkeypatch.setattr(http, "RESOLVER", lambda host, port: answers[host])
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/hook", ["echo"])
    url = hooks.url("/hook", host="hooks.example")
    public_id, _ = subscribe(db, url, OFF)        # public at subscription time
    answers["hooks.example"] = ["127.0.0.1"]      # ... loopback when it is delivered
    alerts.deliver_due(db, OFF)
    (delivery,) = deliveries(db, public_id)
    assert delivery.status == "pending" and delivery.last_status is None
    assert delivery.last_error.startswith("refused:") and "127.0.0.1" in delivery.last_error
    assert hooks.at("/hook") == []
    # The control: the same answer with the private setting on reaches the receiver, sent to
    # the address resolved (the name itself resolves nowhere) with the URL's Host header.
    alerts.deliver_due(db, ON, utcnow() + dt.timedelta(hours=1))
    (hit,) = hooks.at("/hook")
    assert hit.headers["host"] == f"hooks.example:{hooks.port}"
    assert sub_state(db, public_id).status == "active"


def test_one_private_address_among_public_ones_is_refused(monkeypatch, db) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(http, "RESOLVER", lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(UrlRefused, match="10.0.0.7"):
        subscribe(db, "https://mixed.example/hook", OFF)


def test_pending_subscriptions_per_url_are_capped(db, hooks) -> None:  # type: ignore[no-untyped-def]
    for _ in range(alerts.MAX_PENDING_PER_URL):
        subscribe(db, hooks.url("/victim"))
    with pytest.raises(UrlRefused, match="waiting for confirmation"):
        subscribe(db, hooks.url("/victim"))


def test_scheduler_sync_job_delivers(db, hooks, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ratecard import scheduler

    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/hook", ["echo"])
    subscribe(db, hooks.url("/hook"))
    payload = tmp_path / "prices.json"
    payload.write_bytes(litellm_payload("2e-06"))
    monkeypatch.setenv("RATECARD_WEBHOOK_ALLOW_PRIVATE", "1")
    scheduler.sync_job(db, "litellm", str(payload))
    assert len(hooks.at("/hook")) == 1            # the verification, sent by the job


def test_a_failing_endpoint_gets_one_try_a_tick(db, hooks) -> None:  # type: ignore[no-untyped-def]
    sync(db, "2.5e-06", "2026-07-01")
    hooks.program("/down", ["echo"])
    public_id, _ = subscribe(db, hooks.url("/down"))
    alerts.deliver_due(db, ON)
    hooks.program("/down", [500])
    for price, day in (("3e-06", "2026-07-02"), ("2e-06", "2026-07-03")):
        sync(db, price, day)
        with db.session() as session:
            assert alerts.queue_changes(session, ON) == 1
    report = alerts.deliver_due(db, ON)
    assert (report.delivered, report.retrying) == (0, 1)
    assert len(hooks.at("/down")) == 2            # the verification, then one message only
    pending = [d for d in deliveries(db, public_id) if d.kind == "changes"]
    assert [d.attempts for d in pending] == [1, 0]


def test_scheduler_runs_alerts_every_minute_and_the_export_nightly(db, tmp_path,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ratecard.config import from_env
    from ratecard.scheduler import build_scheduler

    monkeypatch.setenv("RATECARD_EXPORT_DIR", str(tmp_path))     # no dump yet: one soon
    scheduler = build_scheduler(db, from_env(), background=True)
    scheduler.start(paused=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    scheduler.shutdown(wait=False)
    assert jobs["alerts"].trigger.interval.total_seconds() == 60
    assert str(jobs["export"].trigger) == "cron[hour='3']"
    soon = jobs["export"].next_run_time - utcnow()
    assert dt.timedelta(0) < soon <= dt.timedelta(minutes=3)
