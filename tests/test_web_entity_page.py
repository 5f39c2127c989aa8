"""The entity page's screening panels render the screening records: the verdicts, list
entries and what would settle an open verdict are the CLI's ``screen --json`` answers."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient

from derisk.api.app import create_app
from derisk.model.ownership import ControlRight, StakeRange
from derisk.model.schema import Stake
from tests.conftest import Cli
from tests.test_screening import small_store


def _panel(page: str, rule: str) -> str:
    start = page.index(f'id="screen-{rule}"')
    return page[start : page.index("</section>", start)]


def _entity_page(db: Path, entity: str, as_of: str | None = None) -> str:
    url = f"/entities/{entity}" + (f"?as_of={as_of}" if as_of else "")
    with TestClient(create_app(db)) as client:
        r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    return str(r.text)


def test_panels_show_the_cli_verdicts_and_list_entries(built_db: Path) -> None:
    page = _entity_page(built_db, "catl")
    for rule in ("feoc", "pfe"):
        res = Cli(built_db).json("screen", "catl", "--rule", rule)
        panel = _panel(page, rule)
        head = re.search(r'<h2>.*?class="verdict verdict-([a-z-]+)"', panel, re.S)
        assert head is not None and head.group(1) == res["verdict"], rule
        tests = res["tests"] + [t for c in res.get("components", {}).values() for t in c["tests"]]
        entries = [e for t in tests for e in t.get("entries", [])]
        if rule == "pfe":
            assert entries, "CATL is on entity lists in the bundled data (the SFE test)"
        for e in entries:
            assert html.escape(e["name_as_listed"]) in panel
            assert f"/sources/{e['source_id']}" in panel
        assert "Record(" not in panel and "{&#39;" not in panel


def test_open_verdict_lists_what_would_settle_it(tmp_path: Path) -> None:
    cli = small_store(
        tmp_path / "s.duckdb",
        [
            Stake("a", "gov", "hold", "equity", 50.0, "s"),
            StakeRange("b", "hold", "t", "equity", 25.0, 75.0, "s"),
        ],
        [ControlRight("r", "hold", "unknown-interest", "s", holder_id="gov")],
    )
    res = cli.json("screen", "t", "--rule", "feoc", "--as-of", "2026-01-01")
    assert res["verdict"] == "indeterminate"
    kinds = {("percent_min" in x) for x in res["settle"]}
    assert kinds == {True, False}, res["settle"]  # a stake range and an interest of no size
    panel = _panel(_entity_page(cli.db, "t", "2026-01-01"), "feoc")
    items = re.findall(r"<li>(.*?)</li>", panel.split("What would settle it", 1)[1], re.S)
    assert len(items) == len(res["settle"])
    for x, item in zip(res["settle"], items, strict=True):
        assert item.strip().startswith(x["what"] + ":")
        assert f"/sources/{x['fact_id']}" in item
        if "percent_min" in x:
            assert f"{x['percent_min']:.0f}–{x['percent_max']:.0f}%" in item
            assert f'href="/entities/{x["owner"]}"' in item
        else:
            assert x["right"] in item and f'href="/entities/{x["holder"]}"' in item
        assert "Settle" not in item and "{" not in item  # no record or dict repr
