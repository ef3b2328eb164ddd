"""A model's profile page, built: `build_profile(session, model, args) -> ProfilePage`.

Every value templates/profile/ shows is worked out here (or in profile_sections.py, which
shapes without reading): the template renders `page.<section>.<field>`.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal

from flask import current_app, g, url_for

from ratecard import change_words, costs, image_costs, labels
from ratecard.charts import prices as price_chart
from ratecard.charts import svg as svg_chart
from ratecard.content.render import RenderedContent
from ratecard.labels import provider_name
from ratecard.money import display as money
from ratecard.precedence import applicable
from ratecard.queries import profile as pq
from ratecard.queries import related
from ratecard.queries import verdicts as verdict_q
from ratecard.queries.facts import fact_disagreements
from ratecard.queries.held import pending as held_values
from ratecard.queries.models import precedence_rank, shown_capabilities
from ratecard.queries.page_store import SimilarShown
from ratecard.queries.rows import Model, Session
from ratecard.web.http import request_version
from ratecard.web.live_test import live_test_url
from ratecard.web.pages import profile_calc as calc
from ratecard.web.pages import profile_sections as sections
from ratecard.web.pages import profile_view as view
from ratecard.web.pages import profile_words as words
from ratecard.web.pages.profile_availability import availability_view
from ratecard.web.pages.profile_types import (
    Alias,
    CapabilityLine,
    ChangeLine,
    ElsewhereRow,
    Header,
    History,
    ModelRef,
    OtherValue,
    ProfileArgs,
    ProfilePage,
    ProviderRef,
    Related,
    Seo,
    SimilarRow,
    VerdictLine,
)

__all__ = ["ProfileArgs", "ProfilePage", "build_profile", "model_ref"]

CHART_METERS = 6           # meters in the history chart


def _path_name(model: Model) -> str:
    return model.canonical_id.split("/", 1)[1]


def _url(endpoint: str, model: Model) -> str:
    return url_for(endpoint, provider=model.provider.slug, name=_path_name(model))


def model_ref(model: Model) -> ModelRef:
    return ModelRef(model.name, model.canonical_id,
                    ProviderRef(model.provider.slug, provider_name(model.provider)))


def one_image(model: Model, rates: costs.Rates) -> list[image_costs.ImageCost]:
    """One image at each quality and size: published, or computed from the provider's
    image-token counts (image models only)."""
    if model.mode not in words.IMAGE_MODES:
        return []
    return image_costs.image_costs(model.canonical_id, rates.images, rates.output_image)


def standard_tokens(model: Model, rates: costs.Rates) -> int:
    """The calculator's default image output tokens: a standard image's, where its cost is
    computed from tokens (a model billed by the image token); else none."""
    found = image_costs.standard(one_image(model, rates))
    return (found.tokens or 0) if found is not None and found.computed else 0


def provider_url(slug: str) -> str:
    from ratecard.web.pages.profile import provider_url as url
    return url(slug)


def build_profile(session: Session, model: Model, args: ProfileArgs,
                  editorial: RenderedContent | None = None) -> ProfilePage:
    """The profile of `model` for these calculator arguments (BadParameter for an image
    option the model has not). `editorial`: the model's published content, if any."""
    now = dt.datetime.now(dt.UTC)
    cached_money = functools.lru_cache(maxsize=None)(money)   # hundreds of history cells
    rows, price_sources = pq.profile_rows(session, model.id)   # current + base history
    # A source's placeholder for a meter this kind of model has not (an embedding's output)
    # is neither a rate nor a history to chart.
    rows = [p for p in rows if applicable(p.meter, model.mode)]
    current = [p for p in rows if p.valid_to is None]
    tables = view.rate_tables(current, pq.disagreements(session, model.id), model.mode)
    rates = view.cost_rates(tables)
    images = one_image(model, rates)
    standard_image = image_costs.standard(images)
    image_mode = model.mode in words.IMAGE_MODES
    job = calc.job_for(args, rates, image_mode, standard_tokens(model, rates))
    caps = pq.capabilities(session, model.id)
    shown_caps = shown_capabilities(caps)
    aliases = pq.aliases(session, model.id)
    sources = sorted(price_sources | {a.source for a in aliases},
                     key=lambda s: (precedence_rank(s), s))
    runs = pq.source_runs(session, sources)

    summary = words.summary(model, tables, shown_caps, rates)
    status_text, status_class = words.status(model, now.date())
    ref = model_ref(model)
    header = Header(
        model=ref, provider_url=provider_url(model.provider.slug), summary=summary,
        status_text=status_text, status_class=status_class, mode=model.mode,
        country=model.provider.country, regions=tuple(model.regions or ()),
        release_date=model.release_date, context_window=model.context_window,
        max_output=model.max_output, modalities=labels.modality_text(model),
        listed_by=tuple(sorted({a.source for a in aliases if a.vanished_at is None},
                               key=precedence_rank)),
        aliases=tuple(Alias(a.source, a.key, a.vanished_at) for a in aliases),
        fact_disagreements=tuple(fact_disagreements(session, model)))
    seo = Seo(title=f"{model.name} ({ref.provider.name}): prices and capabilities",
              description=f"{summary} Every price with its source and date.",
              canonical_url=url_for("public.profile", provider=model.provider.slug,
                                    name=_path_name(model), _external=True))
    return ProfilePage(
        header=header, seo=seo,
        rates=sections.rates(tables, runs, current_app.config.get("SYNC_INTERVAL_HOURS", {})),
        held=tuple(held_values(session, model.id)),
        costs=sections.typical_costs(
            model.canonical_id, rates, job,
            chat_like=model.mode in words.CHAT_LIKE or (model.mode is None and rates.has_tokens),
            image_mode=image_mode, one_image=images, standard=standard_image,
            calculated=args.given, profile_url=_url("public.profile", model),
            cost_url=_url("public.profile_cost", model)),
        history=_history(model, rows, now, cached_money),
        changes=tuple(ChangeLine(e.occurred_at, change_words.words(e), e.source)
                      for e in pq.recent_changes(session, model.id)),
        capabilities=tuple(
            CapabilityLine(labels.capability_label(c.name), c.value, c.source, c.valid_from,
                           tuple(OtherValue(o.source, o.value, o.value != c.value)
                                 for o in caps if o.name == c.name and o is not c))
            for c in sorted(shown_caps.values(), key=lambda c: (not c.value, c.name))),
        editorial=editorial,
        availability=sections.availability(availability_view(session, model.id, now)),
        verdicts=tuple(VerdictLine(v.week_ending, tuple(v.tags or ()),
                                   tuple(v.sentences or ()))
                       for v in verdict_q.for_model(session, model.id)),
        live_test_url=live_test_url(model),
        related=_related(session, model, ref, standard_image))


def _history(model: Model, rows: list[pq.PriceRow], now: dt.datetime,
             cached_money: Callable[[Decimal], str]) -> History:
    """The chart: standard-condition prices of up to CHART_METERS meters, one panel per
    unit; first as an SVG drawn here, the interactive figure only when the reader gets
    there; beneath it exactly the same rows as a table."""
    series = sorted({(p.meter, p.unit) for p in rows if p.conditions_key == ""},
                    key=lambda mu: (view.meter_sort(mu[0]), mu[1] != "1M_tokens", mu))
    series = series[:CHART_METERS]
    charted = set(series)
    base_history = [p for p in rows if p.conditions_key == "" and (p.meter, p.unit) in charted]
    segments = [price_chart.Segment(p.meter, p.unit, p.source, p.amount, p.valid_from, p.valid_to)
                for p in base_history]
    # The charts run to the start of today (UTC), not to the second of the request: the same
    # data renders the same page all day (the page caches and `ratecard export-site`).
    now = dt.datetime.combine(now.date(), dt.time(), dt.UTC)
    figure = price_chart.history_figure(
        segments, now=now, order=series, meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    svg = svg_chart.history_svg(
        segments, now=now, ident="history-svg", order=series, rank=precedence_rank,
        title=f"Price history of {model.name}", meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    lines = svg_chart.since_lines(
        segments, order=series, rank=precedence_rank, meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    table = sorted(base_history, key=lambda p: (
        view.meter_sort(p.meter), p.unit, precedence_rank(p.source), p.valid_from))
    return History(
        figure_json=price_chart.figure_json(figure) if figure else None, svg=svg,
        lines=tuple(lines), meters=", ".join(labels.meter_label(m) for m, _ in series).lower(),
        rows_html=view.history_rows_html(table, cached_money), row_count=len(table),
        csv_url=_url("public.profile_prices_csv", model))


def _related(session: Session, model: Model, ref: ModelRef,
             standard_image: image_costs.ImageCost | None) -> Related:
    version = request_version()[0]
    image_mode = model.mode in words.IMAGE_MODES
    elsewhere = related.same_model_elsewhere(session, model, version=version)
    heads = related.headlines(session, [model.id] + [m.id for m in elsewhere],
                              images=image_mode)
    own = heads.get(model.id, related.Headline())
    # Image models are compared by the cost of one standard image (published or computed),
    # never by their prompt price: every gpt-image model costs $5 per 1M input tokens.
    per_image = image_mode
    basis = related.standard_quote(model, standard_image) if per_image else own.input
    similar = [] if basis is None else related.similar_models(
        session, model, basis.amount, per_image, {m.id for m in elsewhere},
        version=version)
    if basis is not None:     # what the page store keeps of it (web/page_store.py)
        g.similar_shown = SimilarShown(model.id, per_image, basis.amount,
                                       tuple((m.id, price.amount) for m, price in similar))

    def row(m: Model) -> ElsewhereRow:
        h = heads.get(m.id)
        return ElsewhereRow(
            ref if m.id == model.id else model_ref(m),
            None if m.id == model.id else _url("public.profile", m),
            h.input.amount if h and h.input else None,
            h.output.amount if h and h.output else None,
            h.image_from.amount if h and h.image_from else None)

    return Related(
        mode=model.mode, image_mode=image_mode, per_image=per_image,
        elsewhere=tuple(row(m) for m in [model, *elsewhere]) if elsewhere else (),
        similar=tuple(SimilarRow(model_ref(m), _url("public.profile", m), price.amount,
                                 price.computed,
                                 price.amount - basis.amount if basis else price.amount)
                      for m, price in similar),
        basis_amount=basis.amount if basis else None,
        basis_unit=basis.unit if basis else "",
        basis_computed=bool(basis and basis.computed),
        any_computed=bool(basis and basis.computed) or any(p.computed for _, p in similar))
