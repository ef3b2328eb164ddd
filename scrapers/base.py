"""The Source protocol and the normalised records every source parses into.

Sources fetch and parse; they never touch the database. The sync service
(ratecard.services.sync) is the one writer and consumes only these types.
Money is Decimal from the payload text onwards; token prices are per 1M tokens.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Protocol

# One vocabulary everywhere (database, API, CSV): scrapers.vocabulary, re-exported for the
# modules that already read it from here.
from scrapers.vocabulary import CAPABILITIES, METERS, MODES, SERVICE_TIERS, UNITS  # noqa: F401


class ParseError(ValueError):
    """The payload as a whole cannot be understood (bad JSON, wrong shape)."""


# Records are slotted: a payload of tens of thousands of models holds hundreds of
# thousands of them at once, and a per-instance __dict__ would double their size.
@dataclass(frozen=True, order=True, slots=True)
class Conditions:
    """When a price applies. None = no condition (the base price)."""

    quality: str | None = None          # image quality: low, medium, high, hd, standard
    size: str | None = None             # image size "1024x1024"
    context_above: int | None = None    # context tier start, e.g. 200000 for "> 200k tokens"
    service_tier: str | None = None     # batch, flex, priority (standard = None)
    time_window: str | None = None      # UTC "HH:MM-HH:MM", e.g. "00:30-16:30"
    region: str | None = None           # e.g. "us", "eu", "global"

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Conditions:
        # `data` is a stored as_dict(): its keys are the fields, its values their types.
        return cls(**(data or {}))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PriceRecord:
    meter: str
    unit: str
    amount: Decimal                      # USD, exact; never a float
    conditions: Conditions = Conditions()
    # A source that publishes dated history (genai-prices start_date) says from
    # when this amount applies; None = "as of the snapshot".
    effective_from: dt.date | None = None

    @property
    def key(self) -> tuple[str, str, Conditions]:
        return (self.meter, self.unit, self.conditions)


@dataclass(slots=True)
class ModelRecord:
    key: str                             # the source's own key (alias), e.g. "gpt-4o"
    canonical_id: str                    # lowercase "provider/model"
    provider: str                        # provider slug, e.g. "openai"
    name: str | None = None
    mode: str | None = None
    context_window: int | None = None
    max_output: int | None = None
    input_modalities: tuple[str, ...] | None = None
    output_modalities: tuple[str, ...] | None = None
    release_date: dt.date | None = None
    deprecation_date: dt.date | None = None
    # name -> True/False; a capability not in the dict is unknown, not False.
    capabilities: dict[str, bool] = field(default_factory=dict)
    prices: list[PriceRecord] = field(default_factory=list)
    # Other keys of the same source that fold into this model (LiteLLM lists one
    # model under several keys: "deepseek-chat" and "deepseek/deepseek-chat").
    aliases: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    key: str
    reason: str


@dataclass
class ParseResult:
    models: list[ModelRecord]
    skipped: list[Skipped] = field(default_factory=list)   # per-entry garbage, counted
    provider_names: dict[str, str] = field(default_factory=dict)  # slug -> display name


@dataclass
class FetchResult:
    body: bytes | None                   # None when not modified (304)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    url: str = ""


class Source(Protocol):
    # Read-only (properties): a frozen dataclass such as HttpSource is a Source.
    @property
    def name(self) -> str: ...                     # "litellm"
    @property
    def title(self) -> str: ...                    # "LiteLLM price map"
    @property
    def default_url(self) -> str: ...
    @property
    def default_interval_hours(self) -> float: ...

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult: ...

    def parse(self, payload: bytes) -> ParseResult: ...


@dataclass(frozen=True)
class HttpSource:
    """A source whose payload is one document at a URL (or a local file): most of them."""

    name: str
    title: str
    default_url: str
    default_interval_hours: float
    parser: Callable[[bytes], ParseResult]

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        from scrapers import http  # imported late: http imports this module

        return http.fetch(url, etag=etag, last_modified=last_modified)

    def parse(self, payload: bytes) -> ParseResult:
        return self.parser(payload)
