"""The prepared structure of a layer: levels, batched component inverses, compiled kernels.

References are independent: a sparse direct solve of the whole system (SciPy ``spsolve``) and
the definition of a level (the longest chain of holders above a component).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis import ownership as own
from derisk.analysis.ownership import ClosedCycleError, Stakes, plan, set_share
from derisk.errors import BadInputError

TOL = 1e-9


def layered(n: int, seed: int, back: float = 0.05, closed: int = 0) -> Stakes:
    """Tiers of entities held from above, with back stakes (cycles of many sizes) and, with
    ``closed``, that many pairs of entities owning each other entirely."""
    rng = np.random.default_rng(seed)
    tier = np.sort(rng.integers(0, 8, size=n))
    owner, owned = [], []
    for j in range(n):
        above = np.flatnonzero(tier < tier[j])
        if above.size:
            k = min(above.size, 1 + rng.poisson(2))
            owner.extend(rng.choice(above, size=k, replace=False).tolist())
            owned.extend([j] * k)
    o, d = np.array(owner, dtype=np.int64), np.array(owned, dtype=np.int64)
    nb = int(back * o.size)
    pick = rng.choice(o.size, size=nb, replace=False) if nb else np.zeros(0, np.int64)
    o, d = np.concatenate([o, d[pick]]), np.concatenate([d, o[pick]])
    if rng.random() < 0.5:  # a few self-holdings
        s_ = rng.choice(n, size=max(1, n // 50), replace=False)
        o, d = np.concatenate([o, s_]), np.concatenate([d, s_])
    key = np.unique(o * n + d)
    o, d = key // n, key % n
    w = rng.random(o.size)
    cols = np.bincount(d, weights=w, minlength=n)
    target = rng.uniform(0.2, 0.98, size=n)
    share = w / cols[d] * target[d]
    if closed:  # extra nodes n, n + 1, ...: pairs owning each other entirely
        pairs = (n + np.arange(2 * closed)).reshape(-1, 2)
        o = np.concatenate([o, pairs[:, 0], pairs[:, 1]])
        d = np.concatenate([d, pairs[:, 1], pairs[:, 0]])
        share = np.concatenate([share, np.ones(2 * len(pairs))])
    return Stakes(n + 2 * closed, o, d, share)


def reference(s: Stakes, mask: np.ndarray, cut: bool = True) -> np.ndarray:
    """``x = W^T u``, ``(I - D W^T) u = s`` by one sparse direct solve of the whole layer."""
    a = s.inflow()
    d = 1.0 - mask if cut else np.ones(s.n)
    m = (sp.identity(s.n, format="csc") - sp.diags(d) @ a).tocsc()
    u = spla.spsolve(m, mask.astype(float))
    return np.asarray(a @ u)


def component_levels(s: Stakes) -> tuple[np.ndarray, np.ndarray]:
    """Component labels and the longest chain of holders above each (by repeated relaxation)."""
    a = s.inflow()
    _, lab = csgraph.connected_components(a, directed=True, connection="strong")
    keep = (lab[s.owner] != lab[s.owned]) & (s.share > 0)
    lo, ld = lab[s.owner][keep], lab[s.owned][keep]
    lvl = np.zeros(lab.max() + 1, dtype=np.int64)
    for _ in range(lab.max() + 2):
        new = lvl.copy()
        np.maximum.at(new, ld, lvl[lo] + 1)
        if (new == lvl).all():
            break
        lvl = new
    return lab, lvl


@pytest.fixture(params=["numpy", "kernel"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test with the numpy level peeling and with the compiled kernels."""
    if request.param == "kernel":
        monkeypatch.setattr(own, "KERNEL_MIN_STAKES", 0)
    return str(request.param)


@pytest.mark.parametrize("seed", range(6))
def test_levels_are_the_longest_chain_of_holders(path: str, seed: int) -> None:
    s = layered(400, seed)
    p = plan(s)
    lab, lvl = component_levels(s)
    assert p.levels == lvl.max() + 1
    assert p.components == lab.max() + 1
    if isinstance(p, own.Plan):  # laid out level by level
        node_level = np.empty(s.n, dtype=np.int64)
        for k, (lo, hi) in enumerate(p.bounds):
            node_level[p.perm[lo:hi]] = k
        np.testing.assert_array_equal(node_level, lvl[lab])
    else:  # laid out in completion order: every holder before what it holds
        keep = lab[s.owner] != lab[s.owned]
        assert np.all(p.pos[s.owner[keep]] < p.pos[s.owned[keep]])
    # members of one component sit next to each other
    comp_at = lab[p.perm]
    starts = np.flatnonzero(np.diff(comp_at)) + 1
    assert np.unique(comp_at[np.concatenate([[0], starts])]).size == starts.size + 1
    np.testing.assert_array_equal(p.pos[p.perm], np.arange(s.n))


@pytest.mark.parametrize("seed", range(6))
def test_screen_equals_one_sparse_solve(path: str, seed: int) -> None:
    s = layered(600, seed, back=0.08)
    p = plan(s)
    assert p.cyclic_components > 0
    rng = np.random.default_rng(seed)
    for frac in (0.0, 0.02, 0.2):  # members outside and inside cycles
        mask = rng.random(s.n) < frac
        mask[0] = True
        np.testing.assert_allclose(set_share(p, mask), reference(s, mask), atol=TOL, rtol=0)
        np.testing.assert_allclose(
            set_share(p, mask, cut=False), reference(s, mask, cut=False), atol=TOL, rtol=0
        )


@settings(max_examples=25, deadline=None)
@given(st.integers(50, 400), st.integers(0, 10_000), st.floats(0.0, 0.3))
def test_batched_inverses_and_special_components(n: int, seed: int, back: float) -> None:
    """Components above ``INVERSE_LIMIT`` take the sparse-LU path; below it the batched
    inverses. Both give the whole-layer solve."""
    s = layered(n, seed, back=back)
    mask = np.random.default_rng(seed).random(n) < 0.1
    expected = reference(s, mask)
    for limit in (64, 3):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(own, "INVERSE_LIMIT", limit)
            got = set_share(plan(s), mask)
        np.testing.assert_allclose(got, expected, atol=TOL, rtol=0)
    for small in (64, 2, 0):  # compiled: solved inside the sweep, or handed back to Python
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(own, "KERNEL_MIN_STAKES", 0)
            p = plan(s)
        assert isinstance(p, own.FlatPlan)
        p = own.FlatPlan.from_arrays({**p.arrays(), "small": np.asarray(small, dtype=np.int64)})
        np.testing.assert_allclose(set_share(p, mask), expected, atol=TOL, rtol=0)
        np.testing.assert_allclose(
            set_share(p, mask, cut=False), reference(s, mask, cut=False), atol=TOL, rtol=0
        )


def test_closed_pairs_are_kept_apart(path: str) -> None:
    s = layered(300, 3, closed=3)
    p = plan(s)
    if isinstance(p, own.Plan):
        assert int(p.closed.sum()) >= 3
        closed_nodes = np.flatnonzero(p.closed[p.comp[p.pos]])
    else:
        assert int(p.nt_closed.sum()) >= 3
        lohi = zip(p.nt_lo[p.nt_closed], p.nt_hi[p.nt_closed], strict=True)
        closed_nodes = np.sort(np.concatenate([p.perm[lo:hi] for lo, hi in lohi]))
    mask = np.zeros(s.n, dtype=bool)
    mask[:5] = True
    got = set_share(p, mask)
    assert np.all(got[closed_nodes] == 0)  # nobody outside holds any part of them
    pair = closed_nodes[:1]
    inside = set_share(p, pair)  # a member of the pair holds its partner entirely
    assert inside.max() == 1.0
    with pytest.raises(ClosedCycleError):
        set_share(p, pair, cut=False)


def test_kernel_and_numpy_paths_agree() -> None:
    s = layered(2000, 11, back=0.1)
    mask = np.random.default_rng(1).random(s.n) < 0.05
    a = plan(s)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(own, "KERNEL_MIN_STAKES", 0)
        b = plan(s)
    assert isinstance(a, own.Plan) and isinstance(b, own.FlatPlan)
    for k in ("levels", "components", "largest_component", "cyclic_components"):
        assert getattr(a, k) == getattr(b, k)
    np.testing.assert_allclose(set_share(a, mask), set_share(b, mask), atol=1e-12, rtol=0)


def test_local_engine_reuses_the_plan_of_an_unchanged_layer() -> None:
    from derisk.engines.local import LocalEngine, stakes_digest

    eng = LocalEngine()
    s = layered(300, 21)
    same = Stakes(s.n, s.owner.copy(), s.owned.copy(), s.share.copy())  # another date, same graph
    changed = Stakes(s.n, s.owner, s.owned, np.where(np.arange(s.share.size) == 0, 0.01, s.share))
    assert stakes_digest(s) == stakes_digest(same) != stakes_digest(changed)
    p1 = eng.prepare(s)
    assert eng.prepare(same) is p1
    p3 = eng.prepare(changed)
    assert p3 is not p1
    mask = np.zeros(s.n, dtype=bool)
    mask[:3] = True
    np.testing.assert_allclose(eng.set_share(p3, mask), reference(changed, mask), atol=TOL)


@pytest.mark.parametrize("extra", [0, 3])
def test_overfull_columns_are_refused_alike_on_both_paths(path: str, extra: int) -> None:
    """The compiled plan checks the column sums from the inflow it builds (on its second
    thread); the refusal names the same entity, total and count as the numpy path's."""
    s = layered(400, 5)
    sums = own.column_sums(s)
    room = np.flatnonzero(sums < 0.5)[: 1 + extra]  # entities to overfill: each gets 0.5 + 0.6
    owner = np.concatenate([s.owner, np.repeat(s.n - 1, 2 * room.size)])
    owned = np.concatenate([s.owned, np.repeat(room, 2)])
    share = np.concatenate([s.share, np.tile([0.5, 0.6], room.size)])
    bad = Stakes(s.n, owner, owned, share)
    first = int(room[0])
    total = 100 * (sums[first] + 1.1)
    others = f", and in {extra} other node(s)" if extra else ""
    want = f"the stakes in node {first} add up to {total:.4g}% (more than 100%){others}"
    with pytest.raises(BadInputError) as err:
        plan(bad)
    assert str(err.value) == want
