"""The fast link builders (catalog.profile_path, provider_path, url_with) give exactly what
url_for gives."""
from __future__ import annotations

import pytest
from flask import request, url_for

from ratecard.web import public  # noqa: F401  (imports the pages in their working order)
from ratecard.web.urls import profile_path, provider_path, url_with

IDS = [
    ("openai", "openai/gpt-4o"),
    ("openrouter", "openrouter/openai/gpt-4o:extended"),
    ("bedrock", "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0"),
    ("vertex_ai", "vertex_ai/claude-3-haiku@20240307"),
    ("a b", "a b/x y/é ü:1@2?#%&=+;,$!'()*~[]{}|\\^`\"<>"),
    ("x%2F", "x%2F/a//b/"),
]


@pytest.mark.parametrize("root", ["", "/sub"])
@pytest.mark.parametrize(("slug", "canonical_id"), IDS)
def test_profile_path_is_url_for(app, root, slug, canonical_id):
    with app.test_request_context("/models", base_url=f"http://localhost{root}/"):
        expected = url_for("public.profile", provider=slug, name=canonical_id.split("/", 1)[1])
        assert profile_path(slug, canonical_id) == expected
        assert provider_path(slug) == url_for("public.provider", slug=slug)


@pytest.mark.parametrize("root", ["", "/sub"])
@pytest.mark.parametrize(("path", "changes"), [
    ("/models", {}),
    ("/models?q=gpt&page=3&cap=vision&cap=reasoning", {"sort": "input", "order": "desc"}),
    ("/models?q=a+b%26c%3D%C3%A9&mode=chat", {"page": 2}),
    ("/models?provider=openai", {"provider": None, "cap": ["json_schema", "a/b:c?d"]}),
    ("/providers/openai?page=2", {"page": 3}),
    ("/changes?kind=price_changed", {"kind": ""}),
])
def test_url_with_is_url_for(app, root, path, changes):
    with app.test_request_context(path, base_url=f"http://localhost{root}/"):
        args = {k: [v for v in request.args.getlist(k) if v] for k in request.args}
        if "page" not in changes:
            args.pop("page", None)
        for key, value in changes.items():
            if value is None or value == "" or value == []:
                args.pop(key, None)
            elif isinstance(value, list):
                args[key] = [str(v) for v in value]
            else:
                args[key] = [str(value)]
        params = {k: v for k, v in args.items() if v}
        expected = url_for(request.endpoint, **(request.view_args or {}), **params)
        assert url_with(**changes) == expected


@pytest.mark.parametrize(("path", "changes", "expected"), [
    # url_for's own keywords and names of path parts are plain query parameters here (they
    # used to reach url_for as arguments: a 500)
    ("/models?_anchor=x&q=1", {"page": 2}, "/models?_anchor=x&q=1&page=2"),
    ("/changes?_method=x", {}, "/changes?_method=x"),
    ("/providers/openai?slug=x&page=2", {}, "/providers/openai?slug=x"),
])
def test_url_with_keeps_any_parameter(app, path, changes, expected):
    with app.test_request_context(path):
        assert url_with(**changes) == expected


def test_pages_answer_with_such_parameters(client):
    assert client.get("/models?_anchor=x").status_code == 200
    assert client.get("/changes?_method=x").status_code == 200
