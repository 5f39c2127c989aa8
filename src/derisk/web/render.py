"""Page rendering: the Jinja2 environment, number formats and colours shared by every page."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from derisk.model.countries import name as country_name
from derisk.report.templating import RecordEnvironment

STATUS_LABELS = {
    "complete": ("complete", "Tonnages for every named producer; under 5% unallocated."),
    "partial": ("partial", "Tonnages, but 5% or more of world output is not allocated."),
    "withheld-or-missing": (
        "withheld",
        "A producer's figure is withheld or not available: the share has bounds.",
    ),
    "shares-only": ("shares only", "The source gives shares, not tonnages by country."),
    "no-data": ("no data", "No source in the database covers this stage."),
}
"""Data-quality marker of each ``data_status``: short label and explanation."""

CONFIDENCE_LABELS = {"H": "official statistics", "M": "secondary compilation", "L": "unverified"}


def web_link(url: object) -> str | None:
    """``url`` when it is an absolute http(s) address, else ``None``: addresses come from
    data, and a ``javascript:`` or ``data:`` one must never become a link.

    >>> web_link("https://usgs.gov/x"), web_link("javascript:alert(1)"), web_link(" JaVa\tscript:x")
    ('https://usgs.gov/x', None, None)
    """
    if not isinstance(url, str):
        return None
    u = url.strip()
    parts = urlsplit(u)
    if (
        parts.scheme.lower() in ("http", "https")
        and parts.netloc
        and not any(ord(ch) < 32 for ch in u)
    ):
        return u
    return None


def pct(x: float | None, nd: int = 1) -> str:
    """A fraction as a percentage.

    >>> pct(0.91349), pct(None), pct(0.5, 0)
    ('91.3%', '—', '50%')
    """
    return "—" if x is None else f"{100 * x:.{nd}f}%"


def bounds(b: Sequence[float | None] | None, nd: int = 0) -> str:
    """Bounds as a range when they differ by more than 0.05 points, else empty.

    >>> bounds([0.0, 0.571]), bounds([0.8, 0.8])
    ('0–57%', '')
    """
    if not b or b[0] is None or b[1] is None or abs(b[1] - b[0]) < 5e-4:
        return ""
    return f"{100 * b[0]:.{nd}f}–{100 * b[1]:.{nd}f}%"


def num(x: float | None) -> str:
    """A quantity with thousands separators (no decimals from 100 up).

    >>> num(112000.0), num(3.25), num(None)
    ('112,000', '3.25', '—')
    """
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def heat(share: float | None) -> str:
    """Cell background for a share: white at 0 to deep red at 1, grey when unknown.

    >>> heat(0.0), heat(1.0), heat(None)
    ('rgb(255,247,243)', 'rgb(165,15,21)', '#eef0f3')
    """
    if share is None:
        return "#eef0f3"
    s = min(max(share, 0.0), 1.0)
    # Linear ramp through three stops (light, orange-red, dark red), readable in print.
    stops = [(0.0, (255, 247, 243)), (0.55, (239, 101, 72)), (1.0, (165, 15, 21))]
    for (x0, c0), (x1, c1) in itertools.pairwise(stops):
        if s <= x1:
            t = (s - x0) / (x1 - x0)
            r, g, b = (round(a + (bb - a) * t) for a, bb in zip(c0, c1, strict=True))
            return f"rgb({r},{g},{b})"
    return "rgb(165,15,21)"


def ink(share: float | None) -> str:
    """Text colour readable on :func:`heat` of the same share.

    >>> ink(0.9), ink(0.2)
    ('#fff', '#1d2530')
    """
    return "#fff" if share is not None and share >= 0.6 else "#1d2530"


def source_href(source_id: str | None) -> str:
    """The page of a source (or of a fact)."""
    return "/sources/" + quote(source_id or "", safe="")


def query(request: Request, **changes: Any) -> str:
    """The request's query string with ``changes`` applied (``None`` removes a key)."""
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = str(v)
    return ("?" + urlencode(params)) if params else ""


def selection_query(request: Request) -> str:
    """Only the selection parameters (countries, group, as_of) of the request, for links."""
    keep = {k: v for k, v in request.query_params.items() if k in ("countries", "group", "as_of")}
    return ("?" + urlencode(keep)) if keep else ""


@functools.cache
def environment() -> jinja2.Environment:
    env = RecordEnvironment(
        loader=jinja2.PackageLoader("derisk.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        pct=pct,
        bounds=bounds,
        num=num,
        heat=heat,
        ink=ink,
        cname=lambda c: country_name(c) if c else "",
        source_href=source_href,
        urlq=lambda s: quote(str(s), safe=""),
        link=web_link,
    )
    env.globals.update(STATUS_LABELS=STATUS_LABELS, CONFIDENCE_LABELS=CONFIDENCE_LABELS)
    return env


def page(
    request: Request, template: str, *, title: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    """Render one page of the site with the shared context (navigation, selection, helpers)."""
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            title=title,
            nav=request.app.state.nav,
            path=request.url.path,
            query=functools.partial(query, request),
            selq=selection_query(request),
            csrf=request.scope.get("derisk.csrf", ""),
            **ctx,
        )
    )
    return HTMLResponse(html, status_code=status)
