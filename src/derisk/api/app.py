"""The FastAPI application: API routers per area, problem+json errors, the web pages."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

import derisk
from derisk.api import problems, security
from derisk.api.state import AppState, ResponseCache
from derisk.store import default_db_path

ROUTER_MODULES = (
    "derisk.api.core",
    "derisk.api.trust",
    "derisk.api.ownership",
    "derisk.api.news",
    "derisk.api.trade",
    "derisk.api.products",
    "derisk.api.resource",
    "derisk.api.facilities",
    "derisk.api.monitor",
)
"""Each module has ``router`` (an ``APIRouter`` with ``prefix="/api"``); areas add theirs."""

DESCRIPTION = """\
Critical-mineral supply chains: dependence on China (or any set of countries), with sources.
Every answer is the same JSON as the CLI's `--json` (a `schema` key names its version); lists
take `limit` and `offset` and say their `page`; errors are `application/problem+json`.
"""


def create_app(
    db_path: str | Path | None = None,
    *,
    writable: bool = False,
    cache_size: int = 2048,
    web: bool = True,
    multi_user: bool = False,
    max_body: int = security.DEFAULT_MAX_BODY,
    cors_origins: tuple[str, ...] = (),
) -> FastAPI:
    """The app over the database at ``db_path`` (default: ``$DERISK_DB`` or the user's one).

    ``writable`` opens the database for writing (review accept/reject and other changes);
    ``cache_size`` 0 turns result caching off; ``web`` adds the pages and static files.
    ``multi_user`` asks every request for an API token (:mod:`derisk.api.security`);
    ``max_body`` limits request bodies; ``cors_origins`` allows those origins (none by default).
    """
    state = AppState(
        Path(db_path) if db_path else default_db_path(), writable=writable, cache_size=cache_size
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.close()

    app = FastAPI(
        title="derisk",
        version=derisk.__version__,
        description=DESCRIPTION,
        docs_url=None,  # the stock docs pages load their scripts from a CDN; see /api-docs
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.derisk = state
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    html = None
    if web:
        from derisk.web import install

        html = install(app)
    problems.install(app, html)
    app.add_middleware(ResponseCache, state=state)
    security.install(  # added last: runs first, before the response cache
        app, state=state, multi_user=multi_user, max_body=max_body, cors_origins=cors_origins
    )
    return app
