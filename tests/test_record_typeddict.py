"""The JSON schema of a record holding TypedDicts (:mod:`derisk.model.record`).

The expected schemas are written out by hand from JSON Schema 2020-12 (a TypedDict is a closed
object whose ``NotRequired`` keys are left out of ``required``), not read from the builder.
This module keeps ``from __future__ import annotations`` on purpose: Python 3.11 reports a
stringized ``NotRequired`` key as required in ``__required_keys__``, and the builder must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, Required, TypedDict

from pydantic import ValidationError
from pytest import raises

from derisk.api import models
from derisk.model.record import ABSENT, Absent, Record, typeddict_keys


class Cited(TypedDict):
    """A figure with the source that gives it."""

    source_id: str
    share: float | None
    note: NotRequired[str]


class Partial(TypedDict, total=False):
    kind: Required[str]
    detail: Cited
    more: list[Cited]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Holder(Record):
    cited: tuple[Cited, ...]
    first: Cited | None
    extra: Partial | Absent = ABSENT


CITED = {
    "title": "Cited",
    "type": "object",
    "properties": {
        "source_id": {"type": "string"},
        "share": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "note": {"type": "string"},
    },
    "required": ["source_id", "share"],
    "additionalProperties": False,
}


def test_a_typeddict_field_is_a_closed_object_under_defs() -> None:
    assert Holder.SCHEMA == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Holder",
        "type": "object",
        "properties": {
            "cited": {"type": "array", "items": {"$ref": "#/$defs/Cited"}},
            "first": {"anyOf": [{"$ref": "#/$defs/Cited"}, {"type": "null"}]},
            "extra": {"$ref": "#/$defs/Partial"},
        },
        "required": ["cited", "first"],
        "additionalProperties": False,
        "$defs": {
            "Cited": CITED,
            "Partial": {
                "title": "Partial",
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "detail": {"$ref": "#/$defs/Cited"},
                    "more": {"type": "array", "items": {"$ref": "#/$defs/Cited"}},
                },
                "required": ["kind"],
                "additionalProperties": False,
            },
        },
    }


def test_required_and_not_required_keys_under_stringized_annotations() -> None:
    assert {k: always for k, (_, always) in typeddict_keys(Cited).items()} == {
        "source_id": True,
        "share": True,
        "note": False,
    }
    assert {k: always for k, (_, always) in typeddict_keys(Partial).items()} == {
        "kind": True,
        "detail": False,
        "more": False,
    }


def test_a_record_with_typeddicts_prints_them_as_objects() -> None:
    one: Cited = {"source_id": "usgs", "share": 0.5}
    rec = Holder(cited=(one, {"source_id": "bgs", "share": None, "note": "e"}), first=one)
    assert rec.to_json() == {
        "cited": [
            {"source_id": "usgs", "share": 0.5},
            {"source_id": "bgs", "share": None, "note": "e"},
        ],
        "first": {"source_id": "usgs", "share": 0.5},
    }


def test_the_api_model_of_a_typeddict_requires_its_required_keys() -> None:
    model = models.derive(Holder, "HolderOut")
    ok = {"cited": [{"source_id": "usgs", "share": 0.5}], "first": None}
    assert model.model_validate(ok).model_dump(exclude_none=True)["cited"] == ok["cited"]
    with raises(ValidationError, match="share"):
        model.model_validate({"cited": [{"source_id": "usgs"}], "first": None})
    with raises(ValidationError, match="share"):  # inside a list inside a TypedDict too
        model.model_validate({"cited": [], "first": None, "extra": {"kind": "k", "more": [{}]}})
    cited = model.model_json_schema()["$defs"]["Cited"]
    assert sorted(cited["required"]) == ["share", "source_id"]
