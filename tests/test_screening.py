"""FEOC / SFE / FIE / PFE screening on the bundled stakes and on small hand-made stores.

Expected figures are products of the sourced stakes (see the fact ids in each test), not
values read back from the code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from derisk.data.loader import load_rows
from derisk.model.ownership import ControlRight, EntityTag, StakeRange
from derisk.model.schema import Entity, Source, Stake
from derisk.rules.ownership import rule_version
from derisk.services import screening as scr
from derisk.store import DuckStore
from tests.conftest import Cli


def named_test(res: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in res["tests"] if t["test"] == name)


def test_talison_is_fie_through_tlea(cli: Cli) -> None:
    res = cli.json("screen", "talison-lithium", "--rule", "fie", "--as-of", "2026-09-01")
    assert res["schema"] == "derisk.screen/1"
    assert res["rule"]["version"] == "obbba-2025"
    assert res["verdict"] == "flagged"
    single = named_test(res, "single")
    assert single["holder"] == "tianqi-lithium-energy-australia"  # an SFE: 51% Tianqi
    assert single["value"] == pytest.approx(0.51)  # ownx-103
    assert single["threshold"] == 0.25 and single["comparison"] == ">="
    path = single["paths"][0]
    assert [s["fact_id"] for s in path["stakes"]] == ["ownx-103"]
    assert {s["source_id"] for s in res["sources"]} >= {"ownx-103"}
    assert any("confidence L" in c for c in res["caveats"])  # the 51% is derived


def test_talison_owners_look_through(cli: Cli) -> None:
    res = cli.json("owners", "Talison Lithium", "--as-of", "2026-09-01")
    got = {h["id"]: h for h in res["owners"]}
    assert got["tianqi-lithium"]["look_through"] == pytest.approx(0.51 * 0.51)  # own-101 x ownx-103
    assert got["igo"]["look_through"] == pytest.approx(0.49 * 0.51)  # own-102 x ownx-103
    assert got["albemarle"]["look_through"] == pytest.approx(0.49)  # own-015
    chain = got["tianqi-lithium"]["paths"][0]
    assert chain["entities"] == ["tianqi-lithium", "tianqi-lithium-energy-australia",
                                 "talison-lithium"]  # fmt: skip
    before = cli.json("owners", "talison-lithium", "--as-of", "2020-07-01")
    assert {h["id"]: h["direct_percent"] for h in before["owners"]} == {
        "tianqi-lithium": 51.0, "albemarle": 49.0,
    }  # fmt: skip


def test_sqm_is_clear_below_25_percent(cli: Cli) -> None:
    res = cli.json("screen", "sqm", "--rule", "fie", "--as-of", "2026-03-01")
    assert res["verdict"] == "clear"
    single = named_test(res, "single")
    assert single["value"] == pytest.approx(0.219)  # own-006: Tianqi 21.90%
    assert single["result"] == "clear"
    assert any("78.1%" in c for c in res["caveats"])  # unrecorded holders are said


def test_cmoc_mines_are_sfe_and_fie(cli: Cli) -> None:
    res = cli.json("screen", "kisanfu", "--rule", "pfe", "--as-of", "2026-01-01")
    assert res["verdict"] == "flagged"
    fie = res["components"]["fie"]
    agg = next(t for t in fie["tests"] if t["test"] == "aggregate-equity")
    assert agg["value"] == pytest.approx(0.95)  # KFM 95% (own-012) and KFM is itself an SFE
    single = next(t for t in fie["tests"] if t["test"] == "single")
    assert single["holder"] == "kfm-holding"
    sfe = res["components"]["sfe"]
    fc = next(t for t in sfe["tests"] if t["test"] == "foreign-controlled-equity")
    assert fc["value"] == pytest.approx(0.95 * (0.75 + 0.25))  # CMOC 75% + Brunp 25% of KFM


def test_feoc_government_share(cli: Cli) -> None:
    res = cli.json("screen", "china-rare-earth-group", "--rule", "feoc", "--as-of", "2025-01-01")
    gov = named_test(res, "government-equity")
    assert gov["value"] == pytest.approx(0.3121)  # own-116: SASAC 31.21%
    assert gov["result"] == "flagged"
    zijin = cli.json("screen", "zijin-mining", "--rule", "feoc", "--as-of", "2025-01-01")
    assert named_test(zijin, "government-equity")["value"] == pytest.approx(0.24)  # own-114, county
    assert named_test(zijin, "government-equity")["result"] == "clear"  # 24% < 25% ...
    assert named_test(zijin, "jurisdiction")["result"] == "flagged"  # ... but incorporated in China


def test_lists_make_sfe(cli: Cli) -> None:
    res = cli.json("screen", "catl", "--rule", "sfe", "--as-of", "2026-07-01")
    listed = named_test(res, "listed")
    lists = {e["list"] for e in listed["entries"]}
    assert lists == {"dod-1260h", "ndaa-154"}
    assert {e["edition"] for e in listed["entries"] if e["list"] == "dod-1260h"} == {"2026-06-08"}
    zijin = cli.json("screen", "zijin-mining", "--rule", "sfe", "--as-of", "2026-01-01")
    assert {e["list"] for e in named_test(zijin, "listed")["entries"]} == {"uflpa"}
    earlier = cli.json("screen", "catl", "--rule", "sfe", "--as-of", "2025-08-01")
    eds = {
        e["edition"] for e in named_test(earlier, "listed")["entries"] if e["list"] == "dod-1260h"
    }
    assert eds == {"2025-01-07"}  # the edition in force then


def test_rule_not_in_force(cli: Cli) -> None:
    out = cli.json("screen", "sqm", "--rule", "sfe", "--as-of", "2024-01-01", code=2)
    assert "no version of rule 'sfe' is in force on 2024-01-01" in out["error"]["message"]
    assert rule_version("feoc", dt.date(2024, 6, 1)).version == "doe-2024"


def test_screen_all(cli: Cli) -> None:
    res = cli.json("screen", "--all", "--rule", "pfe", "--as-of", "2026-09-01")
    v = {r["id"]: r["verdict"] for r in res["entities"]}
    assert v["talison-lithium"] == v["tenke-fungurume-mining"] == v["catl"] == "flagged"
    assert v["sqm"] == v["mp-materials"] == v["tmc-the-metals-company"] == "clear"
    assert sum(res["counts"].values()) == len(res["entities"])


# -- small stores: ranges, debt, rights, unknown interests -------------------------------------


def small_store(path: Path, stakes: list[Any], extra: list[Any] | None = None) -> Cli:
    ents = [
        Entity("gov", "government", "Covered Government Agency", "s", country="CHN"),
        Entity("soe", "company", "State Holding", "s", country="AUS"),
        Entity("hold", "company", "Holding Co", "s", country="AUS"),
        Entity("t", "company", "Target Co", "s", country="USA"),
        Entity("bank", "company", "Lender", "s", country="GBR"),
        Entity("sfe1", "company", "Listed Maker", "s", country="CHN"),
    ]
    with DuckStore(path) as store:
        from derisk.data.loader import build_database

        build_database(store)
        load_rows(
            store,
            {"x": [Source("s", "test", "hand-made"), *ents, *stakes, *(extra or [])]},
            dataset="x",
            origin="test",
        )
    return Cli(path)


def test_range_straddling_threshold_is_indeterminate(tmp_path: Path) -> None:
    cli = small_store(
        tmp_path / "r.duckdb",
        [
            Stake("a", "gov", "hold", "equity", 50.0, "s"),
            StakeRange("b", "hold", "t", "equity", 25.0, 75.0, "s"),
        ],
    )
    res = cli.json("screen", "t", "--rule", "feoc", "--as-of", "2026-01-01")
    gov = named_test(res, "government-equity")
    assert gov["bounds"] == [pytest.approx(0.125), pytest.approx(0.375)]
    assert res["verdict"] == "indeterminate"
    assert (res["verdict_at_min"], res["verdict_at_max"]) == ("clear", "flagged")
    [settle] = res["settle"]
    assert settle["fact_id"] == "b" and settle["percent_min"] == 25.0


def test_state_owned_tag_and_no_double_count(tmp_path: Path) -> None:
    cli = small_store(
        tmp_path / "s.duckdb",
        [
            Stake("a", "gov", "soe", "equity", 100.0, "s"),
            Stake("b", "soe", "t", "equity", 20.0, "s"),
            Stake("c", "gov", "t", "equity", 6.0, "s"),
        ],
        [EntityTag("soe", "state-owned", "s", country="CHN")],
    )
    res = cli.json("screen", "t", "--rule", "feoc", "--as-of", "2026-01-01")
    gov = named_test(res, "government-equity")
    assert gov["value"] == pytest.approx(0.26)  # 20% + 6%: soe's own 100% owner not re-counted
    assert res["verdict"] == "flagged"


def test_debt_and_officer_rights(tmp_path: Path) -> None:
    cli = small_store(
        tmp_path / "d.duckdb",
        [
            Stake("a", "sfe1", "bank", "equity", 60.0, "s"),
            Stake("b", "bank", "t", "debt", 30.0, "s"),
        ],
    )
    res = cli.json("screen", "t", "--rule", "fie", "--as-of", "2026-01-01")
    debt = named_test(res, "debt")
    assert debt["value"] == pytest.approx(0.30)  # the lender is itself an SFE (60% Chinese)
    assert res["verdict"] == "flagged"
    cli2 = small_store(
        tmp_path / "o.duckdb",
        [],
        [ControlRight("r", "t", "appoint-covered-officer", "s", holder_id="sfe1")],
    )
    res2 = cli2.json("screen", "t", "--rule", "fie", "--as-of", "2026-01-01")
    assert named_test(res2, "control-rights")["result"] == "flagged"


def test_unknown_interest_of_a_member_is_indeterminate(tmp_path: Path) -> None:
    cli = small_store(
        tmp_path / "u.duckdb",
        [Stake("a", "hold", "t", "equity", 60.0, "s")],
        [ControlRight("r", "hold", "unknown-interest", "s", holder_id="gov")],
    )
    res = cli.json("screen", "t", "--rule", "feoc", "--as-of", "2026-01-01")
    assert res["verdict"] == "indeterminate"
    assert any(s.get("fact_id") == "r" for s in res["settle"])


def test_context_once_for_all(store: DuckStore) -> None:
    ctx = scr.context(store.view(as_of=dt.date(2026, 9, 1)))
    assert ctx.covered == {"CHN", "RUS", "PRK", "IRN"}
    out = scr.feoc(ctx)
    assert out.verdicts().shape == (ctx.n,)
