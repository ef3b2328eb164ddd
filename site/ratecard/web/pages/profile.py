"""A model's profile: rates, typical costs and a calculator, price history (chart, table,
CSV), capabilities, changes, the same model elsewhere and similar models.

The CSV and cost routes are declared before the catch-all profile route; model ids may
contain slashes (openrouter/openai/gpt-4o). Any source's own key redirects (301) to the
canonical URL; an unknown id is a 404 listing the closest models.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json

from flask import Response, current_app, g, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError

from ratecard import charts, charts_svg, costs, image_costs, labels
from ratecard.content.render import RenderedContent
from ratecard.models import Model
from ratecard.money import display, exact_text
from ratecard.precedence import applicable
from ratecard.queries import profile as pq
from ratecard.queries import related
from ratecard.queries import verdicts as verdict_q
from ratecard.queries.content import editorial_for_model
from ratecard.queries.facts import fact_disagreements
from ratecard.queries.held import pending as held_values
from ratecard.queries.models import precedence_rank, shown_capabilities
from ratecard.queries.suggestions import suggestions
from ratecard.web.errors import BadParameter, problem
from ratecard.web.http import request_version
from ratecard.web.live_test import live_test_url
from ratecard.web.page_cache import page_cache
from ratecard.web.pages import profile_calc as calc
from ratecard.web.pages import profile_view as view
from ratecard.web.pages import profile_words as words
from ratecard.web.pages.profile_availability import availability_view
from ratecard.web.public import bp
from ratecard.web.session import db_session

CHART_METERS = 6           # meters in the history chart
CSV_COLUMNS = ("model", "meter", "unit", "amount", "currency", "conditions", "source",
               "valid_from", "valid_to")


# -- finding the model ----------------------------------------------------------------

def _url(endpoint: str, model: Model, **args: object) -> str:
    return url_for(endpoint, provider=model.provider.slug,
                   name=model.canonical_id.split("/", 1)[1], **args)


def _resolve(endpoint: str, provider: str, name: str) -> Model | Response:
    """The model at this address, a 301 to its canonical address, or a 404."""
    session = db_session()
    wanted = f"{provider}/{name}"
    model = pq.model_with_provider(session, wanted)
    if model is not None and model.canonical_id == wanted:
        return model
    if model is None:
        found = pq.alias_target(session, [wanted, wanted.lower()])
        if found is None:      # a source key without its provider: bedrock/us.anthropic.…
            bare = pq.alias_target(session, [name, name.lower()])
            if bare is not None and bare.provider.slug == provider.lower():
                found = bare
        model = found
    if model is None:
        shown = wanted if len(wanted) <= 120 else wanted[:120] + "…"
        error = NotFound(f"No model with id {shown!r}.")
        error.suggestions = suggestions(  # type: ignore[attr-defined]
            session, wanted, request_version()[0])
        raise error
    target = _url(endpoint, model)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return current_app.redirect(target, 301)


def _lookup(endpoint: str, provider: str, name: str) -> Model | Response:
    """As _resolve; the CSV and cost routes also hand a model literally named
    '…/prices.csv' or '…/cost' over to the profile."""
    try:
        return _resolve(endpoint, provider, name)
    except NotFound:
        if endpoint == "public.profile":      # its last path part is already in `name`
            raise
        suffix = request.path.rsplit("/", 1)[-1]
        if pq.model_with_provider(db_session(), f"{provider}/{name}/{suffix}") is not None:
            return _resolve("public.profile", provider, f"{name}/{suffix}")
        raise


# -- routes -----------------------------------------------------------------------------

@bp.get("/models/<provider>/<path:name>/prices.csv")
def profile_prices_csv(provider: str, name: str) -> Response:
    model = _lookup("public.profile_prices_csv", provider, name)
    if isinstance(model, Response):
        return model
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for price in pq.price_rows(db_session(), model.id):
        writer.writerow([
            model.canonical_id, price.meter, price.unit, exact_text(price.amount),
            price.currency, json.dumps(price.conditions(), sort_keys=True,
                                       separators=(",", ":")),
            price.source, _iso(price.valid_from), _iso(price.valid_to)])
    filename = model.canonical_id.replace("/", "_").replace(":", "_") + "_prices.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/models/<provider>/<path:name>/cost")
def profile_cost(provider: str, name: str) -> Response:
    model = _lookup("public.profile_cost", provider, name)
    if isinstance(model, Response):
        return model
    session = db_session()
    current = [p for p in pq.price_rows(session, model.id) if p.valid_to is None]
    rates = view.cost_rates(view.rate_tables(current, [], model.mode))
    try:
        job = calc.parse_job(request.args, rates, model.mode in words.IMAGE_MODES,
                             _standard_tokens(model, rates))
    except BadParameter as exc:
        return problem(400, "Bad calculator input", exc.description, parameter=exc.parameter)
    fields = calc.estimate_fields(costs.estimate(rates, job))
    fields["model"] = model.canonical_id
    return current_app.json.response(fields)


@bp.get("/models/<provider>/<path:name>")
def profile(provider: str, name: str) -> Response | str:
    model = _lookup("public.profile", provider, name)
    if isinstance(model, Response):
        return model
    session = db_session()
    editorial = editorial_for_model(session, model.id)
    if request.args:         # a calculator result: rendered for this request only
        return render_template("profile/page.html", **profile_context(model, editorial))
    # Same data version, editorial revision, day and address: the same HTML. Shared with
    # the catalog's bounded per-process cache (web/pages/catalog.py).
    version = g.get("data_etag") or request_version()[0]     # set by web/http.py
    key = ("profile", version, str(editorial.revision_id if editorial else 0),
           dt.datetime.now(dt.UTC).date().isoformat(), request.url_root, request.path)
    cache = page_cache()
    page = cache.get(key)
    if page is None:
        page = render_template("profile/page.html", **profile_context(model, editorial))
        cache.put(key, page)
    return page


def _one_image(model: Model, rates: costs.Rates) -> list[image_costs.ImageCost]:
    """One image at each quality and size: published, or computed from the provider's
    image-token counts (image models only)."""
    if model.mode not in words.IMAGE_MODES:
        return []
    return image_costs.image_costs(model.canonical_id, rates.images, rates.output_image)


def _computed_grid(one_image: list[image_costs.ImageCost]
                   ) -> tuple[list[str | None], list[str | None],
                              dict[image_costs.Option, image_costs.ImageCost]] | None:
    """Computed costs as quality (rows) x size (columns), for the typical-cost table; None
    when the figures are published (they keep their list, cheapest first)."""
    if not one_image or not all(c.computed for c in one_image):
        return None
    cells = {c.option: c for c in one_image}
    qualities = sorted({q for q, _ in cells}, key=lambda q: (
        view.QUALITY_ORDER.get(q or "", 50), q or ""))
    sizes = sorted({s for _, s in cells}, key=view.size_key)
    return qualities, sizes, cells


def _standard_tokens(model: Model, rates: costs.Rates) -> int:
    """The calculator's default image output tokens: a standard image's, where its cost is
    computed from tokens (a model billed by the image token); else none."""
    found = image_costs.standard(_one_image(model, rates))
    return (found.tokens or 0) if found is not None and found.computed else 0


def _iso(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def provider_url(slug: str) -> str:
    try:
        return url_for("public.provider", slug=slug)
    except BuildError:       # the providers pages are not there yet
        return f"/providers/{slug}"


def profile_context(model: Model, editorial: RenderedContent | None) -> dict[str, object]:
    session = db_session()
    now = dt.datetime.now(dt.UTC)
    cached_money = functools.lru_cache(maxsize=None)(display)   # hundreds of history cells
    rows, price_sources = pq.profile_rows(session, model.id)   # current + base history
    # A source's placeholder for a meter this kind of model has not (an embedding's output)
    # is neither a rate nor a history to chart.
    rows = [p for p in rows if applicable(p.meter, model.mode)]
    current = [p for p in rows if p.valid_to is None]
    tables = view.rate_tables(current, pq.disagreements(session, model.id), model.mode)
    rates = view.cost_rates(tables)
    one_image = _one_image(model, rates)
    standard_image = image_costs.standard(one_image)
    job = calc.parse_job(request.args, rates, model.mode in words.IMAGE_MODES,
                         _standard_tokens(model, rates))
    caps = pq.capabilities(session, model.id)
    shown_caps = shown_capabilities(caps)
    aliases = pq.aliases(session, model.id)
    sources = sorted(price_sources | {a.source for a in aliases},
                     key=lambda s: (precedence_rank(s), s))
    runs = pq.source_runs(session, sources)

    version = request_version()[0]
    elsewhere = related.same_model_elsewhere(session, model, version=version)
    heads = related.headlines(session, [model.id] + [m.id for m in elsewhere],
                              images=model.mode in words.IMAGE_MODES)
    own = heads.get(model.id, related.Headline())
    # Image models are compared by the cost of one standard image (published or computed),
    # never by their prompt price: every gpt-image model costs $5 per 1M input tokens.
    per_image = model.mode in words.IMAGE_MODES
    basis = related.standard_quote(model, standard_image) if per_image else own.input
    similar = [] if basis is None else related.similar_models(
        session, model, basis.amount, per_image, {m.id for m in elsewhere},
        version=version)

    # The chart: standard-condition prices of up to CHART_METERS meters, one panel per
    # unit; first as an SVG drawn here, the interactive figure only when the reader gets
    # there; beneath it exactly the same rows as a table.
    series = sorted({(p.meter, p.unit) for p in rows if p.conditions_key == ""},
                    key=lambda mu: (view.meter_sort(mu[0]), mu[1] != "1M_tokens", mu))
    series = series[:CHART_METERS]
    charted = set(series)
    base_history = [p for p in rows if p.conditions_key == "" and (p.meter, p.unit) in charted]
    segments = [charts.Segment(p.meter, p.unit, p.source, p.amount, p.valid_from, p.valid_to)
                for p in base_history]
    figure = charts.history_figure(
        segments, now=now, order=series, meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    history_svg = charts_svg.history_svg(
        segments, now=now, ident="history-svg", order=series, rank=precedence_rank,
        title=f"Price history of {model.name}", meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    history_words = charts_svg.since_lines(
        segments, order=series, rank=precedence_rank, meter_label=labels.meter_label,
        unit_label=labels.unit_label, source_label=labels.source_label, money=cached_money)
    history_table = sorted(base_history, key=lambda p: (
        view.meter_sort(p.meter), p.unit, precedence_rank(p.source), p.valid_from))

    summary = words.summary(model, tables, shown_caps, rates)
    status_text, status_class = words.status(model, now.date())
    path_name = model.canonical_id.split("/", 1)[1]
    return {
        "model": model, "summary": summary, "status_text": status_text,
        "status_class": status_class, "modalities": labels.modality_text(model),
        "fact_disagreements": fact_disagreements(session, model),
        "provider_url": provider_url(model.provider.slug),
        "listed_by": sorted({a.source for a in aliases if a.vanished_at is None},
                            key=precedence_rank),
        "aliases": aliases, "tables": tables, "runs": runs,
        "intervals": current_app.config.get("SYNC_INTERVAL_HOURS", {}),
        "rates": rates, "job": job, "calculated": bool(request.args),
        "estimate": calc.estimate_fields(costs.estimate(rates, job)),
        "conversation": costs.conversation(rates),
        "conversations": costs.conversation(rates, costs.TYPICAL_COUNT),
        "image_costs": costs.image_costs(rates),
        "one_image": one_image, "standard_image": standard_image,
        "computed_grid": _computed_grid(one_image),
        "token_table": image_costs.token_table(model.canonical_id),
        "chat_like": model.mode in words.CHAT_LIKE or (model.mode is None and rates.has_tokens),
        "image_mode": model.mode in words.IMAGE_MODES,
        "figure_json": charts.figure_json(figure) if figure else None,
        "history_svg": history_svg, "history_words": history_words,
        "history_meters": [labels.meter_label(m) for m, _ in series],
        "history_table": history_table,
        "capabilities": sorted(shown_caps.values(), key=lambda c: (not c.value, c.name)),
        "other_caps": {c.name: [o for o in caps if o.name == c.name and o is not c]
                       for c in shown_caps.values()},
        "changes": pq.recent_changes(session, model.id),
        "availability": availability_view(session, model.id, now),
        "verdicts": verdict_q.for_model(session, model.id),
        "live_test_url": live_test_url(model),
        "held": held_values(session, model.id),
        "editorial": editorial,
        "elsewhere": elsewhere, "headlines": heads, "similar": similar,
        "per_image": per_image, "basis": basis,
        "csv_url": _url("public.profile_prices_csv", model),
        "cost_url": _url("public.profile_cost", model),
        "profile_url": _url("public.profile", model),
        "canonical_url": url_for("public.profile", provider=model.provider.slug,
                                 name=path_name, _external=True),
        "view": view, "words": words, "costs": costs, "option_value": calc.option_value,
        "shown_money": calc.shown_money, "exact": exact_text, "now": now, "m": cached_money,
    }
