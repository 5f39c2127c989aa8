"""Certification in a real database: the rule boundaries, the evidence, and the batch engine
against one-by-one certification."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derisk.data.importers.products import load_example_products
from derisk.model.products import BomLine, DirectCost, Product, SupplyLink
from derisk.model.schema import Entity
from derisk.services.certify import CERTIFICATE_SCHEMA, certify, certify_many
from derisk.store import DuckStore
from tests.certify_fixtures import bom, company, cost, fac, link, load, product

FactRow = Entity | SupplyLink | Product | BomLine | DirectCost

FINDING_KEYS = {"stage", "country", "entity", "share", "evidence", "sources"}
CERT_KEYS = {"product", "rule", "rule_version", "as_of", "verdict", "findings", "missing"}


@pytest.fixture(scope="module")
def example_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ex") / "example.duckdb"
    shutil.copyfile(built_db, path)
    with DuckStore(path) as s:
        load_example_products(s)
    return path


@pytest.fixture()
def ex(example_db: Path) -> Iterator[DuckStore]:
    s = DuckStore(example_db, read_only=True)
    yield s
    s.close()


def test_dfars_magnet_from_chinese_oxide_passes_before_and_fails_from_2027(ex: DuckStore) -> None:
    before = certify(
        ex.view(as_of=dt.date(2026, 12, 31)), "magnet-jp-cn-oxide", "dfars-7052"
    ).to_json()
    after = certify(
        ex.view(as_of=dt.date(2027, 1, 1)), "magnet-jp-cn-oxide", "dfars-7052"
    ).to_json()
    assert (before["verdict"], before["rule_version"]) == ("compliant", "2019-04-30")
    assert (after["verdict"], after["rule_version"]) == ("non-compliant", "2027-01-01")
    assert [s["stage"] for s in before["stages"]] == ["metal", "magnets"]
    sep = next(s for s in after["stages"] if s["stage"] == "separation")
    assert sep["status"] == "fail" and sep["share_bounds"] == [1.0, 1.0]
    culprit = next(f for f in after["findings"] if f["stage"] == "separation")
    assert (culprit["country"], culprit["entity"], culprit["in_rule_countries"]) == (
        "CHN", "example-cn-separation", True,
    )  # fmt: skip
    assert culprit["evidence"][0]["path"] == ["shin-etsu-takefu", "example-cn-separation"]
    assert culprit["evidence"][0]["links"] == ["ex-link-cnsep-takefu"]
    assert [s["source_id"] for s in culprit["sources"]] == ["ex-hypothetical"]
    assert "ex-hypothetical" in after["low_confidence"]


def test_dfars_us_magnet_is_compliant_in_2027(ex: DuckStore) -> None:
    res = certify(ex.view(as_of=dt.date(2027, 6, 30)), "magnet-us-mp", "dfars-7052").to_json()
    assert res["verdict"] == "compliant"
    assert res["missing"] == []
    # Rare earths have no separate refining stage in the catalogue: four stages count.
    assert [s["rule_stage"] for s in res["stages"]] == [
        "mining",
        "separation",
        "melting",
        "production",
    ]


def test_certificate_json_schema(ex: DuckStore) -> None:
    res = certify(ex.view(as_of=dt.date(2027, 1, 1)), "magnet-jp-cn-oxide", "dfars-7052").to_json()
    assert res["schema"] == CERTIFICATE_SCHEMA
    assert set(res) >= CERT_KEYS
    assert res["findings"] and all(set(f) >= FINDING_KEYS for f in res["findings"])
    for m in res["missing"]:
        assert {"kind", "message", "ask"} <= set(m)


def test_not_applicable_rule(ex: DuckStore) -> None:
    res = certify(ex.view(as_of=dt.date(2027, 1, 1)), "cathode-nmc811", "dfars-7052").to_json()
    assert res["verdict"] == "not-applicable"


def test_crma_on_the_cathode_fails_on_indonesian_refining(ex: DuckStore) -> None:
    res = certify(ex.view(as_of=dt.date(2026, 6, 1)), "cathode-nmc811", "eu-crma-65").to_json()
    assert res["verdict"] == "non-compliant"
    fail = [s for s in res["stages"] if s["status"] == "fail"]
    assert [(s["material"], s["stage"]) for s in fail] == [("nickel", "refining")]


def crma_chain(aus: float, can: float) -> list[FactRow]:
    return [
        fac("mine-aus", "AUS", "lithium", "mining", "mine"),
        fac("mine-can", "CAN", "lithium", "mining", "mine"),
        fac("ref-deu", "DEU", "lithium", "refining"),
        fac("plant-fra", "FRA", None, None, "component-plant"),
        link("a", "mine-aus", "ref-deu", "lithium", aus),
        link("c", "mine-can", "ref-deu", "lithium", can),
        link("r", "ref-deu", "plant-fra", "lithium", 1.0),
        product("cell", "plant-fra", "battery-component"),
        bom("cell", "li", "lithium", "refining"),
    ]


@pytest.mark.parametrize(
    ("aus", "can", "verdict"),
    [
        (0.65, 0.35, "compliant"),  # exactly on the line: not "more than 65%"
        (0.650001, 0.349999, "non-compliant"),
        (0.65, 0.34, "indeterminate"),  # 1% unexplained could be Australian
    ],
)
def test_crma_65_percent_line(fresh_db: Path, aus: float, can: float, verdict: str) -> None:
    load(fresh_db, crma_chain(aus, can))
    with DuckStore(fresh_db, read_only=True) as s:
        res = certify(s.view(as_of=dt.date(2026, 1, 1)), "cell", "eu-crma-65").to_json()
    assert res["verdict"] == verdict, res["reason"]


def test_unknown_origin_gives_indeterminate(fresh_db: Path) -> None:
    rows = [
        fac("sep", "MYS", "rare-earths", "separation", "separation-plant"),
        fac("mine", "AUS", "rare-earths", "mining", "mine"),
        fac("mag", "DEU", "rare-earths", "magnets", "component-plant"),
        fac("mag2", None, "rare-earths", "magnets", "component-plant"),
        link("l1", "mine", "sep", "rare-earths", 0.9),
        link("l2", "sep", "mag", "rare-earths", 1.0),
        link("l3", "sep", "mag2", "rare-earths", 1.0),
        link("l4", "mine", "mag2", "rare-earths", 0.0),
        product("magnet", "mag", "ndfeb-magnet"),
        bom("magnet", "re", "rare-earths", "separation"),
        product("magnet2", "mag2", "ndfeb-magnet"),
        bom("magnet2", "re", "rare-earths", "separation"),
        product("bare", "mag", "ndfeb-magnet"),
    ]
    load(fresh_db, rows)
    with DuckStore(fresh_db, read_only=True) as s:
        # 10% of the separator's feed is unexplained: world mining shares stand in (China 69%).
        one = certify(s.view(as_of=dt.date(2027, 1, 1)), "magnet", "dfars-7052").to_json()
        assert one["verdict"] == "indeterminate"
        assert one["statistical_verdict"] == "non-compliant"
        mining = next(x for x in one["stages"] if x["stage"] == "mining")
        assert mining["share_bounds"] == [0.0, pytest.approx(0.1)]
        assert any(m["facility"] == "sep" and m["share_of_product"] == pytest.approx(0.1)
                   for m in one["missing"])  # fmt: skip
        # Before 2027 only melting and production count, and both are traced to Germany.
        assert (
            certify(s.view(as_of=dt.date(2026, 1, 1)), "magnet", "dfars-7052")["verdict"]
            == "compliant"
        )
        # A magnet plant of unknown country: production is unknown.
        two = certify(s.view(as_of=dt.date(2026, 1, 1)), "magnet2", "dfars-7052").to_json()
        assert two["verdict"] == "indeterminate"
        assert any(m["kind"] == "facility-country" for m in two["missing"])
        # No bill of materials: nothing to evaluate.
        assert (
            certify(s.view(as_of=dt.date(2026, 1, 1)), "bare", "dfars-7052")["verdict"]
            == "indeterminate"
        )


def test_sub_component_with_known_quantities(fresh_db: Path) -> None:
    rows = [
        fac("mine-chn", "CHN", "tungsten", "mining", "mine"),
        fac("mine-aut", "AUT", "tungsten", "mining", "mine"),
        fac("apt-aut", "AUT", "tungsten", "refining"),
        fac("apt-chn", "CHN", "tungsten", "refining"),
        fac("parts", "USA", None, None, "component-plant"),
        fac("assembly", "USA", None, None, "component-plant"),
        link("l1", "mine-aut", "apt-aut", "tungsten", 1.0),
        link("l2", "mine-chn", "apt-chn", "tungsten", 1.0),
        link("l3", "apt-aut", "parts", "tungsten", 1.0),
        link("l4", "apt-chn", "assembly", "tungsten", 1.0),
        product("insert", "parts", "tungsten"),
        bom("insert", "w", "tungsten", "refining", qty=2.0),
        product("tool", "assembly", "tungsten"),
        bom("tool", "w", "tungsten", "refining", qty=1.0),
        bom("tool", "ins", None, None, qty=3.0, component="insert"),
        product("tool2", "assembly", "tungsten"),
        bom("tool2", "w", "tungsten", "refining", qty=None),
        bom("tool2", "ins", None, None, qty=3.0, component="insert"),
    ]
    load(fresh_db, rows)
    with DuckStore(fresh_db, read_only=True) as s:
        res = certify(s.view(as_of=dt.date(2027, 1, 1)), "tool", "dfars-7052").to_json()
        mining = next(x for x in res["stages"] if x["stage"] == "mining")
        # 1 kg from China directly, 3 x 2 kg through the Austrian insert: 1/7 Chinese.
        assert mining["share_bounds"] == [pytest.approx(1 / 7), pytest.approx(1 / 7)]
        assert res["verdict"] == "non-compliant"
        # Without the direct quantity the mix is bounded by the parts: 0% to 100%.
        res2 = certify(s.view(as_of=dt.date(2027, 1, 1)), "tool2", "dfars-7052").to_json()
        mining2 = next(x for x in res2["stages"] if x["stage"] == "mining")
        assert mining2["share_bounds"] == [0.0, 1.0]
        assert res2["verdict"] == "indeterminate"
        assert any(m["kind"] == "bom-quantity" for m in res2["missing"])
        batch = certify_many(s.view(as_of=dt.date(2027, 1, 1)), "dfars-7052")
        assert {v["product"]: v["verdict"] for v in batch["verdicts"]} == {
            "insert": "compliant", "tool": "non-compliant", "tool2": "indeterminate",
        }  # fmt: skip


def test_batch_equals_single_on_the_example(ex: DuckStore) -> None:
    for rule, when in (
        ("dfars-7052", dt.date(2026, 12, 31)),
        ("dfars-7052", dt.date(2027, 1, 1)),
        ("eu-crma-65", dt.date(2026, 6, 1)),
    ):
        batch = certify_many(ex.view(as_of=when), rule)
        assert batch["schema"] == "derisk.certify-batch/1"
        for v in batch["verdicts"]:
            assert v["verdict"] == certify(ex.view(as_of=when), v["product"], rule)["verdict"], (
                rule,
                v,
            )


COUNTRY = st.sampled_from(["CHN", "AUS", "CHL", "DEU", "RUS", None])


@st.composite
def lithium_sets(draw: st.DrawFn) -> list[FactRow]:
    rows: list[FactRow] = []
    mines = [f"m{i}" for i in range(draw(st.integers(1, 3)))]
    refs = [f"r{i}" for i in range(draw(st.integers(1, 3)))]
    plants = [f"p{i}" for i in range(draw(st.integers(1, 3)))]
    rows += [fac(m, draw(COUNTRY), "lithium", "mining", "mine") for m in mines]
    rows += [fac(r, draw(COUNTRY), "lithium", "refining") for r in refs]
    rows += [fac(p, draw(COUNTRY), None, None, "component-plant") for p in plants]
    n = 0
    for cust, sups in [(r, mines) for r in refs] + [(p, refs + mines) for p in plants]:
        chosen = draw(st.lists(st.sampled_from(sups), unique=True, max_size=3))
        weights = [draw(st.integers(1, 5)) for _ in chosen]
        total = sum(weights) + draw(st.integers(0, 3))
        for sup, w in zip(chosen, weights, strict=True):
            rows.append(link(f"l{n}", sup, cust, "lithium", w / total))
            n += 1
    for i, p in enumerate(plants):
        rows.append(product(f"prod{i}", p, "battery-component"))
        rows.append(bom(f"prod{i}", "li", "lithium", "refining"))
    return rows


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=lithium_sets(), rule=st.sampled_from(["eu-crma-65", "covered-any"]))
def test_batch_equals_single_on_random_supply_graphs(
    fresh_db: Path, tmp_path_factory: pytest.TempPathFactory, rows: list[FactRow], rule: str
) -> None:
    folder = tmp_path_factory.mktemp("rules")
    pack = folder / "r.yaml"
    pack.write_text(
        "format: derisk.rule-pack/1\npack: t\nrules:\n"
        "  - id: covered-any\n    kind: max-share\n    countries: {group: covered}\n"
        "    applies_to: any\n    citations: [{title: t}]\n    versions:\n"
        "      - {version: '1', stages: [mining, refining, production], threshold: 0.2}\n"
    )
    load(fresh_db, rows)
    when = dt.date(2026, 6, 1)
    with DuckStore(fresh_db, read_only=True) as s:
        batch = certify_many(s.view(as_of=when), rule, rules_files=[pack])
        for v in batch["verdicts"]:
            single = certify(s.view(as_of=when), v["product"], rule, rules_files=[pack]).to_json()
            assert v["verdict"] == single["verdict"], (v, single["stages"])


def test_worked_example_table_in_the_docs(ex: DuckStore) -> None:
    """The verdicts docs/certify.md states for the worked example."""
    table = {
        "magnet-jp-cn-oxide": ("compliant", "non-compliant", "non-compliant"),
        "magnet-us-mp": ("compliant", "compliant", "non-compliant"),
        "cathode-nmc811": ("not-applicable", "not-applicable", "non-compliant"),
    }
    for pid, (d26, d27, crma) in table.items():
        assert certify(ex.view(as_of=dt.date(2026, 6, 1)), pid, "dfars-7052")["verdict"] == d26
        assert certify(ex.view(as_of=dt.date(2027, 6, 1)), pid, "dfars-7052")["verdict"] == d27
        assert certify(ex.view(as_of=dt.date(2026, 6, 1)), pid, "eu-crma-65")["verdict"] == crma


def macr_set(pfe_cents: int, total_cents: int) -> list[FactRow]:
    return [
        company("cn-co", "CHN"),  # incorporated in a covered nation: a specified foreign entity
        company("us-co", "USA"),
        company("maker", "USA"),
        fac("cell-plant", "USA", None, None, "component-plant", operator="maker"),
        product("cell", "cell-plant", "battery-component", owner="maker"),
        bom("cell", "li", "lithium", "refining"),
        cost("c-cn", "cell", pfe_cents / 100, "cn-co"),
        cost("c-us", "cell", (total_cents - pfe_cents) / 100, "us-co"),
    ]


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2029, 2030, 2034])
def test_macr_at_and_just_below_the_threshold_with_real_screening(
    fresh_db: Path, year: int
) -> None:
    """45X battery components: a ratio exactly at the year's threshold keeps the credit; one
    cent more of PFE-attributable cost loses it. PFE status comes from the ownership screening."""
    pct = {2026: 60, 2027: 65, 2028: 70, 2029: 80, 2030: 85, 2034: 85}[year]
    total = 1_000_000
    at = total * (100 - pct) // 100
    when = dt.date(year, 6, 30)
    load(fresh_db, macr_set(at, total))
    with DuckStore(fresh_db, read_only=True) as s:
        res = certify(s.view(as_of=when), "cell", "macr-45x-battery").to_json()
        assert res["verdict"] == "compliant", res["reason"]
        assert res["macr"]["exact_bounds"] == [str(Fraction(pct, 100))] * 2
        status = {f["entity"]: f["status"] for f in res["findings"]}
        assert status == {"cn-co": "pfe", "us-co": "not-pfe"}
    load(fresh_db, macr_set(at + 1, total))
    with DuckStore(fresh_db, read_only=True) as s:
        res = certify(s.view(as_of=when), "cell", "macr-45x-battery").to_json()
        assert res["verdict"] == "non-compliant", res["reason"]
        assert Fraction(res["macr"]["exact_bounds"][1]) == Fraction(total - at - 1, total)


def test_macr_unrecorded_supplier_is_indeterminate(fresh_db: Path) -> None:
    # 3,900 PFE + 6,100 clear + 500 of an unrecorded supplier: MACR between 58.1% and 62.9%.
    rows = [*macr_set(390_000, 1_000_000), cost("c-x", "cell", 500.0, None)]
    load(fresh_db, rows)
    with DuckStore(fresh_db, read_only=True) as s:
        res = certify(s.view(as_of=dt.date(2026, 6, 30)), "cell", "macr-45x-battery").to_json()
    assert res["verdict"] == "indeterminate"
    assert [m["kind"] for m in res["missing"]] == ["cost-supplier"]
    assert res["missing"][0]["ask"]["entity"] == "maker"


def test_trace_shows_screening_of_operators(ex: DuckStore) -> None:
    from derisk.services.trace import trace

    res = trace(ex.view(as_of=dt.date(2026, 6, 1)), "cathode-nmc811").to_json()
    huayue = res["entities"]["huayue-hpal"]["screening"]["pfe"]
    assert huayue["verdict"] == "pfe"
    assert huayue["screened_entity"] == "pt-huayue-nickel-cobalt"
    refining = res["materials"][0]["stages"][1]["parts"][0]["by_entity"][0]
    assert refining["entity"] == "huayue-hpal" and refining["screening"]["pfe"] == "pfe"
    assert res["entities"]["example-cathode-co"]["screening"]["pfe"]["verdict"] == "not-pfe"


def test_worked_example_cost_ratio(ex: DuckStore) -> None:
    """docs/certify.md: the cathode's MACR is bounded between 44% and 65% in 2026."""
    res = certify(
        ex.view(as_of=dt.date(2026, 6, 1)), "cathode-nmc811", "macr-45x-battery"
    ).to_json()
    assert res["verdict"] == "indeterminate"
    # PFE: Huayue nickel 9,000 + cobalt 1,500; unrecorded: lithium 6,000 + manganese 300.
    assert res["macr"]["exact_bounds"] == [
        str(Fraction(30000 - 10500 - 6300, 30000)),
        str(Fraction(30000 - 10500, 30000)),
    ]
    assert res["parameters"]["threshold"] == 0.6
