"""Re-sourcing and shock endpoints: the same JSON as the CLI's --json, errors as problem+json,
and only bundled scenarios are run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cli
from tests.web_server import running_server

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def api(built_db: Path) -> Iterator[httpx.Client]:
    with running_server(built_db) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


def test_scenarios_are_the_cli_json(api: httpx.Client, built_db: Path) -> None:
    got = api.get("/api/scenarios")
    assert got.status_code == 200
    assert got.json() == Cli(built_db).json("scenarios")
    assert {s["id"] for s in got.json()["scenarios"]} >= {
        "antimony-us-ban",
        "rare-earth-licences-lapse",
    }


@pytest.mark.parametrize("scenario", ["antimony-us-ban", "rare-earth-licences-lapse"])
def test_shock_is_the_cli_json(api: httpx.Client, built_db: Path, scenario: str) -> None:
    got = api.get(f"/api/shock/{scenario}?as_of={AS_OF}")
    assert got.status_code == 200, got.text
    assert got.json() == Cli(built_db).json("shock", scenario, "--as-of", AS_OF)


@pytest.mark.parametrize(
    ("query", "args"),
    [
        (
            "material=antimony&to=USA&demand=20000&exclude_group=covered",
            "antimony --to USA --demand 20000 --exclude-group covered",
        ),
        (  # repeated and comma-separated lists, as the CLI's repeated options and comma lists
            "material=nickel&to=USA&demand=3000000&exclude_country=CHN,RUS&exclude_country=IDN",
            "nickel --to USA --demand 3000000 --exclude-country CHN,RUS --exclude-country IDN",
        ),
        (
            "material=rare-earths&to=JPN&demand=5000&exclude_pfe=true&spare_only=false",
            "rare-earths --to JPN --demand 5000 --exclude-pfe",
        ),
        (
            "material=nickel&to=DEU&demand=100000&max_country_share=0.65&stage=mining&year=2024",
            "nickel --to DEU --demand 100000 --max-country-share 0.65 --stage mining --year 2024",
        ),
        ("material=gallium&to=USA&demand=50", "gallium --to USA --demand 50"),
    ],
)
def test_reroute_is_the_cli_json(api: httpx.Client, built_db: Path, query: str, args: str) -> None:
    got = api.get(f"/api/reroute?{query}&as_of={AS_OF}")
    assert got.status_code == 200, got.text
    assert got.json() == Cli(built_db).json("reroute", *args.split(), "--as-of", AS_OF)


def test_reroute_exclusions_do_what_they_say(api: httpx.Client) -> None:
    base = f"/api/reroute?material=nickel&to=USA&demand=3000000&as_of={AS_OF}"
    default = api.get(base).json()
    covered = api.get(base + "&exclude_group=covered").json()
    assert default["excluded"]["default"] and default["excluded"]["countries"] == ["CHN"]
    assert set(covered["excluded"]["countries"]) == {"CHN", "RUS", "IRN", "PRK"}
    # excluding more can only lower the maximum supply; no excluded country carries flow
    assert covered["max_supply"] <= default["max_supply"]
    used = {p["from_country"] for p in covered["plan"]} | {p["to_country"] for p in covered["plan"]}
    assert not used & set(covered["excluded"]["countries"])
    assert covered["unmet"] == pytest.approx(3000000 - covered["delivered"])


@pytest.mark.parametrize(
    ("url", "status", "kind"),
    [
        ("/api/shock/no-such-scenario", 404, "not-found"),
        ("/api/shock/..%2F..%2Fpyproject.toml", 404, "not-found"),  # never a path
        ("/api/shock/README", 422, "invalid-request"),
        ("/api/reroute?material=unobtainium&to=USA&demand=1", 404, "not-found"),
        ("/api/reroute?material=antimony&to=ZZZ&demand=1", 400, "bad-input"),
        ("/api/reroute?material=antimony&to=USA&demand=1&exclude_group=nope", 404, "not-found"),
        ("/api/reroute?material=antimony&to=USA&demand=1&exclude=no-such-entity", 404, "not-found"),
        ("/api/reroute?material=antimony&to=USA&demand=1&stage=smelting", 404, "not-found"),
        ("/api/reroute?material=antimony&to=USA&demand=0", 422, "invalid-request"),
        ("/api/reroute?material=antimony&to=USA", 422, "invalid-request"),
        (
            "/api/reroute?material=antimony&to=USA&demand=1&max_country_share=2",
            422,
            "invalid-request",
        ),
    ],
)
def test_errors_are_problems(api: httpx.Client, url: str, status: int, kind: str) -> None:
    r = api.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == f"urn:derisk:problem:{kind}"


def test_the_scenario_file_is_the_bundled_one(
    api: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file in the server's working directory named like a scenario is not read (the CLI
    would take it: `derisk shock NAME` accepts a path)."""
    listed = {s["id"]: s for s in api.get("/api/scenarios").json()["scenarios"]}
    bundled = Path(listed["antimony-us-ban"]["file"])
    decoy = bundled.read_text(encoding="utf-8").replace(listed["antimony-us-ban"]["title"], "X")
    (tmp_path / "antimony-us-ban").write_text(decoy, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the server runs in this process
    got = api.get("/api/shock/antimony-us-ban?as_of=2026-06-29").json()  # not cached yet
    assert got["scenario"]["file"] == str(bundled)
    assert got["scenario"]["title"] == listed["antimony-us-ban"]["title"] != "X"


def test_openapi_documents_the_endpoints(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path, schema in [
        ("/api/reroute", "RerouteOut"),
        ("/api/shock/{scenario}", "ShockOut"),
        ("/api/scenarios", "ScenariosOut"),
    ]:
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"].endswith("/" + schema)
