"""Molybdenum as a catalogue material: USGS figures, trade codes and news restrictions.

The golden share is computed here from the raw USGS MCS 2026 world table in ``data/sources``,
independently of the bundling script; the news sentence is our own wording.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from derisk.data.concordance import read_concordance, shipped_path
from derisk.data.importers.usgs_mcs import import_usgs_mcs
from derisk.model.catalog import load_catalog
from derisk.model.schema import ExportRestriction, ImportSource, Source
from derisk.services import news as svc
from derisk.services.exposure import exposure
from derisk.store import DuckStore
from tests.conftest import RAW_DATA, Cli

# Our own wording of the February 2025 announcement (five metals, one licence requirement).
ARTICLE = """Title: Beijing adds five minor metals to its export licence list
URL: https://metalsledger.example/policy/beijing-five-minor-metals-export-licences-2025-02-04
Published: 2025-02-04
Site: Metals Ledger

China's commerce ministry on Tuesday said it restricts exports of tungsten, tellurium, bismuth, \
molybdenum and indium products, which will need a licence for every destination from today.

The ministry and the customs administration said the step protects national security.

Traders said ferromolybdenum and molybdenum powder shipments would slow while exporters apply \
for permits.
"""


def _raw_world_table() -> dict[str, dict[str, str]]:
    path = RAW_DATA / "usgs_mcs2026" / "world_production_reserves.csv"
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {r["country"]: r for r in csv.DictReader(fh) if r["commodity"] == "Molybdenum"}


@pytest.mark.parametrize(("year", "column"), [(2025, "latest"), (2024, "prev")])
def test_china_share_of_mine_production_equals_raw_rows(cli: Cli, year: int, column: str) -> None:
    table = _raw_world_table()
    china = float(table["China"][f"production_{column}_raw"])
    world = float(table["World total (rounded)"][f"production_{column}_raw"])
    assert table["China"][f"year_{column}"] == str(year)
    res = cli.json("exposure", "molybdenum", "--stage", "mining", "--year", str(year))
    assert res["year"] == year and res["unit"] == "t"
    assert res["world_total"] == pytest.approx(world)
    by_country = {s["country"]: s for s in res["shares"]}
    assert by_country["CHN"]["quantity"] == pytest.approx(china)
    assert by_country["CHN"]["share"] == pytest.approx(china / world, abs=1e-6)
    assert res["shares"][0]["country"] == "CHN"  # the leading producer in both years


def test_default_year_is_the_latest_and_cites_the_chapter(cli: Cli, store: DuckStore) -> None:
    res = cli.json("exposure", "molybdenum", "--stage", "mining")
    assert res["year"] == 2025
    (src,) = store.rows(Source, {"source_id": "usgs-mcs2026-molybdenum"})
    assert src.url == "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-molybdenum.pdf"


def test_reserves_are_converted_from_thousand_tonnes(store: DuckStore) -> None:
    table = _raw_world_table()
    (row,) = store.sql(
        "SELECT quantity FROM production WHERE material_id = 'molybdenum' AND"
        " measure = 'reserves' AND country = 'CHN'"
    )
    assert row[0] == pytest.approx(float(table["China"]["reserves_raw"]) * 1000)


def test_us_ore_import_sources_map_to_mining(store: DuckStore) -> None:
    rows = store.rows(ImportSource, {"material_id": "molybdenum", "importer": "USA"})
    ore = {r.country: r.share for r in rows if r.stage_id == "mining"}
    assert ore == pytest.approx({"PER": 0.69, "MEX": 0.15, "CHL": 0.12, "CAN": 0.04})
    # Ferromolybdenum and the all-forms total name no catalogue stage.
    assert {r.category for r in rows if r.stage_id is None} == {"Ferromolybdenum", "Total"}


def test_catalogue_and_trade_codes() -> None:
    material = load_catalog().material("molybdenum")
    assert [(s.id, s.hs) for s in material.stages] == [("mining", ("261310", "261390"))]
    shipped = read_concordance(shipped_path())
    for code in ("261310", "261390", "2613900000"):  # HS6 and a national tariff line
        assert shipped.lookup(code) == [("molybdenum", "mining")]
    assert shipped.codes("molybdenum", "mining") == ["261310", "261390"]


def test_news_restriction_on_five_metals_lands_for_molybdenum(
    fresh_db: Path, tmp_path: Path
) -> None:
    page = tmp_path / "five-metals.txt"
    page.write_text(ARTICLE, encoding="utf-8")
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [page])
        restrictions = {
            e["fields"]["material"]: e for e in res["events"] if e["type"] == "export_restriction"
        }
        assert set(restrictions) == {"tungsten", "tellurium", "bismuth", "molybdenum", "indium"}
        before = store.rows(ExportRestriction, {"material_id": "molybdenum"})
        dec = svc.accept(store, restrictions["molybdenum"]["proposal_id"])
        assert {f["table"] for f in dec["facts"]} >= {"export_restriction"}
        after = store.rows(ExportRestriction, {"material_id": "molybdenum"})
        (new,) = [r for r in after if r not in before]
        assert (new.issuer, new.target, str(new.valid_from)) == ("CHN", "WLD", "2025-02-04")
        assert new.source_id == dec["source_id"]


def test_february_2025_controls_are_bundled_with_their_source(store: DuckStore) -> None:
    rows = {
        r.material_id: r for r in store.rows(ExportRestriction, {"source_id": "mofcom-2025-10"})
    }
    assert set(rows) == {"tungsten", "tellurium", "bismuth", "molybdenum", "indium"}
    assert {(r.issuer, r.target, str(r.valid_from), r.valid_to) for r in rows.values()} == {
        ("CHN", "WLD", "2025-02-04", None)
    }
    # Molybdenum powders are past the only stage the catalogue models (mining): none is named.
    assert rows["molybdenum"].stage_id is None and rows["tungsten"].stage_id == "refining"
    (src,) = store.rows(Source, {"source_id": "mofcom-2025-10"})
    assert src.url is not None and src.published is not None
    assert str(src.published) == "2025-02-04"


def test_official_data_release_layout_imports_the_molybdenum_chapter(tmp_path: Path) -> None:
    """The MCS data-release importer maps the MOLYBDENUM chapter (rows in its published layout,
    values from the raw world table, reserves in thousand metric tons as the chapter prints)."""
    header = [
        "MCS chapter", "Section", "Commodity", "Country", "Statistics", "Statistics_detail",
        "Unit", "Year", "Value", "Notes", "Is critical mineral 2025", "Other notes",
    ]  # fmt: skip
    recs: list[list[str]] = [header]
    section = "World Mine Production and Reserves"
    for name, r in _raw_world_table().items():
        country = "World total" if name.startswith("World total") else name
        rounded = ": rounded" if country == "World total" else ""
        for col in ("prev", "latest"):
            year, raw = r[f"year_{col}"], r[f"production_{col}_raw"]
            value = f"{int(raw):,}" if raw.isdigit() else raw
            note = "Estimated." if year == "2025" else ""
            detail = f"Mine production{rounded}"
            row = [country, "Production", detail, "metric tons", year, value, note]
            recs.append(["MOLYBDENUM", section, "Molybdenum", *row, "", ""])
        row = [country, "Reserves", f"Reserves{rounded}", "thousand metric tons"]
        recs.append(
            ["MOLYBDENUM", section, "Molybdenum", *row, r["year_latest"], r["reserves_raw"]]
        )
        recs[-1] += ["", "", ""]
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(recs)
    with DuckStore(tmp_path / "x.duckdb") as store:
        report = import_usgs_mcs(store, [path])
        assert report.files[0].skipped == 0
        res = exposure(store.view(), "molybdenum", "mining", 2025).to_json()
        china = float(_raw_world_table()["China"]["production_latest_raw"])
        world = float(_raw_world_table()["World total (rounded)"]["production_latest_raw"])
        assert (res["top_country"], res["world_total"]) == ("CHN", world)
        assert res["top_share"] == pytest.approx(china / world, abs=1e-6)
        (reserves,) = store.sql(
            "SELECT quantity FROM production WHERE measure = 'reserves' AND country = 'CHN'"
        )
        assert reserves[0] == pytest.approx(7_800_000.0)
