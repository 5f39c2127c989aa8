"""The bundled CSV files are exactly what scripts/build_bundled.py makes of the raw data."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from derisk.model import (
    Entity,
    ImportReliance,
    ImportSource,
    Production,
    Share,
    Source,
    Stake,
)
from derisk.model.facilities import ImporterDemand

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "build_bundled.py"
RAW = REPO / "data" / "sources"
BUNDLED = REPO / "src" / "derisk" / "data" / "bundled"

OUTPUTS: dict[str, type[Any]] = {
    "sources": Source,
    "production": Production,
    "shares": Share,
    "import_sources": ImportSource,
    "import_reliance": ImportReliance,
    "entities": Entity,
    "stakes": Stake,
    "importer_demand": ImporterDemand,
}
ROW_COUNTS = {
    "sources": 98,
    "production": 1070,
    "shares": 852,
    "import_sources": 155,
    "import_reliance": 9,
    "entities": 45,
    "stakes": 37,
    "importer_demand": 19,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--sources", str(RAW), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for stem, n in ROW_COUNTS.items():
        assert f"{stem}.csv: {n} rows" in result.stdout
    return out


def rows(built: Path, stem: str) -> list[dict[str, str]]:
    with (built / f"{stem}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_id(built: Path, stem: str, id_field: str = "fact_id") -> dict[str, dict[str, str]]:
    return {r[id_field]: r for r in rows(built, stem)}


@pytest.mark.parametrize("stem", sorted(OUTPUTS))
def test_committed_files_equal_script_output(built: Path, stem: str) -> None:
    committed = BUNDLED / f"{stem}.csv"
    assert committed.is_file(), f"{committed} missing: run scripts/build_bundled.py"
    assert (built / f"{stem}.csv").read_bytes() == committed.read_bytes(), (
        f"{committed} differs from the script's output: rerun scripts/build_bundled.py"
    )


@pytest.mark.parametrize("stem", sorted(OUTPUTS))
def test_header_is_schema_fields_and_row_count(built: Path, stem: str) -> None:
    with (built / f"{stem}.csv").open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == [f.name for f in dataclasses.fields(OUTPUTS[stem])]
    assert len(rows(built, stem)) == ROW_COUNTS[stem]


@pytest.mark.parametrize("stem", sorted(OUTPUTS))
def test_files_load_through_the_csv_reader(built: Path, stem: str) -> None:
    csvio = pytest.importorskip("derisk.data.csvio")
    loaded = csvio.read_rows(built / f"{stem}.csv", OUTPUTS[stem])
    assert len(loaded) == ROW_COUNTS[stem]


def test_production_golden_values(built: Path) -> None:
    p = by_id(built, "production")
    cn = p["usgs-mcs2026:antimony:mining:production:CHN:2025"]
    assert (cn["quantity"], cn["unit"], cn["status"], cn["raw"]) == (
        "40000",
        "t",
        "estimated",
        "40000",
    )
    assert (cn["valid_from"], cn["valid_to"]) == ("2025-01-01", "2025-12-31")
    assert cn["source_id"] == "usgs-mcs2026-antimony"
    assert p["usgs-mcs2026:antimony:mining:production:CHN:2024"]["status"] == "reported"
    assert p["usgs-mcs2026:antimony:mining:production:WLD:2025"]["quantity"] == "110000"
    # US antimony 2025: withheld, no quantity; the world total excludes US production.
    us = p["usgs-mcs2026:antimony:mining:production:USA:2025"]
    assert (us["quantity"], us["status"], us["raw"], us["in_world_total"]) == (
        "",
        "withheld",
        "W",
        "false",
    )
    us24 = p["usgs-mcs2026:antimony:mining:production:USA:2024"]
    assert (us24["quantity"], us24["status"], us24["raw"]) == ("0", "zero", "—")
    # Bounds keep the number and the printed string.
    res = p["usgs-mcs2026:antimony:mining:reserves:WLD:2025"]
    assert (res["quantity"], res["raw"]) == ("2000000", ">2,000,000")
    assert "lower bound" in res["note"]
    # Gallium is printed in kilograms.
    ga = p["usgs-mcs2026:gallium:refining:production:CHN:2025"]
    assert (ga["quantity"], ga["raw"]) == ("900", "900000")
    assert p["usgs-mcs2026:gallium:refining:capacity:CHN:2025"]["quantity"] == "1600"
    assert p["usgs-mcs2026:rare-earths:mining:production:WLD:2025"]["quantity"] == "390000"
    assert p["usgs-mcs2026:rare-earths:mining:production:CHN:2025"]["quantity"] == "270000"
    # Thousand metric tons.
    assert p["usgs-mcs2026:manganese:mining:production:ZAF:2025"]["quantity"] == "7600000"
    assert p["usgs-mcs2026:magnesium:refining:production:CHN:2025"]["quantity"] == "950000"
    assert p["usgs-mcs2026:copper:refining:production:CHN:2025"]["quantity"] == "14000000"
    assert p["usgs-mcs2026:aluminium:smelting:capacity:CHN:2025"]["quantity"] == "44600000"
    assert p["usgs-mcs2026:chromium:mining:production:ZAF:2025"]["quantity"] == "23000000"
    # A 0 the source notes as printed '—' is a zero; W is withheld.
    assert p["usgs-mcs2026:titanium:sponge:production:AUS:2024"]["status"] == "zero"
    te = p["usgs-mcs2026:tellurium:refining:production:USA:2025"]
    assert (te["status"], te["in_world_total"]) == ("withheld", "false")
    assert "copper telluride" in te["note"]
    assert p["usgs-mcs2026:titanium:sponge:production:CHN:2025"]["quantity"] == "260000"
    # Graphite "( )" reserves are included in the world total, not separately stated.
    gr = p["usgs-mcs2026:graphite:mining:reserves:USA:2025"]
    assert (gr["quantity"], gr["status"], gr["in_world_total"]) == ("", "not-available", "true")
    assert p["usgs-mcs2026:manganese:mining:production:CIV:2025"]["quantity"] == "350000"
    assert all(r["unit"] == "t" for r in p.values())


def raw_rows(path: str) -> list[dict[str, str]]:
    with (RAW / path).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_silicon_stage_sums_both_printed_columns(built: Path) -> None:
    """The silicon stage is ferrosilicon plus silicon metal: each 2025 figure is the sum of the
    two printed columns (read here from the raw transcription), and 2024, where only the
    ferrosilicon column was transcribed, gives no stage figure at all."""
    raw = raw_rows("usgs_mcs2026_silicon/world_silicon_production.csv")
    printed = {
        (r["product"], r["country"], r["year"]): r["value_raw"] for r in raw if r["year"] == "2025"
    }
    p = by_id(built, "production")
    for name, code in (("China", "CHN"), ("Norway", "NOR"), ("World total (rounded)", "WLD")):
        fesi = int(printed[("ferrosilicon", name, "2025")])
        metal = int(printed[("silicon metal", name, "2025")])
        row = p[f"usgs-mcs2026:silicon:metal:production:{code}:2025"]
        assert float(row["quantity"]) == (fesi + metal) * 1000
    cn = float(p["usgs-mcs2026:silicon:metal:production:CHN:2025"]["quantity"])
    world = float(p["usgs-mcs2026:silicon:metal:production:WLD:2025"]["quantity"])
    # USGS's own text: China "almost 80%" of silicon materials in 2025 (not the 70% of the
    # ferrosilicon column alone).
    assert 0.75 < cn / world < 0.8
    us = p["usgs-mcs2026:silicon:metal:production:USA:2025"]
    assert (us["quantity"], us["status"], us["in_world_total"]) == ("", "withheld", "false")
    # A '—' column counts as zero in the sum (Germany: no ferrosilicon, 13 kt silicon metal).
    assert p["usgs-mcs2026:silicon:metal:production:DEU:2025"]["quantity"] == "13000"
    assert not any(k.startswith("usgs-mcs2026:silicon:") and k.endswith(":2024") for k in p)


MCS2025 = "usgs_mcs2025_world_data/MCS2025_World_Data.subset.csv"
MCS2025_STAGES = {
    "Bauxite": ("aluminium", "alumina"),
    "Cadmium": ("cadmium", "refining"),
    "Selenium": ("selenium", "refining"),
    "Fluorspar": ("fluorspar", "mining"),
    "Palladium": ("palladium", "mining"),
    "Platinum": ("platinum", "mining"),
}
MCS2025_FACTORS = {"thousand": 1000.0, "metric": 1.0, "kilograms": 0.001}


def test_mcs2025_data_release_tables_read_as_released(built: Path) -> None:
    """Every number of the MCS 2025 data-release rows lands in its stage, in metric tons; W and
    NA in the notes column are withheld and not available, a blank of a named country is zero."""
    raw = raw_rows(MCS2025)
    p = by_id(built, "production")
    numbers = 0
    for r in raw:
        key = r["COMMODITY"].strip()
        if key == "Platinum-Group metals":  # one commodity, a table per metal
            key = "Palladium" if "Palladium" in r["TYPE"] else "Platinum"
        material, stage = MCS2025_STAGES[key]
        factor = MCS2025_FACTORS[r["UNIT_MEAS"].split()[0]]
        for column, year in (("PROD_2023", 2023), ("PROD_EST_ 2024", 2024)):
            if not r[column].strip():
                continue
            matches = [
                row
                for k, row in p.items()
                if k.startswith(f"usgs-mcs2025:{material}:{stage}:production:")
                and k.endswith(f":{year}")
                and row["raw"] == r[column].strip()
                and abs(float(row["quantity"]) - float(r[column]) * factor) < 1e-6
            ]
            assert matches, (r["COMMODITY"], r["COUNTRY"], year)
            numbers += 1
    assert numbers > 100
    cn = p["usgs-mcs2025:aluminium:alumina:production:CHN:2024"]
    assert (cn["quantity"], cn["status"]) == ("84000000", "estimated")
    assert p["usgs-mcs2025:aluminium:alumina:production:WLD:2024"]["quantity"] == "142000000"
    us_se = p["usgs-mcs2025:selenium:refining:production:USA:2024"]
    assert (us_se["quantity"], us_se["status"], us_se["in_world_total"]) == (
        "",
        "withheld",
        "false",
    )
    assert p["usgs-mcs2025:selenium:refining:production:OTH:2024"]["status"] == "not-available"
    assert p["usgs-mcs2025:fluorspar:mining:production:USA:2024"]["status"] == "not-available"
    de = p["usgs-mcs2025:cadmium:refining:production:DEU:2023"]
    assert (de["quantity"], de["status"]) == ("0", "zero")
    # 2023 figures are reported unless the release notes them as estimated.
    assert p["usgs-mcs2025:aluminium:alumina:production:AUS:2023"]["status"] == "reported"
    assert p["usgs-mcs2025:aluminium:alumina:production:BRA:2023"]["status"] == "estimated"
    # Platinum-group metals are printed in kilograms.
    assert p["usgs-mcs2025:palladium:mining:production:RUS:2024"]["quantity"] == "75"
    assert p["usgs-mcs2025:platinum:mining:production:ZAF:2024"]["quantity"] == "120"


def test_silicon_us_upper_bound_from_the_salient_statistics(built: Path) -> None:
    raw = raw_rows("usgs_mcs2026_silicon/us_salient_statistics.csv")
    val = {(r["section"], r["item"], r["year"]): r["value_raw"] for r in raw}
    imports = sum(
        int(v) for (sec, _, y), v in val.items() if sec.startswith("Imports") and y == "2025e"
    )
    exports = sum(int(v) for (sec, _, y), v in val.items() if sec == "Exports" and y == "2025e")
    stocks = max(int(v) for (sec, _, _), v in val.items() if sec.startswith("Stocks") and v != "W")
    assert (imports, exports, stocks) == (290, 32, 17)
    p = by_id(built, "production")
    cap = p["usgs-mcs2026:silicon:metal:upper-bound:USA:2025"]
    assert cap["measure"] == "upper-bound" and cap["country"] == "USA"
    assert float(cap["quantity"]) == (imports - exports + stocks) * 1000
    # 2024 reliance is printed '<50': a lower bound on output, so no cap for 2024.
    assert "usgs-mcs2026:silicon:metal:upper-bound:USA:2024" not in p


def test_cobalt_refinery_capacity_from_the_yearbook(built: Path) -> None:
    raw = raw_rows("processing_stage_quotes/usgs_myb2015_cobalt_refinery_capacity.csv")
    printed = {r["country"]: r["value"] for r in raw}
    p = by_id(built, "production")
    cn = p["usgs-myb2015:cobalt:refining:capacity:CHN:2015"]
    assert (cn["quantity"], cn["measure"], cn["status"]) == (
        printed["China"],
        "capacity",
        "estimated",
    )
    assert p["usgs-myb2015:cobalt:refining:capacity:WLD:2015"]["quantity"] == printed["Total"]
    assert p["usgs-myb2015:cobalt:refining:capacity:FIN:2015"]["quantity"] == printed["Finland"]
    assert sum(1 for k in p if k.startswith("usgs-myb2015:cobalt:refining:")) == len(raw)


def test_share_golden_values(built: Path) -> None:
    s = by_id(built, "shares")
    co = s["iea-cmd-2025:cobalt:refining:2024:CHN"]
    assert (co["share"], co["world_total"], co["unit"], co["ranks"]) == ("0.784", "250150", "t", "")
    rest = s["iea-cmd-2025:cobalt:refining:2024:ranks-2-3"]
    assert (rest["share"], rest["country"], rest["ranks"]) == ("0.103", "", "2-3")
    assert s["iea-cmd-2025:rare-earths:separation:2024:CHN"]["share"] == "0.913"
    assert s["iea-cmd-2025:graphite:anode:2024:CHN"]["share"] == "0.957"
    assert s["bgs-wms:cobalt:refining:2024:CHN"]["share"] == "0.82"
    assert s["bgs-wms:germanium:refining:2024:CHN"]["share"] == "0.94"
    assert s["bgs-wms:nickel:refining:2015:XKX"]["share"] == "0.01"
    sb = s["atlas-curated:antimony:refining:2024:CHN"]
    assert sb["share"] == "0.8"
    assert "taken as 2024" in sb["note"]
    assert s["quote-q01:rare-earths:separation:2023:CHN"]["share"] == "0.92"
    assert s["quote-q01:rare-earths:separation:2023:ranks-2-3"]["share"] == "0.06"
    eu = s["quote-q06:rare-earths:magnets:2010:ranks-3"]
    assert (eu["share"], eu["country"], eu["world_total"]) == ("0.013", "", "98200")
    assert "Europe" in eu["note"]
    assert s["quote-q13:graphite:anode:2023:CHN"]["share"] == "0.9"
    assert s["quote-q14:graphite:synthetic:2023:CHN"]["share"] == "0.8"
    assert s["quote-q16:manganese:refining:2022:JPN"]["share"] == "0.11"
    assert s["quote-q18:cobalt:refining:2017:CHN"]["world_total"] == "117000"
    assert not any(k.startswith("atlas-curated:lead") for k in s)
    assert all(0 <= float(r["share"]) <= 1 for r in s.values())


def test_import_golden_values(built: Path) -> None:
    imp = by_id(built, "import_sources")
    ox = imp["usgs-mcs2026-import-sources:antimony:oxide:CHN"]
    assert (ox["share"], ox["stage_id"], ox["importer"], ox["period"]) == (
        "0.66",
        "oxide",
        "USA",
        "2021-2024",
    )
    assert imp["usgs-mcs2026-import-sources:antimony:ore-and-concentrates:OTH"]["share"] == "0.05"
    assert imp["usgs-mcs2026-fig3:gallium:all-forms:CAN"]["share"] == "0.28"
    assert not any(r["category"].startswith("UNKNOWN") for r in imp.values())
    nir = by_id(built, "import_reliance")
    li = nir["usgs-mcs2026-t7:lithium:USA:2025"]
    assert (li["value"], li["raw"]) == ("0.5", ">50")
    assert nir["usgs-mcs2026-fig3:antimony:USA:2025"]["value"] == "0.91"


def test_ownership_golden_values(built: Path) -> None:
    stakes = by_id(built, "stakes")
    first = stakes["own-001"]
    assert (first["owner_id"], first["owned_id"], first["percent"], first["interest"]) == (
        "shenghe-resources",
        "mp-materials",
        "8",
        "equity",
    )
    assert first["valid_from"] == "2020-12-31"
    assert stakes["own-107"]["interest"] == "voting"
    assert stakes["own-104"]["percent"] == "30"
    assert "own-103" not in stakes and "own-115" not in stakes  # no percentage stated
    # CMOC's two main holders are dated by the report that states both (Reuters, 1 Nov 2022).
    raw = {r["fact_id"]: r for r in raw_rows("ownership_facts/ownership_facts_more.csv")}
    for fid in ("own-112", "own-113"):
        assert stakes[fid]["valid_from"] == raw[fid]["as_of"] == "2022-11-01"
        assert stakes[fid]["percent"] == raw[fid]["percent"]
    assert "base" in stakes["own-112"]["note"]
    entities = by_id(built, "entities", "entity_id")
    assert "Shenghe Resources" in entities["shenghe-resources"]["aliases"]
    assert entities["us-dod"]["kind"] == "government"
    assert entities["james-litinsky"]["kind"] == "person"
    assert entities["shenghe-resources"]["country"] == "CHN"


def test_sources(built: Path) -> None:
    src = by_id(built, "sources", "source_id")
    sb = src["usgs-mcs2026-antimony"]
    assert sb["url"] == "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-antimony.pdf"
    assert (sb["published"], sb["confidence"], sb["precedence"]) == ("2026-01-30", "H", "10")
    assert sb["publisher"] == "U.S. Geological Survey"
    assert (src["iea-cmd-2025"]["confidence"], src["iea-cmd-2025"]["precedence"]) == ("M", "20")
    assert src["atlas-curated"]["confidence"] == "L"
    assert src["own-001"]["confidence"] == "H" and src["own-002"]["confidence"] == "M"
    used = {r["source_id"] for stem in OUTPUTS if stem != "sources" for r in rows(built, stem)}
    assert used == set(src), "every source is used and every used source exists"


def test_importer_demand_golden_values(built: Path) -> None:
    """Demand rows: published consumption as printed; imports converted to the stage unit by
    stoichiometry computed here (Li 6.941, Li2CO3 73.89, LiOH.H2O 41.96 g/mol)."""
    d = by_id(built, "importer_demand")
    us_sb = d["dem:antimony:refining:USA:2025:dem-usgs-mcs2026-antimony"]
    assert (us_sb["quantity"], us_sb["unit"], us_sb["basis"]) == (
        "45000",
        "t Sb",
        "apparent-consumption",
    )
    us_re = d["dem:rare-earths:separation:USA:2025:dem-usgs-mcs2026-rare-earths"]
    assert (us_re["quantity"], us_re["unit"]) == ("27000", "t REO")
    raw = [
        r
        for r in raw_rows("importer_demand/figures.csv")
        if (r["buyer"], r["material_id"], r["stage_id"]) == ("KOR", "lithium", "refining")
    ]
    lce_per_lioh = 73.89 / (2 * 41.96)
    want = sum(
        float(r["quantity"]) * (lce_per_lioh if r["unit"] == "t LiOH.H2O" else 1.0) for r in raw
    )
    kor = d["dem:lithium:refining:KOR:2024:dem-kcs-2024-lithium"]
    assert kor["unit"] == "t LCE" and kor["basis"] == "imports"
    assert float(kor["quantity"]) == pytest.approx(want, abs=0.1)
    assert float(kor["quantity"]) == pytest.approx(26965 + 101447 * 0.88048, abs=1)
    # Imports minus exports when only trade is published, and the note says so.
    eu = d["dem:rare-earths:separation:eu27:2024:dem-eurostat-ree-2024"]
    assert (eu["quantity"], eu["basis"]) == ("7400", "imports")
    assert "minus exports" in eu["note"]
    # U.S. lithium: apparent consumption withheld, imports (t Li) in t LCE.
    us_li = d["dem:lithium:refining:USA:2025:dem-usgs-mcs2026-lithium"]
    assert float(us_li["quantity"]) == pytest.approx(3800 * 73.89 / (2 * 6.941), abs=0.1)
    assert "withheld" in us_li["note"]
    # Antimony trade: oxide tonnes in t Sb by stoichiometry (Sb 121.76, O 16.00 g/mol).
    sb_per_oxide = 2 * 121.76 / (2 * 121.76 + 3 * 16.00)
    jp_sb = d["dem:antimony:refining:JPN:2023:dem-chemlocus-2023-antimony"]
    assert float(jp_sb["quantity"]) == pytest.approx(4900 + 3300 * sb_per_oxide, abs=0.1)
    kr_sb = d["dem:antimony:refining:KOR:2023:dem-chemlocus-2023-antimony"]
    assert float(kr_sb["quantity"]) == pytest.approx((3133 - 1418) * sb_per_oxide, abs=0.1)
    assert kr_sb["basis"] == "imports" and "minus exports" in kr_sb["note"]
    # No row invents a member: no KOR rare-earth row, no EU27 lithium row.
    assert not [k for k in d if k.startswith("dem:rare-earths:separation:KOR")]
    assert not [k for k in d if k.startswith("dem:lithium:refining:eu27")]
    # NdFeB magnets: imports from China (Chinese customs by destination) as printed or as a
    # printed share of the printed total; world output; JPN and EU27 have no figure.
    kor_mag = d["dem:rare-earths:magnets:KOR:2023:dem-gacc-2023-magnets-kor"]
    assert float(kor_mag["quantity"]) == pytest.approx(0.113 * 52576, abs=1)
    assert (kor_mag["unit"], kor_mag["basis"]) == ("t magnet", "imports")
    us_mag = d["dem:rare-earths:magnets:USA:2025:dem-gacc-2025-magnets-usa"]
    assert (us_mag["quantity"], us_mag["basis"]) == ("5933", "imports")
    assert "from China only" in us_mag["note"]
    wld_mag = d["dem:rare-earths:magnets:WLD:2023:dem-metalnomist-2025-magnets"]
    assert (wld_mag["quantity"], wld_mag["basis"]) == ("270000", "world-output")
    assert not [
        k
        for k in d
        if k.startswith(("dem:rare-earths:magnets:JPN", "dem:rare-earths:magnets:eu27"))
    ]
    assert not [k for k in d if k.startswith("dem:graphite:anode:")]
