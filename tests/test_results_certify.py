"""Typed results of certification and tracing: each conforms to its SCHEMA, equals the CLI's
--json, gives the CLI's rows as a frame, and the API's models are derived from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import derisk
from derisk.api import models
from derisk.data.importers.products import load_example_products
from derisk.model.record import Record
from derisk.services import certify as certify_service
from derisk.services import results
from derisk.services import trace as trace_service
from derisk.services.results import certify as rc
from derisk.services.results import trace as rt
from derisk.store import DuckStore
from tests.certify_fixtures import bom, company, cost, fac, link, load, product
from tests.conftest import Cli
from tests.test_results import conforms


@pytest.fixture(scope="module")
def example_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cert-results") / "example.duckdb"
    shutil.copyfile(built_db, path)
    with DuckStore(path) as s:
        load_example_products(s)
    return path


@pytest.fixture(scope="module")
def db(example_db: Path) -> Iterator[Any]:
    with derisk.open(example_db) as d:
        yield d


def _frame_is(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> None:
    """The frame has the rows' columns in order and the same records (nested values compared
    as JSON data)."""
    expected = pd.DataFrame.from_records(rows)
    assert list(frame.columns) == list(expected.columns)
    assert frame.to_dict("records") == expected.to_dict("records")


CERTIFICATES = [
    ("magnet-jp-cn-oxide", "dfars-7052", "2027-01-01"),  # traced, non-compliant
    ("magnet-jp-cn-oxide", "dfars-7052", "2026-12-31"),  # the earlier version
    ("magnet-us-mp", "dfars-7052", "2027-06-30"),
    ("cathode-nmc811", "eu-crma-65", "2026-06-01"),
    ("cathode-nmc811", "macr-45x-battery", "2026-06-01"),  # cost ratio: cost findings
    ("cathode-nmc811", "dfars-7052", "2027-01-01"),  # not applicable: no findings
]


@pytest.mark.parametrize(("product", "rule", "as_of"), CERTIFICATES)
def test_certificate_frame_is_the_cli_rows(
    db: Any, example_db: Path, product: str, rule: str, as_of: str
) -> None:
    expected = Cli(example_db).json("certify", product, "--rule", rule, "--as-of", as_of)
    res = db.certify(product, rule, as_of=as_of)
    assert isinstance(res, rc.Certificate)
    assert conforms(res) == expected
    assert list(res.to_json()) == list(expected)  # key order, `macr` only for cost ratios
    _frame_is(res.to_frame(), expected["findings"])
    _frame_is(res.to_frame("stages"), expected["stages"])
    kind = rc.CostFinding if res.rule_kind == "macr" else rc.ShareFinding
    assert all(isinstance(f, kind) for f in res.findings)


@pytest.mark.parametrize(
    ("product", "as_of"),
    [("magnet-jp-cn-oxide", "2026-06-01"), ("magnet-us-mp", None), ("cathode-nmc811", None)],
)
def test_trace_frame_is_the_cli_rows(
    db: Any, example_db: Path, product: str, as_of: str | None
) -> None:
    argv = ["trace", product] + (["--as-of", as_of] if as_of else [])
    expected = Cli(example_db).json(*argv)
    res = db.trace(product, as_of=as_of)
    assert isinstance(res, rt.Trace)
    assert conforms(res) == expected
    _frame_is(res.to_frame(), expected["materials"])
    _frame_is(res.to_frame("missing"), expected["missing"])
    stages = res.materials[0].to_frame()
    _frame_is(stages, expected["materials"][0]["stages"])


def test_batch_products_and_rules_are_the_cli_json(db: Any, example_db: Path) -> None:
    cli = Cli(example_db)
    batch = db.certify(None, "dfars-7052", as_of="2027-01-01")
    assert isinstance(batch, rc.CertifyBatch)
    expected = cli.json("certify", "--all", "--rule", "dfars-7052", "--as-of", "2027-01-01")
    assert conforms(batch) == expected
    _frame_is(batch.to_frame(), expected["verdicts"])
    prods = db.products()
    assert isinstance(prods, rc.Products)
    expected = cli.json("products")
    assert conforms(prods) == expected
    _frame_is(prods.to_frame(), expected["products"])
    rules = certify_service.list_rules()
    expected = cli.json("rule-packs")
    assert conforms(rules) == expected
    # a max-share rule carries countries and materials, a cost-ratio rule its screening rule
    by_id = {r.rule: r for r in rules.rules}
    assert "countries" in by_id["dfars-7052"] and "screening" not in by_id["dfars-7052"]
    assert "screening" in by_id["macr-45x-battery"] and "metric" not in by_id["macr-45x-battery"]


def test_results_are_frozen_and_read_like_their_json(db: Any) -> None:
    res = db.certify("magnet-jp-cn-oxide", "dfars-7052", as_of="2027-01-01")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.verdict = "compliant"
    with pytest.raises(TypeError):
        res["findings"][0]["share"] = 0.0
    assert res["findings"][0] == res.to_json()["findings"][0]
    assert res.findings[0].country == res["findings"][0]["country"]
    assert "macr" not in res and "macr" in res.SCHEMA["properties"]
    assert isinstance(res.parameters, rc.ShareParameters)
    assert res.parameters.country_rule.to_json() == {"group": "covered"}
    tr = db.trace("magnet-jp-cn-oxide")
    ent = next(iter(tr.entities.values()))
    assert isinstance(ent.screening["pfe"], rt.ScreeningStatus)


def test_missing_items_keep_their_keys_by_kind(fresh_db: Path) -> None:
    """Each kind of missing item carries its own keys, in the order they are printed."""
    rows = [
        fac("mine-aut", "AUT", "tungsten", "mining", "mine"),
        fac("apt-aut", "AUT", "tungsten", "refining"),
        fac("apt-x", None, "tungsten", "refining"),
        fac("parts", "USA", None, None, "component-plant"),
        fac("assembly", "USA", None, None, "component-plant"),
        link("l1", "mine-aut", "apt-aut", "tungsten", 0.5),
        link("l2", "apt-aut", "parts", "tungsten", 1.0),
        link("l3", "apt-x", "assembly", "tungsten", 1.0),
        product("insert", "parts", "tungsten"),
        bom("insert", "w", "tungsten", "refining", qty=2.0),
        product("tool", "assembly", "tungsten"),
        bom("tool", "w", "tungsten", "refining", qty=None),
        bom("tool", "ins", None, None, qty=3.0, component="insert"),
        company("maker", "USA"),
        company("us-co", "USA"),
        fac("cell-plant", "USA", None, None, "component-plant", operator="maker"),
        product("cell", "cell-plant", "battery-component", owner="maker"),
        bom("cell", "li", "lithium", "refining"),
        cost("c-us", "cell", 600.0, "us-co"),
        cost("c-x", "cell", 400.0, None),
    ]
    load(fresh_db, rows)
    with DuckStore(fresh_db, read_only=True) as s:
        tool = certify_service.certify(s.view(as_of=dt.date(2027, 1, 1)), "tool", "dfars-7052")
        cell = certify_service.certify(
            s.view(as_of=dt.date(2026, 6, 30)), "cell", "macr-45x-battery"
        )
        traced = trace_service.trace(s.view(as_of=dt.date(2027, 1, 1)), "tool")
    keys = {m.kind: list(m.to_json()) for m in (*tool.missing, *cell.missing, *traced.missing)}
    tail = ["share_of_product", "stages", "ask", "message"]
    assert keys["supplier-share"] == [
        "kind", "material", "facility", "facility_name", "unknown_share_of_input", *tail,
    ]  # fmt: skip
    assert keys["facility-country"] == ["kind", "material", "facility", "facility_name", *tail]
    assert keys["bom-quantity"] == ["kind", "material", "facility", "line_id", *tail]
    assert keys["cost-supplier"] == ["kind", "cost_id", "facility", *tail]
    for res in (tool, cell, traced):
        conforms(res)
    assert isinstance(cell.macr, rc.Macr) and cell.macr.exact_bounds == ("3/5", "1")
    evidence = cell.findings[0].evidence[0]
    assert isinstance(evidence, rc.CostEvidence) and evidence.screening.verdict == "not-pfe"


DERIVED = [
    (rc.Certificate, models.CertificateOut),
    (rt.Trace, models.TraceOut),
    (rc.Products, models.ProductsOut),
    (rc.Rules, models.RulesOut),
]


@pytest.mark.parametrize(("record", "model"), DERIVED)
def test_api_models_are_derived_from_the_results(record: type[Record], model: Any) -> None:
    api = model.model_json_schema(mode="serialization")
    assert set(api["properties"]) - {"page"} == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        cls = next(getattr(m, name) for m in (rc, rt, results) if hasattr(m, name))
        derived = models.derive(cls)
        assert set(derived.model_json_schema(mode="serialization")["properties"]) == set(
            sub["properties"]
        )


def test_openapi_names_the_derived_models(example_db: Path) -> None:
    from fastapi.testclient import TestClient

    from derisk.api.app import create_app

    spec = TestClient(create_app(example_db)).get("/openapi.json").json()
    for path, model in [
        ("/api/certify/{product}", "CertificateOut"),
        ("/api/trace/{product}", "TraceOut"),
        ("/api/products", "ProductsOut"),
        ("/api/rules", "RulesOut"),
    ]:
        ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"].endswith("/" + model)


PUBLIC = [
    certify_service.certify,
    certify_service.certify_many,
    certify_service.list_rules,
    certify_service.list_products,
    trace_service.trace,
    trace_service.screening_status,
]


def _untyped(tp: Any) -> bool:
    if tp is Any:
        return True
    return any(_untyped(a) for a in typing.get_args(tp))


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__name__)
def test_public_functions_take_and_return_typed_values(fn: Any) -> None:
    hints = typing.get_type_hints(fn)
    ret = hints.pop("return")
    assert isinstance(ret, type) and issubclass(ret, Record), ret
    loose = [name for name, tp in hints.items() if _untyped(tp)]
    assert not loose, f"{fn.__name__} takes untyped parameters: {loose}"
