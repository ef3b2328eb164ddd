"""The live-test page over HTTP against the fake provider: off by default, served only for
priced chat models with a key, the answer escaped with its latency, tokens and cost, and each
guard (expired or foreign token, prompt cap, per-visitor limit, daily budget) with its
message. Nothing of the prompt is stored."""
from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from ratecard.models.live_tests import LiveTest
from tests.probes import fakeprovider
from tests.probes.conftest import KEY, env_for

URL = "/live-test/openai/test-chat"
PROMPT = "Say hello <b>to</b> the keeper"


def _token(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


@pytest.fixture
def live(app, models, fake, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in env_for(fake).items():
        monkeypatch.setenv(name, value)
    fake.program("ok")
    app.config.update(LIVE_TEST_DAILY_USD="1", LIVE_TEST_PER_IP_HOUR=3)
    return app


def test_off_by_default(app, models, client, fake, monkeypatch):  # type: ignore[no-untyped-def]
    for name, value in env_for(fake).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RATECARD_LIVE_TEST_DAILY_USD", raising=False)
    page = client.get(URL).get_data(as_text=True)
    assert "Live tests are off" in page and 'name="token"' not in page
    assert client.post(URL, data={"prompt": "hi"}).status_code == 403


def test_answer_figures_and_no_storage(live, client, db, fake, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fakeprovider, "WORDS", ["<b>bold</b>", " & <i>x</i>"])
    for other in ("gpt-image-1", "unpriced"):              # image, no price: not served
        assert "No live test for this model" in client.get(
            f"/live-test/openai/{other}").get_data(as_text=True)
    token = _token(client.get(URL).get_data(as_text=True))
    response = client.post(URL, data={"token": token, "prompt": PROMPT})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;x&lt;/i&gt;" in html and "<b>bold" not in html
    assert "Tokens in / out</dt><dd>42 / 300" in html
    # 42 x $2.50 + 300 x $10 per 1M tokens = $0.003105
    assert "$0.003105" in html and re.search(r"Latency</dt><dd>[\d,]+ ms", html)
    sent = fake.seen[-1].body
    assert sent.get("max_tokens", sent.get("max_completion_tokens")) == 200, sent
    assert sent["messages"][-1]["content"] == PROMPT
    with db.session() as s:
        row = s.scalars(select(LiveTest)).one()
        assert (row.outcome, row.cost_usd, row.output_tokens) == ("ok", Decimal("0.003105"), 300)
        assert "hello" not in repr([getattr(row, c.key) for c in LiveTest.__table__.c])
        assert row.client != "127.0.0.1" and len(row.client) == 64
    assert KEY not in html


def test_guards_each_with_its_message(live, client, fake):  # type: ignore[no-untyped-def]
    token = _token(client.get(URL).get_data(as_text=True))
    bad = client.post(URL, data={"token": token + "x", "prompt": "hi"})
    assert bad.status_code == 400 and "not issued by this page" in bad.get_data(as_text=True)
    other = _token(client.get("/live-test/anthropic/test-claude").get_data(as_text=True))
    wrong = client.post(URL, data={"token": other, "prompt": "hi"})
    assert wrong.status_code == 400 and "for another model" in wrong.get_data(as_text=True)
    long = client.post(URL, data={"token": token, "prompt": "x" * 501})
    assert long.status_code == 400 and "the limit is 500" in long.get_data(as_text=True)
    empty = client.post(URL, data={"token": token, "prompt": "  "})
    assert empty.status_code == 400 and "Write a prompt first" in empty.get_data(as_text=True)
    for _ in range(3):
        assert client.post(URL, data={"token": token, "prompt": "hi"}).status_code == 200
    limited = client.post(URL, data={"token": token, "prompt": "hi"})
    text = limited.get_data(as_text=True)
    assert limited.status_code == 429 and "3 live tests in the last hour" in text
    assert int(limited.headers["Retry-After"]) > 3000
    assert len(fake.seen) >= 3


def test_budget_and_expiry(live, client, fake):  # type: ignore[no-untyped-def]
    # Worst case per call: 200 x $2.50 + 200 x $10 per 1M = $0.0025; the first call costs
    # $0.003105, so a $0.005 budget takes exactly one.
    live.config.update(LIVE_TEST_DAILY_USD="0.005", LIVE_TEST_TOKEN_SECONDS=1)
    token = _token(client.get(URL).get_data(as_text=True))
    assert client.post(URL, data={"token": token, "prompt": "hi"}).status_code == 200
    spent = client.post(URL, data={"token": token, "prompt": "hi"})
    assert spent.status_code == 429
    assert "live-test budget ($0.005) is spent" in spent.get_data(as_text=True)
    time.sleep(2.1)
    expired = client.post(URL, data={"token": token, "prompt": "hi"})
    html = expired.get_data(as_text=True)
    assert expired.status_code == 400 and "This form has expired" in html
    assert _token(html) != token and "hi</textarea>" in html
