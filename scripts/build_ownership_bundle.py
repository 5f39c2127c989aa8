"""Build the ownership area's bundled files from the raw public data in data/sources.

Writes to src/derisk/data/bundled/:

* ``ownership_sources.csv`` -- the original publishers of the entity lists (DoD, DHS,
  Congress) and of the intermediate-holding facts below;
* ``entity_lists.csv`` -- DoD 1260H (editions of 7 Jan 2025 and 8 Jun 2026), the DHS UFLPA
  Entity List (as of 3 Aug 2026) and the FY2024 NDAA section 154 battery makers: names,
  aliases, dates, sections and the publisher's listing notes. Columns that exist only in a
  third party's compilation are not shipped; entries are linked to bundled entities where the
  normalised names agree;
* ``entity_tags.csv``, ``entities_extra.csv``, ``stakes_extra.csv``, ``control_rights.csv``
  -- sourced facts about intermediate holding companies and state ownership.

Run: ``python scripts/build_ownership_bundle.py [--sources data/sources]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from derisk.data.csvio import write_rows  # noqa: E402
from derisk.model.names import normalise_name  # noqa: E402
from derisk.model.names import slug as make_slug  # noqa: E402
from derisk.model.ownership import ControlRight, EntityTag, ListEntry  # noqa: E402
from derisk.model.schema import Entity, Source, Stake  # noqa: E402

OUT = ROOT / "src" / "derisk" / "data" / "bundled"
RAW = ROOT / "data" / "sources"

DOD_2026 = (
    "https://media.defense.gov/2026/Jun/08/2003945537/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-"
    "MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF"
)
DOD_2025 = (
    "https://media.defense.gov/2025/Jan/07/2003625471/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-"
    "MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES.PDF"
)
TRANSCRIBED = (
    "Names, aliases and listing notes as printed in the DoD PDF, transcribed by the "
    "OpenSanctions project (dataset us_dod_chinese_milcorps); the DoD list is a U.S. "
    "Government work."
)

SOURCES = [
    Source(
        "dod-1260h-2026-06-08",
        "U.S. Department of Defense",
        "Entities Identified as Chinese Military Companies Operating in the United States in "
        "accordance with Section 1260H of the NDAA for FY2021 (P.L. 116-283), 8 June 2026",
        DOD_2026,
        dt.date(2026, 6, 8),
        confidence="H",
        precedence=10,
        licence="U.S. Government work (public domain)",
        note=TRANSCRIBED + " Federal Register notice 91 FR 35189 (10 June 2026).",
    ),
    Source(
        "dod-1260h-2025-01-07",
        "U.S. Department of Defense",
        "Entities Identified as Chinese Military Companies Operating in the United States, "
        "7 January 2025",
        DOD_2025,
        dt.date(2025, 1, 7),
        confidence="H",
        precedence=10,
        licence="U.S. Government work (public domain)",
        note=TRANSCRIBED + " 134 entities (Federal Register 90 FR 1105, FR Doc. 2025-00070); the"
        " OpenSanctions copy lacks Hesai Technology Co., Ltd., re-designated on 23 October 2024"
        " (89 FR 84547), added from the Federal Register notice and court record.",
    ),
    Source(
        "dhs-uflpa-2026-08-03",
        "U.S. Department of Homeland Security (Forced Labor Enforcement Task Force)",
        "UFLPA Entity List (entries dated up to 3 August 2026)",
        "https://www.dhs.gov/uflpa-entity-list",
        dt.date(2026, 8, 3),
        confidence="M",
        precedence=10,
        licence="U.S. Government work (public domain)",
        note=(
            "Names, sections and dates as published on the DHS page on 11 August 2026, "
            "transcribed from a public scrape of that page. The section of each entry is as "
            "attributed by that scrape and not verified: no entry is labelled (iv), and the 11 "
            "entries of 21 June 2022 labelled (v) may be the original (iv) list."
        ),
    ),
    Source(
        "ndaa-2024-s154",
        "U.S. Congress",
        "National Defense Authorization Act for Fiscal Year 2024 (P.L. 118-31), section 154",
        "https://www.congress.gov/118/plaws/publ31/PLAW-118publ31.pdf",
        dt.date(2023, 12, 22),
        confidence="H",
        precedence=10,
        licence="U.S. statute (public domain)",
        note=(
            "The six named entities as listed by the OpenSanctions project's section 154 file; "
            "the same names appear in H.R. 8631 (118th Congress). The enacted text itself was "
            "not read. Section 154 also covers successors, not listed here."
        ),
    ),
    Source(
        "ownx-103",
        "m.njzxhs.com (repost of ferro-alloys.com)",
        "Tianqi Lithium Energy Australia (TLEA): 51% of Talison Lithium (derived)",
        "http://m.njzxhs.com/en/News/Details/293572",
        dt.date(2020, 12, 9),
        quote=(
            "IGO Ltd (ASX: IGO) had acquired a 49% interest in Tianqi Lithium Energy Australia, "
            "which controls Greenbushes"
        ),
        confidence="L",
        precedence=60,
        note=(
            "The sentence says TLEA controls Greenbushes (Talison); the 51% is derived, not "
            "stated: Tianqi's 51% of Talison is held through TLEA (own-014), and Reuters "
            "reported IGO's 25% of Greenbushes = 49% x 51%."
        ),
    ),
]

GASGOO_2019 = "http://autonews.gasgoo.com/china_news/70016312.html"
GASGOO_2021 = (
    "https://newsroom.submitmypressrelease.com/2021/10/13/catls-subsidiary-to-build-battery-"
    "cathode-material-production-base-in-yichang-gasgoo-auto-news_43457.html"
)
SOURCES += [
    Source(
        "ownx-brunp-2019",
        "Gasgoo Auto News",
        "CATL to set up cathode material joint venture with subsidiary (Ningbo Brunp CATL New "
        "Energy)",
        GASGOO_2019,
        dt.date(2019, 9, 3),
        quote=(
            "RMB1.764 billion and RMB1.836 billion were subscribed by CATL and Brunp Recycling "
            "respectively"
        ),
        confidence="M",
        precedence=50,
        note=(
            "Reports CATL's announcement of 2 September 2019: registered capital RMB 3.6 billion,"
            " 1.764 (49%) subscribed by CATL and 1.836 (51%) by Guangdong Brunp Recycling."
            " Ningbo Brunp CATL New Energy is the company other sources call Ningbo Brunp Times"
            " New Energy (CATL = Contemporary Amperex Technology, 'Shidai'/'Times')."
        ),
    ),
    Source(
        "ownx-brunp-2021",
        "Gasgoo Auto News (republished)",
        "CATL's subsidiary to build battery cathode material production base in Yichang",
        GASGOO_2021,
        dt.date(2021, 10, 13),
        quote="CATL holds around 53% stake in Brunp Recycling",
        confidence="L",
        precedence=60,
        note="'around 53%', citing the business register service Tianyancha; not a filing",
    ),
]

EXTRA_ENTITIES = [
    Entity(
        "guangdong-brunp-recycling",
        "company",
        "Guangdong Brunp Recycling Technology Co., Ltd.",
        "ownx-brunp-2019",
        country="CHN",
        note="CATL's battery-materials and recycling subsidiary (majority shareholder CATL)",
    ),
    Entity(
        "kisanfu",
        "facility",
        "Kisanfu copper-cobalt project",
        "own-012",
        country="COD",
        facility_type="mine",
        material_id="cobalt",
        stage_id="mining",
        note="95% held by KFM Holding Ltd (own-012)",
    ),
]

EXTRA_STAKES = [
    Stake(
        "ownx-012-kisanfu",
        "kfm-holding",
        "kisanfu",
        "equity",
        95.0,
        "own-012",
        valid_from=dt.date(2021, 4, 13),
        note="KFM Holding's stake in the Kisanfu project, from the same article as own-012",
    ),
    Stake(
        "ownx-brunp-catl",
        "catl",
        "ningbo-brunp-times-new-energy",
        "equity",
        49.0,
        "ownx-brunp-2019",
        valid_from=dt.date(2019, 9, 3),
        note="share of registered capital subscribed (RMB 1.764 of 3.6 billion)",
    ),
    Stake(
        "ownx-brunp-recycling",
        "guangdong-brunp-recycling",
        "ningbo-brunp-times-new-energy",
        "equity",
        51.0,
        "ownx-brunp-2019",
        valid_from=dt.date(2019, 9, 3),
        note="share of registered capital subscribed (RMB 1.836 of 3.6 billion)",
    ),
    Stake(
        "ownx-catl-brunp-recycling",
        "catl",
        "guangdong-brunp-recycling",
        "equity",
        53.0,
        "ownx-brunp-2021",
        valid_from=dt.date(2021, 10, 13),
        note="'around 53%' (business register via the press); 28.57% in September 2019",
    ),
    Stake(
        "ownx-103",
        "tianqi-lithium-energy-australia",
        "talison-lithium",
        "equity",
        51.0,
        "ownx-103",
        valid_from=dt.date(2020, 12, 9),
        note="51% derived (see the source note); TLEA is 51% Tianqi, 49% IGO (own-101, own-102)",
    ),
    Stake(
        "ownx-014-direct",
        "tianqi-lithium",
        "talison-lithium",
        "equity",
        0.0,
        "own-014",
        valid_from=dt.date(2020, 12, 9),
        note=(
            "own-014 states that Tianqi's 51% of Talison is held through TLEA: from the date "
            "TLEA's own stake is recorded (ownx-103) Tianqi holds Talison only through TLEA"
        ),
    ),
]

TAGS = [
    EntityTag(
        "minxi-xinghang",
        "state-owned",
        "own-114",
        country="CHN",
        note="controlled by the Shanghang County government (a sub-national government)",
    ),
    EntityTag("gecamines", "state-owned", "own-011", country="COD", note="government-controlled"),
]

RIGHTS = [
    ControlRight(
        "ownx-013-control",
        "ningbo-brunp-times-new-energy",
        "controls",
        "own-013",
        holder_id="catl",
        note="Ningbo Brunp Times New Energy is an indirectly controlled subsidiary of CATL",
    ),
]


def slug(text: str) -> str:
    """An entry id: the name without legal forms, as an id."""
    return make_slug(normalise_name(text) or text)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def us_date(text: str) -> dt.date | None:
    text = text.strip()
    return dt.datetime.strptime(text, "%B %d, %Y").date() if text else None


def list_entries(src_dir: Path, entity_names: dict[str, str]) -> list[ListEntry]:
    out: list[ListEntry] = []
    seen: set[tuple[str, str, dt.date]] = set()

    def add(e: ListEntry) -> None:
        key = (e.list_id, e.entry_id, e.edition)
        n = 2
        while key in seen:
            e = ListEntry(**{**e.__dict__, "entry_id": f"{e.entry_id.rsplit('~', 1)[0]}~{n}"})
            key = (e.list_id, e.entry_id, e.edition)
            n += 1
        seen.add(key)
        out.append(e)

    def link(*names: str) -> str | None:
        for nm in names:
            hit = entity_names.get(normalise_name(nm))
            if hit:
                return hit
        return None

    for r in read(src_dir / "entity_lists" / "dod_1260h.csv"):
        ed = dt.date.fromisoformat(r["edition_date"])
        aliases = [a.strip() for a in r["aliases"].split(";") if a.strip()]
        add(
            ListEntry(
                list_id="dod-1260h",
                entry_id=slug(r["entity_name"]),
                name=r["entity_name"],
                source_id=f"dod-1260h-{ed.isoformat()}",
                edition=ed,
                aliases="; ".join(aliases) or None,
                parent_name=r["parent_name"] or None,
                entity_id=link(r["entity_name"], *aliases),
                valid_from=ed,
                note=r["listing_note"] or None,
            )
        )
    first_listed = {
        (c["entity_name"], c["uflpa_section"], c["date_added_printed"]): c
        for c in read(src_dir / "entity_lists" / "uflpa_date_corrections.csv")
    }
    for r in read(src_dir / "entity_lists" / "uflpa.csv"):
        ed = dt.date.fromisoformat(r["edition_date"])
        fix = first_listed.pop((r["entity_name"], r["uflpa_section"], r["date_added"]), None)
        aliases = [a.strip() for a in r["aliases"].split(";") if a.strip()]
        add(
            ListEntry(
                list_id="uflpa",
                entry_id=slug(r["entity_name"]) + "@" + r["uflpa_section"],
                name=r["entity_name"],
                source_id="dhs-uflpa-2026-08-03",
                edition=ed,
                aliases="; ".join(aliases) or None,
                section=r["uflpa_section"] or None,
                entity_id=link(r["entity_name"], *aliases),
                valid_from=(
                    dt.date.fromisoformat(fix["first_listed"]) if fix else us_date(r["date_added"])
                ),
                note="; ".join(
                    t
                    for t in (
                        r["scope_note"],
                        fix
                        and f"listed since {fix['first_listed']}; the list prints"
                        f" {r['date_added']}, the date of a later revision ({fix['url']})",
                    )
                    if t
                )
                or None,
            )
        )
    if first_listed:
        raise ValueError(f"uflpa_date_corrections.csv: no such rows in uflpa.csv: {first_listed}")
    for r in read(src_dir / "entity_lists" / "ndaa2024_s154.csv"):
        ed = dt.date.fromisoformat(r["edition_date"])
        aliases = [a.strip() for a in r["aliases"].split(";") if a.strip()]
        add(
            ListEntry(
                list_id="ndaa-154",
                entry_id=slug(r["entity_name"]),
                name=r["entity_name"],
                source_id="ndaa-2024-s154",
                edition=ed,
                aliases="; ".join(aliases) or None,
                section="154(b)",
                entity_id=link(r["entity_name"], *aliases),
                valid_from=ed,
                note=r["statutory_text"] or None,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, default=RAW)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    names: dict[str, Any] = {}
    with (args.out / "entities.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            names[normalise_name(r["name"])] = r["entity_id"]
            for a in (r.get("aliases") or "").split("|"):
                if a.strip():
                    names.setdefault(normalise_name(a), r["entity_id"])
    entries = list_entries(args.sources, names)
    counts = {
        "ownership_sources.csv": write_rows(args.out / "ownership_sources.csv", SOURCES, Source),
        "entity_lists.csv": write_rows(args.out / "entity_lists.csv", entries, ListEntry),
        "entity_tags.csv": write_rows(args.out / "entity_tags.csv", TAGS, EntityTag),
        "entities_extra.csv": write_rows(args.out / "entities_extra.csv", EXTRA_ENTITIES, Entity),
        "stakes_extra.csv": write_rows(args.out / "stakes_extra.csv", EXTRA_STAKES, Stake),
        "control_rights.csv": write_rows(args.out / "control_rights.csv", RIGHTS, ControlRight),
    }
    linked = sorted({e.entity_id for e in entries if e.entity_id})
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    print("list entries linked to bundled entities:", ", ".join(linked))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
