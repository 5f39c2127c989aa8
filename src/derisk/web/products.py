"""Product pages: the list of products, and one product's trace tree and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.model.record import ABSENT, Absent, Record
from derisk.services import certify as cert
from derisk.services import trace as tr
from derisk.services.results.trace import EntityOrigin, Trace, TraceStage
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Products", "/products")]

TOP_ORIGINS = 5


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TreeNode(Record):
    """A node of the product page's trace tree: the product, a material, a stage (with its
    origins and the stage upstream as children), an origin, or the unknown rest."""

    name: str
    kind: str
    children: tuple[TreeNode, ...] | Absent = ABSENT
    basis: str | Absent = ABSENT
    country: str | Absent | None = ABSENT
    entity: str | Absent | None = ABSENT
    share: float | Absent = ABSENT
    source_id: str | Absent | None = ABSENT


def _stage_children(s: TraceStage, top: int) -> list[TreeNode]:
    """The largest origins of a stage (shares averaged over its parts) and the unknown rest."""
    origins: dict[tuple[str | None, str | None, str], tuple[EntityOrigin, float]] = {}
    unknown = 0.0
    n = max(1, len(s.parts))
    for p in s.parts:
        unknown += float(p.unknown_share or 0.0) / n
        for e in p.by_entity:
            key = (e.country, e.entity, e.basis)
            first, share = origins.get(key, (e, 0.0))
            origins[key] = (first, share + float(e.share or 0.0) / n)
    out = []
    for o, share in sorted(origins.values(), key=lambda o: -o[1])[:top]:
        label = o.entity_name or o.country_name or o.country or "unnamed"
        out.append(
            TreeNode(
                name=f"{label} {100 * share:.0f}%",
                kind="origin",
                basis=o.basis,
                country=o.country,
                entity=o.entity,
                share=share,
                source_id=o.source_id,
            )
        )
    if unknown > 5e-3:
        out.append(TreeNode(name=f"unknown {100 * unknown:.0f}%", kind="unknown", share=unknown))
    return out


def trace_tree(trace: Trace, top: int = TOP_ORIGINS) -> TreeNode:
    """The trace as a tree: product, its materials, each stage upstream from the product, and
    the largest origins of each stage (entity or country, traced or statistical). The stage
    upstream hangs under its downstream stage, after its origins: the tree reads product ->
    mine."""
    materials = []
    for m in trace.materials:
        stages = sorted(
            (s for s in m.stages if s.position <= m.position), key=lambda s: -s.position
        )
        upstream: TreeNode | None = None
        for s in reversed(stages):  # from the mine down, so each stage holds the one above
            below = () if upstream is None else (upstream,)
            upstream = TreeNode(
                name=s.name, kind="stage", children=(*_stage_children(s, top), *below)
            )
        chain = () if upstream is None else (upstream,)
        materials.append(TreeNode(name=m.material_name, kind="material", children=chain))
    return TreeNode(name=trace.product.name, kind="product", children=tuple(materials))


@router.get("/products", response_class=HTMLResponse)
def products_page(request: Request, api: ApiDep, as_of: AsOfDep) -> HTMLResponse:
    """Every product with its facility, country and materials."""
    data = api.record(("products", as_of), lambda v: cert.list_products(v), as_of)
    return page(request, "products.html.j2", title="Products", data=data)


@router.get("/products/{product}", response_class=HTMLResponse)
def product_page(
    request: Request,
    api: ApiDep,
    product: str,
    as_of: AsOfDep,
    rule: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """Trace tree to the mines, certificates under every rule, one certificate in detail."""
    traced = api.record(("trace", product, as_of), lambda v: tr.trace(v, product), as_of)
    rules = api.record(("rules",), lambda v: cert.list_rules()).rules
    item_class = traced.product.item_class
    applicable = [r for r in rules if not r.applies_to or item_class in r.applies_to]
    certs = [
        api.record(
            ("certify", product, r.rule, as_of, None),
            lambda v, rid=r.rule: cert.certify(v, product, rid),  # type: ignore[misc]
            as_of,
        )
        for r in applicable
    ]
    chosen_id = rule or (certs[0].rule if certs else None)
    chosen = next((c for c in certs if c.rule == chosen_id), None)
    if chosen is None and chosen_id is not None:
        chosen = api.record(
            ("certify", product, chosen_id, as_of, None),
            lambda v: cert.certify(v, product, chosen_id),
            as_of,
        )
    return page(
        request,
        "product.html.j2",
        title=traced.product.name,
        trace=traced,
        certs=certs,
        chosen=chosen,
        rules=rules,
        as_of=as_of,
        tree=trace_tree(traced),
    )
