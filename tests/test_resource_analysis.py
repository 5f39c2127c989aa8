"""Re-sourcing analysis: hand-solved LPs, max-flow = min-cut against scipy, exclusions."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import maximum_flow

from derisk.analysis.resource import (
    FlowNetwork,
    ShareCap,
    Unbounded,
    max_flow,
    min_cost_plan,
)

BIG = 1e9

# --------------------------------------------------------------------------------------------
# Hand-solved networks
# --------------------------------------------------------------------------------------------


def two_stage() -> tuple[FlowNetwork, dict[str, int]]:
    """Mines A (100 t, $10), B (80 t, $12), C (China, 500 t, $5); refineries K (120 t, $4)
    and J (50 t, $6); freight A-K 1, A-J 2, B-K 2, B-J 1, C-K 1, C-J 1."""
    nodes = {"S": 0, "A": 1, "B": 2, "C": 3, "K": 4, "J": 5, "T": 6}
    arcs = [
        ("S", "A", 100, 10),
        ("S", "B", 80, 12),
        ("S", "C", 500, 5),
        ("A", "K", BIG, 1),
        ("A", "J", BIG, 2),
        ("B", "K", BIG, 2),
        ("B", "J", BIG, 1),
        ("C", "K", BIG, 1),
        ("C", "J", BIG, 1),
        ("K", "T", 120, 4),
        ("J", "T", 50, 6),
    ]
    net = FlowNetwork.build(
        7,
        [nodes[a[0]] for a in arcs],
        [nodes[a[1]] for a in arcs],
        [a[2] for a in arcs],
        [a[3] for a in arcs],
    )
    return net, nodes


def test_hand_solved_two_stage_without_china() -> None:
    # Path costs: A-K 15, A-J 18, B-K 18, B-J 19. Without C, 150 t: A-K 100, then K's last
    # 20 t from B (18), and 30 t B-J (19): 1500 + 360 + 570 = 2430. Swapping any unit raises
    # the cost (A-J + B-K instead of A-K + B-J: +2). Max flow min(100+80, 120+50) = 170.
    net, n = two_stage()
    plan = min_cost_plan(net, n["S"], n["T"], 150.0, blocked=[n["C"]])
    assert plan.max_flow.value == pytest.approx(170.0)
    assert plan.delivered == pytest.approx(150.0)
    assert plan.unmet == pytest.approx(0.0)
    assert plan.cost == pytest.approx(2430.0)
    names = ["SA", "SB", "SC", "AK", "AJ", "BK", "BJ", "CK", "CJ", "KT", "JT"]
    x = dict(zip(names, plan.flow, strict=True))
    assert (x["AK"], x["BK"], x["BJ"], x["SC"]) == pytest.approx((100, 20, 30, 0), abs=1e-6)
    # One more tonne at A displaces a B-K tonne (18) by A-K (15): -3 (better than replacing
    # B-J by A-J, -1). One more tonne of K capacity turns a B-J tonne (19) into B-K (18): -1.
    # B and J have slack: 0.
    m = dict(zip(names, plan.cost_marginal, strict=True))
    assert m["SA"] == pytest.approx(-3.0)
    assert m["KT"] == pytest.approx(-1.0)
    assert m["SB"] == pytest.approx(0.0)
    assert m["JT"] == pytest.approx(0.0)


def test_hand_solved_demand_above_max_flow_is_unmet() -> None:
    net, n = two_stage()
    plan = min_cost_plan(net, n["S"], n["T"], 400.0, blocked=[n["C"]])
    # Everything non-China flows: A 100 + B 80 = 180 > refining 170, so refining binds.
    assert plan.delivered == pytest.approx(170.0)
    assert plan.unmet == pytest.approx(230.0)
    # With China allowed, refining (170) is the limit and C at $5 is used first.
    with_china = min_cost_plan(net, n["S"], n["T"], 170.0)
    assert with_china.flow[n["C"] - 1] == pytest.approx(170.0)


def test_cost_marginal_matches_finite_difference() -> None:
    net, n = two_stage()
    base = min_cost_plan(net, n["S"], n["T"], 150.0, blocked=[n["C"]]).cost
    bumped = FlowNetwork.build(
        net.n_nodes,
        net.tail,
        net.head,
        net.capacity + np.eye(net.n_arcs)[0] * 5.0,  # A: 100 -> 105
        net.cost,
    )
    after = min_cost_plan(bumped, n["S"], n["T"], 150.0, blocked=[n["C"]]).cost
    assert after - base == pytest.approx(-15.0)  # 5 t x marginal -3


def test_hand_solved_yield() -> None:
    # Mine 100 t at $10 -> refinery with yield 0.8 -> buyer. Max 80 t; 40 t need 50 t of ore.
    net = FlowNetwork.build(3, [0, 1], [1, 2], [100, BIG], [10, 0], [1.0, 0.8])
    mf = max_flow(net, 0, 2)
    assert mf.method == "lp"
    assert mf.value == pytest.approx(80.0)
    assert mf.supply_marginal[0] == pytest.approx(0.8)  # one more tonne of ore: 0.8 t more
    plan = min_cost_plan(net, 0, 2, 40.0)
    assert plan.flow[0] == pytest.approx(50.0)
    assert plan.cost == pytest.approx(500.0)


def test_hand_solved_share_cap() -> None:
    # A (100 t, $10) and B (100 t, $20) -> buyer of 100 t; no more than 60% from A.
    net = FlowNetwork.build(4, [0, 0, 1, 2], [1, 2, 3, 3], [100, 100, BIG, BIG], [10, 20, 0, 0])
    cap_a = ShareCap("A at most 60%", np.array([2]), 0.6)
    plan = min_cost_plan(net, 0, 3, 100.0, shares=[cap_a])
    assert plan.flow[:2] == pytest.approx([60.0, 40.0])
    assert plan.cost == pytest.approx(1400.0)
    # Allowing one more tonne from A replaces a $20 tonne by a $10 one.
    assert plan.share_cost_marginal[0] == pytest.approx(-10.0)
    # Max flow with B capped at 30 t: A <= 0.6 (A + 30) gives A = 45, F = 75.
    net2 = FlowNetwork.build(4, [0, 0, 1, 2], [1, 2, 3, 3], [100, 30, BIG, BIG])
    mf = max_flow(net2, 0, 3, shares=[cap_a])
    assert mf.value == pytest.approx(75.0)
    # each tonne of allowance from A adds 1 t of A and F grows with it: dF/drhs = 1/(1-0.6)
    assert mf.share_marginal[0] == pytest.approx(2.5)


def test_unbounded_and_bad_input() -> None:
    net = FlowNetwork.build(3, [0, 1], [1, 2], [np.inf, np.inf])
    with pytest.raises(Unbounded):
        max_flow(net, 0, 2)
    with pytest.raises(Unbounded):
        max_flow(net, 0, 2, method="lp")
    with pytest.raises(ValueError, match="capacities"):
        FlowNetwork.build(2, [0], [1], [-1.0])
    with pytest.raises(ValueError, match="gains"):
        FlowNetwork.build(2, [0], [1], [1.0], gain=[0.0])
    with pytest.raises(ValueError, match="blocked"):
        max_flow(FlowNetwork.build(2, [0], [1], [1.0]), 0, 1, blocked=[1])
    with pytest.raises(ValueError, match="demand"):
        min_cost_plan(FlowNetwork.build(2, [0], [1], [1.0]), 0, 1, -5.0)


# --------------------------------------------------------------------------------------------
# Properties on random integer networks, checked against scipy.sparse.csgraph.maximum_flow
# --------------------------------------------------------------------------------------------


@st.composite
def integer_networks(draw: st.DrawFn) -> tuple[FlowNetwork, np.ndarray]:
    n = draw(st.integers(3, 9))
    m = draw(st.integers(1, 30))
    tail = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    head = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    cap = draw(st.lists(st.integers(0, 25), min_size=m, max_size=m))
    cost = draw(st.lists(st.integers(0, 9), min_size=m, max_size=m))
    keep = [i for i in range(m) if tail[i] != head[i]]
    net = FlowNetwork.build(
        n,
        [tail[i] for i in keep],
        [head[i] for i in keep],
        [float(cap[i]) for i in keep],
        [float(cost[i]) for i in keep],
    )
    blocked = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    blocked[[0, n - 1]] = False
    return net, blocked


def scipy_max_flow(net: FlowNetwork, s: int, t: int, blocked: np.ndarray | None = None) -> int:
    keep = net.capacity > 0
    if blocked is not None:
        keep &= ~blocked[net.tail] & ~blocked[net.head]
    g = sp.csr_matrix(
        (net.capacity[keep].astype(np.int32), (net.tail[keep], net.head[keep])),
        shape=(net.n_nodes, net.n_nodes),
    )
    g.sum_duplicates()
    return int(maximum_flow(g, s, t).flow_value)


@settings(max_examples=60, deadline=None)
@given(integer_networks())
def test_max_flow_equals_min_cut_and_scipy(case: tuple[FlowNetwork, np.ndarray]) -> None:
    net, _ = case
    s, t = 0, net.n_nodes - 1
    expected = scipy_max_flow(net, s, t)
    for method in ("combinatorial", "lp"):
        mf = max_flow(net, s, t, method=method)
        assert mf.value == pytest.approx(expected, abs=1e-6)
        cut_capacity = float(net.capacity[mf.cut_arcs].sum())
        assert cut_capacity == pytest.approx(mf.value, abs=1e-6)
        assert mf.source_side[s] and not mf.source_side[t]
        assert np.all(mf.flow <= net.capacity + 1e-9)


@settings(max_examples=60, deadline=None)
@given(integer_networks())
def test_excluded_nodes_carry_no_flow(case: tuple[FlowNetwork, np.ndarray]) -> None:
    net, blocked = case
    s, t = 0, net.n_nodes - 1
    touching = blocked[net.tail] | blocked[net.head]
    expected = scipy_max_flow(net, s, t, blocked)
    mf = max_flow(net, s, t, blocked=blocked)
    assert mf.value == pytest.approx(expected, abs=1e-6)
    assert np.all(mf.flow[touching] == 0.0)
    demand = float(expected) * 0.7 + 1.0
    plan = min_cost_plan(net, s, t, demand, blocked=blocked)
    assert np.all(plan.flow[touching] == 0.0)
    assert plan.delivered == pytest.approx(min(demand, expected), abs=1e-6)
    assert plan.unmet == pytest.approx(max(demand - expected, 0.0), abs=1e-6)
    # conservation at every inner node
    net_in = np.zeros(net.n_nodes)
    np.add.at(net_in, net.head, plan.flow)
    np.add.at(net_in, net.tail, -plan.flow)
    assert np.abs(net_in[1:-1]).max(initial=0.0) < 1e-6


@settings(max_examples=40, deadline=None)
@given(integer_networks(), st.data())
def test_supply_marginal_is_the_gain_from_one_more_unit(
    case: tuple[FlowNetwork, np.ndarray], data: st.DataObject
) -> None:
    net, _ = case
    assume(net.n_arcs > 0)
    s, t = 0, net.n_nodes - 1
    a = data.draw(st.integers(0, net.n_arcs - 1))
    mf = max_flow(net, s, t)
    bumped = FlowNetwork.build(
        net.n_nodes, net.tail, net.head, net.capacity + np.eye(net.n_arcs)[a], net.cost
    )
    gain = scipy_max_flow(bumped, s, t) - scipy_max_flow(net, s, t)
    assert mf.supply_marginal[a] == pytest.approx(gain)


@settings(max_examples=40, deadline=None)
@given(integer_networks())
def test_min_cost_plan_is_no_worse_than_an_lp_on_the_reduced_graph(
    case: tuple[FlowNetwork, np.ndarray],
) -> None:
    # Removing the blocked nodes' arcs must give the same least cost as blocking them.
    net, blocked = case
    s, t = 0, net.n_nodes - 1
    mf = max_flow(net, s, t, blocked=blocked)
    demand = mf.value * 0.5
    blocked_plan = min_cost_plan(net, s, t, demand, blocked=blocked)
    keep = ~(blocked[net.tail] | blocked[net.head])
    reduced = FlowNetwork.build(
        net.n_nodes, net.tail[keep], net.head[keep], net.capacity[keep], net.cost[keep]
    )
    reduced_plan = min_cost_plan(reduced, s, t, demand)
    assert blocked_plan.cost == pytest.approx(reduced_plan.cost, abs=1e-6)


def test_large_capacities_keep_precision() -> None:
    # Capacities of very different sizes (t and Mt) through the scaled combinatorial path.
    net = FlowNetwork.build(4, [0, 0, 1, 2], [1, 2, 3, 3], [0.375, 7.0e7, 1e12, 2.5])
    mf = max_flow(net, 0, 3)
    assert mf.method == "combinatorial"
    assert mf.value == pytest.approx(2.875, rel=1e-6)
    assert max_flow(net, 0, 3, method="lp").value == pytest.approx(2.875, rel=1e-9)


def test_docstring_examples_run() -> None:
    import doctest

    import derisk.analysis.resource as mod

    result = doctest.testmod(mod)
    assert result.attempted >= 3 and result.failed == 0
