"""Row types of the facility layer: plants with capacity, status, dates and owners.

A :class:`Facility` row is one capacity unit of one plant (a mine, refinery, separation plant,
metal/alloy plant, chemical plant, anode or magnet plant) at one stage of one material: its
capacity as the source states it (``capacity`` in ``unit``, on a ``basis`` of contained
element or of product), its status (operating, construction, planned, idled, closed) with the
year it starts (commissioning or restart), the years it takes to ramp up, and the year it stops,
its operator and owners (entity ids and equity stakes), and the source of the figures.
An expansion of a plant is its own row with ``parent_id`` naming the plant.

Loading a facility row also yields an :class:`~derisk.model.schema.Entity` of kind
``facility`` (unless that entity already exists) and one :class:`~derisk.model.schema.Stake`
per owner, so that ownership screening (FEOC, PFE) applies to every plant
(:func:`derived_rows`).

:class:`ImporterDemand` rows give the demand (apparent consumption, or imports) of a country at
a material stage in a year, with its basis and source; ``WLD`` is the world total.

Capacities are compared in one unit per stage (:data:`STAGE_UNITS`): the stated figure times a
stoichiometric factor (for example 1 t LiOH.H2O = 73.89 / (2 x 41.96) = 0.8805 t Li2CO3
equivalent). A unit that cannot be converted exactly is refused at import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from derisk.errors import BadInputError, UnknownIdError
from derisk.model.schema import Entity, Stake, TableMeta, register


class FacilityStatus(StrEnum):
    OPERATING = "operating"
    CONSTRUCTION = "construction"
    PLANNED = "planned"
    IDLED = "idled"
    CLOSED = "closed"


class CapacityBasis(StrEnum):
    CONTENT = "content"  # contained element or oxide (t Li, t REO, t Sb)
    PRODUCT = "product"  # tonnes of the product (t LiOH.H2O, t magnet, t anode material)


FACILITY_TYPES = frozenset(
    {
        "mine",
        "refinery",
        "smelter",
        "separation-plant",
        "metal-plant",
        "chemical-plant",
        "magnet-plant",
        "anode-plant",
        "component-plant",
    }
)

# Stoichiometric factors (molar masses: Li 6.941, Li2CO3 73.89, LiOH.H2O 41.96, Sb 121.76,
# Sb2O3 291.52, W 183.84, WO3 231.84). APT is (NH4)10[H2W12O42].4H2O: 12 WO3 / 3132.5 = 0.888.
_LCE_PER_LIOH = 73.89 / (2 * 41.96)
_LCE_PER_LI = 73.89 / (2 * 6.941)
_LIOH_PER_LI = 41.96 / 6.941
_SB_PER_SB2O3 = 2 * 121.76 / 291.52
_W_PER_WO3 = 183.84 / 231.84
_WO3_PER_APT = 12 * 231.84 / 3132.5

STAGE_UNITS: dict[tuple[str, str], tuple[str, dict[str, float]]] = {
    ("antimony", "mining"): ("t Sb", {"t Sb": 1.0}),
    ("antimony", "refining"): ("t Sb", {"t Sb": 1.0, "t Sb2O3": _SB_PER_SB2O3}),
    ("antimony", "oxide"): ("t Sb2O3", {"t Sb2O3": 1.0, "t Sb": 1 / _SB_PER_SB2O3}),
    ("rare-earths", "mining"): ("t REO", {"t REO": 1.0}),
    ("rare-earths", "separation"): ("t REO", {"t REO": 1.0}),
    ("rare-earths", "metal"): ("t metal", {"t metal": 1.0}),
    ("rare-earths", "magnets"): ("t magnet", {"t magnet": 1.0}),
    ("lithium", "mining"): ("t Li", {"t Li": 1.0, "t LCE": 1 / _LCE_PER_LI}),
    (
        "lithium",
        "refining",
    ): ("t LCE", {"t LCE": 1.0, "t Li2CO3": 1.0, "t LiOH.H2O": _LCE_PER_LIOH, "t Li": _LCE_PER_LI}),
    # sub-stages of lithium chemicals: each in its own product; t LCE converts stoichiometrically
    # (1 t LCE = 2 x 41.96 / 73.89 = 1.1357 t LiOH.H2O), the other salt's tonnes do not
    ("lithium", "hydroxide"): (
        "t LiOH.H2O",
        {"t LiOH.H2O": 1.0, "t LCE": 1 / _LCE_PER_LIOH, "t Li": _LIOH_PER_LI},
    ),
    ("lithium", "carbonate"): (
        "t Li2CO3",
        {"t Li2CO3": 1.0, "t LCE": 1.0, "t Li": _LCE_PER_LI},
    ),
    ("nickel", "mining"): ("t Ni", {"t Ni": 1.0}),
    ("nickel", "refining"): ("t Ni", {"t Ni": 1.0}),
    ("cobalt", "mining"): ("t Co", {"t Co": 1.0}),
    ("cobalt", "refining"): ("t Co", {"t Co": 1.0}),
    ("graphite", "mining"): ("t graphite", {"t graphite": 1.0}),
    ("graphite", "synthetic"): ("t graphite", {"t graphite": 1.0}),
    ("graphite", "anode"): ("t anode", {"t anode": 1.0}),
    ("gallium", "refining"): ("t Ga", {"t Ga": 1.0}),
    ("germanium", "refining"): ("t Ge", {"t Ge": 1.0}),
    ("tungsten", "mining"): ("t W", {"t W": 1.0, "t WO3": _W_PER_WO3}),
    (
        "tungsten",
        "refining",
    ): ("t WO3", {"t WO3": 1.0, "t APT": _WO3_PER_APT, "t W": 1 / _W_PER_WO3}),
}
"""(material, stage) -> (unit capacities are compared in, {stated unit: factor to it})."""

SUBSTAGES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("lithium", "hydroxide"): ("refining", "t LiOH.H2O", "hydroxide"),
    ("lithium", "carbonate"): ("refining", "t Li2CO3", "carbonate"),
}
"""(material, sub-stage) -> (parent stage whose rows it is answered from when it has none of
its own, the product's own unit, the word naming the product)."""


def substage_share(material: str, substage: str, unit: str, product: str | None) -> str:
    """Whether a row of the parent stage is capacity of ``substage``: ``"taken"`` (stated in
    the sub-stage's product unit, or in a content unit such as t LCE with a product naming the
    sub-stage only), ``"other"`` (another product: a sibling's product unit, or a product that
    names only other salts) or ``"not-stated"`` (a content unit with no product, a product naming
    no salt, or both salts without a split): a gap, never counted.

    >>> substage_share("lithium", "hydroxide", "t LCE", "lithium hydroxide")
    'taken'
    >>> substage_share("lithium", "hydroxide", "t LCE", "lithium carbonate and hydroxide")
    'not-stated'
    >>> substage_share("lithium", "hydroxide", "t Li2CO3", "lithium salts")
    'other'
    """
    _, own_unit, word = SUBSTAGES[(material, substage)]
    siblings = {u: w for (m, s), (_, u, w) in SUBSTAGES.items() if m == material and s != substage}
    if unit == own_unit:
        return "taken"
    if unit in siblings:
        return "other"
    text = (product or "").lower()
    names_own = word in text
    names_other = any(w in text for w in siblings.values())
    if names_own and not names_other:
        return "taken"
    if names_own or not text.strip() or re.search(r"\b(salts?|chemicals?)\b", text):
        return "not-stated"
    return "other"


_OWNER = re.compile(r"^\s*([a-z0-9][a-z0-9._-]*)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$")


@register
@dataclass(frozen=True)
class Facility:
    """One capacity unit of a plant (see the module docstring).

    ``capacity`` is ``None`` when no figure is known (never 0 for unknown). ``start_year`` is
    the first year of output (commissioning, or restart of an idled plant); ``ramp_years`` the
    years to reach nameplate (1: full in its first year); ``end_year`` the first year without
    output (closure or idling). ``owners`` lists ``entity-id:percent`` pairs separated by ``|``.
    ``status_source_id`` is the source of the status and dates when it differs from
    ``source_id`` (the capacity figure's).
    """

    Meta: ClassVar[TableMeta] = TableMeta("facility", ("facility_id",), "Facilities (plants)")
    facility_id: str
    name: str
    country: str
    material_id: str
    stage_id: str
    status: str
    capacity: float | None
    unit: str
    basis: str
    source_id: str
    facility_type: str | None = None
    product: str | None = None
    operator_id: str | None = None
    owners: str | None = None
    start_year: int | None = None
    ramp_years: int | None = None
    end_year: int | None = None
    parent_id: str | None = None
    status_source_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class ImporterDemand:
    """Demand of ``buyer`` for a material stage in a year.

    ``buyer`` is an ISO alpha-3 country, ``WLD`` (the world) or a country-group id (``eu27``).

    ``basis``: ``apparent-consumption`` (production + imports - exports), ``imports``,
    ``world-output`` (world production used as world consumption) or ``user``. ``quantity`` is
    in ``unit`` (one of the stage's units in :data:`STAGE_UNITS`); ``None`` when not known.
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "importer_demand",
        ("buyer", "material_id", "stage_id", "year", "source_id"),
        "Demand by importer (apparent consumption or imports)",
    )
    fact_id: str
    buyer: str
    material_id: str
    stage_id: str
    year: int
    quantity: float | None
    unit: str
    basis: str
    source_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


DEMAND_BASES = frozenset({"apparent-consumption", "imports", "world-output", "user"})

FACILITY_KINDS: dict[str, type[Any]] = {"facilities": Facility, "demand": ImporterDemand}
"""CSV file kinds of this area (``derisk import csv facilities FILE``)."""


def unit_factor(material: str, stage: str, unit: str) -> float:
    """Factor from ``unit`` to the stage's comparison unit (``KeyError`` if not convertible).

    >>> round(unit_factor("lithium", "refining", "t LiOH.H2O"), 4)
    0.8805
    """
    try:
        _, table = STAGE_UNITS[(material, stage)]
    except KeyError:
        raise UnknownIdError(f"no capacity unit is defined for {material} {stage}") from None
    if unit not in table:
        raise UnknownIdError(
            f"unit {unit!r} cannot be converted for {material} {stage}; one of: "
            + ", ".join(sorted(table))
        )
    return table[unit]


def stage_unit(material: str, stage: str) -> str:
    """The unit capacities of a stage are compared in (``t`` if none is defined)."""
    spec = STAGE_UNITS.get((material, stage))
    return spec[0] if spec else "t"


def parse_owners(text: str | None) -> list[tuple[str, float]]:
    """``"a:60|b:40"`` -> ``[("a", 60.0), ("b", 40.0)]``; ``ValueError`` names the bad part.

    >>> parse_owners("korea-zinc:100")
    [('korea-zinc', 100.0)]
    """
    if text is None or not text.strip():
        return []
    out = []
    for part in text.split("|"):
        m = _OWNER.match(part)
        if m is None:
            raise BadInputError(f"{part.strip()!r} is not entity-id:percent")
        pct = float(m.group(2))
        if not 0 < pct <= 100:
            raise BadInputError(f"{part.strip()!r}: percent must be in (0, 100]")
        out.append((m.group(1), pct))
    if sum(p for _, p in out) > 100 + 1e-9:
        raise BadInputError(f"owners add up to more than 100% ({text})")
    if len({e for e, _ in out}) != len(out):
        raise BadInputError(f"an owner is named twice ({text})")
    return out


def facility_problems(f: Facility) -> list[tuple[str, str]]:
    """(field, message) for every inconsistency of one facility row."""
    out: list[tuple[str, str]] = []
    if f.status not in {s.value for s in FacilityStatus}:
        out.append(("status", f"{f.status!r} is not one of: " + ", ".join(FacilityStatus)))
    if f.basis not in {b.value for b in CapacityBasis}:
        out.append(("basis", f"{f.basis!r} is not one of: content, product"))
    if f.facility_type is not None and f.facility_type not in FACILITY_TYPES:
        out.append(
            (
                "facility_type",
                f"{f.facility_type!r} is not one of: " + ", ".join(sorted(FACILITY_TYPES)),
            )
        )
    try:
        unit_factor(f.material_id, f.stage_id, f.unit)
    except KeyError as exc:
        out.append(("unit", str(exc.args[0])))
    if f.capacity is not None and f.capacity < 0:
        out.append(("capacity", "must not be negative"))
    if f.ramp_years is not None and not 1 <= f.ramp_years <= 10:
        out.append(("ramp_years", "must be between 1 and 10"))
    for name in ("start_year", "end_year"):
        y = getattr(f, name)
        if y is not None and not 1850 <= y <= 2100:
            out.append((name, f"{y} is not a plausible year"))
    if (
        f.start_year is not None
        and f.end_year is not None
        and f.end_year <= f.start_year
        and f.status != FacilityStatus.IDLED
    ):
        out.append(("end_year", "must be after start_year"))
    if f.status in (FacilityStatus.CONSTRUCTION, FacilityStatus.PLANNED) and f.start_year is None:
        out.append(("start_year", f"required for a {f.status} facility (expected first output)"))
    if f.status == FacilityStatus.CLOSED and f.end_year is None:
        out.append(("end_year", "required for a closed facility (first year without output)"))
    try:
        parse_owners(f.owners)
    except ValueError as exc:
        out.append(("owners", str(exc)))
    if f.latitude is not None and not -90 <= f.latitude <= 90:
        out.append(("latitude", "must be between -90 and 90"))
    if f.longitude is not None and not -180 <= f.longitude <= 180:
        out.append(("longitude", "must be between -180 and 180"))
    return out


def derived_rows(
    facilities: Sequence[Facility], known_entities: Iterable[str]
) -> tuple[list[Entity], list[Stake]]:
    """The facility entities (when not already known) and the owners' equity stakes."""
    known = set(known_entities)
    entities: list[Entity] = []
    stakes: list[Stake] = []
    for f in facilities:
        if f.facility_id not in known:
            known.add(f.facility_id)
            entities.append(
                Entity(
                    entity_id=f.facility_id,
                    kind="facility",
                    name=f.name,
                    source_id=f.source_id,
                    country=f.country,
                    facility_type=f.facility_type,
                    material_id=f.material_id,
                    stage_id=f.stage_id,
                    operator_id=f.operator_id,
                    latitude=f.latitude,
                    longitude=f.longitude,
                    note="plant of the facility layer (facilities.csv)",
                )
            )
        for owner, pct in parse_owners(f.owners):
            stakes.append(
                Stake(
                    fact_id=f"fac:{f.facility_id}:{owner}",
                    owner_id=owner,
                    owned_id=f.facility_id,
                    interest="equity",
                    percent=pct,
                    source_id=f.status_source_id or f.source_id,
                    valid_from=f.valid_from,
                    valid_to=f.valid_to,
                    note="owner of the plant (facility layer)",
                )
            )
    return entities, stakes


__all__ = [
    "FACILITY_KINDS",
    "FACILITY_TYPES",
    "STAGE_UNITS",
    "SUBSTAGES",
    "CapacityBasis",
    "Facility",
    "FacilityStatus",
    "ImporterDemand",
    "derived_rows",
    "facility_problems",
    "parse_owners",
    "stage_unit",
    "substage_share",
    "unit_factor",
]
