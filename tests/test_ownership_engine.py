"""The look-through engine against a dense (I - W)^-1 solve, worked examples and invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis import ownership as own
from derisk.analysis.ownership import (
    ClosedCycleError,
    Stakes,
    ancestors,
    control_weights,
    integrated_dense,
    look_through,
    plan,
    set_share,
    top_chains,
)

TOL = 1e-9


@st.composite
def graphs(draw: st.DrawFn, max_n: int = 12, closed_ok: bool = False) -> Stakes:
    """Random ownership layers with cycles and cross-holdings; column sums in [0, 0.99]."""
    n = draw(st.integers(1, max_n))
    density = draw(st.floats(0.05, 0.6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    adj = rng.random((n, n)) < density
    if not draw(st.booleans()):
        np.fill_diagonal(adj, False)  # self-holdings only sometimes
    w = np.where(adj, rng.random((n, n)), 0.0)
    cols = w.sum(axis=0)
    target = rng.uniform(0.0, 1.0 if closed_ok else 0.99, size=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(cols > 0, w / cols * target, 0.0)
    owner, owned = np.nonzero(w)
    return Stakes(n, owner.astype(np.int64), owned.astype(np.int64), w[owner, owned])


def dense(s: Stakes) -> np.ndarray:
    return np.asarray(s.matrix().toarray())


def members_of(s: Stakes, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.random(s.n) < 0.3


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(0, 1000))
def test_integrated_set_share_equals_dense_inverse(s: Stakes, seed: int) -> None:
    w = dense(s)
    mask = members_of(s, seed)
    expected = mask.astype(float) @ integrated_dense(w)  # x^T = 1_S^T (I - W)^-1 W
    got = set_share(plan(s), mask, cut=False)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=0)


@settings(max_examples=150, deadline=None)
@given(graphs(), st.integers(0, 1000))
def test_cut_set_share_equals_dense_solve(s: Stakes, seed: int) -> None:
    w = dense(s)
    mask = members_of(s, seed)
    d = np.diag(1.0 - mask)
    # x^T = s^T W (I - D W)^-1: chains stop at the first member met going up.
    expected = mask.astype(float) @ w @ np.linalg.inv(np.eye(s.n) - d @ w)
    got = set_share(plan(s), mask)
    np.testing.assert_allclose(got, expected, atol=TOL, rtol=0)
    assert got.max(initial=0) <= 1 + TOL  # a set never holds more than all of an entity


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(0, 11))
def test_single_owner_cut_share_is_vitali_corrected(s: Stakes, i: int) -> None:
    i = i % s.n
    wt = integrated_dense(dense(s))
    got = set_share(plan(s), [i])
    expected = wt[i] / (1.0 + wt[i, i])
    others = np.arange(s.n) != i
    np.testing.assert_allclose(got[others], expected[others], atol=TOL, rtol=0)


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(0, 11))
def test_look_through_column_equals_dense(s: Stakes, t: int) -> None:
    t = t % s.n
    wt = integrated_dense(dense(s))
    lt = look_through(s, t)
    assert set(lt.nodes.tolist()) == set(ancestors(s, t).tolist()) - {t}
    np.testing.assert_allclose(lt.integrated, wt[lt.nodes, t], atol=TOL, rtol=0)
    np.testing.assert_allclose(
        lt.corrected, wt[lt.nodes, t] / (1 + wt[lt.nodes, lt.nodes]), atol=TOL, rtol=0
    )
    # entities outside the ancestor set hold nothing of t
    outside = np.setdiff1d(np.arange(s.n), ancestors(s, t))
    assert np.all(wt[outside, t] == 0)


@settings(max_examples=60, deadline=None)
@given(graphs(max_n=30), st.integers(0, 1000))
def test_block_paths_for_large_components(s: Stakes, seed: int) -> None:
    """Force the sparse-LU and Krylov paths by shrinking the size limits."""
    mask = members_of(s, seed)
    w = dense(s)
    d = np.diag(1.0 - mask)
    expected = mask.astype(float) @ w @ np.linalg.inv(np.eye(s.n) - d @ w)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(own, "INVERSE_LIMIT", 1)
        mp.setattr(own, "DENSE_LIMIT", 2)
        mp.setattr(own, "LU_LIMIT", 4)
        got = set_share(plan(s), mask)
    np.testing.assert_allclose(got, expected, atol=1e-8, rtol=0)


@settings(max_examples=60, deadline=None)
@given(graphs(max_n=9), st.integers(0, 1000))
def test_chains_add_up_on_acyclic_layers(s: Stakes, seed: int) -> None:
    """Without cycles the look-through share is exactly the sum over simple chains."""
    keep = s.owner < s.owned
    dag = Stakes(s.n, s.owner[keep], s.owned[keep], s.share[keep])
    mask = members_of(dag, seed)
    shares = set_share(plan(dag), mask)
    for t in range(dag.n):
        chains = top_chains(dag, np.flatnonzero(mask), t, k=10_000)
        total = sum(c.share for c in chains)
        assert total == pytest.approx(shares[t], abs=TOL)
        assert all(a.share >= b.share for a, b in itertools.pairwise(chains))
        for c in chains:  # every chain starts at a member and meets no other member
            assert mask[c.nodes[0]] and not mask[list(c.nodes[1:-1])].any()


@settings(max_examples=60, deadline=None)
@given(graphs(), st.sampled_from(["linear", "threshold", "relative"]))
def test_control_layers(s: Stakes, model: str) -> None:
    c = control_weights(s, model)
    sums = own.column_sums(c)
    if model == "relative":  # every column with a holder sums to exactly 1
        has = own.column_sums(s) > 0
        np.testing.assert_allclose(sums[has], 1.0, atol=1e-12)
    else:
        assert sums.max(initial=0) <= 1 + 1e-12
    if model == "threshold":
        assert set(np.unique(c.share)) <= {0.0, 1.0}
        assert np.array_equal(c.share == 1.0, s.share > 0.5)


# -- worked examples ---------------------------------------------------------------------------


def vitali_si_network() -> Stakes:
    """The six-node network of Vitali et al. (2011), SI section 3.4 ("An illustrated example"):
    node 0 holds 10% of node 1; nodes 1-4 form a strongly connected component whose other
    stakes come from inside; node 4 holds all of node 5."""
    edges = [
        (0, 1, 0.1), (1, 2, 0.5), (1, 3, 0.5), (1, 4, 0.2), (2, 1, 0.3), (2, 4, 0.2),
        (3, 1, 0.3), (3, 4, 0.6), (4, 1, 0.3), (4, 2, 0.5), (4, 3, 0.5), (4, 5, 1.0),
    ]  # fmt: skip
    o, d, w = zip(*edges, strict=True)
    return Stakes.from_lists(6, o, d, w)


def test_vitali_example_single_outside_owner_holds_everything() -> None:
    """Node 0 is the only stake from outside the component, so by look-through it holds all
    of nodes 1-5: x = 1 solves x_1 = 0.1 + 0.3 (x_2 + x_3 + x_4), x_2 = x_3 = 0.5 (x_1 + x_4),
    x_4 = 0.2 x_1 + 0.2 x_2 + 0.6 x_3, x_5 = x_4."""
    s = vitali_si_network()
    x = set_share(plan(s), [0])
    np.testing.assert_allclose(x, [0, 1, 1, 1, 1, 1], atol=1e-12)
    np.testing.assert_allclose(set_share(plan(s), [0], cut=False), x, atol=1e-12)


def test_vitali_example_self_holding_inside_the_component() -> None:
    """Integrated ownership counts chains that come back (W~_11 = 0.9 / 0.1 = 9: node 1
    holds 90% of itself per round trip); the corrected value removes them."""
    s = vitali_si_network()
    wt = integrated_dense(dense(s))
    # every chain from 1 returns to 1 with total weight 0.9 (column 1 sums to 1, 0.1 outside)
    assert wt[1, 1] == pytest.approx(0.9 / 0.1)
    lt = look_through(s, 5)
    got = dict(zip(lt.nodes.tolist(), lt.corrected.tolist(), strict=True))
    assert got[4] == pytest.approx(1.0)  # holds node 5 directly and wholly
    assert got[0] == pytest.approx(1.0)
    # Chains from 1 to 5 that avoid 1: with y_k the part of 5 reached from k that way,
    # y_2 = 0.2 y_4, y_3 = 0.6 y_4, y_4 = 1 + 0.5 y_2 + 0.5 y_3 = 5/3, and
    # y_1 = 0.2 y_4 + 0.5 y_2 + 0.5 y_3 = 1: node 1 holds all of 5 net of its round trips.
    assert got[1] == pytest.approx(wt[1, 5] / (1 + wt[1, 1]))
    assert got[1] == pytest.approx(1.0)


def test_chain_example_glattfelder() -> None:
    """A chain multiplies: 0 -90%-> 1 -51%-> 2 -90%-> 4 gives 0.9 * 0.51 * 0.9 = 41.31%."""
    s = Stakes.from_lists(5, [0, 1, 2, 2], [1, 2, 3, 4], [0.9, 0.51, 0.3, 0.9])
    x = set_share(plan(s), [0])
    assert x[4] == pytest.approx(0.9 * 0.51 * 0.9)
    assert x[3] == pytest.approx(0.9 * 0.51 * 0.3)
    thr = control_weights(s, "threshold")
    assert set_share(plan(thr), [0])[4] == 1.0  # majority at every link: full control
    assert set_share(plan(thr), [0])[3] == 0.0


def test_cross_holding_two_companies() -> None:
    """A and B hold 50% of each other; outsiders X (50% of A) and Y (50% of B). Each outsider
    ends up with 2/3 of its company and 1/3 of the other: (I - W)^-1 by hand."""
    a, b, x, y = 0, 1, 2, 3
    s = Stakes.from_lists(4, [a, b, x, y], [b, a, a, b], [0.5, 0.5, 0.5, 0.5])
    share_x = set_share(plan(s), [x])
    assert share_x[a] == pytest.approx(2 / 3)
    assert share_x[b] == pytest.approx(1 / 3)
    both = set_share(plan(s), [x, y])
    np.testing.assert_allclose(both[[a, b]], [1.0, 1.0])


def test_closed_cycle() -> None:
    """Two companies that own each other entirely: nobody outside holds anything of them,
    the per-holder view still terminates, and an integrated sum from inside diverges."""
    s = Stakes.from_lists(3, [0, 1], [1, 0], [1.0, 1.0])
    p = plan(s)
    np.testing.assert_allclose(set_share(p, [2]), 0.0)
    assert set_share(p, [0])[1] == 1.0
    with pytest.raises(ClosedCycleError):
        set_share(p, [0], cut=False)
    lt = look_through(s, 0)
    assert lt.nodes.tolist() == [1]
    assert lt.corrected.tolist() == [1.0]
    assert np.isinf(lt.integrated[0])


def test_overfull_column_is_refused() -> None:
    s = Stakes.from_lists(3, [0, 1], [2, 2], [0.7, 0.6])
    with pytest.raises(ValueError, match="add up to 130%"):
        plan(s)
