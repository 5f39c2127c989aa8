"""Product endpoints: products, rules, trace to the mines, certificates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from derisk.api import models as m
from derisk.api.deps import ApiDep, AsOfDep, PageDep, paginate
from derisk.services import certify as cert
from derisk.services import trace as tr

router = APIRouter(prefix="/api", tags=["products"])

ProductPath = Annotated[
    str, Path(description="Product id.", examples=["magnet-jp-cn-oxide", "magnet-us-mp"])
]


@router.get("/products", response_model=m.ProductsOut, responses=m.problems(422))
def products(api: ApiDep, as_of: AsOfDep, page: PageDep) -> Response:
    """Products valid at the date, with facility, country and materials (`derisk products`)."""
    return api.read_json(
        ("products", as_of, page),
        lambda v: paginate(cert.list_products(v).to_json(), "products", page),
        as_of,
    )


@router.get("/rules", response_model=m.RulesOut, responses=m.problems(422))
def rules(api: ApiDep) -> Response:
    """Certification rules, their versions, thresholds and citations (`derisk rule-packs`)."""
    return api.json(("rules",), lambda s: cert.list_rules().to_json())


@router.get("/trace/{product}", response_model=m.TraceOut, responses=m.problems(400, 404, 422))
def trace(api: ApiDep, product: ProductPath, as_of: AsOfDep) -> Response:
    """A product's materials traced to the mines, stage by stage, traced or statistical, with
    the mass balance and what is missing (`derisk trace`)."""
    return api.read_json(("trace", product, as_of), lambda v: tr.trace(v, product).to_json(), as_of)


@router.get(
    "/certify/{product}", response_model=m.CertificateOut, responses=m.problems(400, 404, 422)
)
def certify(
    api: ApiDep,
    product: ProductPath,
    as_of: AsOfDep,
    rule: Annotated[str, Query(description="Rule id (see /api/rules).")] = "dfars-7052",
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Cost year (MACR).")] = None,
) -> Response:
    """Verdict of a product under a rule with the evidence and the missing data (`derisk
    certify`)."""
    return api.read_json(
        ("certify", product, rule, as_of, year),
        lambda v: cert.certify(v, product, rule, year=year).to_json(),
        as_of,
    )
