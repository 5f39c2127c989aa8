"""Accepted news events as facts: restriction windows the shock simulation reads, and new
organisations written with the kind and country the extractor proposed (real store)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, cast

from derisk.model.schema import Entity, ExportRestriction
from derisk.services import news as svc
from derisk.store import DuckStore

from .test_news_generalise import KOREA_ZINC_STORY


def _ingest(store: DuckStore, tmp_path: Path, name: str, text: str, published: str) -> Any:
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return svc.ingest(store, [path], published=dt.date.fromisoformat(published))


def _one(res: dict[str, Any], etype: str) -> dict[str, Any]:
    events = cast(list[dict[str, Any]], res["events"])
    (ev,) = [e for e in events if e["type"] == etype]
    return ev


def test_six_month_window_lands_in_the_restriction_fact(fresh_db: Path, tmp_path: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = _ingest(store, tmp_path, "kz", KOREA_ZINC_STORY, "2025-09-26")
        assert {e["type"] for e in res["events"]} == {
            "stake_acquisition",
            "first_export",
            "export_restriction",
        }
        ev = _one(res, "export_restriction")
        dec = svc.accept(store, ev["proposal_id"])
        (fact,) = store.rows(ExportRestriction, {"source_id": dec["source_id"]})
        assert (fact.issuer, fact.target, fact.material_id, fact.scope) == (
            "CHN",
            "USA",
            "rare-earths",
            "suspended",
        )
        assert fact.suspended_until == dt.date(2026, 3, 26)
        assert fact.note is not None and "2026-03-26" in fact.note


def test_imposed_window_from_until_next_year(fresh_db: Path, tmp_path: Path) -> None:
    text = (
        "Indonesia imposed an export quota on nickel ore, effective from 1 March until "
        "28 February next year, the energy ministry said."
    )
    with DuckStore(fresh_db) as store:
        res = _ingest(store, tmp_path, "id", text, "2026-01-15")
        dec = svc.accept(store, _one(res, "export_restriction")["proposal_id"])
        (fact,) = store.rows(ExportRestriction, {"source_id": dec["source_id"]})
        assert (fact.valid_from, fact.valid_to) == (dt.date(2026, 3, 1), dt.date(2027, 2, 28))


def test_extension_is_written_as_an_extension(fresh_db: Path, tmp_path: Path) -> None:
    text = (
        "The Democratic Republic of Congo said on Saturday it had extended its suspension of "
        "cobalt exports by three months."
    )
    with DuckStore(fresh_db) as store:
        res = _ingest(store, tmp_path, "cd", text, "2025-06-23")
        ev = _one(res, "export_restriction")
        assert (ev["fields"]["issuer"], ev["fields"]["action"], ev["fields"]["duration"]) == (
            "COD",
            "extended",
            "P3M",
        )
        dec = svc.accept(store, ev["proposal_id"])
        (fact,) = store.rows(ExportRestriction, {"source_id": dec["source_id"]})
        assert fact.scope == "extended" and fact.note == "restriction extended by P3M"


def test_new_company_is_written_with_its_proposed_country(fresh_db: Path, tmp_path: Path) -> None:
    text = (
        "Norland Antimony Ltd (ASX: NAL) agreed on Thursday to supply 500 tonnes of antimony "
        "a year to Korea Zinc."
    )
    with DuckStore(fresh_db) as store:
        res = _ingest(store, tmp_path, "nal", text, "2025-11-14")
        (new,) = res["articles"][0]["new_entities"]
        assert (new["proposed_id"], new["kind"], new["country"]) == (
            "norland-antimony",
            "company",
            "AUS",
        )
        svc.accept(store, _one(res, "offtake")["proposal_id"])
        (ent,) = store.rows(Entity, {"entity_id": "norland-antimony"})
        assert (ent.kind, ent.country) == ("company", "AUS")


def test_passive_suspension_window_lands_in_the_restriction_fact(
    fresh_db: Path, tmp_path: Path
) -> None:
    """A window read from a passive clause ("The ban has been suspended until …") is the
    suspension window of the fact the shock simulation reads."""
    text = (
        "Beijing banned exports of germanium to the US in December.\n"
        "The ban has been suspended from Nov. 10 until Nov. 27, 2026, the ministry said."
    )
    with DuckStore(fresh_db) as store:
        res = _ingest(store, tmp_path, "ge", text, "2025-11-10")
        events = cast(list[dict[str, Any]], res["events"])
        (ev,) = [
            e
            for e in events
            if e["type"] == "export_restriction" and e["fields"]["action"] == "suspended"
        ]
        dec = svc.accept(store, ev["proposal_id"])
        (fact,) = store.rows(ExportRestriction, {"source_id": dec["source_id"]})
        assert (fact.issuer, fact.target, fact.material_id, fact.scope) == (
            "CHN",
            "USA",
            "germanium",
            "suspended",
        )
        assert fact.suspended_until == dt.date(2026, 11, 27)
