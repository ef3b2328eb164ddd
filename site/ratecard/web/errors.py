"""Errors a user can cause get a clear 4xx: JSON problem documents (RFC 9457) on the API."""
from __future__ import annotations

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException


def problem(status: int, title: str, detail: str | None = None, **extra: object) -> Response:
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if request.path.startswith("/api/"):
        return problem(exc.code or 500, exc.name, exc.description)
    return exc


def _unexpected(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if request.path.startswith("/api/"):
        return problem(500, "Internal Server Error", "An unexpected error occurred.")
    return "Internal Server Error", 500


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
