"""Shock simulation: hand-computed cases and mass conservation on random networks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derisk.analysis.shock import Restriction, ShockSystem, product_shortfall, simulate


def one_stage(cover_us: float = 0.0, spare_aus: float = 0.0, ramp: float = 3.0) -> ShockSystem:
    """Countries CHN (0), AUS (1), USA (2). CHN makes 10 t/month: 4 to itself, 6 to the US;
    AUS makes 2 t/month, all to the US. US requirement 8 t/month."""
    return ShockSystem(
        output=np.array([[10.0, 2.0, 0.0]]),
        flows=np.array([[[4.0, 0.0, 6.0], [0.0, 0.0, 2.0], [0.0, 0.0, 0.0]]]),
        exogenous=np.array([[True, True, True]]),
        spare=np.array([[0.0, spare_aus, 0.0]]),
        cover=np.array([[0.0, 0.0, cover_us]]),
        ramp_months=np.array([ramp]),
    )


US = np.array([False, False, True])


def test_ban_with_stocks_hand_computed() -> None:
    # Ban from month 1 to month 4 (exclusive). US stock: 1.5 months x 8 = 12 t.
    # Month 1: receives 2 (AUS), gap 6, draws 6 (stock 6). Month 2: draws 6 (stock 0).
    # Month 3: gap 6, no stock: shortfall 6. Month 4: restored.
    res = simulate(one_stage(cover_us=1.5), [Restriction(0, (0,), US, 1, 4, 1.0)], 5)
    assert res.shortfall[:, 0, 2].tolist() == pytest.approx([0, 0, 0, 6, 0])
    assert res.stock_end[:, 0, 2].tolist() == pytest.approx([12, 6, 0, 0, 0])
    assert res.withheld[:, 0, 2].tolist() == pytest.approx([0, 6, 6, 6, 0])
    # China keeps what it withholds; its own use is untouched.
    assert res.retained[:, 0, 0].tolist() == pytest.approx([0, 6, 6, 6, 0])
    assert res.shortfall[:, 0, 0].tolist() == pytest.approx([0] * 5)


def test_partial_restriction_and_two_restrictions_compound() -> None:
    # Two overlapping restrictions of 50% each withhold 75% in the overlap month.
    r1 = Restriction(0, (0,), US, 0, 2, 0.5)
    r2 = Restriction(0, (0,), US, 1, 3, 0.5)
    res = simulate(one_stage(), [r1, r2], 3)
    assert res.withheld[:, 0, 2].tolist() == pytest.approx([3.0, 4.5, 3.0])
    assert res.shortfall[:, 0, 2].tolist() == pytest.approx([3.0, 4.5, 3.0])


def test_substitution_ramps_up_hand_computed() -> None:
    # AUS has 6 t/month spare, available over 3 months from the first month with a gap:
    # 2, 4, 6 (capped by the gap of 6).
    res = simulate(one_stage(spare_aus=6.0), [Restriction(0, (0,), US, 0, 4, 1.0)], 4)
    assert res.substitution[:, 0, 2].tolist() == pytest.approx([2.0, 4.0, 6.0, 6.0])
    assert res.substitution_from[:, 0, 1].tolist() == pytest.approx([2.0, 4.0, 6.0, 6.0])
    assert res.shortfall[:, 0, 2].tolist() == pytest.approx([4.0, 2.0, 0.0, 0.0])
    # the issuer's own spare never substitutes while it restricts
    res2 = simulate(
        ShockSystem(
            output=np.array([[10.0, 2.0, 0.0]]),
            flows=one_stage().flows,
            exogenous=np.ones((1, 3), dtype=bool),
            spare=np.array([[50.0, 0.0, 0.0]]),
            cover=np.zeros((1, 3)),
            ramp_months=np.array([0.0]),
        ),
        [Restriction(0, (0,), US, 0, 2, 1.0)],
        2,
    )
    assert res2.substitution.sum() == 0.0


def two_stage() -> ShockSystem:
    """Ore from CHN (0) goes to a refiner in JPN (1) with yield 0.5; JPN's metal goes half to
    the US (2), half to itself. Per month: ore 20 t; metal 10 t."""
    output = np.array([[20.0, 0.0, 0.0], [0.0, 10.0, 0.0]])
    flows = np.zeros((2, 3, 3))
    flows[0, 0, 1] = 20.0
    flows[1, 1, 1] = 5.0
    flows[1, 1, 2] = 5.0
    exo = np.array([[True, True, True], [False, False, False]])
    return ShockSystem(output, flows, exo, np.zeros((2, 3)), np.zeros((2, 3)), np.ones(2))


def test_restriction_upstream_propagates_downstream() -> None:
    # China withholds half of its ore from Japan: Japan refines 10 t of ore into 5 t of metal,
    # and its US customer gets half of it: 2.5 t short. The US is not a target, yet runs short.
    res = simulate(
        two_stage(), [Restriction(0, (0,), np.array([False, True, False]), 0, 1, 0.5)], 2
    )
    assert res.shortfall[0, 0, 1] == pytest.approx(10.0)  # Japan short of ore
    assert res.output[0, 1, 1] == pytest.approx(5.0)
    assert res.shortfall[0, 1, 2] == pytest.approx(2.5)  # US short of metal
    assert res.loss[0, 0, 1] == pytest.approx(5.0)  # half the ore used is lost in refining
    assert res.shortfall[1].sum() == pytest.approx(0.0)


def test_baseline_checks() -> None:
    bad = ShockSystem(
        output=np.array([[10.0, 0.0]]),
        flows=np.array([[[4.0, 5.0], [0.0, 0.0]]]),  # ships 9 of 10
        exogenous=np.array([[True, True]]),
        spare=np.zeros((1, 2)),
        cover=np.zeros((1, 2)),
        ramp_months=np.array([1.0]),
    )
    with pytest.raises(ValueError, match="shipments"):
        simulate(bad, [], 1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        Restriction(0, (0,), US, 0, 1, 1.5)
    with pytest.raises(ValueError, match="end before"):
        Restriction(0, (0,), US, 3, 1, 1.0)


def test_product_shortfall() -> None:
    frac = product_shortfall(
        np.array([100.0, 50.0]),
        np.array([[10.0, 0.0], [10.0, 4.0]]),
        np.array([[2.0, 0.0], [5.0, 1.0]]),
    )
    assert np.allclose(frac, [[20.0, 0.0], [50.0, 12.5]])


# --------------------------------------------------------------------------------------------
# Mass conservation on random networks (property)
# --------------------------------------------------------------------------------------------


@st.composite
def systems(draw: st.DrawFn) -> tuple[ShockSystem, list[Restriction], int]:
    s_n = draw(st.integers(1, 3))
    c_n = draw(st.integers(2, 5))
    pos = st.floats(0.0, 100.0, allow_nan=False)
    output = np.zeros((s_n, c_n))
    flows = np.zeros((s_n, c_n, c_n))
    exo = np.zeros((s_n, c_n), dtype=bool)
    exo[0] = True
    output[0] = draw(st.lists(pos, min_size=c_n, max_size=c_n))
    for s in range(s_n):
        # users of stage s: processors of stage s+1 (the rest of s+1 is exogenous), or every
        # final user at the last stage
        if s + 1 < s_n:
            users = np.array(draw(st.lists(st.booleans(), min_size=c_n, max_size=c_n)))
            if not users.any():
                users[0] = True
        else:
            users = np.ones(c_n, dtype=bool)
        weights = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=c_n, max_size=c_n)))
        weights = np.where(users, weights + 0.01, 0.0)
        flows[s] = np.outer(output[s], weights / weights.sum())
        if s + 1 < s_n:
            req = flows[s].sum(axis=0)
            yields = np.array(draw(st.lists(st.floats(0.1, 1.0), min_size=c_n, max_size=c_n)))
            own = np.array(draw(st.lists(pos, min_size=c_n, max_size=c_n)))
            output[s + 1] = np.where(users, req * yields, own)
            exo[s + 1] = ~users
    system = ShockSystem(
        output=output,
        flows=flows,
        exogenous=exo,
        spare=np.array(draw(st.lists(pos, min_size=s_n * c_n, max_size=s_n * c_n))).reshape(
            s_n, c_n
        ),
        cover=np.array(
            draw(st.lists(st.floats(0.0, 4.0), min_size=s_n * c_n, max_size=s_n * c_n))
        ).reshape(s_n, c_n),
        ramp_months=np.array(draw(st.lists(st.floats(0.0, 6.0), min_size=s_n, max_size=s_n))),
    )
    months = draw(st.integers(1, 14))
    restrictions = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, months))
        restrictions.append(
            Restriction(
                draw(st.integers(0, c_n - 1)),
                tuple(sorted(set(draw(st.lists(st.integers(0, s_n - 1), min_size=1, max_size=3))))),
                np.array(draw(st.lists(st.booleans(), min_size=c_n, max_size=c_n))),
                start,
                draw(st.integers(start, months + 2)),
                draw(st.floats(0.0, 1.0)),
            )
        )
    return system, restrictions, months


@settings(max_examples=150, deadline=None)
@given(systems())
def test_mass_is_conserved_every_month(case: tuple[ShockSystem, list[Restriction], int]) -> None:
    system, restrictions, months = case
    system.check()
    res = simulate(system, restrictions, months)
    scale = max(1.0, float(system.output.max()), float(system.flows.sum()))
    tol = 1e-9 * scale
    # every balance identity holds in every month
    assert res.balance_errors().max() <= tol
    assert np.all(res.shortfall >= -tol)
    assert np.all(res.used <= res.demand + tol)
    assert np.all(res.stock_end >= -tol)
    assert np.all(res.substitution_from <= system.spare[None] + tol)
    # processors turn what they use into output at their yield; the rest is loss
    y = system.yields()
    for s in range(1, system.shape[0]):
        linked = ~system.exogenous[s]
        assert np.allclose(
            res.output[:, s, linked], y[s, linked] * res.used[:, s - 1, linked], atol=tol
        )
    # whole system, each month: what enters (exogenous output, substitution, stock draws)
    # equals what leaves (final use, retained by issuers, conversion losses)
    exo_out = (res.output * system.exogenous[None]).sum(axis=(1, 2))
    entered = exo_out + res.substitution_from.sum(axis=(1, 2)) + res.stock_draw.sum(axis=(1, 2))
    left = res.used[:, -1].sum(axis=1) + res.retained.sum(axis=(1, 2)) + res.loss.sum(axis=(1, 2))
    assert np.allclose(entered, left, atol=tol * system.shape[0] * system.shape[1])


@settings(max_examples=60, deadline=None)
@given(systems())
def test_no_restriction_means_no_shortfall(
    case: tuple[ShockSystem, list[Restriction], int],
) -> None:
    system, _, months = case
    res = simulate(system, [], months)
    assert np.abs(res.shortfall).max(initial=0.0) <= 1e-9 * max(1.0, float(system.flows.sum()))
    assert res.stock_draw.sum() == 0.0


def test_docstring_examples_run() -> None:
    import doctest

    import derisk.analysis.shock as mod

    result = doctest.testmod(mod)
    assert result.attempted >= 2 and result.failed == 0
