"""Bounded memory for large payloads: LiteLLM's map is read entry by entry, so the whole
Decimal tree of a payload never exists beside the records built from it."""
from __future__ import annotations

import gc
import json
import tracemalloc

import pytest

from scrapers import exact_json, litellm
from scrapers.base import ParseError


def payload(n: int) -> bytes:
    return json.dumps({f"openai/bench-{i}": {
        "litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
        "max_output_tokens": 16384, "input_cost_per_token": 2.5e-06 + i * 1e-12,
        "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
        "supports_function_calling": True, "supports_vision": i % 2 == 0,
        "supported_modalities": ["text", "image"], "source": "https://example.com"}
        for i in range(n)}, indent=4).encode()


def test_parse_holds_little_beyond_its_records():
    body = payload(10_000)                        # ~6 MB, as LiteLLM writes it (indented)
    gc.collect()
    tracemalloc.start()
    try:
        result = litellm.parse(body)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.models) == 10_000
    # What the parse needed on top of what it returns: the decoded text and one entry at
    # a time. Building the whole tree first needed 2.6x the payload here.
    transient = peak - kept
    assert transient < 1.6 * len(body), f"{transient / len(body):.1f}x the payload"


@pytest.mark.parametrize("text", [
    '{"a": 1, "b": {"c": [1, 2.50, "x"]}, "a": 3}',
    ' \n{ } \n', '{"k": 1e400, "m": -0.0}', '{"\\u00e9t\\u00e9": "\\ud83d\\ude00"}',
])
def test_members_match_json_loads(text):
    members = list(exact_json.iter_object(text.encode(), "t"))
    assert dict(members) == exact_json.loads(text, "t")
    top_level_keys = [key for key, _ in json.loads(text, object_pairs_hook=lambda p: p)]
    assert [key for key, _ in members] == top_level_keys     # duplicates included


@pytest.mark.parametrize("text", ['{"a": 1', '{"a" 1}', '{"a": 1,}', '{"a": 1} x', '{,}',
                                  '{"a": tru}', "{'a': 1}", '{"a": 1\n  "b": 2}'])
def test_errors_name_the_same_position_as_json_loads(text):
    with pytest.raises(ParseError) as whole:
        exact_json.loads(text, "t")
    with pytest.raises(ParseError) as streamed:
        list(exact_json.iter_object(text, "t"))
    assert str(streamed.value) == str(whole.value)


def test_a_key_given_twice_counts_once_with_its_last_entry():
    body = (b'{"gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 1e-06},'
            b' "gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 2e-06}}')
    (model,) = litellm.parse(body).models
    assert [str(p.amount) for p in model.prices] == ["2"]


def test_size_cap_holds_for_a_local_models_dev_tree(monkeypatch):
    from scrapers import modelsdev
    from scrapers.http import FetchError
    from tests.upstream import OWN

    tree = OWN / "modelsdev" / "tree"
    assert modelsdev.SOURCE.fetch(str(tree)).body
    monkeypatch.setenv("RATECARD_HTTP_MAX_BYTES", "1000")
    with pytest.raises(FetchError, match=f"^{tree}: models.dev tree larger than .* cap"):
        modelsdev.SOURCE.fetch(str(tree))


def test_size_cap_holds_for_a_local_file(tmp_path, monkeypatch):
    from scrapers.http import FetchError

    path = tmp_path / "prices.json"
    path.write_bytes(payload(50))
    monkeypatch.setenv("RATECARD_HTTP_MAX_BYTES", "1000")
    with pytest.raises(FetchError, match="larger than 1000 bytes cap"):
        litellm.SOURCE.fetch(str(path))
