"""Rule packs as data: the shipped packs, version selection, cost-ratio boundaries, and the
errors a bad user pack gets."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.rules.certify import (
    COMPLIANT,
    INDETERMINATE,
    NON_COMPLIANT,
    CostLine,
    CountrySet,
    Dist,
    RulePackError,
    load_rules,
    macr,
    macr_verdict,
    parse_pack,
    share_bounds,
    stage_status,
)

# Material assistance cost ratio thresholds by year, transcribed from RULES.md (P.L. 119-21 as
# summarised by two secondary sources); the last column is "2033 and later".
MACR_TABLE = {
    "macr-45x-battery": [60, 65, 70, 80, 85, 85, 85, 85],
    "macr-45x-critical-minerals": [0, 0, 0, 0, 25, 30, 40, 50],
    "macr-45y-48e-facility": [40, 45, 50, 55, 60, 60, 60, 60],
    "macr-48e-storage": [55, 60, 65, 70, 75, 75, 75, 75],
}
YEARS = list(range(2026, 2034))


def test_shipped_packs_load_with_citations_and_dates() -> None:
    rules = load_rules()
    assert {"dfars-7052", "eu-crma-65", *MACR_TABLE} <= set(rules)
    for r in rules.values():
        assert r.citations and all(c.title for c in r.citations)
        assert r.confidence in ("H", "M", "L")
        assert r.versions


def test_dfars_stage_change_on_1_january_2027() -> None:
    rule = load_rules()["dfars-7052"]
    before = rule.version_at(dt.date(2026, 12, 31))
    after = rule.version_at(dt.date(2027, 1, 1))
    assert before.stages == ("melting", "production")
    assert after.stages == ("mining", "refining", "separation", "melting", "production")
    assert before.threshold == after.threshold == 0
    with pytest.raises(ValueError, match="no version in force on 2019-04-29"):
        rule.version_at(dt.date(2019, 4, 29))
    assert rule.applies("ndfeb-magnet") and not rule.applies("battery-component")
    assert rule.materials_for("ndfeb-magnet") == ("rare-earths",)


@pytest.mark.parametrize("rule_id", sorted(MACR_TABLE))
def test_macr_thresholds_match_the_published_table(rule_id: str) -> None:
    v = load_rules()[rule_id].version_at(dt.date(2026, 1, 1))
    for year, pct in zip(YEARS, MACR_TABLE[rule_id], strict=True):
        t = v.threshold_for(year)
        assert t is not None and t.value == Fraction(pct, 100), (rule_id, year)
    later = v.threshold_for(2040)
    assert later is not None and later.value == Fraction(MACR_TABLE[rule_id][-1], 100)
    with pytest.raises(ValueError, match="no version in force"):
        load_rules()[rule_id].version_at(dt.date(2025, 12, 31))


def _ratio_lines(total: int, pfe: int) -> list[CostLine]:
    return [
        CostLine("clean", Fraction(total - pfe), "not-pfe"),
        CostLine("pfe", Fraction(pfe), "pfe"),
    ]


@pytest.mark.parametrize("rule_id", sorted(MACR_TABLE))
def test_macr_exactly_at_and_just_below_each_years_threshold(rule_id: str) -> None:
    """At the threshold the credit holds; one cent of PFE cost more and it is lost."""
    v = load_rules()[rule_id].version_at(dt.date(2026, 1, 1))
    total = 1_000_000  # cents; every threshold is a whole percent
    for year in YEARS:
        t = v.threshold_for(year)
        assert t is not None
        pfe_exact = total - t.value * total
        assert pfe_exact.denominator == 1
        total_y, pfe_at = total, int(pfe_exact)
        at = macr(_ratio_lines(total_y, pfe_at))
        assert at.lo == at.hi == t.value
        assert macr_verdict(at, t.value) == COMPLIANT
        below = macr(_ratio_lines(total_y, pfe_at + 1))
        assert below.hi is not None and below.hi < t.value
        expected = COMPLIANT if t.value == 0 else NON_COMPLIANT
        assert macr_verdict(below, t.value) == expected, (rule_id, year)


def test_macr_with_unscreened_suppliers_is_bounded() -> None:
    lines = [
        CostLine("a", Fraction(60), "not-pfe"),
        CostLine("b", Fraction(30), "pfe"),
        CostLine("c", Fraction(10), "unknown"),
    ]
    m = macr(lines)
    assert (m.lo, m.hi) == (Fraction(60, 100), Fraction(70, 100))
    assert macr_verdict(m, Fraction(60, 100)) == COMPLIANT
    assert macr_verdict(m, Fraction(65, 100)) == INDETERMINATE
    assert macr_verdict(m, Fraction(71, 100)) == NON_COMPLIANT
    assert macr_verdict(macr([]), Fraction(60, 100)) == INDETERMINATE


def test_the_65_percent_line() -> None:
    third = CountrySet(frozenset({"DEU", "FRA"}), complement=True)
    at = share_bounds([(1.0, Dist({"AUS": 0.65, "CAN": 0.35}, {}, 0.0))], third, "single")
    assert stage_status(at.lo, at.hi, 0.65) == "pass"
    over = share_bounds([(1.0, Dist({"AUS": 0.650001, "CAN": 0.349999}, {}, 0.0))], third, "single")
    assert stage_status(over.lo, over.hi, 0.65) == "fail"
    eu = share_bounds([(1.0, Dist({"DEU": 0.9, "AUS": 0.1}, {}, 0.0))], third, "single")
    assert stage_status(eu.lo, eu.hi, 0.65) == "pass"
    unknown = share_bounds([(1.0, Dist({"AUS": 0.6}, {}, 0.4))], third, "single")
    assert stage_status(unknown.lo, unknown.hi, 0.65) == "undetermined"


@given(
    st.lists(
        st.tuples(
            st.floats(0.1, 5.0),
            st.dictionaries(st.sampled_from(["CHN", "AUS", "USA"]), st.floats(0, 1), max_size=3),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_bounds_with_unknown_weights_contain_every_mixture(
    parts: list[tuple[float, dict[str, float]]],
) -> None:
    """Whatever the (unknown) weights of the parts, the true share lies inside the bounds."""
    dists = []
    for _w, d in parts:
        total = sum(d.values())
        scale = 1 / total if total > 1 else 1.0
        t = {c: v * scale for c, v in d.items()}
        dists.append(Dist(t, {}, max(0.0, 1 - sum(t.values()))))
    chn = CountrySet(frozenset({"CHN"}))
    anyone = CountrySet(frozenset(), complement=True)
    for cset, metric in ((chn, "aggregate"), (anyone, "single")):
        loose = share_bounds([(None, d) for d in dists], cset, metric)
        exact = share_bounds([(w, d) for (w, _), d in zip(parts, dists, strict=True)], cset, metric)
        assert loose.lo <= exact.lo + 1e-9
        assert exact.hi <= loose.hi + 1e-9


PACK = """
format: derisk.rule-pack/1
pack: mine
rules:
  - id: my-rule
    kind: max-share
    countries: {group: covered}
    citations: [{title: policy}]
    versions:
      - {version: "1", effective_from: 2025-01-01, stages: [mining], threshold: 0.1}
"""


def test_user_pack_loads_and_duplicates_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(PACK)
    rules = load_rules([f])
    assert rules["my-rule"].version_at(dt.date(2026, 1, 1)).threshold == Fraction(1, 10)
    g = tmp_path / "again.yaml"
    g.write_text(PACK)
    with pytest.raises(RulePackError, match="already defined"):
        load_rules([f, g])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("stages: [mining]", "stages: [smelting]"), "versions[0].stages"),
        (("threshold: 0.1", "threshold: 1.5"), "versions[0].threshold"),
        (("citations: [{title: policy}]", "citations: []"), "citations"),
        (("kind: max-share", "kind: quota"), "kind"),
        (("countries: {group: covered}", "countries: {}"), "countries"),
        (
            ("effective_from: 2025-01-01", "effective_from: 2025-13-01"),
            "versions[0].effective_from",
        ),
    ],
)
def test_bad_user_pack_names_file_rule_and_field(change: tuple[str, str], field: str) -> None:
    text = PACK.replace(*change)
    with pytest.raises(RulePackError) as err:
        parse_pack(text, "mine.yaml")
    assert err.value.origin == "mine.yaml"
    assert err.value.field == field
    assert "mine.yaml" in str(err.value)


def test_overlapping_versions_are_refused() -> None:
    text = PACK.replace(
        '      - {version: "1", effective_from: 2025-01-01, stages: [mining], threshold: 0.1}',
        '      - {version: "1", effective_from: 2025-01-01, stages: [mining], threshold: 0.1}\n'
        '      - {version: "2", effective_from: 2026-01-01, stages: [mining], threshold: 0.2}',
    )
    with pytest.raises(RulePackError, match="overlap"):
        parse_pack(text, "mine.yaml")
