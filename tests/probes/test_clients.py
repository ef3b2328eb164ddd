"""The four probe clients against a fake provider on loopback: every behaviour classified,
no call outliving its deadline, keys sent as headers and never kept."""
from __future__ import annotations

import socket
import time

import pytest

from ratecard.probes.clients import call
from ratecard.probes.endpoints import PROVIDERS, Endpoint, ProbeSettings
from ratecard.probes.result import scrub
from tests.probes.fakeprovider import USAGE_IN, USAGE_OUT, FakeProvider

KEY = "sk-test-Zq9XvB7mK2pL4nR8tY1wE5"
SETTINGS = ProbeSettings(connect_timeout=1.0, read_timeout=0.6, chat_deadline=1.5,
                         image_deadline=1.5)
# (our provider, API family for the base URL, kind)
SHAPES = {"openai_chat": ("openai", "openai", "chat"),
          "openai_image": ("openai", "openai", "image"),
          "anthropic": ("anthropic", "anthropic", "chat"),
          "gemini": ("google", "gemini", "chat")}
EXPECTED = {
    "ok": "ok", "slow": "ok", "429": "rate_limited", "500": "server_error",
    "503": "server_error", "401": "auth_error", "403": "auth_error",
    "400-policy": "refused", "hang": "timeout", "close": "network_error",
    "malformed": "bad_response", "drip": "timeout", "no_usage": "bad_response",
    "empty": "bad_response", "refuse": "refused", "stream_error": "server_error",
    "whole": "ok",      # a server that ignores `stream`: measured, without a first token
}
IMAGE_DIFFERENT = {"no_usage": "ok", "stream_error": "ok"}   # images may lack usage


@pytest.fixture(scope="module")
def fake():
    with FakeProvider(slow_seconds=0.3, drip_seconds=0.05) as server:
        yield server


def endpoint(fake: FakeProvider, shape: str, model: str = "test-model") -> Endpoint:
    provider, api, kind = SHAPES[shape]
    return Endpoint(PROVIDERS[provider], fake.base(api), model, kind)


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("behaviour", sorted(EXPECTED))
def test_every_behaviour_is_classified(fake, shape, behaviour):
    fake.program(behaviour)
    began = time.monotonic()
    result = call(endpoint(fake, shape), KEY, SETTINGS)
    elapsed = time.monotonic() - began
    expected = IMAGE_DIFFERENT.get(behaviour, EXPECTED[behaviour]) \
        if shape == "openai_image" else EXPECTED[behaviour]
    assert result.outcome == expected, (result, elapsed)
    # no call hangs past its deadline (plus slack for a busy machine; a drip or a hang would
    # otherwise take 12 s or forever)
    assert elapsed < SETTINGS.chat_deadline + 3.0
    assert result.latency_ms <= elapsed * 1000 + 5
    if result.error:
        assert KEY not in result.error and KEY[8:] not in result.error
    if expected == "ok":
        assert result.error is None
        if shape != "openai_image":
            assert result.input_tokens == USAGE_IN and result.output_tokens == USAGE_OUT
            if behaviour == "whole":
                assert result.ttft_ms is None
            else:
                assert result.ttft_ms is not None and result.ttft_ms <= result.latency_ms
            assert result.text.startswith("The keeper")
            assert result.output_tps is not None and result.output_tps > 0
        else:
            assert result.images == 1 and result.ttft_ms is None
    if behaviour == "slow":
        assert result.latency_ms >= 300
    if behaviour in ("429", "500", "401"):
        assert result.http_status == int(behaviour)
        assert result.error.startswith(f"HTTP {behaviour}")


def test_requests_have_each_shapes_form_and_key_header(fake):
    fake.program("ok")
    fake.seen.clear()
    for shape in ("openai_chat", "anthropic", "gemini", "openai_image"):
        call(endpoint(fake, shape, "gpt-image-1" if shape == "openai_image" else "m1"),
             KEY, SETTINGS)
    chat, claude, gemini, image = fake.seen
    assert chat.path == "/v1/chat/completions"
    assert chat.headers["authorization"] == f"Bearer {KEY}"
    assert chat.body["stream"] is True and chat.body["stream_options"] == {"include_usage": True}
    assert chat.body["max_completion_tokens"] == SETTINGS.max_tokens    # OpenAI's own API
    assert claude.path == "/v1/messages" and claude.headers["x-api-key"] == KEY
    assert claude.headers["anthropic-version"] and claude.body["stream"] is True
    assert gemini.path == "/v1beta/models/m1:streamGenerateContent?alt=sse"
    assert gemini.headers["x-goog-api-key"] == KEY
    assert image.path == "/v1/images/generations"
    assert image.body["size"] == "1024x1024" and image.body["quality"] == "low"
    for seen in fake.seen:                     # never in a URL
        assert KEY not in seen.path


def test_compatible_servers_get_max_tokens(fake):
    fake.program("ok")
    fake.seen.clear()
    call(Endpoint(PROVIDERS["deepseek"], fake.base("openai"), "deepseek-chat", "chat"),
         KEY, SETTINGS)
    assert fake.seen[0].body["max_tokens"] == SETTINGS.max_tokens


def test_nothing_listening_is_a_network_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]              # closed again before the call
    result = call(Endpoint(PROVIDERS["openai"], f"http://127.0.0.1:{port}/v1", "m", "chat"),
                  KEY, SETTINGS)
    assert result.outcome == "network_error" and result.http_status is None


@pytest.mark.parametrize("text, gone", [
    (f"Incorrect API key provided: {KEY}", KEY),
    ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
    ('{"api_key": "plain-secret-1"}', "plain-secret-1"),
    ("see https://x.test/v1?key=AIzaSyD-1234567890abcdefghijklmnop", "AIzaSy"),
    ("token=" + "a" * 40, "a" * 40),
])
def test_scrub_removes_secret_looking_text(text, gone):
    cleaned = scrub(text)
    assert gone not in cleaned and "[redacted]" in cleaned


def test_scrub_keeps_prose_and_cuts_long_text():
    assert scrub("Rate limit reached for requests") == "Rate limit reached for requests"
    assert len(scrub("word " * 200)) == 200
