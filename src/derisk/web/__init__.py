"""The web UI: server-rendered pages over the same services, charts drawn from embedded JSON.

Every asset is shipped in this package (``static/``, third-party files in ``static/vendor/``
with their licences): the pages work with the network off.
"""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from derisk.api.problems import HtmlRenderer, Problem
from derisk.web.render import page

PAGE_MODULES = (
    "derisk.web.core",
    "derisk.web.entities",
    "derisk.web.products",
    "derisk.web.review",
    "derisk.web.scenarios",
    "derisk.web.facilities",
    "derisk.web.monitor",
)
"""Each module has ``router`` (an ``APIRouter`` of pages) and ``NAV``: (label, href) pairs."""


class _Static(StaticFiles):
    """Static files, cacheable for an hour (vendored files change only with a release)."""

    async def get_response(self, path: str, scope: Any) -> Response:
        resp = await super().get_response(path, scope)
        resp.headers.setdefault("Cache-Control", "public, max-age=3600")
        return resp


def install(app: FastAPI) -> HtmlRenderer:
    """Mount the static files and every page module; return the HTML problem renderer."""
    static = _Static(packages=[("derisk.web", "static")])
    app.mount("/static", GZipMiddleware(static, minimum_size=1024), name="static")
    nav: list[tuple[str, str]] = []
    last: list[tuple[str, str]] = []
    for name in PAGE_MODULES:
        mod = importlib.import_module(name)
        app.include_router(mod.router)
        nav.extend(getattr(mod, "NAV", []))
        last.extend(getattr(mod, "NAV_LAST", []))
    app.state.nav = nav + last

    def error_page(request: Request, problem: Problem) -> Response:
        return page(
            request,
            "error.html.j2",
            title=problem.title,
            problem=problem,
            status=problem.status,
        )

    return error_page


__all__ = ["PAGE_MODULES", "install", "page"]
