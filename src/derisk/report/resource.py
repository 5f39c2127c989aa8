"""Static HTML for re-sourcing plans and shock scenarios, with server-side SVG (no scripts).

* :func:`render_reroute`: a ``derisk.reroute/1`` result -- the plan as a flow diagram (the
  sites used, one column per stage, plus the destination and the unmet demand, drawn by the
  same rule as the web page: :func:`derisk.services.plan_flows.plan_flows`; band widths
  proportional to tonnes), the stage
  capacities, the binding constraints and the sources.
* :func:`render_shock`: a ``derisk.shock/1`` result -- monthly shortfall as a time-series chart,
  supply, demand and stocks of the most affected node, products and sources.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from importlib import resources

import jinja2

from derisk.model.record import ABSENT
from derisk.report.templating import RecordEnvironment
from derisk.services.plan_flows import plan_flows
from derisk.services.results.resource import Reroute
from derisk.services.results.shock import Shock

PALETTE = ("#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#5c940d", "#c2255c")


def _env() -> jinja2.Environment:
    env = RecordEnvironment(
        loader=jinja2.FunctionLoader(
            lambda n: resources.files("derisk.report").joinpath("templates", n).read_text("utf-8")
        ),
        autoescape=True,
    )
    env.filters["t"] = lambda x: "—" if x is None else f"{x:,.0f}"
    env.filters["t1"] = lambda x: "—" if x is None else f"{x:,.1f}"
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["money"] = lambda x: "—" if x is None else f"{x:,.0f}"
    return env


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.2f}"


def flow_svg(data: Reroute, width: int = 900, height: int = 420) -> str:
    """Sankey-style diagram of the plan (:func:`derisk.services.plan_flows.plan_flows`: the
    sites used, one column per stage, the destination and the unmet demand)."""
    flows = plan_flows(data)
    if not flows.links:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="60" role="img">'
            '<text x="10" y="35" font-size="14">No flow: nothing can be delivered under the '
            "exclusions.</text></svg>"
        )
    through_in: dict[str, float] = defaultdict(float)
    through_out: dict[str, float] = defaultdict(float)
    for link in flows.links:
        through_out[link.source] += link.value
        through_in[link.target] += link.value
    nodes = {n.name: n for n in flows.nodes}
    through = {k: max(through_in[k], through_out[k]) for k in nodes}
    n_cols = len(flows.columns)
    margin, node_w, gap = 110, 16, 8
    col_x = [margin + i * (width - 2 * margin - node_w) / max(n_cols - 1, 1) for i in range(n_cols)]
    by_col: dict[int, list[str]] = defaultdict(list)
    for n in flows.nodes:
        by_col[n.depth].append(n.name)
    top = 30
    usable_h = height - top - 20
    scale = min(
        (usable_h - gap * (len(v) - 1)) / max(sum(through[k] for k in v), 1e-12)
        for v in by_col.values()
    )
    pos: dict[str, tuple[float, float, float]] = {}  # x, y, h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="flow diagram of the plan">'
    ]
    for c in range(n_cols):
        name = flows.columns[c] if c < n_cols - 1 else f"delivered to {data.destination}"
        parts.append(
            f'<text x="{col_x[c] + node_w / 2:.1f}" y="16" font-size="12" text-anchor="middle" '
            f'font-weight="600">{escape(name)}</text>'
        )
        y = float(top)
        for key in by_col.get(c, []):
            h = max(through[key] * scale, 1.5)
            pos[key] = (col_x[c], y, h)
            y += h + gap
    out_off: dict[str, float] = defaultdict(float)
    in_off: dict[str, float] = defaultdict(float)
    colors: dict[str, str] = {}
    for n in flows.nodes:
        if n.depth == 0 and n.kind is ABSENT:
            colors[n.name] = PALETTE[len(colors) % len(PALETTE)]
    for link in flows.links:
        a, b, q = link.source, link.target, link.value
        if a not in pos or b not in pos:
            continue
        ax, ay, _ = pos[a]
        bx, by, _ = pos[b]
        w = max(q * scale, 1.0)
        y0 = ay + out_off[a] + w / 2
        y1 = by + in_off[b] + w / 2
        out_off[a] += w
        in_off[b] += w
        x0, x1 = ax + node_w, bx
        mx = (x0 + x1) / 2
        color = colors.get(a, "#868e96")
        what = f" of {escape(link.stage)}" if isinstance(link.stage, str) else ""
        parts.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{mx:.1f},{y0:.1f} {mx:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" '
            f'stroke="{color}" stroke-opacity="0.45" stroke-width="{w:.2f}" fill="none">'
            f"<title>{escape(nodes[a].label)} → {escape(nodes[b].label)}: {_fmt(q)} t/yr"
            f"{what}</title></path>"
        )
    for key, (x, y, h) in pos.items():
        n = nodes[key]
        fill = colors.get(key, "#495057")
        q = through[key]
        anchor, tx = ("end", x - 4) if n.depth == 0 else ("start", x + node_w + 4)
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{node_w}" height="{h:.2f}" fill="{fill}">'
            f"<title>{escape(n.label)}: {_fmt(q)} t/yr</title></rect>"
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{y + h / 2 + 4:.1f}" font-size="11" text-anchor="{anchor}">'
            f"{escape(n.label)} {_fmt(q)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_reroute(data: Reroute) -> str:
    """HTML page for a ``derisk.reroute/1`` result."""
    in_plan = [b for b in data.binding if "plan" in b.binds]
    cut = [b for b in data.binding if "plan" not in b.binds]
    return (
        _env()
        .get_template("reroute.html.j2")
        .render(data=data, svg=flow_svg(data), in_plan=in_plan, cut=cut)
    )


def _series_svg(
    months: list[str],
    series: list[tuple[str, list[float], str, bool]],
    *,
    title: str,
    width: int = 900,
    height: int = 300,
) -> str:
    """Line chart: ``series`` = (label, values, colour, dashed)."""
    left, right, top, bottom = 70, 240, 24, 40
    w, h = width - left - right, height - top - bottom
    vmax = max([max(v) for _, v, _, _ in series if v] + [1e-12])
    n = max(len(months), 2)

    def x(i: int) -> float:
        return left + w * i / (n - 1)

    def y(v: float) -> float:
        return top + h - h * v / vmax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{left}" y="14" font-size="12" font-weight="600">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + h}" stroke="#333"/>',
    ]
    for k in range(5):
        v = vmax * k / 4
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">'
            f"{_fmt(v)}</text>"
            f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + w}" y2="{y(v):.1f}" stroke="#eee"/>'
        )
    step = max(1, len(months) // 12)
    for i, m in enumerate(months):
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + h + 14}" font-size="10" text-anchor="middle">'
                f"{escape(m)}</text>"
            )
    for j, (label, values, color, dashed) in enumerate(series):
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash = ' stroke-dasharray="5,4"' if dashed else ""
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="2"{dash}>'
            f"<title>{escape(label)}</title></polyline>"
        )
        ly = top + 12 + 16 * j
        parts.append(
            f'<line x1="{left + w + 10}" y1="{ly}" x2="{left + w + 28}" y2="{ly}" '
            f'stroke="{color}" stroke-width="2"{dash}/>'
            f'<text x="{left + w + 32}" y="{ly + 4}" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def shock_charts(data: Shock, top_n: int = 6) -> tuple[str, str | None]:
    """(shortfall chart of the most affected nodes, detail chart of the worst node)."""
    months = sorted({r.month for r in data.months})
    idx = {m: i for i, m in enumerate(months)}
    worst = [s for s in data.summary if s.shortfall > 0][:top_n]
    series = []
    for k, s in enumerate(worst):
        vals = [0.0] * len(months)
        for r in data.months:
            if r.stage == s.stage and r.country == s.country:
                vals[idx[r.month]] = r.shortfall
        series.append((f"{s.name} · {s.stage}", vals, PALETTE[k % len(PALETTE)], False))
    if not series:
        series = [("no shortfall", [0.0] * len(months), "#2f9e44", False)]
    main = _series_svg(months, series, title="Shortfall by month (t)")
    if not worst:
        return main, None
    s0 = worst[0]
    dem, sup, stock = ([0.0] * len(months) for _ in range(3))
    for r in data.months:
        if r.stage == s0.stage and r.country == s0.country:
            i = idx[r.month]
            dem[i], sup[i], stock[i] = r.demand, r.supply, r.stock_end
    detail = _series_svg(
        months,
        [
            ("demand", dem, "#212529", True),
            ("supply (incl. substitution)", sup, "#1f6feb", False),
            ("stock at month end", stock, "#2f9e44", False),
        ],
        title=f"{s0.name} · {s0.stage}: supply, demand and stocks (t)",
    )
    return main, detail


def render_shock(data: Shock) -> str:
    """HTML page for a ``derisk.shock/1`` result."""
    main, detail = shock_charts(data)
    return _env().get_template("shock.html.j2").render(data=data, chart=main, detail=detail)


__all__ = ["flow_svg", "render_reroute", "render_shock", "shock_charts"]
