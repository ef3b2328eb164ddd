"""The public site: what people choosing a model read. Routes live in web/pages/*."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)

# Importing a page module attaches its routes to bp.
from ratecard.web.pages import (  # noqa: E402,F401
    catalog,
    changes,
    compare,
    content_pages,
    home,
    profile,
    providers,
    seo,
)
