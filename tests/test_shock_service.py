"""Shock scenarios on the store: bundled scenarios and restriction facts, `derisk shock`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derisk.data.csvio import ImportFailed
from derisk.services.shock import bundled_scenarios, parse_scenario, run_scenario
from derisk.store import DuckStore
from tests.conftest import Cli

# USGS MCS 2026 antimony, 2024: apparent consumption 28,600 t, net import reliance 86%; US
# imports of metal and oxide 2021-24: China 55%, Belgium 12%, Thailand 8%, India 6%, other 19%.
CONSUMPTION, NIR, CHINA = 28_600, 0.86, 0.55


def test_bundled_restriction_facts(store: DuckStore) -> None:
    rows = store.sql(
        "SELECT r.fact_id, r.issuer, r.target, r.valid_from, r.suspended_until, s.confidence, "
        "s.publisher FROM export_restriction r JOIN source s USING (source_id)"
    )
    facts = {r[0]: r for r in rows}
    ban = facts["mofcom-2024-46:antimony:refining"]
    assert ban[1:3] == ("CHN", "USA")
    assert str(ban[3]) == "2024-12-03" and str(ban[4]) == "2026-11-27"
    assert str(facts["mofcom-2024-33:antimony:mining"][3]) == "2024-09-15"
    assert str(facts["mofcom-2025-18:rare-earths:separation"][3]) == "2025-04-04"
    assert {r[5] for r in rows} == {"M"}  # confidence kept as the rules memo gives it
    assert all("MOFCOM" in r[6] or r[6] == "Reuters" for r in rows)


def test_bundled_scenarios_parse() -> None:
    ids = {parse_scenario(p).id for p in bundled_scenarios()}
    assert ids == {"antimony-us-ban", "rare-earth-licences-lapse"}


def test_antimony_ban_against_a_scalar_recount(store: DuckStore) -> None:
    res = run_scenario(store.view(), "antimony-us-ban").to_json()
    us = [r for r in res["months"] if r["country"] == "USA"]
    assert [r["month"] for r in us][:3] == ["2024-10", "2024-11", "2024-12"]
    monthly = CONSUMPTION / 12
    withheld = CONSUMPTION * NIR * CHINA / 12  # China's part of US imports
    # Recount the story month by month with plain arithmetic: 3 months of cover; the other
    # suppliers' spare (15% of what they ship) ramps up over 6 months from the first gap.
    stock = 3 * monthly
    spare = 0.15 * (monthly - withheld)
    expected = []
    for t, row in enumerate(us):
        ban = 2 <= t < 13  # December 2024 to October 2025
        gap = withheld if ban else 0.0
        sub = min(spare * min(1.0, (t - 1) / 6), gap) if ban else 0.0
        draw = min(stock, gap - sub)
        stock -= draw
        expected.append(gap - sub - draw)
        assert row["demand"] == pytest.approx(monthly, abs=1e-3)
        assert row["withheld"] == pytest.approx(gap, abs=1e-3)
        assert row["substitution"] == pytest.approx(sub, abs=1e-3)
    assert [r["shortfall"] for r in us] == pytest.approx(expected, abs=1e-3)
    assert max(expected) > 0  # stocks run out before the ban is lifted
    assert res["balance"]["max_error"] < 1e-6
    first = next(s for s in res["summary"] if s["country"] == "USA")
    assert first["first_short_month"] == us[[e > 0 for e in expected].index(True)]["month"]
    restr = res["restrictions"][0]
    assert restr["source_id"] == "mofcom-2024-46" and restr["stages_not_modelled"] == ["oxide"]
    ids = {s["source_id"] for s in res["sources"]}
    assert {"mofcom-2024-46", "usgs-mcs2026-antimony", "usgs-mcs2026-import-sources"} <= ids
    # products declared in the scenario follow the US node
    prod = {p["id"]: p for p in res["products"]}
    ammo = prod["us-antimonial-lead-ammunition"]
    assert ammo["modelled"] and ammo["worst_share"] == pytest.approx(
        max(expected) / monthly, abs=1e-6
    )


def test_rare_earth_licences_lapse(store: DuckStore) -> None:
    res = run_scenario(store.view(), "rare-earth-licences-lapse").to_json()
    assert res["stages"] == ["mining", "separation"]
    us = {r["month"]: r for r in res["months"] if r["country"] == "USA"}
    sep = {m: r for m, r in us.items() if r["stage"] == "separation"}
    # nothing is withheld while the licences run (June-November 2025)
    assert all(sep[m]["withheld"] == 0 for m in ("2025-06", "2025-11"))
    assert sep["2025-12"]["withheld"] > 0 and sep["2026-12"]["withheld"] == 0
    assert max(r["shortfall"] for r in sep.values()) > 0
    # the restriction names stages that the store cannot model; it says so
    assert res["restrictions"][0]["stages_not_modelled"] == ["metal", "magnets"]
    assert res["balance"]["relative"] < 1e-9


def test_store_products_are_followed(built_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "p.duckdb"
    shutil.copyfile(built_db, db)
    Cli(db).json("import", "example", "products")
    with DuckStore(db, read_only=True) as s:
        res = run_scenario(s.view(), "rare-earth-licences-lapse").to_json()
    prod = {p["id"]: p for p in res["products"]}
    us_magnet = prod["magnet-us-mp"]  # made in the US from separated NdPr oxide
    assert us_magnet["origin"] == "store" and us_magnet["node"]["country"] == "USA"
    assert us_magnet["worst_share"] > 0
    jp_magnet = prod["magnet-jp-cn-oxide"]  # Japan is part of the rest of the world here
    assert jp_magnet["node"]["country"] == "ROW" and jp_magnet["worst_share"] == 0


def test_scenario_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\ntitle: X\nmaterial: antimony\nstart: 2025-13\nmonths: 0\ncolour: red\n"
        "restrictions:\n  - {issuer: Atlantis, stages: [smelting], fraction: 2}\n"
    )
    with pytest.raises(ImportFailed) as exc:
        parse_scenario(bad)
    fields = {(p.file, p.field) for p in exc.value.problems}
    assert ("bad.yaml", "colour") in fields
    bad.write_text(
        "id: x\ntitle: X\nmaterial: antimony\nstart: 2025-13\nmonths: 0\n"
        "restrictions:\n  - {issuer: Atlantis, stages: [smelting], fraction: 2}\n"
    )
    with pytest.raises(ImportFailed) as exc:
        parse_scenario(bad)
    field_names = {p.field for p in exc.value.problems}
    assert field_names == {
        "start",
        "months",
        "restrictions[0].issuer",
        "restrictions[0].stages",
        "restrictions[0].fraction",
    }
    bad.write_text("id: x\ntitle: [unclosed\n")
    with pytest.raises(ImportFailed, match="not valid YAML"):
        parse_scenario(bad)


def test_custom_scenario_with_fact_defaults_and_groups(store: DuckStore, tmp_path: Path) -> None:
    # Without dates the restriction runs from the fact's start to the end of the horizon.
    f = tmp_path / "s.yaml"
    f.write_text(
        "id: ga\ntitle: Antimony ore licences\nmaterial: antimony\nstart: 2024-06\n"
        "months: 6\nfinal_stage: mining\n"
        "demand:\n  - {country: USA, quantity: 1200}\n"
        "restrictions:\n"
        "  - {fact: 'mofcom-2024-33:antimony:mining', target_group: covered, fraction: 0.5}\n"
        "  - {issuer: TJK, stages: [mining], targets: [WLD], start: 2024-07, months: 1}\n"
    )
    res = run_scenario(store.view(), f).to_json()
    r0, r1 = res["restrictions"]
    assert r0["start"] == "2024-09" and r0["end"] == "2024-12"  # fact valid from 2024-09-15
    assert set(r0["targets"]) == {"CHN", "IRN", "PRK", "RUS"}  # the group replaces WLD
    assert r1["effect"] == "months 2-2 of the horizon"
    assert res["balance"]["max_error"] < 1e-6


def test_shock_cli(cli: Cli, tmp_path: Path) -> None:
    out = cli.json("shock", "antimony-us-ban")
    assert out["schema"] == "derisk.shock/1" and out["scenario"]["id"] == "antimony-us-ban"
    for row in out["months"]:
        assert {"month", "stage", "country", "supply", "demand", "shortfall"} <= set(row)
    listed = cli.json("scenarios")["scenarios"]
    assert {s["id"] for s in listed} == {"antimony-us-ban", "rare-earth-licences-lapse"}
    assert all(s["missing_facts"] == [] for s in listed)
    page = tmp_path / "shock.html"
    text = cli.run("shock", "rare-earth-licences-lapse", "--html", str(page))
    assert "Shortfall over the horizon" in text
    html = page.read_text()
    assert "<svg" in html and "<polyline" in html and "<script" not in html
    err = cli.json("shock", "no-such-scenario", code=1)["error"]
    assert "antimony-us-ban" in err["message"]
