"""Both engines against independent computations: origin tracing and look-through ownership.

References are computed here from the definitions (dense inverses), not by derisk's solvers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis.ownership import ClosedCycleError, Stakes
from derisk.engines import Engine
from tests.engines.conftest import declare_gap, limited

TOL = 1e-9


# -- trade ---------------------------------------------------------------------------------


def reference_origins(p: np.ndarray, t: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``C`` with an unknown-origin node that produces the unknown inflow (complete data)."""
    n = p.size
    ta = np.zeros((n + 1, n + 1))
    ta[:n, :n] = t
    ta[n, :n] = u
    pa_ = np.append(p, u.sum())
    s = pa_ + ta.sum(axis=0)
    inv = np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), 0.0)
    c = np.linalg.inv(np.eye(n + 1) - inv[:, None] * ta.T) @ np.diag(inv * pa_)
    return np.asarray(c[:n])


def test_origin_hand_worked(engine: Engine) -> None:
    # China (100) ships 20 to Belgium and 30 to the US; Belgium (production unknown) ships 10
    # on to the US; the US makes 10 and imports 10 from unknown partners. Belgium's least
    # production is max(0, 10 - 20) = 0, so its pool is all Chinese; the US pool is
    # 10 own + 30 + 10 Chinese + 10 unknown = 60.
    t = np.array([[0, 20.0, 30.0], [0, 0, 10.0], [0, 0, 0]])
    o = engine.origin_shares(np.array([100.0, np.nan, 10.0]), t, np.array([0, 0, 10.0]))
    np.testing.assert_allclose(o.shares[2], [40 / 60, 0, 10 / 60, 10 / 60], atol=TOL)
    np.testing.assert_allclose(o.shares[1], [1, 0, 0, 0], atol=TOL)
    assert o.estimated.tolist() == [False, True, False]
    assert o.supply.tolist() == pytest.approx([100, 20, 60])


def test_origin_refuses_negative_trade(engine: Engine) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        engine.origin_shares(np.array([1.0, 1.0]), np.array([[0, -1.0], [0, 0]]))


def test_origin_random_complete_data(engine: Engine) -> None:
    cases = 40 if engine.name == "local" else 3

    @settings(max_examples=cases, deadline=None, derandomize=True)
    @given(st.integers(2, 9), st.integers(0, 2**31), st.floats(0.1, 0.9))
    def run(n: int, seed: int, density: float) -> None:
        rng = np.random.default_rng(seed)
        t = np.where(rng.random((n, n)) < density, rng.random((n, n)) * 50, 0.0)
        np.fill_diagonal(t, 0)
        p = rng.random(n) * 100 + 1
        u = np.where(rng.random(n) < 0.3, rng.random(n) * 10, 0.0)
        o = engine.origin_shares(p, t, u)
        np.testing.assert_allclose(o.shares, reference_origins(p, t, u), atol=TOL, rtol=0)
        np.testing.assert_allclose(o.shares.sum(axis=1), 1.0, atol=TOL)

    run()


def flows_table(
    seed: int, years: int = 2, commodities: int = 4, with_unknown: bool = True
) -> tuple[pa.Table, list[str]]:
    """Random flows between 7 countries, with world totals to ignore and unknown partners."""
    rng = np.random.default_rng(seed)
    names = ["AUS", "BEL", "CHN", "DEU", "JPN", "USA", "ZAF"]
    rows: list[tuple[int, str, str, str, float]] = []
    for y in range(2020, 2020 + years):
        for k in range(commodities):
            code = f"26{k:02d}10"
            for _ in range(int(rng.integers(4, 20))):
                e, i = rng.choice(len(names), 2, replace=False)
                rows.append((y, code, names[e], names[i], float(rng.integers(1, 500))))
            if with_unknown:
                rows.append((y, code, "OTH", names[int(rng.integers(7))], 25.0))
            rows.append((y, code, "WLD", "USA", 1e6))  # a world total: ignored
    cols = list(zip(*rows, strict=True))
    table = pa.table(
        {
            "year": pa.array(cols[0], pa.int64()),
            "commodity": list(cols[1]),
            "exporter": list(cols[2]),
            "importer": list(cols[3]),
            "quantity": pa.array(cols[4], pa.float64()),
        }
    )
    return table, names


def test_trace_table_matches_reference(engine: Engine) -> None:
    flows, names = flows_table(5)
    years = sorted(set(flows["year"].to_pylist()))
    comms = sorted(set(flows["commodity"].to_pylist()))
    prod_rows = [(y, c, n, 10.0 + 7 * i) for y in years for c in comms for i, n in enumerate(names)]
    cols = list(zip(*prod_rows, strict=True))
    production = pa.table(
        {"year": list(cols[0]), "commodity": list(cols[1]), "country": list(cols[2]),
         "quantity": list(cols[3])}
    )  # fmt: skip
    out = engine.trace_table(flows, production, ["CHN"]).to_pylist()
    f = flows.to_pylist()
    got = {(r["year"], r["commodity"], r["country"]): r for r in out}
    n = len(names)
    for y in years:
        for c in comms:
            t = np.zeros((n, n))
            u = np.zeros(n)
            for r in f:
                if (r["year"], r["commodity"]) != (y, c) or r["exporter"] == "WLD":
                    continue
                j = names.index(r["importer"])
                if r["exporter"] == "OTH":
                    u[j] += r["quantity"]
                else:
                    t[names.index(r["exporter"]), j] += r["quantity"]
            p = np.array([10.0 + 7 * i for i in range(n)])
            ref = reference_origins(p, t, u)
            for j, name in enumerate(names):
                row = got[(y, c, name)]
                assert row["selected_share"] == pytest.approx(ref[j, 2], abs=TOL)
                assert row["unknown_share"] == pytest.approx(ref[j, n], abs=TOL)
                assert row["supply"] == pytest.approx(p[j] + t[:, j].sum() + u[j], abs=1e-6)
    assert len(out) == len(years) * len(comms) * n
    assert [(r["year"], r["commodity"], r["country"]) for r in out] == sorted(got)


def test_trace_table_engines_agree_with_estimated_production(engine: Engine) -> None:
    """Unknown production everywhere: the local engine (batched exporter solve) and Spark
    (a dense solve per commodity-year) must give the same table."""
    from derisk.engines.local import LocalEngine

    flows, _ = flows_table(11, years=2, commodities=5)
    production = pa.table(
        {"year": [2020, 2021], "commodity": ["260010", "260110"], "country": ["CHN", "AUS"],
         "quantity": pa.array([None, 300.0], pa.float64())}
    )  # fmt: skip
    mine = engine.trace_table(flows, production, ["CHN", "ZAF"]).to_pylist()
    ref = LocalEngine().trace_table(flows, production, ["CHN", "ZAF"]).to_pylist()
    assert [(r["year"], r["commodity"], r["country"], r["estimated"]) for r in mine] == [
        (r["year"], r["commodity"], r["country"], r["estimated"]) for r in ref
    ]
    for a, b in zip(mine, ref, strict=True):
        for k in ("supply", "production", "selected_share", "unknown_share"):
            assert a[k] == pytest.approx(b[k], abs=TOL), (a, b, k)
    # every country's pool is fully accounted for by some origin when production is estimated
    assert all(0 <= r["selected_share"] <= 1 + TOL for r in mine)


def test_trace_table_refuses_negative_quantity(engine: Engine) -> None:
    flows, _ = flows_table(2, years=1, commodities=1)
    bad = flows.set_column(4, "quantity", pa.array([-1.0] * flows.num_rows, pa.float64()))
    with pytest.raises(ValueError, match="field quantity"):
        engine.trace_table(bad, None, ["CHN"])


# -- ownership -----------------------------------------------------------------------------


def random_layer(seed: int, n: int, density: float, self_loops: bool = True) -> Stakes:
    """A layer with cross-holdings and cycles; columns sum to at most 0.99."""
    rng = np.random.default_rng(seed)
    adj = rng.random((n, n)) < density
    if not self_loops:
        np.fill_diagonal(adj, False)
    w = np.where(adj, rng.random((n, n)), 0.0)
    cols = w.sum(axis=0)
    target = rng.uniform(0.0, 0.99, size=n)
    w = np.where(cols > 0, w / np.where(cols > 0, cols, 1.0) * target, 0.0)
    owner, owned = np.nonzero(w)
    return Stakes(n, owner.astype(np.int64), owned.astype(np.int64), w[owner, owned])


def reference_shares(s: Stakes, mask: np.ndarray, cut: bool) -> np.ndarray:
    """``x^T = s^T W (I - D W)^-1`` with ``D = diag(1 - s)`` (cut) or ``I`` (every chain)."""
    w = np.asarray(s.matrix().toarray())
    d = np.diag(1.0 - mask) if cut else np.eye(s.n)
    return np.asarray(mask.astype(float) @ w @ np.linalg.inv(np.eye(s.n) - d @ w))


@pytest.mark.parametrize(
    ("seed", "n", "density"),
    [(1, 9, 0.35), (2, 14, 0.12), (3, 12, 0.05)],
    ids=["dense-cycles", "sparse-levels", "forest"],
)
def test_set_share_matches_dense_reference(
    engine: Engine, seed: int, n: int, density: float
) -> None:
    s = random_layer(seed, n, density)
    mask = np.random.default_rng(seed + 100).random(n) < 0.3
    mask[0] = True
    prepared = engine.prepare(s)
    for cut in (True, False):
        got = engine.set_share(prepared, mask, cut=cut)
        np.testing.assert_allclose(got, reference_shares(s, mask, cut), atol=TOL, rtol=0)


def test_set_share_layered_cycles(graph_engine: Engine) -> None:
    """Cycles at several levels below one another: on Spark, trimming, colouring (two passes)
    and levels all run as rounds of joins here."""
    # 0 -> {1 <-> 2} -> 3 -> {4 -> 5 -> 6 -> 4} -> 7, with a self-holding at 3
    o = [0, 1, 2, 2, 3, 3, 4, 5, 6, 6, 5]
    d = [1, 2, 1, 3, 3, 4, 5, 6, 4, 7, 7]
    w = [0.6, 0.5, 0.2, 0.7, 0.1, 0.8, 0.4, 0.5, 0.15, 0.9, 0.05]
    s = Stakes.from_lists(8, o, d, w)
    prepared = graph_engine.prepare(s)
    for members in ([0], [2, 6]):
        mask = np.zeros(8, dtype=bool)
        mask[members] = True
        got = graph_engine.set_share(prepared, mask)
        np.testing.assert_allclose(got, reference_shares(s, mask, True), atol=TOL, rtol=0)
    if graph_engine.name == "spark":
        assert (prepared.levels, prepared.cyclic_components) == (5, 2)


def many_components(seed: int, sizes: list[int]) -> Stakes:
    """Disjoint layers of the given sizes (each with cycles), ids shuffled across them."""
    rng = np.random.default_rng(seed)
    parts = [random_layer(seed + k, m, min(0.9, 3.0 / m)) for k, m in enumerate(sizes)]
    n = sum(sizes)
    perm = rng.permutation(n)
    off = np.cumsum([0, *sizes])
    o = np.concatenate([perm[p.owner + off[k]] for k, p in enumerate(parts)])
    d = np.concatenate([perm[p.owned + off[k]] for k, p in enumerate(parts)])
    w = np.concatenate([p.share for p in parts])
    return Stakes(n, o.astype(np.int64), d.astype(np.int64), w)


@pytest.mark.parametrize(
    ("driver_limit", "task_limit"), [(0, 10_000), (10_000, 40)],
    ids=["weak-on-spark-all-tasks", "weak-on-driver-mixed"],
)  # fmt: skip
def test_set_share_by_components(engine: Engine, driver_limit: int, task_limit: int) -> None:
    """Many weakly connected components and two large ones: on Spark, components up to the
    task limit are solved whole in tasks (several to a task), the larger by level rounds."""
    sizes = [1, 2, 2, 3, 3, 4, 5, 6, 8, 9, 12, 40, 60]
    s = many_components(21, sizes)
    eng = limited(engine, driver_limit=driver_limit, task_limit=task_limit, bucket_stakes=30)
    prepared = eng.prepare(s)
    rng = np.random.default_rng(5)
    for cut in (True, False):
        mask = rng.random(s.n) < 0.15
        got = eng.set_share(prepared, mask, cut=cut)
        np.testing.assert_allclose(got, reference_shares(s, mask, cut), atol=TOL, rtol=0)
    if eng.name == "spark":
        from scipy.sparse.csgraph import connected_components

        from derisk.analysis.ownership import plan

        _nc, lab = connected_components(s.matrix(), directed=True, connection="weak")
        ends = lab[np.concatenate([s.owner, s.owned])]
        assert prepared.weak_components == np.unique(ends).size
        assert (prepared.big is not None) == (np.bincount(lab[s.owned]).max() > task_limit)
        local = plan(s)
        assert (
            prepared.levels, prepared.components, prepared.largest_component,
            prepared.cyclic_components,
        ) == (
            local.levels, local.components, local.largest_component, local.cyclic_components,
        )  # fmt: skip


def test_set_share_property(engine: Engine) -> None:
    cases = 60 if engine.name == "local" else 3

    @settings(max_examples=cases, deadline=None, derandomize=True)
    @given(st.integers(1, 10), st.integers(0, 2**31), st.floats(0.05, 0.6))
    def run(n: int, seed: int, density: float) -> None:
        s = random_layer(seed, n, density)
        mask = np.random.default_rng(seed).random(n) < 0.4
        got = engine.set_share(engine.prepare(s), mask)
        np.testing.assert_allclose(got, reference_shares(s, mask, True), atol=TOL, rtol=0)
        assert got.max(initial=0) <= 1 + TOL

    run()


def test_closed_cycle(engine: Engine) -> None:
    # 1 and 2 hold each other entirely (a closed cycle); 0 holds 40% of 3 and 1 holds 50%.
    s = Stakes.from_lists(4, [1, 2, 0, 1], [2, 1, 3, 3], [1.0, 1.0, 0.4, 0.5])
    prepared = engine.prepare(s)
    np.testing.assert_allclose(engine.set_share(prepared, [0]), [0, 0, 0, 0.4], atol=TOL)
    # chains cut at member 1: it holds all of 2 and, through 2, all of itself
    np.testing.assert_allclose(engine.set_share(prepared, [1]), [0, 1, 1, 0.5], atol=TOL)
    with pytest.raises(ClosedCycleError):  # every chain: 1 -> 2 -> 1 -> ... never ends
        engine.set_share(prepared, [1], cut=False)


def test_overfull_entity_is_refused(engine: Engine) -> None:
    s = Stakes.from_lists(3, [0, 1], [2, 2], [0.7, 0.6])
    with pytest.raises(ValueError, match="add up to 130%"):
        engine.prepare(s)


@pytest.mark.parametrize("seed", [4, 8])
def test_look_through_matches_dense(engine: Engine, seed: int) -> None:
    s = random_layer(seed, 10, 0.25, self_loops=False)
    w = np.asarray(s.matrix().toarray())
    wt = np.linalg.inv(np.eye(10) - w) @ w
    for target in (3, 7):
        lt = engine.look_through(s, target)
        np.testing.assert_allclose(lt.integrated, wt[lt.nodes, target], atol=TOL)
        np.testing.assert_allclose(
            lt.corrected, wt[lt.nodes, target] / (1 + np.diag(wt)[lt.nodes]), atol=TOL
        )
        holders = set(np.flatnonzero(np.abs(wt[:, target]) > 0).tolist()) - {target}
        assert holders <= set(lt.nodes.tolist())


def test_cycle_larger_than_a_task(request: pytest.FixtureRequest, engine: Engine) -> None:
    # a ring of 6 entities (each holds 40% of the next) below one owner
    ring = list(range(1, 7))
    s = Stakes.from_lists(7, [0, *ring], [1, *[r % 6 + 1 for r in ring]], [0.5, *[0.4] * 6])
    # on Spark the whole graph (7 stakes) is above the task limit: solved by level rounds
    eng = limited(engine, component_limit=4, task_limit=4)
    declare_gap(request, eng, "cycle-larger-than-a-task")
    got = eng.set_share(eng.prepare(s), [0])
    mask = np.zeros(7, dtype=bool)
    mask[0] = True
    np.testing.assert_allclose(got, reference_shares(s, mask, True), atol=TOL)


def test_holders_beyond_collect_limit(request: pytest.FixtureRequest, engine: Engine) -> None:
    s = Stakes.from_lists(6, [0, 1, 2, 3, 4], [5, 5, 0, 1, 2], [0.2, 0.3, 0.5, 0.5, 0.5])
    eng = limited(engine, holders_collect_limit=3)
    declare_gap(request, eng, "holders-beyond-collect-limit")
    lt = eng.look_through(s, 5)
    assert dict(zip(lt.nodes.tolist(), np.round(lt.integrated, 9).tolist(), strict=True)) == {
        0: 0.2, 1: 0.3, 2: 0.1, 3: 0.15, 4: 0.05,
    }  # fmt: skip
