"""Building small product sets in a test database (real store, real loader)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from derisk.data.loader import load_rows
from derisk.model.products import BomLine, DirectCost, Product, SupplyLink
from derisk.model.schema import Entity, Source, Stake
from derisk.store import DuckStore

SRC = "t-src"


def source() -> Source:
    return Source(SRC, "test", "facts made up for a test", confidence="H")


def company(eid: str, country: str | None) -> Entity:
    return Entity(eid, "company", eid, SRC, country=country)


def fac(
    eid: str,
    country: str | None,
    material: str | None,
    stage: str | None,
    ftype: str = "refinery",
    operator: str | None = None,
) -> Entity:
    return Entity(
        eid,
        "facility",
        eid,
        SRC,
        country=country,
        facility_type=ftype,
        material_id=material,
        stage_id=stage,
        operator_id=operator,
    )


def link(
    lid: str,
    sup: str,
    cust: str,
    material: str,
    share: float,
    stage: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> SupplyLink:
    return SupplyLink(
        lid,
        sup,
        cust,
        material,
        share,
        SRC,
        stage_id=stage,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def product(pid: str, facility: str, item_class: str, owner: str | None = None) -> Product:
    return Product(pid, pid, item_class, facility, SRC, owner_id=owner)


def bom(
    pid: str,
    line: str,
    material: str | None,
    stage: str | None,
    qty: float | None = 1.0,
    component: str | None = None,
) -> BomLine:
    return BomLine(
        pid,
        line,
        SRC,
        material_id=material,
        stage_id=stage,
        component_id=component,
        quantity=qty,
        unit="kg",
    )


def cost(cid: str, pid: str, amount: float, supplier: str | None) -> DirectCost:
    return DirectCost(cid, pid, cid, amount, "USD", SRC, supplier_id=supplier)


def stake(fid: str, owner: str, owned: str, percent: float) -> Stake:
    return Stake(fid, owner, owned, "equity", percent, SRC, valid_from=dt.date(2000, 1, 1))


def load(path: Path, rows: Sequence[Any], dataset: str = "t") -> None:
    """Write rows (plus the test source) into the database at ``path`` in one transaction."""
    with DuckStore(path) as s:
        load_rows(s, {"test": [source(), *rows]}, dataset=dataset, origin="test", replace=True)
