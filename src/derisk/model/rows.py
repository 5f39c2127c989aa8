"""Named rows of the store's joined or aggregated reads used by the certification, facility,
resource, shock, network, news and monitoring services (see :class:`derisk.store.view.View`);
plain table rows are the schema's own dataclasses."""

from __future__ import annotations

import datetime as dt
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class ProductListing(NamedTuple):
    """A product with its facility's country and the materials of its bill of materials."""

    product_id: str
    name: str
    item_class: str
    facility_id: str
    country: str | None
    owner_id: str | None
    source_id: str
    materials: list[str]


class ChainNode(NamedTuple):
    """A facility of a material's supply links numbered in id order, with its entity row in
    force (``None`` columns when the store has no such entity)."""

    idx: int
    facility_id: str
    kind: str | None
    country: str | None
    material_id: str | None
    stage_id: str | None


class LinkTriple(NamedTuple):
    """A supply link as (supplier index, customer index, share) over :class:`ChainNode`."""

    supplier: int
    customer: int
    share: float


class LinkGraph(NamedTuple):
    """A material's supply links in force as index triples over numbered facilities, and the
    stages each supplier ships."""

    nodes: list[ChainNode]
    supplied: dict[str, set[str | None]]
    links: list[LinkTriple]


class DatedValue(NamedTuple):
    """A value with the validity interval of the row it comes from."""

    value: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class BomUse(NamedTuple):
    """A bill-of-materials line of one material with its product and the product's country."""

    product_id: str
    name: str
    stage_id: str | None
    quantity: float | None
    unit: str | None
    country: str | None
    source_id: str


class FacilityFigure(NamedTuple):
    """A facility's capacity or production figure with its entity's name, country and
    operator (``None`` when the entity is not stored)."""

    entity_id: str
    stage_id: str
    measure: str
    year: int
    quantity: float | None
    status: str
    fact_id: str
    source_id: str
    name: str | None
    country: str | None
    operator_id: str | None


class ArticleHead(NamedTuple):
    """A stored news article without its text."""

    article_id: str
    text_sha: str
    title: str | None
    url: str | None
    published: dt.date | None
    site: str | None


class SeenItems(NamedTuple):
    """What the feed poller has seen: item URLs, and content hashes of items and articles."""

    urls: set[str]
    shas: set[str]


class ProductDep(NamedTuple):
    """A key a product's answer rests on: ``facility:<id>``, ``material:<id>`` or
    ``product:<component id>``."""

    product_id: str
    key: str


class RestrictionCited(NamedTuple):
    """An export restriction with its source's citation (``None`` when not stored)."""

    fact_id: str
    issuer: str
    target: str
    items: str
    scope: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    suspended_until: dt.date | None
    source_id: str | None
    publisher: str | None
    title: str | None
    url: str | None
    quote: str | None


class EntityCited(NamedTuple):
    """An entity row with its source's citation (``None`` when not stored)."""

    name: str
    country: str | None
    operator_id: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_id: str
    publisher: str | None
    title: str | None
    url: str | None
    quote: str | None


class AuditChange(NamedTuple):
    """An audit-log entry as the monitor reads it (``after``/``before`` are JSON)."""

    audit_id: str
    action: str
    table_name: str | None
    after: str | None
    before: str | None


class Stored(NamedTuple, Generic[T]):
    """A stored row with the dataset holding it."""

    row: T
    dataset: str
