"""Bundled demand by importer: the club answers without --demand, from sourced figures.

Golden values are recomputed here from the raw file ``data/sources/importer_demand/figures.csv``
(consumption + imports - exports, converted by stoichiometry worked out below), and the secured
tonnage from the plants' capacities with the pro-rata equation of ``docs/allied.md``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from derisk.services.common import NotFound
from derisk.services.facilities import allied_supply
from derisk.store import DuckStore
from tests.conftest import Cli

RAW = Path(__file__).resolve().parents[1] / "data" / "sources" / "importer_demand"
# t of stage unit per t printed: Li2CO3 73.89, LiOH.H2O 41.96, Li 6.941 g/mol (LCE = Li2CO3).
TO_STAGE_UNIT = {
    "t Sb": 1.0,
    "t REO": 1.0,
    "t LCE": 1.0,
    "t Li2CO3": 1.0,
    "t LiOH.H2O": 73.89 / (2 * 41.96),
    "t Li": 73.89 / (2 * 6.941),
}
SIGN = {"consumption": 1.0, "imports": 1.0, "exports": -1.0}


def raw_demand(buyer: str, material: str, stage: str) -> tuple[float, int]:
    """The buyer's demand from the raw figures of its latest year (and that year)."""
    with (RAW / "figures.csv").open(newline="", encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if (r["buyer"], r["material_id"], r["stage_id"]) == (buyer, material, stage)
        ]
    year = max(int(r["year"]) for r in rows)
    return sum(
        SIGN[r["flow"]] * float(r["quantity"]) * TO_STAGE_UNIT[r["unit"]]
        for r in rows
        if int(r["year"]) == year
    ), year


def test_rare_earth_separation_club_uses_bundled_demand(store: DuckStore) -> None:
    res = allied_supply(store.view(), "rare-earths", "separation", ["USA", "JPN", "EU27"],
                        exclude_pfe=True, years=(2025, 2030), pipeline="committed")  # fmt: skip
    want = {
        "USA": raw_demand("USA", "rare-earths", "separation"),
        "JPN": raw_demand("JPN", "rare-earths", "separation"),
        "eu27": raw_demand("eu27", "rare-earths", "separation"),
    }
    assert want["USA"] == (27000, 2025) and want["eu27"] == (12900 - 5500, 2024)
    for m in res["club"]:
        q, year = want[m["member"]]
        assert m["demand"] == pytest.approx(q, abs=0.1)
        assert m["demand_year"] == year and m["demand_source"].startswith("dem-")
    bases = {m["member"]: m["demand_basis"] for m in res["club"]}
    assert bases == {"USA": "apparent-consumption", "JPN": "apparent-consumption",
                     "eu27": "imports"}  # fmt: skip
    # every demand source is listed with its publisher and URL
    sources = {s["source_id"]: s for s in res["sources"]}
    for m in res["club"]:
        assert sources[m["demand_source"]]["url"].startswith("https://")
    d_club = sum(q for q, _ in want.values())
    world = res["world_demand"]["quantity"]
    assert world == 390000  # USGS world mine production 2025 (bundled WLD row)
    for y in res["by_year"]:
        # pro rata, worked out from the plants: every plant sells to other buyers a share
        # d_O / max(D, C) of its capacity; the club takes the rest of the eligible plants.
        caps = [(f["capacity_by_year"][str(y["year"])], f["eligible"]) for f in res["facilities"]]
        total = sum(c for c, _ in caps)
        others = world - d_club
        left = sum(c * (1 - others / max(world, total)) for c, ok in caps if ok)
        secured = min(d_club, left)
        assert y["club_demand"] == pytest.approx(d_club, abs=0.1)
        assert y["secured"] == pytest.approx(secured, rel=1e-6)
        # split among members pro rata to demand
        for m, alloc in zip(res["club"], y["members"], strict=True):
            assert alloc["allocation"] == pytest.approx(secured * m["demand"] / d_club, rel=1e-6)


def test_a_member_without_a_sourced_figure_is_named_and_never_zero(store: DuckStore) -> None:
    with pytest.raises(NotFound) as err:
        allied_supply(store.view(), "lithium", "refining", ["USA", "KOR", "JPN", "EU27"],
                      exclude_pfe=True, years=(2025, 2030))  # fmt: skip
    msg = str(err.value)
    assert "no demand figure for EU27 at lithium refining" in msg
    assert "eu27" not in msg and "demand as EU27=QUANTITY in t LCE" in msg
    assert "demand is known for USA, KOR, JPN" in msg
    with pytest.raises(NotFound, match="no demand figure for KOR at rare-earths separation"):
        allied_supply(store.view(), "rare-earths", "separation", ["USA", "KOR"])


def test_given_demand_overrides_the_bundled_figure(store: DuckStore) -> None:
    res = allied_supply(store.view(), "lithium", "refining", ["USA", "KOR", "JPN", "EU27"],
                        demand={"EU27": 90000, "USA": 30000}, exclude_pfe=True,
                        years=(2025,))  # fmt: skip
    by = {m["member"]: m for m in res["club"]}
    assert (by["USA"]["demand"], by["USA"]["demand_source"]) == (30000, None)
    assert by["eu27"]["demand_basis"] == "user"
    kor, _ = raw_demand("KOR", "lithium", "refining")
    assert by["KOR"]["demand"] == pytest.approx(kor, abs=0.1)
    assert by["KOR"]["demand_source"] == "dem-kcs-2024-lithium"
    # the world figure is the USGS 2025 consumption estimate (t Li) in t LCE
    wld, year = raw_demand("WLD", "lithium", "refining")
    assert year == 2025 and res["world_demand"]["quantity"] == pytest.approx(wld, abs=0.1)


def test_cli_names_the_demand_source_of_each_member(built_db: Path) -> None:
    cli = Cli(built_db)
    out = cli.run("reroute", "rare-earths", "--stage", "separation", "--club", "USA,JPN,EU27",
                  "--exclude-pfe", "--years", "2025-2030")  # fmt: skip
    flat = " ".join(out.split())
    assert "USA 27,000 (apparent-consumption, dem-usgs-mcs2026-rare-earths 2025)" in flat
    assert "EU27 7,400 (imports, dem-eurostat-ree-2024 2024)" in flat


def test_one_buyer_at_a_stage_needs_no_demand_option(built_db: Path) -> None:
    cli = Cli(built_db)
    res = cli.json("reroute", "antimony", "--stage", "refining", "--to", "USA", "--exclude-pfe")
    assert res["schema"] == "derisk.allied/1"
    us = res["club"][0]
    want, year = raw_demand("USA", "antimony", "refining")
    assert (us["demand"], us["demand_year"], us["demand_basis"]) == (
        want,
        year,
        "apparent-consumption",
    )
    assert [y["year"] for y in res["by_year"]] == list(range(2025, 2031))
    err = cli.json("reroute", "antimony", "--stage", "refining", "--to", "CAN", code=1)
    assert "no demand figure for CAN" in err["error"]["message"]


def _import_own_demand(cli: Cli, tmp: Path, rows: str) -> None:
    """Import a source and demand rows of our own into the dataset ``acme`` (as a user would)."""
    src = tmp / "sources.csv"
    src.write_text(
        "source_id,publisher,title,url,published,confidence,precedence\n"
        "acme-sb,Acme Batteries,Our antimony purchases,https://example.org/acme,2025-06-01,M,45\n",
        encoding="utf-8",
    )
    dem = tmp / "demand.csv"
    dem.write_text(
        "fact_id,buyer,material_id,stage_id,year,quantity,unit,basis,source_id\n" + rows,
        encoding="utf-8",
    )
    cli.run("import", "csv", "sources", str(src), "--dataset", "acme")
    cli.run("import", "csv", "demand", str(dem), "--dataset", "acme")


def test_imported_demand_beats_the_bundled_figure_of_the_same_year(
    fresh_db: Path, tmp_path: Path
) -> None:
    cli = Cli(fresh_db)
    bundled, year = raw_demand("USA", "antimony", "refining")
    # our source ranks below USGS (precedence 45 > 20): imported demand is used all the same;
    # 20,000 t Sb2O3 is 20,000 x 2 x 121.76 / 291.52 t Sb (stoichiometry, worked out here)
    _import_own_demand(
        cli, tmp_path, f"acme-usa-sb,USA,antimony,refining,{year},20000,t Sb2O3,user,acme-sb\n"
    )
    want = 20000 * 2 * 121.76 / (2 * 121.76 + 3 * 16.0)
    res = cli.json("reroute", "antimony", "--stage", "refining", "--to", "USA", "--exclude-pfe",
                   "--years", "2025")  # fmt: skip
    us = res["club"][0]
    assert us["demand"] == pytest.approx(want, rel=1e-3)
    assert (us["demand_source"], us["demand_dataset"], us["demand_year"]) == (
        "acme-sb",
        "acme",
        year,
    )
    assert us["demand_set_aside"] == {
        "quantity": bundled,
        "year": year,
        "source_id": "dem-usgs-mcs2026-antimony",
        "dataset": "bundled",
    }
    assert res["by_year"][0]["club_demand"] == pytest.approx(want, rel=1e-3)
    text = cli.run("reroute", "antimony", "--stage", "refining", "--to", "USA", "--years",
                   "2025", "--exclude-pfe")  # fmt: skip
    out = " ".join(text.split())
    assert "acme-sb 2025, imported dataset acme; bundled 45,000 (dem-usgs-mcs2026-antimony)" in out
    # --demand still overrides every stored figure
    given = cli.json("reroute", "antimony", "--stage", "refining", "--to", "USA", "--demand",
                     "1000", "--years", "2025", "--exclude-pfe")["club"][0]  # fmt: skip
    assert (given["demand"], given["demand_dataset"], given["demand_set_aside"]) == (
        1000,
        None,
        None,
    )


def test_bundled_demand_is_marked_and_an_older_imported_year_does_not_displace_it(
    fresh_db: Path, tmp_path: Path
) -> None:
    cli = Cli(fresh_db)
    bundled, year = raw_demand("USA", "antimony", "refining")
    _import_own_demand(
        cli, tmp_path, f"acme-usa-sb-old,USA,antimony,refining,{year - 1},9000,t Sb,user,acme-sb\n"
    )
    us = cli.json("reroute", "antimony", "--stage", "refining", "--to", "USA", "--exclude-pfe",
                  "--years", str(year))["club"][0]  # fmt: skip
    assert (us["demand"], us["demand_dataset"], us["demand_set_aside"]) == (
        bundled,
        "bundled",
        None,
    )
    # asked for the year of the imported figure, the imported figure is the latest there is
    # (the bundled world figure is of the later year: world demand is given)
    older = cli.json("reroute", "antimony", "--stage", "refining", "--to", "USA", "--exclude-pfe",
                     "--years", str(year - 1), "--world-demand", "100000")["club"][0]  # fmt: skip
    assert (older["demand"], older["demand_dataset"]) == (9000, "acme")
