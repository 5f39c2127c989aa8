"""Product pages: the list of products, and one product's trace tree and certificates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.services import certify as cert
from derisk.services import trace as tr
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Products", "/products")]

TOP_ORIGINS = 5


def trace_tree(trace: dict[str, Any], top: int = TOP_ORIGINS) -> dict[str, Any]:
    """The trace as a tree: product, its materials, each stage upstream from the product, and
    the largest origins of each stage (entity or country, traced or statistical).

    >>> t = {"product": {"product": "p", "name": "P"}, "materials": [{"material": "m",
    ...      "material_name": "M", "position": 1, "stages": [
    ...        {"stage": "a", "name": "A", "position": 0, "parts": [{"unknown_share": 0.1,
    ...          "by_entity": [{"country": "CHN", "country_name": "China", "entity": None,
    ...          "entity_name": None, "share": 0.9, "basis": "statistical", "source_id": "s"}]}]},
    ...        {"stage": "b", "name": "B", "position": 1, "parts": []}]}]}
    >>> b = trace_tree(t)["children"][0]["children"][0]
    >>> b["name"], b["children"][0]["name"], b["children"][0]["children"][0]["name"]
    ('B', 'A', 'China 90%')
    """
    root: dict[str, Any] = {"name": trace["product"]["name"], "kind": "product", "children": []}
    for m in trace["materials"]:
        mat: dict[str, Any] = {"name": m["material_name"], "kind": "material", "children": []}
        parent = mat
        stages = sorted(
            (s for s in m["stages"] if s["position"] <= m["position"]),
            key=lambda s: -s["position"],
        )
        for s in stages:
            node: dict[str, Any] = {"name": s["name"], "kind": "stage", "children": []}
            origins: dict[tuple[Any, ...], dict[str, Any]] = {}
            unknown = 0.0
            parts = s.get("parts", [])
            for p in parts:
                unknown += float(p.get("unknown_share") or 0.0) / max(1, len(parts))
                for e in p.get("by_entity", []):
                    key = (e["country"], e.get("entity"), e["basis"])
                    o = origins.setdefault(key, {**e, "share": 0.0})
                    o["share"] += float(e["share"]) / max(1, len(parts))
            for o in sorted(origins.values(), key=lambda o: -o["share"])[:top]:
                label = (
                    o.get("entity_name") or o.get("country_name") or o.get("country") or "unnamed"
                )
                node["children"].append(
                    {
                        "name": f"{label} {100 * o['share']:.0f}%",
                        "kind": "origin",
                        "basis": o["basis"],
                        "country": o.get("country"),
                        "entity": o.get("entity"),
                        "share": o["share"],
                        "source_id": o.get("source_id"),
                    }
                )
            if unknown > 5e-3:
                node["children"].append(
                    {"name": f"unknown {100 * unknown:.0f}%", "kind": "unknown", "share": unknown}
                )
            # the stage upstream hangs under this one: the tree reads product -> mine
            parent["children"].append(node)
            parent = node
        root["children"].append(mat)
    return root


@router.get("/products", response_class=HTMLResponse)
def products_page(request: Request, api: ApiDep, as_of: AsOfDep) -> HTMLResponse:
    """Every product with its facility, country and materials."""
    data = api.read(("products", as_of), lambda v: cert.list_products(v).to_json(), as_of)
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
    traced = api.read(("trace", product, as_of), lambda v: tr.trace(v, product).to_json(), as_of)
    rules = api.data(("rules",), lambda s: cert.list_rules().to_json())["rules"]
    item_class = traced["product"].get("item_class")
    applicable = [r for r in rules if not r.get("applies_to") or item_class in r["applies_to"]]
    certs = [
        api.read(
            ("certify", product, r["rule"], as_of, None),
            lambda v, rid=r["rule"]: cert.certify(v, product, rid).to_json(),  # type: ignore[misc]
            as_of,
        )
        for r in applicable
    ]
    chosen_id = rule or (certs[0]["rule"] if certs else None)
    chosen = next((c for c in certs if c["rule"] == chosen_id), None)
    if chosen is None and chosen_id is not None:
        chosen = api.read(
            ("certify", product, chosen_id, as_of, None),
            lambda v: cert.certify(v, product, chosen_id).to_json(),
            as_of,
        )
    return page(
        request,
        "product.html.j2",
        title=traced["product"]["name"],
        trace=traced,
        certs=certs,
        chosen=chosen,
        rules=rules,
        as_of=as_of,
        tree=trace_tree(traced),
    )
