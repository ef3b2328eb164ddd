"""Typical-job and calculator arithmetic: exact Decimal, missing prices never become $0."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from ratecard import costs

GPT_4O = costs.Rates(input=D("2.5"), output=D("10"), cache_read=D("1.25"),
                     batch_input=D("1.25"), batch_output=D("5"))


def test_typical_conversation_is_exact():
    one = costs.conversation(GPT_4O)
    assert [(line.key, line.quantity, line.cost) for line in one.lines] == [
        ("input", D(600), D("0.0015")), ("output", D(200), D("0.002"))]
    assert one.total == D("0.0035")
    assert costs.conversation(GPT_4O, 1000).total == D("3.5")


def test_no_float_error_on_tiny_rates():
    rates = costs.Rates(input=D("0.0000125"), output=D("0.1"))
    result = costs.estimate(rates, costs.Job(tokens_in=3, tokens_out=7))
    assert result.total == D("3") * D("0.0000125") / 1_000_000 + D("7") * D("0.1") / 1_000_000
    assert isinstance(result.total, D)


def test_cached_share_uses_cache_read_price():
    job = costs.Job(tokens_in=1_000_000, tokens_out=0, cached_pct=D("40"))
    result = costs.estimate(GPT_4O, job)
    lines = {line.key: line for line in result.lines}
    assert lines["input"].quantity == D(600_000) and lines["input"].cost == D("1.5")
    assert lines["cached_input"].quantity == D(400_000)
    assert lines["cached_input"].cost == D("0.5")
    assert result.total == D("2.0")


def test_cached_without_cache_price_is_counted_at_input_rate_with_a_note():
    rates = costs.Rates(input=D("2"), output=D("8"))
    result = costs.estimate(rates, costs.Job(tokens_in=1000, tokens_out=0, cached_pct=D(50)))
    assert result.total == D("0.002")
    assert any("cache" in note for note in result.notes)


def test_batch_uses_batch_rates():
    result = costs.estimate(GPT_4O, costs.Job(tokens_in=1_000_000, tokens_out=1_000_000,
                                              batch=True))
    assert result.total == D("6.25")
    assert not result.notes


def test_batch_without_batch_price_says_so():
    rates = costs.Rates(input=D("3"), output=D("15"))
    result = costs.estimate(rates, costs.Job(batch=True))
    assert result.total == D(600) * 3 / 1_000_000 + D(200) * 15 / 1_000_000
    assert any("batch" in note.lower() for note in result.notes)


def test_missing_price_means_no_total_not_zero():
    rates = costs.Rates(input=D("5"))
    result = costs.estimate(rates, costs.Job())
    assert result.total is None
    assert result.missing == ("Output tokens",)
    output = next(line for line in result.lines if line.key == "output")
    assert output.cost is None and output.rate is None


def test_images_by_quality_and_size():
    rates = costs.Rates(images={("low", "1024x1024"): D("0.011"),
                                ("high", "1024x1536"): D("0.25")})
    job = costs.Job(tokens_in=0, tokens_out=0, images=3, image_option=("high", "1024x1536"))
    result = costs.estimate(rates, job)
    assert result.total == D("0.75")
    assert costs.image_costs(rates) == [(("low", "1024x1024"), D("0.011")),
                                        (("high", "1024x1536"), D("0.25"))]
    assert costs.image_costs(rates, 100)[0][1] == D("1.100")


def test_images_without_a_price_are_not_free():
    result = costs.estimate(costs.Rates(input=D(1), output=D(1)),
                            costs.Job(tokens_in=0, tokens_out=0, images=2))
    assert result.total is None and result.missing == ("Images",)


def test_image_tokens_priced_per_million():
    rates = costs.Rates(input=D("5"), output=D("10"), output_image=D("30"))
    result = costs.estimate(rates, costs.Job(tokens_in=100, tokens_out=0, image_tokens=4160))
    assert result.total == D(100) * 5 / 1_000_000 + D(4160) * 30 / 1_000_000


def test_count_multiplies_every_line():
    result = costs.estimate(GPT_4O, costs.Job(count=3, cached_pct=D(10)))
    single = costs.estimate(GPT_4O, costs.Job(cached_pct=D(10)))
    assert result.total == single.total * 3


@pytest.mark.parametrize(("amount", "shown"), [
    (D("0.0035"), D("0.00350")), (D("3.5"), D("3.50")), (D("1234.5678"), D("1234.57")),
    (D("0.000001234"), D("0.00000123")), (D("0.0125"), D("0.0125")), (D("0"), D("0")),
    (D("0.99999"), D("1.000")),
])
def test_rounded_for_display(amount, shown):
    assert costs.rounded(amount) == shown
    assert costs.rounded(amount).as_tuple() == shown.as_tuple() or amount == 0
