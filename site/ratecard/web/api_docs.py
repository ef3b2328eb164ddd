"""The API's own description: the OpenAPI document (data/openapi.yaml, kept beside the code
and checked against it by tests/web/test_api_openapi.py) at /api/v1/openapi.json, and a page
at /api/ rendered from it on the server (no script, nothing from a CDN)."""
from __future__ import annotations

import copy

from flask import Response, jsonify, render_template
from flask.blueprints import BlueprintSetupState

from ratecard.web.api import bp
from ratecard.web.openapi_spec import _resolve, operations, spec


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(spec())


def _page() -> str:
    ops = []
    for (_op_id, method), (path, operation) in operations().items():
        params = [_resolve(p) for p in operation.get("parameters", [])]
        ops.append({"method": method.upper(), "path": "/api/v1" + path, "op": operation,
                    "params": params, "tag": (operation.get("tags") or [""])[0]})
    return render_template("api/docs.html", info=copy.deepcopy(spec()["info"]), ops=ops)


def _register_page(state: BlueprintSetupState) -> None:
    # /api/ sits beside the /api/v1 prefix: an app-level rule, added when the API is.
    state.app.add_url_rule("/api/", "api_docs_page", _page)


bp.record_once(_register_page)
