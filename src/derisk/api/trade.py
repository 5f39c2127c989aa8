"""Trade endpoints: origin of an importer's supply through third countries, export series."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from derisk.api import models as m
from derisk.api.deps import ApiDep, SelectionDep
from derisk.services import trade as svc

router = APIRouter(prefix="/api/trade", tags=["trade"])


@router.get(
    "/origin/{material}", response_model=m.TradeOriginOut, responses=m.problems(400, 404, 422)
)
def origin(
    api: ApiDep,
    sel: SelectionDep,
    material: Annotated[str, Path(description="Material id.", examples=["gallium"])],
    importer: Annotated[str, Query(description="Importing country, ISO alpha-3.")] = "USA",
    stage: Annotated[
        str | None, Query(description="Stage id (default: latest with trade).")
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200, description="Trade year.")] = None,
    mirror: Annotated[
        Literal["importer", "exporter", "max"], Query(description="Which report of a flow wins.")
    ] = "importer",
) -> Response:
    """Share of an importer's supply originating in the selected countries, directly and through
    third countries, with the top routes (`derisk trade origin`)."""
    stage = stage or None
    return api.read_json(
        ("trade-origin", material, importer, stage, year, mirror, sel.key),
        lambda v: svc.trade_origin(
            v, material, importer, stage, year, *sel.resolve(v), mirror=mirror
        ).to_json(),
        sel.as_of,
    )


@router.get("/series", response_model=m.TradeSeriesOut, responses=m.problems(400, 404, 422))
def series(
    api: ApiDep,
    reporter: Annotated[str, Query(description="Exporting country, ISO alpha-3.")] = "CHN",
    material: Annotated[str | None, Query(description="Only this material's HS codes.")] = None,
    hs: Annotated[str | None, Query(description="Only HS codes starting with this.")] = None,
    measure: Annotated[Literal["quantity", "value"], Query(description="t or USD.")] = "quantity",
    top: Annotated[int, Query(ge=1, le=30, description="Destinations named.")] = 6,
) -> Response:
    """Monthly exports of a country by destination, one series per HS code
    (`derisk trade series`)."""
    material, hs = material or None, hs or None
    return api.read_json(
        ("trade-series", reporter, material, hs, measure, top),
        lambda v: svc.export_series(v, reporter, material, hs, measure=measure, top=top).to_json(),
    )
