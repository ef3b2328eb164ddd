"""API: providers (queries.providers), with model counts, modes and shown price ranges."""
from __future__ import annotations

from flask import Response, jsonify, url_for

from ratecard.labels import provider_name
from ratecard.models import Provider
from ratecard.money import exact_text
from ratecard.queries import providers as q
from ratecard.web.api import bp
from ratecard.web.errors import problem
from ratecard.web.session import db_session


def _range(found: q.PriceRange) -> dict[str, object]:
    return {"low": exact_text(found.low), "high": exact_text(found.high),
            "priced_models": found.priced}


def _provider_json(provider: Provider) -> dict[str, object]:
    return {"slug": provider.slug, "name": provider_name(provider),
            "country": provider.country, "homepage": provider.homepage}


def _links(slug: str) -> dict[str, str]:
    return {"self": url_for("api.provider_detail", slug=slug),
            "models": url_for("api.models", provider=slug, deprecated="on")}


@bp.get("/providers")
def providers() -> Response:
    rows = []
    for summary in sorted(q.summaries(db_session()),
                          key=lambda s: provider_name(s.provider).lower()):
        rows.append(dict(_provider_json(summary.provider), models=summary.models,
                         modes=summary.mode_list, input_price=_range(summary.input),
                         links=_links(summary.provider.slug)))
    return jsonify({"providers": rows, "total": len(rows)})


@bp.get("/providers/<slug>")
def provider_detail(slug: str) -> Response:
    session = db_session()
    found = q.provider_by_slug(session, slug) if len(slug) <= 80 else None
    if found is None:
        return problem(404, "Unknown provider", f"No provider with the slug {slug[:80]!r}.")
    detail = q.summary(session, found)
    return jsonify(dict(_provider_json(found), models=detail.models,
                        deprecated_models=detail.deprecated,
                        modes=[mode for mode, _ in detail.modes.most_common()],
                        input_price=_range(detail.input), output_price=_range(detail.output),
                        links=_links(found.slug)))
