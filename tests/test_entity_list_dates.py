"""Entity-list editions and listing dates agree with what the publishers counted.

Golden values are the publishers' own counts (Federal Register notices and DHS releases), kept
with their citations in ``data/sources/entity_lists``; the names are counted here from the
bundle a user loads.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

from tests.conftest import RAW_DATA

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "derisk" / "data" / "bundled"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def uflpa_entity(r: dict[str, str]) -> str:
    """The listed entity of a bundled row: its entry id without the section, so that one entity
    printed under two sections or two forms of its name (XPCC, with and without "(XPCC)")
    counts once."""
    return r["entry_id"].split("@", 1)[0]


def uflpa_first_listed() -> dict[str, dt.date]:
    """Each listed entity -> the earliest date any of its rows is valid from."""
    first: dict[str, dt.date] = {}
    for r in rows(BUNDLED / "entity_lists.csv"):
        if r["list_id"] == "uflpa":
            d = dt.date.fromisoformat(r["valid_from"])
            first[uflpa_entity(r)] = min(first.get(uflpa_entity(r), d), d)
    return first


def uflpa_entity_by_name() -> dict[str, str]:
    return {
        key(r["name"]): uflpa_entity(r)
        for r in rows(BUNDLED / "entity_lists.csv")
        if r["list_id"] == "uflpa"
    }


def test_dod_1260h_january_2025_edition_has_the_134_published_entries() -> None:
    jan = [
        r for r in rows(BUNDLED / "entity_lists.csv")
        if r["list_id"] == "dod-1260h" and r["edition"] == "2025-01-07"
    ]  # fmt: skip
    assert len(jan) == 134  # 90 FR 1105 (FR Doc. 2025-00070): 134 entities
    assert len({r["entry_id"] for r in jan}) == 134
    assert any(r["name"].startswith("Hesai") for r in jan)
    raw = rows(RAW_DATA / "entity_lists" / "dod_1260h.csv")
    assert sum(r["edition_date"] == "2025-01-07" for r in raw) == 134


def test_uflpa_names_added_per_update_match_the_published_counts() -> None:
    first = uflpa_first_listed()
    added = Counter(first.values())
    updates = rows(RAW_DATA / "entity_lists" / "uflpa_updates.csv")
    assert len(updates) >= 8
    for u in updates:
        day = dt.date.fromisoformat(u["effective"])
        expected = int(u["entities_added"])
        if u["gap_note"]:
            assert added[day] < expected, u  # a known shortfall, stated in the file
        else:
            assert added[day] == expected, (u["effective"], added[day], expected)


def test_uflpa_revision_dates_are_not_listing_dates() -> None:
    first = uflpa_first_listed()
    entity = uflpa_entity_by_name()
    fixes = rows(RAW_DATA / "entity_lists" / "uflpa_date_corrections.csv")
    assert fixes
    for f in fixes:
        printed = dt.datetime.strptime(f["date_added_printed"], "%B %d, %Y").date()
        listed = dt.date.fromisoformat(f["first_listed"])
        assert first[entity[key(f["entity_name"])]] == listed < printed
    # Names listed by the 9 August 2024 update (DHS: 73 entities): more than the printed
    # dates alone give, never more than DHS counted.
    printed_only: dict[str, dt.date] = {}
    for r in rows(RAW_DATA / "entity_lists" / "uflpa.csv"):
        d = dt.datetime.strptime(r["date_added"], "%B %d, %Y").date()
        who = entity[key(r["entity_name"])]
        printed_only[who] = min(printed_only.get(who, d), d)
    cut = dt.date(2024, 8, 9)
    by_cut = sum(d <= cut for d in first.values())
    assert sum(d <= cut for d in printed_only.values()) < by_cut <= 73


def test_uflpa_names_listed_match_the_latest_published_totals() -> None:
    """DHS's running totals from November 2024 on (78, 107, 144) equal the names listed by then.

    Earlier totals count groups differently (the June 2023 Ninestar group as one entity).
    """
    first = uflpa_first_listed()
    updates = rows(RAW_DATA / "entity_lists" / "uflpa_updates.csv")
    checked = 0
    for u in updates:
        day = dt.date.fromisoformat(u["effective"])
        if u["total_after"] and day >= dt.date(2024, 11, 1):
            assert sum(d <= day for d in first.values()) == int(u["total_after"]), u["effective"]
            checked += 1
    assert checked == 3


def test_xinjiang_goens_is_the_2022_listed_xinjiang_gcl() -> None:
    """The list prints 3 August 2026 for Xinjiang Goens Energy Technology, whose former name
    (an alias as printed) is Xinjiang GCL New Energy Material Technology, a polysilicon maker
    on the first list of 21 June 2022: the bundle dates it from then, and keeps the printed
    date in its note."""
    printed = [
        r
        for r in rows(RAW_DATA / "entity_lists" / "uflpa.csv")
        if r["entity_name"].startswith("Xinjiang Goens")
    ]
    assert len(printed) == 1
    assert "Xinjiang GCL New Energy Material Technology" in printed[0]["aliases"]
    assert printed[0]["date_added"] == "August 3, 2026"
    bundled = [
        r
        for r in rows(BUNDLED / "entity_lists.csv")
        if r["list_id"] == "uflpa" and r["name"].startswith("Xinjiang Goens")
    ]
    assert [r["valid_from"] for r in bundled] == ["2022-06-21"]
    assert "August 3, 2026" in bundled[0]["note"]
    # It was on the Commerce Entity List with the four others on 24 June 2021; those four
    # (Hoshine, Xinjiang Daqo, Xinjiang East Hope, XPCC) are dated 21 June 2022 too.
    first = uflpa_first_listed()
    peers = [e for e in first if e.startswith(("hoshine", "xinjiang-daqo", "xinjiang-east-hope"))]
    peers.append("xinjiang-production-and-construction-corps")
    assert {first[e] for e in peers} == {dt.date(2022, 6, 21)}
