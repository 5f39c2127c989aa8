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


def uflpa_first_listed() -> dict[str, dt.date]:
    """Each listed name -> the earliest date any of its rows is valid from."""
    first: dict[str, dt.date] = {}
    for r in rows(BUNDLED / "entity_lists.csv"):
        if r["list_id"] == "uflpa":
            d = dt.date.fromisoformat(r["valid_from"])
            first[key(r["name"])] = min(first.get(key(r["name"]), d), d)
    return first


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
    fixes = rows(RAW_DATA / "entity_lists" / "uflpa_date_corrections.csv")
    assert fixes
    for f in fixes:
        printed = dt.datetime.strptime(f["date_added_printed"], "%B %d, %Y").date()
        listed = dt.date.fromisoformat(f["first_listed"])
        assert first[key(f["entity_name"])] == listed < printed
    # Names listed by the 9 August 2024 update (DHS: 73 entities): more than the printed
    # dates alone give, never more than DHS counted.
    printed_only: dict[str, dt.date] = {}
    for r in rows(RAW_DATA / "entity_lists" / "uflpa.csv"):
        d = dt.datetime.strptime(r["date_added"], "%B %d, %Y").date()
        printed_only[key(r["entity_name"])] = min(printed_only.get(key(r["entity_name"]), d), d)
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
