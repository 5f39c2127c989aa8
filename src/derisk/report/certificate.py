"""Certificate reports: offline HTML (Jinja) and PDF (ReportLab, no browser) from a
``derisk.certificate/1`` result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import jinja2
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from derisk.report.templating import RecordEnvironment
from derisk.services.results.certify import CostFinding, ShareFinding

if TYPE_CHECKING:  # pragma: no cover
    from derisk.services.results.certify import Certificate


def _pct(x: float | None, nd: int = 1) -> str:
    return "—" if x is None else f"{100 * x:.{nd}f}%"


def folded_findings(
    findings: Sequence[ShareFinding | CostFinding], below: float = 0.01
) -> list[ShareFinding | CostFinding]:
    """A certificate's findings with statistical lines under ``below`` folded into one line
    per stage (the certificate keeps every line)."""
    out: list[ShareFinding | CostFinding] = []
    folded: dict[tuple[str, str], int] = {}  # (material, stage) -> its line in ``out``
    for f in findings:
        if isinstance(f, ShareFinding) and f.basis == "statistical" and (f.share or 0) < below:
            key = (f.material, f.stage)
            at = folded.get(key)
            if at is None:
                at = folded[key] = len(out)
                out.append(
                    replace(
                        f,
                        country=None,
                        country_name=f"others, under {100 * below:g}% each",
                        in_rule_countries=False,
                        share=0.0,
                        evidence=f.evidence[:1],
                        note=None,
                    )
                )
            agg = out[at]
            assert isinstance(agg, ShareFinding)
            out[at] = replace(
                agg,
                share=round((agg.share or 0.0) + (f.share or 0), 6),
                in_rule_countries=agg.in_rule_countries or f.in_rule_countries,
            )
            continue
        out.append(f)
    return out


def render_certificate_html(certificate: Certificate) -> str:
    """HTML for a certificate (no scripts, no remote assets)."""
    env = RecordEnvironment(
        loader=jinja2.FunctionLoader(
            lambda n: resources.files("derisk.report").joinpath("templates", n).read_text("utf-8")
        ),
        autoescape=True,
    )
    env.filters["pct1"] = lambda x: _pct(x, 1)
    env.filters["pct2"] = lambda x: _pct(x, 2)
    return env.get_template("certificate.html.j2").render(
        c=certificate,
        parameters=certificate.parameters.to_json(),  # printed as their JSON values
        findings=folded_findings(certificate.findings),
    )


VERDICT_COLOURS = {
    "compliant": colors.HexColor("#d9f0d9"),
    "non-compliant": colors.HexColor("#f7c9c9"),
    "indeterminate": colors.HexColor("#fff2c2"),
    "not-applicable": colors.HexColor("#eeeeee"),
}


def _latin(text: Any) -> str:
    """Text the PDF's built-in fonts can show (WinAnsi), XML-escaped for Paragraph."""
    s = str(text)
    for a, b in (("←", "<-"), ("≤", "<="), ("≥", ">="), ("–", "-"), ("—", "-"), ("’", "'")):
        s = s.replace(a, b)
    return escape(s.encode("cp1252", "replace").decode("cp1252"))


def write_certificate_pdf(certificate: Certificate, path: Path) -> None:
    """Write a certificate as a PDF (A4 landscape), rendered from its JSON."""
    cert = certificate.to_json()
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=7.5, leading=9)
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=11)
    title = ParagraphStyle("title", parent=styles["Title"])
    h2 = ParagraphStyle("h2", parent=styles["Heading2"])
    h3 = ParagraphStyle("h3", parent=styles["Heading3"])

    def p(text: Any, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(_latin(text), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table(rows, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story: list[Any] = [
        Paragraph(_latin(cert["product_name"]), title),
        p(
            f"Product {cert['product']} ({cert['item_class']}) - rule {cert['rule']} version "
            f"{cert['rule_version']} [{cert['rule_confidence']}] - as of {cert['as_of']}",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    verdict = Table([[p(cert["verdict"].upper(), h2)]], colWidths=[80 * mm])
    verdict.setStyle(
        TableStyle([("BACKGROUND", (0, 0), (-1, -1), VERDICT_COLOURS.get(cert["verdict"]))])
    )
    story += [verdict, Spacer(1, 2 * mm), p(cert["reason"], body)]
    if cert.get("statistical_verdict") not in (None, cert["verdict"]):
        story.append(
            p(
                "With country statistics standing in for unnamed suppliers: "
                f"{cert['statistical_verdict']}",
                body,
            )
        )
    story += [Spacer(1, 3 * mm), p(cert["rule_title"], h3)]
    if cert.get("rule_note"):
        story.append(p(cert["rule_note"]))
    for c in cert["citations"]:
        story.append(p(f"[{c['confidence']}] {c['title']} {c.get('url') or ''}"))
    if cert.get("macr"):
        m, par = cert["macr"], cert["parameters"]
        value = (
            _pct(m["value"], 2)
            if m["value"] is not None
            else f"{_pct(m['bounds'][0], 2)} - {_pct(m['bounds'][1], 2)}"
        )
        story += [
            Spacer(1, 3 * mm),
            table(
                [
                    [
                        p("MACR"),
                        p(f"threshold {par['year']}"),
                        p("total"),
                        p("PFE"),
                        p("unscreened"),
                    ],
                    [
                        p(value),
                        p(f"{_pct(par['threshold'], 2)} [{par['threshold_confidence']}]"),
                        p(f"{m['total']:,.2f} {par.get('currency') or ''}"),
                        p(f"{m['pfe']:,.2f}"),
                        p(f"{m['unscreened']:,.2f}"),
                    ],
                ],
                [40 * mm] * 5,
            ),
        ]
    if cert["stages"]:
        rows = [
            [
                p(h)
                for h in (
                    "material",
                    "stage",
                    "rule stage",
                    "traced - with unknowns",
                    "with statistics",
                    "limit",
                    "status",
                )
            ]
        ]
        for s in cert["stages"]:
            rows.append(
                [
                    p(s["material"]),
                    p(s["stage"]),
                    p(s["rule_stage"]),
                    p(f"{_pct(s['share_bounds'][0])} - {_pct(s['share_bounds'][1])}"),
                    p(
                        f"{_pct(s['statistical_share_bounds'][0])} - "
                        f"{_pct(s['statistical_share_bounds'][1])}"
                    ),
                    p(_pct(s["threshold"])),
                    p(s["status"]),
                ]
            )
        story += [
            Spacer(1, 3 * mm),
            p("Stages", h3),
            table(rows, [30 * mm, 25 * mm, 25 * mm, 40 * mm, 40 * mm, 20 * mm, 30 * mm]),
        ]
    rows = [[p(h) for h in ("stage", "country", "entity", "share", "basis", "evidence", "sources")]]
    for f in folded_findings(certificate.findings):
        ev = []
        for e in f["evidence"]:
            if e.get("path"):
                ev.append(" <- ".join(str(x) for x in e["path"]) + f" ({_pct(e['share'])})")
            if e.get("statistic"):
                st = e["statistic"]
                ev.append(f"{st['material']} {st['stage']} {st['year']} ({st['source_id']})")
            if e.get("cost"):
                ev.append(f"cost {e['cost']}: {e['screening'].get('verdict')}")
        rows.append(
            [
                p(f"{f.get('material') or ''} {f.get('stage') or ''}"),
                p(
                    (f.get("country_name") or f.get("country") or "unknown")
                    + (" (rule country)" if f.get("in_rule_countries") else "")
                ),
                p(f.get("entity_name") or f.get("entity") or "-"),
                p(_pct(f["share"])),
                p(f["basis"]),
                p("; ".join(ev) + (f" - {f['note']}" if f.get("note") else "")),
                p(", ".join(s["source_id"] for s in f["sources"])),
            ]
        )
    story += [
        Spacer(1, 3 * mm),
        p("Findings", h3),
        table(rows, [32 * mm, 28 * mm, 45 * mm, 16 * mm, 20 * mm, 85 * mm, 40 * mm]),
    ]
    story += [Spacer(1, 3 * mm), p("Missing data", h3)]
    if cert["missing"]:
        rows = [[p("what"), p("share of product"), p("ask")]]
        for m in cert["missing"]:
            rows.append(
                [
                    p(m["message"]),
                    p(_pct(m.get("share_of_product"))),
                    p((m.get("ask") or {}).get("name") or ""),
                ]
            )
        story.append(table(rows, [170 * mm, 30 * mm, 60 * mm]))
    else:
        story.append(p("Nothing missing for this rule.", body))
    if cert.get("low_confidence"):
        story.append(p("Rests on unverified [L] items: " + ", ".join(cert["low_confidence"]), body))
    story += [Spacer(1, 3 * mm), p("Sources", h3)]
    for s in cert["sources"]:
        story.append(
            p(
                f"{s['source_id']}: {s['publisher']}, {s['title']}"
                + (f" ({s['published']})" if s.get("published") else "")
                + f" [{s.get('confidence')}] {s.get('url') or ''}"
            )
        )
    doc = SimpleDocTemplate(
        str(path),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"derisk certificate {cert['product']} {cert['rule']}",
        author="derisk",
    )
    doc.build(story)
