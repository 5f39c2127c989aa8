"""The headline figure of a material stage follows general rules, checked on the bundled data.

a. Every source narrows the bounds; the headline is the most complete source (precedence only
   among equals), so China is never shown at 0% where a source for the stage and a nearby year
   gives it a share.
b. A source that covers only some producers is partial: it cannot set a world share.
c. A figure whose source gives no year is shown without one.

Golden values are read here from the raw files in ``data/sources``, not from the bundle.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from derisk.analysis.exposure import Line
from derisk.services.common import Candidate, pick
from derisk.services.exposure import _headline, exposure, overview
from derisk.store import DuckStore
from tests.conftest import RAW_DATA, Cli


def raw(rel: str) -> list[dict[str, str]]:
    with (RAW_DATA / rel).open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


BGS = "refining_shares_via_materials_atlas/bgs_refined_stage_shares_2000_2024.csv"


def bgs_share(material: str, iso2: str, year: int) -> float:
    (r,) = [
        r for r in raw(BGS)
        if r["material"] == material and r["country_iso2"] == iso2 and int(r["year"]) == year
    ]  # fmt: skip
    return float(r["share_pct"]) / 100


def cand(sid: str, year: int, lines: list[Line], prec: int, **kw: Any) -> Candidate:
    return Candidate(sid, "shares", year, tuple(lines), None, None, prec, **kw)


# --- rule a ---------------------------------------------------------------------------------


def test_a_most_complete_source_wins_precedence_only_among_equals() -> None:
    narrow = cand("narrow", 2024, [Line("IDN", "reported", share=0.43)], prec=20)
    full = cand(
        "full", 2024,
        [Line("IDN", "reported", share=0.45), Line("CHN", "reported", share=0.29),
         Line("JPN", "reported", share=0.06), Line(None, "reported", share=0.18)],
        prec=30,
    )  # fmt: skip
    best, alts = pick([narrow, full], None)
    assert best is full and alts == [narrow]
    # Equally complete: the lower precedence number decides.
    twin = cand("twin", 2024, list(full.lines), prec=10)
    assert pick([narrow, full, twin], None)[0] is twin
    # The narrow source's bounds for China [0, 0.57] contain 0.29: kept, and 0.29 is the point.
    k = _headline(full, [narrow], ("CHN",))
    assert (k.selected_share, k.selected_share_bounds) == (0.29, (0.29, 0.29))
    # The narrow source as headline is narrowed by the full one: not 0.
    k = _headline(narrow, [full], ("CHN",))
    assert k.selected_share == pytest.approx(0.29)


def test_a_nickel_refining_headline_is_bgs_china(store: DuckStore) -> None:
    expect = bgs_share("nickel", "CN", 2024)
    row = next(
        r
        for r in overview(store.view()).to_json()["rows"]
        if (r["material"], r["stage"]) == ("nickel", "refining")
    )
    assert row["selected_share"] == pytest.approx(expect) == pytest.approx(0.29)
    assert row["source_id"] == "bgs-wms"
    assert row["top_country"] == "IDN"  # Indonesia still leads (45%)


def test_a_never_zero_where_a_nearby_source_gives_a_share(store: DuckStore) -> None:
    checked = 0
    for r in overview(store.view()).to_json()["rows"]:
        if r["data_status"] == "no-data":
            continue
        ex = exposure(store.view(), r["material"], r["stage"]).to_json()
        positive = [
            a for a in ex["alternatives"]
            if a["selected_share"] and a["year"] is not None and r["year"] is not None
            and abs(a["year"] - r["year"]) <= 1
        ]  # fmt: skip
        if positive:
            checked += 1
            assert r["selected_share"] > 0, (r["material"], r["stage"])
        lo, hi = r["selected_share_bounds"]
        assert lo <= r["selected_share"] <= hi
    assert checked >= 5


# --- rule b ---------------------------------------------------------------------------------


def test_b_partial_source_cannot_set_a_world_share(store: DuckStore) -> None:
    ge = [r for r in raw(BGS) if r["material"] == "germanium" and r["year"] == "2024"]
    assert {r["country_iso2"] for r in ge} == {"CN", "US", "RU"}  # the series' whole coverage
    cn = bgs_share("germanium", "CN", 2024)
    only_bgs = exposure(store.view(), "germanium", "refining", 2024, source="bgs-wms").to_json()
    assert only_bgs["data_status"] == "partial-coverage"
    assert only_bgs["selected_share_bounds"] == [0.0, pytest.approx(cn)]
    head = exposure(store.view(), "germanium", "refining").to_json()
    assert head["source_id"] != "bgs-wms"
    assert head["selected_share"] < cn
    assert any(a["source_id"] == "bgs-wms" for a in head["alternatives"])


def test_b_only_a_partial_source_gives_bounds_not_a_figure() -> None:
    part = cand(
        "part", 2024, [Line("CHN", "reported", share=0.94), Line("USA", "reported", share=0.03)],
        prec=30, partial=True,
    )  # fmt: skip
    best, _ = pick([part], None)
    assert best is not None  # the only candidate is picked
    k = _headline(best, [], ("CHN",))
    assert k.selected_share_bounds == (0.0, 0.94)


# --- rule c ---------------------------------------------------------------------------------


def test_c_no_invented_years(store: DuckStore, cli: Cli) -> None:
    curated = [
        r for r in raw("refining_shares_via_materials_atlas/atlas_curated_refined_shares.csv")
        if r["source_label_in_atlas"] != "IEA 2026"
    ]  # fmt: skip
    assert len(curated) >= 8  # the compilation gives a share but never a year
    rows = [
        r for r in overview(store.view()).to_json()["rows"] if r.get("source_id") == "atlas-curated"
    ]
    assert len(rows) >= 5
    for r in rows:
        assert r["year"] is None and r["year_stated"] is False
    ex = cli.json("exposure", "tungsten", "--stage", "refining")
    assert ex["source_id"] == "atlas-curated" and ex["year"] is None
    assert "year unknown" in cli.run("exposure", "tungsten", "--stage", "refining")
    dated = exposure(store.view(), "rare-earths", "mining").to_json()
    assert dated["year"] == 2025 and dated["year_stated"] is True


# --- rule e ---------------------------------------------------------------------------------


def test_e_an_importer_without_trade_data_is_unknown_not_zero(
    fresh_db: Path, tmp_path: Path
) -> None:
    from derisk.data.importers.comtrade import import_comtrade
    from derisk.services.trade import origin_block
    from tests.test_trade_service import _scenario

    with DuckStore(fresh_db) as s:
        import_comtrade(s, [_scenario(tmp_path)])  # antimony oxide flows into USA and BEL only
    with DuckStore(fresh_db, read_only=True) as s:
        known = origin_block(s.view(), "USA", "antimony", "oxide")
        none = origin_block(s.view(), "KOR", "antimony", "oxide")
    assert known is not None and known["total_share"] == pytest.approx(2 / 3, abs=1e-6)
    assert none is not None
    assert none["total_share"] is None and none["direct_share"] is None
    assert list(none["total_share_bounds"]) == [0.0, 1.0]
    assert none["unknown_share"] == 1.0
    assert none["data_status"] == "no-data-for-importer"
    out = Cli(fresh_db).json("trade", "origin", "antimony", "--importer", "KOR")
    assert (out["total_share"], out["unknown_share"]) == (None, 1.0)
    text = Cli(fresh_db).run("trade", "origin", "antimony", "--importer", "KOR")
    assert "total — [0.0%–100.0%]" in text and "unknown, not zero" in text


# --- rule f ---------------------------------------------------------------------------------


def test_f_the_importer_view_matches_the_stage(cli: Cli) -> None:
    natural = {
        r["country"]: float(r["share_pct"]) / 100
        for r in raw("usgs_mcs2026/us_import_sources.csv")
        if r["commodity"].lower().startswith("graphite")
    }
    anode = cli.json("exposure", "graphite", "--stage", "anode", "--importer", "USA")["importer"]
    assert anode["stage"] == "anode"
    assert anode["categories"] == [] and anode["origin"] is None
    assert anode["data_status"] == "no-data"
    assert "mining" in anode["other_stages"]
    mining = cli.json("exposure", "graphite", "--stage", "mining", "--importer", "USA")["importer"]
    (cat,) = mining["categories"]
    assert cat["stage"] == "mining"
    assert cat["selected_share"] == pytest.approx(natural["China"])
    text = cli.run("exposure", "graphite", "--stage", "anode", "--importer", "USA")
    assert "No import sources of USA for this stage (anode)" in text


# --- rule d ---------------------------------------------------------------------------------


def test_d_withheld_outside_the_world_total_widens_every_share(store: DuckStore) -> None:
    table = [
        r for r in raw("usgs_mcs2026/world_production_reserves.csv") if r["commodity"] == "Antimony"
    ]
    us = next(r for r in table if r["country"] == "United States")
    assert us["production_latest_raw"] == "W"  # withheld, and left out of the world total
    world = float(
        next(r for r in table if r["country"].startswith("World"))["production_latest_raw"].replace(
            ",", ""
        )
    )
    china = float(
        next(r for r in table if r["country"] == "China")["production_latest_raw"].replace(",", "")
    )
    res = exposure(store.view(), "antimony", "mining", 2025).to_json()
    assert res["selected_share"] == pytest.approx(china / world, abs=1e-6)
    lo, hi = res["selected_share_bounds"]
    assert hi == pytest.approx(china / world, abs=1e-6)
    assert lo < hi  # no cap on US output is stated anywhere: the lower bound is open
    (usa,) = [u for u in res["unknown"] if u["country"] == "USA"]
    assert usa["status"] == "withheld" and "left out of the source's world total" in usa["note"]


def test_d_a_cap_from_another_fact_bounds_the_widening() -> None:
    from derisk.analysis.exposure import concentration

    lines = [
        Line("CHN", "reported", 40.0),
        Line("RUS", "reported", 20.0),
        Line("USA", "withheld", in_world_total=False, cap=10.0),
    ]
    k = concentration(lines, 110.0)
    assert k.selected_share == pytest.approx(40 / 110)
    assert k.selected_share_bounds == pytest.approx((40 / 120, 40 / 110))
    us = concentration(lines, 110.0, ("USA",))
    lo, hi = us.selected_share_bounds
    assert lo == 0.0 and hi == pytest.approx(10 / 120)
    uncapped = concentration([*lines[:2], Line("USA", "withheld", in_world_total=False)], 110.0)
    lo, hi = uncapped.selected_share_bounds
    assert lo == 0.0 and hi == pytest.approx(40 / 110)


def test_d_withheld_us_silicon_is_capped_by_its_import_reliance(store: DuckStore) -> None:
    """MCS 2026 silicon: U.S. output W, left out of the world total; net import reliance above
    50% in 2025 caps it at net imports plus stocks, so China's share has a lower bound."""
    world = {
        (r["product"], r["country"]): float(r["value_raw"])
        for r in raw("usgs_mcs2026_silicon/world_silicon_production.csv")
        if r["year"] == "2025" and r["value_raw"] not in ("W", "—")
    }
    china = sum(v for (_, c), v in world.items() if c == "China") * 1000
    total = sum(v for (_, c), v in world.items() if c.startswith("World")) * 1000
    sal = raw("usgs_mcs2026_silicon/us_salient_statistics.csv")
    assert any(
        r["item"] == "Total" and r["year"] == "2025e" and r["value_raw"] == ">50" for r in sal
    )
    net = sum(
        float(r["value_raw"]) * (1 if r["section"].startswith("Imports") else -1)
        for r in sal
        if r["year"] == "2025e" and r["section"] in ("Imports for consumption", "Exports")
    )
    stocks = max(
        float(r["value_raw"])
        for r in sal
        if r["section"].startswith("Stocks") and r["value_raw"] != "W"
    )
    cap = (net + stocks) * 1000
    res = exposure(store.view(), "silicon", "metal", 2025)
    assert res["selected_share"] == pytest.approx(china / total, abs=1e-6)
    lo, hi = res["selected_share_bounds"]
    assert hi == pytest.approx(china / total, abs=1e-6)
    assert lo == pytest.approx(china / (total + cap), abs=1e-6)
    assert lo > 0.75  # was open (0) before the cap
    (usa,) = [u for u in res["unknown"] if u["country"] == "USA"]
    assert usa["status"] == "withheld" and usa["bounded"]
    assert "275,000" in usa["note"]
    # The bound is not a production figure: the world total and the U.S. status are unchanged.
    assert res["world_total"] == pytest.approx(total)


def test_import_reliance_printed_as_a_bound_is_a_bound(cli: Cli) -> None:
    t7_file = "usgs_mcs2026_official_fixture_subset/MCS2026_T7_Critical_Minerals_Salient.subset.csv"
    (t7,) = [r for r in raw(t7_file) if r["Critical_mineral"] == "Lithium"]
    printed = next(v for v in t7.values() if v.startswith(">"))
    low = float(printed[1:]) / 100
    imp = cli.json("exposure", "lithium", "--stage", "mining", "--importer", "USA")["importer"]
    (rel,) = [r for r in imp["import_reliance"] if r["source_id"] == "usgs-mcs2026-t7"]
    assert rel["raw"] == printed and rel["bounds"] == [pytest.approx(low), 1.0]
    exact = cli.json("exposure", "antimony", "--stage", "mining", "--importer", "USA")
    assert all(r["bounds"][0] == r["bounds"][1] for r in exact["importer"]["import_reliance"])
    assert "[50%–100%]" in cli.run("exposure", "lithium", "--stage", "mining", "--importer", "USA")


# --- dated facts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "members_in", "members_out"),
    [
        ("2022-09-27", {"NOR", "USA", "KOR"}, {"ITA", "EST", "ARG"}),  # UNGA 2022 partner list
        ("2023-06-23", {"NOR", "ITA", "IND"}, {"EST", "ARG"}),
        ("2024-03-02", set(), {"EST"}),
        ("2024-03-03", {"EST"}, {"ARG"}),  # welcomed at the Toronto principals' meeting
        ("2026-01-01", {"EST", "NOR", "ITA"}, {"ARG"}),  # Argentina is not a partner
    ],
)
def test_msp_membership_dates(
    cli: Cli, when: str, members_in: set[str], members_out: set[str]
) -> None:
    members = set(cli.json("overview", "--group", "msp", "--as-of", when)["selected_countries"])
    assert members_in <= members and not (members_out & members)


def test_kisanfu_look_through_counts_catl_through_brunp(cli: Cli) -> None:
    facts = {
        r["fact_id"]: r
        for name in ("ownership_facts.csv", "ownership_facts_more.csv")
        for r in raw(f"ownership_facts/{name}")
    }
    cmoc_kfm = float(facts["own-012"]["percent"]) / 100
    brunp_kfm = float(facts["own-013"]["percent"]) / 100
    catl_cmoc = float(facts["own-113"]["percent"]) / 100
    kfm_kisanfu = 0.95  # "holds 95% of Kisanfu" (own-012's owned entity as published)
    assert "95%" in facts["own-012"]["owned_entity"]
    # Ningbo Brunp CATL New Energy: RMB 1.764 of 3.6 bn subscribed by CATL, 1.836 by Guangdong
    # Brunp Recycling (Gasgoo, 3 Sep 2019); CATL holds "around 53%" of Brunp Recycling (2021).
    catl_brunp = 1.764 / 3.6 + 1.836 / 3.6 * 0.53
    expect = kfm_kisanfu * (cmoc_kfm * catl_cmoc + brunp_kfm * catl_brunp)
    owners = {o["id"]: o for o in cli.json("owners", "kisanfu")["owners"]}
    assert owners["catl"]["look_through"] == pytest.approx(expect, abs=1e-4)
    assert owners["catl"]["look_through"] > 0.35  # was 17.6% with the CMOC path alone


def test_corrected_figures_lead_their_stage(store: DuckStore) -> None:
    """Germanium refining (~60%, CRMA), ferrochrome (>50%, ICDA), magnets (94%, IEA)."""
    rows = raw("corrections/share_figures.csv")
    assert {(r["material"], r["stage"]) for r in rows} >= {
        ("germanium", "refining"), ("chromium", "refining"), ("rare-earths", "magnets")
    }  # fmt: skip
    for r in rows:
        ex = exposure(store.view(), r["material"], r["stage"]).to_json()
        assert ex["source_id"] == r["fact_id"], r["fact_id"]
        assert ex["selected_share"] == pytest.approx(float(r["share_pct"]) / 100)
        assert (ex["year"] is None) == (r["year_stated"] == "no")
        lo, hi = ex["selected_share_bounds"]
        if r["bound"] == "lower":
            assert (lo, hi) == (pytest.approx(float(r["share_pct"]) / 100), 1.0)


def test_arsenic_trioxide_world_table_leads_white_arsenic(store: DuckStore) -> None:
    rows = raw("usgs_mcs2026_processing/world_processing_production_added.csv")
    for year in (2024, 2025):
        by = {r["country"]: float(r["value"]) for r in rows if r["year"] == str(year)}
        world = by.pop("World total (rounded)")
        ex = exposure(
            store.view(), "arsenic", "refining", year, source="usgs-mcs2026-arsenic"
        ).to_json()
        assert ex["selected_share"] == pytest.approx(by["China"] / world, abs=1e-6)
        assert ex["top_country"] == "PER" and ex["world_total"] == world
    head = exposure(store.view(), "arsenic", "refining").to_json()
    assert (head["source_id"], head["year"]) == ("usgs-mcs2026-arsenic", 2025)
    caps = raw("usgs_mcs2026_processing/world_processing_capacity_added.csv")
    assert {r["country"] for r in caps} >= {"China", "Peru", "World total (rounded)"}


def test_copper_mining_headline_is_the_mcs_mine_table(store: DuckStore) -> None:
    """Rule a on copper mining: the MCS mine tables (most complete) lead the IEA row naming
    Chile only; between the two editions the one allocating more of its world total leads,
    and China's share is its printed mine output over the printed world total."""

    def table(rel: str, year: int) -> tuple[dict[str, float], float]:
        by = {
            r["country"]: float(r["value_raw"].replace(",", ""))
            for r in raw(rel)
            if r["year"] == str(year)
        }
        return by, by.pop("World total (rounded)")

    new, new_world = table("usgs_mcs2026_copper_mine/world_copper_mine_production.csv", 2025)
    ex = exposure(store.view(), "copper", "mining", 2025).to_json()
    assert ex["source_id"] == "usgs-mcs2026-copper-mine"
    assert ex["selected_share"] == pytest.approx(new["China"] / new_world, abs=1e-6)
    assert ex["top_country"] == "CHL"
    assert ex["top_share"] == pytest.approx(new["Chile"] / new_world, abs=1e-6)
    assert ex["unallocated_share"] == pytest.approx(1 - sum(new.values()) / new_world, abs=1e-5)

    old, old_world = table("usgs_mcs2025_copper/world_copper_mine_production.csv", 2024)
    completeness = {
        ("usgs-mcs2026-copper-mine", 2025): sum(new.values()) / new_world,
        ("usgs-mcs2025-copper-mine", 2024): sum(old.values()) / old_world,
    }
    head = exposure(store.view(), "copper", "mining").to_json()
    assert (head["source_id"], head["year"]) == max(completeness, key=lambda k: completeness[k])
    assert 0.05 < head["selected_share"] < 0.10  # USGS: China about 8% of world mine output
    assert head["selected_share_bounds"][0] > 0  # never 0% (rule a)
    rows_ = overview(store.view()).to_json()["rows"]
    (row,) = [r for r in rows_ if (r["material"], r["stage"]) == ("copper", "mining")]
    assert row["selected_share"] == pytest.approx(head["selected_share"])
    assert row["source_id"] == head["source_id"]


def test_copper_mining_previous_edition_years_read_from_the_raw_table(store: DuckStore) -> None:
    """MCS 2025 (2023, 2024e): China about 1.8 of 23 Mt in 2024; every row incl. 'Other'."""
    rows = raw("usgs_mcs2025_copper/world_copper_mine_production.csv")
    for year in (2023, 2024):
        by = {
            r["country"]: float(r["value_raw"].replace(",", ""))
            for r in rows
            if r["year"] == str(year)
        }
        world = by.pop("World total (rounded)")
        ex = exposure(store.view(), "copper", "mining", year).to_json()
        assert ex["source_id"] == "usgs-mcs2025-copper-mine"
        assert ex["selected_share"] == pytest.approx(by["China"] / world, abs=1e-6)
        top = max(by, key=lambda c: by[c] if c != "Other countries" else -1)
        assert top == "Chile" and ex["top_country"] == "CHL"
        allocated = 1 - ex["unallocated_share"] + ex["overallocated_share"]
        assert allocated == pytest.approx(sum(by.values()) / world, abs=1e-6)
    assert exposure(store.view(), "copper", "mining", 2024).to_json()[
        "selected_share"
    ] == pytest.approx(
        1800 / 23000, abs=1e-6
    )  # the figure the issue quotes from USGS, and the raw table agrees
