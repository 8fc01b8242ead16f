"""The layers point one way (docs/architecture.md): the pure kernel of proofs and
sampling imports nothing of ours; domain uses the kernel; projections use the domain;
the HTTP layer uses projections and the domain; the auditor's tools use the kernel, the
domain and projections, never the HTTP layer; and no two files import each other,
directly or round a circle. Every import counts, also one inside a function: a lazy
import is still a dependency a reader has to follow."""

from __future__ import annotations

from tests.builders.layers import (
    ALLOWED,
    KERNEL,
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
