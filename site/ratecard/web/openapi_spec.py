"""The OpenAPI document of the API (data/openapi.yaml), loaded once, and what the app reads
from it: the operations and each one's query parameters (web/api_policy.py refuses others).
No Flask imports: tests and tools read it without building an app."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "openapi.yaml"
METHODS = ("get", "post", "delete")


@cache
def spec() -> dict[str, Any]:
    """The document as loaded (shared: never change it, copy first)."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _resolve(item: dict[str, Any]) -> dict[str, Any]:
    ref = item.get("$ref")
    if not ref:
        return item
    found: Any = spec()
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def operations() -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(operationId, method) -> (path, operation) for every operation in the document."""
    found = {}
    for path, item in spec()["paths"].items():
        for method in METHODS:
            if method in item:
                found[(item[method]["operationId"], method)] = (path, item[method])
    return found


@cache
def query_parameters(operation_id: str, method: str) -> frozenset[str]:
    """The query parameters the document lists for an operation (none if it is unknown)."""
    found = operations().get((operation_id, method))
    if found is None:
        return frozenset()
    return frozenset(p["name"] for p in map(_resolve, found[1].get("parameters", []))
                     if p["in"] == "query")


