"""A client generated from the published contract has typed methods.

`openapi-python-client` (a dev dependency) generates a Python package from
/openapi.json; the test imports it and checks that every JSON operation became a
method whose return type names the operation's own answer model, whose body parameter
is the request model, and that a generated model parses a real answer. (TypeScript:
docs/architecture.md shows the same check with openapi-typescript.)"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import contract_check
from tests.builders.http import Api, setup_county

PACKAGE = "sishuang_client"
CONFIG = {
    "project_name_override": "sishuang-client",
    "package_name_override": PACKAGE,
    "post_hooks": [],
    "content_type_overrides": {
        media: "application/octet-stream"
        for media in ("image/jpeg", "image/png", "image/webp", "image/heic")
    },
}


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    where = tmp_path_factory.mktemp("client")
    (where / "openapi.json").write_text(json.dumps(contract_check.document()))
    (where / "config.json").write_text(json.dumps(CONFIG))
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(generator), "generate", "--path", "openapi.json", "--config", "config.json",
         "--meta", "none", "--output-path", PACKAGE],
        cwd=where, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (operation["tags"][0], operation["operationId"], operation)
        for item in contract_check.document()["paths"].values()
        for operation in item.values()
    ]


def _answer_model(operation: dict[str, Any]) -> str:
    status = next(s for s in operation["responses"] if s.startswith("2"))
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    return str(schema.get("items", schema)["$ref"].rsplit("/", 1)[-1])


def test_every_operation_is_a_typed_method(client_package: Any) -> None:
    typed = 0
    for tag, operation_id, operation in _operations():
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")
        hints = typing.get_type_hints(module.sync_detailed)
        assert "client" in hints, operation_id
        if operation_id in contract_check.NOT_JSON:
            continue
        returned = typing.get_type_hints(module.sync)["return"]
        names = {getattr(t, "__name__", "") for t in typing.get_args(returned)}
        names |= {
            getattr(a, "__name__", "")
            for t in typing.get_args(returned)
            for a in typing.get_args(t)
        }
        assert _answer_model(operation) in names, (operation_id, returned)
        assert "Error" in names, operation_id  # refusals are typed too
        if "requestBody" in operation:
            body = operation["requestBody"]["content"].get("application/json")
            if body:
                wanted = body["schema"]["$ref"].rsplit("/", 1)[-1]
                assert hints["body"].__name__ == wanted, operation_id
        typed += 1
    assert typed == len(_operations()) - len(contract_check.NOT_JSON) > 110


def test_a_generated_model_reads_a_real_answer(client_package: Any, api: Api) -> None:
    """The typed client is not only well-formed: its models parse what the server sends."""
    ids = setup_county(api)
    models = importlib.import_module(f"{PACKAGE}.models")
    answer = api.get(f"/communities/{ids['community']}", api.org)
    assert answer.status_code == 200, answer.text
    community = models.CommunityView.from_dict(answer.json())
    assert community.name == "锦绣社区" and [g.code for g in community.grids] == ["G01", "G02"]
    assert community.to_dict() == answer.json()
