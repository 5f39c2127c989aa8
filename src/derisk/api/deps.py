"""What every route needs: the per-request ``Api`` handle, selection and paging parameters.

A route asks for ``api: ApiDep`` and answers with ``api.read_json(key, compute, as_of)``:
``compute`` gets the request's :class:`~derisk.store.view.View` (one per request, as of the
date asked, seeing what the caller may see) and returns the service's result; the encoded
answer is cached under ``key`` (which must hold every parameter the answer depends on, the
as-of date resolved). Reads that need no view (the store's status) use ``api.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request, Response

from derisk.api.state import AppState, encode_json, today
from derisk.model.record import JSONObject, Record
from derisk.services import exposure as svc
from derisk.store import Store
from derisk.store.view import View

T = TypeVar("T")
R = TypeVar("R", bound=Record)

MAX_LIMIT = 1000


class JSONBody(Response):
    media_type = "application/json"


@dataclass(frozen=True)
class Api:
    """One request's access to the shared state: cached reads and locked writes."""

    state: AppState

    def data(self, key: Hashable, compute: Callable[[Store], T]) -> T:
        """The (cached) result of ``compute(store)``. Treat it as read-only."""

        def run() -> T:
            with self.state.reader() as store:
                return compute(store)

        return self.state.cached(("data", key), run)

    def record(
        self, key: Hashable, compute: Callable[[View], R], as_of: dt.date | None = None
    ) -> R:
        """The (cached) result record of ``compute(view)`` (see :meth:`read`), for pages that
        render records (cached apart from the plain JSON data kept under the same key)."""
        return self.read(("record", key), compute, as_of)

    def json(self, key: Hashable, compute: Callable[[Store], Any]) -> Response:
        """The (cached) result of ``compute(store)`` as a JSON response."""
        body = self.state.cached(("json", key), lambda: encode_json(self.data(key, compute)))
        return JSONBody(body)

    def read(self, key: Hashable, compute: Callable[[View], T], as_of: dt.date | None = None) -> T:
        """The (cached) result of ``compute(view)``: the request's one view, as of ``as_of``
        (default today). ``key`` holds every parameter the answer depends on, ``as_of`` too.
        Treat the result as read-only."""

        def run(store: Store) -> T:
            with store.view(as_of=as_of) as view:
                return compute(view)

        return self.data(key, run)

    def read_json(
        self, key: Hashable, compute: Callable[[View], Any], as_of: dt.date | None = None
    ) -> Response:
        """:meth:`read` as a JSON response."""

        def run(store: Store) -> Any:
            with store.view(as_of=as_of) as view:
                return compute(view)

        return self.json(key, run)

    def write(self, compute: Callable[[Store], T]) -> T:
        """Run ``compute(store)`` as the one writer; the cache is emptied afterwards."""
        with self.state.writer() as store:
            return compute(store)

    def write_json(self, compute: Callable[[Store], Any]) -> Response:
        """:meth:`write`, its result sent as a JSON response."""
        return JSONBody(encode_json(self.write(compute)))


def get_api(request: Request) -> Api:
    state: AppState = request.app.state.derisk
    return Api(state)


ApiDep = Annotated[Api, Depends(get_api)]


@dataclass(frozen=True)
class Selection:
    """The selected countries (explicit, a group, or China) and the as-of date."""

    countries: str | None
    group: str | None
    as_of: dt.date

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        return (self.countries, self.group, self.as_of.isoformat())

    def resolve(self, view: View) -> tuple[tuple[str, ...], str | None]:
        """(country codes, group id) as :func:`derisk.services.exposure.selection` gives them
        (``view`` as of :attr:`as_of`)."""
        return svc.selection(view, self.countries, self.group)


def get_selection(
    countries: Annotated[
        str | None,
        Query(description="Selected countries, ISO alpha-3 (or names), comma-separated."),
    ] = None,
    group: Annotated[
        str | None, Query(description="Selected country group, e.g. covered, eu27.")
    ] = None,
    as_of: Annotated[
        dt.date | None,
        Query(description="Date (YYYY-MM-DD) the facts must be valid at; default today."),
    ] = None,
) -> Selection:
    return Selection(countries or None, group or None, as_of or today())


SelectionDep = Annotated[Selection, Depends(get_selection)]


def get_as_of(
    as_of: Annotated[
        dt.date | None,
        Query(description="Date (YYYY-MM-DD) the facts must be valid at; default today."),
    ] = None,
) -> dt.date:
    return as_of or today()


AsOfDep = Annotated[dt.date, Depends(get_as_of)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(get_page)]


def paginate(result: JSONObject, items: str, page: Page) -> JSONObject:
    """``result`` (a result's ``to_json()``) with its list ``items`` cut to one page and a
    ``page`` block added.

    >>> paginate({"schema": "x/1", "rows": [1, 2, 3]}, "rows", Page(limit=2, offset=1))
    {'schema': 'x/1', 'rows': [2, 3], 'page': {'total': 3, 'limit': 2, 'offset': 1, 'next': None}}
    """
    rows = result[items]
    end = page.offset + page.limit
    nxt = end if end < len(rows) else None
    return {
        **result,
        items: rows[page.offset : end],
        "page": {"total": len(rows), "limit": page.limit, "offset": page.offset, "next": nxt},
    }
