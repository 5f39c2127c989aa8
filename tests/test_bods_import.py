"""Every BODS 0.4 example and conformance fixture imports, and `derisk owners` shows the
ownership it describes (expectations read from the files and their expected.md notes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from derisk.data.csvio import ImportFailed
from derisk.data.importers.bods import import_bods
from derisk.store import DuckStore
from tests.conftest import RAW_DATA, Cli

EXAMPLES = RAW_DATA / "bods_official_examples"
FIXTURES = RAW_DATA / "bods_v04_fixtures"
ALL_FILES = sorted(EXAMPLES.glob("*.json")) + sorted(FIXTURES.glob("*/*.json"))


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "bods.duckdb"


def load(db: Path, name: str) -> Cli:
    path = next(p for p in ALL_FILES if p.name == name)
    with DuckStore(db) as store:
        import_bods(store, path)
    return Cli(db)


def owners(cli: Cli, entity: str, *extra: str) -> dict[str, Any]:
    out: dict[str, Any] = cli.json("owners", entity, *extra)
    return out


def by_name(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in res["owners"]}


def test_all_files_present() -> None:
    assert len(ALL_FILES) == 22  # 19 official examples + 3 conformance fixtures


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_file_imports_with_all_records(path: Path, db: Path) -> None:
    statements = json.loads(path.read_text())
    records = {s["recordId"]: s["recordType"] for s in statements}
    with DuckStore(db) as store:
        rep = import_bods(store, path)
        n_entities = store.sql("SELECT count(*) FROM entity")[0][0]
    assert n_entities == sum(1 for t in records.values() if t != "relationship")
    assert rep.rows["source"] == 1
    cli = Cli(db)
    for eid, kind in records.items():
        if kind != "relationship":
            from derisk.data.importers.bods import slug

            res = owners(cli, slug(eid))  # every entity answers `derisk owners`
            assert res["schema"] == "derisk.owners/1"


def test_direct_ownership_fixture(db: Path) -> None:
    cli = load(db, "01-direct-ownership.json")
    res = owners(cli, "Acme Holdings Ltd")
    assert [(h["name"], h["direct_percent"], h["look_through"]) for h in res["owners"]] == [
        ("Jane Smith", 75.0, 0.75)
    ]
    voting = owners(cli, "Acme Holdings Ltd", "--interest", "voting")
    assert voting["owners"][0]["direct_percent"] == 75.0  # both interests kept


def test_circular_fixture_terminates_without_inflating(db: Path) -> None:
    cli = load(db, "10-circular-ownership.json")
    res = owners(cli, "Alpha Corp Ltd")
    assert [(h["name"], h["look_through"]) for h in res["owners"]] == [("Beta Corp Ltd", 1.0)]
    assert res["cycles"] == [["rec-alpha-corp", "rec-beta-corp"]]
    assert res["owners"][0]["integrated"] is None  # the all-chains sum diverges: not shown
    assert all(h["id"] != res["entity"]["id"] for h in res["owners"])  # never its own owner


def test_anonymous_owner_fixture_keeps_the_reason(db: Path) -> None:
    cli = load(db, "11-anonymous-person.json")
    res = owners(cli, "Opaque Holdings SA")
    assert res["owners"] == []
    [right] = res["rights"]
    assert right["holder"] is None
    assert right["right"] == "unspecified-owner"
    assert right["reason"] == "subjectUnableToConfirmOrIdentifyBeneficialOwner"
    assert "unable to identify" in right["note"]


def test_indirect_ownership_declared_beside_the_chain(db: Path) -> None:
    cli = load(db, "indirect-ownership.json")
    res = owners(cli, "Company A")
    assert [(h["name"], h["direct_percent"]) for h in res["owners"]] == [("Company B", 60.0)]
    [decl] = res["declared_interests"]
    assert (decl["owner"], decl["percent_min"], decl["percent_max"]) == ("c25d4d612c2c", 30, 30)
    b = owners(cli, "Company B")
    assert b["rights"][0]["right"] == "unknown-interest"  # component without a share


def test_joint_ownership_through_an_arrangement(db: Path) -> None:
    cli = load(db, "joint-ownership.json")
    got = by_name(owners(cli, "CHRINON LTD"))
    assert got["Joint shareholding"]["look_through"] == 1.0
    assert got["Natalie Coleman"]["look_through"] == 0.5
    assert got["Roberto Lopez"]["look_through"] == 0.5
    assert got["Natalie Coleman"]["paths"][0]["entities"][1] == "91b4236a7d89"


def test_state_owned_chain_fi_soe(db: Path) -> None:
    cli = load(db, "bods-package-fi-soe.json")
    got = by_name(owners(cli, "Gasgrid Finland Oy"))
    ministry = got["Valtiovarainministerio"]
    assert ministry["direct_percent"] == 23.5
    assert ministry["look_through"] == pytest.approx(0.235 + 0.765 * 1.0)
    assert ministry["kind"] == "government"
    res = owners(cli, "Gasgrid Finland Oy")
    assert res["declared_interests"][0]["percent_min"] == 100  # the state, declared indirect


def test_ranges_are_kept_as_bounds(db: Path) -> None:
    cli = load(db, "bods-package-linking-annotations.json")
    [h] = owners(cli, "MARE POND PROPERTIES LIMITED")["owners"]
    assert h["look_through_bounds"] == [0.25, 0.5]  # exclusive 25-50 kept as the bounds
    assert h["direct_percent_max"] == 50.0


def test_versions_follow_each_other_tecido(db: Path) -> None:
    cli = load(db, "tecido.json")

    def shares(day: str) -> dict[str, float]:
        res = owners(cli, "Tecido Ltd", "--as-of", day)
        return {h["name"]: h["direct_percent"] for h in res["owners"]}

    assert shares("2010-01-01") == {"Maria Esteves": 100.0}
    assert shares("2022-01-01") == {"Maria Esteves": 40.0, "Shear Trust": 60.0}
    assert shares("2022-12-01") == {"Maria Esteves": 30.0, "Shear Trust": 70.0}
    assert shares("2024-01-01") == {"Shear Trust": 80.0}  # Maria's interest closed in 2023


def test_versions_fermcat(db: Path) -> None:
    cli = load(db, "fermcat.json")

    def shares(day: str) -> dict[str, float]:
        res = owners(cli, "Fermcat Ltd", "--as-of", day)
        return {h["name"]: h["direct_percent"] for h in res["owners"]}

    assert shares("2020-01-01") == {"Riyadh Byrne-Amin": 50.0, "Patrick O'Donohue": 50.0}
    assert shares("2021-06-01") == {"Declan Byrne-Amin": 50.0, "Patrick O'Donohue": 50.0}
    assert shares("2023-01-01") == {"Patrick O'Donohue": 100.0}


def test_bad_statement_names_record_and_field(tmp_path: Path, db: Path) -> None:
    src = json.loads((FIXTURES / "core" / "01-direct-ownership.json").read_text())
    src[2]["recordDetails"]["interests"][0]["share"] = {"exact": 175}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(src))
    with DuckStore(db) as store, pytest.raises(ImportFailed) as exc:
        import_bods(store, bad)
    [p] = exc.value.problems
    assert (p.row, p.field) == (3, "recordDetails.interests[0].share")
    with DuckStore(db) as store:  # atomic: nothing written
        assert store.sql("SELECT count(*) FROM entity")[0][0] == 0
        assert store.sql("SELECT count(*) FROM source")[0][0] == 0


def test_json_lines_and_streaming(tmp_path: Path, db: Path) -> None:
    src = json.loads((EXAMPLES / "tecido.json").read_text())
    jl = tmp_path / "tecido.jsonl"
    jl.write_text("\n".join(json.dumps(s) for s in src) + "\n")
    seen: list[tuple[str, int | None, int | None]] = []

    def progress(step: str, done: int | None = None, total: int | None = None, /) -> None:
        seen.append((step, done, total))

    with DuckStore(db) as store:
        rep = import_bods(store, jl, progress=progress)
    assert rep.rows["stake"] == 13
    assert seen and seen[-1][1] == seen[-1][2]  # progress reaches the end
    assert seen[-1][2] == 2 * jl.stat().st_size  # two passes over the file, in bytes
    dones = [d for _, d, _ in seen if d is not None]
    assert len(dones) == len(seen)
    assert dones == sorted(dones)  # never goes back between the passes
    assert all(step == "reading tecido.jsonl" for step, _, _ in seen)


def test_truncated_json_is_refused(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text((EXAMPLES / "tecido.json").read_text()[:3000])
    with DuckStore(db) as store, pytest.raises(ImportFailed, match="not valid JSON"):
        import_bods(store, bad)
