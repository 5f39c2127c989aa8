"""A reroute plan as a flow diagram: the one rule the web page and the HTML report draw.

Nodes are the sites used (one column per stage), the destination, and the unmet demand.
The plan routes stage-``s`` material from sites to the *place* of stage ``s+1`` in a
country (``trade``), and from a place to the sites that process it (``processing``). A
place is drawn through: input q_i from site a_i and processing p_j by site b_j become links
a_i -> b_j of q_i * p_j / sum_k p_k (the plan's flow split in proportion, tonnes of
stage-``s`` material). Deliveries link the last stage's sites to the destination; unmet
demand (demand - delivered) is a link of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from derisk.model.countries import name as country_name
from derisk.services.results.resource import FlowLink, FlowNode, PlanFlows, Reroute, RerouteSite

__all__ = ["DEST", "UNMET", "plan_flows", "site_label", "site_ref"]

DEST = "destination"
UNMET = "unmet"


def site_label(site: RerouteSite) -> str:
    """A site's label: the country's name for a country total, else the site's label."""
    if site.country and site.label == site.country:
        return country_name(site.country)
    return site.label or site.site


def site_ref(facts: tuple[str, ...], sources: tuple[str, ...]) -> str | None:
    """The page a site's figure links to: its first fact, else its first source.

    >>> site_ref(("f1",), ("s1",)), site_ref((), ("s1",)), site_ref((), ())
    ('f1', 's1', None)
    """
    if facts:
        return facts[0]
    return sources[0] if sources else None


def _link(
    tail: str, head: str, value: float, stage: str, sites: Mapping[str, RerouteSite]
) -> FlowLink:
    s = sites[tail]
    return FlowLink(
        source=tail,
        target=head,
        value=round(value, 3),
        stage=stage,
        ref=site_ref(s.facts, s.sources),
    )


def plan_flows(result: Reroute, stage_names: Mapping[str, str] | None = None) -> PlanFlows:
    """The least-cost plan of ``result`` as flow-diagram nodes and links (module docstring);
    ``stage_names`` names the columns (default: the stage ids)."""
    names = stage_names or {}
    stages = result.stages
    depth = {s: i for i, s in enumerate(stages)}
    sites = {s.site: s for s in result.sites}
    by_label = {(s.stage, s.label): s.site for s in result.sites}
    by_country = {(s.stage, s.country): s.site for s in result.sites if s.country}
    used: dict[str, float] = defaultdict(float)
    inflow: dict[tuple[int, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    outflow: dict[tuple[int, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    links: list[FlowLink] = []
    delivered: dict[str, float] = defaultdict(float)
    for row in result.plan:
        q = float(row.quantity or 0.0)
        if q <= 0:
            continue
        i = depth[row.stage]
        if row.kind == "trade":
            tail = by_label.get((row.stage, row.from_)) or by_country.get(
                (row.stage, row.from_country or "")
            )
            if tail is not None:
                inflow[(i + 1, row.to)][tail] += q
                used[tail] += q
        elif row.kind == "processing" and row.site:
            outflow[(i, row.from_)][row.site] += q
        elif row.kind == "delivery" and row.site:
            delivered[row.site] += q
            used[row.site] += q
    for place, ins in inflow.items():
        outs = outflow.get(place, {})
        total = sum(outs.values())
        for tail, q in ins.items():
            for head, p in outs.items():
                if total > 0:
                    links.append(_link(tail, head, q * p / total, stages[place[0] - 1], sites))
    for site, q in delivered.items():
        links.append(_link(site, DEST, q, sites[site].stage, sites))
    unmet = float(result.unmet or 0.0)
    if unmet > 1e-9:
        links.append(FlowLink(source=UNMET, target=DEST, value=unmet, kind="unmet"))
    seen = {x.source for x in links} | {x.target for x in links}
    nodes = [
        FlowNode(
            name=sid,
            label=site_label(site),
            country=site.country,
            stage=site.stage,
            stage_name=names.get(site.stage, site.stage),
            depth=depth[site.stage],
            ref=site_ref(site.facts, site.sources),
            used=round(used.get(sid, 0.0), 3),
            available=site.available,
        )
        for sid, site in sites.items()
        if sid in seen
    ]
    nodes.sort(key=lambda n: (n.depth, -round(used.get(n.name, 0.0), 3)))
    nodes.append(
        FlowNode(
            name=DEST,
            label=result.destination_name,
            country=result.destination,
            depth=len(stages),
            kind="destination",
        )
    )
    if unmet > 1e-9:
        nodes.append(
            FlowNode(name=UNMET, label="Unmet demand", depth=max(0, len(stages) - 1), kind="unmet")
        )
    columns = (*(names.get(s, s) for s in stages), result.destination_name)
    return PlanFlows(nodes=tuple(nodes), links=tuple(links), columns=columns)
