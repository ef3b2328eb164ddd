"""The site's words as Jinja filters, registered once: every label (`ratecard.labels`), the
two money texts (`ratecard.money`) and the change sentences (`ratecard.change_words`, which
the feeds and webhook alerts send too). Templates write `{{ price | money }}`,
`{{ event | change_text }}`, `{{ cap | capability_label }}`; there is no second wording."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from ratecard import change_words, labels, money

FILTERS: dict[str, Callable[..., Any]] = {
    "money": money.display,
    "date": labels.date,
    "count": labels.count,
    "unit_label": labels.unit_label,
    "meter_label": labels.meter_label,
    "source_label": labels.source_label,
    "mode_label": labels.mode_label,
    "mode_name": labels.mode_label,
    "provider_name": labels.provider_name,
    "capability_label": labels.capability_label,
    "conditions_label": labels.conditions_label,
    "option_text": labels.option_text,
    "interval_text": labels.interval_text,
    "change_text": change_words.words,
    "change_direction": change_words.direction,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
