"""Origin through third countries end to end: import, service, exposure, CLI, report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derisk.data.importers.comtrade import import_comtrade
from derisk.services.trade import origin_block
from derisk.store import DuckStore
from tests.conftest import Cli
from tests.test_trade_import import BE, CN, PLUS_HEADER, US, WLD, plus_row


def _scenario(tmp_path: Path) -> Path:
    # Antimony trioxide (HS 282580), 2023, as reported by the importers:
    # the US imports 10 t from China and 20 t from Belgium; Belgium imports 10 t from China.
    f = tmp_path / "antimony_oxide_2023.csv"
    f.write_text(
        "\n".join(
            [
                PLUS_HEADER,
                plus_row(US, "M", CN, "282580", "10000", "1"),
                plus_row(US, "M", BE, "282580", "20000", "1"),
                plus_row(US, "M", WLD, "282580", "30000", "2"),
                plus_row(BE, "M", CN, "282580", "10000", "1"),
                # Belgium's own export report differs; with importer reports it is not used
                plus_row(BE, "X", US, "282580", "25000", "1"),
            ]
        )
        + "\n"
    )
    return f


@pytest.fixture()
def traded(fresh_db: Path, tmp_path: Path) -> Path:
    with DuckStore(fresh_db) as s:
        import_comtrade(s, [_scenario(tmp_path)])
    return fresh_db


def test_origin_block_hand_worked(traded: Path) -> None:
    # No oxide production data: production is set from net exports, CHN 20 t, BEL 10 t.
    # Belgium's pool: 10 t from China + 10 t own = half Chinese. US imports 30 t:
    # direct 10/30, through Belgium 20/30 x 1/2, total 2/3; Belgian origin 1/3.
    with DuckStore(traded, read_only=True) as s:
        o = origin_block(s.view(), "USA", "antimony", "oxide")
    assert o is not None
    assert o["stage"] == "oxide" and o["year"] == 2023 and o["period"] == "annual"
    assert o["direct_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert o["indirect_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert o["total_share"] == pytest.approx(2 / 3, abs=1e-6)
    assert o["unknown_share"] == 0.0
    assert o["shipped_from_selected_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert [(v["country"], v["share"]) for v in o["indirect"]] == [("BEL", pytest.approx(1 / 3))]
    assert sorted((list(r["route"]), r["share"]) for r in o["top_routes"]) == [
        (["CHN", "BEL", "USA"], pytest.approx(1 / 3, abs=1e-6)),
        (["CHN", "USA"], pytest.approx(1 / 3, abs=1e-6)),
    ]
    assert {e["country"]: e["kg"] for e in o["estimated_production"]} == {
        "BEL": 10000.0,
        "CHN": 20000.0,
    }
    assert [(x["country"], x["share"]) for x in o["origins"]] == [
        ("CHN", pytest.approx(2 / 3, abs=1e-6)),
        ("BEL", pytest.approx(1 / 3, abs=1e-6)),
    ]
    assert o["sources"][0]["source_id"].startswith("comtrade-")


def test_mirror_choice_changes_the_matrix(traded: Path) -> None:
    with DuckStore(traded, read_only=True) as s:
        imp = origin_block(s.view(), "USA", "antimony", "oxide", mirror="importer")
        exp = origin_block(s.view(), "USA", "antimony", "oxide", mirror="exporter")
    assert imp is not None and exp is not None
    # exporter reports: Belgium says 25 t to the US; China reported nothing, so the US's and
    # Belgium's import reports fill China's exports.
    assert exp["imports_kg"] == 35000.0 and imp["imports_kg"] == 30000.0
    assert exp.to_json()["filled_from_partner_reports"] == ["CHN"]


def test_exposure_and_cli(traded: Path, tmp_path: Path) -> None:
    cli = Cli(traded)
    # exposure details the bottleneck stage (mining): the oxide trade is another stage, so it
    # is named there but does not answer for mining
    res = cli.json("exposure", "antimony", "--importer", "USA")
    assert res["importer"]["origin"] is None
    assert "trade origin" in res["importer"]["other_stages"]["oxide"]
    assert "categories" in res["importer"] and "import_reliance" in res["importer"]
    origin = cli.json("trade", "origin", "antimony", "--stage", "oxide", "--importer", "USA")
    assert origin["stage"] == "oxide"
    assert origin["total_share"] == pytest.approx(2 / 3, abs=1e-6)
    text = cli.run("trade", "origin", "antimony", "--stage", "oxide", "--importer", "USA")
    assert "CHN → BEL → USA" in text and "through third countries" in text
    direct = cli.json("trade", "origin", "antimony", "--importer", "USA")
    assert direct["schema"] == "derisk.trade-origin/1"
    assert direct["direct_share"] == origin["direct_share"]
    err = cli.json("trade", "origin", "gallium", "--importer", "USA", code=1)
    assert err["error"]["kind"] == "not-found"


def test_exposure_without_trade_has_null_origin(cli: Cli) -> None:
    res = cli.json("exposure", "antimony", "--importer", "USA")
    assert res["importer"]["origin"] is None


def test_example_series_and_report(fresh_db: Path, tmp_path: Path) -> None:
    cli = Cli(fresh_db)
    imp = cli.json("import", "example", "china-exports")
    assert imp["schema"] == "derisk.trade-import/1" and imp["rows_imported"] > 7000
    ser = cli.json("trade", "series", "graphite", "--top", "3")
    s250 = next(s for s in ser["series"] if s["key"] == "250410")
    assert len(s250["months"]) == 96 and s250["months"][0] == "2017-01"
    assert [p["country"] for p in s250["partners"]] == ["KOR", "JPN", "USA"]
    # totals add up month by month: named destinations + other = total
    for i in range(len(s250["months"])):
        named = sum(p["values"][i] or 0.0 for p in s250["partners"])
        assert named + s250["other"][i] == pytest.approx(s250["total"][i], abs=1e-2)
    out = tmp_path / "trade.html"
    rep = cli.json("report", "trade", "--out", str(out), "--importer", "USA")
    assert rep["path"] == str(out)
    page = out.read_text()
    assert page.count("<svg") == len(cli.json("trade", "series")["series"])
    assert "<script" not in page and "http://www.w3.org/2000/svg" in page
    assert re.search(r"UN Comtrade", page) and "qennis/ChinaCriticalMineralComtrade" in page


def test_concordance_command(cli: Cli) -> None:
    res = cli.json("trade", "concordance")
    shared = {e["hs_code"]: e["shared_with"] for e in res["entries"]}
    assert shared["811292"] == ["gallium", "germanium", "indium"]
