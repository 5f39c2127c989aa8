"""Importing a product set: a folder of derisk CSV files (atomic, checked row by row).

Files (all optional except ``products.csv``), loaded in this order: ``sources.csv``,
``entities.csv`` (companies and facilities), ``stakes.csv``, ``products.csv``, ``bom.csv``,
``supply_links.csv``, ``direct_costs.csv``. Columns are the fields of the row types
(:mod:`derisk.model.schema`, :mod:`derisk.model.products`); see ``docs/certify.md``.

Checks beyond the CSV format: facilities are entities of kind ``facility`` with a known
``facility_type``; products, links and costs name entities that exist (in the folder or
already in the store); a BOM line names a material or a component, not both; link shares are
fractions and a customer's shares of one material sum to at most 1 on every date; a link's
``stage_id`` agrees with the supplier facility's stage. An entity already in the store under
another dataset is reused when its kind and country agree, and refused otherwise.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from derisk.data.csvio import FILE_KINDS, ImportFailed, Problem, read_rows
from derisk.data.loader import LoadReport, load_rows
from derisk.model.products import BomLine, DirectCost, Product, SupplyLink
from derisk.model.schema import Entity, EntityKind, FacilityType
from derisk.store.base import Store

EXAMPLE_DATASET = "example-products"
PRODUCT_FILES: tuple[tuple[str, type[Any]], ...] = (
    ("sources.csv", FILE_KINDS["sources"]),
    ("entities.csv", FILE_KINDS["entities"]),
    ("stakes.csv", FILE_KINDS["stakes"]),
    ("products.csv", Product),
    ("bom.csv", BomLine),
    ("supply_links.csv", SupplyLink),
    ("direct_costs.csv", DirectCost),
)
TOLERANCE = 1e-9
FACILITY_TYPES = frozenset(t.value for t in FacilityType)


def example_dir() -> Path:
    """The worked example product set shipped with derisk."""
    return Path(str(resources.files("derisk.data").joinpath("examples", "products")))


def _existing_entities(store: Store, dataset: str) -> dict[str, tuple[str, str | None]]:
    return {e.entity_id: (e.kind, e.country) for e in store.view().entities_outside(dataset)}


def load_product_dir(
    store: Store, folder: Path, *, dataset: str = "products", replace: bool = True
) -> tuple[LoadReport, list[str]]:
    """Validate and load a product-set folder in one transaction.

    Returns the load report and the ids of entities reused from other datasets. Raises
    :class:`ImportFailed` naming file, row and field; on failure nothing is written.
    """
    t0 = time.perf_counter()
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ImportFailed([Problem(str(folder), 0, "-", "not a folder")])
    if not (folder / "products.csv").exists():
        problems.append(Problem(str(folder / "products.csv"), 0, "-", "file not found"))
    parsed: dict[str, list[Any]] = {}
    for name, row_type in PRODUCT_FILES:
        path = folder / name
        if path.exists():
            parsed[name] = read_rows(path, row_type, problems=problems, display_name=name)
    existing = _existing_entities(store, dataset)
    reused: list[str] = []
    kept_entities: list[Any] = []
    for i, e in enumerate(parsed.get("entities.csv", [])):
        if e.entity_id in existing:
            kind, country = existing[e.entity_id]
            if (kind, country) != (e.kind, e.country):
                problems.append(
                    Problem(
                        "entities.csv",
                        i + 2,
                        "entity_id",
                        f"{e.entity_id!r} already exists as a {kind} in {country}; use another id",
                    )
                )
            else:
                reused.append(e.entity_id)
            continue
        kept_entities.append((i, e))
    if "entities.csv" in parsed:
        parsed["entities.csv"] = [e for _i, e in kept_entities]
    ents: dict[str, tuple[str, Entity | None]] = {k: (v[0], None) for k, v in existing.items()}
    for _i, e in kept_entities:
        ents[e.entity_id] = (e.kind, e)
    _check_entities(kept_entities, problems)
    products = parsed.get("products.csv", [])
    known_products = {p.product_id for p in products} | store.view().stored_ids(
        Product, "product_id", dataset
    )
    _check_products(products, ents, problems)
    _check_bom(parsed.get("bom.csv", []), known_products, problems)
    _check_links(parsed.get("supply_links.csv", []), ents, store, dataset, problems)
    _check_costs(parsed.get("direct_costs.csv", []), known_products, ents, problems)
    report = load_rows(
        store,
        parsed,
        dataset=dataset,
        origin=str(folder),
        replace=replace,
        problems=problems,
        started=t0,
    )
    return report, reused


def _check_entities(rows: Sequence[tuple[int, Entity]], problems: list[Problem]) -> None:
    for i, e in rows:
        if e.kind == EntityKind.FACILITY.value:
            if e.facility_type not in FACILITY_TYPES:
                problems.append(
                    Problem(
                        "entities.csv",
                        i + 2,
                        "facility_type",
                        f"{e.facility_type!r} is not one of {', '.join(sorted(FACILITY_TYPES))}",
                    )
                )
            if e.material_id is not None and e.stage_id is None:
                problems.append(
                    Problem("entities.csv", i + 2, "stage_id", "required with material_id")
                )
        elif e.facility_type is not None:
            problems.append(
                Problem("entities.csv", i + 2, "facility_type", "only facilities have one")
            )


def _need_facility(
    ents: Mapping[str, tuple[str, Entity | None]],
    eid: str,
    file: str,
    row: int,
    field: str,
    problems: list[Problem],
) -> None:
    if eid not in ents:
        problems.append(Problem(file, row, field, f"unknown entity {eid!r}"))
    elif ents[eid][0] != EntityKind.FACILITY.value:
        problems.append(Problem(file, row, field, f"{eid!r} is a {ents[eid][0]}, not a facility"))


def _check_products(
    rows: Sequence[Product],
    ents: Mapping[str, tuple[str, Entity | None]],
    problems: list[Problem],
) -> None:
    for i, p in enumerate(rows):
        _need_facility(ents, p.facility_id, "products.csv", i + 2, "facility_id", problems)
        if p.owner_id is not None and p.owner_id not in ents:
            problems.append(
                Problem("products.csv", i + 2, "owner_id", f"unknown entity {p.owner_id!r}")
            )


def _check_bom(rows: Sequence[BomLine], products: set[str], problems: list[Problem]) -> None:
    for i, b in enumerate(rows):
        if b.product_id not in products:
            problems.append(
                Problem("bom.csv", i + 2, "product_id", f"unknown product {b.product_id!r}")
            )
        if (b.material_id is None) == (b.component_id is None):
            problems.append(
                Problem("bom.csv", i + 2, "material_id", "give a material_id or a component_id")
            )
        if b.component_id is not None and b.component_id not in products:
            problems.append(
                Problem("bom.csv", i + 2, "component_id", f"unknown product {b.component_id!r}")
            )
        if b.component_id is not None and b.component_id == b.product_id:
            problems.append(
                Problem("bom.csv", i + 2, "component_id", "a product cannot contain itself")
            )
        if b.quantity is not None and b.quantity < 0:
            problems.append(Problem("bom.csv", i + 2, "quantity", "must not be negative"))
    # A product may not contain itself through a chain of components.
    children: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, b in enumerate(rows):
        if b.component_id is not None and b.component_id != b.product_id:
            children[b.product_id].append((i + 2, b.component_id))
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for row, child in children.get(node, ()):
            if state.get(child) == 1:
                cycle = " -> ".join([*trail[trail.index(child) :], child])
                problems.append(Problem("bom.csv", row, "component_id", f"cycle: {cycle}"))
            elif child not in state:
                visit(child, [*trail, child])
        state[node] = 2

    for root in sorted(children):
        if root not in state:
            visit(root, [root])


def _check_links(
    rows: Sequence[SupplyLink],
    ents: Mapping[str, tuple[str, Entity | None]],
    store: Store,
    dataset: str,
    problems: list[Problem],
) -> None:
    stored = {
        e.entity_id: (e.material_id, e.stage_id)
        for e in store.view().entities_outside(dataset)
        if e.kind == "facility"
    }
    for i, ln in enumerate(rows):
        row = i + 2
        _need_facility(ents, ln.supplier_id, "supply_links.csv", row, "supplier_id", problems)
        _need_facility(ents, ln.customer_id, "supply_links.csv", row, "customer_id", problems)
        if ln.supplier_id == ln.customer_id:
            problems.append(Problem("supply_links.csv", row, "customer_id", "same as supplier_id"))
        if not 0.0 <= ln.share <= 1.0:
            problems.append(
                Problem("supply_links.csv", row, "share", f"{ln.share} is not a fraction 0-1")
            )
        sup = ents.get(ln.supplier_id)
        mat_stage = (
            (sup[1].material_id, sup[1].stage_id)
            if sup and sup[1] is not None
            else stored.get(ln.supplier_id)
        )
        if (
            ln.stage_id is not None
            and mat_stage is not None
            and mat_stage[0] == ln.material_id
            and mat_stage[1] != ln.stage_id
        ):
            problems.append(
                Problem(
                    "supply_links.csv",
                    row,
                    "stage_id",
                    f"{ln.supplier_id!r} is a {ln.material_id} {mat_stage[1]} facility, "
                    f"not {ln.stage_id}",
                )
            )
    # Shares of one customer and material must not exceed 1 on any date.
    by_key: dict[tuple[str, str], list[tuple[int, SupplyLink]]] = defaultdict(list)
    for i, ln in enumerate(rows):
        by_key[(ln.customer_id, ln.material_id)].append((i + 2, ln))
    for (cust, mat), group in by_key.items():
        dates = {ln.valid_from or dt.date.min for _r, ln in group}
        for d in sorted(dates):
            live = [
                (r, ln)
                for r, ln in group
                if (ln.valid_from or dt.date.min) <= d and (ln.valid_to is None or d <= ln.valid_to)
            ]
            total = sum(ln.share for _r, ln in live)
            if total > 1.0 + TOLERANCE:
                when = "" if d == dt.date.min else f" on {d}"
                problems.append(
                    Problem(
                        "supply_links.csv",
                        max(r for r, _ln in live),
                        "share",
                        f"shares of {cust!r}'s {mat} input sum to {total:.6g} > 1{when}",
                    )
                )
                break


def _check_costs(
    rows: Sequence[DirectCost],
    products: set[str],
    ents: Mapping[str, tuple[str, Entity | None]],
    problems: list[Problem],
) -> None:
    for i, c in enumerate(rows):
        if c.product_id not in products:
            problems.append(
                Problem(
                    "direct_costs.csv", i + 2, "product_id", f"unknown product {c.product_id!r}"
                )
            )
        if c.amount < 0:
            problems.append(Problem("direct_costs.csv", i + 2, "amount", "must not be negative"))
        if c.supplier_id is not None and c.supplier_id not in ents:
            problems.append(
                Problem(
                    "direct_costs.csv", i + 2, "supplier_id", f"unknown entity {c.supplier_id!r}"
                )
            )


def load_example_products(store: Store) -> tuple[LoadReport, list[str]]:
    """Load the worked example product set (dataset ``example-products``, replaced)."""
    return load_product_dir(store, example_dir(), dataset=EXAMPLE_DATASET, replace=True)
