"""The news review queue: proposals from articles, accepted or rejected by a person."""

from __future__ import annotations

import functools
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from derisk.api.deps import ApiDep
from derisk.errors import NotFoundError
from derisk.store import guard
from derisk.store.view import View
from derisk.web.render import page

if TYPE_CHECKING:  # pragma: no cover
    from derisk.services.results.news import NewsDecisionResult, NewsReview


def _svc() -> ModuleType:
    """The news service, imported on first use: it loads the HTML extraction stack, which
    commands and pages that do not read news never need."""
    from derisk.services import news

    return news


router = APIRouter(include_in_schema=False)

NAV = [("News review", "/review")]


def _listed(view: View, status: str) -> NewsReview:
    listed: NewsReview = _svc().list_proposals(view, status)
    return listed


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    api: ApiDep,
    status: Annotated[Literal["pending", "accepted", "rejected", "all"], Query()] = "pending",
) -> HTMLResponse:
    """Proposals of one status, each with its sentence, fields and article."""
    data = api.read(("review", status, None), functools.partial(_listed, status=status))
    counts = {}
    for st in ("pending", "accepted", "rejected"):
        listed = api.read(("review", st, None), functools.partial(_listed, status=st))
        counts[st] = len(listed.proposals)
    return page(
        request,
        "review.html.j2",
        title="News review",
        data=data,
        shown=status,
        counts=counts,
        writable=api.state.writable,
        done=_done(request.query_params.get("done")),
    )


def _done(value: str | None) -> tuple[str, str] | None:
    """``<proposal id>.<accepted|rejected>`` from the redirect after a decision; anything else
    (a hand-edited URL) shows no message."""
    pid, _, decision = (value or "").rpartition(".")
    return (pid, decision) if pid and decision in ("accepted", "rejected") else None


@router.post("/review/{proposal}/{decision}", response_class=RedirectResponse)
async def decide(request: Request, api: ApiDep, proposal: str, decision: str) -> RedirectResponse:
    """Accept or reject from the page's form, then back to the queue (303, so a reload is safe)."""
    form = parse_qs((await request.body()).decode("utf-8"))
    if decision == "accept":
        sets = {
            k.removeprefix("set_"): v[0] for k, v in form.items() if k.startswith("set_") and v[0]
        }
        res: NewsDecisionResult = api.write(
            lambda s: _svc().accept(s, proposal, sets, decided_by=guard.acting_label())
        )
    elif decision == "reject":
        reason = (form.get("reason") or [""])[0] or None
        res = api.write(
            lambda s: _svc().reject(s, proposal, reason, decided_by=guard.acting_label())
        )
    else:
        raise NotFoundError(f"no decision {decision!r}; accept or reject")
    back = f"/review?done={quote(res.proposal_id)}.{res.decision}"
    return RedirectResponse(back, status_code=303)
