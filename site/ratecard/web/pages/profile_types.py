"""The profile page's view model: `build_profile(session, model, args)` (profile_page.py)
returns a `ProfilePage` whose sections hold every value the template shows (strings,
Decimals, dates, rows), so templates/profile/ renders `page.<section>.<field>` and calls
into no module. Amounts stay Decimal and dates stay dates: the template formats them with
the app-wide Jinja filters (money, date, unit_label…).

The sections are built in profile_page.py and profile_sections.py.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from ratecard import costs
from ratecard.content.render import RenderedContent
from ratecard.queries.catalog import ProviderRef
from ratecard.queries.facts import FactDisagreement
from ratecard.queries.held import Held

# -- the model, its header and the page's meta ------------------------------------------


@dataclass(frozen=True)
class ModelRef:
    """What a link, a feed or the alert form needs of a model."""

    name: str
    canonical_id: str
    provider: ProviderRef


@dataclass(frozen=True)
class Alias:
    source: str
    key: str
    vanished_at: dt.datetime | None


@dataclass(frozen=True)
class Header:
    model: ModelRef
    provider_url: str
    summary: str
    status_text: str
    status_class: str
    mode: str | None
    country: str | None
    regions: tuple[str, ...]
    release_date: dt.date | None
    context_window: int | None
    max_output: int | None
    modalities: str
    listed_by: tuple[str, ...]
    aliases: tuple[Alias, ...]
    fact_disagreements: tuple[FactDisagreement, ...]


@dataclass(frozen=True)
class Seo:
    title: str
    description: str
    canonical_url: str


# -- rates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OtherPrice:
    source: str
    amount: Decimal
    differs: bool                      # from the shown amount


@dataclass(frozen=True)
class RateLine:
    label: str
    unit: str
    conditions_text: str
    amount: Decimal | None             # None: no source publishes it
    source: str
    since: dt.datetime | None
    checked: dt.datetime | None        # the shown source's last successful sync
    others: tuple[OtherPrice, ...]
    disagreement_low: Decimal | None
    disagreement_high: Decimal | None

    @property
    def disagrees(self) -> bool:
        return self.disagreement_low is not None


@dataclass(frozen=True)
class GridCell:
    amount: Decimal
    source: str
    disagrees: bool
    others: tuple[OtherPrice, ...]     # only those differing from the shown amount


@dataclass(frozen=True)
class GridRow:
    quality: str | None
    cells: tuple[tuple[str | None, GridCell | None], ...]      # (size, cell) per column


@dataclass(frozen=True)
class PriceGrid:
    meter: str
    unit: str
    sizes: tuple[str | None, ...]
    rows: tuple[GridRow, ...]


@dataclass(frozen=True)
class SourceLine:
    source: str
    interval: str
    last_success: str
    last_run: str


@dataclass(frozen=True)
class Rates:
    empty: bool
    sources: tuple[str, ...]           # by precedence
    base: tuple[RateLine, ...]
    grids: tuple[PriceGrid, ...]
    tiers: tuple[RateLine, ...]
    context: tuple[RateLine, ...]
    other: tuple[RateLine, ...]
    freshness: tuple[SourceLine, ...]


# -- typical costs and the calculator -----------------------------------------------------


@dataclass(frozen=True)
class TypicalRow:
    label: str
    input_cost: str
    output_cost: str
    total: str | None                  # None: not published
    total_exact: str


@dataclass(frozen=True)
class ImageCostCell:
    amount: str
    exact: str
    tokens: int | None
    standard: bool


@dataclass(frozen=True)
class ComputedRow:
    quality: str | None
    cells: tuple[tuple[str | None, ImageCostCell | None], ...]   # (size, cell) per column


@dataclass(frozen=True)
class PublishedImage:
    quality: str | None
    size: str | None
    one: str
    hundred: str


@dataclass(frozen=True)
class StandardImage:
    option: str | None                 # its quality and size; None: the model's one price
    amount: Decimal
    exact: str
    computed: bool


@dataclass(frozen=True)
class TokenSource:
    source: str
    published: str
    checked: dt.date


@dataclass(frozen=True)
class ImageOption:
    value: str
    text: str
    price: Decimal
    selected: bool


@dataclass(frozen=True)
class EstimateLine:
    key: str
    label: str
    quantity: str
    cost: str


@dataclass(frozen=True)
class Calculator:
    shown: bool                        # the model has token or per-image prices
    calculated: bool                   # the reader submitted values
    profile_url: str
    cost_url: str
    job: costs.Job
    image_tokens_first: bool
    has_tokens: bool
    has_batch: bool
    has_images: bool
    image_tokens_field: bool           # an image output tokens field after the token fields
    options: tuple[ImageOption, ...]
    lines: tuple[EstimateLine, ...]
    total: str
    total_exact: str
    notes: str


@dataclass(frozen=True)
class Costs:
    chat_like: bool
    image_mode: bool
    typical_input: int
    typical_output: int
    conversations: tuple[TypicalRow, ...]   # one, and TYPICAL_COUNT
    missing: str | None                # what the typical total lacks, in words
    has_one_image: bool
    standard_image: StandardImage | None
    computed_sizes: tuple[str | None, ...] | None      # None: the costs are published
    computed_rows: tuple[ComputedRow, ...]
    token_source: TokenSource | None
    published_images: tuple[PublishedImage, ...]
    input_rate: Decimal | None
    output_image_rate: Decimal | None
    calculator: Calculator


# -- history, changes, capabilities ---------------------------------------------------------


@dataclass(frozen=True)
class History:
    figure_json: str | None
    svg: Markup | None
    lines: tuple[str, ...]             # "since" sentences
    meters: str                        # the charted meters, in words
    rows_html: Markup                  # the table body (hundreds of rows: written in one pass)
    row_count: int
    csv_url: str


@dataclass(frozen=True)
class ChangeLine:
    occurred_at: dt.datetime
    text: str
    source: str


@dataclass(frozen=True)
class OtherValue:
    source: str
    value: bool
    differs: bool


@dataclass(frozen=True)
class CapabilityLine:
    label: str
    value: bool
    source: str
    since: dt.datetime
    others: tuple[OtherValue, ...]


# -- availability, the last test, verdicts ----------------------------------------------------


@dataclass(frozen=True)
class WindowLine:
    label: str
    measured: bool                     # any run in this window
    availability: str
    failures: str
    latency: str
    ttft: str
    tokens_per_second: Decimal | None
    cost_per_cycle: Decimal | None


@dataclass(frozen=True)
class LastTest:
    started_iso: str
    started: str
    ok: bool
    outcome: str
    http_status: int | None
    latency: str
    tokens: str
    cost_usd: Decimal | None
    endpoint: str
    kind: str
    error: str | None


@dataclass(frozen=True)
class Availability:
    measured: bool
    paused: bool
    cap: Decimal | None
    windows: tuple[WindowLine, ...]
    latency_json: str | None
    availability_json: str | None
    failures_30d: str
    last_test: LastTest | None


@dataclass(frozen=True)
class VerdictLine:
    week_ending: dt.date
    tags: tuple[str, ...]
    sentences: tuple[str, ...]


# -- related models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ElsewhereRow:
    model: ModelRef
    url: str | None                    # None: this page
    input: Decimal | None
    output: Decimal | None
    image_from: Decimal | None


@dataclass(frozen=True)
class SimilarRow:
    model: ModelRef
    url: str
    amount: Decimal
    computed: bool
    difference: Decimal


@dataclass(frozen=True)
class Related:
    mode: str | None
    image_mode: bool
    per_image: bool
    elsewhere: tuple[ElsewhereRow, ...]            # this model first, when there are others
    similar: tuple[SimilarRow, ...]
    basis_amount: Decimal | None
    basis_unit: str
    basis_computed: bool
    any_computed: bool                             # the basis or a similar price is computed


# -- the page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfilePage:
    header: Header
    seo: Seo
    rates: Rates
    held: tuple[Held, ...]
    costs: Costs
    history: History
    changes: tuple[ChangeLine, ...]
    capabilities: tuple[CapabilityLine, ...]
    editorial: RenderedContent | None
    availability: Availability
    verdicts: tuple[VerdictLine, ...]
    live_test_url: str | None
    related: Related


@dataclass(frozen=True)
class ProfileArgs:
    """The calculator's request parameters, parsed (web/params.py): None = absent (the
    default applies), 0 = left empty. `given`: the request had any parameter at all."""

    given: bool = False
    image_option: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    cached_pct: Decimal = Decimal(0)
    batch: bool = False
    images: int | None = None
    image_tokens: int | None = None

