"""The layers point one way (docs/architecture.md): the pure kernel of proofs and
sampling imports nothing of ours; domain uses the kernel; projections use the domain;
the HTTP layer uses projections and the domain; the auditor's tools use the kernel, the
domain and projections, never the HTTP layer; and no two files import each other,
directly or round a circle. Every import counts, also one inside a function: a lazy
import is still a dependency a reader has to follow.

The tests keep a rule of their own (tests/README.md): a test module imports what it
builds with from tests/builders/ (or the fixtures' tests/conftest.py and the contract's
tests/contract_check.py), never from another test module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.builders.layers import (
    ALLOWED,
    KERNEL,
    ROOT,
    cycles,
    graph,
    layer_of,
    modules,
)


def test_every_import_points_down_the_layers() -> None:
    wrong = sorted(
        f"{source} ({layer_of(source)}) imports {target} ({layer_of(target)})"
        for source, targets in graph().items()
        for target in targets
        if layer_of(target) not in ALLOWED[layer_of(source)]
    )
    assert wrong == []


def test_no_import_circle_between_files() -> None:
    assert cycles(graph()) == []


def test_the_kernel_is_what_the_layers_say() -> None:
    """A renamed kernel file would silently leave the contract above: every name in
    KERNEL is a file, and the kernel files import only each other."""
    known = modules()
    assert set(known) >= KERNEL
    edges = graph()
    assert all(edges[name] <= KERNEL for name in KERNEL)


def test_the_checker_sees_a_violation() -> None:
    """The checker is not vacuous: a circle and a wrong-way import are found."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    edges = graph()
    assert edges.get("domain.application")
    assert layer_of("replay.draw") == "kernel" and "api" not in ALLOWED["replay"]


# What a test module may import of tests/: the builders, the fixtures, the contract check.
TEST_SUPPORT = ("tests.builders", "tests.conftest", "tests.contract_check")
LEVELS = ("domain", "projections", "api", "replay", "browser")
PACKAGES_OF_TESTS = ("tests", *(f"tests.{level}" for level in LEVELS))


def imports_of_tests(module: str, source: str) -> list[str]:
    """What `source` (the test module `module`) imports from tests/ and should not:
    anything but the builders, conftest and contract_check. `from tests import test_x`
    and `from . import test_x` name a module too."""
    package = module.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            if base in PACKAGES_OF_TESTS:
                targets = [f"{base}.{alias.name}" for alias in node.names]
            else:
                targets = [base]
        else:
            continue
        for target in targets:
            if not target.startswith("tests.") or target in PACKAGES_OF_TESTS:
                continue
            if not any(target == ok or target.startswith(ok + ".") for ok in TEST_SUPPORT):
                found.append(f"{module} imports {target}")
    return found


def suite_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): path
        for path in sorted((ROOT / "tests").rglob("test_*.py"))
    }


def test_no_test_module_imports_another() -> None:
    """Helpers one test module shares with another live in tests/builders/: a test
    module imports no other test module, at its top or inside a function."""
    found = suite_modules()
    assert {module.rsplit(".", 1)[0] for module in found} == set(PACKAGES_OF_TESTS)
    wrong = [
        problem
        for module, path in found.items()
        for problem in imports_of_tests(module, path.read_text(encoding="utf-8"))
    ]
    assert wrong == []


def test_the_test_import_rule_sees_a_violation() -> None:
    """The rule is not vacuous: each way of naming another test module is found, and
    the builders, conftest and contract_check are not."""
    source = """
from tests.domain.test_domain_orders import Loop
from tests import test_layers as layers
from . import test_points_domain
from .test_activities import plan
import tests.api.test_api_points
from tests.builders.orders import NEAR
from tests.builders import layers as graph
from tests import contract_check
from tests.conftest import IN_CI


def later():
    from tests.replay.test_replay import Store
"""
    assert imports_of_tests("tests.domain.test_x", source) == [
        "tests.domain.test_x imports tests.domain.test_domain_orders",
        "tests.domain.test_x imports tests.test_layers",
        "tests.domain.test_x imports tests.domain.test_points_domain",
        "tests.domain.test_x imports tests.domain.test_activities",
        "tests.domain.test_x imports tests.api.test_api_points",
        "tests.domain.test_x imports tests.replay.test_replay",
    ]
