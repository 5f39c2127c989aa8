"""The audit log records who changed what, when, with before and after; the server's
headers, CORS, body limits and local-mode label; names that look like SQL stay data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from derisk.api import create_app
from derisk.cli import app as cli_app
from derisk.data.csvio import ImportFailed
from derisk.data.loader import import_csv
from derisk.model.trust import Principal, Role
from derisk.services import news, trust
from derisk.store import DuckStore
from derisk.store.guard import acting_as

PAGES = Path(__file__).resolve().parent / "data" / "news" / "pages"
STAKES = (
    "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
    "a1,us-dod,mp-materials,equity,{pct},own-003,2025-06-01\n"
)


def _audit(store: DuckStore, **kw: Any) -> list[dict[str, Any]]:
    """The entries as the CLI's ``--json`` prints them."""
    return cast(list[dict[str, Any]], trust.audit(store, limit=1000, **kw).to_json()["entries"])


def test_import_and_replace_record_before_and_after(fresh_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "stakes.csv"
    alice = Principal("alice", Role.ANALYST, "acme", via="api")
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "acme")
        f.write_text(STAKES.format(pct=10))
        with acting_as(alice, "api: POST /api/imports/stakes"):
            import_csv(store, "stakes", f, dataset="acme-own")
        f.write_text(STAKES.format(pct=12.5))
        with acting_as(alice, "api: POST /api/imports/stakes"):
            import_csv(store, "stakes", f, dataset="acme-own", replace=True)
        entries = _audit(store, dataset="acme-own")
    by_action: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_action.setdefault(e["action"], []).append(e)
    assert {e["actor"] for e in entries} == {"alice@acme"}
    assert {e["origin"] for e in entries} == {"api: POST /api/imports/stakes"}
    inserts = sorted(by_action["insert"], key=lambda e: e["audit_id"])
    assert [e["after"][0]["percent"] for e in inserts] == [10.0, 12.5]
    assert inserts[0]["keys"] == [["us-dod", "mp-materials", "equity", "2025-06-01", "own-003"]]
    assert inserts[0]["source_ids"] == ["own-003"] and inserts[0]["before"] is None
    (deleted,) = by_action["delete-dataset"]
    assert deleted["before"]["rows"] == {"stake": 1}
    assert deleted["before"]["contents"]["stake"][0]["percent"] == 10.0
    # the replacement's delete and insert are one transaction
    assert deleted["txn"] == inserts[1]["txn"]
    loads = sorted(by_action["load-dataset"], key=lambda e: e["audit_id"])
    assert loads[0]["before"] is None and deleted["before"]["load"]["rows"] == 1
    assert by_action["dataset-create"][0]["after"] == {
        "dataset": "acme-own",
        "access": "private",
        "org_id": "acme",
    }
    # entries are ordered by time, newest first
    stamps = [e["at"] for e in entries]
    assert stamps == sorted(stamps, reverse=True)


def test_a_refused_import_leaves_no_audit_entry(fresh_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "stakes.csv"
    f.write_text(STAKES.format(pct=150))
    with DuckStore(fresh_db) as store:
        n = store.sql("SELECT count(*) FROM audit_log")[0][0]
        with pytest.raises(ImportFailed):
            import_csv(store, "stakes", f, dataset="x")
        assert store.sql("SELECT count(*) FROM audit_log")[0][0] == n


def test_accepted_news_proposal_is_audited(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        res = news.ingest(store, [PAGES / "kz-tmc-stake.html"])
        pid = res["events"][0]["proposal_id"]
        dec = news.accept(store, pid)
        entries = _audit(store, dataset="news")
    txn = {e["txn"] for e in entries if e["table_name"] == "news_decision"}
    assert len(txn) == 1
    accepted = [e for e in entries if e["txn"] in txn]
    tables = {e["table_name"] for e in accepted}
    assert {"source", "news_decision"} <= tables
    facts = {f["table"] for f in dec["facts"]}
    assert facts <= tables
    decision = next(e for e in accepted if e["table_name"] == "news_decision")
    assert decision["after"][0]["decision"] == "accepted"
    assert decision["after"][0]["proposal_id"] == pid


def test_trust_changes_are_audited_without_secrets(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "acme")
        trust.add_user(store, "alice", "analyst", "acme")
        tok = trust.create_token(store, "alice", days=30)
        trust.revoke_token(store, tok["token_id"])
        trust.set_access(store, "acme-x", "private", "acme")
        trust.set_access(store, "acme-x", "public")
        entries = _audit(store)
    actions = [e["action"] for e in reversed(entries) if e["action"] not in ("insert",)]
    assert actions[-6:] == [
        "org-add",
        "user-add",
        "token-create",
        "token-revoke",
        "dataset-access",
        "dataset-access",
    ]
    text = json.dumps(entries)
    assert tok["token"] not in text and trust.token_hash(tok["token"]) not in text
    last = entries[0]
    assert last["before"]["access"] == "private" and last["after"]["access"] == "public"


def test_audit_cli_filters_and_json(fresh_db: Path) -> None:
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "acme")
    runner = CliRunner()
    res = runner.invoke(cli_app, ["audit", "--json", "--table", "organisation", "--db",
                                  str(fresh_db)])  # fmt: skip
    out = json.loads(res.output)
    assert out["schema"] == "derisk.audit/1" and out["total"] == 1
    assert out["entries"][0]["actor"].startswith("local:")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    res = runner.invoke(cli_app, ["audit", "--json", "--since", tomorrow, "--db", str(fresh_db)])
    assert json.loads(res.output)["total"] == 0
    res = runner.invoke(cli_app, ["audit", "--since", "yesterday", "--db", str(fresh_db)])
    assert res.exit_code == 2 and "not a date" in res.output


def test_local_mode_is_labelled_and_headers_are_set(built_db: Path) -> None:
    with TestClient(create_app(built_db)) as c:
        who = c.get("/api/whoami").json()
        assert who["mode"] == "local" and who["local"] and who["role"] == "admin"
        page = c.get("/")
        assert "local single-user mode" in page.text
        for r in (page, c.get("/api/overview"), c.get("/api/nope")):
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["x-frame-options"] == "DENY"
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
            assert r.headers["referrer-policy"] == "same-origin"
        # CORS closed: no allow-origin for another site, preflight not granted
        r = c.get("/api/overview", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        r = c.options(
            "/api/overview",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert r.status_code >= 400 and "access-control-allow-origin" not in r.headers


def test_cors_only_for_configured_origins(built_db: Path) -> None:
    app = create_app(built_db, cors_origins=("https://dash.example",))
    with TestClient(app) as c:
        ok = c.get("/api/materials", headers={"Origin": "https://dash.example"})
        assert ok.headers["access-control-allow-origin"] == "https://dash.example"
        other = c.get("/api/materials", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_body_limit(fresh_db: Path) -> None:
    app = create_app(fresh_db, writable=True, max_body=1000)
    with TestClient(app) as c:
        big = b"source_id,publisher,title\n" + b"x,y,z\n" * 400
        r = c.post("/api/imports/sources?dataset=big", content=big)
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

        def chunks() -> Any:  # no Content-Length: counted while read
            for _ in range(400):
                yield b"x,y,z\n"

        r = c.post("/api/imports/sources?dataset=big", content=chunks())
        assert r.status_code == 413
        small = b"source_id,publisher,title\nsmall-1,P,T\n"
        assert c.post("/api/imports/sources?dataset=small", content=small).status_code == 200
        datasets = {d["dataset"] for d in c.get("/api/datasets").json()["datasets"]}
        assert "small" in datasets and "big" not in datasets


def test_names_that_look_like_sql_are_data(fresh_db: Path, tmp_path: Path) -> None:
    evil = "x'); DROP TABLE stake; --"
    f = tmp_path / "s.csv"
    f.write_text('source_id,publisher,title\nevil-1,"P\'; DELETE FROM source; --",T\n')
    runner = CliRunner()
    res = runner.invoke(cli_app, ["import", "csv", "sources", str(f), "--dataset", evil, "--db",
                                  str(fresh_db)])  # fmt: skip
    assert res.exit_code == 0, res.output
    with DuckStore(fresh_db) as store:
        trust.add_org(store, "acme")
        trust.set_access(store, evil, "private", "acme")
        assert store.sql("SELECT count(*) FROM stake")[0][0] > 0
        assert store.sql("SELECT count(*) FROM source WHERE dataset = ?", [evil]) == [(1,)]
        entries = _audit(store, dataset=evil)
    assert {e["action"] for e in entries} >= {"insert", "dataset-access"}
    with acting_as(Principal("ann", Role.VIEWER, "acme")), DuckStore(fresh_db) as store:
        assert store.sql("SELECT count(*) FROM source WHERE dataset = ?", [evil]) == [(1,)]
    with acting_as(Principal("bob", Role.VIEWER, "beta")), DuckStore(fresh_db) as store:
        assert store.sql("SELECT count(*) FROM source WHERE dataset = ?", [evil]) == [(0,)]
