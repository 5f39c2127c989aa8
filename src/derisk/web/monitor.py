"""The alert inbox: your alerts with before → after, reasons and sources; read, acknowledge,
mute; the calendar of coming rule changes and licence expiries; your watchlist."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from derisk.api.deps import ApiDep
from derisk.api.monitor import STATE_OF
from derisk.errors import NotFoundError
from derisk.services import monitor as svc
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Alerts", "/alerts")]

States = Literal["open", "all", "unread", "read", "acknowledged", "muted"]


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, api: ApiDep, state: Annotated[States, Query()] = "open"
) -> HTMLResponse:
    """The inbox of one state, the calendar and the watchlist."""
    data = api.record(("alerts", state), lambda v: svc.list_alerts(v, state=state))
    cal = api.record(("calendar", 90), lambda v: svc.calendar(v, days=90))
    watch = api.record(("watchlist",), svc.list_watch)
    return page(
        request,
        "alerts.html.j2",
        title="Alerts",
        data=data,
        shown=state,
        calendar=cal,
        watch=watch,
        writable=api.state.writable,
        done=request.query_params.get("done"),
    )


@router.post("/alerts/{alert}/{action}", response_class=RedirectResponse)
def alert_action(request: Request, api: ApiDep, alert: str, action: str) -> RedirectResponse:
    """Read, acknowledge, mute or mark unread from the page, then back (303)."""
    if action not in STATE_OF:
        raise NotFoundError(f"no action {action!r}; one of {', '.join(STATE_OF)}")
    res = api.write(lambda s: svc.set_state(s, alert, STATE_OF[action]).to_json())
    shown = request.query_params.get("state", "open")
    back = f"/alerts?state={quote(shown)}&done={quote(res['alert']['alert_id'])}.{STATE_OF[action]}"
    return RedirectResponse(back, status_code=303)
