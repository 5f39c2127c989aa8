"""The fields of a proposed supply event, typed.

A news proposal stores what the extractor read from its sentence as a JSON object
(``news_proposal.fields``); a reviewer may set or clear fields when accepting it
(``derisk review accept ID --set percent=40``). :class:`ProposalFields` names every field the
accept path reads, with its type; an event carries only the fields its type has. The new
organisations the extractor proposes (``news_proposal.new_entities``) are
:class:`ProposedEntity` objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, TypedDict, cast

from derisk.model.news import EventFields

__all__ = [
    "OverrideValue",
    "PartyField",
    "ProposalFields",
    "ProposedEntity",
    "as_event_fields",
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
