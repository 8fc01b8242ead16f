"""The published contract (/openapi.json, /docs, /redoc): an error model that is the one
the server sends, on every operation; a bearer scheme; readable unique operationIds; no
schema named after a module path; documentation pages with nothing from another host.
Every answer the suite receives is checked against it (tests/contract_check.py)."""

from __future__ import annotations

import importlib
import re

from api.contract import ERRORS
from tests import contract_check
from tests.builders.http import Api


def operations() -> list[dict]:
    return [
        operation
        for item in contract_check.document()["paths"].values()
        for operation in item.values()
    ]


def test_every_operation_documents_the_error_the_server_sends() -> None:
    doc = contract_check.document()
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "message_en"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for operation in operations():
        for status in ("400", "401", "403", "404", "409", "422", "503"):
            response = operation["responses"][status]
            if "application/json" in response["content"]:
                example = response["content"]["application/json"]["example"]
                assert re.search("[\u4e00-\u9fff]", example["message"]), status
    assert set(ERRORS) >= {400, 401, 403, 404, 409, 422, 503}


def test_signed_in_operations_state_the_bearer_scheme() -> None:
    doc = contract_check.document()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    claim = contract_check.operation_for("POST", "/api/v1/needs/x/claim")
    assert claim is not None and claim["security"] == [{"bearer": []}]
    health = contract_check.operation_for("GET", "/api/v1/health")
    assert health is not None and health["security"] == []
    signed = [o for o in operations() if o["security"]]
    assert len(signed) > 100


def test_operation_ids_are_the_route_names_and_unique() -> None:
    ids = [o["operationId"] for o in operations()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), ids
    assert "claim_completion" in ids and "health" in ids
    assert not [n for n in contract_check.document()["components"]["schemas"] if "__" in n]


def test_exports_and_photos_declare_their_media_types() -> None:
    ledger = contract_check.operation_for("GET", "/api/v1/communities/x/needs")
    assert ledger is not None
    content = ledger["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(content)
    assert any("spreadsheetml" in media for media in content)
    photo = contract_check.operation_for("GET", "/api/v1/photos/abc")
    assert photo is not None and "image/jpeg" in photo["responses"]["200"]["content"]


def test_the_documentation_pages_load_nothing_from_another_host(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        r = api.client.get(page)
        assert r.status_code == 200
        assert not re.findall(r"https?://", r.text), page
        csp = r.headers["content-security-policy"]
        assert "http" not in csp and "frame-ancestors 'none'" in csp
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', r.text):
            assert api.client.get(asset).status_code == 200, asset
    assert "swagger-ui-bundle.js" in api.client.get("/docs").text


def test_the_checker_finds_a_breach() -> None:
    """Not vacuous: an undocumented status, an undeclared media type and an error body
    without its code are all reported."""
    assert contract_check.check("GET", "/api/v1/health", 418, "application/json", b"{}")
    assert contract_check.check("GET", "/api/v1/health", 503, "text/plain", b"busy")
    wrong = contract_check.check("POST", "/api/v1/needs/x/claim", 409, "application/json", b"{}")
    assert any("code" in problem for problem in wrong)
    right = b'{"code": "concurrent_update", "message": "\\u8bf7\\u7a0d\\u540e", "message_en": "x"}'
    assert (
        contract_check.check("POST", "/api/v1/needs/x/claim", 409, "application/json", right) == []
    )


# -- typed answers, coded fields, examples ----------------------------------------------


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return contract_check.document()["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_success_answer_has_a_typed_model() -> None:
    typed = 0
    for operation in operations():
        if operation["operationId"] in contract_check.NOT_JSON:
            continue
        success = [s for s in operation["responses"] if s.startswith("2")]
        assert len(success) == 1, operation["operationId"]
        schema = operation["responses"][success[0]]["content"]["application/json"]["schema"]
        model = _resolve(schema.get("items", schema))
        assert model.get("type") == "object" and model.get("properties"), operation["operationId"]
        assert model.get("additionalProperties") is False, operation["operationId"]
        typed += 1
    assert typed == len(operations()) - len(contract_check.NOT_JSON) > 110


def test_a_command_answer_names_its_log_position() -> None:
    claim = contract_check.operation_for("POST", "/api/v1/needs/x/claim")
    assert claim is not None
    model = _resolve(claim["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"order_id", "log_position"} <= set(model["required"])


def test_coded_fields_list_their_codes_with_chinese_labels() -> None:
    from domain.order import OrderStatus

    view = contract_check.document()["components"]["schemas"]["OrderView"]
    status = view["properties"]["status"]
    assert status["enum"] == [s.code for s in OrderStatus]
    assert status["x-enum-descriptions"] == [s.label for s in OrderStatus]
    coded = 0
    for schema in contract_check.document()["components"]["schemas"].values():
        for prop in schema.get("properties", {}).values():
            for option in [prop, *prop.get("anyOf", [])]:
                if "enum" in option and "x-enum-descriptions" in option:
                    assert len(option["enum"]) == len(option["x-enum-descriptions"])
                    assert all(
                        re.search("[\u4e00-\u9fff]", x) for x in option["x-enum-descriptions"]
                    )
                    coded += 1
    assert coded > 50


ROUTERS = [
    f"routes_{name}"
    for name in [
        "system",
        "directory",
        "members",
        "progress",
        "orders",
        "activities",
        "points",
        "evaluation",
        "inspections",
        "messages",
        "audit",
        "accounts",
    ]
]


def _bodies() -> list[tuple[str, str]]:
    found = []
    for operation in operations():
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            found.append((operation["operationId"], body["schema"]["$ref"].rsplit("/", 1)[-1]))
    return found


def test_every_request_body_has_an_example_its_own_model_accepts() -> None:
    """The example validates against the published schema and passes the body model the
    route declares (so Swagger's "Try it out" starts from a body the server parses)."""
    import jsonschema_rs
    from fastapi.routing import APIRoute

    doc = contract_check.document()
    models = {
        route.name: route.dependant.body_params[0].field_info.annotation
        for module in ROUTERS
        for route in importlib.import_module(f"api.{module}").router.routes
        if isinstance(route, APIRoute) and route.dependant.body_params
    }
    bodies = _bodies()
    assert len(bodies) >= 55 and {op for op, _ in bodies} <= set(models)
    for operation_id, name in bodies:
        schema = doc["components"]["schemas"][name]
        examples = schema.get("examples")
        assert examples, f"{operation_id}: {name} has no example"
        validator = jsonschema_rs.validator_for({**schema, "components": doc["components"]})
        for example in examples:
            errors = [e.message for e in validator.iter_errors(example)]
            assert not errors, (operation_id, errors)
            models[operation_id].model_validate(example)
