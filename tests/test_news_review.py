"""News ingest and the review queue against a real store, through services and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from derisk.model.news import NewsProposal, SupplyEvent
from derisk.model.schema import Entity, ExportRestriction, Source, Stake
from derisk.services import news as svc
from derisk.services.common import NotFound
from derisk.store import DuckStore

from .conftest import Cli

PAGES = Path(__file__).parent / "data" / "news" / "pages"


def _counts(store: DuckStore) -> dict[str, int]:
    return {
        t: int(store.sql(f"SELECT count(*) FROM {t}")[0][0])
        for t in ("stake", "export_restriction", "entity", "source", "supply_event")
    }


def test_ingest_proposes_but_changes_no_fact(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        before = _counts(store)
        res = svc.ingest(
            store, [PAGES / "kz-tmc-stake.html", PAGES / "china-bans-ga-ge-sb-us.html"]
        )
        assert _counts(store) == before
        assert res["schema"] == "derisk.news.ingest/1"
        assert res["summary"]["proposals"] == 5
        assert len(store.rows(NewsProposal)) == 5


def test_reingest_proposes_nothing_new(fresh_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "same-story-other-file.html"
    shutil.copyfile(PAGES / "kz-tmc-stake.html", copy)
    with DuckStore(fresh_db) as store:
        svc.ingest(store, [PAGES / "kz-tmc-stake.html"])
        again = svc.ingest(store, [PAGES / "kz-tmc-stake.html", copy])
        assert again["summary"] == {**again["summary"], "duplicates": 2, "proposals": 0}
        assert len(store.rows(NewsProposal)) == 1


def test_accept_stake_writes_sourced_facts(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [PAGES / "kz-tmc-stake.html"])
        pid = res["events"][0]["proposal_id"]
        dec = svc.accept(store, pid[:6])
        (stake,) = store.rows(Stake, {"source_id": dec["source_id"]})
        assert (stake.owner_id, stake.owned_id, stake.percent) == (
            "korea-zinc",
            "tmc-the-metals-company",
            5.0,
        )
        (src,) = store.rows(Source, {"source_id": dec["source_id"]})
        assert src.url == res["article"]["url"] and src.publisher == "Meridian Wire"
        assert src.quote is not None and "5% stake in The Metals Company" in src.quote
        assert src.confidence in ("M", "L")
        with pytest.raises(ValueError, match="already accepted"):
            svc.accept(store, pid)
        assert svc.list_proposals(store.view(), "accepted")["proposals"][0]["proposal_id"] == pid
        assert svc.show(store.view(), pid)["proposal"]["decisions"][0]["decided_by"] == "user"


def test_accept_restriction_and_new_entities(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(
            store, [PAGES / "drc-cobalt-suspension.html", PAGES / "nordvik-voltera-offtake.html"]
        )
        by_type = {e["type"]: e for a in res["articles"] for e in a["events"]}
        svc.accept(store, by_type["export_restriction"]["proposal_id"])
        (er,) = store.rows(ExportRestriction, {"issuer": "COD"})
        assert (er.material_id, er.target, str(er.valid_from), str(er.valid_to)) == (
            "cobalt",
            "WLD",
            "2025-02-22",
            "2025-06-22",
        )
        dec = svc.accept(store, by_type["offtake"]["proposal_id"])
        new_ids = {f["id"] for f in dec["facts"] if f["table"] == "entity"}
        assert new_ids == {"nordvik-graphite", "voltera-cells"}
        (ev,) = store.rows(SupplyEvent, {"event_type": "offtake"})
        assert (ev.subject_id, ev.object_id, ev.quantity, ev.term) == (
            "nordvik-graphite",
            "voltera-cells",
            12000.0,
            "P7Y",
        )


def test_facility_accept_creates_facility_entity(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [PAGES / "albemarle-kemerton-idle.html"])
        dec = svc.accept(store, res["events"][0]["proposal_id"])
        fid = next(f["id"] for f in dec["facts"] if f["table"] == "entity")
        (fac,) = store.rows(Entity, {"entity_id": fid})
        assert (fac.kind, fac.operator_id, fac.country, fac.facility_type, str(fac.valid_to)) == (
            "facility",
            "albemarle",
            "AUS",
            "refinery",
            "2025-07-30",
        )


def test_failed_accept_writes_nothing(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [PAGES / "kz-tmc-stake.html"])
        pid = res["events"][0]["proposal_id"]
        before = _counts(store)
        with pytest.raises(ValueError, match="percent"):
            svc.accept(store, pid, {"percent": "150"})
        with pytest.raises(ValueError, match="must be a number"):
            svc.accept(store, pid, {"percent": "five"})
        assert _counts(store) == before
        assert svc.list_proposals(store.view())["proposals"][0]["status"] == "pending"
        svc.accept(store, pid, {"percent": "4.9"})
        assert store.rows(Stake, {"owned_id": "tmc-the-metals-company"})[-1].percent == 4.9


def test_reject_and_unknown_ids(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [PAGES / "kz-tmc-stake.html"])
        pid = res["events"][0]["proposal_id"]
        before = _counts(store)
        svc.reject(store, pid, "duplicate of a filing")
        assert _counts(store) == before
        assert svc.list_proposals(store.view(), "rejected")["proposals"][0]["proposal_id"] == pid
        with pytest.raises(NotFound):
            svc.show(store.view(), "p-nothing")
        with pytest.raises(ValueError):
            svc.list_proposals(store.view(), "maybe")


def test_auto_accept_threshold(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = svc.ingest(
            store,
            [PAGES / "china-bans-ga-ge-sb-us.html", PAGES / "rare-earth-six-month-licences.html"],
            auto_accept=0.7,
        )
        confs = [(e["confidence"], e["status"]) for a in res["articles"] for e in a["events"]]
        assert all((c >= 0.7) == (s == "accepted") for c, s in confs)
        assert any(s == "pending" for _, s in confs)  # the anonymously sourced licence story
        assert res["summary"]["auto_accepted"] == sum(1 for _, s in confs if s == "accepted")
        assert (
            len(store.rows(ExportRestriction, {"issuer": "CHN"})) >= res["summary"]["auto_accepted"]
        )


def test_cli_ingest_review_accept(fresh_db: Path) -> None:
    cli = Cli(fresh_db)
    out = cli.json("news", "ingest", str(PAGES / "kz-antimony-us.html"))
    assert set(out["article"]) >= {"url", "title", "published"}
    ev = out["events"][0]
    assert set(ev) >= {"type", "fields", "sentence", "confidence", "entities"}
    assert {"text", "id_or_null", "kind"} <= set(ev["entities"][0])
    assert ev["fields"]["exporter"] == "korea-zinc" and ev["fields"]["destination"] == "USA"
    listed = cli.json("review", "list")
    assert {p["proposal_id"] for p in listed["proposals"]} == {
        e["proposal_id"] for e in out["events"]
    }
    shown = cli.json("review", "show", ev["proposal_id"])
    assert shown["proposal"]["sentence"] == ev["sentence"]
    dec = cli.json("review", "accept", ev["proposal_id"], "--set", "quantity=41")
    assert dec["fields"]["quantity"] == 41.0
    err = cli.json("review", "reject", ev["proposal_id"], code=2)
    assert err["error"]["kind"] == "bad-input"
    assert "news ingest" not in cli.run("review", "list", "--status", "all")
    bad = cli.json("news", "ingest", str(PAGES / "missing.html"), code=1)
    assert bad["error"]["problems"][0]["message"] == "file not found"
    assert json.loads(json.dumps(out))  # plain JSON types only
