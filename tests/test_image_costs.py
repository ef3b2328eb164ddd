"""The cost of one image: published per-image prices, or image tokens x the image-token price,
exact Decimal at every quality and size (ratecard.image_costs)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ratecard import image_costs as ic

SQUARE, PORTRAIT, LANDSCAPE = "1024x1024", "1024x1536", "1536x1024"

# OpenAI's published output image tokens (image generation guide), and what one image then
# costs at the model's image output price: tokens x rate / 1M, exactly.
GPT_IMAGE_1 = {  # $40 per 1M image output tokens
    ("low", SQUARE): (272, "0.01088"), ("medium", SQUARE): (1056, "0.04224"),
    ("high", SQUARE): (4160, "0.1664"),
    ("low", PORTRAIT): (408, "0.01632"), ("medium", PORTRAIT): (1584, "0.06336"),
    ("high", PORTRAIT): (6240, "0.2496"),
    ("low", LANDSCAPE): (400, "0.016"), ("medium", LANDSCAPE): (1568, "0.06272"),
    ("high", LANDSCAPE): (6208, "0.24832"),
}
GPT_IMAGE_2 = {  # $30 per 1M image output tokens
    ("low", SQUARE): (196, "0.00588"), ("medium", SQUARE): (1756, "0.05268"),
    ("high", SQUARE): (7024, "0.21072"),
    ("low", PORTRAIT): (158, "0.00474"), ("medium", PORTRAIT): (1372, "0.04116"),
    ("high", PORTRAIT): (5488, "0.16464"),
    ("low", LANDSCAPE): (158, "0.00474"), ("medium", LANDSCAPE): (1372, "0.04116"),
    ("high", LANDSCAPE): (5488, "0.16464"),
    ("low", "2048x2048"): (397, "0.01191"), ("medium", "2048x2048"): (3568, "0.10704"),
    ("high", "2048x2048"): (14272, "0.42816"),
}


@pytest.mark.parametrize(("model", "rate", "expected"), [
    ("openai/gpt-image-1", Decimal("40"), GPT_IMAGE_1),
    ("openai/gpt-image-2", Decimal("30"), GPT_IMAGE_2),
])
def test_each_quality_and_size_is_tokens_times_rate_exactly(model, rate, expected):
    found = {c.option: c for c in ic.computed(model, rate)}
    assert set(found) == set(expected)
    for option, (tokens, amount) in expected.items():
        cost = found[option]
        assert isinstance(cost.amount, Decimal)
        assert cost.tokens == tokens and cost.rate == rate and cost.computed
        assert cost.amount == Decimal(amount), option       # exact, no float, no rounding


def test_the_rate_comes_from_the_price_as_stored():
    # LiteLLM's 3e-05 per token is stored as 30 per 1M; an odd rate stays exact.
    cost = ic.standard(ic.computed("openai/gpt-image-2", Decimal("30.0000001")))
    assert cost is not None and cost.amount == Decimal("0.0526800001756")
    assert format(cost.amount, "f") == "0.0526800001756"


def test_standard_image_is_1024_square_at_medium():
    cost = ic.standard_cost("openai/gpt-image-2", {}, Decimal("30"))
    assert cost is not None and cost.option == ("medium", SQUARE)
    assert cost.amount == Decimal("0.05268") and cost.computed and cost.tokens == 1756


@pytest.mark.parametrize("canonical_id", [
    "openai/gpt-image-2", "openai/gpt-image-2-2026-04-21", "azure/gpt-image-2",
    "openrouter/openai/gpt-image-2", "openai/GPT-Image-2"])
def test_the_table_follows_the_model_under_its_other_keys(canonical_id):
    assert ic.token_table(canonical_id) is ic.GPT_IMAGE_2


@pytest.mark.parametrize("canonical_id", [
    "openai/gpt-image-1-mini", "openai/gpt-image-1.5", "openai/dall-e-3", "openai/gpt-4o",
    "openai/gpt-image-21"])
def test_other_models_get_no_computed_cost(canonical_id):
    assert ic.token_table(canonical_id) is None
    assert ic.computed(canonical_id, Decimal("30")) == []
    assert ic.standard_cost(canonical_id, {}, Decimal("30")) is None


def test_no_rate_no_computed_cost():
    assert ic.computed("openai/gpt-image-2", None) == []
    assert ic.standard_cost("openai/gpt-image-2", {}, None) is None


def test_a_published_per_image_price_wins_over_a_computed_one():
    published = {("low", SQUARE): Decimal("0.011"), ("medium", SQUARE): Decimal("0.042"),
                 ("high", SQUARE): Decimal("0.167")}
    costs = ic.image_costs("openai/gpt-image-1", published, Decimal("40"))
    assert [c.amount for c in costs] == [Decimal("0.011"), Decimal("0.042"), Decimal("0.167")]
    assert not any(c.computed for c in costs)
    assert ic.standard(costs) == ic.ImageCost("medium", SQUARE, Decimal("0.042"))


@pytest.mark.parametrize(("published", "expected"), [
    # dall-e-3's one base price: no quality, no size
    ({(None, None): Decimal("0.04")}, (None, None)),
    # standard quality where there is no medium
    ({("standard", SQUARE): Decimal("0.04"), ("hd", SQUARE): Decimal("0.08")},
     ("standard", SQUARE)),
    # medium before standard (gpt-image-1.5 lists "standard" at the low price)
    ({("standard", SQUARE): Decimal("0.009"), ("medium", SQUARE): Decimal("0.034"),
      ("low", SQUARE): Decimal("0.009")}, ("medium", SQUARE)),
    # no 1024x1024: the smallest size, then the standard quality there
    ({("medium", "2048x2048"): Decimal("0.2"), ("medium", "512x512"): Decimal("0.01"),
      ("low", "512x512"): Decimal("0.005")}, ("medium", "512x512")),
    # no standard quality at that size: the cheapest there
    ({("low", SQUARE): Decimal("0.011"), ("high", SQUARE): Decimal("0.167")}, ("low", SQUARE)),
])
def test_which_option_is_the_standard_image(published, expected):
    cost = ic.standard_cost("some/image-model", published, None)
    assert cost is not None and cost.option == expected
    assert cost.amount == published[expected]


def test_gemini_image_tokens():
    cost = ic.standard_cost("gemini/gemini-2.5-flash-image", {}, Decimal("30"))
    assert cost is not None and cost.amount == Decimal("0.0387") and cost.tokens == 1290
    pro = {c.option: c.amount for c in ic.computed("vertex_ai/gemini-3-pro-image-preview",
                                                   Decimal("120"))}
    assert pro[(None, SQUARE)] == Decimal("0.1344")
    assert pro[(None, "4096x4096")] == Decimal("0.24")


def test_conditions_key_to_option():
    assert ic.option_of("quality=low;size=1024x1024") == ("low", SQUARE)
    assert ic.option_of("size=1024x1792") == (None, "1024x1792")
    assert ic.option_of("") == (None, None)
