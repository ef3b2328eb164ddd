"""The JSON records of a model, a price row and a capability, as the API answers them and
the nightly dump writes them (one shape for both): amounts as decimal strings, times as
ISO 8601 UTC. Pure functions of a row; nothing here reads the database or the request."""
from __future__ import annotations

import datetime as dt

from ratecard.models import Capability, Model, Price
from ratecard.money import exact_text


def iso_utc(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def price_json(price: Price) -> dict[str, object]:
    return {
        "meter": price.meter, "unit": price.unit, "amount": exact_text(price.amount),
        "currency": price.currency, "conditions": price.conditions(), "source": price.source,
        "valid_from": iso_utc(price.valid_from), "valid_to": iso_utc(price.valid_to),
    }


def capability_json(cap: Capability) -> dict[str, object]:
    return {"name": cap.name, "value": cap.value, "source": cap.source,
            "since": iso_utc(cap.valid_from)}


def model_json(model: Model) -> dict[str, object]:
    return {
        "id": model.canonical_id, "name": model.name, "provider": model.provider.slug,
        "mode": model.mode, "context_window": model.context_window,
        "max_output": model.max_output, "input_modalities": model.input_modalities,
        "output_modalities": model.output_modalities,
        "release_date": iso_utc(model.release_date),
        "deprecation_date": iso_utc(model.deprecation_date),
    }
