"""Editor views beside the pages: illustrations (upload), the audit log and the export (admins)."""
from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, redirect, request, url_for
from werkzeug.wrappers import Response

from ratecard.queries import accounts as account_queries
from ratecard.services.accounts import audit
from ratecard.web import auth, params
from ratecard.web.editor import bp, render
from ratecard.web.session import db_session

AUDIT_PAGE = 50
P = ParamSpec("P")
R = TypeVar("R")


def admin_only(view: Callable[P, R]) -> Callable[P, R | tuple[str, int]]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | tuple[str, int]:
        if g.user is None or g.user.role != "admin":
            return render("editor/error.html", 403, title="Admins only",
                          detail="Only an administrator can open this page.")
        return view(*args, **kwargs)
    return wrapper


@bp.get("/audit")
@admin_only
def audit_log() -> tuple[str, int]:
    db = db_session()
    actions = account_queries.audit_actions(db)
    action = params.choice("action", actions, "action")
    page_no = params.page()
    entries, total = account_queries.audit_entries(db, action=action, limit=AUDIT_PAGE,
                                                   offset=(page_no - 1) * AUDIT_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PAGE))
    params.check_page(page_no, pages)
    return render("editor/audit.html", entries=entries, total=total, actions=actions,
                  action=action, page=page_no, pages=pages)


def snippet(alt: str, name: str) -> str:
    """The Markdown that shows an illustration: ![alt](/media/name)."""
    text = " ".join(alt.split())
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{text}](/media/{name})"


@bp.route("/media", methods=["GET", "POST"])
def media() -> tuple[str, int]:
    from ratecard.content.media import MAX_BYTES, MAX_PIXELS, MediaError
    from ratecard.services.uploads import store_upload

    db = db_session()
    limits = {"max_mb": MAX_BYTES // (1024 * 1024), "max_mp": MAX_PIXELS // 1_000_000}
    if request.method == "GET":
        return render("editor/media.html", files=account_queries.recent_media(db),
                      snippet=snippet, alt="", **limits)
    alt = " ".join(request.form.get("alt", "").split())[:300]
    upload = request.files.get("file")
    error = None
    if upload is None or not upload.filename:
        error = "Choose an image file to upload."
    elif not alt:
        error = ("Describe the picture in the alt text: it is what screen readers read and "
                 "what shows when the image cannot load.")
    stored = None
    if error is None and upload is not None and upload.filename:   # (error is None: both hold)
        try:
            stored, new = store_upload(db, upload.read(), upload.filename, user=g.user)
        except MediaError as exc:
            db.rollback()
            error = str(exc)
    if error is not None or stored is None:
        return render("editor/media.html", 400, files=account_queries.recent_media(db),
                      snippet=snippet, alt=alt, error=error, **limits)
    audit(db, g.user, "upload", f"media:{stored.name}",
          {"width": stored.width, "height": stored.height, "type": stored.content_type,
           "new": new}, auth.client_ip())
    db.commit()
    message = ("Uploaded." if new else "This picture was already uploaded; here it is.")
    return render("editor/media.html", 201 if new else 200,
                  files=account_queries.recent_media(db), snippet=snippet, alt="",
                  message=message, stored=stored, stored_snippet=snippet(alt, stored.name),
                  **limits)


@bp.post("/export")
@admin_only
def export() -> Response | tuple[str, int]:
    from ratecard.content import content_root
    from ratecard.services.content import export_files

    db = db_session()
    root = content_root()
    skipped: list = []
    refused: list = []
    written = export_files(db, root, skipped=skipped, refused=refused)
    audit(db, g.user, "export", str(root), {"written": len(written), "skipped": len(skipped),
                                            "refused": [str(p) for p in refused][:20]},
          auth.client_ip())
    db.commit()
    if refused:
        # A link in content/ is never written through: say which, so an admin can look.
        return render("editor/error.html", 409, title="Export: some files were not written",
                      detail=f"{len(written)} file(s) written, {len(skipped)} left alone; "
                      "not written: " + "; ".join(str(p) for p in refused[:20]))
    return redirect(url_for("editor.index", done="exported", written=len(written),
                            skipped=len(skipped)))
