"""Computed leading shares equal the shares the sources themselves state.

Golden values are read here, independently of the bundling script, from the raw public files
in ``data/sources``: USGS MCS 2026 Table 7 ("leading source, percent of world"), the IEA
top-1 and top-3 refining/mining shares, BGS refined-stage shares, and the USGS world tables
(leading quantity / stated world total).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import Any

import pytest

from derisk.model.countries import resolve
from derisk.services.exposure import exposure, overview
from derisk.store import DuckStore
from tests.conftest import RAW_DATA


def rows(rel: str) -> list[dict[str, str]]:
    with (RAW_DATA / rel).open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


T7_MAP = {
    "Cobalt": ("cobalt", "mining"),
    "Gallium": ("gallium", "refining"),
    "Lithium": ("lithium", "mining"),
    "Rare earths (compounds and metals)9": ("rare-earths", "mining"),
}


def test_usgs_table7_leading_country_and_percent(store: DuckStore) -> None:
    t7 = rows(
        "usgs_mcs2026_official_fixture_subset/MCS2026_T7_Critical_Minerals_Salient.subset.csv"
    )
    checked = 0
    for r in t7:
        if r["Critical_mineral"] not in T7_MAP:
            continue
        mat, stage = T7_MAP[r["Critical_mineral"]]
        res = exposure(store.view(), mat, stage, 2025).to_json()
        assert res["top_country"] == resolve(r["Leading_source_country"])
        # USGS prints whole percent; allow its rounding.
        assert abs(100 * res["top_share"] - float(r["Leading_source_precent_world"])) <= 0.5 + 1e-9
        assert res["world_total"] == pytest.approx(float(r["World_total_prod"]) * _t7_unit(mat))
        checked += 1
    assert checked == 4


def _t7_unit(material: str) -> float:
    return 1.0  # T7 prints metric tons for all four (gallium 900 t = 900,000 kg in the chapter)


IEA_STAGE = {
    ("lithium", "mining"): ("lithium", "mining"),
    ("lithium", "refining"): ("lithium", "refining"),
    ("copper", "mining"): ("copper", "mining"),
    ("copper", "refining"): ("copper", "refining"),
    ("cobalt", "mining"): ("cobalt", "mining"),
    ("cobalt", "refining"): ("cobalt", "refining"),
    ("graphite", "mining"): ("graphite", "mining"),
    ("graphite", "refining"): ("graphite", "anode"),
    ("nickel", "mining"): ("nickel", "mining"),
    ("nickel", "refining"): ("nickel", "refining"),
}


def test_iea_top1_and_top3(store: DuckStore) -> None:
    iea = rows("refining_shares_via_materials_atlas/iea_2024_mining_vs_refining_concentration.csv")
    checked = 0
    for r in iea:
        key = (r["material"].split(" ")[0], r["stage"])
        if key[0] == "rare":
            target = ("rare-earths", "mining" if r["stage"] == "mining" else "separation")
        else:
            target = IEA_STAGE[key]
        res = exposure(
            store.view(), target[0], target[1], int(r["year"]), source="iea-cmd-2025"
        ).to_json()
        assert res["top_country"] == r["top1_country_iso3"]
        assert 100 * res["top_share"] == pytest.approx(float(r["top1_share_pct"]), abs=0.05)
        assert 100 * res["top3_share"] == pytest.approx(float(r["top3_share_pct"]), abs=0.05)
        checked += 1
    assert checked == 12


BGS_MAP = {
    "cobalt": ("cobalt", "refining"),
    "copper": ("copper", "refining"),
    "nickel": ("nickel", "refining"),
    "alumina (aluminium chain)": ("aluminium", "alumina"),
    "magnesium": ("magnesium", "refining"),
    "germanium": ("germanium", "refining"),
    "arsenic": ("arsenic", "refining"),
}


def test_bgs_leading_share_every_year(store: DuckStore) -> None:
    bgs = rows("refining_shares_via_materials_atlas/bgs_refined_stage_shares_2000_2024.csv")
    by: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for r in bgs:
        by[(r["material"], int(r["year"]))].append(r)
    for (mat, year), rs in by.items():
        top = max(rs, key=lambda r: float(r["share_pct"]))
        m, s = BGS_MAP[mat]
        res = exposure(store.view(), m, s, year, source="bgs-wms").to_json()
        assert 100 * res["top_share"] == pytest.approx(float(top["share_pct"]))
        tied = {resolve(r["country_iso2"]) for r in rs if r["share_pct"] == top["share_pct"]}
        assert res["top_country"] in tied


def _num(raw: str) -> float | None:
    raw = raw.replace(",", "").strip()
    try:
        return float(raw)
    except ValueError:
        return None


def test_usgs_world_tables_leading_share(store: DuckStore) -> None:
    """Leading quantity / stated world total, computed from the raw file, for every table."""
    slug = {
        "Antimony": "antimony", "Rare earths": "rare-earths", "Gallium": "gallium",
        "Graphite (natural)": "graphite", "Lithium": "lithium", "Cobalt": "cobalt",
        "Nickel": "nickel", "Tungsten": "tungsten", "Manganese": "manganese",
        "Magnesium (metal)": "magnesium", "Tantalum": "tantalum", "Molybdenum": "molybdenum",
    }  # fmt: skip
    stage = {"gallium": "refining", "magnesium": "refining"}
    table = rows("usgs_mcs2026/world_production_reserves.csv")
    by: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in table:
        by[r["commodity"]].append(r)
    for commodity, rs in by.items():
        mat = slug[commodity]
        for col, year in (("production_prev_raw", 2024), ("production_latest_raw", 2025)):
            world = next(_num(r[col]) for r in rs if r["country"].startswith("World total"))
            assert world is not None, (mat, year)  # every table gives a world total
            named = [
                (c, q)
                for r in rs
                if not (c := r["country"]).startswith("World")
                and c != "Other countries"
                and (q := _num(r[col])) is not None
            ]
            top_c, top_q = max(named, key=lambda x: x[1])
            res = exposure(store.view(), mat, stage.get(mat, "mining"), year).to_json()
            assert res["source_id"] == f"usgs-mcs2026-{mat}"
            assert res["top_share"] == pytest.approx(top_q / world, abs=1e-6), (mat, year)
            assert res["top_country"] == resolve(top_c)
            # Allocated share = all listed figures (with "Other countries") / world total.
            listed = sum(
                q for r in rs if not r["country"].startswith("World") and (q := _num(r[col]))
            )
            allocated = 1 - res["unallocated_share"] + res["overallocated_share"]
            assert allocated == pytest.approx(listed / world, abs=1e-6), (mat, year)


def test_withheld_never_zero_in_any_result(store: DuckStore) -> None:
    prod = rows("usgs_mcs2026/world_production_reserves.csv")
    withheld = [r for r in prod if r["production_latest_raw"] == "W"]
    assert withheld, "the source has withheld figures"
    res = exposure(store.view(), "antimony", "mining", 2025, selected=("USA",)).to_json()
    usa = [s for s in res["shares"] if s["country"] == "USA"]
    assert usa == [
        {"country": "USA", "name": "United States", "quantity": None, "share": None,
         "status": "withheld"}
    ]  # fmt: skip
    lo, hi = res["selected_share_bounds"]
    assert lo == 0.0 and hi > 0.0  # unknown, so the upper bound is not 0
    assert any(u["country"] == "USA" and u["status"] == "withheld" for u in res["unknown"])


def test_overview_covers_every_bundled_stage(store: DuckStore) -> None:
    ov: dict[str, Any] = overview(store.view()).to_json()
    with_data = [r for r in ov["rows"] if r["data_status"] != "no-data"]
    assert len(with_data) >= 35
    for r in with_data:
        lo, hi = r["selected_share_bounds"]
        assert 0.0 <= lo <= r["selected_share"] <= hi <= 1.0
        assert r["source_id"] and r["confidence"] in ("H", "M", "L")
    china = {(r["material"], r["stage"]): r["selected_share"] for r in with_data}
    # Published figures the overview must reproduce (USGS MCS 2026 / IEA 2025).
    assert china[("rare-earths", "mining")] == pytest.approx(270000 / 390000, abs=1e-6)
    assert china[("gallium", "refining")] == pytest.approx(1.0)
    assert china[("rare-earths", "separation")] == pytest.approx(0.913)
