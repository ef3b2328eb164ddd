"""Compare (/compare?models=a,b,…): 2–6 models side by side, rates, capabilities, typical
costs and one chart overlaying their price histories."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import redirect, render_template, url_for
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from ratecard import costs
from ratecard.charts.compare import Segment, Series, overlay_figure, shown_history
from ratecard.labels import METER_LABELS, provider_name
from ratecard.queries import compare as q
from ratecard.queries.models import shown_capabilities, shown_prices
from ratecard.queries.rows import Capability, Model, Price
from ratecard.queries.search import Entry, resolve, search_index
from ratecard.queries.shown import image_only
from ratecard.queries.version import derived
from ratecard.web import params
from ratecard.web.errors import BadParameter
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session
from scrapers.vocabulary import IMAGE_MODES

MIN_MODELS, MAX_MODELS = 2, 6
METER_ORDER = {meter: i for i, meter in enumerate(METER_LABELS)}
UNIT_ORDER = {"1M_tokens": 0, "image": 1}
PriceKey = tuple[str, str, str]
# What was typed into the picker and the models it may mean, when it named no one model.
Typed = tuple[str, list[Entry]] | None


@dataclass
class RateRow:
    meter: str
    unit: str
    conditions: dict[str, object]
    cells: list[Price | None]

    @property
    def low(self) -> Decimal | None:
        """The lowest amount, when at least two differ (for highlighting)."""
        amounts = {cell.amount for cell in self.cells if cell is not None}
        return min(amounts) if len(amounts) > 1 else None


@dataclass
class Column:
    model: Model
    label: str                # the name, with the provider when two models share it
    prices: dict[PriceKey, Price]
    capabilities: dict[str, Capability]
    conversation: Decimal | None = None
    thousand: Decimal | None = None
    per_image: Decimal | None = None
    image_options: int = 0


def labels(models: list[Model]) -> list[str]:
    names = [m.name for m in models]
    return [f"{m.name} ({provider_name(m.provider)})" if names.count(m.name) > 1 else m.name
            for m in models]


def requested_ids() -> list[str]:
    """The `models` parameter: comma-separated canonical ids, order kept, duplicates dropped."""
    return params.id_list("models", MAX_MODELS)


def compare_url(ids: list[str]) -> str:
    return url_for("public.compare", models=",".join(ids) or None)


def _rate_rows(columns: list[Column]) -> list[RateRow]:
    keys: dict[PriceKey, dict[str, object]] = {}
    for column in columns:
        for key, price in column.prices.items():
            keys.setdefault(key, price.conditions())
    order = sorted(keys, key=lambda k: (METER_ORDER.get(k[0], 99), k[0],
                                        UNIT_ORDER.get(k[1], 9), k[1], k[2] != "", k[2]))
    return [RateRow(meter, unit, keys[(meter, unit, ckey)],
                    [c.prices.get((meter, unit, ckey)) for c in columns])
            for meter, unit, ckey in order]


def _costs(column: Column) -> None:
    base = {k[0]: p.amount for k, p in column.prices.items() if k[1] == "1M_tokens" and not k[2]}
    rates = costs.Rates(input=base.get("input"), output=base.get("output"))
    if rates.has_tokens and column.model.mode not in IMAGE_MODES:
        # an image model is priced per image below, never as a text conversation
        one = costs.conversation(rates)
        column.conversation = one.total
        column.thousand = costs.conversation(rates, 1000).total
    images = [p.amount for k, p in column.prices.items()
              if k[0] == "image" and k[1] == "image" and image_only(k[2])]
    if images:
        column.per_image = min(images)
        column.image_options = len(images)


def _chart(columns: list[Column], today: dt.date
           ) -> tuple[dict[str, object], list[tuple[Column, str, Segment]]]:
    # shown_history draws the source shown now: the one of the shown current base price
    # (column.prices); only without one does it need every source's rows to choose.
    wanted: dict[tuple[int, str], str | None] = {}
    for column in columns:
        for meter in ("input", "output"):
            shown = column.prices.get((meter, "1M_tokens", ""))
            wanted[(column.model.id, meter)] = shown.source if shown is not None else None
    by_model: dict[tuple[int, str], list[q.BaseRow]] = defaultdict(list)
    for row in q.base_history_of(db_session(), wanted):
        by_model[(row.model_id, row.meter)].append(row)
    series: list[Series] = []
    table: list[tuple[Column, str, Segment]] = []
    for column in columns:
        for meter in ("input", "output"):
            segments = shown_history(by_model.get((column.model.id, meter), []))
            series.append(Series(column.label, meter, tuple(segments)))
            table.extend((column, meter, seg) for seg in segments)
    return overlay_figure(series, today, [c.label for c in columns]), table


def model_options() -> Markup:
    """The picker's suggestions, <option> per model: its id as the value and its name as the
    label (browsers match what is typed against both). The same for every comparison at a
    data version, so built once per version (thousands of ids to escape)."""
    session = db_session()
    return derived(session, "compare options", request_version()[0], lambda: Markup("".join(
        f'<option value="{escape(i)}">' if name == i.split("/", 1)[-1] else
        f'<option value="{escape(i)}" label="{escape(name)}">'
        for i, name in q.model_names(session))))


def _picker(ids: list[str], models: dict[str, Model], typed: Typed) -> str:
    return render_template("compare/index.html", columns=[], chosen=[models[i] for i in ids],
                           ids=ids, model_options=model_options(), compare_url=compare_url,
                           min_models=MIN_MODELS, max_models=MAX_MODELS, typed=typed)


@bp.get("/compare")
def compare() -> str | Response:
    return cached_page(_compare)


def _compare() -> str | Response:
    session = db_session()
    ids = requested_ids()
    models = q.models_by_ids(session, ids)
    unknown = [i for i in ids if i not in models]
    if unknown:
        raise BadParameter("models", "no model with the id " + ", ".join(
            repr(i[:100]) for i in unknown[:MAX_MODELS]))
    added = params.text("add", 255)
    typed: Typed = None
    if added is not None:
        found = _add(ids, added)
        if not isinstance(found, tuple):
            return found
        typed = found
    if len(ids) < MIN_MODELS:
        return _picker(ids, models, typed)
    chosen = [models[i] for i in ids]
    prices = q.current_prices_for(session, [m.id for m in chosen])
    caps = q.current_capabilities_for(session, [m.id for m in chosen])
    columns = [Column(m, label, shown_prices(prices[m.id]), shown_capabilities(caps[m.id]))
               for m, label in zip(chosen, labels(chosen), strict=True)]
    for column in columns:
        _costs(column)
    today = dt.datetime.now(dt.UTC).date()
    figure, history = _chart(columns, today)
    cap_names = sorted({name for c in columns for name, cap in c.capabilities.items()
                        if cap.value})
    return render_template(
        "compare/index.html", columns=columns, chosen=chosen, ids=ids,
        rate_rows=_rate_rows(columns), capability_names=cap_names, figure=figure,
        history=history, model_options=model_options(), min_models=MIN_MODELS,
        max_models=MAX_MODELS, typical=(costs.TYPICAL_INPUT, costs.TYPICAL_OUTPUT),
        rounded=costs.rounded, compare_url=compare_url, image_modes=IMAGE_MODES, typed=typed)


def _add(ids: list[str], typed: str) -> Response | tuple[str, list[Entry]]:
    """Add a typed id or name: an id, or a name that picks one model (queries.search's
    resolve), is added (303 to the new comparison); anything else comes back with the
    models it may mean, shown as choices on the compare page (never an error page)."""
    wanted = typed.lower()
    if wanted not in ids:
        session = db_session()
        if q.models_by_ids(session, [wanted]).get(wanted) is None:
            found = resolve(search_index(session, request_version()[0]), typed)
            if found.canonical_id is None:
                return typed, [c for c in found.choices if c.canonical_id not in ids]
            wanted = found.canonical_id
    if wanted not in ids:
        if len(ids) >= MAX_MODELS:
            raise BadParameter("add", f"compare at most {MAX_MODELS} models: remove one first")
        ids = [*ids, wanted]
    return redirect(compare_url(ids), code=303)
