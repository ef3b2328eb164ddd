"""The profile page's view model: build_profile gives plain data (no modules, no ORM rows),
the templates call into no module, and rendering the model is the page the route serves."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template
from markupsafe import Markup

import ratecard
from ratecard import costs
from ratecard.content.render import RenderedContent
from ratecard.queries.catalog import ProviderRef
from ratecard.queries.facts import FactDisagreement
from ratecard.queries.held import Held
from ratecard.queries.models import model_by_id
from ratecard.web.pages import profile_calc
from ratecard.web.pages.profile_page import ProfileArgs, ProfilePage, build_profile
from ratecard.web.session import db_session

TEMPLATES = Path(ratecard.__file__).parent / "templates" / "profile"
PLAIN = (str, int, bool, Decimal, dt.date, dt.datetime, Markup, type(None))
DATA = (costs.Job, FactDisagreement, Held, RenderedContent, ProviderRef)


def _plain(value: object, where: str) -> None:
    if isinstance(value, PLAIN) or isinstance(value, DATA):
        return
    if isinstance(value, tuple):
        for n, item in enumerate(value):
            _plain(item, f"{where}[{n}]")
        return
    assert dataclasses.is_dataclass(value) and type(value).__module__.endswith(
        "profile_types"), f"{where}: {type(value).__module__}.{type(value).__name__}"
    for f in dataclasses.fields(value):
        _plain(getattr(value, f.name), f"{where}.{f.name}")


def test_templates_call_into_no_module():
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text()
        found = re.findall(r"\b(?:view|words|costs|calc|charts|av|st)\.[a-z_]+\(", text)
        assert not found, (path.name, found)
        assert not re.search(r"\b(?:view|words)\.", text), path.name


@pytest.mark.parametrize("canonical_id", ["openai/gpt-4o", "openai/gpt-image-1"])
def test_build_profile_is_plain_data_and_renders_the_route(site_app, site_client, site_db,
                                                           canonical_id):
    with site_db.session() as session:
        if model_by_id(session, canonical_id) is None:
            pytest.skip(f"{canonical_id} is not in the loaded test catalog")
    path = "/models/" + canonical_id
    served = site_client.get(path)
    assert served.status_code == 200
    with site_app.test_request_context(path):
        session = db_session()
        model = model_by_id(session, canonical_id)
        assert model is not None
        page = build_profile(session, model, profile_calc.parse_args({}))
        assert isinstance(page, ProfilePage)
        _plain(page, "page")
        html = render_template("profile/page.html", page=page, model=page.header.model)
    assert _steady(html) == _steady(served.get_data(as_text=True))


def _steady(html: str) -> str:
    """The page without what moves with the clock: the chart's "now" (timestamps in the
    figure, the SVG's horizontal positions)."""
    html = re.sub(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?", "T", html)
    return re.sub(r'x[12]?="[0-9.]+%"', "x", html)


def test_calculator_arguments_parse_to_a_small_dataclass():
    args = profile_calc.parse_args({"tokens_in": "1000", "tokens_out": "", "batch": "1"})
    assert args == ProfileArgs(given=True, tokens_in=1000, tokens_out=0, batch=True)
    assert profile_calc.parse_args({}) == ProfileArgs()
