"""Results cross the layers as records, and only ``to_json()`` turns them into JSON.

A record handed to a front end's JSON encoder as it is (without ``to_json()``) used to print
its Python repr as a string, silently; now the encoder refuses it and the command or request
answers as the bug it is (internal error), on the CLI and over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from derisk import errors
from derisk.api.app import create_app
from derisk.api.state import encode_json
from derisk.cli.common import emit_json
from derisk.model.record import json_default
from derisk.services import ownership as own
from derisk.services import shock as sh
from derisk.services.common import source_meta
from derisk.services.results import Overview, SourceMeta
from derisk.services.trace import trace
from derisk.store import DuckStore
from derisk.web.entities import ownership_graph
from derisk.web.products import trace_tree
from derisk.web.scenarios import shock_chart
from tests.conftest import Cli


def test_encoders_refuse_a_record_and_keep_plain_data(capsys: pytest.CaptureFixture[str]) -> None:
    rec = SourceMeta(source_id="s1", url=None)
    with pytest.raises(TypeError, match=r"SourceMeta record .* without \.to_json\(\)"):
        encode_json({"source": rec})
    with pytest.raises(TypeError, match="SourceMeta record"):
        emit_json([rec])
    # the record's JSON passes; dates still print as text
    assert json.loads(encode_json({"source": rec.to_json(), "on": dt.date(2026, 1, 2)})) == {
        "source": {"source_id": "s1", "url": None},
        "on": "2026-01-02",
    }
    emit_json(rec.to_json())
    assert json.loads(capsys.readouterr().out) == {"source_id": "s1", "url": None}
    assert json_default(Path("a/b")) == str(Path("a/b"))


def test_a_record_reaching_the_encoder_is_an_internal_error(
    built_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A front end that forgets to_json(): the record itself reaches the encoder.
    def unconverted(self: Overview) -> Any:
        return self

    monkeypatch.setattr(Overview, "to_json", unconverted)
    out = Cli(built_db).json("overview", code=errors.INTERNAL_EXIT_CODE)
    assert out["error"]["kind"] == "internal-error"
    assert "Overview record" in out["error"]["message"]
    with TestClient(create_app(built_db), raise_server_exceptions=False) as client:
        r = client.get("/api/overview")
    assert r.status_code == 500
    assert r.json()["type"].rsplit(":", 1)[-1] == "internal-error"
    assert "OverviewRow(" not in r.text


def test_source_meta_is_typed_records(store: DuckStore) -> None:
    with store.view() as view:
        meta = source_meta(view)
    assert meta and all(isinstance(m, SourceMeta) for m in meta.values())
    one = meta["usgs-mcs2026-antimony"]
    # every key is present (null when unknown), in the order results print them
    assert list(one.to_json()) == [
        "source_id",
        "publisher",
        "title",
        "url",
        "published",
        "confidence",
        "precedence",
        "via",
        "note",
    ]
    assert one.source_id == "usgs-mcs2026-antimony" and isinstance(one.precedence, int)


def test_ownership_graph_reads_the_owner_and_holding_records(store: DuckStore) -> None:
    with store.view() as view:
        owners = own.owners(view, "talison-lithium")
        holdings = own.holdings(view, "talison-lithium")
    graph = ownership_graph(owners, holdings)
    levels = {n.id: n.level for n in graph.nodes}
    assert graph.nodes[0].id == "talison-lithium" and graph.nodes[0].focus is True
    assert levels["talison-lithium"] == 0
    # every direct owner sits one level above; every stake joins two nodes of the graph
    direct = [h.id for h in owners.owners if h.direct_percent is not None]
    assert direct and all(levels[d] == -1 for d in direct)
    assert all(e.source in levels and e.target in levels for e in graph.edges)
    by_pair = {(e.source, e.target): e.percent for e in graph.edges}
    for h in owners.owners:
        if h.direct_percent is not None:
            assert by_pair[(h.id, "talison-lithium")] == h.direct_percent
    # the page's script receives the graph as JSON, focus only on the entity itself
    data = graph.to_json()
    assert [n for n in data["nodes"] if "focus" in n] == [data["nodes"][0]]


def test_trace_tree_reads_the_trace_record(fresh_db: Path) -> None:
    Cli(fresh_db).json("import", "example", "products")
    with DuckStore(fresh_db, read_only=True) as s, s.view(as_of=dt.date(2026, 6, 30)) as view:
        traced = trace(view, "magnet-jp-cn-oxide")
    tree = trace_tree(traced, top=2)
    assert (tree.name, tree.kind) == (traced.product.name, "product")
    assert isinstance(tree.children, tuple)
    assert [m.name for m in tree.children] == [m.material_name for m in traced.materials]
    # down each material's chain: at most `top` origins per stage, shares in (0, 1]
    stage = tree.children[0].children[0]  # type: ignore[index]
    assert stage.kind == "stage"
    while True:
        assert isinstance(stage.children, tuple)
        origins = [c for c in stage.children if c.kind == "origin"]
        assert len(origins) <= 2
        assert all(0 < c.share <= 1 + 1e-9 for c in origins)  # type: ignore[operator]
        up = [c for c in stage.children if c.kind == "stage"]
        if not up:
            break
        stage = up[0]


def test_shock_chart_series_balance_each_month(store: DuckStore) -> None:
    with store.view() as view:
        res = sh.run_scenario(view, sh.bundled_scenario("antimony-us-ban"))
    chart = shock_chart(res, {})
    assert len(chart.months) == res.scenario.months and chart.months[0] == res.scenario.start
    assert [n.key for n in chart.nodes] == [f"{x.stage}|{x.country}" for x in res.summary]
    for n in chart.nodes:
        for t in range(len(chart.months)):
            total = n.deliveries[t] + n.substitution[t] + n.stock_draw[t] + n.shortfall[t]
            assert total == pytest.approx(n.demand[t], abs=1e-2)
    short = {x.stage + "|" + x.country for x in res.summary if x.shortfall > 0 or x.withheld > 0}
    assert set(chart.affected) == short
    assert chart.focus == (chart.affected[0] if chart.affected else chart.nodes[0].key)
