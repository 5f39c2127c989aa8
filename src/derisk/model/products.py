"""Products, bills of materials, supply links and direct costs (product tracing).

A :class:`Product` is made at a facility (an :class:`~derisk.model.schema.Entity` of kind
``facility`` with its ``facility_type``, ``material_id``, ``stage_id``, ``country`` and
``operator_id``). Its :class:`BomLine` rows name the materials it contains (catalogue material
and the stage in which it arrives) or a sub-component (another product), with quantities per
unit of product. A :class:`SupplyLink` says that a supplier facility provides ``share`` (a
fraction 0-1) of a customer facility's input of a material; the shares of one customer and
material sum to at most 1 at any date, and whatever is left is an explicit unknown.
:class:`DirectCost` rows are the direct costs of a product by supplier, for the
material-assistance cost ratio.

Like every fact, each row names its ``source_id`` and has a validity interval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.schema import TableMeta, register


@register
@dataclass(frozen=True)
class Product:
    """A product to trace and certify.

    ``item_class`` says what the product is for the rules (``ndfeb-magnet``, ``smco-magnet``,
    ``tantalum``, ``tungsten``, ``battery-component``, ``critical-mineral``, ...); a rule lists
    the classes it covers. ``facility_id`` is where the product is made (its production stage);
    ``owner_id`` is the company that sells it (the taxpayer, for the cost ratio).
    """

    Meta: ClassVar[TableMeta] = TableMeta("product", ("product_id",), "Products")
    product_id: str
    name: str
    item_class: str
    facility_id: str
    source_id: str
    owner_id: str | None = None
    material_id: str | None = None
    stage_id: str | None = None
    unit: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class BomLine:
    """One line of a product's bill of materials.

    Either a material (``material_id`` and the ``stage_id`` in which it arrives at the product's
    facility) or a sub-component (``component_id``, another product). ``quantity`` is per unit
    of product, in ``unit`` (kg of material per unit, or units of the component); ``None`` when
    not known.
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "bom_line", ("product_id", "line_id", "valid_from"), "Bill-of-materials lines"
    )
    product_id: str
    line_id: str
    source_id: str
    material_id: str | None = None
    stage_id: str | None = None
    component_id: str | None = None
    quantity: float | None = None
    unit: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class SupplyLink:
    """``supplier_id`` (a facility) provides ``share`` of ``customer_id``'s input of a material.

    ``stage_id`` is the stage of the material as delivered (default: the supplier facility's
    stage when the facility belongs to the material's chain). ``quantity``/``unit`` are
    informational.
    """

    Meta: ClassVar[TableMeta] = TableMeta("supply_link", ("link_id",), "Supply links")
    link_id: str
    supplier_id: str
    customer_id: str
    material_id: str
    share: float
    source_id: str
    stage_id: str | None = None
    quantity: float | None = None
    unit: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class DirectCost:
    """A direct cost of a product attributable to one supplier (``supplier_id``: the entity that
    mined, produced or manufactured the item; ``None`` when not known)."""

    Meta: ClassVar[TableMeta] = TableMeta("direct_cost", ("cost_id",), "Direct costs of products")
    cost_id: str
    product_id: str
    description: str
    amount: float
    currency: str
    source_id: str
    supplier_id: str | None = None
    material_id: str | None = None
    stage_id: str | None = None
    year: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


PRODUCT_FILE_KINDS: dict[str, type[object]] = {
    "products": Product,
    "bom": BomLine,
    "supply_links": SupplyLink,
    "direct_costs": DirectCost,
}
"""File stem -> row type for a product set folder (``derisk import products DIR``)."""
