"""Entity pages: the list of entities, and one entity's owners, holdings and screening."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from derisk.api.deps import ApiDep, AsOfDep
from derisk.model.record import ABSENT, Absent, Record
from derisk.services import lookup
from derisk.services import ownership as own
from derisk.services import screening as scr
from derisk.services.results import Holdings, Owners, OwnershipChain
from derisk.web.render import page

router = APIRouter(include_in_schema=False)

NAV = [("Entities", "/entities")]

SCREEN_RULES = ("feoc", "pfe")
"""Rules shown on an entity page (``pfe`` carries its ``sfe`` and ``fie`` components)."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GraphNode(Record):
    """An entity of the ownership graph; ``focus`` marks the page's entity."""

    id: str
    name: str
    kind: str | None
    country: str | None
    level: int
    focus: bool | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GraphEdge(Record):
    """A stake of the ownership graph: ``source`` holds ``percent`` of ``target``."""

    source: str
    target: str
    percent: float
    percent_max: float | None
    fact_id: str | None
    source_id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class OwnershipGraph(Record):
    """The data the entity page's script draws."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def ownership_graph(owners: Owners, holdings: Holdings) -> OwnershipGraph:
    """Nodes and stakes of the chains above (owners) and below (holdings) one entity.

    A node's ``level`` is its place in the chains: negative above the entity (``-1`` holds it
    directly), positive below; a node on several chains keeps the level nearest the entity.
    """
    ent = owners.entity
    meta = {h.id: h for h in owners.owners}
    nodes: dict[str, GraphNode] = {
        ent.id: GraphNode(
            id=ent.id, name=ent.name, kind=ent.kind, country=ent.country, level=0, focus=True
        )
    }
    edges: dict[tuple[str, str], GraphEdge] = {}

    def add(path: OwnershipChain, below: bool) -> None:
        n = len(path.entities)
        for i, (eid, name) in enumerate(zip(path.entities, path.names, strict=True)):
            level = i if below else i - (n - 1)
            h = meta.get(eid)
            node = nodes.get(eid)
            if node is None:
                nodes[eid] = GraphNode(
                    id=eid,
                    name=name,
                    kind=None if h is None else h.kind,
                    country=None if h is None else h.country,
                    level=level,
                )
            elif abs(level) < abs(node.level):
                nodes[eid] = replace(node, level=level)
        for st in path.stakes:
            edges.setdefault(
                (st.owner, st.owned),
                GraphEdge(
                    source=st.owner,
                    target=st.owned,
                    percent=st.percent,
                    percent_max=st.percent_max,
                    fact_id=st.fact_id,
                    source_id=st.source_id,
                ),
            )

    for h in owners.owners:
        for p in h.paths:
            add(p, below=False)
    for g in holdings.holdings:
        for p in g.paths:
            add(p, below=True)
    return OwnershipGraph(nodes=tuple(nodes.values()), edges=tuple(edges.values()))


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, api: ApiDep, as_of: AsOfDep) -> HTMLResponse:
    """Every entity with its kind, country, number of stakes and PFE screening verdict."""
    data = api.record(("entities",), lookup.entity_list)
    verdicts = api.record(
        ("screen-all", "pfe", as_of), lambda v: scr.screen_all(v, rule="pfe"), as_of
    )
    return page(
        request,
        "entities.html.j2",
        title="Entities",
        entities=data.entities,
        verdicts={e.id: e for e in verdicts.entities},
        counts=verdicts.counts,
        rule=verdicts.rule,
    )


@router.get("/entities/{entity}", response_class=HTMLResponse)
def entity_page(request: Request, api: ApiDep, entity: str, as_of: AsOfDep) -> HTMLResponse:
    """Ownership graph with look-through shares, owners and holdings, screening verdicts."""
    owners = api.record(
        ("owners", entity, as_of, "equity", 0.0, 3), lambda v: own.owners(v, entity), as_of
    )
    holdings = api.record(
        ("holdings", entity, as_of, "equity", 0.0, 1), lambda v: own.holdings(v, entity), as_of
    )
    screens = [
        api.record(
            ("screen", entity, rule, as_of),
            lambda v, rule=rule: scr.screen_entity(v, entity, rule=rule),  # type: ignore[misc]
            as_of,
        )
        for rule in SCREEN_RULES
    ]
    graph = ownership_graph(owners, holdings)
    return page(
        request,
        "entity.html.j2",
        title=owners.entity.name,
        ent=owners.entity,
        owners=owners,
        holdings=holdings,
        screens=screens,
        graph=graph,
        as_of=as_of,
    )
