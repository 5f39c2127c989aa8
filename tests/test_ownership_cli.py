"""The ownership commands as a user runs them: names, JSON schemas, bulk loading."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli

OWNER_KEYS = {
    "schema", "as_of", "interest", "entity", "known_direct_share", "unaccounted_share",
    "owners", "control", "declared_interests", "rights", "cycles", "sources",
}  # fmt: skip
HOLDER_KEYS = {
    "id", "name", "kind", "country", "direct_percent", "direct_percent_max", "direct_fact_id",
    "look_through", "look_through_bounds", "integrated", "ultimate", "paths", "paths_cover",
}  # fmt: skip
SCREEN_KEYS = {
    "schema", "as_of", "rule", "entity", "verdict", "verdict_at_min", "verdict_at_max",
    "tests", "components", "settle", "caveats", "sources",
}  # fmt: skip


def test_owners_schema_and_name_lookup(cli: Cli) -> None:
    res = cli.json("owners", "Tenke Fungurume", "--as-of", "2026-01-01")
    assert set(res) == OWNER_KEYS and res["schema"] == "derisk.owners/1"
    assert res["entity"]["id"] == "tenke-fungurume-mining"
    for h in res["owners"]:
        assert set(h) == HOLDER_KEYS
    got = {h["id"]: h["look_through"] for h in res["owners"]}
    assert got["cmoc-group"] == 0.8 and got["gecamines"] == 0.2  # own-010, own-011
    assert got["catl"] == round(0.8 * 0.2468, 9)  # own-113 x own-010
    assert res["control"]["ultimate_parent"] == "cmoc-group"
    low = cli.json("owners", "tenke-fungurume-mining", "--min-share", "0.5")
    assert [h["id"] for h in low["owners"]] == ["cmoc-group"]


def test_holdings(cli: Cli) -> None:
    res = cli.json("holdings", "cmoc-group", "--as-of", "2026-01-01")
    assert res["schema"] == "derisk.holdings/1"
    got = {h["id"]: h["look_through"] for h in res["holdings"]}
    assert got["kisanfu"] == round(0.75 * 0.95, 9)  # own-012 x ownx-012-kisanfu


def test_ambiguous_and_unknown_names(cli: Cli) -> None:
    out = cli.json("owners", "Tianqi", code=2)
    assert "matches" in out["error"]["message"] and "tianqi-lithium" in out["error"]["message"]
    out = cli.json("owners", "No Such Company", code=1)
    assert out["error"]["kind"] == "not-found"


def test_screen_text_and_json(cli: Cli) -> None:
    res = cli.json("screen", "tenke-fungurume-mining", "--as-of", "2026-01-01")
    assert set(res) == SCREEN_KEYS and res["rule"]["rule"] == "pfe"
    text = cli.run("screen", "tenke-fungurume-mining", "--as-of", "2026-01-01")
    assert "flagged" in text and "own-010" in text


def test_screen_without_an_entity_says_what_is_missing(cli: Cli) -> None:
    """Neither an entity nor --all is a different mistake from giving both; the message of the
    first used to read 'not both' to a user who had given neither."""
    neither = cli.json("screen", code=2)["error"]
    assert neither["kind"] == "bad-input" and "not both" not in neither["message"]
    assert "name an entity" in neither["message"]
    both = cli.json("screen", "tenke-fungurume-mining", "--all", code=2)["error"]
    assert both["kind"] == "bad-input" and "not both" in both["message"]


def test_bulk_load_cli(tmp_path: Path, fresh_db: Path) -> None:
    f = tmp_path / "stakes.csv"
    f.write_text(
        "fact_id,owner_id,owned_id,interest,percent,source_id\nb1,sasac,sqm,equity,30,own-116\n"
    )
    cli = Cli(fresh_db)
    out = cli.json("import", "stakes-bulk", str(f))
    assert out["rows"] == {"stake": 1}
    scr = cli.json("screen", "sqm", "--rule", "feoc", "--as-of", "2026-03-01")
    assert scr["verdict"] == "flagged"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "fact_id,owner_id,owned_id,interest,percent,source_id\nb2,a,b,equity,x,own-116\n"
    )
    err = cli.json("import", "stakes-bulk", str(bad), code=1)
    assert err["error"]["problems"][0]["row"] == 2
    assert err["error"]["problems"][0]["field"] == "percent"
