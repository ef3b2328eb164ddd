"""Words for a model's profile: labels, the one-line summary, status, change sentences.

Every sentence is built from the data and fits the model's kind: an image model is never
called a text model, a missing price reads "not published".
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ratecard import costs
from ratecard.models import Capability, ChangeEvent, Model
from ratecard.web.formatting import (
    METER_LABELS,
    SOURCE_LABELS,
    UNIT_LABELS,
    count,
    money,
    provider_name,
)
from scrapers.vocabulary import CHAT_MODES, IMAGE_MODES

if TYPE_CHECKING:
    from ratecard.web.pages.profile_view import RateTables

CAPABILITY_LABELS = {
    "vision": "Vision (image input)", "pdf_input": "PDF input",
    "function_calling": "Function calling", "parallel_function_calling": "Parallel tool calls",
    "tool_choice": "Tool choice", "json_schema": "JSON schema output",
    "reasoning": "Reasoning", "prompt_caching": "Prompt caching", "audio_input": "Audio input",
    "audio_output": "Audio output", "video_input": "Video input", "web_search": "Web search",
    "computer_use": "Computer use", "system_messages": "System messages",
    "transparent_background": "Transparent background", "open_weights": "Open weights",
    "assistant_prefill": "Assistant prefill", "structured_output": "Structured output",
    "temperature": "Temperature setting",
}


KINDS = {
    "chat": "chat model", "responses": "chat model", "completion": "text completion model",
    "embedding": "embedding model", "image_generation": "image generation model",
    "image_edit": "image editing model", "video_generation": "video generation model",
    "audio_transcription": "speech-to-text model", "audio_speech": "text-to-speech model",
    "realtime": "realtime voice and text model", "rerank": "reranking model",
    "moderation": "moderation model", "ocr": "document reading (OCR) model",
    "search": "search model", "vector_store": "vector store service",
}


CHAT_LIKE = CHAT_MODES


TIER_LABELS = {"batch": "Batch", "flex": "Flex", "priority": "Priority", "standard": "Standard"}


PLURALS = {"image": "images", "file": "files", "pdf": "PDFs"}


def meter_label(meter: str) -> str:
    return METER_LABELS.get(meter, meter.replace("_", " ").capitalize())


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def capability_label(name: str) -> str:
    return CAPABILITY_LABELS.get(name, name.replace("_", " ").capitalize())


def condition_text(conditions: dict[str, object]) -> str:
    """"Batch, above 200k context tokens" — words for a condition set ('' for base)."""
    parts: list[str] = []
    if conditions.get("service_tier"):
        tier = str(conditions["service_tier"])
        parts.append(f"{TIER_LABELS.get(tier, tier.capitalize())} tier")
    if conditions.get("context_above") is not None:
        parts.append(f"above {count(int(conditions['context_above']))} "  # type: ignore[call-overload]
                     "context tokens")
    if conditions.get("quality"):
        parts.append(f"quality {conditions['quality']}")
    if conditions.get("size"):
        parts.append(f"size {conditions['size']}")
    if conditions.get("region"):
        parts.append(f"region {conditions['region']}")
    if conditions.get("time_window"):
        parts.append(f"{conditions['time_window']} UTC")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def option_text(option: costs.ImageOption) -> str:
    quality, size = option
    return ", ".join(p for p in (quality, size) if p) or "any quality and size"


# -- words ------------------------------------------------------------------------------


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def modality_text(model: Model) -> str:
    ins = [PLURALS.get(m, m) for m in model.input_modalities or []]
    outs = [PLURALS.get(m, m) for m in model.output_modalities or []]
    if ins and outs:
        return f"{_join(ins)} → {_join(outs)}"
    return ""


def status(model: Model, today: dt.date) -> tuple[str, str]:
    """(label, css class): deprecated with date, preview, or available."""
    if model.deprecation_date is not None:
        if model.deprecation_date <= today:
            return f"Deprecated since {model.deprecation_date.isoformat()}", "bad"
        return f"Deprecation scheduled for {model.deprecation_date.isoformat()}", "warn"
    if "preview" in model.canonical_id.lower() or "preview" in (model.name or "").lower():
        return "Preview", "warn"
    return "Available", "ok"


MEDIA = frozenset({"text", "images", "audio", "video", "speech", "files", "PDFs"})


def _an(word: str) -> str:
    """The article for a word or a number as spoken: an 8k…, an 11,000…, a 128k…"""
    if word[:1] in "aeiou8" or re.match(r"1[18](?:[,kM]|$)", word):
        return "an"
    return "a"


def _io_clause(model: Model) -> str:
    ins = [PLURALS.get(m, m) for m in model.input_modalities or []]
    outs = ["text" if m == "transcription" else PLURALS.get(m, m)
            for m in model.output_modalities or []]
    if model.mode == "embedding":
        return f" that turns {_join(ins) if ins else 'text'} into vectors"
    if model.mode == "rerank":
        return " that orders documents by relevance to a query"
    if not ins:
        return ""
    if not outs or not set(outs) <= MEDIA:
        return f" that reads {_join(ins)}"
    verb = "writes" if outs == ["text"] else "produces"
    return f" that reads {_join(ins)} and {verb} {_join(list(dict.fromkeys(outs)))}"


def summary(model: Model, tables: RateTables, caps: dict[str, Capability],
            rates: costs.Rates) -> str:
    """One sentence from the data, in words that fit the model's kind (an image model is
    never called a text model)."""
    kind = KINDS.get(model.mode or "", "model")
    if model.mode in ("chat", "responses") and caps.get("reasoning") and caps["reasoning"].value:
        kind = "reasoning " + kind
    if "preview" in model.canonical_id.lower():
        kind = "preview " + kind
    text = (f"{model.name} is {_an(kind)} {kind} from {provider_name(model.provider)}"
            + _io_clause(model))
    if model.context_window and model.mode not in IMAGE_MODES:
        size = count(model.context_window)
        text += f", with {_an(size)} {size}-token context window"
    text += _price_clause(model, tables, rates)
    if model.deprecation_date is not None:
        text += f" (deprecated: {model.deprecation_date.isoformat()})"
    return text + "."


def _per(amount: Decimal, what: str) -> str:
    """"$2.50 per 1M input tokens"; a published zero reads "input tokens at no charge"."""
    return f"{what} at no charge" if amount == 0 else f"{money(amount)} per 1M {what}"


def _price_clause(model: Model, tables: RateTables, rates: costs.Rates) -> str:
    if model.mode in IMAGE_MODES and rates.images:
        prices = sorted(rates.images.values())
        if prices[0] == prices[-1]:
            return f"; {money(prices[0])} per image"
        return f"; {money(prices[0])} to {money(prices[-1])} per image"
    parts = []
    if rates.input is not None:
        parts.append(_per(rates.input, "input tokens"))
    if rates.output is not None and model.mode not in IMAGE_MODES:
        parts.append(_per(rates.output, "output tokens"))
    if rates.output_image is not None:
        parts.append(_per(rates.output_image, "image output tokens"))
    if parts:
        lead = "; billed by tokens: " if model.mode in IMAGE_MODES else "; "
        return lead + _join(parts)
    other = next((r for r in tables.base if r.shown is not None), None)
    if other is not None and other.shown is not None:
        return (f"; {meter_label(other.meter).lower()} {money(other.shown.amount)} "
                f"{unit_label(other.unit)}")
    return "; its prices are not published by our sources yet"


def _amount(text: str | None) -> str:
    if text is None:
        return "not published"
    try:
        return money(Decimal(text))
    except (InvalidOperation, ValueError):
        return text


def change_text(event: ChangeEvent) -> str:
    """"Input price changed from $2.50 to $2.00 per 1M tokens", "Vision capability added"."""
    subject = event.subject or ""
    if event.kind.startswith("price_"):
        meter, _, unit = subject.partition("/")
        what = meter_label(meter) + " price"
        cond = condition_text(event.conditions or {})
        if cond:
            what += f" ({cond[0].lower() + cond[1:]})"
        per = unit_label(unit)
        if event.kind == "price_changed":
            return (f"{what} changed from {_amount(event.old_value)} to "
                    f"{_amount(event.new_value)} {per}")
        if event.kind == "price_corrected":
            return (f"{what} corrected from {_amount(event.old_value)} to "
                    f"{_amount(event.new_value)} {per}")
        if event.kind == "price_added":
            return f"{what} published: {_amount(event.new_value)} {per}"
        return f"{what} withdrawn (was {_amount(event.old_value)} {per})"
    if event.kind == "capability_added":
        return f"{capability_label(subject)} capability added"
    if event.kind == "capability_removed":
        return f"{capability_label(subject)} capability removed"
    return {
        "model_added": "First listed", "model_vanished": "No longer listed",
        "model_returned": "Listed again",
        "model_deprecated": f"Marked deprecated{': ' + event.new_value if event.new_value else ''}",
    }.get(event.kind, event.kind.replace("_", " ").capitalize())


def interval_text(hours: float | None) -> str:
    if not hours:
        return "not scheduled"
    if hours % 24 == 0:
        days = int(hours // 24)
        return "daily" if days == 1 else ("weekly" if days == 7 else f"every {days} days")
    return "hourly" if hours == 1 else f"every {hours:g} hours"
