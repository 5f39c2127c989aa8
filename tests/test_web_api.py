"""HTTP API: same answers as the CLI's --json, pagination, problem+json, concurrency, cache."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.api import create_app
from derisk.api.deps import Page, paginate
from derisk.api.state import AppState, ReadOnly
from derisk.model.schema import Source
from derisk.services.results import ShareLine
from derisk.web.core import stage_breakdown
from derisk.web.render import heat
from tests.conftest import Cli
from tests.web_server import running_app, running_server


@pytest.fixture(scope="module")
def client(built_db: Path) -> Iterator[httpx.Client]:
    with running_server(built_db) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


def _strip_page(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "page"}


def test_overview_is_the_cli_json(client: httpx.Client, cli: Cli) -> None:
    api = client.get("/api/overview", params={"as_of": "2026-06-30"}).json()
    assert _strip_page(api) == cli.json("overview", "--as-of", "2026-06-30")
    assert api["page"] == {"total": len(api["rows"]), "limit": 100, "offset": 0, "next": None}


def test_exposure_is_the_cli_json(client: httpx.Client, cli: Cli) -> None:
    params = {"stage": "mining", "importer": "USA", "as_of": "2026-06-30"}
    api = client.get("/api/exposure/antimony", params=params).json()
    want = cli.json(
        "exposure", "antimony", "--stage", "mining", "--importer", "USA", "--as-of", "2026-06-30"
    )
    assert api == want
    assert api["importer"]["categories"], "the bundled data has US import sources for antimony"


def test_group_selection_matches_cli(client: httpx.Client, cli: Cli) -> None:
    api = client.get("/api/exposure/graphite", params={"group": "covered", "as_of": "2026-06-30"})
    want = cli.json("exposure", "graphite", "--group", "covered", "--as-of", "2026-06-30")
    assert api.json() == want


def test_sources_and_materials_match_cli(client: httpx.Client, cli: Cli) -> None:
    assert client.get("/api/sources/usgs-mcs2026-antimony").json() == cli.json(
        "sources", "usgs-mcs2026-antimony"
    )
    mats = client.get("/api/materials", params={"limit": 1000}).json()
    assert _strip_page(mats) == cli.json("materials")


def test_source_facts_cite_the_source(client: httpx.Client) -> None:
    body = client.get("/api/sources/usgs-mcs2026-antimony/facts", params={"limit": 1000}).json()
    assert body["facts"] and all(f["source_id"] == "usgs-mcs2026-antimony" for f in body["facts"])
    listed = client.get("/api/sources", params={"limit": 1000}).json()["sources"]
    count = next(s["facts"] for s in listed if s["source_id"] == "usgs-mcs2026-antimony")
    assert body["page"]["total"] == count
    # every fact listed is reachable as a fact of its own, with the same source
    one = client.get(f"/api/sources/{body['facts'][0]['fact_id']}").json()
    assert one["source"]["source_id"] == "usgs-mcs2026-antimony"


def test_pages_of_a_list_add_up_to_the_list(client: httpx.Client) -> None:
    whole = client.get("/api/materials", params={"limit": 1000}).json()["materials"]
    got: list[Any] = []
    offset: int | None = 0
    while offset is not None:
        body = client.get("/api/materials", params={"limit": 7, "offset": offset}).json()
        assert body["page"]["total"] == len(whole)
        got.extend(body["materials"])
        offset = body["page"]["next"]
    assert got == whole


@given(n=st.integers(0, 40), limit=st.integers(1, 50), offset=st.integers(0, 60))
def test_paginate_slices_like_python(n: int, limit: int, offset: int) -> None:
    items = list(range(n))
    out = paginate({"schema": "t/1", "xs": items}, "xs", Page(limit, offset))
    assert out["xs"] == items[offset : offset + limit]
    assert out["page"]["total"] == n
    nxt = out["page"]["next"]
    assert (nxt is None) == (offset + limit >= n)


@pytest.mark.parametrize(
    ("url", "status", "kind"),
    [
        ("/api/exposure/unobtainium", 404, "not-found"),
        ("/api/exposure/antimony?stage=nope", 404, "not-found"),
        ("/api/exposure/antimony?year=1950", 404, "not-found"),
        ("/api/overview?countries=Atlantis", 400, "bad-input"),
        ("/api/overview?countries=CHN&group=covered", 400, "bad-input"),
        ("/api/overview?group=nogroup", 404, "not-found"),
        ("/api/overview?as_of=yesterday", 422, "invalid-request"),
        ("/api/materials?limit=0", 422, "invalid-request"),
        ("/api/no-such-endpoint", 404, "not-found"),
        ("/api/sources/no-such-source", 404, "not-found"),
    ],
)
def test_errors_are_problem_json(client: httpx.Client, url: str, status: int, kind: str) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status
    assert body["type"] == f"urn:derisk:problem:{kind}"
    assert body["detail"] and body["instance"] == url.split("?")[0]


def test_pages_render_problems_as_html(client: httpx.Client) -> None:
    r = client.get("/materials/unobtainium")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "unknown material" in r.text


def test_openapi_documents_every_endpoint(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/health",
        "/api/materials",
        "/api/overview",
        "/api/exposure/{material}",
        "/api/sources",
        "/api/sources/{ident}",
        "/api/sources/{source_id}/facts",
        "/api/countries",
        "/api/importers",
    ):
        op = spec["paths"][path]["get"]
        assert "200" in op["responses"]
    assert not any(p.startswith(("/materials", "/sources")) for p in spec["paths"])


def test_concurrent_reads_are_safe(built_db: Path) -> None:
    """Many threads at once on an uncached server: every answer is whole and identical."""
    with running_server(built_db, cache_size=0) as base:
        urls = [
            "/api/exposure/antimony",
            "/api/exposure/graphite",
            "/api/exposure/rare-earths",
            "/api/overview",
            "/api/health",
            "/api/sources/usgs-mcs2026-antimony/facts",
        ]

        def fetch(i: int) -> Any:
            url = urls[i % len(urls)]
            r = httpx.get(base + url, params={"as_of": "2026-06-30"}, timeout=30)
            assert r.status_code == 200, r.text
            return url, r.json()

        with ThreadPoolExecutor(24) as pool:
            results = list(pool.map(fetch, range(48)))
    first: dict[str, Any] = {}
    for url, body in results:
        assert body == first.setdefault(url, body)


def test_writes_need_a_writable_server_and_empty_the_cache(tmp_path: Path, built_db: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(built_db, db)
    ro = AppState(db)
    with pytest.raises(ReadOnly), ro.writer():
        pass
    ro.close()
    app = create_app(db, writable=True)
    with running_app(app) as base, httpx.Client(base_url=base, timeout=30) as c:
        before = c.get("/api/sources", params={"limit": 1000}).json()["page"]["total"]
        new = Source("test-source", "Test publisher", "A title", confidence="L", precedence=99)
        with app.state.derisk.writer() as store, store.writer("test") as w:
            w.add([new])
        after = c.get("/api/sources", params={"limit": 1000}).json()
    assert after["page"]["total"] == before + 1
    assert any(s["source_id"] == "test-source" for s in after["sources"])


def test_health_names_the_database(client: httpx.Client, built_db: Path) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["database"] == str(built_db)
    assert body["writable"] is False


shares = st.lists(
    st.fixed_dictionaries(
        {
            "country": st.sampled_from(["CHN", "USA", "AUS", "RUS", "MMR", "IND", "BRA", "ZAF"]),
            "share": st.one_of(st.none(), st.floats(0, 0.12)),
        }
    ),
    max_size=8,
    unique_by=lambda d: d["country"],
)


@given(shares, st.integers(1, 8))
def test_stage_breakdown_sums_to_one(rows: list[dict[str, Any]], top: int) -> None:
    lines = [
        ShareLine(country=r["country"], name=None, quantity=None, share=r["share"], status="x")
        for r in rows
    ]
    out = stage_breakdown(lines, top=top)
    assert abs(sum(r["share"] for r in out) - 1.0) < 1e-3 or not out
    named = [r for r in out if r["country"]]
    assert len(named) <= top
    assert [r["share"] for r in named] == sorted((r["share"] for r in named), reverse=True)


def test_heat_darkens_with_share() -> None:
    def lum(c: str) -> float:
        r, g, b = (int(x) for x in c[4:-1].split(","))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    levels = [lum(heat(i / 20)) for i in range(21)]
    assert all(a > b for a, b in itertools.pairwise(levels))
