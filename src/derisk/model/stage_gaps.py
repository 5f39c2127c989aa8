"""Row type saying plainly that no public figure was found for a material stage.

A stage without country figures is not the same as a stage nobody looked at. A
:class:`StageGap` records that the sources named in ``searched`` were searched on ``checked``
and gave no country-level figure for the stage, so that the overview and the exposure chain
mark the stage ``no-public-figure`` with that statement instead of a bare ``no-data``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from derisk.model.schema import TableMeta, register

NO_PUBLIC_FIGURE = "no-public-figure"
"""``public_figure`` of a stage with a :class:`StageGap` and no figures (its ``data_status``
stays ``no-data``; ``gap`` carries the statement, what was searched and when)."""


@register
@dataclass(frozen=True)
class StageGap:
    """No public country-level figure was found for ``material_id``/``stage_id``."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "stage_gap",
        ("material_id", "stage_id", "source_id"),
        "Stages with no public country-level figure",
    )
    fact_id: str
    material_id: str
    stage_id: str
    statement: str
    source_id: str
    searched: str | None = None
    checked: dt.date | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


STAGE_GAP_KINDS: dict[str, type[Any]] = {"stage_gaps": StageGap}
