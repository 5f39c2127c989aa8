"""No import cycles among derisk modules.

The graph is read from the source with :mod:`ast` (nothing is imported): an edge ``a -> b`` for
every ``import b`` / ``from b import …`` in ``a``, including imports inside functions, which
only defer a cycle to run time. ``from package import submodule`` is an edge to the submodule.
A package's ``__init__`` re-exporting its children is not a cycle (children import siblings,
never the package that re-exports them).
"""

from __future__ import annotations

import ast
import functools
import graphlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Function-level imports that close a cycle on purpose, each with its reason. Nothing in
#: ``derisk.services`` may appear here.
DEFERRED: dict[tuple[str, str], str] = {
    ("derisk.engines.base", "derisk.engines.local"): "engine factory picks the implementation",
    ("derisk.engines.base", "derisk.engines.spark"): "engine factory; pyspark loaded on use",
    ("derisk.data.csvio", "derisk.data.safeio"): "bounded CSV reading loaded on use",
    ("derisk.store.base", "derisk.store.view"): "Store.view() builds a View (types only back)",
}


Graph = dict[str, set[str]]


def cycle_of(graph: Graph) -> list[str]:
    """One import cycle of the graph (its modules, the first repeated last), ``[]`` if none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def _modules() -> dict[str, tuple[Path, bool]]:
    out: dict[str, tuple[Path, bool]] = {}
    for path in (SRC / "derisk").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


@functools.cache
def _graph(deferred: bool) -> Graph:
    mods = _modules()
    graph: Graph = {}
    for name, (path, is_pkg) in mods.items():
        edges = graph.setdefault(name, set())
        package = name if is_pkg else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = ast.walk(tree) if deferred else iter(tree.body)
        for node in nodes:
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                subs = [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in mods]
                targets = subs if len(subs) == len(node.names) else [mod, *subs]
            for target in targets:
                if target in mods and target != name:
                    edges.add(target)
    return graph


def import_graph(*, deferred: bool = True) -> Graph:
    """derisk's module import graph; ``deferred=False`` leaves out function-level imports."""
    return {name: set(targets) for name, targets in _graph(deferred).items()}


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycle_of({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert set(cycle_of({"a": {"b"}, "b": {"c"}, "c": {"a"}})) == {"a", "b", "c"}


def test_graph_sees_known_imports() -> None:
    graph = import_graph()
    assert "derisk.services.common" in graph["derisk.services.trace"]
    assert "derisk.services.exposure" in graph["derisk.services.monitor"]  # deferred import
    assert "derisk.services.exposure" not in import_graph(deferred=False)["derisk.services.monitor"]


def test_no_module_level_import_cycle() -> None:
    assert cycle_of(import_graph(deferred=False)) == []


def test_no_cycle_through_services() -> None:
    graph = import_graph()
    services = {
        name: {t for t in targets if t.startswith("derisk.services.")}
        for name, targets in graph.items()
        if name.startswith("derisk.services.")
    }
    assert cycle_of(services) == []
    assert "derisk.services.exposure" not in graph["derisk.services.trade"]


def test_no_cycle_besides_the_declared_deferred_imports() -> None:
    graph = import_graph()
    for source, target in DEFERRED:
        graph[source].discard(target)
    assert cycle_of(graph) == []


@pytest.mark.parametrize("edge", sorted(DEFERRED))
def test_declared_deferred_imports_still_exist(edge: tuple[str, str]) -> None:
    source, target = edge
    assert target in import_graph()[source], f"{edge} is gone: drop it from DEFERRED"
