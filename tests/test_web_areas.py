"""API routers of the areas (ownership, screening, news, trade, products): the same JSON as the
CLI's --json, writes only on a writable server, errors as problem+json."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from derisk.data.importers.examples import import_example
from derisk.data.importers.products import load_example_products
from derisk.services import news
from derisk.store import DuckStore
from tests.conftest import Cli
from tests.web_server import running_server

ARTICLES = Path(__file__).parent / "data" / "news" / "pages"
AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def examples_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("areas") / "areas.duckdb"
    shutil.copyfile(built_db, db)
    with DuckStore(db) as store:
        import_example(store, "china-exports")
        load_example_products(store)
        news.ingest(store, [ARTICLES / "kz-tmc-stake.html"], now="2026-01-01T00:00:00")
    return db


@pytest.fixture(scope="module")
def api(examples_db: Path) -> Iterator[httpx.Client]:
    with running_server(examples_db) as base, httpx.Client(base_url=base, timeout=60) as c:
        yield c


def _no_page(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "page"}


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("/api/owners/mp-materials", ["owners", "mp-materials"]),
        ("/api/holdings/sasac", ["holdings", "sasac"]),
        (
            "/api/screen/china-rare-earth-group?rule=feoc",
            ["screen", "china-rare-earth-group", "--rule", "feoc"],
        ),
        ("/api/screen/mp-materials", ["screen", "mp-materials"]),
        ("/api/trace/magnet-jp-cn-oxide", ["trace", "magnet-jp-cn-oxide"]),
        (
            "/api/certify/magnet-jp-cn-oxide?rule=dfars-7052",
            ["certify", "magnet-jp-cn-oxide", "--rule", "dfars-7052"],
        ),
        ("/api/trade/series?material=gallium", ["trade", "series", "gallium"]),
        (
            "/api/trade/origin/gallium?importer=USA",
            ["trade", "origin", "gallium", "--importer", "USA"],
        ),
    ],
)
def test_area_answers_are_the_cli_json(
    api: httpx.Client, examples_db: Path, url: str, args: list[str]
) -> None:
    sep = "&" if "?" in url else "?"
    got = api.get(f"{url}{sep}as_of={AS_OF}" if "series" not in url else url)
    assert got.status_code == 200, got.text
    cli_args = [*args] if "series" in url else [*args, "--as-of", AS_OF]
    want = Cli(examples_db).json(*cli_args)
    assert got.json() == want


@pytest.mark.parametrize(
    ("url", "key", "args"),
    [
        ("/api/screen?rule=pfe", "entities", ["screen", "--all"]),
        ("/api/products", "products", ["products"]),
        ("/api/review?status=pending", "proposals", ["review", "list"]),
    ],
)
def test_area_lists_are_paged_cli_json(
    api: httpx.Client, examples_db: Path, url: str, key: str, args: list[str]
) -> None:
    sep = "&" if "?" in url else "?"
    got = api.get(f"{url}{sep}limit=1000&as_of={AS_OF}").json()
    if args[0] == "review":
        # `derisk review` opens the file for writing, which this process (holding it read-only
        # for the server) may not: compare with the service the command prints
        with DuckStore(examples_db, read_only=True) as store:
            want = news.list_proposals(store.view(), "pending")
    else:
        want = Cli(examples_db).json(*args, "--as-of", AS_OF)
    assert _no_page(got) == want
    assert got["page"]["total"] == len(got[key])


def test_unknown_entity_product_and_rule_are_problems(api: httpx.Client) -> None:
    for url, status in [
        ("/api/owners/no-such-entity", 404),
        ("/api/trace/no-such-product", 404),
        ("/api/certify/magnet-jp-cn-oxide?rule=no-such-rule", 404),
        ("/api/screen/mp-materials?rule=xyz", 422),
    ]:
        r = api.get(url)
        assert r.status_code == status, (url, r.text)
        assert r.headers["content-type"] == "application/problem+json"


def test_review_decisions_need_a_writable_server(
    api: httpx.Client, examples_db: Path, tmp_path: Path
) -> None:
    pid = api.get("/api/review").json()["proposals"][0]["proposal_id"]
    refused = api.post(f"/api/review/{pid}/accept")
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:derisk:problem:read-only"
    db = tmp_path / "w.duckdb"
    shutil.copyfile(examples_db, db)
    with running_server(db, writable=True) as base, httpx.Client(base_url=base) as w:
        before = w.get("/api/sources/news-" + pid)
        assert before.status_code == 404
        ok = w.post(f"/api/review/{pid}/accept", json={"set": {"percent": "5.0"}})
        assert ok.status_code == 200, ok.text
        body = ok.json()
        assert body["decision"] == "accepted" and body["source_id"] == f"news-{pid}"
        again = w.post(f"/api/review/{pid}/accept")
        assert again.status_code == 400 and "already accepted" in again.json()["detail"]
        assert w.get("/api/review").json()["proposals"] == []
        assert any(f["table"] == "stake" for f in body["facts"])
        cited = w.get(f"/api/sources/news-{pid}/facts").json()["facts"]
        stakes = [f for f in cited if f["table"] == "stake"]
        assert [(f["owner_id"], f["owned_id"], f["percent"]) for f in stakes] == [
            ("korea-zinc", "tmc-the-metals-company", 5.0)
        ]
