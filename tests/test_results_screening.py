"""Typed screening, engine and import results: the API models are derived from them, their
JSON matches their SCHEMA, and the Python API's tables are the CLI's --json rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import derisk
from derisk.api import models
from derisk.model.record import Record
from derisk.model.schema import Entity, Source, Stake
from derisk.services import results
from derisk.services.results import engines as engine_results
from derisk.services.results import imports as import_results
from derisk.services.results import screening as screening_results
from tests.conftest import Cli
from tests.test_results import conforms


@pytest.fixture(scope="module")
def db(built_db: Path) -> Any:
    with derisk.open(built_db) as d:
        yield d


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (screening_results.ScreenEntity, models.ScreenOut),
        (screening_results.ScreenAll, models.ScreenAllOut),
    ],
)
def test_screen_models_are_derived_from_the_results(record: type[Record], model: Any) -> None:
    api = model.model_json_schema(mode="serialization")
    assert set(api["properties"]) - {"page"} == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        mod = screening_results if hasattr(screening_results, name) else results
        derived = models.derive(getattr(mod, name))
        assert set(derived.model_json_schema(mode="serialization")["properties"]) == set(
            sub["properties"]
        )


def test_openapi_names_the_screen_models(built_db: Path) -> None:
    from fastapi.testclient import TestClient

    from derisk.api.app import create_app

    paths = TestClient(create_app(built_db)).get("/openapi.json").json()["paths"]
    for path, model in (("/api/screen/{entity}", "ScreenOut"), ("/api/screen", "ScreenAllOut")):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{model}"}


@pytest.mark.parametrize(
    ("entity", "rule"),
    [
        ("talison-lithium", "pfe"),
        ("cmoc", "fie"),
        ("Talison Lithium", "feoc"),
        ("glencore", "sfe"),
        ("tianqi-lithium", "pfe"),
    ],
)
def test_screen_frame_is_the_cli_rows(db: Any, built_db: Path, entity: str, rule: str) -> None:
    expected = Cli(built_db).json("screen", entity, "--rule", rule, "--as-of", "2026-09-01")
    res = db.screen(entity, rule=rule, as_of="2026-09-01")
    assert isinstance(res, screening_results.ScreenEntity)
    assert conforms(res) == expected
    pd.testing.assert_frame_equal(res.to_frame(), pd.DataFrame.from_records(expected["tests"]))
    for name, comp in res.components.items():
        assert comp.to_json() == expected["components"][name]


@pytest.mark.parametrize("rule", ["pfe", "feoc"])
def test_screen_all_frame_is_the_cli_rows(db: Any, built_db: Path, rule: str) -> None:
    expected = Cli(built_db).json("screen", "--all", "--rule", rule)
    res = db.screen(rule=rule, all_entities=True)
    assert isinstance(res, screening_results.ScreenAll)
    assert conforms(res) == expected
    frame = res.to_frame()
    pd.testing.assert_frame_equal(frame, pd.DataFrame.from_records(expected["entities"]))
    assert dict(frame["verdict"].value_counts()) == {
        k: v for k, v in expected["counts"].items() if v
    }


def test_listed_entries_and_settle_items_are_typed(db: Any, tmp_path: Path) -> None:
    """A listed entity carries its list entries; a range across a threshold names the stake
    that would settle the verdict (both as records, printed as before)."""
    res = None
    for row in db.screen(rule="sfe", all_entities=True).entities:
        if "listed" in row.flagged_by:
            res = db.screen(row.id, rule="sfe")
            break
    assert res is not None, "the bundle names no listed entity"
    listed = next(t for t in res.tests if t.test == "listed")
    assert isinstance(listed, screening_results.FlagTest)
    assert isinstance(listed.entries, tuple) and listed.entries
    assert all(isinstance(e, screening_results.ListEntry) for e in listed.entries)

    from derisk.data.loader import build_database, load_rows
    from derisk.model.ownership import StakeRange
    from derisk.store import DuckStore

    path = tmp_path / "r.duckdb"
    with DuckStore(path) as store:
        build_database(store)
        rows = [
            Source("s", "test", "hand-made"),
            Entity("gov", "government", "Covered Government Agency", "s", country="CHN"),
            Entity("hold", "company", "Holding Co", "s", country="AUS"),
            Entity("t", "company", "Target Co", "s", country="USA"),
            Stake("a", "gov", "hold", "equity", 50.0, "s"),
            StakeRange("b", "hold", "t", "equity", 25.0, 75.0, "s"),
        ]
        load_rows(store, {"x": rows}, dataset="x", origin="test")
    with derisk.open(path) as small:
        ranged = small.screen("t", rule="feoc", as_of="2026-01-01")
    assert isinstance(ranged, screening_results.ScreenEntity)
    assert ranged.verdict == "indeterminate"
    [settle] = ranged.settle
    assert isinstance(settle, screening_results.SettleStake) and settle.fact_id == "b"
    expected = Cli(path).json("screen", "t", "--rule", "feoc", "--as-of", "2026-01-01")
    assert conforms(ranged) == expected
    assert list(expected["settle"][0]) == [
        "fact_id", "owner", "owned", "interest", "percent_min", "percent_max", "source_id", "what",
    ]  # fmt: skip


def engine_json(*argv: str) -> Any:
    """``derisk ARGV --json`` of a command that takes no ``--db``."""
    from typer.testing import CliRunner

    from derisk.cli import app

    out = CliRunner().invoke(app, [*argv, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_engine_results_conform(tmp_path: Path) -> None:
    stakes = pa.table(
        {
            "owner_id": ["a", "b", "a"],
            "owned_id": ["b", "c", "c"],
            "interest": ["equity"] * 3,
            "percent": [60.0, 50.0, 10.0],
        }
    )
    pq.write_table(stakes, tmp_path / "stakes.parquet")
    out = tmp_path / "shares.parquet"
    res = engine_json(
        "engine", "lookthrough", str(tmp_path / "stakes.parquet"), "--out", str(out),
        "--member", "a", "--engine", "local",
    )  # fmt: skip
    from derisk.engines import get_engine
    from derisk.services import engines

    typed = engines.lookthrough_files(
        get_engine("local"), str(tmp_path / "stakes.parquet"), ["a"], str(out)
    )
    assert isinstance(typed, engine_results.EngineShares)
    data = conforms(typed)
    assert {k: v for k, v in data.items() if k != "seconds"} == {
        k: v for k, v in res.items() if k != "seconds"
    }
    assert [(t.entity, t.share) for t in typed.top] == [("b", 0.6), ("c", 0.4)]
    info = engine_json("engine", "info", "--engine", "local")
    assert conforms(engines.engine_info(get_engine("local"))) == info


def test_import_result_is_one_type(fresh_db: Path, tmp_path: Path) -> None:
    """`derisk import csv` and `derisk import stakes-bulk` print the same typed result."""
    src = tmp_path / "sources.csv"
    src.write_text(
        "source_id,publisher,title,url,published,confidence,precedence\n"
        "my-survey,Example Ministry,Survey,https://example.org/s,2026-03-01,M,45\n",
        encoding="utf-8",
    )
    cli = Cli(fresh_db)
    res = cli.json("import", "csv", "sources", str(src), "--dataset", "mine")
    assert res["rows"] == {"source": 1}
    from derisk.services import imports

    typed = import_results.ImportResult(
        dataset=res["dataset"], rows=res["rows"], seconds=res["seconds"]
    )
    assert conforms(typed) == res
    stakes = tmp_path / "stakes.csv"
    stakes.write_text(
        "fact_id,owner_id,owned_id,interest,percent,source_id\nb1,x,y,equity,40,my-survey\n",
        encoding="utf-8",
    )
    bulk = cli.json("import", "stakes-bulk", str(stakes), "--dataset", "bulk1")
    keys = list(import_results.ImportResult.SCHEMA["properties"])
    assert list(bulk) == [k for k in keys if k != "reused_entities"]  # example products only
    with pytest.raises(derisk.BadInputError, match="unknown import format"):
        from derisk.store import DuckStore

        with DuckStore(fresh_db) as store:
            imports.import_file(store, "xml", src, dataset="d")  # type: ignore[arg-type]
