"""Who am I, visible datasets, the audit log, and CSV upload (``derisk import csv`` over HTTP)."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from derisk.api import models as m
from derisk.api.deps import ApiDep, JSONBody, PageDep, paginate
from derisk.api.state import encode_json
from derisk.data.csvio import FILE_KINDS
from derisk.errors import NotFoundError
from derisk.services import imports as import_svc
from derisk.services import trust as svc
from derisk.services.results.imports import ImportResult
from derisk.store import Store

router = APIRouter(prefix="/api")

DATASET_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"


class ImportOut(m.Out):
    schema_: str = Field(alias="schema", examples=["derisk.import/1"])
    dataset: str
    rows: dict[str, int]
    seconds: float


def _mode(request: Request) -> str:
    return str(request.scope.get("derisk.mode", "local"))


@router.get("/whoami", response_model=m.WhoamiOut, tags=["trust"], responses=m.problems(401))
def whoami(request: Request, api: ApiDep) -> Response:
    """Who the request acts as, in which mode, and the datasets it sees (never cached)."""
    with api.state.reader() as store:
        return JSONBody(encode_json(svc.whoami(store, mode=_mode(request)).to_json()))


@router.get(
    "/datasets", response_model=m.DatasetsOut, tags=["trust"], responses=m.problems(401, 422)
)
def datasets(api: ApiDep, page: PageDep) -> Response:
    """Datasets the request's user sees, with access (public/private) and owner."""
    return api.json(
        ("datasets", page),
        lambda s: paginate(svc.list_datasets(s).to_json(), "datasets", page),
    )


@router.get(
    "/audit", response_model=m.AuditOut, tags=["trust"], responses=m.problems(400, 401, 422)
)
def audit(
    api: ApiDep,
    since: Annotated[
        str | None, Query(description="From this UTC date or time (ISO 8601).", max_length=40)
    ] = None,
    until: Annotated[
        str | None, Query(description="Before this date or time.", max_length=40)
    ] = None,
    table: Annotated[str | None, Query(description="Only this table.", max_length=64)] = None,
    dataset: Annotated[str | None, Query(description="Only this dataset.", max_length=64)] = None,
    actor: Annotated[str | None, Query(description="Only this actor.", max_length=200)] = None,
    action: Annotated[str | None, Query(description="Only this action.", max_length=64)] = None,
    txn: Annotated[str | None, Query(description="One transaction.", max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many entries.")] = 100,
) -> Response:
    """The audit log, newest first: entries of the datasets the user sees (all for admins)."""
    with api.state.reader() as store:
        res = svc.audit(
            store,
            since=since or None,
            until=until or None,
            table=table or None,
            dataset=dataset or None,
            actor=actor or None,
            action=action or None,
            txn=txn or None,
            limit=limit,
        )
    return JSONBody(encode_json(res.to_json()))


@router.post(
    "/imports/{kind}",
    response_model=ImportOut,
    tags=["trust"],
    responses=m.problems(401, 403, 404, 409, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One derisk CSV file (docs/formats.md), UTF-8.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_file(
    request: Request,
    api: ApiDep,
    kind: Annotated[
        str,
        Path(description=f"File kind: {', '.join(FILE_KINDS)}.", examples=["stakes"]),
    ],
    dataset: Annotated[
        str,
        Query(
            description="Dataset for the rows. A new dataset becomes private to the "
            "uploader's organisation.",
            pattern=DATASET_PATTERN,
        ),
    ],
    replace: Annotated[bool, Query(description="Replace the dataset's rows.")] = False,
) -> Response:
    """Import one derisk CSV file (analyst): atomic, audited; a bad file changes nothing and
    the problems name row and field."""
    if kind not in FILE_KINDS:
        raise NotFoundError(f"unknown file kind {kind!r}; one of {', '.join(FILE_KINDS)}")
    body = await request.body()

    def run(store: Store) -> ImportResult:
        with tempfile.TemporaryDirectory(prefix="derisk-upload-") as tmp:
            path = FilePath(tmp) / f"{kind}.csv"
            path.write_bytes(body)
            return import_svc.import_file(
                store, "csv", path, dataset=dataset, replace=replace, kind=kind
            )

    return await run_in_threadpool(api.write_json, lambda store: run(store).to_json())
