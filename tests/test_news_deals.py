"""Deal events by family of wording, on sentences we wrote: public loans and grants (new
event types, from extraction to an accepted fact), share purchases and holdings, supply
deals without the word offtake, first cargoes, and numbers stated in the next sentence.
Each test is one class of wording, not one article."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from derisk.model.news import SupplyEvent
from derisk.model.schema import Entity
from derisk.news import EVENT_TYPES, KEY_FIELDS, RawDoc, analyze, extract
from derisk.news.lexicon import Lexicon
from derisk.services import news as svc
from derisk.store import DuckStore
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-12") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def types(events: list[dict[str, Any]]) -> set[str]:
    return {e["type"] for e in events}


# ------------------------------------------------------------------------------ loans
def test_loan_and_grant_are_event_types_with_key_fields() -> None:
    assert "loan" in EVENT_TYPES and "grant" in EVENT_TYPES
    assert KEY_FIELDS["loan"] == ("lender", "borrower")
    assert KEY_FIELDS["grant"] == ("grantor", "recipient")


@pytest.mark.parametrize(
    ("text", "lender", "borrower", "amount"),
    [
        (
            "The Energy Department has agreed to lend $300 million to Northwind Lithium for "
            "its refinery in Nevada.",
            "Energy Department",
            "Northwind Lithium",
            300e6,
        ),
        (
            "Northwind Lithium secured a $300 million loan from the Export-Import Bank of the "
            "United States on Monday.",
            "Export-Import Bank of the United States",
            "Northwind Lithium",
            300e6,
        ),
        (
            "Redgum Metals will receive $200 million from a $1.5 billion Department of Energy "
            "loan for its mine.",
            "Department of Energy",
            "Redgum Metals",
            200e6,
        ),
        (
            "Export Finance Australia approved a A$75 million loan to Quenda Minerals for the "
            "processing plant.",
            "Export Finance Australia",
            "Quenda Minerals",
            75e6,
        ),
    ],
)
def test_loan_roles_from_clause(
    lexicon: Lexicon, text: str, lender: str, borrower: str, amount: float
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "loan", lender=lender, borrower=borrower, amount=amount), ev
    # a loan is not also read as an equity investment by the lender
    assert "investment" not in types(ev)


def test_lending_to_a_purpose_borrows_the_company_of_the_sentence(lexicon: Lexicon) -> None:
    ev = run("Redgum Metals said the Pentagon will lend $80 million to expand its plant.", lexicon)
    assert has(ev, "loan", lender="us-dod", borrower="Redgum Metals", amount=80e6)


@pytest.mark.parametrize(
    "text",
    [
        "Northwind Lithium received a letter of interest for a $300 million loan from EXIM.",
        "Northwind Lithium may secure a $300 million loan from the Export-Import Bank of Korea.",
        "Northwind Lithium denied it had secured a $300 million loan from JBIC.",
    ],
)
def test_non_binding_or_hedged_loans_are_not_events(lexicon: Lexicon, text: str) -> None:
    assert "loan" not in types(run(text, lexicon))


# ------------------------------------------------------------------------------ grants
@pytest.mark.parametrize(
    ("text", "grantor", "recipient"),
    [
        (
            "The Pentagon awarded Stonecrest Graphite Inc. $12.5 million under the Defense "
            "Production Act.",
            "us-dod",
            "Stonecrest Graphite",
        ),
        (
            "In 2024, Stonecrest Graphite received a $12.5 million grant under the Defense "
            "Production Act to finish its study.",
            "us-government",
            "Stonecrest Graphite",
        ),
        (
            "Harbor Magnetics – a unit of Germany's VAC – signed an agreement with the "
            "Department of Defense, which will provide $12.5 million for new furnaces.",
            "us-dod",
            "Harbor Magnetics",
        ),
    ],
)
def test_grant_roles_and_programme(
    lexicon: Lexicon, text: str, grantor: str, recipient: str
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "grant", grantor=grantor, recipient=recipient, amount=12.5e6), ev


def test_a_contract_awarded_is_no_grant(lexicon: Lexicon) -> None:
    ev = run(
        "The Defense Logistics Agency awarded Stonecrest Graphite a $12.5 million contract "
        "to supply graphite.",
        lexicon,
    )
    assert "grant" not in types(ev)


def test_accepted_loan_records_lender_borrower_and_amount(fresh_db: Path, tmp_path: Path) -> None:
    page = tmp_path / "loan.txt"
    page.write_text(
        "Lender backs a lithium refinery\n\n"
        "Northwind Lithium secured a $300 million loan from the Export-Import Bank of the "
        "United States on Monday, the company said.\n",
        encoding="utf-8",
    )
    with DuckStore(fresh_db) as store:
        res = svc.ingest(store, [page], published=dt.date(2025, 6, 12))
        (prop,) = [e for e in res["events"] if e["type"] == "loan"]
        assert svc.list_proposals(store.view(), event_type="loan")["proposals"][0]["type"] == "loan"
        dec = svc.accept(store, prop["proposal_id"])
        (ev,) = store.rows(SupplyEvent, {"source_id": dec["source_id"]})
        assert ev.event_type == "loan"
        assert (ev.amount, ev.currency, str(ev.valid_from)) == (300e6, "USD", "2025-06-09")
        names = {e.entity_id: e for e in store.rows(Entity)}
        assert names[ev.subject_id].name == "Export-Import Bank of the United States"
        assert names[ev.subject_id].kind == "government"
        assert names[str(ev.object_id)].name == "Northwind Lithium"


# ------------------------------------------------------------------------------ stakes
@pytest.mark.parametrize(
    ("text", "acquirer", "target", "amount"),
    [
        (
            "Kestrel Capital subscribed for A$40 million of new shares in Lodestar Metals.",
            "Kestrel Capital",
            "Lodestar Metals",
            40e6,
        ),
        (
            "The Pentagon will become the largest shareholder in Lodestar Metals after agreeing "
            "to buy $400 million of its preferred stock.",
            "us-dod",
            "Lodestar Metals",
            400e6,
        ),
        (
            "Lodestar Metals will sell newly issued shares to Kestrel Capital for $70 million.",
            "Kestrel Capital",
            "Lodestar Metals",
            70e6,
        ),
        (
            "Kestrel Capital bought $12 million worth of Lodestar Metals' shares on the market.",
            "Kestrel Capital",
            "Lodestar Metals",
            12e6,
        ),
    ],
)
def test_share_purchases_are_stakes_with_buyer_and_issuer(
    lexicon: Lexicon, text: str, acquirer: str, target: str, amount: float
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "stake_acquisition", acquirer=acquirer, target=target, amount=amount), ev
    assert "investment" not in types(ev) and "offtake" not in types(ev)


def test_passive_stake_by_names_the_buyer(lexicon: Lexicon) -> None:
    ev = run(
        "Lodestar Metals shares jumped after the announcement of a 5% stake acquisition by "
        "the U.S. government.",
        lexicon,
    )
    assert has(ev, "stake_acquisition", acquirer="us-government", target="Lodestar Metals")
    assert not has(ev, "stake_acquisition", acquirer="Lodestar Metals")


def test_descriptive_subject_and_plural_possessive_seller(lexicon: Lexicon) -> None:
    ev = run(
        "Lodestar Metals started production at its Wattle Creek lithium project. "
        "China's largest lithium producer acquired Bilby Resources' 40% stake in it for "
        "US$342.7 million in May.",
        lexicon,
    )
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Lodestar Metals",
        target="Wattle Creek",
        percent=40.0,
        amount=342.7e6,
    )
    # the seller of the stake is not a company bought whole
    assert not has(ev, "stake_acquisition", target="Bilby Resources")


def test_a_share_purchase_that_is_only_considered_is_no_stake(lexicon: Lexicon) -> None:
    ev = run(
        "Kestrel Capital is considering whether to buy $40 million of new shares in Lodestar "
        "Metals.",
        lexicon,
    )
    assert "stake_acquisition" not in types(ev)


# ------------------------------------------------------------------------------ supply deals
@pytest.mark.parametrize(
    ("text", "supplier", "buyer"),
    [
        (
            "Harwick Rare Earths will deliver 400 tonnes a year of NdPr oxide to Siemens from "
            "2027.",
            "Harwick Rare Earths",
            "Siemens",
        ),
        (
            "Toyota has committed to take 3,000 tonnes a year of lithium hydroxide from Quenda "
            "Minerals.",
            "Quenda Minerals",
            "Toyota",
        ),
        (
            "BMW will source its magnets from Harwick Rare Earths under a seven-year deal.",
            "Harwick Rare Earths",
            "BMW",
        ),
        (
            "Ganfeng Lithium signed a binding agreement to buy 100,000 tonnes of spodumene from "
            "Quenda Minerals.",
            "Quenda Minerals",
            "ganfeng-lithium",
        ),
        (
            "Granite Antimony has secured a five-year exclusive contract with the U.S. "
            "Department of Defense, with a supply value of up to $245 million for antimony "
            "ingots.",
            "Granite Antimony",
            "us-dod",
        ),
        (
            "The Defense Logistics Agency awarded Granite Antimony a $245 million contract to "
            "supply antimony ingots.",
            "Granite Antimony",
            "Defense Logistics Agency",
        ),
    ],
)
def test_supply_deal_direction_without_the_word_offtake(
    lexicon: Lexicon, text: str, supplier: str, buyer: str
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "offtake", supplier=supplier, buyer=buyer), ev
    assert not has(ev, "offtake", supplier=buyer, buyer=supplier)
    assert "grant" not in types(ev)


def test_buyers_in_an_absolute_clause_and_their_quantity(lexicon: Lexicon) -> None:
    ev = run(
        "German manufacturer Siemens has agreed to buy 520 t/yr of NdPr from Harwick Rare "
        "Earths, with South Korean firms Hyundai and Kia taking an additional 1,500 t/yr of "
        "the material.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Harwick Rare Earths", buyer="Siemens", quantity=520.0)
    for b in ("Hyundai", "Kia"):
        # the two take 1,500 t/yr between them: no quantity is each one's
        assert has(ev, "offtake", supplier="Harwick Rare Earths", buyer=b, quantity=None)
    ev = run(
        "Siemens has agreed to buy 520 t/yr of NdPr from Harwick Rare Earths, with Hyundai "
        "taking a further 300 t/yr.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Harwick Rare Earths", buyer="Hyundai", quantity=300.0)


def test_output_sold_to_named_partners_of_the_story_company(lexicon: Lexicon) -> None:
    ev = run(
        "Quenda Minerals shipped its first cargo of spodumene to China in May. "
        "Most of its first four years of output is already sold to offtake partners, "
        "including Ganfeng Lithium and Yibin Tianyi.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Quenda Minerals", buyer="ganfeng-lithium")
    assert has(ev, "offtake", supplier="Quenda Minerals", buyer="Yibin Tianyi")


def test_first_cargo_sent_to_a_company_is_also_a_sale_to_it(lexicon: Lexicon) -> None:
    ev = run(
        "Quenda Minerals has shipped its first spodumene cargo to China. "
        "The first shipment will be sent to Umicore in Belgium for refining.",
        lexicon,
    )
    assert has(ev, "first_export", exporter="Quenda Minerals", destination="CHN")
    assert has(ev, "offtake", supplier="Quenda Minerals", buyer="Umicore", material="lithium")


# ------------------------------------------------------------------------------ investments
def test_government_investing_in_the_project_of_the_story_company(lexicon: Lexicon) -> None:
    ev = run(
        "Quenda Minerals started work on its Bilby lithium project. "
        "Australia's federal government agreed to invest A$200 million into the project in "
        "mid-January.",
        lexicon,
    )
    assert has(ev, "investment", investor="AUS", target="Quenda Minerals", amount=200e6)


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Capital backed Lodestar Metals with $25 million.",
        "Kestrel Capital injected $25 million into Lodestar Metals in March.",
        "Lodestar Metals obtained $25 million of funding from Kestrel Capital.",
        "Kestrel Capital plans to put up to $25 million into Lodestar Metals.",
    ],
)
def test_investment_verb_family(lexicon: Lexicon, text: str) -> None:
    ev = run(text, lexicon)
    assert has(ev, "investment", investor="Kestrel Capital", target="Lodestar Metals", amount=25e6)


def test_investment_only_hoped_for_is_no_event(lexicon: Lexicon) -> None:
    ev = run("Kestrel Capital hopes to put $25 million into Lodestar Metals next year.", lexicon)
    assert "investment" not in types(ev)


# ------------------------------------------------------------------------------ next sentence
def test_stake_share_from_a_later_sentence_about_the_deal(lexicon: Lexicon) -> None:
    ev = run(
        "Lodestar Metals will sell newly issued shares to Kestrel Capital for $70 million. "
        "Sign up for our newsletter. "
        "This investment will give Kestrel a 15% stake in Lodestar Metals.",
        lexicon,
    )
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Kestrel Capital",
        target="Lodestar Metals",
        amount=70e6,
        percent=15.0,
    )


def test_loan_amount_from_the_next_sentence(lexicon: Lexicon) -> None:
    ev = run(
        "Northwind Lithium has secured a loan from the Export-Import Bank of Korea, the company "
        "said. The loan is worth $120 million and runs for ten years.",
        lexicon,
    )
    assert has(ev, "loan", borrower="Northwind Lithium", amount=120e6, currency="USD"), ev


def test_shipment_sold_to_a_named_company_in_the_next_sentence(lexicon: Lexicon) -> None:
    ev = run(
        "Quenda Minerals said its germanium concentrate plant is running. "
        "The shipment will be exported to Umicore, a Belgian refiner, for processing.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Quenda Minerals", buyer="Umicore")


# ------------------------------------------------------------------------------ first cargoes
@pytest.mark.parametrize(
    ("text", "exporter", "destination"),
    [
        (
            "Quenda Minerals said the first 20,000-tonne cargo of spodumene sailed from Port "
            "Hedland for China on Tuesday.",
            "Quenda Minerals",
            "CHN",
        ),
        (
            "The first shipment of antimony ingots from Granite Antimony arrived in Baltimore, "
            "in the United States, last week.",
            "Granite Antimony",
            "USA",
        ),
        (
            "Quenda Minerals' first lithium shipment left Geraldton for China on June 3.",
            "Quenda Minerals",
            "CHN",
        ),
        (
            "Granite Antimony began shipping antimony ingots to the United States in May.",
            "Granite Antimony",
            "USA",
        ),
        (
            "Quenda Minerals loaded its maiden cargo of lithium concentrate bound for China.",
            "Quenda Minerals",
            "CHN",
        ),
        (
            "Tern Rare Earths Ltd delivered its first batch of NdPr oxide to Japan on Monday.",
            "Tern Rare Earths Ltd",
            "JPN",
        ),
    ],
)
def test_first_cargo_family(lexicon: Lexicon, text: str, exporter: str, destination: str) -> None:
    ev = run(text, lexicon)
    assert has(ev, "first_export", exporter=exporter, destination=destination), ev


@pytest.mark.parametrize(
    "text",
    [
        "Quenda Minerals reported its first quarter sales of lithium to China rose.",
        "Quenda Minerals hopes to load its first lithium cargo for China in July.",
    ],
)
def test_no_first_cargo_from_periods_or_hopes(lexicon: Lexicon, text: str) -> None:
    assert "first_export" not in types(run(text, lexicon))


# ------------------------------------------------------------------------------ new companies
def test_company_with_ticker_or_legal_form_is_proposed_not_dropped(lexicon: Lexicon) -> None:
    text = (
        "Granite Antimony Ltd (ASX: GAN) secured a A$40 million loan from Export Finance "
        "Australia for its smelter."
    )
    art = extract(RawDoc("t.txt", "text", text, published=dt.date(2025, 6, 12)))
    a = analyze(art, lexicon)
    ev = [{"type": e.type, **e.fields} for e in a.events]
    assert has(ev, "loan", lender="Export Finance Australia", amount=40e6, currency="AUD")
    names = {n.name for n in a.new_entities}
    assert any(n.startswith("Granite Antimony") for n in names), names
    assert "Export Finance Australia" in names


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("Kestrel Capital completed its acquisition of a 10% stake in Lodestar Metals.", 10.0),
        ("The deal gives Kestrel Capital a 20% stake in Lodestar Metals.", 20.0),
        ("Lodestar Metals sells 20% stake to Kestrel Capital for $50 million.", 20.0),
        (
            "Lodestar Metals has sold a 20% interest in its business to Kestrel Capital.",
            20.0,
        ),
        ("Kestrel Capital is now Lodestar Metals' largest shareholder with a 15% stake.", 15.0),
    ],
)
def test_stated_share_read_with_the_verb_of_its_clause(
    lexicon: Lexicon, text: str, percent: float
) -> None:
    ev = run(text, lexicon)
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Kestrel Capital",
        target="Lodestar Metals",
        percent=percent,
    ), ev
    assert not has(ev, "stake_acquisition", acquirer="Lodestar Metals")


@pytest.mark.parametrize(
    "text",
    [
        "Shares of Lodestar Metals rose 12% after the results.",
        "Kestrel Capital, which holds 25% of Lodestar Metals, declined to comment.",
        "Kestrel Capital does not plan to sell its 10% stake in Lodestar Metals.",
        "Lodestar Metals holds a 60% interest in the Wattle Creek project.",
    ],
)
def test_no_stake_from_prices_background_or_denials(lexicon: Lexicon, text: str) -> None:
    assert "stake_acquisition" not in types(run(text, lexicon))


@pytest.mark.parametrize(
    "text",
    [
        "Toyota signed a contract with Panasonic to build a lithium battery plant in Osaka.",
        "The Defense Logistics Agency awarded Granite Antimony a $245 million contract to build "
        "an antimony smelter.",
        "Quenda Minerals' exports of lithium to China fell 20% in May, with Ganfeng Lithium "
        "buying less.",
    ],
)
def test_contracts_for_works_and_market_comment_are_no_supply_deal(
    lexicon: Lexicon, text: str
) -> None:
    ev = run(text, lexicon)
    assert "offtake" not in types(ev) and "grant" not in types(ev), ev
