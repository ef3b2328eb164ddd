"""The OpenAPI document: valid OpenAPI 3.1, the same operations as the code (no drift either
way), every typed parameter really read, and schemathesis over every operation: no 5xx and
no answer that breaks the document (status, content type, headers, body schema)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.generation import GenerationMode

from ratecard import create_app
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.services.sync import run_sync
from ratecard.web.openapi_spec import operations, spec
from scrapers import litellm
from tests.conftest import PG_URL, _reset_postgres
from tests.upstream import OWN


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The project's own LiteLLM cut, synced twice (so there is history and a change log);
    no rate limit (schemathesis sends thousands of requests from one address)."""
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'api.db'}"
    db = Database(url)
    upgrade(db)
    payload = (OWN / "litellm" / "model_prices_cut.json").read_bytes()
    assert run_sync(db, litellm.SOURCE, payload=payload, as_of=dt.date(2026, 6, 1)).ok
    data = json.loads(payload)
    key = next(k for k, v in data.items() if isinstance(v, dict) and v.get("input_cost_per_token"))
    data[key]["input_cost_per_token"] = data[key]["input_cost_per_token"] * 0.9
    assert run_sync(db, litellm.SOURCE, payload=json.dumps(data).encode(),
                    as_of=dt.date(2026, 7, 1)).ok
    app = create_app({"TESTING": True, "DATABASE_URL": url, "RATECARD_OFFLINE": True,
                      "RATECARD_API_RATE_LIMIT": 0})
    yield app
    app.extensions["ratecard.db"].dispose()
    db.dispose()


def test_the_document_is_valid_openapi_3_1():
    validate(spec())
    assert spec()["openapi"].startswith("3.1")


def _template(rule: str) -> str:
    """/api/v1/models/<provider>/<path:name> -> /models/{}/{} (names aside)."""
    return re.sub(r"<[^>]+>", "{}", rule.removeprefix("/api/v1"))


def test_operations_match_the_code_both_ways(api_app):
    documented = {(op_id, method): re.sub(r"\{[^}]+\}", "{}", path)
                  for (op_id, method), (path, _op) in operations().items()}
    in_code = {}
    for rule in api_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            in_code[(rule.endpoint.removeprefix("api."), method.lower())] = _template(rule.rule)
    assert in_code == documented
    served = api_app.test_client().get("/api/v1/openapi.json").get_json()
    assert served == json.loads(json.dumps(spec()))


def test_every_typed_query_parameter_is_read(api_app):
    """A documented parameter the code ignored would accept anything: every one with a type
    or a list of values refuses a bad one, naming it."""
    client = api_app.test_client()
    model = client.get("/api/v1/models?limit=1").get_json()["models"][0]["id"]
    provider, name = model.split("/", 1)
    checked = 0
    for (_op_id, method), (path, operation) in operations().items():
        if method != "get":
            continue
        url = "/api/v1" + path.replace("{provider}", provider).replace("{model}", name) \
            .replace("{slug}", provider)
        if "{" in url:
            continue
        for param in operation.get("parameters", []):
            param = _resolve(param)
            schema = _resolve(param["schema"])
            typed = schema.get("type") in ("integer", "array") or "enum" in schema \
                or param["name"] in ("at", "cursor", "fields", "model", "from", "to",
                                     "provider", "max_input_price", "image", "mode")
            if param["in"] != "query" or not typed:
                continue
            query = {"model": model} if "/cost" in url and param["name"] != "model" else {}
            query[param["name"]] = "\x7f" if param["name"] == "q" else "not-valid!"
            response = client.get(url, query_string=query)
            assert response.status_code == 400, (url, param["name"])
            assert response.get_json()["parameter"] == param["name"], (url, param["name"])
            checked += 1
    assert checked >= 30


def _resolve(item: dict) -> dict:
    while "$ref" in item:
        found = spec()
        for part in item["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        item = found
    return item


CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance,
          schemathesis.checks.response_headers_conformance,
          schemathesis.checks.response_schema_conformance]
EXAMPLES = int(os.environ.get("RATECARD_SCHEMATHESIS_EXAMPLES", "40"))


def _cases() -> list[tuple[str, str]]:
    """(mode, operationId): negative cases only where there is something to get wrong."""
    found = []
    for (op_id, _method), (_path, operation) in sorted(operations().items()):
        found.append(("positive", op_id))
        if operation.get("parameters") or operation.get("requestBody"):
            found.append(("negative", op_id))
    return found


@pytest.mark.parametrize("mode,operation_id", _cases())
def test_schemathesis(api_app, mode, operation_id):
    """Cases schemathesis makes from the document (valid ones, and invalid ones), for every
    operation; each answer is checked against the document."""
    # The document as served; from_wsgi() would leave out the operation it was loaded from
    served = api_app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(served)
    schema.app = api_app
    found = [op for op in (result.ok() for result in schema.get_all_operations())
             if op.definition.raw.get("operationId") == operation_id]
    assert found, operation_id
    for operation in found:
        strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):  # type: ignore[no-untyped-def]
            if operation_id == "create_alert" and isinstance(case.body, dict):
                # never resolve host names hypothesis makes up: a documentation address
                case.body["url"] = "https://192.0.2.1/hook"
            # schemathesis' WSGI transport does not undo gzip (web/http.py compresses for
            # clients that ask): ask for the plain body
            case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

        run()


def test_docs_md_shows_every_operation():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for (_op_id, method), (path, _op) in operations().items():
        # the examples write the base URL as $RC (= .../api/v1)
        pattern = re.escape("$RC" + re.sub(r"\{[^}]+\}", "§", path)).replace(
            "§", "[^ ?'\"]+") + "(?=[?\"' ])"
        lines = [line for line in doc.splitlines() if "curl" in line or line.startswith("  ")]
        found = [line for line in lines if re.search(pattern, line)
                 and (method == "get" or f"-X {method.upper()}" in line
                      or (method == "post" and "--json" in line))]
        assert found, f"docs/api.md has no curl example for {method.upper()} {path}"
