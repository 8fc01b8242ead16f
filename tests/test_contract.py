"""The published contract (/openapi.json, /docs, /redoc): an error model that is the one
the server sends, on every operation; a bearer scheme; readable unique operationIds; no
schema named after a module path; documentation pages with nothing from another host.
Every answer the suite receives is checked against it (tests/contract_check.py)."""

from __future__ import annotations

import re

from api.contract import ERRORS
from tests import contract_check
from tests.http import Api


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
