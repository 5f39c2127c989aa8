"""`derisk sources ID` (``source_lookup``) finds a fact by id in every fact table of the schema,
including tables registered by area modules (trade, export restrictions, supply events, ...)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from derisk.data.loader import load_rows
from derisk.model.schema import TABLES, Source, columns
from derisk.services.common import NotFound
from derisk.services.exposure import lookup_tables, source_lookup
from derisk.services.sources import list_sources, source_facts
from derisk.store import DuckStore

SOURCE = Source(
    source_id="lookup-test",
    publisher="Example Ministry",
    title="A source cited by one fact of every table",
    url="https://example.org/lookup",
    published=dt.date(2026, 1, 1),
    confidence="M",
    precedence=45,
)
PLACEHOLDER: dict[type[Any], Any] = {str: "x", float: 1.0, int: 2025, bool: True}


def fact_row(table: str, fact_id: str) -> Any:
    """A row of ``table`` with ``fact_id``, citing :data:`SOURCE`, built from the schema alone
    (required columns get a placeholder of their type) so every registered table gets one."""
    values: dict[str, Any] = {}
    for col in columns(TABLES[table]):
        if col.name == "fact_id":
            values[col.name] = fact_id
        elif col.name == "source_id":
            values[col.name] = SOURCE.source_id
        elif not col.has_default:
            values[col.name] = PLACEHOLDER.get(col.py_type, dt.date(2025, 1, 1))
    return TABLES[table](**values)


FACT_TABLES = [t for t, key in lookup_tables() if key == "fact_id"]


@pytest.fixture(scope="module")
def every_table_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled database plus one fact, ``lookup:<table>``, in every fact-id table."""
    db = tmp_path_factory.mktemp("lookup") / "lookup.duckdb"
    shutil.copyfile(built_db, db)
    parsed = {"sources": [SOURCE], **{t: [fact_row(t, f"lookup:{t}")] for t in FACT_TABLES}}
    with DuckStore(db) as store:
        load_rows(store, parsed, dataset="lookup-test", origin="test")
    return db


def test_every_table_with_a_fact_id_column_is_searched(built_db: Path) -> None:
    """Independently of the schema module: the database's own tables with a fact_id column."""
    with DuckStore(built_db, read_only=True) as store:
        in_db = {
            r[0]
            for r in store.sql(
                "SELECT DISTINCT table_name FROM information_schema.columns "
                "WHERE column_name = 'fact_id'"
            )
        }
    assert in_db <= set(FACT_TABLES)
    # the tables the web's fact links point into, beyond the original six
    assert {"trade", "export_restriction", "supply_event", "facility_capacity"} <= in_db


@pytest.mark.parametrize("table", FACT_TABLES)
def test_a_fact_is_found_in_its_table(every_table_db: Path, table: str) -> None:
    with DuckStore(every_table_db, read_only=True) as store:
        got = source_lookup(store.view(), f"lookup:{table}").to_json()
    assert got["schema"] == "derisk.source/1"
    assert got["fact"]["table"] == table
    assert got["fact"]["fact_id"] == f"lookup:{table}"
    assert got["fact"]["dataset"] == "lookup-test"
    assert got["source"]["source_id"] == "lookup-test"
    assert got["facts"] == 1


def test_bundled_restriction_fact_and_entity(store: DuckStore) -> None:
    got = source_lookup(store.view(), "mofcom-2024-46:antimony:refining").to_json()
    assert got["fact"]["table"] == "export_restriction"
    assert got["fact"]["issuer"] == "CHN" and got["fact"]["target"] == "USA"
    assert got["source"]["source_id"] == "mofcom-2024-46"
    assert source_lookup(store.view(), "mp-materials").to_json()["fact"]["table"] == "entity"


def test_source_fact_count_is_the_sources_list_count(every_table_db: Path) -> None:
    with DuckStore(every_table_db, read_only=True) as store:
        listed = {s["source_id"]: s["facts"] for s in list_sources(store.view())["sources"]}
        cited = source_facts(store.view(), "lookup-test")["facts"]
        for sid in ("lookup-test", "usgs-mcs2026-antimony", "mofcom-2024-46"):
            assert source_lookup(store.view(), sid).to_json()["facts"] == listed[sid]
    assert listed["lookup-test"] == len(FACT_TABLES)
    # each cited fact carries the id it is found by, in every table
    assert {f["table"]: f["fact_id"] for f in cited} == {t: f"lookup:{t}" for t in FACT_TABLES}


@pytest.mark.parametrize("ident", ["x' OR '1'='1", 'lookup:trade"; DROP TABLE trade; --', ""])
def test_ids_are_parameters_not_sql(every_table_db: Path, ident: str) -> None:
    with DuckStore(every_table_db, read_only=True) as store:
        with pytest.raises(NotFound):
            source_lookup(store.view(), ident).to_json()
        assert store.sql("SELECT count(*) FROM trade")[0][0] == 1
