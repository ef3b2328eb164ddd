"""One change event in words, the one wording of the change log, the profile, the Atom feeds
and webhook alerts ("Input price changed from $2.50 to $2.00 per 1M tokens"), with the exact
numbers, the Atom entry's stable id, the kind of alert it is, and the record a webhook
message carries. Pure functions, no queries; the labels are `ratecard.labels`."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal, InvalidOperation

from ratecard.labels import (
    CHANGE_KIND_LABELS,
    UNIT_LABELS,
    capability_label,
    conditions_label,
    meter_label,
)
from ratecard.models import ChangeEvent, Model
from ratecard.money import NOT_PUBLISHED, display

# Names the ids of feed entries: the same change gets the same id in every database that
# recorded it (a replay, a rebuilt history), not only in the one that numbered its row.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ratecard/changes")


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def entry_id(event: ChangeEvent, canonical_id: str) -> str:
    parts = [canonical_id, event.kind, event.subject or "",
             json.dumps(event.conditions or {}, sort_keys=True, separators=(",", ":")),
             event.old_value or "", event.new_value or "", event.source,
             _iso(event.occurred_at)]
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def percent(event: ChangeEvent) -> Decimal | None:
    """The relative change of a price, in percent to one decimal, or None."""
    old, new = _decimal(event.old_value), _decimal(event.new_value)
    if old is None or new is None or old == 0 or not event.kind.startswith("price_"):
        return None
    return ((new - old) * 100 / old).quantize(Decimal("0.1"))


def alert_kind(event: ChangeEvent) -> str | None:
    """The kind of alert this change is (services.alerts.ALERT_KINDS), or None."""
    kind = event.kind
    if kind in ("price_changed", "price_corrected"):
        old, new = _decimal(event.old_value), _decimal(event.new_value)
        if old is None or new is None or old == new:
            return None
        return "price_cut" if new < old else "price_rise"
    return {"price_added": "price_added", "price_removed": "price_removed",
            "model_added": "new_model", "capability_added": "capability_change",
            "capability_removed": "capability_change", "model_deprecated": "deprecation",
            "model_vanished": "listing_change", "model_returned": "listing_change"}.get(kind)


def _amount(text: str | None) -> str:
    """A stored amount ("2.5") as a page shows it ("$2.50")."""
    if text is None:
        return NOT_PUBLISHED
    try:
        return display(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


def _count(value: str | None) -> str:
    return f"{int(value):,}" if value and value.isdigit() else (value or "the")


def words(event: ChangeEvent) -> str:
    """"Input price changed from $2.50 to $2.00 per 1M tokens", "Input price (batch tier)
    added: $1.25 per 1M tokens", "Vision (image input) capability added"."""
    kind, subject = event.kind, event.subject or ""
    if kind.startswith("price_"):
        meter, _, unit = subject.partition("/")
        what = f"{meter_label(meter)} price" if meter else "Price"
        conditions = conditions_label(event.conditions)
        if conditions:
            what += f" ({conditions[0].lower() + conditions[1:]})"
        # every price names its unit ("$3.00 per 1M tokens"), token prices included
        per = "" if not unit else " " + UNIT_LABELS.get(unit, f"per {unit}")
        old, new = _amount(event.old_value), _amount(event.new_value)
        if kind == "price_changed":
            return f"{what} changed from {old} to {new}{per}"
        if kind == "price_corrected":   # a held change that agrees with the other sources
            return f"{what} corrected from {old} to {new}{per}"
        if kind == "price_added":
            return f"{what} added: {new}{per}"
        return f"{what} withdrawn (was {old}{per})"
    if kind == "capability_added":
        return f"{capability_label(subject)} capability added"
    if kind == "capability_removed":
        return f"{capability_label(subject)} capability removed"
    if kind == "model_deprecated":
        return f"Deprecated ({event.new_value})" if event.new_value else "Deprecated"
    if kind == "catalog_loaded":     # the first load: one entry, not one per model
        return f"Catalog loaded: {_count(event.new_value)} models"
    return CHANGE_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def direction(event: ChangeEvent) -> str:
    """"up" or "down" for a price change, "" otherwise (for styling only)."""
    if event.kind not in ("price_changed", "price_corrected"):
        return ""
    old, new = _decimal(event.old_value), _decimal(event.new_value)
    if old is None or new is None:
        return ""
    return "up" if new > old else "down" if new < old else ""


def numbers(event: ChangeEvent) -> str:
    """The exact values behind the words: "Old 2.5, new 2 (USD per 1M tokens), −20.0 %"."""
    if not event.kind.startswith("price_"):
        return ""
    unit = (event.subject or "").partition("/")[2] or "unit"
    parts = []
    if event.old_value is not None:
        parts.append(f"old {event.old_value}")
    if event.new_value is not None:
        parts.append(f"new {event.new_value}")
    text = ", ".join(parts).capitalize() + f" (USD per {unit})"
    change = percent(event)
    if change is not None:
        text += f", {'+' if change > 0 else ''}{change} %"
    return text + "."


def change_record(event: ChangeEvent, model: Model, provider_slug: str,
                  base_url: str) -> dict[str, object]:
    """One change in a webhook message (amounts as exact decimal strings)."""
    meter, _, unit = (event.subject or "").partition("/")
    change = percent(event)
    return {
        "id": entry_id(event, model.canonical_id), "kind": event.kind,
        "alert": alert_kind(event), "model": model.canonical_id, "model_name": model.name,
        "provider": provider_slug, "url": base_url + model_path(model, provider_slug),
        "meter": meter or None if event.kind.startswith("price_") else None,
        "unit": unit or None, "subject": event.subject, "conditions": event.conditions or {},
        "old": event.old_value, "new": event.new_value,
        "change_percent": None if change is None else str(change),
        "source": event.source, "occurred_at": _iso(event.occurred_at),
        "text": words(event),
    }


def model_path(model: Model, provider_slug: str) -> str:
    from ratecard.web.urls import profile_path

    return profile_path(provider_slug, model.canonical_id, root="/models")
