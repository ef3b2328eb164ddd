"""robots.txt and sitemap.xml: every model and provider page plus the main pages."""
from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Response, request, url_for

from ratecard.queries import catalog
from ratecard.queries.sitemap import published_pages, sitemap_entries
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session
from ratecard.web.urls import profile_path, profile_root

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
    entries = sitemap_entries(session)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']

    def add(path: str, lastmod: str | None = None) -> None:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(_absolute(path))}</loc>{mod}</url>")

    newest = max((day for _, _, day in entries if day), default=None)    # ISO days
    for endpoint in MAIN_PAGES:
        add(url_for(endpoint), newest)
    pages = published_pages(session)
    guides = [slug.removeprefix("guides/") for slug in pages if slug.startswith("guides/")]
    for slug in pages:
        if not slug.startswith("guides/"):
            add(url_for("public.content_page", slug=slug))
    if guides:
        add(url_for("public.guides"))
    for slug in guides:
        add(url_for("public.guide", slug=slug))
    for slug, _name in catalog.providers(session):
        add(url_for("public.provider", slug=slug))
    # Thousands of models: url_for's prefix once (profile_path), days formatted in SQL.
    root, models = _absolute(""), profile_root()
    for slug, canonical_id, day in entries:
        mod = f"<lastmod>{day}</lastmod>" if day else ""
        lines.append(f"<url><loc>{escape(root + profile_path(slug, canonical_id, models))}</loc>"
                     f"{mod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
