"""Entity pages: the list of entities, and one entity's owners, holdings and screening."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.services import lookup
from derisk.services import ownership as own
from derisk.services import screening as scr
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Entities", "/entities")]

SCREEN_RULES = ("feoc", "pfe")
"""Rules shown on an entity page (``pfe`` carries its ``sfe`` and ``fie`` components)."""


def ownership_graph(owners: dict[str, Any], holdings: dict[str, Any]) -> dict[str, Any]:
    """Nodes and stakes of the chains above (owners) and below (holdings) one entity.

    A node's ``level`` is its place in the chains: negative above the entity (``-1`` holds it
    directly), positive below; a node on several chains keeps the level nearest the entity.

    >>> o = {"entity": {"id": "b", "name": "B", "kind": "company", "country": "USA"},
    ...      "owners": [{"id": "a", "kind": "government", "country": "CHN", "paths": [
    ...          {"entities": ["a", "b"], "names": ["A", "B"], "stakes": [
    ...              {"owner": "a", "owned": "b", "percent": 30.0, "percent_max": None,
    ...               "fact_id": "f1", "source_id": "s1"}]}]}]}
    >>> g = ownership_graph(o, {"holdings": []})
    >>> [(n["id"], n["level"]) for n in g["nodes"]], g["edges"][0]["percent"]
    ([('b', 0), ('a', -1)], 30.0)
    """
    ent = owners["entity"]
    meta = {h["id"]: h for h in owners.get("owners", [])}
    nodes: dict[str, dict[str, Any]] = {
        ent["id"]: {**ent, "level": 0, "focus": True},
    }
    edges: dict[tuple[str, str], dict[str, Any]] = {}

    def add(path: dict[str, Any], below: bool) -> None:
        ids, names = path["entities"], path["names"]
        n = len(ids)
        for i, (eid, name) in enumerate(zip(ids, names, strict=True)):
            level = i if below else i - (n - 1)
            h = meta.get(eid, {})
            node = nodes.setdefault(
                eid,
                {
                    "id": eid,
                    "name": name,
                    "kind": h.get("kind"),
                    "country": h.get("country"),
                    "level": level,
                },
            )
            if abs(level) < abs(node["level"]):
                node["level"] = level
        for st in path["stakes"]:
            edges.setdefault(
                (st["owner"], st["owned"]),
                {
                    "source": st["owner"],
                    "target": st["owned"],
                    "percent": st["percent"],
                    "percent_max": st.get("percent_max"),
                    "fact_id": st.get("fact_id"),
                    "source_id": st.get("source_id"),
                },
            )

    for h in owners.get("owners", []):
        for p in h.get("paths", []):
            add(p, below=False)
    for h in holdings.get("holdings", []):
        for p in h.get("paths", []):
            add(p, below=True)
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, api: ApiDep, as_of: AsOfDep) -> HTMLResponse:
    """Every entity with its kind, country, number of stakes and PFE screening verdict."""
    data = api.read(("entities",), lambda v: lookup.entity_list(v).to_json())
    verdicts = api.read(
        ("screen-all", "pfe", as_of),
        lambda v: scr.screen_all(v, rule="pfe").to_json(),
        as_of,
    )
    by_id = {e["id"]: e for e in verdicts.get("entities", [])}
    return page(
        request,
        "entities.html.j2",
        title="Entities",
        entities=data["entities"],
        verdicts=by_id,
        counts=verdicts.get("counts", {}),
        rule=verdicts["rule"],
    )


@router.get("/entities/{entity}", response_class=HTMLResponse)
def entity_page(request: Request, api: ApiDep, entity: str, as_of: AsOfDep) -> HTMLResponse:
    """Ownership graph with look-through shares, owners and holdings, screening verdicts."""
    owners = api.read(
        ("owners", entity, as_of, "equity", 0.0, 3),
        lambda v: own.owners(v, entity).to_json(),
        as_of,
    )
    holdings = api.read(
        ("holdings", entity, as_of, "equity", 0.0, 1),
        lambda v: own.holdings(v, entity).to_json(),
        as_of,
    )
    screens = [
        api.read(
            ("screen", entity, rule, as_of),
            lambda v, rule=rule: scr.screen_entity(v, entity, rule=rule).to_json(),  # type: ignore[misc]
            as_of,
        )
        for rule in SCREEN_RULES
    ]
    graph = ownership_graph(owners, holdings)
    return page(
        request,
        "entity.html.j2",
        title=owners["entity"]["name"],
        ent=owners["entity"],
        owners=owners,
        holdings=holdings,
        screens=screens,
        graph=graph,
        as_of=as_of,
    )
