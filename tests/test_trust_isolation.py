"""Two organisations on one server: neither sees the other's private data, anywhere.

The test of every endpoint is one of non-interference: a user's answer on the shared database
(both organisations' private datasets and an unassigned operator dataset loaded) must equal
the same user's answer on a database holding only its own organisation's private data. The
answers are computed for the other organisation first on the same server, so a response or
result cache shared across users would fail the test too.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from derisk.api import create_app
from derisk.cli import app as cli_app
from derisk.model.trust import Principal, Role
from derisk.services import ownership, trust
from derisk.store import DuckStore
from derisk.store.guard import Forbidden, acting_as
from tests.trust_fixtures import DATASET, MARKERS, TwoOrgs, build

VALUES = (
    "antimony",
    "gallium",
    "mp-materials",
    "shenghe-resources",
    "acme-secret-mine",
    "acme-contract-2026",
    "acme-secret-stake",
    "beta-intel-2026",
    "ops-stake",
    "usgs-mcs2026-antimony",
    "DEU",
)
"""Values tried for every path parameter (and required query parameter) of every route."""

EXTRA_QUERIES = (
    "",
    "?importer=DEU",
    "?as_of=2025-12-31",
    "?stage=mining&year=2025",
    "?material=gallium",
)

NOT_COMPARED = {"/api/health", "/api/whoami", "/api/datasets", "/api/audit"}
"""Answers that name the database file, the user or load times: checked for markers only."""

SELF = {"alice": "acme", "ann": "acme", "bob": "beta", "bev": "beta"}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> dict[str, TwoOrgs]:
    root = tmp_path_factory.mktemp("two-orgs")
    out = {}
    for name, datasets in (
        ("shared", ("acme", "beta", "ops")),
        ("acme", ("acme",)),
        ("beta", ("beta",)),
    ):
        (root / name).mkdir()
        out[name] = build(root / name / "derisk.duckdb", built_db, datasets)
    return out


@pytest.fixture(scope="module")
def clients(dbs: dict[str, TwoOrgs]) -> Iterator[dict[str, TestClient]]:
    apps = {k: create_app(v.path, multi_user=True) for k, v in dbs.items()}  # read-only
    cs = {k: TestClient(a, raise_server_exceptions=False) for k, a in apps.items()}
    for c in cs.values():
        c.__enter__()
    yield cs
    for c in cs.values():
        c.__exit__(None, None, None)


def _get(c: TestClient, tok: str, url: str) -> tuple[int, str]:
    r = c.get(url, headers={"Authorization": f"Bearer {tok}"}, follow_redirects=False)
    return r.status_code, r.text


def _routes(routes: list[Any]) -> Iterator[Any]:
    for r in routes:
        inner = getattr(r, "original_router", None)  # a router included into the app
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield r


def _query_params(dependant: Any) -> list[Any]:
    """The query parameters a route reads, through its dependencies at any depth."""
    out = list(dependant.query_params)
    for dep in dependant.dependencies:
        out += _query_params(dep)
    return out


def _reads(query: str, accepted: set[str]) -> bool:
    """Whether a route that reads the query parameters ``accepted`` reads every one of ``query``."""
    return all(kv.split("=")[0] in accepted for kv in query.lstrip("?").split("&"))


def _urls(app_routes: list[Any]) -> list[str]:
    urls: list[str] = []
    for route in _routes(app_routes):
        if not isinstance(route, APIRoute):
            continue
        assert route.methods is not None  # an APIRoute always has its methods (GET by default)
        if "GET" not in route.methods:
            continue
        params = re.findall(r"{([^}:]+)(?::[^}]*)?}", route.path)
        queries = _query_params(route.dependant)
        required = [p.alias for p in queries if p.field_info.is_required()]
        accepted = {p.alias for p in queries}
        values = VALUES if params or required else ("",)
        for v in values:
            path = re.sub(r"{[^}]+}", v, route.path)
            query = "&".join(f"{q}={v}" for q in required)
            base = path + (("?" + query) if query else "")
            extras: tuple[str, ...] = ("",)
            if not (required or params):  # only queries the route reads: others change nothing
                extras += tuple(e for e in EXTRA_QUERIES[1:] if _reads(e, accepted))
            for e in extras:
                sep = "&" if "?" in base and e else ""
                urls.append(base + (sep + e[1:] if sep else e))
    return sorted(set(urls))


def _foreign(user: str) -> list[str]:
    own = SELF.get(user)
    return [m for org, ms in MARKERS.items() if org != own for m in ms]


def test_every_get_route_is_isolated(
    dbs: dict[str, TwoOrgs], clients: dict[str, TestClient]
) -> None:
    shared = clients["shared"]
    assert isinstance(shared.app, FastAPI)  # the client serves derisk's own application
    urls = _urls(shared.app.routes)
    assert len(urls) > 100
    differs = 0
    oks = 0
    for url in urls:
        answers = {}
        for user in ("bev", "alice"):  # the other organisation asks first: no shared cache
            status, body = _get(shared, dbs["shared"].tokens[user], url)
            assert status < 500, (user, url, status, body[:300])
            leaked = [m for m in _foreign(user) if m in body and m not in url]  # not echoed
            assert not leaked, f"{user} sees {leaked} at {url}"
            answers[user] = (status, body)
            oks += status == 200
            path = url.split("?")[0]
            if path in NOT_COMPARED:
                continue
            alone = _get(clients[SELF[user]], dbs[SELF[user]].tokens[user], url)
            assert (status, body) == alone, f"{user} {url}: answer depends on another org"
        differs += answers["alice"] != answers["bev"]
    assert oks > 120  # well over a hundred real answers, not only errors
    assert differs >= 10  # the private data changes answers: the test can see a leak


def test_lookthrough_share_never_includes_a_foreign_stake(dbs: dict[str, TwoOrgs]) -> None:
    def owners_as(db: str, user: str) -> dict[str, Any]:
        with DuckStore(dbs[db].path, read_only=True) as admin:
            who = trust.authenticate(admin, dbs[db].tokens[user])
        assert who is not None
        with acting_as(who), DuckStore(dbs[db].path, read_only=True) as store:
            res = ownership.owners(store.view(), "mp-materials").to_json()
        # a view opened for the principal on an unrestricted store sees exactly as much
        with DuckStore(dbs[db].path, read_only=True) as admin, admin.view(principal=who) as view:
            assert ownership.owners(view, "mp-materials").to_json() == res
        return res

    def direct(res: dict[str, Any]) -> dict[str, Any]:
        return {o["id"]: o["direct_fact_id"] for o in res["owners"]}

    acme = owners_as("shared", "alice")
    beta = owners_as("shared", "bob")
    assert direct(acme)["shenghe-resources"] == "acme-secret-stake"
    assert direct(beta)["shenghe-resources"] != "acme-secret-stake"
    assert beta == owners_as("beta", "bob")
    assert acme == owners_as("acme", "alice")
    assert "ops-stake" not in json.dumps(acme) + json.dumps(beta)


def test_cli_as_a_user_sees_only_its_data(dbs: dict[str, TwoOrgs]) -> None:
    runner = CliRunner()
    commands = [
        ["overview", "--json"],
        ["exposure", "antimony", "--json"],
        ["exposure", "gallium", "--importer", "DEU", "--json"],
        ["owners", "mp-materials", "--json"],
        ["sources", "acme-contract-2026", "--json"],
        ["sources", "acme-secret-stake", "--json"],
        ["sources", "beta-p1", "--json"],
        ["materials", "--json"],
    ]
    for user in ("bev", "alice"):
        org = SELF[user]
        for cmd in commands:
            outs = []
            for db in ("shared", org):
                res = runner.invoke(
                    cli_app, [*cmd, "--db", str(dbs[db].path)], env={"DERISK_USER": user}
                )
                outs.append((res.exit_code, res.output))
            assert outs[0] == outs[1], (user, cmd)
            leaked = [m for m in _foreign(user) if m in outs[0][1] and m not in cmd]
            assert not leaked, (user, cmd, leaked)
        res = runner.invoke(
            cli_app,
            ["db", "status", "--json", "--db", str(dbs["shared"].path)],
            env={"DERISK_USER": user},
        )
        counts = json.loads(res.output)["counts"]
        res2 = runner.invoke(
            cli_app,
            ["db", "status", "--json", "--db", str(dbs[org].path)],
            env={"DERISK_USER": user},
        )
        assert counts == json.loads(res2.output)["counts"]
    res = runner.invoke(
        cli_app, ["audit", "--json", "--db", str(dbs["shared"].path)], env={"DERISK_USER": "bev"}
    )
    assert res.exit_code == 0 and "acme" not in res.output and "ops-notes" not in res.output


def test_writes_stay_inside_the_organisation(
    dbs: dict[str, TwoOrgs], tmp_path: Path, built_db: Path
) -> None:
    env = build(tmp_path / "w.duckdb", built_db, ("acme", "beta", "ops"))
    app = create_app(env.path, multi_user=True, writable=True)
    csv = b"source_id,publisher,title\nbob-note,Beta,Bob's note\n"
    with TestClient(app) as c:

        def post(user: str, dataset: str, replace: bool = False) -> Any:
            return c.post(
                f"/api/imports/sources?dataset={dataset}&replace={str(replace).lower()}",
                headers={"Authorization": f"Bearer {env.tokens[user]}", "content-type": "text/csv"},
                content=csv,
            )

        before = c.get("/api/datasets", headers={"Authorization": f"Bearer {env.tokens['root']}"})
        # another organisation's dataset, an unassigned existing one, a public one: refused
        for ds in (DATASET["acme"], DATASET["ops"], "bundled"):
            for replace in (False, True):
                r = post("bob", ds, replace)
                assert r.status_code == 403, (ds, r.text)
                assert r.headers["content-type"] == "application/problem+json"
        assert post("bev", "beta-new").status_code == 403  # a viewer writes nothing
        after = c.get("/api/datasets", headers={"Authorization": f"Bearer {env.tokens['root']}"})
        assert before.json() == after.json()
        # a new dataset becomes private to the writer's organisation
        r = post("bob", "beta-new")
        assert r.status_code == 200, r.text
        ds_bev = c.get("/api/datasets", headers={"Authorization": f"Bearer {env.tokens['bev']}"})
        ds_ann = c.get("/api/datasets", headers={"Authorization": f"Bearer {env.tokens['ann']}"})
        assert "beta-new" in {d["dataset"] for d in ds_bev.json()["datasets"]}
        assert "beta-new" not in {d["dataset"] for d in ds_ann.json()["datasets"]}
        assert post("alice", "beta-new", True).status_code == 403
        src = "/api/sources/bob-note"
        assert (
            c.get(src, headers={"Authorization": f"Bearer {env.tokens['bev']}"}).status_code == 200
        )
        assert (
            c.get(src, headers={"Authorization": f"Bearer {env.tokens['ann']}"}).status_code == 404
        )
        audit = c.get("/api/audit", headers={"Authorization": f"Bearer {env.tokens['ann']}"})
        assert "bob-note" not in audit.text and "beta-new" not in audit.text
        audit = c.get(
            "/api/audit?dataset=beta-new", headers={"Authorization": f"Bearer {env.tokens['bev']}"}
        )
        entries = audit.json()["entries"]
        assert {e["action"] for e in entries} >= {"insert", "dataset-create", "load-dataset"}
        assert all(e["actor"] == "bob@beta" for e in entries)


def test_tokens_roles_and_revocation(tmp_path: Path, built_db: Path) -> None:
    env = build(tmp_path / "t.duckdb", built_db, ("acme",))
    app = create_app(env.path, multi_user=True, writable=True)
    with TestClient(app) as c:
        for headers in (
            {},
            {"Authorization": "Bearer nope"},
            {"Authorization": "Basic x"},
            {"Authorization": "Bearer " + env.tokens["bob"][:-2] + "xx"},
        ):
            for method, url in (
                ("GET", "/api/overview"),
                ("GET", "/openapi.json"),
                ("POST", "/api/imports/sources?dataset=x"),
                ("GET", "/api/audit"),
            ):
                r = c.request(method, url, headers=headers)
                assert r.status_code == 401, (headers, url, r.status_code)
                assert r.headers["www-authenticate"].startswith("Bearer")
        assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        assert c.get("/api/health").status_code == 200  # liveness needs no token
        bob = {"Authorization": f"Bearer {env.tokens['bob']}"}
        assert c.get("/api/overview", headers=bob).status_code == 200
        assert c.get("/api/admin/anything", headers=bob).status_code == 403
        who = c.get("/api/whoami", headers=bob).json()
        assert (who["mode"], who["user"], who["role"]) == ("multi-user", "bob@beta", "analyst")
        token_id = env.tokens["bob"].split("_")[1]
        with DuckStore(env.path) as store:
            trust.revoke_token(store, token_id)
        assert c.get("/api/overview", headers=bob).status_code == 401
        # the cookie from the login page works like the header
        r = c.post(
            "/login",
            content=f"token={env.tokens['bev']}",
            headers={"content-type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and "httponly" in r.headers["set-cookie"].lower()
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        page = c.get("/")
        assert page.status_code == 200 and "bev@beta (viewer)" in page.text
        c.cookies.clear()


def test_only_hashes_of_tokens_are_stored(dbs: dict[str, TwoOrgs]) -> None:
    raw = dbs["shared"].path.read_bytes()
    with DuckStore(dbs["shared"].path, read_only=True) as store:
        dump = json.dumps(store.sql("SELECT * FROM api_token"), default=str)
        dump += json.dumps(store.sql("SELECT * FROM audit_log"), default=str)
    for tok in dbs["shared"].tokens.values():
        secret = tok.split("_", 2)[2]
        assert secret not in dump and secret.encode() not in raw
        assert trust.token_hash(tok) in dump


def test_viewer_cannot_write_from_the_cli(dbs: dict[str, TwoOrgs], tmp_path: Path) -> None:
    db = tmp_path / "beta.duckdb"
    shutil.copyfile(dbs["beta"].path, db)
    f = tmp_path / "s.csv"
    f.write_text("source_id,publisher,title\nx1,P,T\n")
    runner = CliRunner()
    res = runner.invoke(
        cli_app,
        [
            "import",
            "csv",
            "sources",
            str(f),
            "--dataset",
            "bev-x",
            "--db",
            str(db),
            "--json",
        ],
        env={"DERISK_USER": "bev"},
    )
    assert res.exit_code == 3, res.output
    assert json.loads(res.output)["error"]["kind"] == "forbidden"
    viewer = Principal("bev", Role.VIEWER, "beta")
    with acting_as(viewer), DuckStore(db) as store:
        with pytest.raises(Forbidden), store.writer("bev-x") as w:
            w.delete_dataset("bev-x")
        assert store.sql("SELECT count(*) FROM audit_log WHERE dataset = 'bev-x'") == [(0,)]
