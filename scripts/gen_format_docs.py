"""Generate the column tables of docs/formats.md from the schema, so they cannot drift.

The prose of docs/formats.md is written by hand; the parts between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` are produced here:

* ``derisk-csv``: for every kind of ``derisk import csv`` (``derisk.data.csvio.FILE_KINDS``)
  the columns with type and whether they are required, and a small example that is checked
  by parsing it with the real reader;
* ``usgs-mapping``: the importer's mapping tables (USGS wording -> catalogue).

Usage: ``python scripts/gen_format_docs.py`` rewrites the file; ``--check`` exits 1 if it is
not up to date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from derisk.data.csvio import COUNTRY_FIELDS, ENUMS, FILE_KINDS, ImportFailed, read_rows
from derisk.data.importers import usgs_mcs
from derisk.model.schema import Column, Source, columns

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"

TYPE_NAMES = {
    str: "text",
    float: "number",
    int: "integer",
    bool: "`true`/`false`",
    dt.date: "date `YYYY-MM-DD`",
}

EXAMPLES: dict[str, str] = {
    "sources": (
        "source_id,publisher,title,url,published,confidence,precedence\n"
        "my-survey,Example Ministry,Survey of antimony smelters 2025,https://example.org/s,"
        "2026-03-01,M,45\n"
    ),
    "groups": "group_id,name,description\nmy-allies,My allies,Countries we count as allies\n",
    "group_members": (
        "group_id,iso3,source_id,valid_from,valid_to\nmy-allies,AUS,my-survey,2024-01-01,\n"
    ),
    "entities": (
        "entity_id,kind,name,source_id,country,facility_type,material_id,stage_id\n"
        "example-smelter,facility,Example antimony smelter,my-survey,BEL,refinery,antimony,"
        "refining\n"
    ),
    "production": (
        "fact_id,material_id,stage_id,measure,country,year,quantity,unit,status,source_id,raw\n"
        "s1,antimony,refining,production,CHN,2025,60000,t,estimated,my-survey,60000\n"
        "s2,antimony,refining,production,BEL,2025,,t,withheld,my-survey,W\n"
        "s3,antimony,refining,production,WLD,2025,100000,t,estimated,my-survey,100000\n"
    ),
    "shares": (
        "fact_id,material_id,stage_id,year,share,source_id,country,ranks\n"
        "h1,graphite,anode,2024,0.9,my-survey,CHN,\n"
        "h2,graphite,anode,2024,0.07,my-survey,,2-3\n"
    ),
    "trade": (
        "fact_id,reporter,partner,flow,hs_code,year,month,source_id,value_usd,quantity_kg\n"
        "t1,CHN,USA,export,811292,2024,3,my-survey,1250000,4100\n"
    ),
    "import_sources": (
        "fact_id,importer,material_id,category,country,share,period,source_id,stage_id\n"
        "i1,USA,antimony,Oxide,CHN,0.66,2021-2024,my-survey,oxide\n"
    ),
    "import_reliance": (
        "fact_id,importer,material_id,year,source_id,value,raw\n"
        "r1,USA,lithium,2025,my-survey,0.5,>50\n"
    ),
    "stakes": (
        "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
        "k1,example-parent,example-smelter,equity,51,my-survey,2024-06-30\n"
    ),
    "export_restrictions": (
        "fact_id,issuer,items,target,source_id,material_id,stage_id,valid_from\n"
        "x1,CHN,gallium metal and compounds,all,my-survey,gallium,refining,2023-08-01\n"
    ),
}
"""Hand-written examples; kinds without one get an example built from the schema."""

SAMPLE_TEXT = {
    "material_id": "antimony",
    "stage_id": "mining",
    "source_id": "my-survey",
    "unit": "t",
    "period": "2021-2024",
    "hs_code": "811292",
}


def _sample(col: Column) -> str:
    """A value of the right type for a column, for the generated examples."""
    if col.name in ENUMS:
        return sorted(ENUMS[col.name])[0]
    if col.name in COUNTRY_FIELDS:
        return "CHN"
    if col.py_type is str:
        return SAMPLE_TEXT.get(col.name, f"example-{col.name.replace('_', '-')}")
    if col.py_type is float:
        return "0.5"
    if col.py_type is int:
        return "2025"
    if col.py_type is dt.date:
        return "2025-01-01"
    return "true"


def _generated_example(row_type: type[Any]) -> str:
    cols = [c for c in columns(row_type) if not c.has_default]
    header = ",".join(c.name for c in cols)
    values = ",".join(_sample(c) if not c.nullable else "" for c in cols)
    return f"{header}\n{values}\n"


def _valid(kind: str, text: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        try:
            read_rows(path, FILE_KINDS[kind])
        except ImportFailed:
            return False
    return True


def example(kind: str) -> tuple[str, bool]:
    """(CSV text, hand-written) for a kind. A hand-written example must parse."""
    if kind in EXAMPLES:
        text = EXAMPLES[kind]
        if not _valid(kind, text):
            raise ValueError(f"the hand-written example of {kind!r} does not parse")
        return text, True
    text = _generated_example(FILE_KINDS[kind])
    if not _valid(kind, text):
        text = text.splitlines()[0] + "\n"
    return text, False


def _requirement(col: Column) -> str:
    if col.has_default:
        default = "empty" if col.default is None else f"`{col.default}`"
        return f"optional (default {default})"
    if col.nullable:
        return "column required, value may be empty"
    return "required"


def _notes(col: Column, key: tuple[str, ...], defines_sources: bool) -> str:
    parts = []
    if col.name in key:
        parts.append("key")
    if col.name in ENUMS:
        parts.append("one of " + ", ".join(f"`{v}`" for v in sorted(ENUMS[col.name])))
    if col.name in COUNTRY_FIELDS:
        parts.append("ISO alpha-3 (`WLD` world, `OTH` other countries)")
    if col.name == "material_id":
        parts.append("catalogue material (`derisk materials`)")
    if col.name == "stage_id":
        parts.append("stage of that material")
    if col.name == "source_id" and not defines_sources:
        parts.append("a known source")
    return "; ".join(parts)


def csv_section() -> str:
    out: list[str] = []
    for kind, row_type in FILE_KINDS.items():
        meta = row_type.Meta
        doc = " ".join((row_type.__doc__ or "").split()).replace("``", "`")
        if not doc or doc.startswith(f"{row_type.__name__}("):  # the dataclass's own text
            doc = meta.doc + "."
        out.append(f"### `{kind}` (table `{meta.table}`)\n")
        out.append(f"{doc}\n")
        out.append(f"Key: {', '.join(f'`{k}`' for k in meta.key)}.\n")
        out.append("| column | type | required | notes |")
        out.append("|---|---|---|---|")
        for col in columns(row_type):
            t = TYPE_NAMES[col.py_type]
            notes = _notes(col, meta.key, row_type is Source)
            out.append(f"| `{col.name}` | {t} | {_requirement(col)} | {notes} |")
        text, hand = example(kind)
        label = "Example" if hand else "Example (built from the schema)"
        out.append(f"\n{label}:\n\n```csv\n{text}```\n")
    return "\n".join(out).rstrip() + "\n"


def usgs_section() -> str:
    out = ["World-table lines of the long file (`MCS chapter` + `Statistics_detail`):", ""]
    out.append('| MCS chapter | Statistics_detail (": rounded" removed) | material | stage |')
    out.append("|---|---|---|---|")
    for chapter, (material, stages) in sorted(usgs_mcs.DATA_CHAPTERS.items()):
        for detail, stage in stages.items():
            out.append(f"| {chapter} | {detail} | `{material}` | `{stage}` |")
    out += [
        "",
        "Commodity labels of Table 7 and Figure 3 (lower case, footnote digits removed), and",
        "the stage Table 7's world production is imported at (— = not imported):",
        "",
        "| label | material | Table 7 production stage |",
        "|---|---|---|",
    ]
    for label, material in sorted(usgs_mcs.MATERIAL_LABELS.items()):
        stage = usgs_mcs.T7_PRODUCTION_STAGE.get(material)
        out.append(f"| {label} | `{material}` | {f'`{stage}`' if stage else '—'} |")
    out += ["", "Units (the part before any comma) converted to metric tons:", ""]
    out += ["| printed unit | factor |", "|---|---|"]
    for unit, factor in usgs_mcs.UNITS.items():
        out.append(f"| {unit} | {factor} |")
    return "\n".join(out) + "\n"


SECTIONS = {"derisk-csv": csv_section, "usgs-mapping": usgs_section}


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- generated:{name} -->\n)(.*?)(<!-- /generated:{name} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise ValueError(f"docs/formats.md has no block generated:{name}")
        body = make()
        text = pattern.sub(lambda m, b=body: m.group(1) + "\n" + b + "\n" + m.group(3), text)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = ap.parse_args(argv)
    current = DOC.read_text(encoding="utf-8")
    new = render(current)
    if args.check:
        if new != current:
            print(f"{DOC} is out of date: run python scripts/gen_format_docs.py", file=sys.stderr)
            return 1
        return 0
    if new != current:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
