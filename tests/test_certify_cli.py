"""The product commands as a user runs them: import the example, trace, certify, reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import Cli


@pytest.fixture(scope="module")
def ex_cli(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    path = tmp_path_factory.mktemp("excli") / "example.duckdb"
    shutil.copyfile(built_db, path)
    cli = Cli(path)
    out = cli.json("import", "example", "products")
    assert out["schema"] == "derisk.import/1" and out["dataset"] == "example-products"
    assert out["rows"]["product"] == 3 and out["rows"]["supply_link"] == 5
    return cli


def test_certify_json_has_the_documented_fields(ex_cli: Cli) -> None:
    out = ex_cli.json(
        "certify", "magnet-jp-cn-oxide", "--rule", "dfars-7052", "--as-of", "2027-01-01"
    )
    for key in ("product", "rule", "rule_version", "as_of", "verdict", "findings", "missing"):
        assert key in out
    assert (out["product"], out["rule"], out["as_of"]) == (
        "magnet-jp-cn-oxide",
        "dfars-7052",
        "2027-01-01",
    )
    assert out["verdict"] == "non-compliant"
    for f in out["findings"]:
        assert {"stage", "country", "entity", "share", "evidence", "sources"} <= set(f)
    human = ex_cli.run(
        "certify", "magnet-jp-cn-oxide", "--rule", "dfars-7052", "--as-of", "2026-12-31"
    )
    assert "COMPLIANT" in human and "NON-COMPLIANT" not in human


def test_trace_and_lists(ex_cli: Cli) -> None:
    out = ex_cli.json("trace", "magnet-us-mp", "--as-of", "2027-01-01")
    assert out["schema"] == "derisk.trace/1"
    assert out["product"]["country"] == "USA"
    human = ex_cli.run("trace", "cathode-nmc811", "--as-of", "2026-06-01")
    assert "Huayue" in human and "Missing" in human
    prods = ex_cli.json("products")
    assert [p["product"] for p in prods["products"]] == [
        "cathode-nmc811", "magnet-jp-cn-oxide", "magnet-us-mp",
    ]  # fmt: skip
    rules = ex_cli.json("rule-packs")
    assert rules["schema"] == "derisk.rules/1"
    ids = {r["rule"] for r in rules["rules"]}
    assert {"dfars-7052", "eu-crma-65", "macr-45x-battery"} <= ids


def test_certify_all_and_user_rules(ex_cli: Cli) -> None:
    from derisk.data.importers.products import example_dir

    user = str(example_dir() / "rules.yaml")
    out = ex_cli.json("certify", "--all", "--rule", "covered-max-10", "--rules-file", user,
                      "--as-of", "2026-06-01")  # fmt: skip
    verdicts = {v["product"]: v["verdict"] for v in out["verdicts"]}
    assert verdicts["magnet-jp-cn-oxide"] == "non-compliant"  # separated in China
    assert verdicts["magnet-us-mp"] == "compliant"
    assert out["counts"]["non-compliant"] >= 1


def test_reports_html_and_pdf(ex_cli: Cli, tmp_path: Path) -> None:
    html, pdf = tmp_path / "c.html", tmp_path / "c.pdf"
    ex_cli.json("certify", "magnet-jp-cn-oxide", "--rule", "dfars-7052", "--as-of", "2027-01-01",
                "--html", str(html), "--pdf", str(pdf))  # fmt: skip
    text = html.read_text()
    assert "non-compliant" in text and "example-cn-separation" in text.replace("&#34;", '"')
    assert "<script" not in text and "http://" not in text.split("<body>")[0]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 2000


def test_errors(ex_cli: Cli, tmp_path: Path) -> None:
    err = ex_cli.json("certify", "nope", "--rule", "dfars-7052", code=1)
    assert err["error"]["kind"] == "not-found"
    err = ex_cli.json("certify", "magnet-us-mp", "--rule", "no-rule", code=1)
    assert "dfars-7052" in err["error"]["message"]
    err = ex_cli.json("certify", "magnet-us-mp", "--rule", "dfars-7052", "--as-of", "2018-01-01",
                      code=2)  # fmt: skip
    assert "no version in force" in err["error"]["message"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: derisk.rule-pack/1\npack: x\nrules: [{id: r, kind: quota}]\n")
    err = ex_cli.json("certify", "magnet-us-mp", "--rule", "r", "--rules-file", str(bad), code=2)
    assert "bad.yaml" in err["error"]["message"] and "'kind'" in err["error"]["message"]


def test_import_products_folder_is_atomic(built_db: Path, tmp_path: Path) -> None:
    from derisk.data.importers.products import example_dir

    db = tmp_path / "db.duckdb"
    shutil.copyfile(built_db, db)
    folder = tmp_path / "set"
    shutil.copytree(example_dir(), folder)
    with (folder / "bom.csv").open("a") as fh:
        fh.write("magnet-us-mp,extra,ex-hypothetical,rare-earths,separation,,-1,kg,,,\n")
    cli = Cli(db)
    err = cli.json("import", "products", str(folder), code=1)
    assert err["error"]["kind"] == "import-refused"
    assert {"file": "bom.csv", "row": 8, "field": "quantity",
            "message": "must not be negative"} in err["error"]["problems"]  # fmt: skip
    assert cli.json("products")["products"] == []
    json.loads(json.dumps(err))
