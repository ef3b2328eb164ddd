"""A model's profile: rates, typical costs and a calculator, price history (chart, table,
CSV), capabilities, changes, the same model elsewhere and similar models.

The CSV and cost routes are declared before the catch-all profile route; model ids may
contain slashes (openrouter/openai/gpt-4o). Any source's own key redirects (301) to the
canonical URL; an unknown id is a 404 listing the closest models.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import Response, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as BaseResponse

from ratecard import costs
from ratecard.content.render import RenderedContent
from ratecard.queries import profile as pq
from ratecard.queries.content import editorial_for_model
from ratecard.queries.rows import Model
from ratecard.queries.suggestions import Suggestion, suggestions
from ratecard.web.errors import BadParameter, problem
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_page
from ratecard.web.pages import profile_calc as calc
from ratecard.web.pages import profile_view as view
from ratecard.web.pages import profile_words as words
from ratecard.web.pages.profile_page import build_profile, standard_tokens
from ratecard.web.public import bp
from ratecard.web.session import db_session

CSV_COLUMNS = ("model", "meter", "unit", "amount", "currency", "conditions", "source",
               "valid_from", "valid_to")


# -- finding the model ----------------------------------------------------------------

class _NoSuchModel(NotFound):
    """A 404 with the models the address may have meant (web/errors.py lists them)."""

    def __init__(self, description: str, suggestions: list[Suggestion]) -> None:
        super().__init__(description)
        self.suggestions = suggestions


def _url(endpoint: str, model: Model) -> str:
    return url_for(endpoint, provider=model.provider.slug,
                   name=model.canonical_id.split("/", 1)[1])


def _resolve(endpoint: str, provider: str, name: str) -> Model | BaseResponse:
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
        raise _NoSuchModel(f"No model with id {shown!r}.",
                           suggestions(session, wanted, request_version()[0]))
    target = _url(endpoint, model)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return current_app.redirect(target, 301)


def _lookup(endpoint: str, provider: str, name: str) -> Model | BaseResponse:
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
def profile_prices_csv(provider: str, name: str) -> BaseResponse:
    model = _lookup("public.profile_prices_csv", provider, name)
    if isinstance(model, BaseResponse):
        return model
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for price in pq.price_rows(db_session(), model.id):
        writer.writerow([
            model.canonical_id, price.meter, price.unit, format(price.amount, "f"),
            price.currency, json.dumps(price.conditions(), sort_keys=True,
                                       separators=(",", ":")),
            price.source, _iso(price.valid_from), _iso(price.valid_to)])
    filename = model.canonical_id.replace("/", "_").replace(":", "_") + "_prices.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/models/<provider>/<path:name>/cost")
def profile_cost(provider: str, name: str) -> BaseResponse:
    model = _lookup("public.profile_cost", provider, name)
    if isinstance(model, BaseResponse):
        return model
    session = db_session()
    current = [p for p in pq.price_rows(session, model.id) if p.valid_to is None]
    rates = view.cost_rates(view.rate_tables(current, [], model.mode))
    try:
        job = calc.parse_job(request.args, rates, model.mode in words.IMAGE_MODES,
                             standard_tokens(model, rates))
    except BadParameter as exc:
        return problem(400, "Bad calculator input", exc.description, parameter=exc.parameter)
    fields = calc.estimate_fields(costs.estimate(rates, job))
    fields["model"] = model.canonical_id
    return jsonify(fields)


@bp.get("/models/<provider>/<path:name>")
def profile(provider: str, name: str) -> BaseResponse | str:
    model = _lookup("public.profile", provider, name)
    if isinstance(model, BaseResponse):
        return model
    session = db_session()
    editorial = editorial_for_model(session, model.id)
    if request.args:         # a calculator result: rendered for this request only
        return _render(model, editorial)
    # Same data version, editorial revision, day and address: the same HTML (kept with
    # every other page, web/page_cache.py).
    return cached_page(lambda: _render(model, editorial), "profile", request.path,
                       also=editorial.revision_id if editorial else 0)


def _render(model: Model, editorial: RenderedContent | None) -> str:
    """The page for this request's calculator arguments (a 400 names a bad one)."""
    page = build_profile(db_session(), model, calc.parse_args(request.args), editorial)
    return render_template("profile/page.html", page=page, model=page.header.model)


def _iso(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def provider_url(slug: str) -> str:
    try:
        return url_for("public.provider", slug=slug)
    except BuildError:       # the providers pages are not there yet
        return f"/providers/{slug}"
