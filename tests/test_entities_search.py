"""Finding an entity's id by name: `derisk entities QUERY` and GET /api/entities?q=."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from derisk.services.lookup import FIND_ENTITY
from derisk.store import DuckStore
from tests.conftest import REPO, Cli
from tests.web_server import running_server

ENTITIES_CSV = REPO / "src" / "derisk" / "data" / "bundled" / "entities.csv"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _bundled() -> list[dict[str, str]]:
    with ENTITIES_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def client(built_db: Path) -> Iterator[httpx.Client]:
    with running_server(built_db) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


def test_every_hit_contains_the_query_and_every_bundled_match_is_found(
    cli: Cli, built_db: Path
) -> None:
    res = cli.json("entities", "lithium")
    assert res["schema"] == "derisk.entities/1"
    hits = {e["id"] for e in res["entities"]}
    with DuckStore(built_db) as store:
        aliases = dict(store.sql("SELECT entity_id, coalesce(aliases, '') FROM entity"))
    for e in res["entities"]:
        assert "lithium" in _fold(f"{e['id']} {e['name']} {aliases[e['id']]}"), e
    # independently: every bundled entity whose name contains the word is among the hits
    want = {r["entity_id"] for r in _bundled() if "lithium" in _fold(r["name"])}
    assert want and want <= hits


def test_accents_case_and_legal_suffixes_are_ignored(cli: Cli) -> None:
    accented = next(r for r in _bundled() if _fold(r["name"]) != r["name"].casefold())
    plain = _fold(accented["name"]).upper()  # "GECAMINES" finds "Gécamines"
    assert accented["entity_id"] in {e["id"] for e in cli.json("entities", plain)["entities"]}
    suffixed = next(r for r in _bundled() if r["name"].endswith("Co., Ltd."))
    query = suffixed["name"].replace("Co., Ltd.", "Company Limited")
    assert suffixed["entity_id"] in {e["id"] for e in cli.json("entities", query)["entities"]}


def test_country_and_kind_narrow_the_list(cli: Cli) -> None:
    every = cli.json("entities")["entities"]
    kor = cli.json("entities", "--country", "kor", "--kind", "company")["entities"]
    assert kor == [e for e in every if e["country"] == "KOR" and e["kind"] == "company"]
    assert kor, "the bundled data has Korean companies"
    assert cli.json("entities", "no such entity anywhere")["entities"] == []


def test_the_api_answers_as_the_cli(client: httpx.Client, cli: Cli) -> None:
    api = client.get("/api/entities", params={"q": "catl"}).json()
    assert api["entities"] == cli.json("entities", "catl")["entities"]
    assert client.get("/api/entities", params={"kind": "planet"}).status_code == 422


def test_an_unknown_entity_points_to_the_search(cli: Cli) -> None:
    out = cli.run("owners", "no such company at all", code=1)
    assert "derisk entities" in " ".join(out.split())
    assert "derisk entities" in FIND_ENTITY and "/api/entities?q=" in FIND_ENTITY
