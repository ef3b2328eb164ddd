"""Errors a user can cause get a clear 4xx, never a 500: JSON problem documents (RFC 9457)
on the API, pages that say what went wrong on the site."""
from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from markupsafe import escape
from werkzeug.exceptions import BadHost, BadRequest, HTTPException

log = logging.getLogger("ratecard.web")


class BadParameter(BadRequest):
    """A query parameter the user got wrong; the message names it and says what is allowed."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.parameter = name


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


# Without a URL adapter (a Host header that is no host name) url_for cannot build the
# layout's links: a page of its own, with no links to build.
BARE_PAGE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
             "</title></head><body><h1>{title}</h1><p>{detail}</p></body></html>")


def _page(status: int, title: str, detail: str | None, **context: object) -> tuple[str, int]:
    if request_ctx.url_adapter is None:
        return BARE_PAGE.format(title=escape(title), detail=escape(detail or "")), status
    template = {404: "errors/404.html", 400: "errors/400.html"}.get(status, "errors/error.html")
    return render_template(template, status=status, title=title, detail=detail,
                           **context), status


def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
    status = exc.code or 500
    if isinstance(exc, BadHost):
        exc = BadParameter("Host", "the Host header is not a valid host name")
    if request.path.startswith("/api/"):
        extra = {"parameter": exc.parameter} if isinstance(exc, BadParameter) else {}
        return problem(status, exc.name, exc.description, **extra)
    suggestions = getattr(exc, "suggestions", None)
    return _page(status, exc.name, exc.description, suggestions=suggestions or [])


def _unexpected(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    log.exception("unexpected error on %s", request.path)
    if request.path.startswith("/api/"):
        return problem(500, "Internal Server Error", "An unexpected error occurred.")
    return _page(500, "Something went wrong", "An unexpected error occurred on our side.")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
