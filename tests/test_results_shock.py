"""Typed results of re-sourcing and shocks: `derisk reroute`, `derisk shock`, `derisk scenarios`.

Each result conforms to its SCHEMA, the API models are derived from it, the Python API answers
what the CLI prints with --json, and the plan's flow diagram is one rule for web and report."""

from __future__ import annotations

import dataclasses
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import derisk
from derisk.api import models
from derisk.model.record import Record
from derisk.report.resource import flow_svg
from derisk.services import plan_flows as pf
from derisk.services import results
from derisk.services.results import resource as rr
from derisk.services.results import shock as sr
from tests.conftest import Cli
from tests.test_results import conforms

AS_OF = "2026-06-01"


@pytest.fixture(scope="module")
def db(built_db: Path) -> Any:
    with derisk.open(built_db) as d:
        yield d


def _record(name: str) -> type[Record]:
    for module in (sr, rr, results):
        if hasattr(module, name):
            found: type[Record] = getattr(module, name)
            return found
    raise AssertionError(f"no record {name}")


@pytest.mark.parametrize(
    ("record", "model"),
    [
        (sr.Scenarios, models.ScenariosOut),
        (sr.Shock, models.ShockOut),
        (rr.Reroute, models.RerouteOut),
    ],
)
def test_api_models_are_derived_from_the_results(record: type[Record], model: Any) -> None:
    api = model.model_json_schema(mode="serialization")
    assert set(api["properties"]) == set(record.SCHEMA["properties"])
    for name, sub in record.SCHEMA.get("$defs", {}).items():
        derived = models.derive(_record(name))
        assert set(derived.model_json_schema(mode="serialization")["properties"]) == set(
            sub["properties"]
        ), name


REROUTES = [
    ("antimony --to USA --demand 20000", {}),
    (
        "antimony --to USA --demand 20000 --exclude-group covered",
        {"exclude_groups": "covered"},
    ),
    (
        "nickel --to DEU --demand 100000 --max-country-share 0.65 --stage mining --year 2024",
        {"max_country_share": 0.65, "stage": "mining", "year": 2024},
    ),
    (
        "nickel --to USA --demand 3000000 --exclude-country CHN,RUS --exclude-country IDN",
        {"exclude_countries": ["CHN", "RUS", "IDN"]},
    ),
    ("rare-earths --to JPN --demand 5000 --exclude-pfe", {"exclude_pfe": True}),
    ("graphite --to KOR --demand 100000 --spare-only", {"spare_only": True}),
]


@pytest.mark.parametrize(("args", "kw"), REROUTES)
def test_reroute_is_the_cli_json(db: Any, built_db: Path, args: str, kw: dict[str, Any]) -> None:
    material, _, to, _, demand, *_ = args.split()
    expected = Cli(built_db).json("reroute", *args.split(), "--as-of", AS_OF)
    res = db.reroute(material, to, float(demand), as_of=AS_OF, **kw)
    assert isinstance(res, rr.Reroute)
    assert conforms(res) == expected
    pd.testing.assert_frame_equal(res.to_frame(), pd.DataFrame.from_records(expected["plan"]))
    assert list(res.to_frame("sites")["site"]) == [s["site"] for s in expected["sites"]]


@pytest.mark.parametrize("scenario", ["antimony-us-ban", "rare-earth-licences-lapse"])
def test_shock_is_the_cli_json(db: Any, built_db: Path, scenario: str) -> None:
    expected = Cli(built_db).json("shock", scenario, "--as-of", AS_OF)
    res = db.shock(scenario, as_of=AS_OF)
    assert isinstance(res, sr.Shock)
    assert conforms(res) == expected
    pd.testing.assert_frame_equal(res.to_frame(), pd.DataFrame.from_records(expected["months"]))
    assert res.to_arrow("summary").num_rows == len(expected["summary"])


def test_a_scenario_file_with_products_is_the_cli_json(
    db: Any, built_db: Path, tmp_path: Path
) -> None:
    """Products named by the file keep their keys and order."""
    f = tmp_path / "own.yaml"
    f.write_text(
        "id: own\ntitle: Own\nmaterial: antimony\nstart: 2025-03\nmonths: 4\n"
        "restrictions:\n  - {issuer: CHN, targets: [USA, JPN], fraction: 0.5}\n"
        "products:\n  - {id: p1, name: P, country: USA, stage: refining, use: 120}\n"
        "  - {id: p2, country: ISL, stage: mining, use: 1}\n",
        encoding="utf-8",
    )
    expected = Cli(built_db).json("shock", str(f), "--as-of", AS_OF)
    res = db.shock(f, as_of=AS_OF)
    assert conforms(res) == expected
    own = [p for p in res.products if isinstance(p, sr.ScenarioProduct)]
    assert [p.id for p in own] == ["p1", "p2"]
    # refining is not modelled (antimony's modelled chain ends at mining): p1 is named but not
    # modelled; ISL's mining use is part of the rest of the world: p2 is modelled there.
    assert not own[0].modelled and own[0].note == "not in the modelled network"
    assert own[1].modelled and own[1].node == {"stage": "mining", "country": "ROW"}
    assert list(expected["products"][1])[-4:] == ["modelled", "node", "months", "worst_share"]


def test_scenarios_are_the_cli_json(db: Any, built_db: Path) -> None:
    expected = Cli(built_db).json("scenarios")
    res = db.scenarios()
    assert isinstance(res, sr.Scenarios) and conforms(res) == expected
    assert list(res.to_frame()["id"]) == [s["id"] for s in expected["scenarios"]]


def test_results_are_frozen(db: Any) -> None:
    res = db.reroute("antimony", "USA", 20000, as_of=AS_OF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.demand = 1.0
    assert res.plan[0]["from"] == res.plan[0].from_ == res.to_json()["plan"][0]["from"]
    options = rr.RerouteOptions(material="antimony", destination="USA", demand=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.demand = 2.0  # type: ignore[misc]


def test_the_flow_diagram_conserves_the_plan(db: Any) -> None:
    """Deliveries into the destination add up to what the plan delivers; the unmet link is
    demand - delivered; every link between sites starts and ends at a drawn node; and the
    report draws those same nodes."""
    for kw in ({}, {"exclude_groups": "covered"}):
        res = db.reroute("rare-earths", "JPN", 200_000, as_of=AS_OF, **kw)
        flows = pf.plan_flows(res)
        into = sum(x.value for x in flows.links if x.target == pf.DEST and x.source != pf.UNMET)
        assert into == pytest.approx(res.delivered, rel=1e-6, abs=1e-3)
        unmet = [x.value for x in flows.links if x.source == pf.UNMET]
        assert sum(unmet) == pytest.approx(res.unmet, abs=1e-3)
        names = {n.name for n in flows.nodes}
        assert all(x.source in names and x.target in names for x in flows.links)
        svg = flow_svg(res)
        assert all(escape(n.label) in svg for n in flows.nodes)
