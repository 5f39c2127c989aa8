"""``out/overview.html``: a static, offline heat table of the selected share by material x stage."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import jinja2

from derisk.model.countries import name as country_name
from derisk.report.templating import RecordEnvironment
from derisk.services.results import Overview, OverviewRow, SourceMeta


def _color(share: float | None) -> str:
    if share is None:
        return "#f2f2f2"
    # white (0) -> deep red (1), in steps readable in print
    r, g, b = 255, int(248 - 150 * share), int(245 - 165 * share)
    return f"rgb({r},{g},{b})"


def render_overview(data: Overview, sources: Mapping[str, SourceMeta]) -> str:
    """HTML for an overview result (``derisk.overview/1``) and its sources."""
    env = RecordEnvironment(
        loader=jinja2.FunctionLoader(
            lambda n: resources.files("derisk.report").joinpath("templates", n).read_text("utf-8")
        ),
        autoescape=True,
    )
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.0f}%"
    env.filters["pct1"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["color"] = _color
    env.filters["cname"] = lambda c: country_name(c) if c else ""
    by_mat: dict[str, list[OverviewRow]] = {}
    for r in data.rows:
        by_mat.setdefault(r.material, []).append(r)
    max_stages = max(len(v) for v in by_mat.values()) if by_mat else 0
    used = sorted({r.source_id for r in data.rows if isinstance(r.source_id, str) and r.source_id})
    label = data.selected_group or ", ".join(country_name(c) for c in data.selected_countries)
    return env.get_template("overview.html.j2").render(
        data=data,
        by_mat=by_mat,
        max_stages=max_stages,
        sources=[sources[s] for s in used if s in sources],
        label=label,
    )
