"""Typed results of the news and facility services: each is frozen, its JSON is the CLI's
--json and matches its SCHEMA, the API models are derived from it, and ``derisk.open(path)``
hands the same records back (``db.news…``, ``db.facilities…``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import derisk
from derisk.api import models
from derisk.api.app import create_app
from derisk.model.record import Record
from derisk.services import results
from derisk.services.results import facilities as fr
from derisk.services.results import news as nr
from tests.conftest import Cli
from tests.test_results import conforms

PAGES = Path(__file__).parent / "data/news/pages"
STAKE = PAGES / "catl-kfm-stake.html"  # a stake acquisition with a percentage
MAGNETS = PAGES / "apple-mp-magnets.html"


@pytest.mark.parametrize(
    ("module", "record", "model"),
    [
        (nr, nr.NewsReview, models.NewsReviewOut),
        (nr, nr.NewsProposalShow, models.NewsProposalOut),
        (nr, nr.NewsDecisionResult, models.NewsDecisionOut),
        (fr, fr.FacilitiesList, models.FacilitiesOut),
        (fr, fr.FacilityShow, models.FacilityOut),
        (fr, fr.Allied, models.AlliedOut),
    ],
)
def test_api_models_are_derived_from_the_results(
    module: ModuleType, record: type[Record], model: Any
) -> None:
    """The OpenAPI model has the result's keys (plus the API's `page`); nested models have
    their records' keys."""
    api = model.model_json_schema(mode="serialization")
    assert set(api["properties"]) - {"page"} == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        nested = getattr(module, name, None) or getattr(results, name)
        # a proposal's stored mentions, links and new entities are TypedDicts
        model_of = models.derive if issubclass(nested, Record) else models.derive_typeddict
        derived = model_of(nested).model_json_schema(mode="serialization")
        assert set(derived["properties"]) == set(sub["properties"]), name


def test_openapi_describes_the_review_and_facility_answers(built_db: Path) -> None:
    spec = TestClient(create_app(built_db)).get("/openapi.json").json()

    def model(path: str, method: str = "get") -> str:
        ok = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        return str(ok["schema"]["$ref"]).rsplit("/", 1)[1]

    assert model("/api/review") == "NewsReviewOut"
    assert model("/api/review/{proposal}") == "NewsProposalOut"
    assert model("/api/review/{proposal}/accept", "post") == "NewsDecisionOut"
    assert model("/api/allied") == "AlliedOut"
    props = spec["components"]["schemas"]["AlliedOut"]["properties"]
    assert set(props) == set(fr.Allied.SCHEMA["properties"])


def test_news_queue_is_typed_and_is_the_cli_json(fresh_db: Path, tmp_path: Path) -> None:
    """``db.news`` returns the records; their JSON is what the CLI prints for the same
    database, and the main table is the CLI's rows."""
    other = tmp_path / "other.duckdb"
    other.write_bytes(fresh_db.read_bytes())
    cli = Cli(other)
    with derisk.open(fresh_db, read_only=False) as db:
        ingested = db.news.ingest([STAKE, MAGNETS], published="2025-03-01")
        assert isinstance(ingested, nr.NewsIngest)
        assert conforms(ingested) == cli.json(
            "news", "ingest", str(STAKE), str(MAGNETS), "--published", "2025-03-01"
        )
        assert ingested.summary.proposals == len(ingested.articles[0].events) + len(
            ingested.articles[1].events
        )
        pd.testing.assert_frame_equal(
            ingested.to_frame(), pd.DataFrame.from_records(ingested.to_json()["articles"])
        )
        again = db.news.ingest(STAKE)
        assert again.articles[0].status == "duplicate"
        assert (
            again.to_json()["articles"][0]["duplicate_of"]
            == ingested.articles[0].article.article_id
        )
        assert "duplicate_of" not in ingested.to_json()["articles"][0]  # only duplicates carry it

        queue = db.news.proposals()
        assert isinstance(queue, nr.NewsReview)
        assert len(queue.proposals) == ingested.summary.proposals
        assert conforms(queue) == Cli(fresh_db).json("review", "list")
        pd.testing.assert_frame_equal(
            queue.to_frame(),
            pd.DataFrame.from_records(Cli(fresh_db).json("review", "list")["proposals"]),
        )
        stake = next(p for p in queue.proposals if p.type == "stake_acquisition")
        other_p = next(p for p in queue.proposals if p.proposal_id != stake.proposal_id)

        decided = db.news.accept(stake.proposal_id)
        assert isinstance(decided, nr.NewsDecisionResult)
        assert conforms(decided) == cli.json("review", "accept", stake.proposal_id)
        assert [f.table for f in decided.facts][-1] == "supply_event"
        assert decided.source_id == f"news-{stake.proposal_id}"
        assert decided.fields is not None and decided.fields["acquirer"] == stake.fields["acquirer"]

        rejected = db.news.reject(other_p.proposal_id, "not a supply event")
        assert conforms(rejected) == cli.json(
            "review", "reject", other_p.proposal_id, "--reason", "not a supply event"
        )
        assert rejected.notes == ("not a supply event",) and rejected.fields is None

        shown = db.news.show(stake.proposal_id)
        assert isinstance(shown, nr.NewsProposalShow)
        assert conforms(shown) == Cli(fresh_db).json("review", "show", stake.proposal_id)
        assert shown.proposal.status == "accepted"
        assert shown.proposal.decisions[0].facts == decided.facts
        with pytest.raises(dataclasses.FrozenInstanceError):
            shown.proposal.status = "pending"  # type: ignore[misc]
        with pytest.raises(TypeError):
            shown["proposal"]["fields"]["percent"] = 1  # read-only, like the record
        assert json.loads(json.dumps(shown.to_json())) == shown.to_json()


def test_facility_results_are_the_cli_json(built_db: Path) -> None:
    cli = Cli(built_db)
    with derisk.open(built_db) as db:
        listed = db.facilities(material="antimony", screen=True, years=[2026, 2027])
        assert isinstance(listed, fr.FacilitiesList)
        expected = cli.json(
            "facilities", "list", "--material", "antimony", "--screen", "--years", "2026,2027"
        )
        assert conforms(listed) == expected
        pd.testing.assert_frame_equal(
            listed.to_frame(), pd.DataFrame.from_records(expected["facilities"])
        )
        assert {r.pfe for r in listed.facilities} <= {"clear", "flagged", "indeterminate"}
        with pytest.raises(TypeError):
            listed.pipeline_weights["planned"] = 1.0  # type: ignore[index]
        first = listed.facilities[0].facility
        shown = db.facility(first, years="2026-2028")
        assert isinstance(shown, fr.FacilityShow)
        assert conforms(shown) == cli.json("facilities", "show", first, "--years", "2026-2028")
        assert set(shown.facility.capacity_by_year) == {
            "operating",
            "committed",
            "risked",
            "announced",
        }
        club = db.allied("antimony", "refining", "USA,KOR", demand={"USA": 5000, "KOR": 2000},
                         years="2026,2027", exclude_pfe=True)  # fmt: skip
        assert isinstance(club, fr.Allied)
        expected = cli.json(
            "reroute", "antimony", "--stage", "refining", "--club", "USA,KOR",
            "--demand", "USA=5000,KOR=2000", "--years", "2026,2027", "--exclude-pfe",
        )  # fmt: skip
        assert conforms(club) == expected
        assert club.excluded.pfe is not None and club.years == (2026, 2027)
        pd.testing.assert_frame_equal(
            club.to_frame(), pd.DataFrame.from_records(expected["by_year"])
        )
