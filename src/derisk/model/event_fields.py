"""The fields of a proposed supply event, typed.

A news proposal stores what the extractor read from its sentence as a JSON object
(``news_proposal.fields``); a reviewer may set or clear fields when accepting it
(``derisk review accept ID --set percent=40``). :class:`ProposalFields` names every field the
accept path reads, with its type; an event carries only the fields its type has. The new
organisations the extractor proposes (``news_proposal.new_entities``) are
:class:`ProposedEntity` objects.

Before it is stored, an event is what :mod:`derisk.news` extracted: its fields are
:class:`ExtractedFields`, the same names with dates still :class:`datetime.date` (the JSON of
``derisk.news.ingest/1`` prints them as ISO text). :func:`extracted_fields` makes them from the
builders' working dicts and refuses a name or a value type the TypedDict does not have.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Literal, TypedDict, cast, get_args, get_type_hints

from derisk.model.news import EventFields

__all__ = [
    "ExtractedFields",
    "ExtractedValue",
    "FieldError",
    "OverrideValue",
    "PartyField",
    "ProposalFields",
    "ProposedEntity",
    "as_event_fields",
    "extracted_fields",
    "extracted_items",
    "field_value",
    "load_fields",
    "load_proposed",
    "with_overrides",
]

#: A field's value: text (names, ids, dates, periods) or a number.
OverrideValue = str | float


class ProposalFields(TypedDict, total=False):
    """What a supply event states (every field optional: each event type has its own)."""

    action: str
    material: str
    stage: str
    percent: float
    amount: float
    currency: str
    quantity: float
    capacity: float
    unit: str
    term: str
    duration: str
    date: str
    start: str
    expiry: str
    location: str
    destination: str
    program: str
    target: str
    issuer: str
    acquirer: str
    investor: str
    supplier: str
    buyer: str
    lender: str
    borrower: str
    grantor: str
    recipient: str
    exporter: str
    company: str


#: A value of an extracted event's field: text (ids, names, periods), a number, a date or
#: ``None`` (named but withheld).
ExtractedValue = str | float | dt.date | None


class ExtractedFields(TypedDict, total=False):
    """What an extracted event states, before it is stored (docs/news.md, "Events").

    Every field is optional (each event type has its own; a missing one is unknown, never a
    zero). Entity-valued fields hold a graph id when linked, else the name; ``term`` and
    ``duration`` are ISO 8601 periods; ``date``, ``start`` and ``expiry`` are dates. ``None``
    is a field the sentence names but whose value it withholds (a sum shared by several
    investors is given to none); it is printed as JSON ``null``.
    """

    action: str | None
    material: str | None
    stage: str | None
    percent: float | None
    amount: float | None
    currency: str | None
    quantity: float | None
    capacity: float | None
    unit: str | None
    term: str | None
    duration: str | None
    date: dt.date | None
    start: dt.date | None
    expiry: dt.date | None
    location: str | None
    destination: str | None
    program: str | None
    target: str | None
    issuer: str | None
    acquirer: str | None
    investor: str | None
    supplier: str | None
    buyer: str | None
    lender: str | None
    borrower: str | None
    grantor: str | None
    recipient: str | None
    exporter: str | None
    company: str | None


#: Each field's value types besides ``None`` (an ``int`` is a ``float``, as for mypy).
_EXTRACTED_TYPES: dict[str, tuple[type, ...]] = {
    k: tuple(
        y for x in get_args(t) if x is not type(None) for y in ((int, x) if x is float else (x,))
    )
    for k, t in get_type_hints(ExtractedFields).items()
}


class FieldError(TypeError):
    """An extractor built a field :class:`ExtractedFields` does not have (a bug, not input)."""


def extracted_fields(values: Mapping[str, object]) -> ExtractedFields:
    """``values`` as :class:`ExtractedFields`, each name and value type checked.

    >>> extracted_fields({"percent": 40, "date": dt.date(2026, 3, 2)})
    {'percent': 40, 'date': datetime.date(2026, 3, 2)}
    >>> extracted_fields({"precent": 40})
    Traceback (most recent call last):
    ...
    derisk.model.event_fields.FieldError: unknown event field 'precent'
    >>> extracted_fields({"date": "2026-03-02"})
    Traceback (most recent call last):
    ...
    derisk.model.event_fields.FieldError: event field 'date' is str, not date
    """
    for k, v in values.items():
        types = _EXTRACTED_TYPES.get(k)
        if types is None:
            raise FieldError(f"unknown event field {k!r}")
        if v is not None and (not isinstance(v, types) or isinstance(v, bool)):
            names = " or ".join(t.__name__ for t in types)
            raise FieldError(f"event field {k!r} is {type(v).__name__}, not {names}")
    return cast(ExtractedFields, dict(values))


def extracted_items(fields: ExtractedFields) -> list[tuple[str, ExtractedValue]]:
    """``fields``' names and values, typed (:func:`extracted_fields` checked each value).

    >>> extracted_items(extracted_fields({"material": "antimony", "percent": 40.0}))
    [('material', 'antimony'), ('percent', 40.0)]
    """
    return list(cast(Mapping[str, ExtractedValue], fields).items())


#: The fields that name a party of the event (an entity id, a name, or a country code).
PartyField = Literal[
    "acquirer",
    "target",
    "investor",
    "supplier",
    "buyer",
    "lender",
    "borrower",
    "grantor",
    "recipient",
    "exporter",
    "company",
    "issuer",
]


class ProposedEntity(TypedDict, total=False):
    """An organisation the extractor proposes to add (not in the database yet)."""

    proposed_id: str
    name: str
    kind: str
    country: str
    country_from: str


def load_fields(text: str) -> ProposalFields:
    """A proposal's stored fields (a JSON object).

    >>> load_fields('{"material": "antimony", "percent": 40}')
    {'material': 'antimony', 'percent': 40}
    """
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"event fields must be a JSON object, not {type(value).__name__}")
    return cast(ProposalFields, value)


def load_proposed(text: str | None) -> list[ProposedEntity]:
    """A proposal's stored new organisations (a JSON array of objects)."""
    value = json.loads(text or "[]")
    if not isinstance(value, list):
        raise ValueError(f"proposed entities must be a JSON array, not {type(value).__name__}")
    return [cast(ProposedEntity, v) for v in value if isinstance(v, dict)]


def as_event_fields(fields: ProposalFields) -> EventFields:
    """``fields`` as the JSON values results carry (:data:`derisk.model.news.EventFields`)."""
    return cast(EventFields, fields)


def field_value(fields: ProposalFields, key: str) -> OverrideValue | None:
    """The field ``key`` (named at run time, e.g. from an event type's key fields)."""
    return cast(Mapping[str, OverrideValue], fields).get(key)


def with_overrides(
    fields: ProposalFields, overrides: Mapping[str, OverrideValue | None]
) -> ProposalFields:
    """``fields`` with the reviewer's values set (``None`` clears a field).

    >>> with_overrides({"percent": 30.0, "unit": "t"}, {"percent": 40.0, "unit": None})
    {'percent': 40.0}
    """
    out: dict[str, OverrideValue] = dict(cast(Mapping[str, OverrideValue], fields))
    for k, v in overrides.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return cast(ProposalFields, out)
