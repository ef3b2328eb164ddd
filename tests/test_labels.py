"""One wording per thing: the labels and the change sentences every page, feed and webhook
share (ratecard.labels, ratecard.change_words), and the filters the site registers once."""
from __future__ import annotations

import datetime as dt

from ratecard import change_words, labels
from ratecard.models import ChangeEvent
from ratecard.web import labels as web_labels

WHEN = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def _event(kind: str, subject: str | None = None, old: str | None = None,
           new: str | None = None, conditions: dict[str, object] | None = None) -> ChangeEvent:
    return ChangeEvent(kind=kind, subject=subject, old_value=old, new_value=new,
                       conditions=conditions or {}, source="litellm", occurred_at=WHEN)


def test_conditions_in_words() -> None:
    assert labels.conditions_label({}) == ""
    assert labels.conditions_label({"service_tier": "batch", "context_above": 200000}) == (
        "Batch tier, above 200k context tokens")
    assert labels.conditions_label({"quality": "high", "size": "1024x1024"}) == (
        "Quality high, size 1024x1024")


def test_one_label_per_capability_mode_and_meter() -> None:
    assert labels.capability_label("vision") == "Vision (image input)"
    assert labels.capability_label("some_new_thing") == "Some new thing"
    assert labels.mode_label("responses") == "Chat (Responses API)"
    assert labels.mode_label(None) == "Not recorded"
    assert labels.mode_label("ocr", lower=True) == "OCR"
    assert labels.meter_label("cache_write_5m") == "Cache write (5 min)"
    assert labels.count(200_000) == "200k" and labels.count(1_000_000) == "1M"


def test_change_sentences() -> None:
    words = change_words.words
    assert words(_event("price_changed", "input/1M_tokens", "2.5", "2")) == (
        "Input price changed from $2.50 to $2.00 per 1M tokens")
    assert words(_event("price_corrected", "output/1M_tokens", "100", "10",
                        {"service_tier": "batch", "context_above": 200000})) == (
        "Output price (batch tier, above 200k context tokens) corrected from $100.00 to "
        "$10.00 per 1M tokens")
    assert words(_event("price_added", "image/image", None, "0.04")) == (
        "Image generated price added: $0.04 per image")
    assert words(_event("price_removed", "web_search/1k_searches", "10", None)) == (
        "Web search price withdrawn (was $10.00 per 1k searches)")
    assert words(_event("capability_added", "vision")) == "Vision (image input) capability added"
    assert words(_event("model_deprecated", new="2026-06-30")) == "Deprecated (2026-06-30)"
    assert words(_event("model_added")) == "Model added"
    assert words(_event("model_vanished")) == "No longer listed"
    assert words(_event("catalog_loaded", new="2612")) == "Catalog loaded: 2,612 models"


def test_direction_of_a_price_change() -> None:
    assert change_words.direction(_event("price_changed", "input/1M_tokens", "2.5", "2")) == "down"
    assert change_words.direction(_event("price_changed", "input/1M_tokens", "2", "3")) == "up"
    assert change_words.direction(_event("price_added", "input/1M_tokens", None, "3")) == ""


def test_the_site_registers_each_filter_once(app) -> None:  # type: ignore[no-untyped-def]
    filters = app.jinja_env.filters
    for name, function in web_labels.FILTERS.items():
        assert filters[name] is function, name
    assert filters["change_text"] is change_words.words
