"""API answers kept per data version, as pages are (web/page_cache.py): the same version, day,
address and query give the same JSON, so a GET is computed once per worker until a sync or
a decision changes the data. Only 200 answers of data-versioned operations are kept (an
alert subscription's state is not: it drops the data ETag)."""
from __future__ import annotations

from flask import Response, g, request

from ratecard.cache import current_cache
from ratecard.web.api import bp
from ratecard.web.page_cache import page_key
from ratecard.web.params import request_key


def _key() -> tuple[str, ...]:
    return page_key("api", request_key())


@bp.before_request
def _cached() -> Response | None:
    if request.method not in ("GET", "HEAD") or "data_etag" not in g:
        return None
    body = current_cache().find("pages", g.data_etag, _key())
    if not isinstance(body, str):
        return None
    g.api_cache_hit = True
    return Response(body, mimetype="application/json")


@bp.after_request
def _keep(response: Response) -> Response:
    # Blueprint hooks run before the app's: the body is still plain JSON here (not gzip).
    if (request.method == "GET" and response.status_code == 200 and "data_etag" in g
            and not g.get("api_cache_hit") and response.mimetype == "application/json"
            and not response.direct_passthrough):
        current_cache().put("pages", g.data_etag, response.get_data(as_text=True), _key())
    return response
