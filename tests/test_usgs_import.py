"""The USGS MCS data-release importer, on verbatim official rows (tests/data/usgs/README.md)."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derisk.data.csvio import ImportFailed
from derisk.data.importers.usgs_mcs import (
    DATA_CHAPTERS,
    ImportReport,
    catalogue_problems,
    import_usgs_mcs,
    parse_value,
)
from derisk.model import countries
from derisk.services import exposure as svc
from derisk.store import DuckStore
from tests.conftest import Cli

HERE = Path(__file__).resolve().parent / "data" / "usgs"
DATA = HERE / "MCS2026_Commodities_Data.subset.csv"
T7 = HERE / "MCS2026_T7_Critical_Minerals_Salient.subset.csv"
FIG3 = HERE / "MCS2026_Fig3_Major_Import_Sources.subset.csv"
OFFICIAL_HEADER = [
    "MCS chapter", "Section", "Commodity", "Country", "Statistics", "Statistics_detail", "Unit",
    "Year", "Value", "Notes", "Is critical mineral 2025", "Other notes",
]  # fmt: skip
SALIENT = "Salient Statistics\u2014United States"


def records(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_records(path: Path, recs: list[list[str]], encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(recs)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def snapshot(store: DuckStore) -> tuple[dict[str, int], str]:
    """Row counts and a checksum of every table's content."""
    st_ = store.status()
    h = hashlib.sha256()
    for t in sorted(st_.counts):
        for row in store.sql(f"SELECT * FROM {t} ORDER BY ALL"):
            h.update(repr(row).encode())
    return st_.counts, h.hexdigest()


@pytest.fixture()
def empty(tmp_path: Path) -> Iterator[DuckStore]:
    s = DuckStore(tmp_path / "x.duckdb")
    yield s
    s.close()


@pytest.fixture()
def imported(empty: DuckStore) -> tuple[DuckStore, ImportReport]:
    return empty, import_usgs_mcs(empty, [DATA, T7, FIG3])


def prod(
    store: DuckStore, source: str, material: str, stage: str, measure: str, year: int
) -> dict[str, tuple[Any, ...]]:
    rows = store.sql(
        "SELECT country, quantity, status, raw, in_world_total FROM production WHERE source_id=? "
        "AND material_id=? AND stage_id=? AND measure=? AND year=?",
        [source, material, stage, measure, year],
    )
    return {r[0]: r[1:] for r in rows}


# -- the fixture itself ----------------------------------------------------------------


def test_fixture_is_the_recorded_verbatim_file() -> None:
    raw = DATA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == (
        "4128d0199b2525caddda3dcfd35dade392f86697050e95fac7991c41b49f39c9"
    )
    text = raw.decode("utf-8")
    assert len(text) == 79933 and text.count("\r\n") == 153
    recs = records(DATA)
    assert recs[0] == OFFICIAL_HEADER
    values = {r[8] for r in recs[1:]}
    assert {"W", "NA", "\u2014", ">85,000,000"} <= values
    assert {r[0] for r in recs[1:]} == {"COBALT", "GALLIUM", "LITHIUM", "RARE EARTHS", "ANTIMONY"}


def test_mapping_tables_name_catalogue_stages() -> None:
    assert catalogue_problems() == []


# -- long data file --------------------------------------------------------------------


def test_every_row_of_the_long_file_lands_with_its_printed_value(
    imported: tuple[DuckStore, ImportReport],
) -> None:
    store, rep = imported
    data = rep.files[0]
    assert (data.layout, data.source_id, data.records, data.skipped) == (
        "data", "usgs-mcs2026-data", 152, 0
    )  # fmt: skip
    assert data.rows == {"production": 152}
    got = {
        r[0]: r[1:]
        for r in store.sql(
            "SELECT fact_id, quantity, status, raw, unit FROM production "
            "WHERE source_id='usgs-mcs2026-data'"
        )
    }
    factor = {"metric tons": Decimal(1), "kilograms": Decimal("0.001")}
    measure = {"Production": "production", "Capacity": "capacity", "Reserves": "reserves"}
    for rec in records(DATA)[1:]:
        chapter, country, stat, unit, year, value = (rec[0], rec[3], rec[4], rec[6], rec[7], rec[8])
        material = DATA_CHAPTERS[chapter][0]
        stage = "refining" if chapter == "GALLIUM" else "mining"
        iso = countries.resolve(country)
        qty, status, raw, t = got[
            f"usgs-mcs2026-data:{material}:{stage}:{measure[stat]}:{iso}:{year}"
        ]
        assert raw == value and t == "t"
        digits = value.lstrip("<>").replace(",", "")
        if digits.isdigit():
            assert qty == float(Decimal(digits) * factor[unit])
            assert status == ("estimated" if rec[9].startswith("Estimated") else "reported")
        else:
            assert (qty, status) == {
                "W": (None, "withheld"),
                "NA": (None, "not-available"),
                "\u2014": (0.0, "zero"),
            }[value]


def test_withheld_and_not_available_never_become_zero(
    imported: tuple[DuckStore, ImportReport],
) -> None:
    store, _ = imported
    li = prod(store, "usgs-mcs2026-data", "lithium", "mining", "production", 2025)
    assert li["USA"] == (None, "withheld", "W", False)  # USGS: "Excludes U.S. production."
    assert li["WLD"][:2] == (290000.0, "estimated")
    ree = prod(store, "usgs-mcs2026-data", "rare-earths", "mining", "reserves", 2025)
    assert ree["MMR"][:3] == (None, "not-available", "NA")
    assert ree["OTH"][:3] == (None, "not-available", "NA")
    assert ree["WLD"][:3] == (85_000_000.0, "reported", ">85,000,000")
    ga = prod(store, "usgs-mcs2026-data", "gallium", "refining", "production", 2025)
    assert ga["USA"][:3] == (0.0, "zero", "\u2014")
    unknown = store.sql(
        "SELECT count(*), count(quantity) FROM production WHERE raw IN ('W', 'NA')"
    )[0]
    in_file = sum(1 for r in records(DATA)[1:] if r[8] in ("W", "NA"))
    assert in_file == 8  # lithium USA 2024 and 2025 (W); six rare-earth reserves (NA)
    assert unknown == (in_file, 0)
    assert store.sql(
        "SELECT count(*) FROM production WHERE status IN ('withheld', 'not-available') "
        "AND quantity IS NOT NULL"
    ) == [(0,)]


def test_units_and_estimates_follow_the_file(imported: tuple[DuckStore, ImportReport]) -> None:
    store, _ = imported
    ga = prod(store, "usgs-mcs2026-data", "gallium", "refining", "production", 2024)
    assert ga["CHN"][:2] == (839.0, "reported")  # 839,000 kg; "Source: Asian Metal Ltd."
    cap = prod(store, "usgs-mcs2026-data", "gallium", "refining", "capacity", 2025)
    assert cap["CHN"][:2] == (1600.0, "estimated")  # "Estimated from Asian Metal Ltd."
    assert cap["WLD"][:2] == (1700.0, "estimated")
    li = prod(store, "usgs-mcs2026-data", "lithium", "mining", "production", 2024)
    assert li["ARG"][:2] == (13800.0, "reported") and li["AUS"][:2] == (82700.0, "estimated")
    sb = prod(store, "usgs-mcs2026-data", "antimony", "mining", "production", 2024)
    assert sb == {"USA": (0.0, "zero", "\u2014", None), "AUS": (1270.0, "reported", "1,270", None)}
    note = store.sql(
        "SELECT note FROM production WHERE fact_id = "
        "'usgs-mcs2026-data:gallium:refining:production:CHN:2025'"
    )[0][0]
    assert "kilograms" in note and "Asian Metal" in note


def test_windows_1252_file_reads_the_same(tmp_path: Path, empty: DuckStore) -> None:
    cp = write_records(tmp_path / "MCS2026_Commodities_Data.csv", records(DATA), "cp1252")
    with pytest.raises(UnicodeDecodeError):
        cp.read_bytes().decode("utf-8")
    import_usgs_mcs(empty, [cp], dataset="cp")
    with DuckStore(tmp_path / "y.duckdb") as other:
        import_usgs_mcs(other, [DATA], dataset="cp")
        q = "SELECT * EXCLUDE (note) FROM production ORDER BY fact_id"
        assert empty.sql(q) == other.sql(q)
        notes = "SELECT note FROM production ORDER BY fact_id"
        assert empty.sql(notes) == other.sql(notes)


# -- Table 7 and Figure 3: leading shares as USGS prints them -------------------------------


T7_ROWS = [r for r in csv.DictReader(T7.open(encoding="utf-8"))]
T7_MAPPED = {
    "Cobalt": ("cobalt", "mining"),
    "Gallium": ("gallium", "refining"),
    "Lithium": ("lithium", "mining"),
    "Rare earths (compounds and metals)9": ("rare-earths", "mining"),
}


def test_table7_values_equal_the_file(imported: tuple[DuckStore, ImportReport]) -> None:
    store, rep = imported
    t7 = rep.files[1]
    assert (t7.layout, t7.source_id, t7.records, t7.skipped) == ("t7", "usgs-mcs2026-t7", 6, 2)
    assert t7.rows == {"production": 8, "import_reliance": 4}
    reasons = {g["reason"] for g in rep.skipped_by_reason()}
    assert reasons == {
        "'aluminum (bauxite)' is not in the catalogue",
        "'zirconium (ores and concentrates)' is not in the catalogue",
    }
    golden = {  # USGS Table 7, MCS 2026 (2025 estimates)
        "cobalt": ("COD", 230000.0, 310000.0, 74),
        "gallium": ("CHN", 900.0, 900.0, 100),
        "rare-earths": ("CHN", 270000.0, 390000.0, 69),
        "lithium": ("AUS", 92000.0, 290000.0, 32),
    }
    for material, (leader, lead, world, _) in golden.items():
        stage = "refining" if material == "gallium" else "mining"
        got = prod(store, "usgs-mcs2026-t7", material, stage, "production", 2025)
        assert got == {
            leader: (lead, "estimated", f"{lead:.0f}", None),
            "WLD": (world, "estimated", f"{world:.0f}", None),
        }
    rel = dict(
        store.sql(
            "SELECT material_id, (value, raw) FROM import_reliance "
            "WHERE source_id = 'usgs-mcs2026-t7' AND year = 2025"
        )
    )
    assert rel == {
        "cobalt": (0.79, "79"),
        "gallium": (1.0, "100"),
        "lithium": (0.5, ">50"),
        "rare-earths": (0.67, "67"),
    }


@pytest.mark.parametrize("row", [r for r in T7_ROWS if r["Critical_mineral"] in T7_MAPPED])
def test_exposure_gives_the_leading_share_usgs_prints(tmp_path: Path, row: dict[str, str]) -> None:
    """`derisk exposure` on the imported Table 7 equals Leading_source_precent_world."""
    db = tmp_path / "t7.duckdb"
    with DuckStore(db) as s:
        import_usgs_mcs(s, [DATA, T7])
    material, stage = T7_MAPPED[row["Critical_mineral"]]
    cli = Cli(db)
    printed = int(row["Leading_source_precent_world"])
    leader = countries.resolve(row["Leading_source_country"])
    for source in ("usgs-mcs2026-t7", "usgs-mcs2026-data"):
        out = cli.json(
            "exposure", material, "--stage", stage, "--year", "2025", "--source", source,
            "--countries", leader,
        )  # fmt: skip
        assert out["source_id"] == source
        assert out["top_country"] == leader
        assert round(100 * out["top_share"]) == printed, (source, out["top_share"])
        assert out["selected_share"] == out["top_share"]
        assert out["world_total"] == float(row["World_total_prod"])


def test_figure3_import_sources(imported: tuple[DuckStore, ImportReport]) -> None:
    store, rep = imported
    fig3 = rep.files[2]
    assert fig3.rows == {"import_source": 20, "import_reliance": 5}
    rows = store.sql(
        "SELECT material_id, category, country, share, period FROM import_source "
        "WHERE source_id = 'usgs-mcs2026-fig3' ORDER BY material_id, share DESC, country"
    )
    by_mat: dict[str, float] = {}
    for m, _, _, share, period in rows:
        by_mat[m] = by_mat.get(m, 0.0) + share
        assert period == "2021-2024"
    for m in ("cobalt", "gallium", "lithium", "rare-earths"):
        assert by_mat[m] == pytest.approx(1.0), m
    assert rows[0] == ("antimony", "all forms", "CHN", 0.55, "2021-2024")
    assert ("rare-earths", "compounds and metals", "CHN", 0.71, "2021-2024") in rows
    assert ("cobalt", "all forms", "OTH", 0.3, "2021-2024") in rows
    res = svc.importer_exposure(store.view(), "USA", "rare-earths", ("CHN",)).to_json()
    (cat,) = res["categories"]
    # China is named, so "Other" (6%) cannot hide it; Russia is not named, so it may.
    assert cat["selected_share"] == 0.71 and cat["selected_share_bounds"] == [0.71, 0.71]
    res = svc.importer_exposure(store.view(), "USA", "rare-earths", ("CHN", "RUS")).to_json()
    (cat,) = res["categories"]
    assert cat["selected_share"] == 0.71 and cat["selected_share_bounds"] == [0.71, 0.77]


def test_bundled_sources_are_reused_and_known_facts_not_duplicated(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as s:
        before = s.status().counts
        rep = import_usgs_mcs(s, [T7, FIG3])
        assert [f.source_reused for f in rep.files] == [True, True]
        assert "source" not in rep.rows
        # Net import reliance and import sources are in the bundled dataset already.
        assert rep.already_present == sum(f.already_present for f in rep.files) > 0
        after = s.status().counts
        assert after["import_reliance"] == before["import_reliance"] + rep.rows.get(
            "import_reliance", 0
        )
        dup = s.sql(
            "SELECT count(*) FROM (SELECT importer, material_id, year, source_id FROM "
            "import_reliance GROUP BY ALL HAVING count(*) > 1)"
        )
        assert dup == [(0,)]
        again = import_usgs_mcs(s, [T7, FIG3])
        assert again.rows == {} and s.status().counts == after


# -- salient statistics and import sources of the long file (constructed rows) -----------


def long_row(
    chapter: str, section: str, country: str, stat: str, detail: str, unit: str, year: str,
    value: str, notes: str = "",
) -> list[str]:  # fmt: skip
    return [chapter, section, chapter.title(), country, stat, detail, unit, year, value, notes,
            "Yes", ""]  # fmt: skip


def test_net_import_reliance_and_import_sources_rows(tmp_path: Path, empty: DuckStore) -> None:
    """Rows built in the official column layout (not verbatim): salient and import sources."""
    nir = "Net import reliance as a percentage of apparent consumption"
    recs = [
        OFFICIAL_HEADER,
        long_row("COBALT", SALIENT, "United States", "Net import reliance", nir, "percent",
                 "2024", "76"),
        long_row("COBALT", SALIENT, "United States", "Net import reliance", nir, "percent",
                 "2025", "79", "Estimated."),
        long_row("LITHIUM", SALIENT, "United States", "Net import reliance", nir, "percent",
                 "2025", ">50"),
        long_row("GALLIUM", SALIENT, "United States", "Net import reliance", nir, "percent",
                 "2025", "W"),
        long_row("ANTIMONY", SALIENT, "United States", "Net import reliance", nir, "percent",
                 "2025", "E"),
        long_row("COBALT", SALIENT, "United States", "Price", "Spot, dollars per pound",
                 "dollars", "2025", "15.5"),
        long_row("COBALT", "Import Sources", "Norway", "Import sources", "", "percent",
                 "2021\u201324", "26"),
        long_row("COBALT", "Import Sources", "Other", "Import sources", "", "percent",
                 "2021\u201324", "74"),
        long_row("ABRASIVES", "World Production", "China", "Production", "Production",
                 "metric tons", "2025", "100"),
    ]  # fmt: skip
    f = write_records(tmp_path / "MCS2026_Commodities_Data.csv", recs)
    rep = import_usgs_mcs(empty, [f])
    rel = {
        (r[0], r[1]): (r[2], r[3])
        for r in empty.sql("SELECT material_id, year, value, raw FROM import_reliance")
    }
    assert rel == {
        ("cobalt", 2024): (0.76, "76"),
        ("cobalt", 2025): (0.79, "79"),
        ("lithium", 2025): (0.5, ">50"),
        ("gallium", 2025): (None, "W"),
        ("antimony", 2025): (0.0, "E"),
    }
    src = empty.sql("SELECT country, share, period FROM import_source ORDER BY country")
    assert src == [("NOR", 0.26, "2021-2024"), ("OTH", 0.74, "2021-2024")]
    assert {(g["reason"], g["count"]) for g in rep.skipped_by_reason()} == {
        ("salient statistics other than net import reliance are not imported", 1),
        ("chapter 'ABRASIVES' is not in the catalogue", 1),
    }


def test_several_reliance_lines_use_the_total_or_none(tmp_path: Path, empty: DuckStore) -> None:
    """Constructed rows: a chapter printing net import reliance for parts and a total."""
    nir = "Net import reliance as a percentage of apparent consumption"
    recs = [
        OFFICIAL_HEADER,
        long_row("ZINC", SALIENT, "United States", "Net import reliance", f"{nir}: Refined zinc",
                 "percent", "2025", "73"),
        long_row("ZINC", SALIENT, "United States", "Net import reliance", f"{nir}: Total",
                 "percent", "2025", "80"),
        long_row("TIN", SALIENT, "United States", "Net import reliance", f"{nir}: Refined tin",
                 "percent", "2025", "77"),
        long_row("TIN", SALIENT, "United States", "Net import reliance", f"{nir}: Tin in ores",
                 "percent", "2025", "10"),
    ]  # fmt: skip
    rep = import_usgs_mcs(empty, [write_records(tmp_path / "MCS2026_Commodities_Data.csv", recs)])
    assert empty.sql("SELECT material_id, value FROM import_reliance") == [("zinc", 0.8)]
    assert {(g["reason"], tuple(g["rows"])) for g in rep.skipped_by_reason()} == {
        ("zinc: net import reliance of a part, not total", (2,)),
        ("tin: several net import reliance lines and none is a total", (4, 5)),
    }


def test_world_total_and_other_countries_wordings(tmp_path: Path, empty: DuckStore) -> None:
    """Rows built in the official layout: the printed variants of the pseudo countries."""
    sec = "World Mine Production and Reserves"
    recs = [
        OFFICIAL_HEADER,
        long_row("TIN", sec, "China", "Production", "Mine production", "metric tons", "2025",
                 "69,000", "Estimated."),
        long_row("TIN", sec, "Other countries", "Production", "Mine production", "metric tons",
                 "2025", "W"),
        long_row("TIN", sec, "World total (rounded)", "Production", "Mine production: rounded",
                 "metric tons", "2025", "300,000"),
        long_row("TIN", sec, "Other countries3", "Reserves", "Reserves", "thousand metric tons",
                 "2025", "1,100"),
    ]  # fmt: skip
    import_usgs_mcs(empty, [write_records(tmp_path / "MCS2026_Commodities_Data.csv", recs)])
    assert prod(empty, "usgs-mcs2026-data", "tin", "mining", "production", 2025) == {
        "CHN": (69000.0, "estimated", "69,000", None),
        "OTH": (None, "withheld", "W", None),
        "WLD": (300000.0, "reported", "300,000", None),
    }
    assert prod(empty, "usgs-mcs2026-data", "tin", "mining", "reserves", 2025) == {
        "OTH": (1_100_000.0, "reported", "1,100", None)
    }


# -- atomic refusals naming file, row and field -------------------------------------------


def _edit(path: Path, line: int, col: str, value: str) -> list[list[str]]:
    recs = records(path)
    recs[line - 1][recs[0].index(col)] = value
    return recs


def _drop(path: Path, col: str) -> list[list[str]]:
    recs = records(path)
    i = recs[0].index(col)
    return [r[:i] + r[i + 1 :] for r in recs]


def _dup(path: Path, line: int) -> list[list[str]]:
    recs = records(path)
    return [*recs, recs[line - 1]]


BAD = [
    ("data-missing-column", DATA, lambda: _drop(DATA, "Value"), 1, "Value", "missing column"),
    ("data-bad-number", DATA, lambda: _edit(DATA, 6, "Value", "226.000,5"), 6, "Value",
     "is not a number"),
    ("data-unknown-country", DATA, lambda: _edit(DATA, 7, "Country", "Atlantis"), 7, "Country",
     "unknown country 'Atlantis'"),
    ("data-duplicate-key", DATA, lambda: _dup(DATA, 20), 154, "Country", "duplicate key"),
    ("data-bad-year", DATA, lambda: _edit(DATA, 3, "Year", "20x4"), 3, "Year", "not a year"),
    ("data-bad-unit", DATA, lambda: _edit(DATA, 3, "Unit", "pounds"), 3, "Unit",
     "cannot be converted"),
    ("t7-missing-column", T7, lambda: _drop(T7, "World_total_prod"), 1, "World_total_prod",
     "missing column"),
    ("t7-bad-number", T7, lambda: _edit(T7, 3, "Leading_country_prod", "23O000"), 3,
     "Leading_country_prod", "is not a number"),
    ("t7-unknown-country", T7, lambda: _edit(T7, 4, "Leading_source_country", "Cathay"), 4,
     "Leading_source_country", "unknown country"),
    ("t7-duplicate-key", T7, lambda: _dup(T7, 3), 8, "Leading_source_country", "duplicate key"),
    ("fig3-bad-percent", FIG3, lambda: _edit(FIG3, 2, "Percent", "fifty"), 2, "Percent",
     "is not a number"),
    ("fig3-unknown-country", FIG3, lambda: _edit(FIG3, 5, "Import_Source_2021_24", "Narnia"), 5,
     "Import_Source_2021_24", "unknown country"),
    ("fig3-duplicate-key", FIG3, lambda: _dup(FIG3, 9), 22, "Import_Source_2021_24",
     "duplicate key"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "origin", "make", "row", "field", "words"), BAD, ids=[b[0] for b in BAD]
)
def test_malformed_file_is_refused_and_changes_nothing(
    fresh_db: Path,
    tmp_path: Path,
    case: str,
    origin: Path,
    make: Callable[[], list[list[str]]],
    row: int,
    field: str,
    words: str,
) -> None:
    bad = write_records(tmp_path / origin.name, make())
    with DuckStore(fresh_db) as s:
        import_usgs_mcs(s, [DATA], dataset="earlier")
        before = snapshot(s)
        with pytest.raises(ImportFailed) as err:
            # A good file alongside the bad one is not written either.
            others = [p for p in (DATA, T7, FIG3) if p.name != origin.name]
            import_usgs_mcs(s, [*others, bad], dataset="earlier", replace=True)
        assert snapshot(s) == before
    probs = err.value.problems
    assert any(
        p.file == origin.name and p.row == row and p.field == field and words in p.message
        for p in probs
    ), probs
    assert origin.name in str(err.value) and f"row {row}" in str(err.value)


def test_a_conflicting_value_for_a_known_fact_is_refused(tmp_path: Path, empty: DuckStore) -> None:
    import_usgs_mcs(empty, [T7], dataset="a")
    before = snapshot(empty)
    changed = write_records(tmp_path / T7.name, _edit(T7, 3, "World_total_prod", "320000"))
    with pytest.raises(ImportFailed) as err:
        import_usgs_mcs(empty, [changed], dataset="b")
    (p,) = err.value.problems
    assert (p.file, p.row, p.field) == (T7.name, 3, "World_total_prod")
    assert "320000.0 differs from 310000.0" in p.message and "dataset 'a'" in p.message
    assert snapshot(empty) == before


def test_edition_must_be_known(tmp_path: Path, empty: DuckStore) -> None:
    f = shutil.copyfile(DATA, tmp_path / "commodities.csv")
    with pytest.raises(ImportFailed, match="cannot tell the MCS edition"):
        import_usgs_mcs(empty, [f])
    rep = import_usgs_mcs(empty, [f], edition=2026)
    assert rep.files[0].source_id == "usgs-mcs2026-data"


def test_missing_file(empty: DuckStore, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="file not found"):
        import_usgs_mcs(empty, [DATA, tmp_path / "MCS2026_nope.csv"])
    assert empty.status().counts["production"] == 0


# -- properties ----------------------------------------------------------------------------

DATA_BODY = records(DATA)[1:]
UNMAPPED = [
    long_row("ABRASIVES", "World Production", "China", "Production", "Production",
             "metric tons", "2025", "1,000"),
    long_row("COBALT", SALIENT, "United States", "Price", "Spot", "dollars", "2025", "15"),
    long_row("COBALT", "World Mine Production and Reserves", "China", "Production",
             "Refinery production", "metric tons", "2025", "W"),
    long_row("LITHIUM", "Events, Trends, and Issues", "", "", "", "", "", ""),
]  # fmt: skip


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picked=st.sets(st.integers(0, len(DATA_BODY) - 1), min_size=1, max_size=40),
    extra=st.lists(st.sampled_from(range(len(UNMAPPED))), max_size=6),
)
def test_every_record_is_written_or_reported(
    tmp_path_factory: pytest.TempPathFactory, picked: set[int], extra: list[int]
) -> None:
    """records = written + skipped, and a W or NA cell is never stored as a number."""
    tmp = tmp_path_factory.mktemp("prop")
    body = [DATA_BODY[i] for i in sorted(picked)] + [UNMAPPED[i] for i in extra]
    f = write_records(tmp / "MCS2026_Commodities_Data.csv", [OFFICIAL_HEADER, *body])
    with DuckStore(tmp / "p.duckdb") as s:
        rep = import_usgs_mcs(s, [f])
        (fr,) = rep.files
        assert fr.records == len(body)
        assert fr.rows.get("production", 0) + fr.skipped == len(body)
        assert fr.skipped == len(extra)
        withheld = sum(1 for r in body[: len(picked)] if r[8] in ("W", "NA"))
        assert s.sql(
            "SELECT count(*) FROM production WHERE quantity IS NULL AND raw IN ('W', 'NA')"
        ) == [(withheld,)]


@given(st.integers(0, 10**12), st.sampled_from(["", ">", "<"]))
def test_printed_numbers_round_trip(n: int, bound: str) -> None:
    printed = bound + f"{n:,}"
    cell = parse_value(printed)
    assert cell.number == n and (cell.bound or "") == bound and cell.status == "reported"


@pytest.mark.parametrize("text", ["12,5", "1,2345", "1.000,5", "7 t", "--5", "N/A?"])
def test_malformed_numbers_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        parse_value(text)


# -- command line --------------------------------------------------------------------------


def test_cli_json_and_refusal(fresh_db: Path, tmp_path: Path) -> None:
    cli = Cli(fresh_db)
    out = cli.json("import", "usgs-mcs", str(DATA), str(T7), "--dataset", "mcs")
    assert out["schema"] == "derisk.import-usgs-mcs/1"
    assert set(out) == {
        "schema", "dataset", "replace", "files", "rows", "already_present", "skipped", "seconds"
    }  # fmt: skip
    assert out["rows"]["production"] == 160
    assert set(out["files"][0]) == {
        "file", "layout", "source_id", "source_reused", "records", "rows", "already_present",
        "skipped",
    }  # fmt: skip
    assert out["skipped"]["total"] == 2
    assert set(out["skipped"]["by_reason"][0]) == {"file", "reason", "count", "rows"}
    bad = write_records(tmp_path / T7.name, _edit(T7, 4, "Leading_source_country", "Cathay"))
    err = cli.json("import", "usgs-mcs", str(bad), "--dataset", "mcs", "--replace", code=1)
    assert err["error"]["kind"] == "import-refused"
    assert err["error"]["problems"] == [
        {
            "file": T7.name,
            "row": 4,
            "field": "Leading_source_country",
            "message": "unknown country 'Cathay'",
        }
    ]
    text = cli.run("import", "usgs-mcs", str(FIG3))
    assert "Wrote 0 rows (none)" in text and "25 facts were already in the database" in text
