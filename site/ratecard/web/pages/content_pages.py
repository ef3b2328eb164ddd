"""Editorial pages (/about, /methodology, /guides/<slug>) and illustrations (/media/<name>)."""
from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ratecard.queries import content as q
from ratecard.web import params
from ratecard.web.public import bp
from ratecard.web.session import db_session

YEAR = 365 * 24 * 3600
# Served images never need anything else, and never run anything.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _page(path: str, endpoint: str, slug: str) -> str | BaseResponse:
    if path != path.lower():
        if q.page_by_slug(db_session(), "page", path.lower()) is None:
            abort(404)
        return redirect(url_for(endpoint, slug=slug.lower()), 301)
    page = q.published(db_session(), "page", path)
    if page is None:
        abort(404)
    return render_template("content/page.html", page=page)


@bp.get("/<slug>")
def content_page(slug: str) -> str | BaseResponse:
    return _page(slug, "public.content_page", slug)


@bp.get("/guides/<slug>")
def guide(slug: str) -> str | BaseResponse:
    return _page(f"guides/{slug}", "public.guide", slug)


@bp.get("/guides")
def guides() -> str:
    return render_template("content/guides.html", guides=q.guides(db_session()))


@bp.get("/media/<name>")
def media(name: str) -> BaseResponse:
    # Media carry their own validator (the sha256 of the bytes), not the data version.
    g.pop("data_etag", None)
    row = q.media_file(db_session(), name)
    if row is None:
        abort(404)
    response = Response(row.data, mimetype=row.content_type)
    response.set_etag(row.sha256)
    version = params.text("v", 64) or ""
    if version and row.sha256.startswith(version):
        # The rendered pages link /media/<name>?v=<sha prefix>: a new image is a new URL.
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["Content-Disposition"] = f'inline; filename="{row.name}"'
    return response.make_conditional(request)
