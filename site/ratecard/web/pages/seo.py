"""robots.txt and sitemap.xml: every model and provider page plus the main pages."""
from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Response, request, url_for

from ratecard.queries import catalog, changes, listing
from ratecard.web.formatting import date
from ratecard.web.pages.catalog import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session

MAIN_PAGES = ("public.home", "public.catalog", "public.providers", "public.compare",
              "public.changes")


def _absolute(path: str) -> str:
    return request.url_root.rstrip("/") + path


@bp.get("/robots.txt")
def robots() -> Response:
    body = "User-agent: *\nAllow: /\n\nSitemap: " + _absolute(url_for("public.sitemap")) + "\n"
    return Response(body, mimetype="text/plain")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    return Response(cached_page(_sitemap), mimetype="application/xml")


def _sitemap() -> str:
    session = db_session()
    changed = changes.last_event_per_model(session)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']

    def add(path: str, lastmod: str | None = None) -> None:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(_absolute(path))}</loc>{mod}</url>")

    newest = max(changed.values(), default=None)
    for endpoint in MAIN_PAGES:
        add(url_for(endpoint), date(newest) if newest else None)
    for slug, _name in listing.providers(session):
        add(url_for("public.provider", slug=slug))
    for model_id, slug, canonical_id in catalog.models_for_sitemap(session):
        when = changed.get(model_id)
        add(url_for("public.profile", provider=slug, name=canonical_id.split("/", 1)[1]),
            date(when) if when else None)
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
