"""Tracing products in a real database: the worked example, the statistical fallback, the mass
balance and the import checks."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from derisk.data.csvio import ImportFailed
from derisk.data.importers.products import example_dir, load_example_products, load_product_dir
from derisk.services.exposure import exposure
from derisk.services.trace import TRACE_SCHEMA, trace
from derisk.store import DuckStore
from tests.certify_fixtures import bom, fac, link, load, product

WHEN = dt.date(2027, 1, 1)


@pytest.fixture(scope="module")
def example_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ex") / "example.duckdb"
    shutil.copyfile(built_db, path)
    with DuckStore(path) as s:
        load_example_products(s)
    return path


@pytest.fixture()
def ex(example_db: Path) -> Iterator[DuckStore]:
    s = DuckStore(example_db, read_only=True)
    yield s
    s.close()


def _stage(res: dict[str, Any], material: str, stage: str) -> dict[str, Any]:
    m = next(m for m in res["materials"] if m["material"] == material)
    return next(s for s in m["stages"] if s["stage"] == stage)


def test_trace_japanese_magnet(ex: DuckStore) -> None:
    res = trace(ex.view(as_of=WHEN), "magnet-jp-cn-oxide").to_json()
    assert res["schema"] == TRACE_SCHEMA
    assert set(res) == {"schema", "as_of", "product", "materials", "entities", "missing", "sources"}
    assert [s["stage"] for s in res["materials"][0]["stages"]] == [
        "mining", "separation", "metal", "magnets",
    ]  # fmt: skip
    sep = _stage(res, "rare-earths", "separation")["parts"][0]
    assert sep["by_entity"][0]["entity"] == "example-cn-separation"
    assert sep["by_entity"][0]["basis"] == "traced" and sep["by_entity"][0]["share"] == 1.0
    metal = _stage(res, "rare-earths", "metal")["parts"][0]["by_entity"][0]
    assert (metal["entity"], metal["country"], metal["integrated"]) == (
        "shin-etsu-takefu", "JPN", True,
    )  # fmt: skip
    # The separator's feed is not linked: mining falls back to the exposure data's shares.
    mining = _stage(res, "rare-earths", "mining")
    assert mining["statistical_source"]["source_id"] == "usgs-mcs2026-rare-earths"
    world = exposure(ex.view(as_of=WHEN), "rare-earths", "mining").to_json()
    chn_world = next(s["share"] for s in world["shares"] if s["country"] == "CHN")
    chn = next(c for c in mining["parts"][0]["by_country"] if c["country"] == "CHN")
    assert chn["statistical"] == pytest.approx(chn_world, abs=1e-6)
    assert chn["statistical"] == pytest.approx(270000 / 390000, abs=1e-6)  # USGS MCS 2026, 2025
    assert chn["traced"] == 0
    # What is missing, and whom to ask.
    (miss,) = [m for m in res["missing"] if m["kind"] == "supplier-share"]
    assert miss["facility"] == "example-cn-separation"
    assert miss["ask"]["entity"] == "example-cn-separator"
    assert miss["share_of_product"] == 1.0 and miss["stages"] == ["mining"]
    assert {s["source_id"] for s in res["sources"]} >= {"ex-hypothetical", "ex-chemeng-shinetsu"}


def test_trace_us_magnet_is_fully_traced(ex: DuckStore) -> None:
    res = trace(ex.view(as_of=WHEN), "magnet-us-mp").to_json()
    got = {
        s["stage"]: [(e["entity"], e["country"], e["share"]) for e in s["parts"][0]["by_entity"]]
        for s in res["materials"][0]["stages"]
    }
    assert got == {
        "mining": [("mountain-pass", "USA", 1.0)],
        "separation": [("silmet-sillamae", "EST", 1.0)],
        "metal": [("mp-independence", "USA", 1.0)],
        "magnets": [("mp-independence", "USA", 1.0)],
    }
    assert res["missing"] == []
    paths = res["materials"][0]["paths"]
    assert paths == [
        {
            "part": 0,
            "facilities": ["mp-independence", "silmet-sillamae", "mountain-pass"],
            "links": ["ex-link-silmet-independence", "ex-link-mtpass-silmet"],
            "share": 1.0,
        }
    ]


def test_trace_cathode_mass_balance(ex: DuckStore) -> None:
    res = trace(ex.view(as_of=dt.date(2026, 6, 1)), "cathode-nmc811").to_json()
    mats = {m["material"]: m for m in res["materials"]}
    assert list(mats) == ["nickel", "cobalt", "manganese", "lithium"]
    co = mats["cobalt"]
    bal = {b["facility"]: b for b in co["balance"]}
    assert bal["example-cathode-plant"]["linked_share"] == 0.6
    assert bal["example-cathode-plant"]["unknown_share"] == 0.4
    refining = next(s for s in co["stages"] if s["stage"] == "refining")["parts"][0]
    idn = next(c for c in refining["by_country"] if c["country"] == "IDN")
    assert idn["traced"] == 0.6
    for m in mats.values():
        for s in m["stages"]:
            for part in s["parts"]:
                total = sum(c["share"] for c in part["by_country"]) + part["unknown_share"]
                assert total == pytest.approx(1.0, abs=1e-5)
    asks = {(x["material"], x["facility"]) for x in res["missing"]}
    assert ("cobalt", "example-cathode-plant") in asks
    assert ("nickel", "huayue-hpal") in asks  # the HPAL plant's ore is not linked


def test_validity_dates_select_links(fresh_db: Path) -> None:
    rows = [
        fac("m-old", "CHN", "lithium", "mining", "mine"),
        fac("m-new", "AUS", "lithium", "mining", "mine"),
        fac("r", "CHL", "lithium", "refining"),
        fac("plant", "USA", None, None, "component-plant"),
        link("l-old", "m-old", "r", "lithium", 1.0, valid_to=dt.date(2026, 12, 31)),
        link("l-new", "m-new", "r", "lithium", 1.0, valid_from=dt.date(2027, 1, 1)),
        link("l-r", "r", "plant", "lithium", 1.0),
        product("cell", "plant", "battery-component"),
        bom("cell", "li", "lithium", "refining"),
    ]
    load(fresh_db, rows)
    with DuckStore(fresh_db, read_only=True) as s:
        for when, mine in ((dt.date(2026, 6, 1), "m-old"), (dt.date(2027, 6, 1), "m-new")):
            res = trace(s.view(as_of=when), "cell").to_json()
            mining = res["materials"][0]["stages"][0]["parts"][0]["by_entity"]
            assert [e["entity"] for e in mining] == [mine]


def test_import_is_atomic_and_names_row_and_field(fresh_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    shutil.copytree(example_dir(), folder)
    text = (folder / "supply_links.csv").read_text()
    # Push the cathode plant's cobalt shares over 1 and misname a facility.
    text = text.replace("example-cathode-plant,cobalt,0.6", "example-cathode-plant,cobalt,0.6")
    text += "ex-bad-1,huayue-hpal,example-cathode-plant,cobalt,0.5,ex-hypothetical,refining,,,,,\n"
    text += "ex-bad-2,no-such-plant,example-cathode-plant,lithium,0.5,ex-hypothetical,,,,,,\n"
    (folder / "supply_links.csv").write_text(text)
    with DuckStore(fresh_db) as s:
        before = s.status().counts
        with pytest.raises(ImportFailed) as err:
            load_product_dir(s, folder)
        assert s.status().counts == before
    probs = {(p.file, p.row, p.field) for p in err.value.problems}
    assert ("supply_links.csv", 7, "share") in probs
    assert ("supply_links.csv", 8, "supplier_id") in probs


def test_link_stage_must_match_the_supplier(fresh_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    shutil.copytree(example_dir(), folder)
    text = (
        (folder / "supply_links.csv")
        .read_text()
        .replace(
            "mountain-pass,silmet-sillamae,rare-earths,1,ex-hypothetical,mining",
            "mountain-pass,silmet-sillamae,rare-earths,1,ex-hypothetical,separation",
        )
    )
    (folder / "supply_links.csv").write_text(text)
    with DuckStore(fresh_db) as s, pytest.raises(ImportFailed) as err:
        load_product_dir(s, folder)
    assert [(p.file, p.field) for p in err.value.problems] == [("supply_links.csv", "stage_id")]


def test_bom_cycles_are_refused(fresh_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "set"
    shutil.copytree(example_dir(), folder)
    with (folder / "bom.csv").open("a") as fh:
        fh.write("magnet-us-mp,sub,ex-hypothetical,,,magnet-jp-cn-oxide,1,unit,,,\n")
        fh.write("magnet-jp-cn-oxide,sub,ex-hypothetical,,,magnet-us-mp,1,unit,,,\n")
    with DuckStore(fresh_db) as s, pytest.raises(ImportFailed) as err:
        load_product_dir(s, folder)
    assert [(p.row, p.field) for p in err.value.problems] == [(8, "component_id")]
    assert "cycle: magnet-jp-cn-oxide -> magnet-us-mp -> magnet-jp-cn-oxide" in str(err.value)
    # Rows written some other way are caught when tracing.
    load(
        fresh_db,
        [
            fac("plant", "USA", None, None, "component-plant"),
            product("a", "plant", "tungsten"),
            product("b", "plant", "tungsten"),
            bom("a", "x", None, None, component="b"),
            bom("b", "x", None, None, component="a"),
        ],
    )
    with DuckStore(fresh_db, read_only=True) as s, pytest.raises(ValueError, match="cycle"):
        trace(s.view(as_of=WHEN), "a")
