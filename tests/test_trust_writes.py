"""The write path as non-admins on a shared multi-user server: analysts change their own
datasets (twice, on the current DuckDB), review news, and never change shared data outside
review, another organisation's rows, or a dataset name they do not own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from derisk.api import create_app
from derisk.cli import app as cli_app
from derisk.services import news
from derisk.store import DuckStore
from tests.trust_fixtures import DATASET, TwoOrgs, build

PAGES = Path(__file__).resolve().parent / "data" / "news" / "pages"


@pytest.fixture()
def env(tmp_path: Path, built_db: Path) -> TwoOrgs:
    env = build(tmp_path / "w.duckdb", built_db, ("acme", "beta"))
    with DuckStore(env.path) as store:  # the operator ingests two articles for review
        news.ingest(store, [PAGES / "catl-kfm-stake.html", PAGES / "apple-mp-magnets.html"])
    return env


def _h(env: TwoOrgs, user: str, ctype: str = "text/csv") -> dict[str, str]:
    return {"Authorization": f"Bearer {env.tokens[user]}", "content-type": ctype}


def _post_csv(c: TestClient, env: TwoOrgs, user: str, url: str, body: str) -> Any:
    return c.post(url, headers=_h(env, user), content=body.encode())


def test_duckdb_version_is_in_the_tested_range() -> None:
    major, minor = (int(x) for x in duckdb.__version__.split(".")[:2])
    assert (1, 1) <= (major, minor) < (2, 1), duckdb.__version__


def test_store_never_leaves_a_result_unfinished() -> None:
    """The class of the analysts' 500 (DuckDB's "unfinished result" when a later statement or
    Arrow registration follows a partly read result): reads in the store layer and the
    services that touch connections always read results to the end."""
    src = Path(__file__).resolve().parents[1] / "src" / "derisk"
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if ".fetchone()" in p.read_text(encoding="utf-8")
    ]
    assert offenders == [], offenders


def test_analyst_writes_an_existing_dataset_and_reviews(env: TwoOrgs, tmp_path: Path) -> None:
    app = create_app(env.path, multi_user=True, writable=True)
    with TestClient(app) as c:
        for i in range(2):  # a second import into the analyst's own existing dataset
            r = _post_csv(
                c,
                env,
                "bob",
                f"/api/imports/sources?dataset={DATASET['beta']}",
                f"source_id,publisher,title\nbob-extra-{i},Beta,Note {i}\n",
            )
            assert r.status_code == 200, r.text
        r = _post_csv(
            c,
            env,
            "bob",
            f"/api/imports/sources?dataset={DATASET['beta']}&replace=true",
            "source_id,publisher,title\nbeta-intel-2026,Beta GmbH,Beta supplier audit\n",
        )
        assert r.status_code == 200, r.text  # an analyst replaces its own dataset
        queue = c.get("/api/review", headers=_h(env, "bob", "application/json")).json()
        pending = [p["proposal_id"] for p in queue["proposals"] if p["status"] == "pending"]
        assert len(pending) >= 2
        r = c.post(f"/api/review/{pending[0]}/reject", headers=_h(env, "bob", "application/json"))
        assert r.status_code == 200, r.text
        r = c.post(f"/api/review/{pending[1]}/accept", headers=_h(env, "bob", "application/json"))
        assert r.status_code in (200, 400), r.text  # 400: a field needs setting, never 500
        shown = c.get(f"/api/review/{pending[0]}", headers=_h(env, "bev", "a/b")).json()
        assert [d["decided_by"] for d in shown["proposal"]["decisions"]] == ["bob@beta"]
    f = tmp_path / "s.csv"
    f.write_text("source_id,publisher,title\nbob-cli-1,Beta,CLI note\n")
    res = CliRunner().invoke(
        cli_app,
        ["import", "csv", "sources", str(f), "--dataset", DATASET["beta"], "--db", str(env.path)],
        env={"DERISK_USER": "bob"},
    )
    assert res.exit_code == 0, res.output


def test_shared_news_changes_only_by_review(env: TwoOrgs) -> None:
    app = create_app(env.path, multi_user=True, writable=True)
    stake = (
        "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
        "plant,shenghe-resources,mp-materials,equity,60,usgs-mcs-2025,2025-06-01\n"
    )
    with TestClient(app) as c:
        root = {"Authorization": f"Bearer {env.tokens['root']}"}
        before = c.get("/api/datasets", headers=root).json()
        for replace in ("false", "true"):
            for kind, body in (
                ("sources", "source_id,publisher,title\nz1,P,T\n"),
                ("stakes", stake),
            ):
                for ds in ("news", "bundled"):
                    r = _post_csv(
                        c, env, "alice", f"/api/imports/{kind}?dataset={ds}&replace={replace}", body
                    )
                    assert r.status_code == 403, (kind, ds, replace, r.text)
                    assert "shared dataset" in r.json()["detail"]
        assert c.get("/api/datasets", headers=root).json() == before
        owners = c.get("/api/owners/mp-materials", headers=_h(env, "bev", "a/b"))
        assert owners.status_code == 200
        # no first-write claim: the news dataset stays public
        by_ds = {d["dataset"]: d for d in c.get("/api/datasets", headers=root).json()["datasets"]}
        assert by_ds["news"]["access"] == "public"


def test_names_are_namespaced_and_refusals_reveal_nothing(env: TwoOrgs) -> None:
    app = create_app(env.path, multi_user=True, writable=True)
    body = "source_id,publisher,title\nq1,P,T\n"
    with TestClient(app) as c:
        # an existing foreign dataset and a name nobody uses answer the same
        answers = []
        for ds in (DATASET["acme"], "acme-nothing-here", "fresh-name", "ops-notes"):
            r = _post_csv(c, env, "bob", f"/api/imports/sources?dataset={ds}", body)
            detail = r.json()["detail"].replace(ds, "X")
            answers.append((r.status_code, detail))
        assert len(set(answers)) == 1 and answers[0][0] == 403, answers
        # a name in the analyst's own namespace is created private to its organisation
        r = _post_csv(c, env, "bob", "/api/imports/sources?dataset=beta-notes", body)
        assert r.status_code == 200, r.text
        seen = c.get("/api/datasets", headers=_h(env, "ann", "a/b")).json()["datasets"]
        assert "beta-notes" not in {d["dataset"] for d in seen}
        # and the squatter's case: acme's analyst cannot take an unassigned beta-* name
        r = _post_csv(c, env, "alice", "/api/imports/sources?dataset=beta-later", body)
        assert r.status_code == 403


def test_ids_of_another_organisation_cannot_be_shadowed(env: TwoOrgs) -> None:
    app = create_app(env.path, multi_user=True, writable=True)
    with TestClient(app) as c:
        bev = _h(env, "bev", "a/b")
        before_src = c.get("/api/sources/beta-intel-2026", headers=bev).json()
        answers = []
        for sid in ("beta-intel-2026", "acme-contract-2026"):  # invisible to alice / her own
            r = _post_csv(
                c,
                env,
                "alice",
                f"/api/imports/sources?dataset={DATASET['acme']}",
                f"source_id,publisher,title,url\n{sid},Spoof,SPOOFED,https://evil.example\n",
            )
            answers.append((r.status_code, json.dumps(r.json()["errors"]).replace(sid, "X")))
        assert answers[0] == answers[1] and answers[0][0] == 422, answers
        r = _post_csv(
            c,
            env,
            "alice",
            f"/api/imports/entities?dataset={DATASET['acme']}",
            "entity_id,kind,name,source_id,country\n"
            "mp-materials,company,SPOOFED,acme-contract-2026,PRK\n",
        )
        assert r.status_code == 422, r.text
        assert c.get("/api/sources/beta-intel-2026", headers=bev).json() == before_src
        ent = c.get("/api/owners/mp-materials", headers=bev).text
        assert "SPOOFED" not in ent and "PRK" not in ent
