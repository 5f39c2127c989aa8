"""Origin tracing through trade: hand-worked cases, properties, batch vs dense."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis.trace_trade import (
    chain,
    decompose,
    fill_unknown_production,
    origin_shares,
    top_routes,
    trace_batch,
)

CHN, AUS, BEL, NLD, USA = 0, 1, 2, 3, 4


def _t(n: int, flows: dict[tuple[int, int], float]) -> np.ndarray:
    t = np.zeros((n, n))
    for (i, j), q in flows.items():
        t[i, j] = q
    return t


def test_no_reexport_gives_direct_shares() -> None:
    # China 100 and Australia 50 produce; the US imports 40 and 10 and produces nothing.
    t = _t(5, {(CHN, USA): 40.0, (AUS, USA): 10.0})
    o = origin_shares(np.array([100.0, 50.0, 0.0, 0.0, 0.0]), t)
    assert o.shares[USA].tolist() == pytest.approx([0.8, 0.2, 0, 0, 0, 0], abs=1e-12)
    d = decompose(o, t, USA, [CHN])
    assert (d.direct, d.indirect, d.total, d.unknown) == pytest.approx((0.8, 0.0, 0.8, 0.0))


def test_reexport_through_belgium_hand_worked() -> None:
    # China ships 30 to Belgium; Australia 10. Belgium produces 10 and ships 20 to the US;
    # Australia ships 20 to the US. Belgium's pool 50 = 0.2 BEL, 0.6 CHN, 0.2 AUS;
    # the US pool 40 = 20 x Belgium's mix + 20 AUS = 0.1 BEL, 0.3 CHN, 0.6 AUS.
    p = np.array([100.0, 60.0, 10.0, 0.0, 0.0])
    t = _t(5, {(CHN, BEL): 30.0, (AUS, BEL): 10.0, (BEL, USA): 20.0, (AUS, USA): 20.0})
    o = origin_shares(p, t)
    assert o.shares[BEL, :5].tolist() == pytest.approx([0.6, 0.2, 0.2, 0, 0], abs=1e-12)
    assert o.shares[USA, :5].tolist() == pytest.approx([0.3, 0.6, 0.1, 0, 0], abs=1e-12)
    d = decompose(o, t, USA, [CHN])
    assert d.direct == pytest.approx(0.0, abs=1e-12)
    assert d.via == pytest.approx({BEL: 0.3})
    assert d.total == pytest.approx(0.3)
    assert d.shipped_from_selected == 0.0  # direct import statistics show no China at all
    routes = top_routes(o, t, USA, [CHN])
    assert [(r.path, round(r.share, 12)) for r in routes] == [((CHN, BEL, USA), 0.3)]


def test_cycle_between_two_traders_hand_worked() -> None:
    # China 100 -> NLD 40; Australia 50 -> BEL 10; NLD -> BEL 20; BEL -> NLD 5; BEL -> US 10.
    # x = C[NLD, CHN] = (40 + 5y)/45, y = C[BEL, CHN] = 20x/30  =>  x = 0.96, y = 0.64;
    # a = C[NLD, AUS] = 5b/45, b = C[BEL, AUS] = (10 + 20a)/30  =>  b = 0.36, a = 0.04.
    p = np.array([100.0, 50.0, 0.0, 0.0, 0.0])
    t = _t(
        5, {(CHN, NLD): 40.0, (AUS, BEL): 10.0, (NLD, BEL): 20.0, (BEL, NLD): 5.0, (BEL, USA): 10.0}
    )
    o = origin_shares(p, t)
    assert o.shares[NLD, [CHN, AUS]].tolist() == pytest.approx([0.96, 0.04], abs=1e-12)
    assert o.shares[BEL, [CHN, AUS]].tolist() == pytest.approx([0.64, 0.36], abs=1e-12)
    assert o.shares[USA, [CHN, AUS]].tolist() == pytest.approx([0.64, 0.36], abs=1e-12)
    # the longest acyclic route CHN -> NLD -> BEL -> US carries (20/30)(40/45) of it
    routes = top_routes(o, t, USA, [CHN], max_depth=6)
    assert routes[0].path == (CHN, NLD, BEL, USA)
    assert routes[0].share == pytest.approx((20 / 30) * (40 / 45))


def test_own_production_and_import_basis() -> None:
    # China 100 -> US 30 and -> BEL 20; BEL -> US 10; the US produces 10.
    t = _t(5, {(CHN, BEL): 20.0, (BEL, USA): 10.0, (CHN, USA): 30.0})
    o = origin_shares(np.array([100.0, 0.0, 0.0, 0.0, 10.0]), t)
    d = decompose(o, t, USA, [CHN])
    assert d.imports == 40.0 and d.supply == 50.0
    assert (d.direct, d.total, d.domestic, d.supply_share) == pytest.approx((0.75, 1.0, 0.2, 0.8))


def test_unknown_partner_and_unknown_production_stay_explicit() -> None:
    # The US imports 10 from China and 10 from unspecified partners; Belgium's production is
    # unknown but it exports 30 and imports 10 from China, so it produced at least 20.
    t = _t(5, {(CHN, USA): 10.0, (CHN, BEL): 10.0, (BEL, USA): 30.0})
    u = np.array([0.0, 0.0, 0.0, 0.0, 10.0])
    p = np.array([50.0, 0.0, np.nan, 0.0, 0.0])
    o = origin_shares(p, t, u)
    assert o.estimated.tolist() == [False, False, True, False, False]
    assert o.production[BEL] == 20.0
    d = decompose(o, t, USA, [CHN])
    # imports 50: 10 CHN direct, 30 x (10/30 CHN) through BEL, 10 unknown
    assert (d.direct, d.indirect, d.unknown) == pytest.approx((0.2, 0.2, 0.2))
    assert o.shares[USA].sum() == pytest.approx(1.0)


def test_exports_without_supply_and_sourceless_loops_are_unknown() -> None:
    # BEL exports 10 with no production and no imports; NLD and AUS trade in a closed loop.
    t = _t(5, {(BEL, USA): 10.0, (NLD, AUS): 5.0, (AUS, NLD): 5.0})
    o = origin_shares(np.array([0.0, 0.0, 0.0, 0.0, 0.0]), t)
    assert o.shares[USA, 5] == pytest.approx(1.0)
    assert o.sourceless[[AUS, NLD]].all()
    assert o.shares[AUS, 5] == 1.0 and o.shares[NLD, 5] == 1.0


def test_chain_hand_worked() -> None:
    # mining: CHN 80 + imports 5 from AUS; MYS (index 2) imports 10 from AUS.
    # refining: CHN 60 -> US 30, MYS 10 -> US 10.
    # US refined: 0.75 CHN-refined, 0.25 MYS-refined => mine origin 0.75*80/85 CHN,
    # 0.75*5/85 + 0.25 AUS.
    n = 4
    mine = origin_shares(np.array([80.0, 20.0, 0.0, 0.0]), _t(n, {(1, 0): 5.0, (1, 2): 10.0}))
    ref = origin_shares(np.array([60.0, 0.0, 10.0, 0.0]), _t(n, {(0, 3): 30.0, (2, 3): 10.0}))
    c = chain(ref.shares, mine.shares)
    assert c[3, 0] == pytest.approx(0.75 * 80 / 85)
    assert c[3, 1] == pytest.approx(0.75 * 5 / 85 + 0.25)
    assert c[3].sum() == pytest.approx(1.0)


def test_fill_unknown_production_is_net_exports() -> None:
    p, est = fill_unknown_production(np.array([np.nan, np.nan]), _t(2, {(0, 1): 7.0, (1, 0): 2.0}))
    assert p.tolist() == [5.0, 0.0] and est.tolist() == [True, True]


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        origin_shares(np.array([1.0, 1.0]), np.array([[0, -1.0], [0, 0]]))
    with pytest.raises(ValueError, match=r"\(n, n\)"):
        origin_shares(np.array([1.0, 1.0]), np.zeros((3, 3)))


@st.composite
def networks(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 7))
    flows = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.1, 100.0)),
            max_size=25,
        )
    )
    t = np.zeros((n, n))
    for i, j, q in flows:
        if i != j:
            t[i, j] += q
    p = np.array(
        draw(
            st.lists(
                st.one_of(st.just(0.0), st.floats(0.1, 200.0), st.just(np.nan)),
                min_size=n,
                max_size=n,
            )
        )
    )
    u = np.array(
        draw(st.lists(st.one_of(st.just(0.0), st.floats(0.1, 20.0)), min_size=n, max_size=n))
    )
    return p, t, u


@settings(max_examples=150, deadline=None)
@given(networks())
def test_mass_is_conserved(net: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, t, u = net
    o = origin_shares(p, t, u)
    sums = o.shares.sum(axis=1)
    has = o.supply > 0
    assert np.allclose(sums[has], 1.0, atol=1e-9)
    assert np.all(o.shares >= -1e-12)
    assert np.all(sums[~has] == 0.0)


@settings(max_examples=100, deadline=None)
@given(networks())
def test_complete_data_have_no_unknown(net: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, t, _u = net
    # complete: every exporter produces at least its exports, no unknown partners
    p = np.nan_to_num(p) + t.sum(axis=1)
    o = origin_shares(p, t)
    assert np.allclose(o.shares[:, -1], 0.0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(networks())
def test_without_reexports_origin_is_direct_share(
    net: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    p, t, _u = net
    # no re-export: a country that exports imports nothing, and produces what it exports
    exporters = t.sum(axis=1) > 0
    t[:, exporters] = 0.0
    p = np.nan_to_num(p) + t.sum(axis=1)
    o = origin_shares(p, t)
    s = p + t.sum(axis=0)
    for j in range(len(p)):
        if s[j] > 0:
            expected = t[:, j] / s[j]
            expected[j] += p[j] / s[j]
            assert np.allclose(o.shares[j, :-1], expected, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(networks(), st.integers(0, 6))
def test_decomposition_adds_up(net: tuple[np.ndarray, np.ndarray, np.ndarray], k: int) -> None:
    p, t, u = net
    n = len(p)
    o = origin_shares(p, t, u)
    j, sel = k % n, [0]
    d = decompose(o, t, j, sel)
    if d.imports > 0:
        expected = (t[:, j] @ o.shares[:, 0]) / d.imports
        assert d.total == pytest.approx(expected, abs=1e-12)
        assert d.direct + sum(d.via.values()) == pytest.approx(d.total, abs=1e-12)
        routes = top_routes(o, t, j, sel, limit=1000, max_depth=n + 1, min_share=0.0)
        assert sum(r.share for r in routes) <= d.total + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(networks(), min_size=1, max_size=4))
def test_batch_matches_dense(nets: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    n = max(len(p) for p, _t, _u in nets)
    ks, ii, jj, qq = [], [], [], []
    prod = np.zeros((len(nets), n))
    unk = np.zeros((len(nets), n))
    dense = []
    for k, (p, t, u) in enumerate(nets):
        m = len(p)
        big_t = np.zeros((n, n))
        big_t[:m, :m] = t
        prod[k, :m] = p
        unk[k, :m] = u
        i, j = np.nonzero(big_t)
        ks += [k] * len(i)
        ii += i.tolist()
        jj += j.tolist()
        qq += big_t[i, j].tolist()
        dense.append(origin_shares(prod[k], big_t, unk[k]).shares)
    b = trace_batch(ks, ii, jj, qq, prod, unk, chunk=2)
    for k, c in enumerate(dense):
        assert np.allclose(b.matrix(k), c, atol=1e-10)
        assert np.allclose(b.share_from([0])[k], c[:, 0], atol=1e-10)
        assert np.allclose(b.unknown_share()[k], c[:, n], atol=1e-10)
    # several origin sets in one batched solve give the dense answer for each set
    sets = [[0], [n], [*range(0, n, 2), n]]
    many = b.shares_from(sets)
    for k, c in enumerate(dense):
        for got, sel in zip(many, sets, strict=True):
            assert np.allclose(got[k], c[:, sel].sum(axis=1), atol=1e-10)


@pytest.mark.parametrize("compiled", [True, False])
def test_batch_of_many_commodities_of_different_sizes(compiled: bool) -> None:
    """Stacks of commodities with different exporter counts (padding) against the dense solve."""
    rng = np.random.default_rng(4)
    n, kk = 12, 23
    ks, ii, jj, qq = [], [], [], []
    prod = np.where(rng.random((kk, n)) < 0.4, rng.uniform(1, 50, (kk, n)), 0.0)
    prod[rng.random((kk, n)) < 0.1] = np.nan  # unknown production, estimated from trade
    dense = []
    filled = []
    for k in range(kk):
        t = np.where(rng.random((n, n)) < rng.uniform(0.05, 0.5), rng.uniform(0, 20, (n, n)), 0)
        np.fill_diagonal(t, 0.0)
        i, j = np.nonzero(t)
        ks += [k] * len(i)
        ii += i.tolist()
        jj += j.tolist()
        qq += t[i, j].tolist()
        o = origin_shares(prod[k], t)
        dense.append(o.shares)
        filled.append((o.production, o.estimated, o.unknown_inflow))
    b = trace_batch(ks, ii, jj, qq, prod, chunk=4, compiled=compiled)
    share, unknown = b.shares_from([[0, 3], [n]])
    assert b.estimated.any()
    for k, (p, est, u) in enumerate(filled):  # production filled as the dense solve fills it
        np.testing.assert_allclose(b.production[k], p, atol=1e-12)
        np.testing.assert_array_equal(b.estimated[k], est)
        np.testing.assert_allclose(b.unknown_inflow[k], u, atol=1e-12)
    for k, c in enumerate(dense):
        np.testing.assert_allclose(share[k], c[:, [0, 3]].sum(axis=1), atol=1e-10)
        np.testing.assert_allclose(unknown[k], c[:, n], atol=1e-10)


def _sparse_world(
    rng: np.random.Generator, n: int, kk: int, own_output: float
) -> tuple[list[int], list[int], list[int], list[float], np.ndarray, np.ndarray, list[np.ndarray]]:
    """``kk`` commodities over ``n`` countries, about 12 partners per exporter, some unknown
    partners; production is each country's net exports plus, for half of them, ``own_output``
    times its exports (0: most supply is re-exported; large: little re-export)."""
    ks: list[int] = []
    ii: list[int] = []
    jj: list[int] = []
    qq: list[float] = []
    prod = np.zeros((kk, n))
    unk = np.where(rng.random((kk, n)) < 0.05, rng.uniform(0, 5, (kk, n)), 0.0)
    dense = []
    for k in range(kk):
        t = np.where(rng.random((n, n)) < 12 / n, rng.lognormal(0, 1.5, (n, n)), 0.0)
        t[rng.random(n) < 0.3] = 0.0  # not every country exports
        np.fill_diagonal(t, 0.0)
        e, m = t.sum(axis=1), t.sum(axis=0)
        prod[k] = np.maximum(0.0, e - m) + own_output * e * (rng.random(n) < 0.5)
        i, j = np.nonzero(t)
        ks += [k] * len(i)
        ii += i.tolist()
        jj += j.tolist()
        qq += t[i, j].tolist()
        dense.append(origin_shares(prod[k], t, unk[k]).shares)
    return ks, ii, jj, qq, prod, unk, dense


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("own_output", [5.0, 0.0])
def test_batch_of_large_exporter_blocks_matches_dense(own_output: float, compiled: bool) -> None:
    """Exporter blocks of about 60 countries (each commodity's own size, no padding), with
    little re-export and with most supply re-exported, against the dense solve; the compiled
    kernels and the same code uncompiled."""
    rng = np.random.default_rng(11)
    n, kk = 90, 6
    ks, ii, jj, qq, prod, unk, dense = _sparse_world(rng, n, kk, own_output)
    b = trace_batch(ks, ii, jj, qq, prod, unk, chunk=2, compiled=compiled)
    assert b.compiled is compiled
    assert b.exporter[:, :n].sum(axis=1).min() > 40
    sets = [[0, 5, 7], [n]]
    many = b.shares_from(sets)
    for k, c in enumerate(dense):
        for got, sel in zip(many, sets, strict=True):
            np.testing.assert_allclose(got[k], c[:, sel].sum(axis=1), atol=1e-10)
        np.testing.assert_allclose(b.matrix(k), c, atol=1e-10)
