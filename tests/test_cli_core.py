"""The core commands as a user runs them, with their JSON schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Cli

EXPOSURE_KEYS = {
    "schema", "as_of", "material", "stage", "stage_name", "year", "year_stated", "unit",
    "measure",
    "data_kind", "world_total", "shares", "unallocated_share", "overallocated_share", "hhi",
    "hhi_bounds", "top3_share", "top_country", "top_share", "selected_countries",
    "selected_group", "selected_share", "selected_share_bounds", "unknown", "data_status",
    "confidence", "source_id", "sources", "alternatives", "chain", "bottleneck_stage",
    "importer",
}  # fmt: skip


def test_exposure_json_schema_antimony_mining_2025(cli: Cli) -> None:
    out = cli.json("exposure", "antimony", "--stage", "mining", "--year", "2025")
    assert set(out) == EXPOSURE_KEYS
    assert out["schema"] == "derisk.exposure/1"
    assert (out["material"], out["stage"], out["year"], out["unit"]) == (
        "antimony", "mining", 2025, "t"
    )  # fmt: skip
    assert out["world_total"] == 110000
    assert out["shares"][0] == {
        "country": "CHN", "name": "China", "quantity": 40000.0,
        "share": round(40000 / 110000, 6), "status": "estimated",
    }  # fmt: skip
    for s in out["shares"]:
        assert set(s) == {"country", "name", "quantity", "share", "status"}
    assert out["selected_countries"] == ["CHN"]
    assert (
        out["selected_share_bounds"][0] <= out["selected_share"] <= out["selected_share_bounds"][1]
    )
    assert out["sources"][0]["source_id"] == "usgs-mcs2026-antimony"
    assert out["sources"][0]["url"].startswith("https://pubs.usgs.gov/")
    assert [c["stage"] for c in out["chain"]] == ["mining", "refining", "oxide"]
    assert out["chain"][2]["data_status"] == "no-data"


def test_group_selection_counts_every_member(cli: Cli) -> None:
    china = cli.json("exposure", "antimony", "--stage", "mining", "--year", "2025")
    covered = cli.json(
        "exposure", "antimony", "--stage", "mining", "--year", "2025", "--group", "covered"
    )
    assert covered["selected_group"] == "covered"
    assert sorted(covered["selected_countries"]) == ["CHN", "IRN", "PRK", "RUS"]
    # China 40,000 + Russia 32,000 + Iran 90 of 110,000 t.
    assert covered["selected_share"] == round((40000 + 32000 + 90) / 110000, 6)
    assert covered["selected_share"] > china["selected_share"]
    two = cli.json("exposure", "antimony", "--stage", "mining", "--year", "2025",
                   "--countries", "CHN,RUS")  # fmt: skip
    assert two["selected_share"] == round(72000 / 110000, 6)


def test_group_membership_is_dated(cli: Cli) -> None:
    before = cli.json("overview", "--group", "msp", "--as-of", "2022-01-01")
    after = cli.json("overview", "--group", "msp", "--as-of", "2026-01-01")
    assert before["selected_countries"] == []  # founded 14 June 2022
    assert "USA" in after["selected_countries"]


def test_importer_block(cli: Cli) -> None:
    out = cli.json("exposure", "antimony", "--stage", "mining", "--importer", "USA")
    imp = out["importer"]
    assert imp["importer"] == "USA"
    # Only the mining stage's import sources (and material-wide ones, stage null) answer; the
    # oxide figures are named, not used.
    assert {c["stage"] for c in imp["categories"]} == {"mining", None}
    assert "Oxide" in imp["other_stages"]["oxide"]
    assert any(r["raw"] == "91" or r["value"] == 0.91 for r in imp["import_reliance"])
    from derisk.services.exposure import importer_exposure
    from derisk.store import DuckStore

    with DuckStore(cli.db, read_only=True) as s:
        at = importer_exposure(s.view(), "USA", "antimony", ("CHN",), stage="oxide").to_json()
    oxide = next(c for c in at["categories"] if c["category"] == "Oxide")
    assert oxide["selected_share"] == 0.66  # USGS: China 66% of US oxide imports 2021-24
    # China is named in the category, so "other" (7%) cannot be China ...
    assert oxide["selected_share_bounds"] == [0.66, 0.66]
    # ... but it may hide Russia, North Korea or Iran, which are not named.
    with DuckStore(cli.db, read_only=True) as s:
        cov = importer_exposure(
            s.view(), "USA", "antimony", ("CHN", "RUS", "PRK", "IRN"), stage="oxide"
        ).to_json()
    oxide = next(c for c in cov["categories"] if c["category"] == "Oxide")
    assert oxide["selected_share"] == 0.66 and oxide["selected_share_bounds"] == [0.66, 0.73]


def test_overview_json_and_table(cli: Cli) -> None:
    out = cli.json("overview")
    assert out["schema"] == "derisk.overview/1"
    row = next(r for r in out["rows"] if (r["material"], r["stage"]) == ("gallium", "refining"))
    assert row["selected_share"] == 1.0 and row["top_country"] == "CHN"
    text = cli.run("overview")
    assert "gallium" in text and "100.0%" in text


def test_materials_and_sources(cli: Cli) -> None:
    mats = cli.json("materials")["materials"]
    ids = [m["material"] for m in mats]
    needed = "antimony rare-earths gallium graphite lithium cobalt nickel tungsten manganese"
    for m in (*needed.split(), "magnesium", "tantalum", "copper"):
        assert m in ids
    src = cli.json("sources", "usgs-mcs2026-antimony")
    assert src["source"]["publisher"] == "U.S. Geological Survey"
    assert src["facts"] > 30
    fact_id = cli.json("exposure", "gallium")["sources"][0]["source_id"]
    assert cli.json("sources", fact_id)["source"]["source_id"] == fact_id


def test_errors_are_clean(cli: Cli) -> None:
    err = cli.json("exposure", "unobtainium", code=1)["error"]
    assert err["kind"] == "not-found" and "derisk materials" in err["message"]
    err = cli.json("exposure", "antimony", "--stage", "smelting", code=1)["error"]
    assert "has no stage" in err["message"]
    err = cli.json("exposure", "antimony", "--stage", "mining", "--year", "1990", code=1)["error"]
    assert "years with data: 2024, 2025" in err["message"]
    err = cli.json("exposure", "antimony", "--countries", "Atlantis", code=2)["error"]
    assert "unknown country" in err["message"]
    err = cli.json("overview", "--group", "nato", code=1)["error"]
    assert "covered" in err["message"]
    err = cli.json("overview", "--as-of", "yesterday", code=2)["error"]
    assert "YYYY-MM-DD" in err["message"]
    assert "error" in cli.run("sources", "no-such-id", code=1)


def test_no_data_before_publication_names_the_date(cli: Cli) -> None:
    """USGS published MCS 2026 antimony on 2026-01-30 (its source row); asked as of an earlier
    day, the stage has no figures yet, and the message says as of when, not just 'no data'."""
    err = cli.json("exposure", "antimony", "--stage", "mining", "--as-of", "2026-01-29", code=1)
    assert err["error"]["kind"] == "not-found"
    assert "as of 2026-01-29" in err["error"]["message"]
    ok = cli.json("exposure", "antimony", "--stage", "mining", "--as-of", "2026-01-30")
    assert ok["year"] == 2025


def test_db_commands(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "new.duckdb")
    missing = cli.json("overview", code=1)["error"]
    assert missing["kind"] == "store" and "derisk db init" in missing["message"]
    init = cli.json("db", "init")
    assert init["rows"]["production"] > 700
    status = cli.json("db", "status")
    assert status["schema_version"] == status["expected_version"] == 1
    assert status["datasets"][0]["name"] == "bundled"
    again = cli.json("db", "reset", "--yes")
    assert again["rows"] == init["rows"]


def test_installed_command_and_report(built_db: Path, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("derisk")
    env = dict(os.environ, DERISK_DB=str(built_db))
    out = tmp_path / "overview.html"
    subprocess.run([str(exe), "report", "overview", "--out", str(out)], env=env, check=True)
    html = out.read_text()
    assert "<table" in html and "usgs-mcs2026-gallium" in html
    assert "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-antimony.pdf" in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # no remote assets
    assert "<script src" not in html


def test_version_matches_the_package() -> None:
    import derisk

    exe = Path(sys.executable).with_name("derisk")
    for argv in (["--version"], ["--version", "overview"]):
        run = subprocess.run([str(exe), *argv], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == f"derisk {derisk.__version__}"
