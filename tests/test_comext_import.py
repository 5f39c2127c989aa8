"""Eurostat Comext bulk files (current and earlier layout) as EU27 import sources."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, cast

import pytest
from typer.testing import CliRunner

from derisk.cli import app
from derisk.data.csvio import ImportFailed
from derisk.data.importers.comext import import_comext
from derisk.services import exposure as svc
from derisk.store import DuckStore

FIXTURE = Path(__file__).parent / "data" / "comext" / "full_202401.dat"
HISTORICAL_HEADER = (
    "DECLARANT,DECLARANT_ISO,PARTNER,PARTNER_ISO,TRADE_TYPE,PRODUCT_NC,PRODUCT_SITC,"
    "PRODUCT_CPA2002,PRODUCT_CPA2008,PRODUCT_CPA2_1,PRODUCT_BEC,PRODUCT_SECTION,FLOW,"
    "STAT_REGIME,SUPP_UNIT,PERIOD,VALUE_IN_EUROS,QUANTITY_IN_KG,SUP_QUANTITY"
)


def _expected(path: Path, hs6: str) -> dict[str, float]:
    """Partner -> share of extra-EU import value, read from the file here (not by the importer)."""
    values: dict[str, float] = defaultdict(float)
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            ttype, flow = r["TRADE_TYPE"], r["FLOW"]
            if ttype == "E" and flow == "1" and r["PRODUCT_NC"].startswith(hs6):
                values[r["PARTNER"]] += float(r["VALUE_EUR"])
    total = sum(values.values())
    return {p: v / total for p, v in values.items()}


def _category(store: DuckStore, material: str, hs6: str) -> dict[str, Any]:
    res = svc.importer_exposure(store.view(), "EU27", material, ("CHN",)).to_json()
    categories = cast(list[dict[str, Any]], res["categories"])
    (cat,) = [c for c in categories if c["category"].startswith(f"HS {hs6}")]
    return cat


def test_extra_eu_imports_become_eu27_import_sources(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        rep = import_comext(store, [FIXTURE])
        assert rep.skipped == {
            "intra-EU or export": 4,
            "product code masked for confidentiality": 1,
        }
        assert rep.periods == ["202401"]
        cat = _category(store, "rare-earths", "850511")
    exp = _expected(FIXTURE, "850511")
    shares = {s["country"]: s["share"] for s in cat["sources"]}
    assert shares["CHN"] == pytest.approx(exp["CN"], abs=1e-6)
    assert shares["JPN"] == pytest.approx(exp["JP"], abs=1e-6)
    # The confidential partner (QP) is kept as Other and may hide China: China's share is a
    # lower bound, up to its share plus the confidential part.
    assert shares["OTH"] == pytest.approx(exp["QP"], abs=1e-6)
    assert cat["selected_share_bounds"] == pytest.approx([exp["CN"], exp["CN"] + exp["QP"]])
    assert cat["period"] == "2024-01" and cat["stage"] == "magnets"


def test_earlier_layout_reads_the_same(fresh_db: Path, tmp_path: Path) -> None:
    lines = FIXTURE.read_text("utf-8").splitlines()[1:]
    out = [HISTORICAL_HEADER]
    for line in lines:
        c = line.split(",")
        # REPORTER,PARTNER,TRADE_TYPE,PRODUCT_NC,...,FLOW(10),..,PERIOD(13),VALUE_EUR(14),..,KG(16)
        out.append(
            ",".join(
                [
                    *("001", c[0], "0003", c[1], c[2], c[3], c[4], "0", "0", "0", c[7], c[9]),
                    *(c[10], "1", "A", c[13], c[14], c[16], "0"),
                ]
            )
        )
    path = tmp_path / "full200101.dat"
    path.write_text("\n".join(out) + "\n", "utf-8")
    with DuckStore(fresh_db) as store:
        import_comext(store, [path], source_id="comext-old")
        res = svc.importer_exposure(store.view(), "EU27", "rare-earths", ("CHN",)).to_json()
    (cat,) = [
        c for c in res["categories"] if c["source_id"] == "comext-old" and "850511" in c["category"]
    ]
    exp = _expected(FIXTURE, "850511")
    assert {s["country"]: s["share"] for s in cat["sources"]}["CHN"] == pytest.approx(exp["CN"])


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (",202401,900000,", ",202413,900000,", "PERIOD"),
        (",202401,900000,", ",202401,-900000,", "VALUE_EUR"),
        (",202401,900000,900000,12000,", ",202401,900000,900000,12k,", "QUANTITY_KG"),
    ],
)
def test_bad_rows_name_file_row_and_field_and_write_nothing(
    fresh_db: Path, tmp_path: Path, old: str, new: str, field: str
) -> None:
    text = FIXTURE.read_text("utf-8")
    assert old in text
    path = tmp_path / "full_202401.dat"
    path.write_text(text.replace(old, new, 1), "utf-8")
    row = next(i for i, line in enumerate(text.splitlines(), start=1) if old in line)
    with DuckStore(fresh_db) as store:
        before = store.sql("SELECT count(*) FROM import_source")[0][0]
        with pytest.raises(ImportFailed) as exc:
            import_comext(store, [path])
        after = store.sql("SELECT count(*) FROM import_source")[0][0]
    assert f"full_202401.dat, row {row}, field '{field}'" in str(exc.value)
    assert before == after


def test_a_file_that_is_not_comext_is_refused(fresh_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n", "utf-8")
    with DuckStore(fresh_db) as store, pytest.raises(ImportFailed, match="not a Comext bulk file"):
        import_comext(store, [path])


def test_cli_import_comext_json(fresh_db: Path) -> None:
    res = CliRunner().invoke(
        app, ["import", "comext", str(FIXTURE), "--db", str(fresh_db), "--json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["schema"] == "derisk.import-comext/1"
    assert out["rows_read"] == 14 and out["rows_kept"] == 9
