"""News review queue: list and show proposals, accept or reject them (writes)."""

from __future__ import annotations

from types import ModuleType
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from derisk.api import models as m
from derisk.api.deps import ApiDep, PageDep, paginate
from derisk.store import guard


def _svc() -> ModuleType:
    """The news service, imported on first use: it loads the HTML extraction stack, which
    commands and pages that do not read news never need."""
    from derisk.services import news

    return news


router = APIRouter(prefix="/api", tags=["news"])

ProposalPath = Annotated[str, Path(description="Proposal id (or a unique start of one).")]


class AcceptIn(BaseModel):
    set: dict[str, str] = Field(
        default_factory=dict,
        description="Fields to correct before accepting (as `derisk review accept --set`).",
    )


class RejectIn(BaseModel):
    reason: str | None = Field(default=None, description="Why the proposal is rejected.")


@router.get("/review", response_model=m.NewsReviewOut, responses=m.problems(400, 422))
def review_list(
    api: ApiDep,
    page: PageDep,
    status: Annotated[
        Literal["pending", "accepted", "rejected", "all"], Query(description="Proposal status.")
    ] = "pending",
    type: Annotated[str | None, Query(description="Only this event type.")] = None,
) -> Response:
    """Proposed supply-chain events from news, newest first (`derisk review list`)."""
    etype = type or None
    return api.read_json(
        ("review", status, etype, page),
        lambda v: paginate(_svc().list_proposals(v, status, etype).to_json(), "proposals", page),
    )


@router.get(
    "/review/{proposal}", response_model=m.NewsProposalOut, responses=m.problems(400, 404, 422)
)
def review_show(api: ApiDep, proposal: ProposalPath) -> Response:
    """One proposal with its article, sentence in context, entities and decisions."""
    return api.read_json(("review-show", proposal), lambda v: _svc().show(v, proposal).to_json())


@router.post(
    "/review/{proposal}/accept",
    response_model=m.NewsDecisionOut,
    responses=m.problems(400, 404, 409, 422),
)
def review_accept(
    api: ApiDep, proposal: ProposalPath, body: Annotated[AcceptIn | None, Body()] = None
) -> Response:
    """Accept a pending proposal: its facts are written with the article as their source."""
    sets = body.set if body else {}
    return api.write_json(
        lambda s: _svc().accept(s, proposal, sets, decided_by=guard.acting_label()).to_json()
    )


@router.post(
    "/review/{proposal}/reject",
    response_model=m.NewsDecisionOut,
    responses=m.problems(400, 404, 409, 422),
)
def review_reject(
    api: ApiDep, proposal: ProposalPath, body: Annotated[RejectIn | None, Body()] = None
) -> Response:
    """Reject a pending proposal (recorded; the graph does not change)."""
    reason = body.reason if body else None
    return api.write_json(
        lambda s: _svc().reject(s, proposal, reason, decided_by=guard.acting_label()).to_json()
    )
