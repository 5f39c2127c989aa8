"""Arrays mapped ahead by a second thread (:mod:`derisk.analysis._pages`) and the compiled plan
written into them: mapping never changes content, and the plan is the one built without it."""

from __future__ import annotations

import numpy as np
import pytest

from derisk.analysis import _graph, _pages
from derisk.analysis.ownership import FlatPlan, Stakes, set_share


def test_mapping_pages_keeps_what_is_written() -> None:
    a = np.arange(3_000_000, dtype=np.float64)  # 24 MB: several chunks of the thread's work
    b = a[1:]  # starts inside a page
    want = a.copy()
    _pages.populate(b)
    with _pages.Prefault() as pf:
        pf.add(a)
        pf.add(b)
        fresh = pf.empty(5_000_000, np.int32)
        fresh[:] = 7  # written while the thread may still be mapping it
        done = pf.submit(lambda: float(a.sum()))
    np.testing.assert_array_equal(a, want)
    assert np.all(fresh == 7)
    assert done.result() == want.sum()


def random_layer(n: int, seed: int) -> Stakes:
    """Each entity held by about three entities shortly before it in the index order; a few
    stakes point a short way up (small cycles); a few zero stakes."""
    rng = np.random.default_rng(seed)
    owned = np.repeat(np.arange(n), rng.poisson(3, size=n))
    up = rng.random(owned.size) < 0.1
    owner = np.where(
        up, owned + rng.integers(1, 4, owned.size), owned - rng.integers(1, 200, owned.size)
    )
    keep = (owner >= 0) & (owner < n)
    owner, owned = owner[keep], owned[keep]
    w = rng.random(owner.size) * (rng.random(owner.size) > 0.02)
    cols = np.bincount(owned, weights=w, minlength=n)
    share = w / np.maximum(cols[owned], 1e-300) * rng.uniform(0.2, 0.95, size=n)[owned]
    return Stakes(n, owner, owned, share)


@pytest.mark.parametrize("seed", range(3))
def test_the_plan_in_a_mapped_workspace_is_the_plan_without_one(seed: int) -> None:
    s = random_layer(20_000, seed)
    nnz = int(np.count_nonzero(s.share))
    plain = _graph.prepare(*_graph.inflow_csr(s.owner, s.owned, s.share, s.n))
    with _pages.Prefault() as pf:
        ws = _pages.workspace(s.n, nnz, pf)
        inflow = _graph.inflow_csr(s.owner, s.owned, s.share, s.n, ws)
        mapped = _graph.prepare(*inflow, ws)
    assert mapped.perm is ws.perm and mapped.data is ws.pdata  # written in place
    for k in ("perm", "pos", "cstart", "level", "indptr", "indices", "data", "nt_lo", "nt_hi"):
        np.testing.assert_array_equal(getattr(mapped, k), getattr(plain, k), err_msg=k)
    assert (mapped.levels, mapped.largest, mapped.cyclic) == (
        plain.levels,
        plain.largest,
        plain.cyclic,
    )
    members = np.random.default_rng(seed).random(s.n) < 0.01

    def flat(g: _graph.Prepared) -> FlatPlan:
        return FlatPlan(
            n=s.n, perm=g.perm, pos=g.pos, indptr=g.indptr, indices=g.indices, data=g.data,
            nt_lo=g.nt_lo, nt_hi=g.nt_hi, nt_closed=g.nt_closed, levels=g.levels,
            components=int(g.cstart.size - 1), largest_component=g.largest,
            cyclic_components=g.cyclic,
        )  # fmt: skip

    np.testing.assert_array_equal(set_share(flat(mapped), members), set_share(flat(plain), members))


def test_a_workspace_of_another_size_is_refused() -> None:
    s = random_layer(500, 9)
    ws = _pages.workspace(s.n, int(np.count_nonzero(s.share)) + 1)
    with pytest.raises(ValueError, match="nonzero"):
        _graph.inflow_csr(s.owner, s.owned, s.share, s.n, ws)


@pytest.mark.parametrize(("bits", "seed"), [(3, 0), (5, 1), (13, 2)])
def test_ids_in_no_order_fill_through_buckets_bit_for_bit(
    bits: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stakes in random order, ids relabelled at random: with a workspace they go through
    buckets of rows (many buckets, some empty, a partial last one, at these sizes) and give the
    arrays of the direct count and scatter, in the same order within each row."""
    s = random_layer(5_003, seed)
    rng = np.random.default_rng(seed)
    relabel = rng.permutation(s.n)
    order = rng.permutation(s.share.size)
    owner, owned, share = relabel[s.owner][order], relabel[s.owned][order], s.share[order]
    direct = _graph.inflow_csr(owner, owned, share, s.n)  # no workspace: the direct path
    monkeypatch.setattr(_graph, "BUCKET_BITS", bits)
    ws = _pages.workspace(s.n, int(np.count_nonzero(share)))
    ws.pdata.fill(np.nan)  # the buckets are held there: the bucket path overwrites it all
    bucketed = _graph.inflow_csr(owner, owned, share, s.n, ws)
    assert bucketed[1] is ws.indices
    assert not np.isnan(ws.pdata).any()
    for got, want in zip(bucketed, direct, strict=True):
        np.testing.assert_array_equal(got, want)
