"""The public site: what people choosing a model read. Routes live in web/pages/*."""
from __future__ import annotations

from flask import Blueprint

from ratecard.web import urls

bp = Blueprint("public", __name__)
bp.add_app_template_global(urls.url_with, "url_with")
bp.add_app_template_global(urls.fixed_url, "fixed_url")
bp.add_app_template_global(urls.profile_url, "profile_url")
bp.add_app_template_global(urls.provider_path, "provider_path")
bp.add_app_template_global(urls.report_url, "report_url")

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
