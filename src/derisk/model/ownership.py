"""Row types of the ownership area: stake ranges, declared interests, control rights, entity
tags and list entries. Exact stakes are :class:`derisk.model.schema.Stake` rows.

A stake known only as a range (a register prints "25-50%") is a :class:`StakeRange`; the
engine keeps both ends and screening reports the verdict for each. An indirect interest that
a source declares (BODS ``directOrIndirect: indirect``) is a :class:`DeclaredInterest`: it is
shown beside the look-through share computed from the direct stakes and never added to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from derisk.model.schema import TableMeta, register


class Right(StrEnum):
    """Rights without a percentage that the screening rules look at."""

    APPOINT_COVERED_OFFICER = "appoint-covered-officer"
    EFFECTIVE_CONTROL_LICENCE = "effective-control-licence"
    CONTROLS = "controls"
    BOARD_MEMBER = "board-member"
    APPOINT_BOARD = "appoint-board"
    SENIOR_OFFICIAL = "senior-official"
    OTHER_INFLUENCE = "other-influence-or-control"
    UNKNOWN_INTEREST = "unknown-interest"
    UNSPECIFIED_OWNER = "unspecified-owner"


class Tag(StrEnum):
    """Facts about an entity that screening uses (each with a country where it applies)."""

    STATE_OWNED = "state-owned"
    RULING_PARTY = "ruling-party"
    POLITICAL_FIGURE = "political-figure"
    HEADQUARTERS = "headquarters"
    PRINCIPAL_PLACE_OF_BUSINESS = "principal-place-of-business"
    INCORPORATION = "incorporation"
    NATIONALITY = "nationality"


@register
@dataclass(frozen=True)
class StakeRange:
    """``owner_id`` holds between ``percent_min`` and ``percent_max`` (0-100) of ``owned_id``."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "stake_range",
        ("owner_id", "owned_id", "interest", "valid_from", "source_id"),
        "Stakes known as a range",
    )
    fact_id: str
    owner_id: str
    owned_id: str
    interest: str
    percent_min: float
    percent_max: float
    source_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class DeclaredInterest:
    """An indirect interest a source states (through ``via``); bounds may be missing."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "declared_interest", ("fact_id",), "Declared indirect interests"
    )
    fact_id: str
    owner_id: str
    owned_id: str
    interest: str
    source_id: str
    percent_min: float | None = None
    percent_max: float | None = None
    via: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class ControlRight:
    """``holder_id`` has ``right_type`` over ``subject_id``. ``holder_id`` is empty when a
    source declares that the owner is unknown (``right_type`` ``unspecified-owner``; the reason
    code in ``reason``, its description in ``note``)."""

    Meta: ClassVar[TableMeta] = TableMeta("control_right", ("fact_id",), "Control rights")
    fact_id: str
    subject_id: str
    right_type: str
    source_id: str
    holder_id: str | None = None
    reason: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class EntityTag:
    """A sourced fact about an entity: state-owned (by ``country``'s government),
    headquarters or principal place of business in ``country``, a person's nationality..."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "entity_tag", ("entity_id", "tag", "country", "valid_from", "source_id"), "Entity tags"
    )
    entity_id: str
    tag: str
    source_id: str
    country: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class ListEntry:
    """An entry of a named list (DoD 1260H, UFLPA Entity List, FY2024 NDAA section 154).

    ``valid_from`` is the date the entry was listed (or the edition date), ``edition`` the
    edition it was read from; an edition-based list replaces all its entries with each new
    edition. ``entity_id`` links the entry to an entity when known; otherwise screening
    matches names and aliases."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "list_entry", ("list_id", "entry_id", "edition"), "Entity list entries"
    )
    list_id: str
    entry_id: str
    name: str
    source_id: str
    edition: dt.date
    aliases: str | None = None
    section: str | None = None
    parent_name: str | None = None
    entity_id: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


__all__ = [
    "ControlRight",
    "DeclaredInterest",
    "EntityTag",
    "ListEntry",
    "Right",
    "StakeRange",
    "Tag",
]
