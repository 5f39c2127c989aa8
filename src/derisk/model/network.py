"""Row types of the stage network: capacities of single facilities.

Country production and capacity are :class:`derisk.model.schema.Production` rows. A
:class:`FacilityCapacity` row gives the output or capacity of one facility (an
:class:`~derisk.model.schema.Entity` of kind ``facility``, whose ``country`` and ``operator_id``
say where it is and who runs it) for a material stage and year. The stage network carves such
facilities out of their country's total, so that re-sourcing can exclude a single plant or
every plant of a company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from derisk.model.schema import TableMeta, register


@register
@dataclass(frozen=True)
class FacilityCapacity:
    """Output (``measure`` ``production``) or capacity of a facility, in ``unit`` per year.

    A withheld or unknown quantity is ``None`` with the matching ``status``, never 0.
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "facility_capacity",
        ("entity_id", "material_id", "stage_id", "measure", "year", "source_id"),
        "Output and capacity of single facilities",
    )
    fact_id: str
    entity_id: str
    material_id: str
    stage_id: str
    measure: str
    year: int
    quantity: float | None
    unit: str
    status: str
    source_id: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


NETWORK_KINDS: dict[str, type[Any]] = {"facility_capacity": FacilityCapacity}
"""CSV file kinds of this area (``derisk import csv facility_capacity FILE``)."""
