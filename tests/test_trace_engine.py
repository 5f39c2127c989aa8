"""The tracing engine: recurrence, mass balance, and the batch propagation against the
per-facility traversal."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis.trace import (
    STATISTICAL,
    TRACED,
    UNKNOWN,
    ArrayGraph,
    Edge,
    MaterialGraph,
    Node,
    OriginKey,
    StageDist,
    collapse,
    levels,
    paths,
    propagate,
    reach,
    stage_origin,
)

COUNTRIES = ["CHN", "AUS", "USA", "DEU"]


def chain_graph() -> MaterialGraph:
    """Two mines -> a refinery (80% linked) -> a product plant at the pseudo-stage."""
    g = MaterialGraph(
        "x",
        ("mining", "refining", "production"),
        {
            "m1": Node("m1", "AUS", 0),
            "m2": Node("m2", "CHN", 0),
            "r": Node("r", "DEU", 1),
            "p": Node("p", "USA", 2),
        },
    )
    g.add_edge(Edge("a", "m1", "r", 0.5))
    g.add_edge(Edge("b", "m2", "r", 0.3))
    g.add_edge(Edge("c", "r", "p", 1.0))
    g.world[0] = StageDist({"CHN": 0.6, "AUS": 0.3}, 0.1, "src", 2025)
    return g


def test_recurrence_on_a_chain() -> None:
    g = chain_graph()
    mining = stage_origin(g, "p", 0)
    # 50% and 30% traced to the mines; the refinery's unlinked 20% falls back to world shares.
    assert mining[("AUS", "m1", TRACED)] == pytest.approx(0.5)
    assert mining[("CHN", "m2", TRACED)] == pytest.approx(0.3)
    assert mining[("CHN", None, STATISTICAL)] == pytest.approx(0.2 * 0.6)
    assert mining[("AUS", None, STATISTICAL)] == pytest.approx(0.2 * 0.3)
    assert mining[(None, None, UNKNOWN)] == pytest.approx(0.2 * 0.1)
    assert stage_origin(g, "p", 1) == {("DEU", "r", TRACED): 1.0}
    assert stage_origin(g, "p", 2) == {("USA", "p", TRACED): 1.0}
    with pytest.raises(ValueError, match="after the stage"):
        stage_origin(g, "r", 2)


def test_integrated_stage_is_performed_by_the_customer() -> None:
    # A magnet plant (stage 3) receives separated oxide (stage 1): it made the metal (stage 2).
    g = MaterialGraph(
        "rare-earths",
        ("mining", "separation", "metal", "magnets", "production"),
        {"s": Node("s", "CHN", 1), "mag": Node("mag", "JPN", 3)},
    )
    g.add_edge(Edge("l", "s", "mag", 1.0))
    assert stage_origin(g, "mag", 2) == {("JPN", "mag", TRACED): 1.0}
    assert stage_origin(g, "mag", 1) == {("CHN", "s", TRACED): 1.0}
    assert stage_origin(g, "mag", 0) == {(None, None, UNKNOWN): 1.0}


def test_overfull_shares_and_cycles_are_refused() -> None:
    g = chain_graph()
    g.add_edge(Edge("d", "m1", "r", 0.3))
    with pytest.raises(ValueError, match=r"sum to 1\.1"):
        stage_origin(g, "p", 0)
    h = MaterialGraph(
        "x", ("a", "b", "production"), {"u": Node("u", "AUS", 1), "v": Node("v", "AUS", 1)}
    )
    h.add_edge(Edge("1", "u", "v", 0.5))
    h.add_edge(Edge("2", "v", "u", 0.5))
    with pytest.raises(ValueError, match="cycle"):
        stage_origin(h, "u", 0)
    with pytest.raises(ValueError, match="cycle"):
        levels(2, np.array([0, 1]), np.array([1, 0]))


def test_paths_and_reach() -> None:
    g = chain_graph()
    ps, cut = paths(g, "p")
    assert not cut
    assert sorted((p.facilities, round(p.weight, 9)) for p in ps) == [
        (("p", "r", "m1"), 0.5),
        (("p", "r", "m2"), 0.3),
    ]
    assert reach(g, "p") == pytest.approx({"p": 1.0, "r": 1.0, "m1": 0.5, "m2": 0.3})


@st.composite
def random_graph(draw: st.DrawFn) -> MaterialGraph:
    """A layered supply graph over three stages plus production, with random shares."""
    sizes = [draw(st.integers(1, 4)) for _ in range(4)]
    nodes: dict[str, Node] = {}
    names: list[list[str]] = []
    for pos, n in enumerate(sizes):
        layer = []
        for i in range(n):
            nid = f"f{pos}_{i}"
            c = draw(st.sampled_from([*COUNTRIES, None]))
            nodes[nid] = Node(nid, c, pos)
            layer.append(nid)
        names.append(layer)
    g = MaterialGraph("x", ("a", "b", "c", "production"), nodes)
    lid = 0
    for pos in range(1, 4):
        for cust in names[pos]:
            # suppliers from any earlier stage (skipping stages exercises integration)
            cands = [f for q in range(pos) for f in names[q]]
            chosen = draw(st.lists(st.sampled_from(cands), unique=True, max_size=3))
            weights = [draw(st.integers(0, 10)) for _ in chosen]
            total = sum(weights) + draw(st.integers(0, 10))
            for s, w in zip(chosen, weights, strict=True):
                if total and w:
                    g.add_edge(Edge(f"l{lid}", s, cust, w / total))
                    lid += 1
    for k in range(3):
        if draw(st.booleans()):
            shares = draw(
                st.lists(st.integers(0, 5), min_size=len(COUNTRIES), max_size=len(COUNTRIES))
            )
            tot = sum(shares) + draw(st.integers(0, 5))
            if tot:
                g.world[k] = StageDist(
                    {c: v / tot for c, v in zip(COUNTRIES, shares, strict=True) if v},
                    1 - sum(shares) / tot,
                )
    return g


def to_arrays(g: MaterialGraph) -> tuple[ArrayGraph, list[str]]:
    ids = sorted(g.nodes)
    idx = {f: i for i, f in enumerate(ids)}
    cidx = {c: i for i, c in enumerate(COUNTRIES)}
    edges = [e for es in g.inputs.values() for e in es]
    world = {
        k: (
            np.array([cidx[c] for c in d.shares], dtype=np.int64),
            np.array(list(d.shares.values())),
            d.unknown,
        )
        for k, d in g.world.items()
    }
    return (
        ArrayGraph(
            np.array([g.nodes[f].pos for f in ids], dtype=np.int64),
            np.array(
                [cidx[c] if (c := g.nodes[f].country) else -1 for f in ids],
                dtype=np.int64,
            ),
            np.array([idx[e.supplier] for e in edges], dtype=np.int64),
            np.array([idx[e.customer] for e in edges], dtype=np.int64),
            np.array([e.share for e in edges]),
            len(COUNTRIES),
            world,
        ),
        ids,
    )


@settings(max_examples=120, deadline=None)
@given(random_graph())
def test_origin_is_mass_balanced(g: MaterialGraph) -> None:
    """Every stage's origin adds up to exactly the facility's output: traced, statistical and
    unknown parts together are 1, whatever the links leave out."""
    for f, node in g.nodes.items():
        for k in range(node.pos + 1):
            total = sum(stage_origin(g, f, k).values())
            assert math.isclose(total, 1.0, abs_tol=1e-9)


@settings(max_examples=120, deadline=None)
@given(random_graph())
def test_batch_propagation_equals_traversal(g: MaterialGraph) -> None:
    """The sparse level-by-level solve gives the same country shares as walking every path."""
    ag, ids = to_arrays(g)
    lev = levels(ag.n, ag.supplier, ag.customer)
    for k in range(4):
        m = propagate(ag, k, lev)
        traced = m.traced.toarray()
        stat = m.statistical.toarray()
        for i, f in enumerate(ids):
            if g.nodes[f].pos < k:
                assert not m.applicable[i]
                continue
            t, s, u = collapse(stage_origin(g, f, k))  # no memo: the naive traversal
            for j, c in enumerate(COUNTRIES):
                assert traced[i, j] == pytest.approx(t.get(c, 0.0), abs=1e-12)
                assert stat[i, j] == pytest.approx(s.get(c, 0.0), abs=1e-12)
            assert m.unknown[i] == pytest.approx(u, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(random_graph())
def test_memoised_and_naive_traversal_agree(g: MaterialGraph) -> None:
    memo: dict[tuple[str, int], dict[OriginKey, float]] = {}
    for f, node in g.nodes.items():
        for k in range(node.pos + 1):
            a = stage_origin(g, f, k, memo)
            b = stage_origin(g, f, k)
            assert a.keys() == b.keys()
            for key in a:
                assert a[key] == pytest.approx(b[key], abs=1e-12)
