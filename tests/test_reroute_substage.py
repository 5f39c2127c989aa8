"""Re-sourcing at a sub-stage without facility rows of its own (lithium hydroxide): the answer
comes from the parent stage's rows whose product is the sub-stage, in its own unit.

1 t LCE (Li2CO3, 73.89 g/mol) holds the lithium of 2 t-mol LiOH.H2O (41.96 g/mol), so
1 t LCE = 2 x 41.96 / 73.89 t LiOH.H2O; 73.89 t LCE = 83.92 t LiOH.H2O.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from derisk.data.loader import import_csv, load_files
from derisk.services.common import NotFound
from derisk.services.facilities import allied_supply
from derisk.store import DuckStore
from tests.conftest import Cli


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def li_store(tmp_path: Path) -> Iterator[DuckStore]:
    """Lithium refining rows only: a Korean hydroxide plant (30 t LiOH.H2O), an Australian one
    stated as 73.89 t LCE of hydroxide, a Chilean carbonate plant (100 t Li2CO3) and a US plant
    of 200 t LCE whose product is not stated."""
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
        (
            _write(
                d / "facilities.csv",
                "facility_id,name,country,material_id,stage_id,status,capacity,unit,basis,"
                "source_id,product",
                [
                    "h-kor,Korean hydroxide,KOR,lithium,refining,operating,30,t LiOH.H2O,product,"
                    "t1,lithium hydroxide",
                    "h-aus,Australian hydroxide,AUS,lithium,refining,operating,73.89,t LCE,product,"
                    "t1,lithium hydroxide",
                    "c-chl,Chilean carbonate,CHL,lithium,refining,operating,100,t Li2CO3,product,"
                    "t1,lithium carbonate",
                    "u-usa,US converter,USA,lithium,refining,operating,200,t LCE,product,t1,",
                ],
            ),
            "facilities",
        ),
        (
            _write(
                d / "demand.csv",
                "fact_id,buyer,material_id,stage_id,year,quantity,unit,basis,source_id",
                [
                    "w,WLD,lithium,hydroxide,2025,200,t LiOH.H2O,apparent-consumption,t1",
                    "u,USA,lithium,hydroxide,2025,40,t LiOH.H2O,imports,t1",
                    "j,JPN,lithium,refining,2025,50,t LCE,imports,t1",
                ],
            ),
            "demand",
        ),
    ]
    store = DuckStore(d / "li.duckdb")
    load_files(store, files, dataset="test", reference=True)
    yield store
    store.close()


HYD = 30 + 2 * 41.96  # 113.92 t LiOH.H2O of hydroxide capacity, both plants eligible


def test_one_buyer_at_the_hydroxide_stage(li_store: DuckStore) -> None:
    res = allied_supply(li_store.view(), "lithium", "hydroxide", ["USA"], years=(2025,))
    assert res["unit"] == "t LiOH.H2O"
    rows = {r["facility"]: r for r in res["facilities"]}
    assert set(rows) == {"h-kor", "h-aus"}  # the carbonate and unstated rows are not capacity
    assert rows["h-aus"]["capacity"] == pytest.approx(83.92)
    assert rows["h-aus"]["stored_stage"] == "refining"
    y = res["by_year"][0]
    # pro rata: world 200 > capacity 113.92; other buyers (160) take 160/200 of each plant,
    # the buyer keeps 0.2 x 113.92 = 22.784 of its 40
    assert y["capacity_total"] == pytest.approx(HYD)
    assert y["secured"] == pytest.approx(0.2 * HYD, abs=1e-3)
    assert y["shortfall"] == pytest.approx(40 - 0.2 * HYD, abs=1e-3)
    assert {b["facility"] for b in y["binding"]} == {"h-kor", "h-aus"}
    src = res["from_parent_stage"]
    assert src["stage"] == "refining" and sorted(src["taken"]) == ["h-aus", "h-kor"]
    assert src["other_product"] == ("c-chl",) and src["product_not_stated"] == ("u-usa",)
    assert src["own_rows"] == ()
    gap = next(g for g in res["gaps"] if g["what"] == "product not stated")
    assert gap["facilities"] == ("u-usa",)
    assert any(
        n.startswith("hydroxide: no facility rows of its own; answered from them and 2 refining")
        for n in res["notes"]
    )


def test_a_club_of_two_at_the_hydroxide_stage(li_store: DuckStore) -> None:
    res = allied_supply(li_store.view(), "lithium", "hydroxide", ["KOR", "JPN"],
                        demand={"KOR": 40, "JPN": 20}, years=(2025,))  # fmt: skip
    y = res["by_year"][0]
    # others' demand 200 - 60 = 140 takes 0.7 of each plant; the club keeps 0.3 x 113.92 =
    # 34.176 of its 60, split in proportion to demand: KOR 2/3, JPN 1/3
    assert y["secured"] == pytest.approx(0.3 * HYD, abs=1e-3)
    m = {r["member"]: r for r in y["members"]}
    assert m["KOR"]["allocation"] == pytest.approx(0.2 * HYD, abs=1e-3)
    assert m["JPN"]["allocation"] == pytest.approx(0.1 * HYD, abs=1e-3)


def test_a_member_with_only_an_all_salts_figure_is_named(li_store: DuckStore) -> None:
    # JPN's refining figure counts carbonate and hydroxide together: not a hydroxide demand
    with pytest.raises(NotFound, match=r"no demand figure for JPN at lithium hydroxide"):
        allied_supply(li_store.view(), "lithium", "hydroxide", ["USA", "JPN"], years=(2025,))


def test_bundled_hydroxide_club_answers_with_named_plants(store: DuckStore) -> None:
    with pytest.raises(NotFound, match=r"no demand figure for USA .*known for KOR, JPN"):
        allied_supply(store.view(), "lithium", "hydroxide", ["USA", "KOR", "JPN"], exclude_pfe=True)
    res = allied_supply(
        store.view(), "lithium", "hydroxide", ["USA", "KOR", "JPN"],
        demand={"USA": 20000}, world_demand=1_500_000, exclude_pfe=True,)  # fmt: skip
    club = {c["member"]: c for c in res["club"]}
    # KOR and JPN from their LiOH.H2O import rows (figures.csv), not the all-salts totals
    assert (
        club["KOR"]["demand"] == 101447 and club["KOR"]["demand_source"] == "dem-kcs-2024-lithium"
    )
    assert club["JPN"]["demand"] == 37640
    rows = {r["facility"]: r for r in res["facilities"]}
    assert rows["posco-gwangyang-hydroxide"]["eligible"]
    assert rows["tesla-robstown"]["capacity"] == pytest.approx(50000 * 2 * 41.96 / 73.89, abs=1e-2)
    assert "sqm-salar-carmen" not in rows and "chengxin-lithium" not in rows
    assert not rows["kwinana-t1"]["eligible"]  # Tianqi-owned: screens as a PFE
    gap = next(g for g in res["gaps"] if g["what"] == "product not stated")
    assert "chengxin-lithium" in gap["facilities"]
    secured = [y["secured"] for y in res["by_year"]]
    assert [y["year"] for y in res["by_year"]] == list(range(2025, 2031))
    assert 0 < secured[0] < secured[-1]  # plants under construction come online
    assert "posco-yulchon" in {d["facility"] for d in res["by_year"][1]["difference"]}


def test_cli_one_buyer_at_the_hydroxide_stage(built_db: Path) -> None:
    res = Cli(built_db).json("reroute", "lithium", "--stage", "hydroxide", "--to", "USA",
                             "--demand", "20000", "--world-demand", "1500000", "--exclude-pfe",
                             "--years", "2025-2030")  # fmt: skip
    assert res["unit"] == "t LiOH.H2O" and res["from_parent_stage"]["stage"] == "refining"
    assert len(res["by_year"]) == 6 and res["by_year"][0]["secured"] > 0
    assert "livent-bessemer" in {r["facility"] for r in res["facilities"]}


def test_a_row_of_the_sub_stage_itself_is_counted_with_the_parent_rows(
    li_store: DuckStore, tmp_path: Path
) -> None:
    # a hydroxide-stage row (as an accepted news item writes it) adds to the refining rows
    path = _write(
        tmp_path / "own.csv",
        "facility_id,name,country,material_id,stage_id,status,capacity,unit,basis,source_id",
        ["h-can,Canadian hydroxide,CAN,lithium,hydroxide,operating,20,t LiOH.H2O,product,t1"],
    )
    import_csv(li_store, "facilities", path)
    res = allied_supply(li_store.view(), "lithium", "hydroxide", ["USA"], years=(2025,))
    rows = {r["facility"]: r for r in res["facilities"]}
    assert set(rows) == {"h-kor", "h-aus", "h-can"}
    assert rows["h-can"]["stored_stage"] == "hydroxide"
    assert res["from_parent_stage"]["own_rows"] == ("h-can",)
    # others take 160/200 of each plant: the buyer keeps 0.2 x (113.92 + 20)
    assert res["by_year"][0]["secured"] == pytest.approx(0.2 * (HYD + 20), abs=1e-3)
