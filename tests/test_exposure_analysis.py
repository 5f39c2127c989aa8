"""The pure exposure functions, on hand-worked tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.analysis.exposure import (
    Line,
    StagePoint,
    bottleneck,
    concentration,
    import_reliance,
)


def test_worked_table_shares_hhi_top3() -> None:
    # A=50, B=30, C=10, D=5 of a stated world total of 100; 5 unallocated.
    lines = [
        Line("CHN", "reported", 50.0),
        Line("AUS", "reported", 30.0),
        Line("USA", "estimated", 10.0),
        Line("CAN", "reported", 5.0),
    ]
    c = concentration(lines, 100.0, ["CHN"])
    assert [s.country for s in c.shares] == ["CHN", "AUS", "USA", "CAN"]
    assert c.selected_share == pytest.approx(0.50)
    assert c.selected_share_bounds == pytest.approx((0.50, 0.50))  # CHN named: no doubt
    assert c.unallocated_share == pytest.approx(0.05)
    assert c.hhi == pytest.approx(0.25 + 0.09 + 0.01 + 0.0025)
    assert c.top3_share == pytest.approx(0.90)
    assert c.top_country == "CHN"


def test_unlisted_selected_country_may_hide_in_unallocated() -> None:
    c = concentration([Line("CHN", "reported", 90.0)], 100.0, ["KOR"])
    assert c.selected_share == 0.0
    assert c.selected_share_bounds == pytest.approx((0.0, 0.10))


def test_withheld_is_never_zero_and_widens_bounds() -> None:
    lines = [
        Line("CHN", "reported", 60.0),
        Line("USA", "withheld", None),
        Line("AUS", "reported", 30.0),
    ]
    c = concentration(lines, 100.0, ["USA"])
    assert "USA" not in [s.country for s in c.shares]  # not listed as a known 0
    assert [u.country for u in c.unknown if u.country] == ["USA"]
    assert c.selected_share_bounds == pytest.approx((0.0, 0.10))
    # Same table but the source leaves the withheld figure out of its world total:
    out = [Line("CHN", "reported", 60.0), Line("USA", "withheld", in_world_total=False)]
    c2 = concentration(out, 60.0, ["USA"])
    assert c2.selected_share_bounds == (0.0, 1.0)
    assert not c2.unknown[0].bounded


def test_zero_is_known() -> None:
    c = concentration([Line("CHN", "reported", 10.0), Line("USA", "zero", 0.0)], 10.0, ["USA"])
    assert c.selected_share_bounds == (0.0, 0.0)
    assert c.unknown == ()


def test_share_only_source_with_unnamed_rank_block() -> None:
    # IEA style: top-1 CHN 70%, ranks 2-3 together 26% (top-3 96%).
    lines = [Line("CHN", "reported", share=0.70), Line(None, "reported", share=0.26, ranks="2-3")]
    c = concentration(lines, None, ["CHN"])
    assert c.top_share == pytest.approx(0.70)
    assert c.top3_share == pytest.approx(0.96)
    assert c.unallocated_share == pytest.approx(0.04)
    assert c.selected_share_bounds == pytest.approx((0.70, 0.70))
    lo, hi = c.hhi_bounds
    assert lo == pytest.approx(0.49 + 2 * 0.13**2)
    assert hi == pytest.approx(0.49 + 0.26**2 + 0.04**2)
    # A country the source does not name could be in the block or the rest.
    k = concentration(lines, None, ["IDN"])
    assert k.selected_share_bounds == pytest.approx((0.0, 0.26 + 0.04))


def test_top3_when_block_names_no_one() -> None:
    # IEA nickel style: IDN top-1 42.9%, ranks 2-3 34.9%; CHN could be rank 2 or 3.
    lines = [Line("IDN", "reported", share=0.429), Line(None, "reported", share=0.349, ranks="2-3")]
    c = concentration(lines, None, ["CHN"])
    assert c.top3_share == pytest.approx(0.778)
    assert c.selected_share == 0.0
    assert c.selected_share_bounds[1] == pytest.approx(0.349 + (1 - 0.778))


def test_overallocation_from_rounding_is_reported() -> None:
    c = concentration([Line("CHN", "reported", 60.0), Line("AUS", "reported", 42.0)], 100.0)
    assert c.unallocated_share == 0.0
    assert c.overallocated_share == pytest.approx(0.02)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["CHN", "AUS", "USA", "RUS", "BRA", "IND"]),
            st.floats(0, 1e6),
            st.sampled_from(["reported", "estimated", "withheld", "not-available", "zero"]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    st.floats(1.0, 5e6),
    st.sets(st.sampled_from(["CHN", "AUS", "USA", "KOR"]), min_size=1),
)
def test_bounds_contain_every_completion(
    rows: list[tuple[str, float, str]], extra: float, sel: set[str]
) -> None:
    """For any filling of the unknowns that fits the world total, the true share is in bounds."""
    known = [
        (c, q if s != "zero" else 0.0) for c, q, s in rows if s in ("reported", "estimated", "zero")
    ]
    hidden = [c for c, _, s in rows if s in ("withheld", "not-available")]
    total = sum(q for _, q in known) + extra
    lines = [
        Line(c, s, None if s in ("withheld", "not-available") else (0.0 if s == "zero" else q))
        for c, q, s in rows
    ]
    c = concentration(lines, total, sorted(sel))
    lo, hi = c.selected_share_bounds
    # Completion 1: all unknown mass to hidden selected countries (or "other").
    sel_known = sum(q for k, q in known if k in sel) / total
    assert math.isclose(lo, sel_known, rel_tol=1e-9, abs_tol=1e-12)
    if any(h in sel for h in hidden) or any(
        s not in {k for k, _ in known} | set(hidden) for s in sel
    ):
        assert hi >= sel_known + extra / total - 1e-9
    assert 0.0 <= lo <= hi <= 1.0


def test_bottleneck_and_import_reliance() -> None:
    pts = [StagePoint("mining", 0.5, (0.5, 0.5), 0.3), StagePoint("refining", 0.5, (0.5, 0.7), 0.3)]
    assert bottleneck(pts) == "refining"
    assert bottleneck([]) is None
    # USGS definition: (imports - exports) / apparent consumption.
    assert import_reliance(imports=9600.0, exports=0.0, production=2300.0) == pytest.approx(
        9600 / 11900
    )
    with pytest.raises(ValueError):
        import_reliance(0.0, 10.0, 0.0)
