"""The compiled condensation kernel (:func:`derisk.analysis._graph.condense`).

Hand-solved small layers (chains, cross-holdings, self-holdings, cycles at several levels),
and random layers against independent references: SciPy's strongly connected components, levels
by repeated relaxation over the condensed stakes, and shares by a dense solve.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis import _graph
from derisk.analysis import ownership as own
from derisk.analysis.ownership import Stakes, plan, set_share


def run(n: int, owner: list[int], owned: list[int]) -> tuple[np.ndarray, ...]:
    """``condense`` on the inflow of the stakes ``owner[k] -> owned[k]``: the layout, the
    component label and the level of every node, and the number of levels."""
    a = sp.csr_matrix((np.ones(len(owner)), (owned, owner)), shape=(n, n))
    perm, pos, cstart, level, levels = _graph.condense(a.indptr, a.indices)
    comp = np.repeat(np.arange(cstart.size - 1), np.diff(cstart))[pos]
    check_layout(n, perm, pos, cstart, np.asarray(owner), np.asarray(owned), comp)
    return perm, pos, cstart, comp, level[pos], np.asarray(levels)


def check_layout(
    n: int,
    perm: np.ndarray,
    pos: np.ndarray,
    cstart: np.ndarray,
    owner: np.ndarray,
    owned: np.ndarray,
    comp: np.ndarray,
) -> None:
    """A permutation; components contiguous; every holder before what it holds (outside its
    own component)."""
    assert sorted(perm.tolist()) == list(range(n))
    np.testing.assert_array_equal(pos[perm], np.arange(n))
    assert cstart[0] == 0 and cstart[-1] == n and np.all(np.diff(cstart) > 0)
    if owner.size:
        out = comp[owner] != comp[owned]
        assert np.all(pos[owner[out]] < pos[owned[out]])


def test_chain_levels_follow_the_holders() -> None:
    # 0 holds 1 holds 2 holds 3; 4 holds 3 directly
    _perm, _pos, cstart, comp, lvl, levels = run(5, [0, 1, 2, 4], [1, 2, 3, 3])
    assert lvl.tolist() == [0, 1, 2, 3, 0]
    assert len(set(comp.tolist())) == 5 and cstart.size == 6
    assert levels == 4


def test_cross_holding_is_one_component_one_level() -> None:
    # 0 holds 1; 1 and 2 hold each other (a cross-holding); 2 holds 3; 3 holds 4
    _perm, pos, cstart, comp, lvl, levels = run(5, [0, 1, 2, 2, 3], [1, 2, 1, 3, 4])
    assert comp[1] == comp[2] and len(set(comp.tolist())) == 4
    assert lvl.tolist() == [0, 1, 1, 2, 3]
    assert cstart.size == 5 and levels == 4
    assert abs(int(pos[1]) - int(pos[2])) == 1  # members of a component sit together


def test_self_holding_and_cycles_at_several_levels() -> None:
    # a three-cycle 0 -> 1 -> 2 -> 0 on top; 3 holds part of itself and is held by 2;
    # 4 and 5 hold each other, both held by 3; 6 is held by 5 and by 0
    owner = [0, 1, 2, 3, 2, 4, 5, 3, 5, 0]
    owned = [1, 2, 0, 3, 3, 5, 4, 4, 6, 6]
    _perm, _pos, cstart, comp, lvl, levels = run(7, owner, owned)
    assert comp[0] == comp[1] == comp[2] and comp[4] == comp[5]
    assert len(set(comp.tolist())) == 4
    assert lvl.tolist() == [0, 0, 0, 1, 2, 2, 3]
    assert np.diff(cstart).tolist() == [3, 1, 2, 1] and levels == 4


def test_a_chain_deeper_than_any_recursion_limit() -> None:
    n = 200_000  # node k holds node k + 1: one component per node, levels 0..n-1
    perm, _pos, cstart, _comp, lvl, levels = run(n, list(range(n - 1)), list(range(1, n)))
    np.testing.assert_array_equal(lvl, np.arange(n))
    np.testing.assert_array_equal(perm, np.arange(n))
    assert cstart.size == n + 1 and levels == n
    # and one cycle through all of them
    _perm, _pos, cstart, comp, lvl, levels = run(n, list(range(n)), [*range(1, n), 0])
    assert np.all(comp == comp[0]) and np.all(lvl == 0) and cstart.tolist() == [0, n]
    assert levels == 1


def reference_levels(n: int, owner: np.ndarray, owned: np.ndarray) -> tuple[np.ndarray, ...]:
    a = sp.csr_matrix((np.ones(owner.size), (owned, owner)), shape=(n, n))
    _, lab = csgraph.connected_components(a, directed=True, connection="strong")
    keep = lab[owner] != lab[owned]
    lo, ld = lab[owner][keep], lab[owned][keep]
    lvl = np.zeros(lab.max() + 1, dtype=np.int64)
    for _ in range(lab.max() + 2):
        new = lvl.copy()
        np.maximum.at(new, ld, lvl[lo] + 1)
        if (new == lvl).all():
            break
        lvl = new
    return lab, lvl[lab]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.floats(0.0, 4.0), st.integers(0, 2**31))
def test_random_layers_match_scipy_components_and_relaxed_levels(
    n: int, degree: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    m = int(degree * n)
    owner = rng.integers(0, n, size=m)
    owned = rng.integers(0, n, size=m)
    _perm, _pos, cstart, comp, lvl, levels = run(n, owner.tolist(), owned.tolist())
    lab, ref_lvl = reference_levels(n, owner, owned)
    # the same partition: labels map one to one
    pairs = np.unique(np.stack([lab, comp]), axis=1)
    assert pairs.shape[1] == lab.max() + 1 == cstart.size - 1
    np.testing.assert_array_equal(lvl, ref_lvl)
    assert levels == ref_lvl.max() + 1


def dense_share(s: Stakes, mask: np.ndarray) -> np.ndarray:
    """``x = W^T u`` with ``(I - D W^T) u = s`` by a dense solve (``D = diag(1 - s)``)."""
    w = np.zeros((s.n, s.n))
    np.add.at(w, (s.owner, s.owned), s.share)
    sv = mask.astype(float)
    u = np.linalg.solve(np.eye(s.n) - (1 - sv)[:, None] * w.T, sv)
    return np.asarray(w.T @ u)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 120), st.floats(0.5, 3.0), st.floats(0.0, 0.6), st.integers(0, 2**31))
def test_kernel_plan_equals_a_dense_solve(n: int, degree: float, back: float, seed: int) -> None:
    """Random layers with cross-holdings and cycles (mostly downward stakes, a fraction
    ``back`` pointing up): the compiled path gives the dense solve to 1e-9."""
    rng = np.random.default_rng(seed)
    m = max(1, int(degree * n))
    a, b = rng.integers(0, n, size=m), rng.integers(0, n, size=m)
    up = rng.random(m) < back
    owner = np.where(up, np.maximum(a, b), np.minimum(a, b))
    owned = np.where(up, np.minimum(a, b), np.maximum(a, b))
    w = rng.random(m)
    cols = np.bincount(owned, weights=w, minlength=n)
    share = w / cols[owned] * rng.uniform(0.1, 0.95, size=n)[owned]  # open: columns below 1
    s = Stakes(n, owner.astype(np.int64), owned.astype(np.int64), share)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(own, "KERNEL_MIN_STAKES", 0)
        p = plan(s)
    one = np.zeros(n, dtype=bool)
    one[rng.integers(0, n)] = True  # one member: most of the layer out of its reach
    for mask in (rng.random(n) < 0.2, rng.random(n) < 0.7, one):
        want = dense_share(s, mask)
        # window 1: the sweep changes between reading every row and only reached ones at every
        # position (the default changes every 1,024 positions, more than these layers have)
        for window in (_graph.WINDOW, 1, 3):
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(_graph, "WINDOW", window)
                np.testing.assert_allclose(set_share(p, mask), want, atol=1e-9, rtol=0)


@pytest.mark.parametrize("small", [64, 0])
def test_entities_no_member_reaches_stay_zero(small: int) -> None:
    """The sweep computes only what a member reaches, also through a cyclic component solved
    in place (``small`` 64) or handed back to Python (0); a cross-holding and a closed pair that
    no member reaches are 0, not an error. Member 0 holds 50% of 1; 1 and 2 hold each other
    (20%, 30%); 2 holds 60% of 3. Unreached: 4 and 5 (40% each way), 5 holds 50% of 6 and 7
    holds 40% of it; 8 and 9 hold each other entirely. By hand: ``x1 = 0.5 + 0.2 * 0.3 * x1``,
    ``x2 = 0.3 x1``, ``x3 = 0.6 x2``."""
    owner = [0, 2, 1, 2, 4, 5, 5, 7, 8, 9]
    owned = [1, 1, 2, 3, 5, 4, 6, 6, 9, 8]
    share = [0.5, 0.2, 0.3, 0.6, 0.4, 0.4, 0.5, 0.4, 1.0, 1.0]
    s = Stakes.from_lists(10, owner, owned, share)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(own, "KERNEL_MIN_STAKES", 0)
        p = plan(s)
    assert isinstance(p, own.FlatPlan)
    p = own.FlatPlan.from_arrays({**p.arrays(), "small": np.asarray(small)})
    x1 = 0.5 / (1 - 0.2 * 0.3)
    want = [0.0, x1, 0.3 * x1, 0.6 * 0.3 * x1, 0, 0, 0, 0, 0, 0]
    for window in (_graph.WINDOW, 1):  # only reached rows read; every row read
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_graph, "WINDOW", window)
            got = set_share(p, [0])
        np.testing.assert_allclose(got, want, atol=1e-15, rtol=1e-13)
        assert np.all(got[4:] == 0.0)
    np.testing.assert_allclose(set_share(p, [0], cut=False), want, atol=1e-15, rtol=1e-13)
    # a member inside the reached cycle: chains cut there (x1 = 0.5 + 0.2 * 1, x3 = 0.6)
    np.testing.assert_allclose(
        set_share(p, [0, 2]), [0, 0.7, 0.3 * 0.7, 0.6, 0, 0, 0, 0, 0, 0], atol=1e-15
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 200), st.integers(0, 600), st.integers(0, 2**31))
def test_inflow_by_counting_sort_equals_scipy(n: int, m: int, seed: int) -> None:
    """Duplicate stakes stay apart but add up; zero stakes are left out."""
    rng = np.random.default_rng(seed)
    owner, owned = rng.integers(0, n, size=m), rng.integers(0, n, size=m)
    share = np.where(rng.random(m) < 0.1, 0.0, rng.random(m))
    indptr, indices, data = _graph.inflow_csr(owner, owned, share, n)
    assert indptr.dtype == indices.dtype == np.int32
    assert data.size == np.count_nonzero(share) and np.all(data != 0)
    got = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    want = Stakes(n, owner, owned, share).inflow()
    np.testing.assert_allclose(got.toarray(), want.toarray(), atol=1e-15, rtol=1e-13)
