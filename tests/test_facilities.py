"""The facility layer: import, capacity by year, allocation among buyers, the buyers' club.

Hand-solved cases (every expected number is worked out in the comments), then the same on a
small store built from CSV files written here, then the bundled dataset and the CLI.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from derisk.analysis.allocation import allocate, capacity_by_year, club_lp, market_lp
from derisk.data.csvio import ImportFailed
from derisk.data.loader import bundled_dir, import_csv, load_files
from derisk.services.common import NotFound
from derisk.services.facilities import allied_supply, list_facilities, show_facility
from derisk.store import DuckStore
from tests.conftest import Cli

# -- capacity by year ---------------------------------------------------------------------------


def test_ramp_up_and_pipeline_weights() -> None:
    years = [2025, 2026, 2027, 2028]
    nan = np.nan
    caps = capacity_by_year(
        np.array([100.0, 60.0, 80.0, 50.0, 40.0]),
        ["operating", "construction", "planned", "closed", "idled"],
        np.array([nan, 2026.0, 2027.0, nan, 2027.0]),
        np.array([1.0, 3.0, 1.0, 1.0, 2.0]),
        np.array([nan, nan, nan, 2027.0, 2025.0]),
        years,
        "committed",
    )
    assert caps[0].tolist() == [100, 100, 100, 100]
    # construction from 2026 over 3 years: 1/3, 2/3, 1 of 60
    assert caps[1] == pytest.approx([0, 20, 40, 60])
    assert caps[2].tolist() == [0, 0, 0, 0]  # planned: weight 0 when committed
    assert caps[3].tolist() == [50, 50, 0, 0]  # closed from 2027
    assert caps[4].tolist() == [0, 0, 0, 0]  # idled in 2025, restart not counted
    announced = capacity_by_year(
        np.array([80.0, 40.0]), ["planned", "idled"], np.array([2027.0, 2027.0]),
        np.array([1.0, 2.0]), np.array([nan, 2025.0]), years, "announced",
    )  # fmt: skip
    assert announced[0].tolist() == [0, 0, 80, 80]
    assert announced[1] == pytest.approx([0, 0, 20, 40])  # restart ramps over 2 years
    risked = capacity_by_year(
        np.array([80.0]), ["planned"], np.array([2025.0]), np.array([1.0]), np.array([nan]),
        years, "risked",
    )  # fmt: skip
    assert risked[0] == pytest.approx([24, 24, 24, 24])  # 0.3 x 80


# -- allocation between two buyers under each rule ----------------------------------------------
# Plant A: 60 t, eligible for the club; plant B: 40 t, excluded (in China).
# Club demand 40, other buyers' demand 50. D = 90, C = 100.
CAP = np.array([[60.0], [40.0]])
ELIG = np.array([True, False])


def test_pro_rata_between_two_buyers() -> None:
    a = allocate(CAP, ELIG, np.array([[40.0]]), np.array([50.0]), "pro-rata")
    # others take c_k * 50 / max(90, 100): 30 of A; the club may use 60 - 30 = 30 of A.
    assert a.others_take[:, 0] == pytest.approx([30, 20])
    assert a.secured[0] == pytest.approx(30)
    assert a.shortfall[0, 0] == pytest.approx(10)
    assert a.shadow[:, 0].tolist() == [1.0, 0.0]  # A binds: 1 t more at A = 1 t more secured


def test_historical_shares_between_two_buyers() -> None:
    # non-members took half of A's and all of B's output: 30 + 40 = 70 > their demand of 50,
    # so their take is scaled by 5/7: A gives them 150/7; the club keeps 60 - 150/7 = 270/7.
    a = allocate(CAP, ELIG, np.array([[40.0]]), np.array([50.0]), "historical",
                 np.array([0.5, 1.0]))  # fmt: skip
    assert a.others_take[0, 0] == pytest.approx(150 / 7)
    assert a.secured[0] == pytest.approx(270 / 7)
    assert a.shortfall[0, 0] == pytest.approx(40 - 270 / 7)


def test_market_clearing_between_two_buyers_matches_the_lp() -> None:
    # others first take all of B (40), then 10 of A; the club takes its 40 from A.
    a = allocate(CAP, ELIG, np.array([[40.0]]), np.array([50.0]), "market")
    assert a.others_take[:, 0] == pytest.approx([10, 40])
    assert a.secured[0] == pytest.approx(40) and a.shortfall[0, 0] == pytest.approx(0)
    lp = market_lp(CAP[:, 0], ELIG, np.array([40.0]), 50.0)
    assert lp.members == pytest.approx([40, 50])  # club 40, others 50: same totals


def test_market_closed_form_equals_the_lp_on_random_cases() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        k = int(rng.integers(1, 8))
        cap = rng.uniform(0, 100, k)
        elig = rng.random(k) < 0.6
        dm = rng.uniform(0, 120, int(rng.integers(1, 4)))
        d_o = float(rng.uniform(0, 300))
        a = allocate(cap[:, None], elig, dm[:, None], np.array([d_o]), "market")
        lp = market_lp(cap, elig, dm, d_o)
        assert a.secured[0] == pytest.approx(lp.members[:-1].sum(), abs=1e-6)
        assert a.others_served[0] == pytest.approx(lp.members[-1], abs=1e-6)


# -- a club with a binding plant and its shadow price -------------------------------------------


def test_club_splits_pro_rata_and_the_binding_plant_has_shadow_price_one() -> None:
    # USA needs 20, KOR 20; the only eligible plant has 30 t: each gets 15, short 5.
    a = allocate(np.array([[30.0], [500.0]]), np.array([True, False]),
                 np.array([[20.0], [20.0]]), np.array([0.0]), "pro-rata")  # fmt: skip
    assert a.members[:, 0] == pytest.approx([15, 15])
    assert a.shortfall[:, 0] == pytest.approx([5, 5])
    assert a.shadow[:, 0].tolist() == [1.0, 0.0]


def test_club_lp_shadow_price_of_a_binding_plant() -> None:
    # A (10 t, freight 0) and B (100 t, freight 5) serve a buyer worth 20/t needing 30 t:
    # A is used fully and one more tonne there saves the freight of 5; B has room: price 0.
    r = club_lp(np.array([10.0, 100.0]), np.array([30.0]), np.array([20.0]),
                np.array([[0.0, 5.0]]))  # fmt: skip
    assert r.flow[0] == pytest.approx([10, 20])
    assert r.plant_dual == pytest.approx([5, 0])
    assert r.demand_dual == pytest.approx([15])  # one more tonne of demand is worth 20 - 5


# -- the same on a store ------------------------------------------------------------------------


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def small_store(tmp_path: Path) -> Any:
    """Antimony refining: a Korean plant, a planned US plant (2027), an Indonesian plant 60%
    owned by a Chinese company, and a Chinese plant."""
    d = tmp_path
    files = [
        (
            _write(
                d / "sources.csv",
                "source_id,publisher,title,confidence",
                ["t1,Test publisher,Figures written for this test,H"],
            ),
            "sources",
        ),
        (_write(d / "groups.csv", "group_id,name", ["covered,Covered nations"]), "groups"),
        (
            _write(d / "members.csv", "group_id,iso3,source_id", ["covered,CHN,t1"]),
            "group_members",
        ),
        (
            _write(
                d / "entities.csv",
                "entity_id,kind,name,source_id,country",
                ["acme,company,Acme Metals,t1,KOR", "dragon,company,Dragon Smelting,t1,CHN"],
            ),
            "entities",
        ),
        (
            _write(
                d / "facilities.csv",
                "facility_id,name,country,material_id,stage_id,status,capacity,unit,basis,"
                "source_id,operator_id,owners,start_year,ramp_years",
                [
                    "p-kor,Korean refinery,KOR,antimony,refining,operating,100,t Sb,content,t1,"
                    "acme,acme:100,,",
                    "p-usa,US refinery,USA,antimony,refining,planned,50,t Sb,content,t1,acme,"
                    "acme:100,2027,1",
                    "p-idn,Indonesian refinery,IDN,antimony,refining,operating,40,t Sb,content,"
                    "t1,,dragon:60,,",
                    "p-chn,Chinese refinery,CHN,antimony,refining,operating,300,t Sb,content,t1,"
                    "dragon,dragon:100,,",
                ],
            ),
            "facilities",
        ),
        (
            _write(
                d / "demand.csv",
                "fact_id,buyer,material_id,stage_id,year,quantity,unit,basis,source_id",
                [
                    "w,WLD,antimony,refining,2025,400,t Sb,world-output,t1",
                    "u,USA,antimony,refining,2025,120,t Sb,apparent-consumption,t1",
                ],
            ),
            "demand",
        ),
    ]
    store = DuckStore(d / "small.duckdb")
    load_files(store, files, dataset="test", reference=True)
    yield store
    store.close()


def test_a_plant_is_excluded_because_its_owner_screens_as_a_pfe(small_store: DuckStore) -> None:
    base = allied_supply(small_store.view(), "antimony", "refining", ["USA"], years=(2026,))
    rows = {r["facility"]: r for r in base["facilities"]}
    assert rows["p-idn"]["eligible"] and not rows["p-chn"]["eligible"]
    pfe = allied_supply(small_store.view(), "antimony", "refining", ["USA"], years=(2026,),
                        exclude_pfe=True)  # fmt: skip
    rows = {r["facility"]: r for r in pfe["facilities"]}
    assert not rows["p-idn"]["eligible"]
    assert rows["p-idn"]["reason"] == "owner screens as a prohibited foreign entity"
    assert rows["p-kor"]["eligible"]
    assert pfe["excluded"]["pfe"]["facilities"] == ("p-chn", "p-idn")
    # pro rata, 2026: C = 440, D = 400; others (280) take 280/440 of each plant.
    # Without screening the club may use (100 + 40) * (1 - 280/440) = 50.909 t.
    assert base["by_year"][0]["secured"] == pytest.approx(140 * 160 / 440, abs=1e-3)
    assert pfe["by_year"][0]["secured"] == pytest.approx(100 * 160 / 440, abs=1e-3)


def test_a_planned_plant_changes_the_answer_in_its_commissioning_year(
    small_store: DuckStore,
) -> None:
    view = small_store.view()
    res = allied_supply(view, "antimony", "refining", ["USA"], years=(2026, 2027, 2028),
                        rule="market", pipeline="announced", exclude_pfe=True)  # fmt: skip
    by = {y["year"]: y for y in res["by_year"]}
    # market: others (280) are served by the screened-out plants (340); the US (demand 120 from
    # the store) gets the Korean 100 t in 2026 and 120 of 150 once the US plant opens in 2027.
    assert res["club"][0]["demand"] == 120 and res["club"][0]["demand_source"] == "t1"
    assert by[2026]["secured"] == pytest.approx(100)
    assert by[2027]["secured"] == pytest.approx(120) and by[2028]["secured"] == pytest.approx(120)
    diff = by[2027]["difference"]
    assert [d["facility"] for d in diff] == ["p-usa"]
    assert diff[0]["capacity_change"] == 50 and diff[0]["effect_on_secured"] == pytest.approx(20)
    assert by[2026]["binding"][0]["facility"] == "p-kor"
    assert by[2026]["binding"][0]["shadow_price"] == 1.0 and by[2027]["binding"] == ()
    committed = allied_supply(small_store.view(), "antimony", "refining", ["USA"], years=(2027,),
                              rule="market", exclude_pfe=True)  # fmt: skip
    assert committed["by_year"][0]["secured"] == pytest.approx(100)  # planned not counted


def test_club_needs_a_demand_for_every_member(small_store: DuckStore) -> None:
    with pytest.raises(NotFound, match="no demand figure for KOR"):
        allied_supply(small_store.view(), "antimony", "refining", ["USA", "KOR"], years=(2026,))
    res = allied_supply(small_store.view(), "antimony", "refining", ["USA", "KOR"], years=(2026,),
                        demand={"KOR": 40}, rule="market")  # fmt: skip
    y = res["by_year"][0]
    # market: club (160) gets all eligible capacity (p-kor 100, p-idn 40): 140, split 3:1.
    assert y["secured"] == pytest.approx(140)
    assert [m["allocation"] for m in y["members"]] == pytest.approx([105, 35])
    with pytest.raises(NotFound, match="no facilities for antimony oxide"):
        allied_supply(small_store.view(), "antimony", "oxide", ["USA"], demand={"USA": 1})


def test_facility_rows_become_entities_and_owner_stakes(small_store: DuckStore) -> None:
    ent = small_store.sql("SELECT kind, country, operator_id FROM entity WHERE entity_id='p-idn'")
    assert ent == [("facility", "IDN", None)]
    st = small_store.sql("SELECT owner_id, percent FROM stake WHERE owned_id = 'p-idn'")
    assert st == [("dragon", 60.0)]
    show = show_facility(small_store.view(), "p-usa")["facility"]
    assert show["capacity_by_year"]["announced"]["2027"] == 50
    assert show["capacity_by_year"]["committed"]["2027"] == 0
    assert show["pfe"]["verdict"] == "clear"


def test_bad_facility_rows_are_refused_naming_row_and_field(tmp_path: Path, fresh_db: Path) -> None:
    bad = _write(
        tmp_path / "bad.csv",
        "facility_id,name,country,material_id,stage_id,status,capacity,unit,basis,source_id,"
        "owners,start_year",
        [
            "x1,Plant,USA,lithium,refining,operating,10,t NdPr,product,usgs-mcs2026-lithium,,",
            "x2,Plant,USA,lithium,refining,planned,10,t LCE,product,usgs-mcs2026-lithium,,",
            "x3,Plant,USA,lithium,refining,running,10,t LCE,product,usgs-mcs2026-lithium,,",
            "x4,Plant,USA,lithium,refining,operating,10,t LCE,product,usgs-mcs2026-lithium,"
            "nobody:50,",
        ],
    )
    with DuckStore(fresh_db) as store:
        before = store.sql("SELECT count(*) FROM facility")[0][0]
        with pytest.raises(ImportFailed) as err:
            import_csv(store, "facilities", bad)
        got = {(p.row, p.field) for p in err.value.problems}
        assert {(2, "unit"), (3, "start_year"), (4, "status"), (5, "owners")} <= got
        assert store.sql("SELECT count(*) FROM facility")[0][0] == before


# -- the bundled dataset ------------------------------------------------------------------------


def test_bundled_facilities_cover_the_chains_with_a_source_on_every_row() -> None:
    base = bundled_dir()
    with (base / "facilities.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    sources = set()
    for name in ("facility_sources.csv", "sources.csv"):
        with (base / name).open(newline="") as fh:
            sources |= {r["source_id"] for r in csv.DictReader(fh)}
    assert len(rows) >= 250
    assert all(r["source_id"] in sources for r in rows)
    chains = {(r["material_id"], r["stage_id"]) for r in rows}
    for need in [("rare-earths", "mining"), ("rare-earths", "separation"),
                 ("rare-earths", "metal"), ("rare-earths", "magnets"), ("lithium", "refining"),
                 ("nickel", "refining"), ("cobalt", "refining"), ("graphite", "anode"),
                 ("antimony", "refining"), ("gallium", "refining"), ("germanium", "refining"),
                 ("tungsten", "refining")]:  # fmt: skip
        assert need in chains
        assert any(r["country"] == "CHN" for r in rows if (r["material_id"], r["stage_id"]) == need)


COMPILATION = "fac-compilation-2026"


def _bundled(name: str) -> list[dict[str, str]]:
    with (bundled_dir() / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_bundled_plant_figure_has_a_source_and_the_cited_share_is_documented() -> None:
    rows = _bundled("facilities.csv")
    both = _bundled("facility_sources.csv") + _bundled("sources.csv")
    sources = {r["source_id"]: r for r in both}
    fac_sources = {r["source_id"] for r in _bundled("facility_sources.csv")}
    for r in rows:
        assert r["source_id"] in sources, (r["facility_id"], r["source_id"])
        assert not r["status_source_id"] or r["status_source_id"] in sources, r["facility_id"]
    # every source the plants cite, other than the compilation, points at a page and says
    # what it states (URL, confidence M or H, a note with the figure)
    used = {r["source_id"] for r in rows} | {r["status_source_id"] for r in rows} - {""}
    for sid in used - {COMPILATION}:
        s = sources[sid]
        assert s["url"].startswith("http"), sid
        assert s["confidence"] in ("H", "M"), sid
        assert s["note"].strip(), sid
    assert sources[COMPILATION]["confidence"] == "L" and not sources[COMPILATION]["url"]
    # no two source rows share an id
    assert len(fac_sources) == len(_bundled("facility_sources.csv"))
    # the cited share: rows whose capacity figure rests on a page (M/H) and not on the
    # compilation; FACILITIES.md states the same counts
    cited = [r for r in rows if sources[r["source_id"]]["confidence"] in ("H", "M")]
    on_compilation = [r for r in rows if r["source_id"] == COMPILATION]
    assert len(cited) + len(on_compilation) == len(rows)
    doc = (bundled_dir() / "FACILITIES.md").read_text()
    m = re.search(r"Cited: (\d+) of (\d+) rows", doc)
    assert m, "FACILITIES.md states the cited share"
    assert (int(m.group(1)), int(m.group(2))) == (len(cited), len(rows))
    m = re.search(r"(\d+) rows on `fac-compilation-2026`", doc)
    assert m and int(m.group(1)) == len(on_compilation)


def test_bundled_antimony_refining_for_a_club(store: DuckStore) -> None:
    res = allied_supply(store.view(), "antimony", "refining", ["USA", "KOR", "JPN", "EU27"],
                        demand={"USA": 20000, "KOR": 4000, "JPN": 5000, "EU27": 10000},
                        exclude_pfe=True, years=(2025, 2030))  # fmt: skip
    rows = {r["facility"]: r for r in res["facilities"]}
    assert rows["kz-onsan-antimony"]["eligible"] and rows["kz-onsan-antimony"]["capacity"] == 3600
    assert not rows["sb-hunan-xikuangshan"]["eligible"]
    y = res["by_year"][0]
    # the club gets less than the eligible capacity: other buyers' demand is netted out
    assert 0 < y["secured"] < y["eligible_capacity"]
    assert y["others_take_eligible"] > 0
    assert {s["source_id"] for s in res["sources"]} >= {"fac-kz-chosun-2025-12",
                                                        "fac-usgs-mcs2026-antimony"}  # fmt: skip
    # the feed: refined antimony needs China-free ore; under pro rata the mine stage binds
    assert res["upstream"]["stage"] == "mining"
    assert res["upstream"]["source_id"] == "usgs-mcs2026-antimony"
    assert y["chain_secured"] == pytest.approx(min(y["secured"], y["upstream_secured"]))
    lst = list_facilities(store.view(), material="antimony", stage="refining")
    # plants with no stated capacity are listed as a gap, not counted as supply
    # (closed plants without a figure, never-announced projects, are no gap)
    unknown = {"sb-vietnam-hagiang", "sb-myanmar", "alaska-antimony-ph"}
    never = {"sb-kz-onsan-expansion", "sb-hillgrove-refinery"}
    gap = next(g for g in res["gaps"] if g["what"] == "capacity unknown")
    assert set(gap["facilities"]) == unknown and not (unknown | never) & set(rows)
    assert lst["count"] == len(res["facilities"]) + len(gap["facilities"]) + len(never)


def test_cli_facilities_and_club_reroute(built_db: Path) -> None:
    cli = Cli(built_db)
    out = cli.json("facilities", "list", "--material", "rare-earths", "--stage", "magnets")
    assert out["schema"] == "derisk.facilities/1" and out["count"] >= 20
    one = cli.json("facilities", "show", "mp-10x-magnets")
    assert one["facility"]["capacity_by_year"]["committed"]["2029"] == 10000
    res = cli.json(
        "reroute", "rare-earths", "--stage", "magnets", "--club", "USA,KOR,JPN,EU27",
        "--demand", "USA=10000,KOR=5000,JPN=15000,EU27=20000", "--world-demand", "300000",
        "--exclude-pfe", "--years", "2027-2029",
    )  # fmt: skip
    assert res["schema"] == "derisk.allied/1" and [y["year"] for y in res["by_year"]] == [
        2027, 2028, 2029,
    ]  # fmt: skip
    diff = {d["facility"] for d in res["by_year"][1]["difference"]}
    assert "mp-10x-magnets" in diff
    err = cli.json("reroute", "antimony", "--stage", "refining", "--club", "USA,EU27", code=1)
    assert err["error"]["kind"] == "not-found" and "EU27" in err["error"]["message"]
    single = cli.json("reroute", "antimony", "--to", "USA", "--demand", "5000", "--stage",
                      "refining")  # fmt: skip
    assert single["schema"] == "derisk.allied/1"
    assert "plant-level answer" in single["notes"][0]


def test_an_accepted_plant_opening_from_the_news_becomes_capacity(
    fresh_db: Path, tmp_path: Path
) -> None:
    from derisk.services import news

    text = tmp_path / "opening.txt"
    text.write_text(
        "Korea Zinc opens antimony plant\n\nUlsan, 3 March 2026. Korea Zinc said on Tuesday it "
        "had opened a new antimony refinery in South Korea with an annual capacity of 1,000 "
        "tonnes.\n",
        encoding="utf-8",
    )
    with DuckStore(fresh_db) as store:
        before = allied_supply(store.view(), "antimony", "refining", ["USA"], demand={"USA": 5000},
                               years=(2026,), rule="market")  # fmt: skip
        res = news.ingest(store, [text])
        (ev,) = [e for e in res["events"] if e["type"] == "facility"]
        assert store.sql("SELECT count(*) FROM facility WHERE source_id LIKE 'news-%'") == [(0,)]
        dec = news.accept(store, ev["proposal_id"])
        (fid,) = [f["id"] for f in dec["facts"] if f["table"] == "facility"]
        plant = show_facility(store.view(), fid)["facility"]
        assert (plant["country"], plant["status"], plant["capacity"]) == ("KOR", "operating", 1000)
        assert plant["operator"] == "korea-zinc" and plant["start_year"] == 2026
        after = allied_supply(store.view(), "antimony", "refining", ["USA"], demand={"USA": 5000},
                              years=(2026,), rule="market")  # fmt: skip
        gain = after["by_year"][0]["eligible_capacity"] - before["by_year"][0]["eligible_capacity"]
        assert gain == pytest.approx(1000)
