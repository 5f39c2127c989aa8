"""Event detection of round 7, each a class of construction tested on sentences we wrote
(the fourth collection's development half showed the classes; no sentence is from it):
nearness and offers are no acts; states are not deals; a facility's own name, an open pit, a
noun or an expansion of rules make no facility event; a reported clause after a dated
reporting verb is news; a supply contract paid by an agency is a sale; a deal recalled in a
relative clause is background; a loan's purpose names no borrower; loans listed as verbless
items; totals are no loan; a first export promised for a time ahead is none; a permit to
export under a ban suspends the ban for that export."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def types(events: list[dict[str, Any]]) -> set[str]:
    return {e["type"] for e in events}


# ------------------------------------------------------------------------ nearness, offers
@pytest.mark.parametrize(
    "sentence",
    [
        "PT Ossory Nickel, one of Indonesia's largest nickel smelters, is close to shutting "
        "down completely.",
        "Tarn Graphite's graphite mine in Mozambique is on the brink of closing.",
        "Bluegum Lithium said its lithium refinery was at risk of shutting down this year.",
    ],
)
def test_nearness_to_a_closure_is_no_closure(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "facility")


def test_a_closure_stated_as_done_is_still_read(lexicon: Lexicon) -> None:
    ev = run("PT Ossory Nickel shut down its nickel smelter in Sulawesi on Monday.", lexicon)
    assert has(ev, "facility", company="PT Ossory Nickel", action="closure")


@pytest.mark.parametrize(
    "sentence",
    [
        "Bluegum Lithium receives a $120 million loan offer from the Export-Import Bank for "
        "a rare earths mine in Greenland.",
        "The Export-Import Bank previously extended a loan offer to Redwood Metals for another "
        "mining project.",
        "Bluegum Lithium received a letter of interest for a $90 million loan from the "
        "Export-Import Bank.",
    ],
)
def test_a_loan_offered_is_no_loan(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "loan")


def test_a_loan_secured_is_a_loan(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium has secured a $120 million loan from the Export-Import Bank.", lexicon
    )
    assert has(ev, "loan", borrower="Bluegum Lithium", amount=1.2e8)


# ------------------------------------------------------------------------ facility wording
@pytest.mark.parametrize(
    "sentence",
    [
        # a mining method, not an opening
        "The Santa Rita mine, operated by Ossory Nickel, is described as one of the world's "
        "biggest open-pit nickel sulfide assets.",
        # what grew is no plant, capacity or output
        "The Department of Energy has expanded its criteria under the program to support "
        "critical mineral processing projects.",
        # a participial phrase tells what went before the main clause
        "Having closed the graphite mine since March 2020, Tarn Graphite aims to commence "
        "production next year.",
        # a noun after an adjective, not a verb
        "Production at the lithium plant has progressed at pace with the hot commission of "
        "the individual units by Bluegum Lithium.",
    ],
)
def test_no_act_on_a_facility(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "facility")


def test_an_expansion_of_a_plant_is_read(lexicon: Lexicon) -> None:
    ev = run("Bluegum Lithium has expanded its lithium hydroxide plant in Kwinana.", lexicon)
    assert has(ev, "facility", company="Bluegum Lithium", action="expansion")


def test_a_facility_named_as_subject_is_not_its_operator(lexicon: Lexicon) -> None:
    ev = run(
        "The Kwinana Lithium Hydroxide Refinery has produced its first lithium hydroxide.",
        lexicon,
    )
    assert not has(ev, "facility", company="Kwinana Lithium")


@pytest.mark.parametrize(
    "sentence",
    [
        "Tarn Graphite announced on Thursday, June 19, that it has resumed production of "
        "natural graphite at its Balama mine.",
        "Tarn Graphite, operating in Balama district, announced on Thursday that it has "
        "resumed production of natural graphite.",
    ],
)
def test_what_a_dated_announcement_reports_is_news(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "facility", company="Tarn Graphite", action="opening", material="graphite")


# ------------------------------------------------------------------------ states and deals
@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals owns a 72% stake in Ossory Copper, which is located in Kolwezi.",
        "Redwood Metals will own 40% interest in Bluegum Lithium, and receive its share of "
        "the concentrate produced.",
    ],
)
def test_a_holding_stated_as_a_state_is_no_stake_bought(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "stake_acquisition")


def test_a_holding_that_is_new_is_a_stake(lexicon: Lexicon) -> None:
    ev = run("Redwood Metals now owns 35% of Bluegum Lithium after the placement.", lexicon)
    assert has(ev, "stake_acquisition", acquirer="Redwood Metals", target="Bluegum Lithium")


@pytest.mark.parametrize(
    ("sentence", "supplier", "buyer", "amount"),
    [
        (
            "Quarry Point Antimony has secured a US$245 million sole-source contract from the "
            "US Defense Logistics Agency to supply antimony ingots.",
            "Quarry Point Antimony",
            "Defense Logistics Agency",
            2.45e8,
        ),
        (
            "Bluegum Lithium was awarded a $30 million order by the Defense Logistics Agency "
            "to deliver lithium carbonate.",
            "Bluegum Lithium",
            "Defense Logistics Agency",
            3e7,
        ),
    ],
)
def test_a_contract_to_supply_is_a_sale(
    sentence: str, supplier: str, buyer: str, amount: float, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier=supplier, buyer=buyer, amount=amount)
    assert not types(ev) & {"investment", "grant"}
    assert sum(e["type"] == "offtake" for e in ev) == 1


def test_a_deal_recalled_in_a_relative_clause_is_background(lexicon: Lexicon) -> None:
    ev = run(
        "Kellerman Group, which invested $10 million in March, is expected to contribute to "
        "the new funding round of Ossory Graphite.",
        lexicon,
    )
    assert not has(ev, "investment")
    ev = run("Kellerman Group invested $10 million in Ossory Graphite in March.", lexicon)
    assert has(ev, "investment", investor="Kellerman Group", target="Ossory Graphite")


# ------------------------------------------------------------------------ loans
def test_a_loans_purpose_names_no_borrower(lexicon: Lexicon) -> None:
    ev = run(
        "The DFC signed a financing agreement with Bluegum Holdings Ltd. for a $565 million "
        "loan to expand the Pela Ema rare earths mine operated by Serra Verde.",
        lexicon,
    )
    assert has(ev, "loan", borrower="Bluegum Holdings", amount=5.65e8)
    assert not has(ev, "loan", borrower="Pela Ema")


def test_a_total_of_many_loans_is_no_loan(lexicon: Lexicon) -> None:
    ev = run(
        "The Department of Energy has made, or committed to, almost $15 billion in loans under "
        "its vehicle manufacturing program in the past year.",
        lexicon,
    )
    assert not has(ev, "loan")


def test_loans_listed_as_items_take_the_lender_named_before(lexicon: Lexicon) -> None:
    text = (
        "Battery plants win federal loans\n\n"
        "The Department of Energy has made almost $15 billion in loans in the past year. "
        "The office's recently announced loans include the following:\n\n"
        "July 2022: a $102.1 million loan to Bluegum Lithium LLC to expand its graphite "
        "facility\n\n"
        "December 2022: a $2.5 billion loan to Ossory Cells, a joint venture of two carmakers, "
        "to make battery cells\n\n"
        "May 2023: a $362 million conditional commitment to Redwood Metals Corporation to help "
        "finance a plant"
    )
    ev = run(text, lexicon)
    loans = [e for e in ev if e["type"] == "loan"]
    assert {e["borrower"] for e in loans} == {
        "Bluegum Lithium LLC",
        "Ossory Cells",
        "Redwood Metals Corporation",
    }
    assert all("Department of Energy" in e["lender"] for e in loans)
    assert has(ev, "loan", borrower="Ossory Cells", amount=2.5e9)


# ------------------------------------------------------------------------ first exports
def test_a_first_export_promised_for_later_is_none(lexicon: Lexicon) -> None:
    ev = run(
        "Namibia will for the first time export lithium concentrate to China via the port of "
        "Walvis Bay within the next month.",
        lexicon,
    )
    assert not has(ev, "first_export")


# ------------------------------------------------------------------------ export permits
@pytest.mark.parametrize(
    ("text", "material"),
    [
        (
            "Indonesia has announced it will issue Ossory Copper a six-month permit to export "
            "copper concentrate during the repair of its smelter.",
            "copper",
        ),
        (
            "Indonesia has granted Ossory Copper a six-month copper export permit to support "
            "its operations.",
            "copper",
        ),
        (
            "Indonesia bans the export of raw nickel ore. The government recently granted PT "
            "Bluegum Nickel permission to export 2.3 million tons of nickel ore.",
            "nickel",
        ),
    ],
)
def test_a_permit_to_export_suspends_the_restriction(
    text: str, material: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "export_restriction", issuer="IDN", action="suspended", material=material)


@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals said it was seeking a permit to export copper concentrate.",
        "Indonesia has not granted Ossory Copper a permit to export copper concentrate.",
        "Indonesia may grant Ossory Copper a permit to export copper concentrate.",
    ],
)
def test_a_permit_sought_denied_or_possible_is_none(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "export_restriction")


# ------------------------------------------------------------------------ companies bought
@pytest.mark.parametrize(
    "sentence",
    [
        "Australian miner Redwood Metals said on Tuesday it would buy Finland-based Ossory "
        "Cobalt for $160 million in a deal that could make it the second-largest cobalt "
        "producer outside China.",
        "Redwood Metals will purchase Oslo-listed Ossory Nickel for $160 million, securing "
        "nickel supply for its refinery.",
    ],
)
def test_a_company_bought_is_acquired_not_a_supplier(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", acquirer="Redwood Metals", amount=1.6e8)
    assert not has(ev, "offtake")


# ------------------------------------------------------------------------ temporary stops
@pytest.mark.parametrize(
    ("sentence", "company"),
    [
        ("Vale's Sudbury nickel smelter is ramping down operations for two weeks.", "vale"),
        (
            "Operations at a Zijin Mining Group Ltd. copper mine in the Democratic Republic of "
            "Congo have been halted due to radiation concerns.",
            "zijin-mining",
        ),
        ("Vale said its Sudbury nickel smelter was placed in hot standby on Monday.", "vale"),
    ],
)
def test_a_temporary_stop_is_a_closure(sentence: str, company: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), "facility", company=company, action="closure")


def test_a_new_measure_that_replaced_a_ban_lifts_it(lexicon: Lexicon) -> None:
    ev = run("Congo said the new cobalt quota system replaced the export ban on Thursday.", lexicon)
    assert has(ev, "export_restriction", issuer="COD", action="lifted", material="cobalt")
    assert has(ev, "export_restriction", issuer="COD", action="imposed", material="cobalt")


# ------------------------------------------------------------------------ funding rounds
def test_each_backer_of_a_round_invested(lexicon: Lexicon) -> None:
    ev = run(
        "Ossory Chem previously closed a $60 million Series B round in 2023, led by General "
        "Motors with participation from Kellerman Capital and Tarn Ventures.",
        lexicon,
    )
    invs = [e for e in ev if e["type"] == "investment"]
    assert {e["investor"] for e in invs} == {
        "General Motors",
        "Kellerman Capital",
        "Tarn Ventures",
    }
    assert all(e["target"] == "Ossory Chem" for e in invs)
    # the round's sum is shared by its backers, so given to none of them
    assert all(e.get("amount") is None for e in invs)


@pytest.mark.parametrize(
    ("sentence", "acquirer", "target"),
    [
        (
            "Gina Rinehart has increased her stake in lithium producer Ossory Lithium.",
            "Gina Rinehart",
            "Ossory Lithium",
        ),
        (
            "Redwood Metals has increased its stake in graphite miner Ossory Graphite.",
            "Redwood Metals",
            "Ossory Graphite",
        ),
    ],
)
def test_a_stake_in_a_company_named_after_its_trade(
    sentence: str, acquirer: str, target: str, lexicon: Lexicon
) -> None:
    # the holder may be a person ("her stake"); the company held follows its trade
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", acquirer=acquirer, target=target)


def test_an_agreement_whose_binding_terms_are_to_come_is_no_deal(lexicon: Lexicon) -> None:
    text = (
        "Redwood Metals said it has executed an agreement to supply 3,000 tonnes of rare earth "
        "oxide to Ossory Rare Metals Corp in Canada. Under the agreement, the parties will work "
        "towards a binding agreement for the supply of mixed rare earth carbonate."
    )
    assert not has(run(text, lexicon), "offtake")
    # the same first sentence alone states a deal
    first = text.split(" Under the")[0]
    assert has(run(first, lexicon), "offtake", supplier="Redwood Metals")
