"""The editor's workspace under /editor: log in and out, and the guard every view passes.

Every request: editor pages are never cached (no data-version ETag, no-store); the user is
loaded from the server session the cookie names (ended when idle too long, at logout, or
when the password, role or account changed); every POST must carry the session's CSRF
token; every view but the login page needs a logged-in user. Pages, media and the audit
log are in editor_*.py.
"""
from __future__ import annotations

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ratecard.services import login_throttle
from ratecard.services.accounts import audit, find_user, normalise_username, verify_password
from ratecard.web import auth
from ratecard.web.session import db_session

bp = Blueprint("editor", __name__, url_prefix="/editor")

OPEN_ENDPOINTS = {"editor.login", "editor.logout"}
FORM_MAX = 2 * 1024 * 1024           # a page's Markdown and front matter
UPLOAD_MAX = 12 * 1024 * 1024        # an illustration (content.media checks its own limits)
# Form fields a save carries: kept through a login when the session had ended.
RESUME_FIELDS = ("kind", "slug", "front_matter", "body", "base_revision_id")
MESSAGES = {
    "expired": "Your session expired. Log in again to continue.",
    "revoked": "Your session was ended (you logged out, or your password, role or account "
               "changed). Log in again to continue.",
    "logged_out": "You are logged out.",
    "login": "Log in to use the editor.",
}


def render(template: str, status: int = 200, **context: object) -> tuple[str, int]:
    return render_template(template, **context), status


@bp.context_processor
def _context() -> dict[str, object]:
    return {"csrf_token": auth.csrf_token, "user": g.get("user")}


@bp.before_request
def _guard() -> Response | tuple[str, int] | None:
    g.pop("data_etag", None)         # per-user pages: never answered 304 by data version
    if request.endpoint == "editor.media":
        request.max_content_length = UPLOAD_MAX
    else:
        request.max_content_length = FORM_MAX
    request.max_form_memory_size = FORM_MAX
    user = auth.load_user(db_session())
    if request.method == "POST" and not auth.csrf_ok():
        return _csrf_failed()
    if request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if user is None:
        return _login_needed()
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _resume() -> dict[str, str] | None:
    """The text of a save that could not be done (session ended, stale token), to re-show."""
    if request.method != "POST" or request.form.get("action") not in ("save", "publish",
                                                                      "preview"):
        return None
    if "body" not in request.form:
        return None
    resume = {name: request.form.get(name, "") for name in RESUME_FIELDS}
    resume.update({k: v for k, v in (request.view_args or {}).items() if k in ("kind", "slug")})
    return resume


def _login_page(status: int, message: str | None, *, error: str | None = None,
                username: str = "", resume: dict[str, str] | None = None,
                next_url: str | None = None) -> tuple[str, int]:
    return render("editor/login.html", status, message=message, error=error,
                  username=username, resume=resume,
                  next_url=auth.safe_next(next_url, ""))


def _login_needed() -> Response | tuple[str, int]:
    reason = g.get("session_ended") or "login"
    if request.method == "GET":
        return redirect(url_for("editor.login", next=request.full_path.rstrip("?"),
                                reason=reason))
    resume = _resume()
    message = MESSAGES.get(reason, MESSAGES["login"]) + (
        " Nothing was saved: your text is kept and comes back once you are logged in."
        if resume else " Nothing was changed.")
    return _login_page(401, message, resume=resume, next_url=request.referrer and
                       _path_of(request.referrer))


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _csrf_failed() -> Response | tuple[str, int]:
    message = ("This form's security token is missing or out of date (the session ended, or "
               "you logged in again in another tab). Nothing was changed.")
    resume = _resume()
    if request.endpoint == "editor.login":
        return _login_page(400, None, error=message + " Please log in again.",
                           username=request.form.get("username", "")[:80])
    if g.get("user") is not None and resume is not None:
        from ratecard.web.editor_pages import render_resumed

        return render_resumed(resume, 400, message + " Your text is below: check it and "
                              "save again.")
    if g.get("user") is None:
        return _login_page(400, message + " Log in again to continue.", resume=resume)
    return render("editor/error.html", 400, title="The form had expired", detail=message +
                  " Go back, reload the page and try again.")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    limit = request.max_content_length or FORM_MAX
    return render("editor/error.html", 413, title="Too large",
                  detail=f"What you sent is larger than the {limit // (1024 * 1024)} MB this "
                         "form accepts. Nothing was saved.")


# -- log in, log out -------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    next_url = request.values.get("next")
    if request.method == "GET":
        if g.user is not None:
            return redirect(auth.safe_next(next_url, url_for("editor.index")))
        return _login_page(200, MESSAGES.get(request.args.get("reason", "")),
                           next_url=next_url)

    db = db_session()
    username = normalise_username(request.form.get("username", ""))[:80]
    password = request.form.get("password", "")
    resume = {name: request.form.get(f"resume_{name}", "") for name in RESUME_FIELDS}
    resume_or_none = resume if request.form.get("resume_body") is not None else None
    ip = auth.client_ip()
    if not username or not password:
        return _login_page(400, None, error="Enter your username and password.",
                           username=username, resume=resume_or_none, next_url=next_url)
    device = auth.device_nonce(username)
    bucket = login_throttle.bucket_for(db, username, ip, device)
    attempt = login_throttle.begin(db, username, ip, bucket, auth.throttle_policy())
    if attempt.retry_after is not None:
        audit(db, None, "login_throttled", username, {"retry_after": attempt.retry_after,
                                                     "device": device is not None}, ip,
              username=username)
        db.commit()
        minutes = max(1, round(attempt.retry_after / 60))
        wait = (f"{attempt.retry_after} seconds" if attempt.retry_after < 90 else
                f"about {minutes} minute{'s' if minutes != 1 else ''}")
        body, status = _login_page(
            429, None, error=f"Too many failed logins. Try again in {wait}.",
            username=username, resume=resume_or_none, next_url=next_url)
        response = Response(body, status, mimetype="text/html")
        response.headers["Retry-After"] = str(attempt.retry_after)
        return response

    user = find_user(db, username)
    ok = verify_password(user, password)
    login_throttle.finish(db, attempt, ok)
    if not ok or user is None:
        audit(db, user if user is not None and user.active else None, "login_failed",
              username, None, ip, username=username)
        db.commit()
        return _login_page(401, None, error="Wrong username or password.",
                           username=username, resume=resume_or_none, next_url=next_url)
    auth.start_session(db, user)
    audit(db, user, "login", user.username, None, ip)
    db.commit()
    response = _logged_in(resume_or_none, next_url)
    auth.give_device_cookie(response, user.username)
    return response


def _logged_in(resume: dict[str, str] | None, next_url: str | None) -> Response:
    if resume is not None:
        from ratecard.web.editor_pages import render_resumed

        body, status = render_resumed(resume, 200, "You are logged in again. Your text is "
                                      "restored below but not saved yet: save it to keep it.")
        return Response(body, status, mimetype="text/html")
    return redirect(auth.safe_next(next_url, url_for("editor.index")))


@bp.post("/logout")
def logout() -> Response:
    db = db_session()
    if g.user is not None:
        audit(db, g.user, "logout", g.user.username, None, auth.client_ip())
    auth.end_session(db)             # the server forgets it: a copied cookie is void too
    db.commit()
    return redirect(url_for("editor.login", reason="logged_out"))


def init_app(app: Flask) -> None:
    auth.init_app(app)
    app.register_blueprint(bp)


# Importing the view modules attaches their routes to bp.
from ratecard.web import editor_admin, editor_pages  # noqa: E402,F401
