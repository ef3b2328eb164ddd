"""The sentences of a model's profile: its one-line summary and its status.

Every sentence is built from the data and fits the model's kind: an image model is never
called a text model, a missing price reads "not published". Labels (meters, units,
capabilities, conditions, change texts) are `ratecard.labels` and `ratecard.change_words`.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from ratecard import costs
from ratecard.labels import PLURALS, count, join, meter_label, provider_name, unit_label
from ratecard.money import display
from ratecard.queries.rows import Capability, Model
from scrapers.vocabulary import CHAT_MODES, IMAGE_MODES

if TYPE_CHECKING:
    from ratecard.web.pages.profile_view import RateTables

KINDS = {
    "chat": "chat model", "responses": "chat model", "completion": "text completion model",
    "embedding": "embedding model", "image_generation": "image generation model",
    "image_edit": "image editing model", "video_generation": "video generation model",
    "audio_transcription": "speech-to-text model", "audio_speech": "text-to-speech model",
    "realtime": "realtime voice and text model", "rerank": "reranking model",
    "moderation": "moderation model", "ocr": "document reading (OCR) model",
    "search": "search model", "vector_store": "vector store service",
}


CHAT_LIKE = CHAT_MODES     # the modes a typical conversation applies to


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
        return f" that turns {join(ins) if ins else 'text'} into vectors"
    if model.mode == "rerank":
        return " that orders documents by relevance to a query"
    if not ins:
        return ""
    if not outs or not set(outs) <= MEDIA:
        return f" that reads {join(ins)}"
    verb = "writes" if outs == ["text"] else "produces"
    return f" that reads {join(ins)} and {verb} {join(list(dict.fromkeys(outs)))}"


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
    return f"{what} at no charge" if amount == 0 else f"{display(amount)} per 1M {what}"


def _price_clause(model: Model, tables: RateTables, rates: costs.Rates) -> str:
    if model.mode in IMAGE_MODES and rates.images:
        prices = sorted(rates.images.values())
        if prices[0] == prices[-1]:
            return f"; {display(prices[0])} per image"
        return f"; {display(prices[0])} to {display(prices[-1])} per image"
    parts = []
    if rates.input is not None:
        parts.append(_per(rates.input, "input tokens"))
    if rates.output is not None and model.mode not in IMAGE_MODES:
        parts.append(_per(rates.output, "output tokens"))
    if rates.output_image is not None:
        parts.append(_per(rates.output_image, "image output tokens"))
    if parts:
        lead = "; billed by tokens: " if model.mode in IMAGE_MODES else "; "
        return lead + join(parts)
    other = next((r for r in tables.base if r.shown is not None), None)
    if other is not None and other.shown is not None:
        return (f"; {meter_label(other.meter).lower()} {display(other.shown.amount)} "
                f"{unit_label(other.unit)}")
    return "; its prices are not published by our sources yet"
