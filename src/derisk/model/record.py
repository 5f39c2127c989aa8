"""Frozen result records: typed fields that read like the ``--json`` object they print.

A service result is a frozen dataclass deriving from :class:`Record`. Its fields are the JSON
keys in the order the CLI prints them; a field holding :data:`ABSENT` is left out (a key that
only some answers carry). Lists are tuples, nested objects are records too, and free-form
objects with known keys are TypedDicts (their ``NotRequired`` keys are the optional ones of
the schema); only a genuinely free-form object (a user's raw input) is a read-only mapping.

``to_json()`` returns the plain ``dict`` the CLI prints with ``--json`` and the API sends;
``SCHEMA`` is its JSON schema, built from the field types; ``to_frame()`` / ``to_arrow()``
give the result's main table (``ROWS``). A record also reads like its JSON object
(``result["shares"][0]["share"]``), without being writable.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, slots=True, kw_only=True, eq=False)
... class Point(Record):
...     x: float
...     note: str | Absent = ABSENT
>>> Point(x=1.5).to_json(), Point(x=2, note="n").to_json()
({'x': 1.5}, {'x': 2, 'note': 'n'})
>>> Point.SCHEMA["required"], Point(x=1)["x"], "note" in Point(x=1), Point(x=1) == {"x": 1}
(['x'], 1, False, True)
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Union, get_args, get_origin

from derisk.errors import BadInputError, ConflictError

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyarrow

__all__ = [
    "ABSENT",
    "Absent",
    "JSONObject",
    "Record",
    "field_types",
    "fields_of",
    "json_default",
    "json_schema",
    "to_jsonable",
    "typeddict_keys",
]

#: A free-form JSON object: a raw document read from a file, a stored row of a table chosen at
#: run time, a rule's own parameters. An object with known keys is a TypedDict or a Record
#: instead (tests/test_layer_types.py lists where this may cross a layer, and why).
JSONObject = Mapping[str, Any]


class Absent(enum.Enum):
    """The type of :data:`ABSENT`: a key this answer does not carry."""

    ABSENT = "absent"

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT = Absent.ABSENT


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: records and mappings to dicts, tuples to lists."""
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, Mapping):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def json_default(value: object) -> str:
    """``default`` of the front ends' JSON encoders: dates, paths and the like print as text;
    a :class:`Record` is refused — it must pass through ``to_json()`` (``str()`` would print
    its repr as if it were data).

    >>> import datetime
    >>> json_default(datetime.date(2026, 12, 3))
    '2026-12-03'
    """
    if isinstance(value, Record):
        raise TypeError(
            f"{type(value).__name__} record handed to the JSON encoder without .to_json()"
        )
    return str(value)


class _Schema:
    """Class attribute computing the JSON schema of a record type on first use."""

    def __get__(self, obj: object, owner: type[Record]) -> dict[str, Any]:
        cached = owner.__dict__.get("_schema_cache")
        if cached is None or cached[0] is not owner:
            cached = (owner, json_schema(owner))
            type.__setattr__(owner, "_schema_cache", cached)
        schema: dict[str, Any] = cached[1]
        return schema


class Record(Mapping[str, Any]):
    """Base of the frozen result records (see the module docstring).

    Subclasses are ``@dataclass(frozen=True, slots=True, kw_only=True, eq=False)`` (equality
    is the JSON's: a record equals a ``dict`` with the same content). ``KEYS`` renames
    fields whose JSON key is not a Python name; ``ROWS`` names the main table.
    """

    __slots__ = ()

    SCHEMA: ClassVar[_Schema] = _Schema()
    #: field name -> JSON key, where they differ
    KEYS: ClassVar[Mapping[str, str]] = {}
    #: the field that to_frame() reads without an argument
    ROWS: ClassVar[str | None] = None
    #: the JSON keys in printed order, where that is not the field order
    ORDER: ClassVar[tuple[str, ...] | None] = None

    # -- reading like the JSON object --------------------------------------------------------

    def _items(self) -> Iterator[tuple[str, Any]]:
        keys = self.KEYS
        pairs = (
            (keys.get(f.name, f.name), getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )
        present = [(k, v) for k, v in pairs if v is not ABSENT]
        if self.ORDER is not None:
            rank = {k: i for i, k in enumerate(self.ORDER)}
            present.sort(key=lambda kv: rank.get(kv[0], len(rank)))
        return iter(present)

    def __getitem__(self, key: str) -> Any:
        for k, v in self._items():
            if k == key:
                return v
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._items())

    def __len__(self) -> int:
        return sum(1 for _ in self._items())

    def __eq__(self, other: object) -> bool:
        # A record equals another record of its type, or any mapping, with the same JSON.
        if isinstance(other, Record):
            return type(self) is type(other) and self.to_json() == other.to_json()
        if isinstance(other, Mapping):
            return bool(self.to_json() == to_jsonable(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # -- output ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The record as the CLI prints it with ``--json`` (a new, mutable ``dict``)."""
        return {k: to_jsonable(v) for k, v in self._items()}

    @property
    def default_table(self) -> str | None:
        """The key that :meth:`to_frame` reads without an argument."""
        return self.KEYS.get(self.ROWS, self.ROWS) if self.ROWS else None

    def records(self, table: str | None = None) -> list[dict[str, Any]]:
        """The records of ``table`` (default: the main table) as plain dicts."""
        data = self.to_json()
        key = table or self.default_table
        tables = [
            k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)
        ]
        if key is None:
            names = ", ".join(tables) or "none"
            raise BadInputError(f"{type(self).__name__} has no main table; name one of: {names}")
        if key not in data:
            raise BadInputError(f"no table {key!r}; tables: {', '.join(tables)}")
        value = data[key]
        if isinstance(value, dict):
            value = [
                {"key": k, **v} if isinstance(v, dict) else {"key": k, "value": v}
                for k, v in value.items()
            ]
        if not isinstance(value, list):
            raise BadInputError(f"{key!r} is a single value, not a table")
        return [v if isinstance(v, dict) else {"value": v} for v in value]

    def to_frame(self, table: str | None = None) -> pandas.DataFrame:
        """``table`` (default: the main table) as a pandas DataFrame, one row per record."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConflictError(
                "to_frame() needs pandas: pip install 'derisk[notebook]' (or use to_arrow())"
            ) from exc
        return pd.DataFrame.from_records(self.records(table))

    def to_arrow(self, table: str | None = None) -> pyarrow.Table:
        """``table`` (default: the main table) as a pyarrow Table."""
        import pyarrow as pa

        return pa.Table.from_pylist(self.records(table))


# -- JSON schema of a record type ------------------------------------------------------------


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any or tp is object:
        return {}
    if tp is type(None):
        return {"type": "null"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not Absent]
        if len(options) == 1:
            return _type_schema(options[0], defs)
        return {"anyOf": [_type_schema(a, defs) for a in options]}
    if origin is typing.Literal:
        return {"enum": list(get_args(tp))}
    if origin in (tuple, list) or (origin is not None and origin.__name__ == "Sequence"):
        args = get_args(tp)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return {"type": "array", "prefixItems": [_type_schema(a, defs) for a in args]}
        return {"type": "array", "items": _type_schema(args[0], defs) if args else {}}
    if origin is not None and getattr(origin, "__name__", "") in ("Mapping", "dict"):
        args = get_args(tp)
        return {
            "type": "object",
            "additionalProperties": _type_schema(args[1], defs) if args else {},
        }
    if isinstance(tp, type) and (issubclass(tp, Record) or typing.is_typeddict(tp)):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON schema for {tp!r}")


def typeddict_keys(tp: type) -> dict[str, tuple[Any, bool]]:
    """Key -> (its type, whether every object carries it) of a TypedDict.

    Read from the annotations rather than ``__required_keys__``: under ``from __future__
    import annotations`` Python 3.11 counts a ``NotRequired[...]`` key as required.

    >>> class Row(typing.TypedDict, total=False):
    ...     name: typing.Required[str]
    ...     share: float | None
    >>> typeddict_keys(Row)
    {'name': (<class 'str'>, True), 'share': (float | None, False)}
    """
    hints = typing.get_type_hints(tp, include_extras=True)
    optional: frozenset[str] = getattr(tp, "__optional_keys__", frozenset())
    out: dict[str, tuple[Any, bool]] = {}
    for key, hint in hints.items():
        origin = get_origin(hint)
        if origin is typing.NotRequired:
            out[key] = (get_args(hint)[0], False)
        elif origin is typing.Required:
            out[key] = (get_args(hint)[0], True)
        else:
            out[key] = (hint, key not in optional)
    return out


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    keys: dict[str, tuple[Any, bool]]  # JSON key -> (type, always present)
    if typing.is_typeddict(cls):
        keys = typeddict_keys(cls)
    else:
        assert issubclass(cls, Record)
        hints = typing.get_type_hints(cls)
        keys = {
            cls.KEYS.get(f.name, f.name): (hints[f.name], Absent not in get_args(hints[f.name]))
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        }
    return {
        "title": cls.__name__,
        "type": "object",
        "properties": {key: _type_schema(tp, defs) for key, (tp, _) in keys.items()},
        "required": [key for key, (_, always) in keys.items() if always],
        "additionalProperties": False,
    }


def json_schema(cls: type[Record]) -> dict[str, Any]:
    """The JSON schema (2020-12) of ``cls.to_json()``: its keys, their types, which always
    appear; nested records under ``$defs``."""
    defs: dict[str, Any] = {}
    top = _object_schema(cls, defs)
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema", **top}
    if defs:
        out["$defs"] = defs
    return out


def field_types(cls: type[Record]) -> dict[str, Any]:
    """JSON key -> the field's resolved type (for deriving other models)."""
    hints = typing.get_type_hints(cls)
    return {cls.KEYS.get(f.name, f.name): hints[f.name] for f in dataclasses.fields(cls)}  # type: ignore[arg-type]


def fields_of(record: Record) -> dict[str, Any]:
    """Field name -> value of ``record`` (to build a record that extends it)."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}  # type: ignore[arg-type]
