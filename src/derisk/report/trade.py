"""``out/trade.html``: monthly export-destination charts (inline SVG, no script) and origins."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import jinja2
import markupsafe

from derisk.report.templating import RecordEnvironment
from derisk.services.results import ExportSeries, OriginBlock, TradeSeries

PALETTE = [
    "#1b6ca8",
    "#e0812b",
    "#3a9a4a",
    "#c63b3b",
    "#7b5ea7",
    "#8c5a3c",
    "#d16ba5",
    "#4aa3a0",
    "#b5a33a",
]
OTHER_COLOUR = "#b8b8b8"


def _nice_step(top: float, ticks: int = 5) -> float:
    if top <= 0:
        return 1.0
    raw = top / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:g}G"
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def stacked_area_svg(
    months: Sequence[str],
    layers: Sequence[tuple[str, Sequence[float | None]]],
    unit: str,
    *,
    width: int = 880,
    height: int = 320,
    title: str = "",
) -> str:
    """An SVG stacked-area chart: one layer per destination, months on the x axis.

    Missing months count as 0 in the stack (the table beside the chart gives the totals).
    """
    left, right, top, bottom = 64, 180, 16, 34
    pw, ph = width - left - right, height - top - bottom
    n = len(months)
    cum = [[0.0] * n]
    for _label, vals in layers:
        prev = cum[-1]
        cum.append([prev[i] + (vals[i] or 0.0) for i in range(n)])
    ymax = max(cum[-1]) if n else 0.0
    step = _nice_step(ymax)
    ytop = step * math.ceil(ymax / step) if ymax > 0 else step

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph - ph * v / ytop

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
    ]
    v = 0.0
    while v <= ytop + 1e-9:
        yy = y(v)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#e6e6e6"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#555">{_fmt(v)}</text>'
        )
        v += step
    parts.append(
        f'<text x="12" y="{top + ph / 2:.0f}" font-size="11" fill="#555" '
        f'transform="rotate(-90 12 {top + ph / 2:.0f})" text-anchor="middle">'
        f"{html.escape(unit)} per month</text>"
    )
    for k, (label, _vals) in enumerate(layers):
        lo, hi = cum[k], cum[k + 1]
        pts = [f"{x(i):.1f},{y(hi[i]):.1f}" for i in range(n)]
        pts += [f"{x(i):.1f},{y(lo[i]):.1f}" for i in reversed(range(n))]
        colour = OTHER_COLOUR if label.startswith("other") else PALETTE[k % len(PALETTE)]
        parts.append(
            f'<polygon points="{" ".join(pts)}" fill="{colour}" fill-opacity="0.85" '
            f'stroke="{colour}" stroke-width="0.5"><title>{html.escape(label)}</title>'
            "</polygon>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#333"/>'
    )
    for i, m in enumerate(months):
        if m.endswith("-01") or i == 0:
            parts.append(
                f'<line x1="{x(i):.1f}" y1="{top + ph}" x2="{x(i):.1f}" '
                f'y2="{top + ph + 4}" stroke="#333"/>'
            )
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + ph + 17}" font-size="11" '
                f'text-anchor="middle" fill="#333">{html.escape(m[:4])}</text>'
            )
    for k, (label, _vals) in reversed(list(enumerate(layers))):
        row = len(layers) - 1 - k
        ly = top + 8 + row * 18
        colour = OTHER_COLOUR if label.startswith("other") else PALETTE[k % len(PALETTE)]
        parts.append(
            f'<rect x="{left + pw + 14}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{left + pw + 32}" y="{ly + 1}" font-size="12" fill="#222">'
            f"{html.escape(label)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _chart(series: ExportSeries, unit: str, reporter: str) -> str:
    layers: list[tuple[str, Sequence[float | None]]] = [
        (p.name, p.values_) for p in series.partners
    ]
    if series.other_partners:
        layers.append((f"other ({series.other_partners})", series.other))
    title = f"{reporter} exports of HS {series.key} by destination, {unit} per month"
    return stacked_area_svg(series.months, layers, unit, title=title)


@dataclass(frozen=True)
class SummaryRow:
    """A destination's total and its shares of the first and the last twelve months."""

    country: str
    name: str
    total: float | None
    first: float | None
    last: float | None


@dataclass(frozen=True)
class Chart:
    """One HS code's chart and destination summary."""

    series: ExportSeries
    svg: markupsafe.Markup
    summary: list[SummaryRow]


def _summary(series: ExportSeries) -> list[SummaryRow]:
    """Destination shares over the first and the last twelve months of the series."""
    total_first = sum(x or 0.0 for x in series.total[:12])
    total_last = sum(x or 0.0 for x in series.total[-12:])
    rows = []
    for p in series.partners:
        first = sum(x or 0.0 for x in p.values_[:12])
        last = sum(x or 0.0 for x in p.values_[-12:])
        rows.append(
            SummaryRow(
                country=p.country,
                name=p.name,
                total=p.total,
                first=first / total_first if total_first else None,
                last=last / total_last if total_last else None,
            )
        )
    return rows


def render_trade(series: TradeSeries, origins: Sequence[OriginBlock]) -> str:
    """HTML for an export series (``derisk.trade-series/1``) and optional origin blocks."""
    env = RecordEnvironment(
        loader=jinja2.FunctionLoader(
            lambda n: resources.files("derisk.report").joinpath("templates", n).read_text("utf-8")
        ),
        autoescape=True,
    )
    env.filters["pct"] = lambda x: "—" if x is None else f"{100 * x:.0f}%"
    env.filters["pct1"] = lambda x: "—" if x is None else f"{100 * x:.1f}%"
    env.filters["num"] = lambda x: "—" if x is None else f"{x:,.0f}"
    charts = [
        Chart(
            series=s,
            svg=markupsafe.Markup(_chart(s, series.unit, series.reporter)),
            summary=_summary(s),
        )
        for s in series.series
    ]
    srcs = {s.source_id: s for s in series.sources}
    for o in origins:
        for src in o.sources:
            srcs.setdefault(src.source_id, src)
    return env.get_template("trade.html.j2").render(
        data=series, charts=charts, origins=origins, sources=list(srcs.values())
    )
