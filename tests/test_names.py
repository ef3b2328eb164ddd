"""Display names: the sources' own names in the documented order, the id only as a last
resort, and no two models of one provider under one name."""
from __future__ import annotations

import pytest

from ratecard.names import NAME_ORDER, choose, clean, distinct, from_id


def test_the_order_is_models_dev_then_genai_prices_then_openrouter():
    assert NAME_ORDER == ("modelsdev", "genai_prices", "openrouter")
    every = {"modelsdev": "GPT-4o", "genai_prices": "GPT 4o (genai)",
             "openrouter": "OpenAI: GPT-4o (OpenRouter)"}
    assert choose(every, "gpt-4o") == "GPT-4o"
    assert choose({k: v for k, v in every.items() if k != "modelsdev"},
                  "gpt-4o") == "GPT 4o (genai)"
    assert choose({"openrouter": "OpenAI: GPT-4o (OpenRouter)"}, "gpt-4o") == \
        "GPT-4o (OpenRouter)"
    # LiteLLM publishes no names: a name from it is not asked for
    assert choose({"litellm": "whatever"}, "gpt-4o") == "GPT-4o"


@pytest.mark.parametrize("name, model_id", [
    ("gpt 4o", "gpt-4o"),                 # genai-prices: the id with spaces
    ("gpt 4", "gpt-4-32k"),               # ... and a wrong one: the first words only
    ("gpt 3.5 turbo", "gpt-3.5-turbo"),
    ("", "gpt-4o"), ("   ", "gpt-4o"), (None, "gpt-4o"),
    ("deepseek/deepseek-v4.1-flash", "deepseek/deepseek-v4.1-flash"),   # an id path
])
def test_a_name_that_only_repeats_the_id_is_no_name(name, model_id):
    assert clean("genai_prices", name, model_id) is None


def test_the_id_as_written_is_a_name():
    # models.dev writes OpenAI's "o4-mini" as OpenAI does; genai-prices says "o4 Mini High"
    assert clean("modelsdev", "o4-mini", "o4-mini") == "o4-mini"
    assert choose({"modelsdev": "o4-mini", "genai_prices": "o4 Mini High"}, "o4-mini") == \
        "o4-mini"


def test_generated_names_fall_through_to_the_next_source():
    assert choose({"genai_prices": "gpt 4o", "openrouter": "OpenAI: GPT-4o"},
                  "gpt-4o") == "GPT-4o"
    # two different models the source named alike get two different names
    assert choose({"genai_prices": "gpt 4"}, "gpt-4") == "GPT-4"
    assert choose({"genai_prices": "gpt 4"}, "gpt-4-32k") == "GPT-4 32k"


def test_real_names_are_kept_as_written():
    assert clean("genai_prices", "GPT-3.5 Turbo 16k", "gpt-3.5-turbo-16k") == \
        "GPT-3.5 Turbo 16k"
    assert clean("modelsdev", "Claude Sonnet 4.5", "claude-sonnet-4-5") == "Claude Sonnet 4.5"
    assert clean("openrouter", "Anthropic: Claude Sonnet 4.5", "claude-sonnet-4-5") == \
        "Claude Sonnet 4.5"
    assert clean("modelsdev", "  Gemini   2.5 Pro ", "gemini-2.5-pro") == "Gemini 2.5 Pro"


@pytest.mark.parametrize("model_id, name", [
    ("gpt-4o", "GPT-4o"),
    ("gpt-4o-mini", "GPT-4o mini"),
    ("gpt-4.1-nano", "GPT-4.1 nano"),
    ("gpt-4o-2024-05-13", "GPT-4o 2024-05-13"),
    ("claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet 20241022"),
    ("gemini-2.5-flash", "Gemini 2.5 Flash"),
    ("o3", "o3"),
    ("gpt-image-1", "GPT Image 1"),
    ("us.anthropic.claude-3-haiku", "Claude 3 Haiku"),
    ("fal-ai/flux/schnell", "Flux Schnell"),
])
def test_a_name_made_from_the_id(model_id, name):
    assert from_id(model_id) == name
    assert choose({}, model_id) == name


def test_names_are_distinct_within_a_provider():
    named = distinct([(1, "gpt-4o", "GPT-4o"), (2, "gpt-4o-2024-05-13", "GPT-4o"),
                      (3, "gpt-4", "GPT-4"), (4, "chatgpt-4o-latest", "gpt-4o")])
    assert named[1] == "GPT-4o"                          # its id reads as the name
    assert named[2] == "GPT-4o (gpt-4o-2024-05-13)"
    assert named[4] == "gpt-4o (chatgpt-4o-latest)"      # case does not make a name new
    assert named[3] == "GPT-4"
    assert len({n.casefold() for n in named.values()}) == len(named)
    # nobody's id is the name: every one says its id
    both = distinct([(1, "a-1", "Same"), (2, "a-2", "Same")])
    assert both == {1: "Same (a-1)", 2: "Same (a-2)"}
