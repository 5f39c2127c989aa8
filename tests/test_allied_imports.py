"""Korea, Japan and EU27 as importers; stages with no public figure (data/sources/allied_imports).

Golden values are read here from the raw transcriptions in ``data/sources/allied_imports``
(independently of the builder), and checked against the importer views of a database built
from the bundled dataset.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest

from derisk.data.csvio import ImportFailed, read_rows
from derisk.model import ImportSource, countries, load_catalog
from derisk.model.stage_gaps import NO_PUBLIC_FIGURE
from derisk.services import exposure as svc
from derisk.store import DuckStore
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "sources" / "allied_imports"
BUNDLED = REPO / "src" / "derisk" / "data" / "bundled"
SCRIPT = REPO / "scripts" / "build_allied_imports.py"
OUTPUTS = ("allied_sources.csv", "allied_import_sources.csv", "allied_shares.csv", "stage_gaps.csv")


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_allied_imports", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_allied_imports"] = mod
    spec.loader.exec_module(mod)
    return mod


def _raw_rows() -> list[dict[str, str]]:
    with (RAW / "import_shares.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _raw_share(importer: str, category: str, period: str, country: str, source: str) -> float:
    """The share a raw row states: its percentage, or its tonnage over the total."""
    (row,) = [
        r
        for r in _raw_rows()
        if (r["importer"], r["category"], r["period"], r["country"], r["source_key"])
        == (importer, category, period, country, source)
    ]
    if row["quantity_t"]:
        return float(row["quantity_t"]) / float(row["total_t"])
    return float(row["share_pct"]) / 100.0


def _category(res: dict[str, Any], category: str, period: str, source: str) -> dict[str, Any]:
    (cat,) = [
        c
        for c in cast(list[dict[str, Any]], res["categories"])
        if (c["category"], c["period"], c["source_id"]) == (category, period, source)
    ]
    return cat


def _share_of(cat: dict[str, Any], country: str) -> float:
    (item,) = [s for s in cat["sources"] if s["country"] == country]
    return float(item["share"])


def _view(store: DuckStore, importer: str, material: str) -> dict[str, Any]:
    return svc.importer_exposure(store.view(), importer, material, ("CHN",)).to_json()


# --- the bundle is what the builder makes of the raw files --------------------------------


def test_builder_rebuilds_the_bundled_files_byte_for_byte(tmp_path: Path) -> None:
    mod = _builder()
    assert mod.main(["--raw", str(RAW), "--out", str(tmp_path)]) == 0
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), name
    assert mod.main(["--raw", str(RAW), "--out", str(BUNDLED), "--check"]) == 0


def test_bundled_import_rows_are_valid_derisk_csv() -> None:
    rows = read_rows(BUNDLED / "allied_import_sources.csv", ImportSource)
    assert {r.importer for r in rows} == {"KOR", "JPN", "EU27"}
    assert all(r.source_id for r in rows)


# --- golden values from the raw files -------------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "material", "category", "period", "source", "country", "published_range"),
    [
        # Korea's lithium hydroxide from China 2022-2024: about 80-88% (79.6% in 2023).
        (
            "KOR",
            "lithium",
            "Lithium oxide and hydroxide",
            "2022",
            "kita-2023-01",
            "CHN",
            (0.8, 0.88),
        ),
        (
            "KOR",
            "lithium",
            "Lithium oxide and hydroxide",
            "2023",
            "kita-2024-03",
            "CHN",
            (0.79, 0.88),
        ),
        (
            "KOR",
            "lithium",
            "Lithium oxide and hydroxide",
            "2024",
            "kcs-2024-lithium",
            "CHN",
            (0.8, 0.88),
        ),
        (
            "KOR",
            "graphite",
            "Graphite (all forms in the MOTIE list)",
            "2024",
            "motie-komir-2025-10",
            "CHN",
            (0.94, 0.97),
        ),
        (
            "KOR",
            "gallium",
            "Gallium (all forms in the MOTIE list)",
            "2024",
            "motie-komir-2025-10",
            "CHN",
            (0.97, 0.99),
        ),
        (
            "KOR",
            "rare-earths",
            "NdFeB permanent magnets",
            "2023",
            "kita-2024-03",
            "CHN",
            (0.84, 0.88),
        ),
        ("KOR", "cathode", "NCM precursors", "2022-01/10", "ked-2022-11", "CHN", (0.9, 0.95)),
        (
            "JPN",
            "lithium",
            "Lithium oxide and hydroxide",
            "2024",
            "mof-jp-2024-lithium",
            "CHN",
            (0.8, 0.9),
        ),
        (
            "JPN",
            "rare-earths",
            "Rare earths (metal-equivalent tonnage)",
            "2024-01/06",
            "customs-jp-2024h1-ree",
            "CHN",
            (0.6, 0.8),
        ),
        (
            "EU27",
            "rare-earths",
            "Rare earth elements incl. scandium and yttrium (REE+)",
            "2024",
            "eurostat-ddn-20250409-1",
            "CHN",
            (0.45, 0.47),
        ),
    ],
)
def test_golden_shares_match_the_raw_files(
    store: DuckStore,
    importer: str,
    material: str,
    category: str,
    period: str,
    source: str,
    country: str,
    published_range: tuple[float, float],
) -> None:
    expected = _raw_share(importer, category, period, country, source)
    assert published_range[0] <= expected <= published_range[1]
    cat = _category(_view(store, importer, material), category, period, source)
    assert _share_of(cat, country) == pytest.approx(expected, abs=1e-6)
    # China is named, so what the source leaves to "Other" cannot be China.
    assert cat["selected_share_bounds"] == pytest.approx([expected, expected], abs=1e-6)


def test_tonnage_rows_leave_the_unattributed_rest_as_other(store: DuckStore) -> None:
    raw = [
        r
        for r in _raw_rows()
        if r["importer"] == "JPN" and r["category"] == "Lithium carbonate" and r["period"] == "2024"
    ]
    named = sum(float(r["quantity_t"]) for r in raw)
    total = float(raw[0]["total_t"])
    cat = _category(
        _view(store, "JPN", "lithium"), "Lithium carbonate", "2024", "mof-jp-2024-lithium"
    )
    # Argentina's tonnage was not reported: it stays in Other, unknown, never dropped.
    assert _share_of(cat, "OTH") == pytest.approx(1 - named / total, abs=1e-6)
    assert sum(s["share"] for s in cat["sources"]) == pytest.approx(1.0, abs=1e-6)


def test_an_origin_the_source_does_not_name_is_unknown_not_zero(store: DuckStore) -> None:
    cat = _category(_view(store, "KOR", "nickel"), "Nickel sulphate", "2020", "kcci-2022-12")
    fin = _raw_share("KOR", "Nickel sulphate", "2020", "FIN", "kcci-2022-12")
    assert cat["selected_share"] == 0.0
    assert cat["selected_share_bounds"] == pytest.approx([0.0, 1 - fin], abs=1e-6)


def test_a_published_bound_stays_a_bound(store: DuckStore) -> None:
    # Eurostat: the main partner supplied "more than 70%" of EU magnesium imports in 2024.
    cat = _category(_view(store, "EU27", "magnesium"), "Magnesium", "2024", "eurostat-se-crm-2025")
    assert cat["selected_share_bounds"] == pytest.approx([0.7, 1.0])
    (chn,) = [s for s in cat["sources"] if s["country"] == "CHN"]
    assert chn["share_bounds"] == pytest.approx([0.7, 1.0])
    # Japan's germanium metal from China: published as a 70-85% range.
    cat = _category(
        _view(store, "JPN", "germanium"),
        "Germanium metal and related products",
        "2020",
        "meti-jp-gage-2023",
    )
    assert cat["selected_share_bounds"] == pytest.approx([0.7, 0.85])


# --- importer views answer for KOR, JPN and EU27 -------------------------------------------


@pytest.mark.parametrize("importer", ["KOR", "JPN", "EU27", "USA"])
def test_importer_views_answer_for_at_least_twelve_materials(
    store: DuckStore, importer: str
) -> None:
    answered = [
        m.id
        for m in load_catalog().materials
        if _view(store, importer, m.id)["data_status"] == "ok"
    ]
    minimum = 5 if importer == "USA" else 12
    assert len(answered) >= minimum, (importer, answered)
    raw_materials = {r["material_id"] for r in _raw_rows() if r["importer"] == importer}
    assert raw_materials <= set(answered)


def test_every_import_category_names_its_source_and_confidence(store: DuckStore) -> None:
    for importer in ("KOR", "JPN", "EU27"):
        for m in load_catalog().materials:
            for cat in _view(store, importer, m.id)["categories"]:
                assert cat["source_id"] and cat["confidence"] in ("H", "M", "L"), cat


def test_eu27_is_an_importer_code() -> None:
    assert countries.resolve("EU27") == "EU27"
    assert countries.resolve("European Union") == "EU27"
    assert countries.name("EU27") == "European Union (27)"


def test_cli_exposure_with_allied_importers(cli: Cli) -> None:
    out = cli.json("exposure", "graphite", "--importer", "KOR")
    assert out["importer"]["importer"] == "KOR"
    assert out["importer"]["data_status"] == "ok"
    text = cli.run("exposure", "rare-earths", "--importer", "eu27")
    assert "Imports of EU27" in text and "eurostat-ddn-20250409-1" in text


# --- stages the rules name: data, or a plain "no public figure" -----------------------------


def test_every_catalogue_stage_has_data_or_says_no_public_figure(store: DuckStore) -> None:
    rows = svc.overview(store.view()).to_json()["rows"]
    assert {(r["material"], r["stage"]) for r in rows} == {
        (m.id, s.id) for m in load_catalog().materials for s in m.stages
    }
    for r in rows:
        if r["data_status"] == "no-data":
            assert r.get("public_figure") == NO_PUBLIC_FIGURE, r
            assert r["gap"]["statement"] and r["gap"]["checked"], r


def test_new_stages_have_figures_or_a_gap(store: DuckStore) -> None:
    rows = {(r["material"], r["stage"]): r for r in svc.overview(store.view()).to_json()["rows"]}
    with (RAW / "stage_shares.csv").open(newline="", encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            row = rows[(raw["material_id"], raw["stage_id"])]
            assert row["year"] == int(raw["year"])
            assert row["selected_share"] == pytest.approx(float(raw["share_pct"]) / 100.0)
    for key in (("antimony", "oxide"), ("rare-earths", "metal"), ("cathode", "pcam")):
        assert rows[key]["public_figure"] == NO_PUBLIC_FIGURE
    assert {"hydroxide", "carbonate"} <= {s.id for s in load_catalog().material("lithium").stages}
    assert {"polysilicon", "wafers"} <= {s.id for s in load_catalog().material("silicon").stages}


def test_cli_shows_no_public_figure(cli: Cli) -> None:
    text = cli.run("exposure", "antimony", "--stage", "mining")
    assert "no public figure" in text
    out = cli.run("exposure", "antimony", "--stage", "oxide", code=1)
    assert "no public figure" in out


# --- malformed raw files fail with file, row and field --------------------------------------


def _corrupt(tmp_path: Path, name: str, line: int, old: str, new: str) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    path = raw / name
    lines = path.read_text("utf-8").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), "utf-8")
    return raw


def _line_of(name: str, text: str) -> int:
    for i, line in enumerate((RAW / name).read_text("utf-8").split("\n"), start=1):
        if text in line:
            return i
    raise AssertionError(text)


@pytest.mark.parametrize(
    ("find", "old", "new", "field", "message"),
    [
        (
            "KOR,gallium,refining,Gallium (all forms in the MOTIE list),CHN,98",
            ",98,",
            ",9x8,",
            "share_pct",
            "not a number",
        ),
        (
            "KOR,gallium,refining,Gallium (all forms in the MOTIE list),CHN,98",
            ",CHN,",
            ",XXX,",
            "country",
            "not an origin country",
        ),
        (
            "KOR,gallium,refining,Gallium (all forms in the MOTIE list),CHN,98",
            ",98,",
            ",198,",
            "share_pct",
            "above 100",
        ),
        (
            "KOR,gallium,refining,Gallium (all forms in the MOTIE list),CHN,98",
            ",refining,",
            ",smelting,",
            "stage_id",
            "has no stage",
        ),
        (
            "KOR,gallium,refining,Gallium (all forms in the MOTIE list),CHN,98",
            ",2024,2024,2024,",
            ",2024,20x4,2024,",
            "year_from",
            "not a year",
        ),
        (
            "EU27,rare-earths,,Rare earth elements incl. scandium and yttrium (REE+),RUS,28.4",
            ",28.4,",
            ",68.4,",
            "share_pct",
            "add up to",
        ),
        (
            "KOR,lithium,carbonate,Lithium carbonate,CHN,,,,590,26965",
            ",590,",
            ",99590,",
            "quantity_t",
            "is not a part of total",
        ),
        (
            "EU27,magnesium,refining,Magnesium,CHN,70,70,100",
            ",70,70,100,",
            ",70,80,100,",
            "low_pct",
            "above the share",
        ),
    ],
)
def test_malformed_raw_rows_name_file_row_and_field(
    tmp_path: Path, find: str, old: str, new: str, field: str, message: str
) -> None:
    mod = _builder()
    line = _line_of("import_shares.csv", find)
    raw = _corrupt(tmp_path, "import_shares.csv", line, old, new)
    with pytest.raises(mod.BuildError) as exc:
        mod.build(raw)
    text = str(exc.value)
    if field == "share_pct" and message == "add up to":
        # The sum is reported at the category's first row.
        assert "import_shares.csv: row" in text and "add up to" in text
    else:
        assert f"import_shares.csv: row {line}, field {field}:" in text and message in text
    # Nothing is written on error.
    out = tmp_path / "out"
    assert mod.main(["--raw", str(raw), "--out", str(out)]) == 2
    assert not out.exists()


def test_unknown_source_key_and_missing_column_are_reported(tmp_path: Path) -> None:
    mod = _builder()
    line = _line_of("import_shares.csv", "KOR,niobium")
    raw = _corrupt(tmp_path, "import_shares.csv", line, "motie-komir-2025-10", "nobody")
    with pytest.raises(mod.BuildError, match=rf"row {line}, field source_key: unknown source"):
        mod.build(raw)
    raw2 = tmp_path / "raw2"
    shutil.copytree(RAW, raw2)
    text = (raw2 / "stage_gaps.csv").read_text("utf-8").replace("checked", "when", 1)
    (raw2 / "stage_gaps.csv").write_text(text, "utf-8")
    with pytest.raises(mod.BuildError, match=r"stage_gaps.csv: row 1, field checked: missing"):
        mod.build(raw2)


def test_import_source_bounds_are_validated_on_import(tmp_path: Path) -> None:
    path = tmp_path / "import_sources.csv"
    path.write_text(
        "fact_id,importer,material_id,category,country,share,period,source_id,share_low,share_high\n"
        "f1,KOR,gallium,Gallium,CHN,0.9,2024,s,0.95,1\n"
        "f2,EU27,gallium,Gallium,CHN,0.7,2024,s,0.7,1.2\n",
        "utf-8",
    )
    with pytest.raises(ImportFailed) as exc:
        read_rows(path, ImportSource)
    text = str(exc.value)
    assert "row 2" in text and "share_low" in text
    assert "row 3" in text and "share_high" in text


def test_gap_rows_carry_a_check_date() -> None:
    with (BUNDLED / "stage_gaps.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            assert dt.date.fromisoformat(r["checked"]) <= dt.date.today()
            assert r["statement"]


def test_raw_file_checksums_in_sources_md_are_current() -> None:
    import hashlib
    import re

    text = (RAW / "SOURCES.md").read_text("utf-8")
    listed = dict(
        (name, digest) for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)
    )
    assert set(listed) == {"sources.csv", "import_shares.csv", "stage_shares.csv", "stage_gaps.csv"}
    for name, digest in listed.items():
        assert hashlib.sha256((RAW / name).read_bytes()).hexdigest() == digest, name


def test_a_stage_without_figures_still_answers_for_an_importer(cli: Cli) -> None:
    out = cli.json("exposure", "cathode", "--importer", "KOR")
    assert out["stage"] == "pcam" and out["year"] is None
    assert out["public_figure"] == NO_PUBLIC_FIGURE
    cat = _category(out["importer"], "NCM precursors", "2022-01/10", "ked-2022-11")
    assert _share_of(cat, "CHN") == pytest.approx(
        _raw_share("KOR", "NCM precursors", "2022-01/10", "CHN", "ked-2022-11")
    )
    text = cli.run("exposure", "cathode", "--importer", "KOR")
    assert "no public figure" in text and "NCM precursors" in text
    # Without an importer there is nothing to show: a clear error, not an empty answer.
    assert "no public figure" in cli.run("exposure", "cathode", code=1)


def test_web_page_and_api_show_the_allied_importer_views(built_db: Path, cli: Cli) -> None:
    import httpx

    from tests.web_server import running_server

    with running_server(built_db) as base, httpx.Client(base_url=base, timeout=30) as c:
        page = c.get("/materials/cathode", params={"importer": "KOR"})
        assert page.status_code == 200
        assert "No public figure" in page.text and "NCM precursors" in page.text
        page = c.get("/materials/rare-earths", params={"importer": "EU27"})
        assert page.status_code == 200 and "eurostat-ddn-20250409-1" in page.text
        api = c.get("/api/exposure/lithium", params={"importer": "JPN"}).json()
    assert api["importer"] == cli.json("exposure", "lithium", "--importer", "JPN")["importer"]


def test_shares_that_leave_a_rest_unattributed_widen_unnamed_selections(store: DuckStore) -> None:
    rows = store.sql(
        "SELECT country, share FROM import_source WHERE importer = 'USA' AND "
        "material_id = 'antimony' AND source_id = 'usgs-mcs2026-fig3'"
    )
    shares = dict(rows)
    rest = 1.0 - sum(shares.values())
    assert rest > 0.05 and "OTH" not in shares  # the source lists only some origins
    when = svc._as_of(None)
    (cat,) = [
        c
        for c in svc.importer_exposure(
            store.view(as_of=when), "USA", "antimony", ("CHN",)
        ).to_json()["categories"]
        if c["source_id"] == "usgs-mcs2026-fig3"
    ]
    assert cat["selected_share_bounds"] == pytest.approx([shares["CHN"], shares["CHN"]])
    covered = ("CHN", "RUS", "PRK", "IRN")
    (cat,) = [
        c
        for c in svc.importer_exposure(
            store.view(as_of=when), "USA", "antimony", covered
        ).to_json()["categories"]
        if c["source_id"] == "usgs-mcs2026-fig3"
    ]
    assert cat["selected_share_bounds"] == pytest.approx([shares["CHN"], shares["CHN"] + rest])
