"""Re-sourcing on the store: the stage network, `derisk reroute`, costs, exclusions, HTML."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from derisk.data.csvio import ImportFailed
from derisk.data.loader import bundled_dir, load_files
from derisk.services import resource
from derisk.services.costs import load_costs
from derisk.services.network import build_stage_network
from derisk.store import DuckStore
from derisk.store.view import View
from tests.conftest import Cli

COVERED = {"CHN", "RUS", "PRK", "IRN"}


def reroute(view: View, material: str, to: str, demand: float, **kw: Any) -> dict[str, Any]:
    """The reroute answer as the CLI prints it (lists given as lists, like its options)."""
    given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in kw.items()}
    options = resource.RerouteOptions(material=material, destination=to, demand=demand, **given)
    return resource.reroute(view, options).to_json()


def usgs_mine_output(material: str, year: int) -> dict[str, tuple[float | None, str]]:
    """Country -> (quantity, status) read straight from the bundled CSV."""
    out = {}
    with (bundled_dir() / "production.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            if (r["material_id"], r["stage_id"], r["measure"], r["year"]) == (
                material,
                "mining",
                "production",
                str(year),
            ):
                out[r["country"]] = (float(r["quantity"]) if r["quantity"] else None, r["status"])
    return out


def known_total(rows: dict[str, tuple[float | None, str]], excluded: set[str]) -> float:
    return sum(
        q
        for c, (q, st) in rows.items()
        if c not in excluded | {"WLD", "OTH"} and q is not None and st in ("reported", "estimated")
    )


# --------------------------------------------------------------------------------------------
# Real bundled data
# --------------------------------------------------------------------------------------------


def test_antimony_without_china_equals_the_usgs_table(store: DuckStore) -> None:
    usgs = usgs_mine_output("antimony", 2025)
    res = reroute(store.view(), "antimony", "USA", 5000)
    assert res["excluded"]["countries"] == ["CHN"] and res["excluded"]["default"]
    assert res["stages"] == ["mining"]
    assert res["max_supply"] == pytest.approx(known_total(usgs, {"CHN"}))
    assert res["delivered"] == pytest.approx(5000) and res["unmet"] == 0
    # the US figure is withheld by USGS: unknown, not counted, and said so
    assert usgs["USA"] == (None, "withheld")
    assert [w["country"] for w in res["withheld"]] == ["USA"]
    assert any("withheld" in n for n in res["notes"])
    # gaps: the refining and oxide stages have no usable figures
    assert {g["stage"] for g in res["gaps"]} == {"refining", "oxide"}
    assert all(p["from_country"] != "CHN" for p in res["plan"])


def test_covered_group_and_unknown_origin_bounds(store: DuckStore) -> None:
    usgs = usgs_mine_output("rare-earths", 2025)
    res = reroute(
        store.view(), "rare-earths", "USA", 10_000, stage="mining", exclude_groups=["covered"]
    )
    assert set(res["excluded"]["countries"]) == COVERED
    assert res["max_supply"] == pytest.approx(known_total(usgs, COVERED))
    listed = sum(q for c, (q, _) in usgs.items() if c != "WLD" and q is not None)
    other, world = usgs["OTH"][0], usgs["WLD"][0]
    assert other is not None and world is not None  # the table gives both figures
    unknown = other + (world - listed)  # "other countries" + unallocated
    assert res["max_supply_upper"] - res["max_supply"] == pytest.approx(unknown)
    used = {s["site"]: s for s in res["sites"]}
    assert used["rare-earths:mining:other"]["excluded"]
    assert used["rare-earths:mining:other"]["reason"] == "origin unknown (cannot be checked)"


def test_separation_needs_named_capacity(store: DuckStore) -> None:
    # IEA names only China at rare-earth separation (91.3% of 80,810 t): nothing of known
    # non-covered origin remains; the unnamed ranks 2-3 and the unallocated rest are the bound.
    res = reroute(store.view(), "rare-earths", "USA", 5000, stage="separation")
    assert res["stages"] == ["mining", "separation"]
    assert res["max_supply"] == 0 and res["unmet"] == 5000
    assert res["max_supply_upper"] == pytest.approx(80_810 * (1 - 0.913), rel=1e-9)
    assert res["cost_basis"]["prices"][0]["source"] == "usgs-mcs2026-rare-earths"


def test_stage_without_figures_is_a_clear_error(store: DuckStore) -> None:
    from derisk.services.common import NotFound

    with pytest.raises(NotFound, match="shares without a world total"):
        reroute(store.view(), "antimony", "USA", 100, stage="refining")
    with pytest.raises(ValueError, match="demand"):
        reroute(store.view(), "antimony", "USA", 0)


# --------------------------------------------------------------------------------------------
# A refining stage and facilities from a user's files (test figures, not real data)
# --------------------------------------------------------------------------------------------

FIXTURE_SOURCES = """source_id,publisher,title,confidence
test-refining,derisk tests,Refining figures for tests (not real data),L
"""
FIXTURE_PRODUCTION = (
    ("fact_id,material_id,stage_id,measure,country,year,quantity,unit,status,source_id\n")
    + """t1,antimony,refining,production,KOR,2025,8000,t,reported,test-refining
t2,antimony,refining,capacity,KOR,2025,10000,t,reported,test-refining
t3,antimony,refining,production,BEL,2025,3000,t,reported,test-refining
t4,antimony,refining,production,CHN,2025,50000,t,reported,test-refining
"""
)
FIXTURE_ENTITIES = (
    "entity_id,kind,name,source_id,country,facility_type,material_id,stage_id,operator_id\n"
    "test-refiner-co,company,Test Refiner Co,test-refining,KOR,,,,\n"
    "test-onsan,facility,Test refinery Onsan,test-refining,KOR,refinery,antimony,refining,"
    "test-refiner-co\n"
    "test-greenbushes,facility,Test lithium mine (operated by Talison),test-refining,AUS,mine,"
    "lithium,mining,talison-lithium\n"
)
FIXTURE_FACILITIES = (
    ("fact_id,entity_id,material_id,stage_id,measure,year,quantity,unit,status,source_id\n")
    + """f1,test-onsan,antimony,refining,capacity,2025,4000,t,reported,test-refining
f2,test-greenbushes,lithium,mining,production,2025,30000,t,reported,test-refining
"""
)
FIXTURE_TRADE = (
    "fact_id,reporter,partner,flow,hs_code,year,source_id,value_usd,quantity_kg\n"
    "tr1,BEL,USA,export,811010,2025,test-refining,5100000,100000\n"
    "tr2,USA,KOR,import,811010,2025,test-refining,4900000,100000\n"
    "tr3,BEL,USA,export,811010,2024,test-refining,9990000,100000\n"
)
FIXTURE_COSTS = """currency: USD
prices:
  antimony:
    refining: {default: 60000, KOR: 50000, BEL: 52000}
freight: {default: 100}
"""


@pytest.fixture(scope="module")
def refining_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    d = tmp_path_factory.mktemp("refining")
    db = d / "db.duckdb"
    shutil.copyfile(built_db, db)
    files = []
    for name, text, kind in (
        ("sources.csv", FIXTURE_SOURCES, "sources"),
        ("production.csv", FIXTURE_PRODUCTION, "production"),
        ("entities.csv", FIXTURE_ENTITIES, "entities"),
        ("facilities.csv", FIXTURE_FACILITIES, "facility_capacity"),
        ("trade.csv", FIXTURE_TRADE, "trade"),
    ):
        (d / name).write_text(text)
        files.append((d / name, kind))
    (d / "costs.yaml").write_text(FIXTURE_COSTS)
    with DuckStore(db) as s:
        load_files(s, files, dataset="test-refining")
    yield db


def run(db: Path, **kw: Any) -> dict[str, Any]:
    costs = db.parent / "costs.yaml"
    with DuckStore(db, read_only=True) as s:
        return reroute(
            s.view(), "antimony", "USA", kw.pop("demand", 12_000), costs_path=costs, **kw
        )


def test_hand_solved_two_stage_plan(refining_db: Path) -> None:
    # Non-China refining: KOR 10,000 t capacity (4,000 at the Onsan facility, 6,000 rest of
    # KOR) and BEL 3,000 t output; mining without China is far larger, so refining binds.
    # Path cost: freight 100 (mine -> refinery, no antimony mine in KOR or BEL) + price on
    # delivery (KOR 50,000, BEL 52,000) + freight 100 to the US. 12,000 t: 10,000 from KOR
    # at 50,200 and 2,000 from BEL at 52,200 = 606,400,000.
    res = run(refining_db)
    assert res["stages"] == ["mining", "refining"]
    assert res["max_supply"] == pytest.approx(13_000)
    assert res["cost"] == pytest.approx(606_400_000)
    by_site: dict[str, float] = {}
    for p in res["plan"]:
        if p["kind"] == "delivery":
            by_site[p["site"]] = by_site.get(p["site"], 0) + p["quantity"]
    assert by_site == pytest.approx(
        {
            "antimony:refining:KOR": 6000,
            "antimony:refining:test-onsan": 4000,
            "antimony:refining:BEL": 2000,
        }
    )
    binding = {b["site"]: b for b in res["binding"] if b["kind"] == "capacity"}
    # one more tonne of Korean refining replaces a Belgian tonne: -2,000 USD
    assert binding["antimony:refining:KOR"]["shadow_price"] == pytest.approx(-2000)
    assert binding["antimony:refining:test-onsan"]["shadow_price"] == pytest.approx(-2000)
    # and every non-China refinery is on the minimum cut: +1 t of supply per t of capacity
    for site in ("antimony:refining:KOR", "antimony:refining:BEL"):
        assert binding[site]["supply_shadow_price"] == pytest.approx(1.0)
    assert "max_supply" in binding["antimony:refining:BEL"]["binds"]
    assert res["cost_basis"]["prices"][0]["basis"] == "user"


def test_trade_unit_values_price_the_origins(refining_db: Path, tmp_path: Path) -> None:
    # Without origin prices in the cost file, the latest year's unit values of HS 811010
    # (unwrought antimony) price the origins: BEL 5.1 M USD / 100 t = 51,000; KOR (as reported
    # by the US importer) 49,000. 12,000 t: 10,000 from KOR and 2,000 from BEL, + freight.
    costs = tmp_path / "c.yaml"
    costs.write_text("prices:\n  antimony:\n    refining: {default: 60000}\nfreight: 100\n")
    with DuckStore(refining_db, read_only=True) as s:
        res = reroute(s.view(), "antimony", "USA", 12_000, costs_path=costs)
    uv = res["cost_basis"]["trade_unit_values"]
    assert uv["BEL"]["value"] == 51_000 and uv["KOR"]["value"] == 49_000
    assert uv["BEL"]["year"] == 2025 and uv["BEL"]["sources"] == ["test-refining"]
    basis = {p["origin"]: p["basis"] for p in res["cost_basis"]["prices"]}
    assert basis == {"default": "user", "BEL": "trade-unit-value", "KOR": "trade-unit-value"}
    assert res["cost"] == pytest.approx(10_000 * 49_200 + 2_000 * 51_200)


def test_entity_exclusion_removes_its_facilities(refining_db: Path) -> None:
    res = run(refining_db, exclude_entities=["test-refiner-co"], exclude_countries=["CHN"])
    assert res["max_supply"] == pytest.approx(9_000)  # 13,000 less Onsan's 4,000
    ent = res["excluded"]["entities"][0]
    assert ent["sites"] == ["antimony:refining:test-onsan"]
    onsan = next(s for s in res["sites"] if s["site"] == "antimony:refining:test-onsan")
    assert onsan["excluded"] and onsan["used"] == 0
    # excluding an entity alone keeps China eligible (no default exclusion then)
    alone = run(refining_db, exclude_entities=["test-refiner-co"])
    assert alone["excluded"]["countries"] == [] and not alone["excluded"]["default"]
    assert alone["max_supply"] == pytest.approx(59_000)
    with pytest.raises(Exception, match="unknown entity"):
        run(refining_db, exclude_entities=["no-such-company"])


def test_exclude_pfe_uses_screening(refining_db: Path) -> None:
    # Talison is screened as a prohibited foreign entity (Tianqi holds 51%): its mine is left
    # out; the rest of Australia's output stays.
    with DuckStore(refining_db, read_only=True) as s:
        base = reroute(s.view(), "lithium", "USA", 1000, stage="mining", exclude_countries=["CHN"])
        pfe = reroute(
            s.view(),
            "lithium",
            "USA",
            1000,
            stage="mining",
            exclude_countries=["CHN"],
            exclude_pfe=True,
        )
    assert base["max_supply"] - pfe["max_supply"] == pytest.approx(30_000)
    assert pfe["excluded"]["pfe"]["sites"] == ["lithium:mining:test-greenbushes"]
    assert pfe["excluded"]["pfe"]["rule"].startswith("pfe")


def test_policy_share_cap_hand_solved(refining_db: Path) -> None:
    # No country above 65% of refining: KOR <= 0.65 (KOR + BEL) with BEL <= 3,000 gives
    # KOR <= 5,571.43, so at most 8,571.43 t (mining has room to spread below 65%).
    res = run(refining_db, max_country_share=0.65)
    assert res["max_supply"] == pytest.approx(3000 / 0.35, rel=1e-7)
    assert res["unmet"] == pytest.approx(12_000 - 3000 / 0.35, rel=1e-6)
    share_rows = [b for b in res["binding"] if b["kind"] == "share"]
    assert any(b["country"] == "KOR" and b["stage"] == "refining" for b in share_rows)


def test_spare_only(refining_db: Path) -> None:
    res = run(refining_db, spare_only=True)
    # KOR: capacity 10,000 - output 8,000 = 2,000 spare; BEL has no stated capacity
    assert res["max_supply"] == pytest.approx(0.0)  # mining spare is unknown everywhere
    assert any("spare capacity unknown" in n for n in res["notes"])


def test_network_keeps_its_facts(refining_db: Path) -> None:
    with DuckStore(refining_db, read_only=True) as s:
        net = build_stage_network(s.view(), "antimony")
    ref = net.stage("refining")
    kor = next(x for x in ref.sites if x.site_id == "antimony:refining:KOR")
    assert (kor.production, kor.capacity, kor.spare, kor.available) == (8000, 10000, 2000, 6000)
    assert set(kor.fact_ids) == {"t1", "t2"}
    onsan = next(x for x in ref.sites if x.entity_id == "test-onsan")
    assert onsan.operator_id == "test-refiner-co" and onsan.basis == "facility"


# --------------------------------------------------------------------------------------------
# Cost files
# --------------------------------------------------------------------------------------------


def test_bundled_costs_and_user_overrides(tmp_path: Path) -> None:
    base = load_costs()
    assert base.price("antimony", "refining", "KOR") == (55116.0, "bundled")
    assert base.prices[("antimony", "refining")].source == "usgs-mcs2026-antimony"
    csv_file = tmp_path / "c.csv"
    csv_file.write_text(
        "kind,material,stage,country,route,value,note\n"
        "price,antimony,refining,BOL,,40000,quote\n"
        "freight,,,,AUS-USA,120,\n"
        "yield,antimony,refining,,,0.95,\n"
    )
    m = load_costs(csv_file)
    assert m.price("antimony", "refining", "BOL") == (40000.0, "user")
    assert m.price("antimony", "refining", "KOR") == (55116.0, "bundled")
    assert m.freight("AUS", "USA") == 120 and m.freight("AUS", "AUS") == 0
    assert m.yield_of("antimony", "refining") == 0.95


def test_bad_cost_files_name_file_row_and_field(tmp_path: Path) -> None:
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        "kind,material,stage,country,route,value\n"
        "price,antimony,refining,Atlantis,,10\n"
        "price,antimony,smelting,,,10\n"
        "freight,,,,AUS,5\n"
        "yield,antimony,refining,,,1.5\n"
        "price,antimony,refining,,,ten\n"
    )
    with pytest.raises(ImportFailed) as exc:
        load_costs(bad_csv)
    got = {(p.file, p.row, p.field) for p in exc.value.problems}
    assert got == {
        ("bad.csv", 2, "country"),
        ("bad.csv", 3, "stage"),
        ("bad.csv", 4, "route"),
        ("bad.csv", 5, "value"),
        ("bad.csv", 6, "value"),
    }
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("prices:\n  antimony:\n    refining: {default: -3}\nfreight: {XX-USA: 1}\n")
    with pytest.raises(ImportFailed) as exc:
        load_costs(bad_yaml)
    fields = {p.field for p in exc.value.problems}
    assert fields == {"prices.antimony.refining.default", "freight.XX-USA"}


# --------------------------------------------------------------------------------------------
# CLI and HTML
# --------------------------------------------------------------------------------------------


def test_reroute_cli_json_schema(cli: Cli) -> None:
    out = cli.json(
        "reroute", "antimony", "--to", "United States", "--demand", "5000",
        "--exclude-group", "covered",
    )  # fmt: skip
    for key in ("material", "destination", "demand", "excluded", "max_supply", "plan", "unmet",
                "binding", "cost_basis"):  # fmt: skip
        assert key in out
    assert out["schema"] == "derisk.reroute/1" and out["destination"] == "USA"
    for row in out["plan"]:
        assert {"from", "to", "stage", "quantity", "cost"} <= set(row)
    for row in out["binding"]:
        assert {"constraint", "shadow_price"} <= set(row)
    text = cli.run("reroute", "antimony", "--to", "USA", "--demand", "5000")
    assert "Max supply" in text and "70,720" in text


def test_reroute_cli_errors_and_html(cli: Cli, tmp_path: Path) -> None:
    err = cli.json("reroute", "antimony", "--to", "USA", "--demand", "10", "--stage", "oxide",
                   code=1)["error"]  # fmt: skip
    assert err["kind"] == "not-found" and "oxide" in err["message"]
    err = cli.json("reroute", "antimony", "--to", "Atlantis", "--demand", "10", code=2)["error"]
    assert "unknown country" in err["message"]
    bad = tmp_path / "c.csv"
    bad.write_text("kind,value\nprice,-1\n")
    err = cli.json("reroute", "antimony", "--to", "USA", "--demand", "10", "--costs", str(bad),
                   code=1)["error"]  # fmt: skip
    assert err["kind"] == "import-refused" and err["problems"][0]["row"] == 2
    page = tmp_path / "out" / "reroute.html"
    cli.run("reroute", "antimony", "--to", "USA", "--demand", "5000", "--html", str(page))
    html = page.read_text()
    assert "<svg" in html and "<path" in html and "usgs-mcs2026-antimony" in html
    assert "<script" not in html and 'src="http' not in html


def test_yields_scale_the_ore_needed(refining_db: Path, tmp_path: Path) -> None:
    costs = tmp_path / "y.yaml"
    costs.write_text(FIXTURE_COSTS + "yields:\n  antimony: {refining: 0.5}\n")
    with DuckStore(refining_db, read_only=True) as s:
        res = reroute(s.view(), "antimony", "USA", 12_000, costs_path=costs)
    assert res["network"]["method"] == "lp"  # yields need the LP
    assert res["delivered"] == pytest.approx(12_000)
    ore = sum(p["quantity"] for p in res["plan"] if p["kind"] == "supply")
    assert ore == pytest.approx(24_000, rel=1e-6)  # two tonnes of ore per tonne of metal
    assert res["cost_basis"]["yields"] == {"refining": 0.5}
