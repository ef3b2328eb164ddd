"""The home page: latest changes, new models, the cheapest model per mode, counts, freshness."""
from __future__ import annotations

import datetime as dt

from flask import g, render_template

from ratecard.queries import changes, freshness, models
from ratecard.queries import home as q
from ratecard.web.http import request_version
from ratecard.web.page_cache import cached_page
from ratecard.web.public import bp
from ratecard.web.session import db_session

bp.add_app_template_global(freshness.state, "source_state")


@bp.get("/")
def home() -> str:
    return cached_page(_home)


def _home() -> str:
    session = db_session()
    today = dt.datetime.now(dt.UTC).date()
    updated = g.get("data_stamp") or request_version()[1]
    return render_template(
        "home/index.html",
        counts={"models": models.model_count(session),
                "providers": q.provider_count(session),
                "changes": q.change_count(session)},
        cheapest=q.cheapest_per_mode(session, today),
        latest=changes.latest(session, limit=10, exclude=("model_added",)),
        new_models=changes.new_models(session, limit=10),
        freshness=freshness.summary(session),
        updated=updated,
    )
