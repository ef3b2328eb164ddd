"""Open-data downloads: /export/prices.csv (every current price, built from the database
as it streams out) and the nightly dump /export/ratecard.jsonl.gz with its SHA-256, served
from the export folder the scheduler (or `ratecard export DIR`) writes."""
from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, current_app, g, request, send_file, stream_with_context

from ratecard.services import export
from ratecard.web.errors import problem
from ratecard.web.session import database

bp = Blueprint("exports", __name__, url_prefix="/export")


def export_dir() -> Path:
    configured = current_app.config.get("RATECARD_EXPORT_DIR")
    return Path(configured) if configured else export.default_dir()


@bp.get("/prices.csv")
def prices_csv() -> Response:
    def chunks() -> Iterator[str]:
        # a session of its own: the response streams after the request's teardown
        with database().session() as session:
            yield from export.csv_chunks(session)

    return Response(stream_with_context(chunks()), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="ratecard_prices.csv"',
        "Access-Control-Allow-Origin": "*"})


def _missing() -> Response:
    # 404, not 503: nothing is broken, the file does not exist yet
    response = problem(404, "Dump not written yet",
                       "The nightly export has not run on this site yet; try again later.")
    response.headers["Retry-After"] = "3600"
    return response


def _file(name: str, mimetype: str) -> Response:
    directory = export_dir()
    path = directory / name
    digest = export.read_sha(directory)
    if digest is None or not path.is_file():
        return _missing()
    # The dump's own validators, not the data version's (web/http.py): it changes nightly.
    g.pop("data_etag", None)
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(microsecond=0)
    etag = digest if name == export.DUMP_NAME else digest + "-sha"
    fresh = (request.if_none_match.contains(etag) if request.if_none_match else
             request.if_modified_since is not None and request.if_modified_since >= stamp)
    if fresh:
        response = Response(status=304)
    elif name == export.SHA_NAME:     # one line: read, not streamed from an open file
        response = Response(path.read_bytes(), mimetype=mimetype)
    else:
        response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name,
                             etag=False, conditional=False)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.set_etag(etag)
    response.last_modified = stamp
    response.headers["Ratecard-Dump-Date"] = stamp.isoformat().replace("+00:00", "Z")
    if name == export.DUMP_NAME:      # RFC 9530: the digest of the bytes sent
        raw = base64.b64encode(bytes.fromhex(digest)).decode("ascii")
        response.headers["Repr-Digest"] = f"sha-256=:{raw}:"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/" + export.DUMP_NAME)
def dump() -> Response:
    return _file(export.DUMP_NAME, "application/gzip")


@bp.get("/" + export.SHA_NAME)
def dump_sha() -> Response:
    return _file(export.SHA_NAME, "text/plain")
