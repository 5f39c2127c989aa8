"""Errors as RFC 9457 problem details (``application/problem+json``).

Errors map through the one table in :mod:`derisk.errors`: a :class:`~derisk.errors.DeriskError`
answers with its ``status`` and ``kind`` (the same ``kind`` and the exit code the CLI uses), e.g.
``NotFound`` 404, ``BadInputError`` 400, ``ImportFailed`` 422 with its problems, ``Forbidden``
403, a write to a read-only server 409, ``StoreError`` 503. Anything else — a plain
``ValueError`` or ``KeyError`` included — is a bug: logged with a trace id and answered 500
``internal-error`` with that id, never as the caller's mistake. Pages (paths outside ``/api``)
get the same problem rendered as HTML.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import TypedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from derisk.data.csvio import ImportFailed
from derisk.errors import DeriskError
from derisk.model.record import ABSENT, Absent, JSONObject, Record

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:derisk:problem:"

log = logging.getLogger("derisk.api")


class RowProblem(TypedDict):
    """What is wrong with one field of an imported file (:class:`derisk.data.csvio.Problem`)."""

    file: str
    row: int
    field: str
    message: str


class RequestProblem(TypedDict):
    """What is wrong with one part of a request (from FastAPI's validation)."""

    loc: list[str]
    message: str
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Problem(Record):
    """A problem-details body (RFC 9457): what went wrong, for the API and the error page."""

    type: str
    title: str
    status: int
    detail: str
    errors: tuple[RowProblem | RequestProblem, ...] | Absent = ABSENT
    trace_id: str | Absent = ABSENT
    instance: str | Absent = ABSENT


HtmlRenderer = Callable[[Request, Problem], Response]

PROBLEM_SCHEMA: JSONObject = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": [TYPE_PREFIX + "not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
"""JSON schema of a problem body, for the OpenAPI document."""


def problem(
    status: int,
    kind: str,
    detail: str,
    *,
    errors: Sequence[RowProblem | RequestProblem] | None = None,
    trace_id: str | None = None,
) -> Problem:
    """A problem-details body.

    >>> problem(404, "not-found", "unknown material 'tin'")["title"]
    'Not Found'
    """
    return Problem(
        type=TYPE_PREFIX + kind,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=ABSENT if errors is None else tuple(errors),
        trace_id=ABSENT if trace_id is None else trace_id,
    )


def _message(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def install(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Register the handlers; ``html`` renders problems for page requests."""

    def respond(request: Request, body: Problem) -> Response:
        body = replace(body, instance=request.url.path)
        if html is not None and not request.url.path.startswith(("/api", "/openapi")):
            return html(request, body)
        return JSONResponse(body.to_json(), status_code=body.status, media_type=PROBLEM_JSON)

    async def import_failed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ImportFailed)
        probs: list[RowProblem] = [
            {"file": p.file, "row": p.row, "field": p.field, "message": p.message}
            for p in exc.problems
        ]
        body = problem(422, "import-refused", "import refused, nothing was written", errors=probs)
        return respond(request, body)

    async def derisk_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DeriskError)
        return respond(request, problem(exc.status, exc.kind, _message(exc)))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors: list[RequestProblem] = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "message": str(e.get("msg", "")),
                "kind": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['message']}" for e in errors)
        return respond(request, problem(422, "invalid-request", detail, errors=errors))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        kind = "not-found" if exc.status_code == 404 else f"http-{exc.status_code}"
        resp = respond(request, problem(exc.status_code, kind, str(exc.detail)))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    async def internal(request: Request, exc: Exception) -> Response:
        trace_id = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s", trace_id, request.url.path, exc_info=exc)
        body = problem(
            500,
            "internal-error",
            f"internal error {trace_id}; see the server log",
            trace_id=trace_id,
        )
        return respond(request, body)

    app.add_exception_handler(ImportFailed, import_failed)
    app.add_exception_handler(DeriskError, derisk_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, internal)
