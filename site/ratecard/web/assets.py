"""Static assets under fingerprinted URLs with a long cache lifetime.

Our own CSS/JS and plotly.js (from the installed plotly package: no CDN, nothing
fetched from outside at run time) are served as /assets/<hash>/<name>.
"""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, url_for

bp = Blueprint("assets", __name__)
STATIC = Path(__file__).resolve().parents[1] / "static"
YEAR = 365 * 24 * 3600


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@cache
def _files() -> dict[str, Path]:
    files = {p.name: p for p in STATIC.iterdir() if p.is_file()}
    files["plotly.min.js"] = _plotly_js()
    return files


@cache
def _digest(name: str) -> str:
    return hashlib.sha256(_files()[name].read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    return url_for("assets.asset", digest=_digest(name), name=name)


@bp.get("/assets/<digest>/<name>")
def asset(digest: str, name: str) -> Response:
    path = _files().get(name)
    if path is None or digest != _digest(name):
        abort(404)
    mimetype = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml",
                "png": "image/png", "ico": "image/x-icon"}.get(name.rsplit(".", 1)[-1])
    response = current_app.response_class(_read(name), mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(digest)
    return response


@cache
def _read(name: str) -> bytes:
    return _files()[name].read_bytes()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = asset_url
