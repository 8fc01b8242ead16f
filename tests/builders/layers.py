"""The import graph of our packages, by layer (docs/architecture.md), as
tests/test_layers.py checks it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


PACKAGES = ("domain", "projections", "api", "replay", "bench")


# The kernel: canonical JSON, the Merkle log, leaves, checkpoints, the cs-sha256-v1 sampler.
KERNEL = frozenset(
    {"replay.canonical", "replay.merkle", "replay.leaf", "replay.checkpoint", "replay.draw"}
)


ALLOWED = {
    "kernel": {"kernel"},
    "domain": {"domain", "kernel"},
    "projections": {"projections", "domain", "kernel"},
    "api": {"api", "projections", "domain", "kernel"},
    "replay": {"replay", "projections", "domain", "kernel"},
    "bench": {"bench", "api", "replay", "projections", "domain", "kernel"},
}


def layer_of(module: str) -> str:
    if module in KERNEL:
        return "kernel"
    return module.split(".", 1)[0]


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, here: str, known: dict[str, Path]) -> Iterator[str]:
    """The modules of ours `tree` imports: `from replay import draw` is replay.draw."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            node.body = []  # annotations only, never executed
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = here.split(".")
                if known[here].name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield sub if sub in known else base


def graph() -> dict[str, set[str]]:
    known = modules()
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = {
            target for target in _imports(tree, name, known) if target in known and target != name
        }
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
