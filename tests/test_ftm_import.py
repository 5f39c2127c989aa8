"""FollowTheMoney entities made with the followthemoney model, imported and screened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from followthemoney import model

from derisk.data.csvio import ImportFailed
from derisk.data.importers.ftm import import_ftm
from derisk.store import DuckStore
from tests.conftest import Cli


def write(path: Path, proxies: list[dict[str, object]]) -> Path:
    lines = []
    for data in proxies:
        proxy = model.get_proxy(data)  # validated by the package's own model
        lines.append(json.dumps(proxy.to_dict()))
    path.write_text("\n".join(lines) + "\n")
    return path


def sample(tmp_path: Path) -> Path:
    return write(
        tmp_path / "ftm.jsonl",
        [
            {"id": "gov-x", "schema": "PublicBody", "properties": {"name": ["Ministry X"],
                                                                  "jurisdiction": ["cn"]}},
            {"id": "hold", "schema": "Company", "properties": {"name": ["Hold Ltd"],
                                                              "jurisdiction": ["gb"]}},
            {"id": "op", "schema": "Organization", "properties": {"name": ["Op Mining"],
                                                                 "country": ["cd"]}},
            {"id": "p1", "schema": "Person", "properties": {"name": ["A Person"],
                                                           "nationality": ["fr"]}},
            {"id": "o1", "schema": "Ownership", "properties": {
                "owner": ["gov-x"], "asset": ["hold"], "percentage": ["60"],
                "startDate": ["2020-01-01"]}},
            {"id": "o2", "schema": "Ownership", "properties": {
                "owner": ["hold"], "asset": ["op"], "percentage": ["25-50%"]}},
            {"id": "d1", "schema": "Directorship", "properties": {
                "director": ["p1"], "organization": ["op"], "role": ["director"]}},
            {"id": "n1", "schema": "Note", "properties": {"entity": ["op"], "description": ["x"]}},
        ],
    )  # fmt: skip


def test_ftm_import_and_look_through(tmp_path: Path, fresh_db: Path) -> None:
    path = sample(tmp_path)
    with DuckStore(fresh_db) as store:
        rep = import_ftm(store, path)
    assert rep.rows["entity"] == 4 and rep.rows["stake"] == 1 and rep.rows["stake_range"] == 1
    assert rep.rows["skipped:Note"] == 1
    cli = Cli(fresh_db)
    res = cli.json("owners", "Op Mining", "--as-of", "2026-01-01")
    got = {h["id"]: h for h in res["owners"]}
    assert got["hold"]["look_through_bounds"] == [0.25, 0.5]
    assert got["gov-x"]["look_through_bounds"] == [pytest.approx(0.15), pytest.approx(0.30)]
    assert got["gov-x"]["kind"] == "government" and got["gov-x"]["country"] == "CHN"
    assert res["rights"][0]["right"] == "board-member"
    scr = cli.json("screen", "op", "--rule", "feoc", "--as-of", "2026-01-01")
    assert scr["verdict"] == "indeterminate"  # 15% at the lower end, 30% at the upper end


def test_ftm_bad_reference_names_record(tmp_path: Path, fresh_db: Path) -> None:
    path = write(
        tmp_path / "bad.jsonl",
        [
            {"id": "a", "schema": "Company", "properties": {"name": ["A"]}},
            {"id": "o", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["zz"],
                                                             "percentage": ["10"]}},
        ],
    )  # fmt: skip
    with DuckStore(fresh_db) as store, pytest.raises(ImportFailed) as exc:
        import_ftm(store, path)
    [p] = exc.value.problems
    assert (p.row, p.field) == (2, "asset")
    with DuckStore(fresh_db) as store:
        assert store.sql("SELECT count(*) FROM entity WHERE dataset = 'ftm'")[0][0] == 0
