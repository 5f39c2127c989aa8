"""Typed results: each is frozen, its JSON matches its SCHEMA, the API models are derived from
it, and the Python API's tables are the CLI's --json rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import derisk
from derisk.api import models
from derisk.model.record import Record
from derisk.services import results
from tests.conftest import Cli


def _check(value: Any, schema: dict[str, Any], defs: dict[str, Any], where: str) -> None:
    """A small JSON-schema check of the subset :func:`derisk.model.record.json_schema`
    writes: type, anyOf, $ref, properties/required/additionalProperties, items, prefixItems."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _check(value, option, defs, where)
                return
            except AssertionError as exc:
                errors.append(str(exc))
        raise AssertionError(f"{where}: {value!r} matches no option ({'; '.join(errors)})")
    kind = schema.get("type")
    if kind is None:
        return
    ok = {
        "null": value is None,
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]
    assert ok, f"{where}: {value!r} is not {kind}"
    if kind == "array":
        if "prefixItems" in schema:
            assert len(value) == len(schema["prefixItems"]), where
            for i, (v, s) in enumerate(zip(value, schema["prefixItems"], strict=True)):
                _check(v, s, defs, f"{where}[{i}]")
        else:
            for i, v in enumerate(value):
                _check(v, schema.get("items", {}), defs, f"{where}[{i}]")
    if kind == "object":
        props = schema.get("properties")
        if props is None:
            extra = schema.get("additionalProperties", {})
            for k, v in value.items():
                _check(v, extra if isinstance(extra, dict) else {}, defs, f"{where}.{k}")
            return
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: keys missing: {sorted(missing)}"
        unknown = set(value) - set(props)
        assert not unknown, f"{where}: keys not in the schema: {sorted(unknown)}"
        for k, v in value.items():
            _check(v, props[k], defs, f"{where}.{k}")


def conforms(res: Record) -> dict[str, Any]:
    """``res.to_json()`` after checking it against ``type(res).SCHEMA``."""
    data = res.to_json()
    schema = type(res).SCHEMA
    _check(data, schema, schema.get("$defs", {}), type(res).__name__)
    return data


@pytest.fixture(scope="module")
def db(built_db: Path) -> Any:
    with derisk.open(built_db) as d:
        yield d


EXPOSURES = [
    ("antimony", "mining"),
    ("antimony", "refining"),
    ("graphite", "anode"),
    ("rare-earths", "mining"),
    ("lithium", None),
    ("cobalt", "refining"),
]


@pytest.mark.parametrize(("material", "stage"), EXPOSURES)
def test_exposure_frame_is_the_cli_rows(
    db: Any, built_db: Path, material: str, stage: str | None
) -> None:
    argv = ["exposure", material] + (["--stage", stage] if stage else [])
    expected = Cli(built_db).json(*argv)
    res = db.exposure(material, stage=stage)
    assert isinstance(res, results.Exposure)
    assert conforms(res) == expected
    pd.testing.assert_frame_equal(res.to_frame(), pd.DataFrame.from_records(expected["shares"]))
    pd.testing.assert_frame_equal(
        res.to_frame("chain"), pd.DataFrame.from_records(expected["chain"])
    )
    assert res.to_arrow().num_rows == len(expected["shares"])


def test_results_conform_to_their_schema(db: Any) -> None:
    checked = [
        conforms(db.materials()),
        conforms(db.overview(group="covered")),
        conforms(db.exposure("graphite", stage="anode", importer="USA")),
        conforms(db.exposure("antimony", importer="KOR", countries="CHN,RUS")),
        conforms(db.sources("usgs-mcs2026-antimony")),
        conforms(db.owners("talison-lithium", as_of="2026-09-01")),
        conforms(db.holdings("tianqi-lithium")),
    ]
    assert checked[2]["importer"]["importer"] == "USA"


def test_a_stage_without_figures_keeps_its_key_order(db: Any) -> None:
    """An importer-only answer (no production figures at the stage) prints the keys in the
    order it always has, and still conforms."""
    res = None
    for mat in db.materials().materials:
        for st in mat.stages:
            if not st.years:
                try:
                    res = db.exposure(mat.material, stage=st.stage, importer="USA")
                except derisk.NotFoundError:
                    continue
                break
        if res is not None:
            break
    if res is None:
        pytest.fail("the bundle has no stage without figures that an importer answers")
    assert isinstance(res, results.ExposureNoFigures)
    keys = list(conforms(res))
    assert keys[:5] == ["schema", "as_of", "material", "stage", "stage_name"]
    assert keys[-4:] == ["data_status", "public_figure", "gap", "importer"]


def test_results_are_frozen_and_read_like_their_json(db: Any) -> None:
    res = db.exposure("antimony", stage="mining")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.material = "lithium"
    with pytest.raises(TypeError):
        res["shares"][0]["share"] = 0.0
    assert res["shares"][0] == res.to_json()["shares"][0]
    assert res.shares[0].country == res["shares"][0]["country"]
    assert "year_stated" in res and "public_figure" not in res  # a key only some answers carry
    assert dict(res).keys() == res.to_json().keys()


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (results.Exposure, models.ExposureOut),
        (results.Overview, models.OverviewOut),
        (results.Materials, models.MaterialsOut),
        (results.SourceLookup, models.SourceLookupOut),
        (results.TradeOrigin, models.TradeOriginOut),
        (results.TradeSeries, models.TradeSeriesOut),
        (results.Owners, models.OwnersOut),
        (results.Holdings, models.HoldingsOut),
    ],
)
def test_api_models_are_derived_from_the_results(record: type[Record], model: Any) -> None:
    """One definition: the OpenAPI model has the result's keys (plus the API's `page`), and
    nested models have their records' keys."""
    api = model.model_json_schema(mode="serialization")
    keys = set(api["properties"]) - {"page"}
    assert keys == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        derived = models.derive(getattr(results, name))
        assert set(derived.model_json_schema(mode="serialization")["properties"]) == set(
            sub["properties"]
        )
