"""Every answer the suite's HTTP tests receive is checked against the OpenAPI document
the service publishes: its status is documented for that operation, its media type is
one the operation declares, and a JSON body validates against the declared schema.

tests/conftest.py wraps TestClient.request with `check`, so a test whose answer breaks
the contract fails where the request was made. `SEEN` records which (operation, status)
pairs the suite exercised; tests/api/test_contract.py reports on them."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

SEEN: set[tuple[str, str]] = set()
# The operations that answer no JSON: a photo (binary) and two HTML pages.
NOT_JSON = frozenset({"get_photo", "public_page", "public_plan_page"})


@cache
def document() -> dict[str, Any]:
    from api.app import create_app
    from projections.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=Path(tmp)))
        doc: dict[str, Any] = app.openapi()
        app.state.services.app.close()
    return doc


@cache
def _routes() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    routes = []
    for template, item in document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            routes.append((pattern, method.upper(), operation))
    # literal segments before parameters: /needs/mine before /needs/{order_id}
    routes.sort(key=lambda r: r[0].pattern.count("[^/]+"))
    return routes


def operation_for(method: str, path: str) -> dict[str, Any] | None:
    for pattern, verb, operation in _routes():
        if verb == method.upper() and pattern.match(path):
            return operation
    return None


@cache
def _validator(operation_id: str, status: str, media: str) -> Any:
    doc = document()
    for item in doc["paths"].values():
        for operation in item.values():
            if operation.get("operationId") == operation_id:
                schema = operation["responses"][status]["content"][media].get("schema", {})
                return jsonschema_rs.validator_for({**schema, "components": doc["components"]})
    raise KeyError(operation_id)


def check(method: str, path: str, status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with this answer against the contract (nothing: [])."""
    operation = operation_for(method, path)
    if operation is None:
        return []  # a page, an asset, the document itself: not API operations
    op_id = operation["operationId"]
    responses = operation["responses"]
    key = str(status) if str(status) in responses else "default"
    if key not in responses:
        return [f"{method} {path} ({op_id}): status {status} is not documented"]
    SEEN.add((op_id, key))
    declared = responses[key].get("content", {})
    media = content_type.split(";")[0].strip()
    if not body and not declared:
        return []
    if media not in declared:
        return [f"{method} {path} ({op_id}) {status}: {media} not declared ({sorted(declared)})"]
    if media != "application/json":
        return []
    validator = _validator(op_id, key, media)
    instance = orjson.loads(body)
    return [
        f"{method} {path} ({op_id}) {status}: {e.message} at {list(e.instance_path)}"
        for e in validator.iter_errors(instance)
    ][:5]
