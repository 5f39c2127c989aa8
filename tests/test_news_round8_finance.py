"""State loans and grants of round 8 (:mod:`derisk.news.state_finance`), each a class of
construction tested on sentences we wrote (the fifth collection's development half showed the
classes; no sentence is from it): a loan with its parties after "with" or "from", whichever
is the subject; coordinated loans of one borrower; "provide it with a loan" and a lending
clause without a borrower; shares of a commitment; programme funds given; shares of an
announced total; a public lender's home dollar; an option to buy a stake is no stake."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def of(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


# ------------------------------------------------------------- a loan with its other party
@pytest.mark.parametrize(
    ("sentence", "lender", "borrower", "amount", "currency"),
    [
        (
            "Halvard Lithium closed a $200 million term loan with the Export-Import Bank of "
            "Korea on Monday.",
            "Export-Import Bank of Korea",
            "Halvard Lithium",
            200e6,
            "USD",
        ),
        (
            "Tamarind Nickel Ltd finalised a A$150 million senior loan facility with Export "
            "Finance Australia to build its processing plant.",
            "Export Finance Australia",
            "Tamarind Nickel",
            150e6,
            "AUD",
        ),
        (
            "Quarry Magnets Inc. has signed a $75 million loan agreement with the Japan Bank "
            "for International Cooperation.",
            "Japan Bank for International Cooperation",
            "Quarry Magnets",
            75e6,
            "USD",
        ),
    ],
)
def test_a_public_body_after_with_lends_to_the_subject(
    sentence: str, lender: str, borrower: str, amount: float, currency: str, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    assert has(events, "loan", lender=lender, borrower=borrower, amount=amount, currency=currency)
    assert not has(events, "loan", lender=borrower)


def test_coordinated_parties_after_with_each_borrow_and_a_joint_sum_goes_to_none(
    lexicon: Lexicon,
) -> None:
    events = run(
        "The Department of Energy announced a joint $1.2 billion conditional loan commitment "
        "with Kestrel Anode Corp. and Marrow Anodes Inc. to build two plants in Georgia.",
        lexicon,
    )
    loans = of(events, "loan")
    assert {e["borrower"].rstrip(".") for e in loans} == {"Kestrel Anode Corp", "Marrow Anodes Inc"}
    assert all(e.get("amount") is None for e in loans)


@pytest.mark.parametrize(
    "sentence",
    [
        "Halvard Lithium is in talks over a $200 million term loan with the Export-Import Bank "
        "of Korea.",
        "Tamarind Nickel said it could sign a A$150 million loan facility with Export Finance "
        "Australia later this year.",
        "Quarry Magnets Inc. received a letter of interest for a $75 million loan from the "
        "Japan Bank for International Cooperation.",
    ],
)
def test_a_loan_in_talks_or_only_of_interest_is_none(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "loan")


# ------------------------------------------------------------- coordinated loans
@pytest.mark.parametrize(
    "sentence",
    [
        "Orca Graphite Inc. is pleased to announce the signing of a C$40 million loan agreement "
        "with Export Development Canada, and a loan of up to C$20 million from the Canada "
        "Infrastructure Bank.",
        "Orca Graphite Inc. has secured a C$40 million bridge loan from Export Development "
        "Canada and a C$20 million loan commitment from the Canada Infrastructure Bank.",
    ],
)
def test_each_loan_noun_with_its_own_lender_is_a_loan(sentence: str, lexicon: Lexicon) -> None:
    events = run(sentence, lexicon)
    assert has(
        events, "loan", lender="Export Development Canada", borrower="Orca Graphite", amount=40e6
    )
    assert has(
        events, "loan", lender="Canada Infrastructure Bank", borrower="Orca Graphite", amount=20e6
    )


# ------------------------------------------------------------- provide it with; while X lends
@pytest.mark.parametrize(
    "sentence",
    [
        "Winnipeg-based Larch Cobalt said in a statement Monday that Export Development Canada "
        "has agreed to provide it with a term loan of $40-million, while the Canada "
        "Infrastructure Bank will lend $20-million.",
        "Larch Cobalt said on Friday that Export Development Canada would provide it with a "
        "construction loan of $40-million; the Canada Infrastructure Bank is lending $20-million.",
    ],
)
def test_a_lender_providing_it_a_loan_and_a_lending_clause_lend_to_the_reporter(
    sentence: str, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    # a bare "$" of a Canadian public lender is the Canadian dollar
    assert has(
        events,
        "loan",
        lender="Export Development Canada",
        borrower="Larch Cobalt",
        amount=40e6,
        currency="CAD",
    )
    assert has(
        events,
        "loan",
        lender="Canada Infrastructure Bank",
        borrower="Larch Cobalt",
        amount=20e6,
        currency="CAD",
    )


def test_a_marked_us_dollar_stays_usd(lexicon: Lexicon) -> None:
    events = run(
        "Halvard Lithium signed a US$60 million term loan with Export Development Canada.",
        lexicon,
    )
    assert has(events, "loan", lender="Export Development Canada", currency="USD")


# ------------------------------------------------------------- shares of a commitment
@pytest.mark.parametrize(
    "second",
    [
        "The package includes two loans, one to Kestrel Anode Corp. for $900 million and one "
        "to Marrow Anodes Inc. for $300 million.",
        "It is made up of two separate loans: one to Kestrel Anode Corp. for $900 million, "
        "another to Marrow Anodes Inc. for $300 million.",
    ],
)
def test_shares_of_a_commitment_give_each_party_its_sum(second: str, lexicon: Lexicon) -> None:
    text = (
        "The Department of Energy announced a joint $1.2 billion conditional loan commitment "
        "with Kestrel Anode Corp. and Marrow Anodes Inc. to build two plants in Georgia. " + second
    )
    events = run(text, lexicon)
    assert has(events, "loan", borrower="Kestrel Anode Corp", amount=900e6)
    assert has(events, "loan", borrower="Marrow Anodes Inc", amount=300e6)
    assert len(of(events, "loan")) == 2


# ------------------------------------------------------------- programme funds given
@pytest.mark.parametrize(
    "sentence",
    [
        "The Department of Defense announced a $9 million investment of Defense Production Act "
        "Title III funds to Ridge Metals.",
        "The Pentagon has committed $9 million in DPA Title III funding to Ridge Metals to "
        "expand its gallium line.",
    ],
)
def test_programme_funds_given_to_a_company_are_a_grant(sentence: str, lexicon: Lexicon) -> None:
    events = run(sentence, lexicon)
    assert has(
        events,
        "grant",
        grantor="us-dod",
        recipient="Ridge Metals",
        amount=9e6,
        program="Defense Production Act",
    )
    assert not has(events, "investment")


def test_the_department_giving_programme_funds_is_the_programmes_agency(
    lexicon: Lexicon,
) -> None:
    events = run(
        "The U.S. Defense Department said it will invest $7 million to expand antimony "
        "smelting. The Department said that it will provide the Defense Production Act funds "
        "to Copperleaf Antimony, an Idaho company.",
        lexicon,
    )
    assert has(events, "grant", grantor="us-dod", recipient="Copperleaf Antimony", amount=7e6)


def test_programme_funds_only_sought_are_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "Ridge Metals may apply for $9 million in Defense Production Act funds to expand its "
        "gallium line.",
        lexicon,
    )
    assert not has(events, "grant")


# ------------------------------------------------------------- shares of an announced total
@pytest.mark.parametrize(
    "second",
    [
        "Among them, Ascend Elements will receive $316 million, and Cirba Solutions is "
        "receiving $200 million.",
        "Funding is aimed at cathode and recycling plants, with recycler Ascend Elements "
        "receiving $316 million and Cirba Solutions getting $200 million.",
    ],
)
def test_shares_of_a_funders_total_are_each_a_grant(second: str, lexicon: Lexicon) -> None:
    text = (
        "The Energy Department said on Tuesday it will award $3 billion in grants to 25 "
        "battery companies under the Bipartisan Infrastructure Law. " + second
    )
    events = run(text, lexicon)
    for who, amount in (("Ascend Elements", 316e6), ("Cirba Solutions", 200e6)):
        assert has(
            events,
            "grant",
            grantor="Energy Department",
            recipient=who,
            amount=amount,
            program="Bipartisan Infrastructure Law",
            date="2025-06-17",
        )


def test_a_total_alone_and_a_share_paid_for_shares_are_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "The Energy Department will award $3 billion in grants to 25 battery companies. "
        "Separately, Ascend Elements received $316 million from investors for new shares.",
        lexicon,
    )
    assert not has(events, "grant")


def test_money_received_with_no_total_announced_is_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "Ascend Elements received $316 million in the quarter, and Cirba Solutions is "
        "receiving $200 million.",
        lexicon,
    )
    assert not has(events, "grant")


# ------------------------------------------------------------- an option to buy a stake
@pytest.mark.parametrize(
    "sentence",
    [
        "Under the loan terms, Export Development Canada received an option to acquire a "
        "minority stake in Larch Cobalt.",
        "Halvard Lithium granted the Export-Import Bank of Korea an option to take a 5% stake "
        "in the company.",
    ],
)
def test_an_option_to_buy_a_stake_is_no_stake(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "stake_acquisition")


# ------------------------------------------------------------- a second sum, a second party
@pytest.mark.parametrize(
    ("sentence", "first", "second"),
    [
        (
            "Export Finance Australia signed loan agreements of up to A$50 million with Tamarind "
            "Nickel Ltd, and up to A$30 million with Quoll Cobalt Ltd.",
            ("Tamarind Nickel", 50e6),
            ("Quoll Cobalt", 30e6),
        ),
        (
            "The Japan Bank for International Cooperation signed a loan agreement totaling up "
            "to $120 million with Ishikari Smelting Co., Ltd. and $45 million with Daisen "
            "Metals Co., Ltd.",
            ("Ishikari Smelting", 120e6),
            ("Daisen Metals", 45e6),
        ),
    ],
)
def test_a_second_sum_with_a_second_party_is_the_lenders_second_loan(
    sentence: str, first: tuple[str, float], second: tuple[str, float], lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    for borrower, amount in (first, second):
        assert has(events, "loan", borrower=borrower, amount=amount)


def test_a_second_sum_paid_for_a_plant_names_no_second_borrower(lexicon: Lexicon) -> None:
    events = run(
        "Export Finance Australia signed a A$50 million loan with Tamarind Nickel Ltd, and "
        "Tamarind will spend A$30 million on its refinery.",
        lexicon,
    )
    assert len(of(events, "loan")) == 1


# ------------------------------------------------------------- programme funds, no funder named
def test_programme_funds_with_no_funder_named_are_the_us_governments(lexicon: Lexicon) -> None:
    events = run(
        "Officials announced $9 million in Defense Production Act Title III funds to Ridge "
        "Metals for its gallium line.",
        lexicon,
    )
    assert has(events, "grant", grantor="us-government", recipient="Ridge Metals", amount=9e6)


def test_an_inflation_reduction_act_grant_stays_the_governments(lexicon: Lexicon) -> None:
    events = run(
        "Stonecrest Graphite Inc. received a $37 million grant under the Inflation Reduction Act.",
        lexicon,
    )
    assert not has(events, "grant", grantor="us-dod")


# ------------------------------------------------------------- awards of a funder, one by one
def test_awards_told_one_by_one_after_the_funder_issued_several(lexicon: Lexicon) -> None:
    events = run(
        "The Pentagon's industrial base office has issued several grants this spring. The "
        "first came in March, with a $52 million award for Harlow Tungsten to expand its "
        "mill. Then came an April award of $19 million to restart a smelter. That award went "
        "to Kettle Antimony Corp.",
        lexicon,
    )
    assert has(events, "grant", grantor="us-dod", recipient="Harlow Tungsten", amount=52e6)
    assert has(events, "grant", grantor="us-dod", recipient="Kettle Antimony Corp", amount=19e6)


def test_an_award_with_no_funder_named_before_is_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "The first came in March, with a $52 million award for Harlow Tungsten to expand its mill.",
        lexicon,
    )
    assert not has(events, "grant")


def test_awards_only_planned_are_no_funder(lexicon: Lexicon) -> None:
    events = run(
        "The Pentagon's industrial base office may issue several grants this year. A $52 "
        "million award for Harlow Tungsten is under review.",
        lexicon,
    )
    assert not has(events, "grant")


# ------------------------------------------------------------- more ways to name the parties
@pytest.mark.parametrize(
    ("sentence", "lender", "borrower", "amount"),
    [
        (
            "The Export-Import Bank of Korea will provide $500 million in loans to Halvard "
            "Lithium.",
            "Export-Import Bank of Korea",
            "Halvard Lithium",
            500e6,
        ),
        (
            "Crestline Magnetics Inc. received a conditional commitment from the Department of "
            "Energy for a $100 million loan.",
            "Department of Energy",
            "Crestline Magnetics",
            100e6,
        ),
        (
            "Crestline Magnetics Inc. said the Office of Strategic Capital approved a loan of up "
            "to $80 million.",
            "us-dod",
            "Crestline Magnetics",
            80e6,
        ),
        (
            "Export Development Canada is providing a US$50 million loan to battery maker Larch "
            "Cobalt Inc.",
            "Export Development Canada",
            "Larch Cobalt",
            50e6,
        ),
    ],
)
def test_lender_and_borrower_in_other_places(
    sentence: str, lender: str, borrower: str, amount: float, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "loan", lender=lender, borrower=borrower, amount=amount)


@pytest.mark.parametrize(
    "sentence",
    [
        # a total over many borrowers
        "The Export-Import Bank of Korea has made $15 billion in loans to companies such as "
        "Halvard Lithium.",
        # the loan's purpose, not its borrower
        "The Export-Import Bank of Korea approved a $300 million loan to expand the Hollow "
        "Creek mine.",
        # a loan as one form of a financing shared by two
        "In 2019, Sojitz and the Japan Bank for International Cooperation provided $250 million "
        "of financing to Halvard Lithium through loan and equity.",
    ],
)
def test_totals_purposes_and_bare_nouns_name_no_borrower(sentence: str, lexicon: Lexicon) -> None:
    events = run(sentence, lexicon)
    assert not has(events, "loan", borrower="Halvard Lithium")
    assert not has(events, "loan", borrower="Hollow Creek")
    assert not has(events, "loan", borrower="Sojitz")


@pytest.mark.parametrize(
    "sentence",
    [
        "Halvard Lithium finalized a $565 million loan with the U.S. International Development "
        "Finance Corporation, the company said.",
        "Halvard Lithium has closed a $565 million loan facility with Export Finance Australia.",
    ],
)
def test_the_subject_borrowing_from_a_public_body_is_not_its_lender(
    sentence: str, lexicon: Lexicon
) -> None:
    loans = of(run(sentence, lexicon), "loan")
    assert loans
    assert all(e["borrower"] == "Halvard Lithium" for e in loans)


def test_recipients_listed_with_their_sums_in_parentheses(lexicon: Lexicon) -> None:
    events = run(
        "The Department of Energy announced $2 billion in grants for 12 battery projects on "
        "Friday. Recipients include Alpha Graphite Inc. ($50 million) and Beta Anodes Inc. "
        "($30 million).",
        lexicon,
    )
    assert has(events, "grant", recipient="Alpha Graphite Inc", amount=50e6)
    assert has(events, "grant", recipient="Beta Anodes Inc", amount=30e6)


def test_sums_in_parentheses_without_a_list_are_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "The Department of Energy announced $2 billion in grants for 12 battery projects on "
        "Friday. Shares of Alpha Graphite Inc. ($50 million market value) rose.",
        lexicon,
    )
    assert not has(events, "grant", recipient="Alpha Graphite Inc")


# ------------------------------------------------------------- a loan recalled in a relative clause
@pytest.mark.parametrize(
    "sentence",
    [
        "Halvard Lithium, which secured a $300 million loan from the Export-Import Bank of "
        "Korea in 2022, said output rose.",
        "In 2021, the Department of Energy awarded $30 million to Alpha Graphite Inc., which "
        "last year repaid a $20 million loan to the Export-Import Bank of Korea.",
    ],
)
def test_a_loan_recalled_in_a_relative_clause_is_background(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not has(run(sentence, lexicon), "loan")


def test_a_funder_before_a_relative_clause_still_gives(lexicon: Lexicon) -> None:
    events = run(
        "Harbor Magnetics signed an agreement with the Department of Defense, which will "
        "provide $12.5 million for new furnaces.",
        lexicon,
    )
    assert has(events, "grant", grantor="us-dod", recipient="Harbor Magnetics", amount=12.5e6)


# ------------------------------------------------------------- commitments, contributions
@pytest.mark.parametrize(
    "sentence",
    [
        "The Department of Energy issued a conditional commitment to Halvard Lithium Inc. for "
        "a $500 million loan.",
        "The Export-Import Bank of Korea has made a commitment to Halvard Lithium Inc. for a "
        "$500 million term loan.",
    ],
)
def test_a_commitment_to_a_company_for_a_loan(sentence: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), "loan", borrower="Halvard Lithium Inc", amount=500e6)


def test_a_commitment_only_considered_is_none(lexicon: Lexicon) -> None:
    events = run(
        "The Department of Energy may issue a conditional commitment to Halvard Lithium Inc. "
        "for a $500 million loan.",
        lexicon,
    )
    assert not has(events, "loan")


@pytest.mark.parametrize(
    ("sentence", "grantor"),
    [
        (
            "Halvard Lithium Inc. will receive a $40 million non-repayable contribution from the "
            "Strategic Innovation Fund.",
            "Strategic Innovation Fund",
        ),
        (
            "Larch Cobalt Inc. secured C$12 million in non-repayable funding from Natural "
            "Resources Canada for its refinery.",
            "Natural Resources Canada",
        ),
        (
            "Natural Resources Canada will provide Larch Cobalt Inc. with a $10-million grant.",
            "Natural Resources Canada",
        ),
    ],
)
def test_money_given_without_repayment_is_a_grant(
    sentence: str, grantor: str, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    assert has(events, "grant", grantor=grantor)
    assert not has(events, "loan")


def test_a_non_repayable_contribution_applied_for_is_none(lexicon: Lexicon) -> None:
    events = run(
        "Larch Cobalt Inc. has applied for a C$12 million non-repayable contribution from "
        "Natural Resources Canada.",
        lexicon,
    )
    assert not has(events, "grant")


def test_the_energy_departments_acronym_names_it_in_full(lexicon: Lexicon) -> None:
    events = run("Halvard Lithium Inc. receives $25 million DOE grant for its plant.", lexicon)
    assert has(events, "grant", grantor="U.S. Department of Energy", amount=25e6)


# ------------------------------------------------------------- lenders lend
@pytest.mark.parametrize(
    ("sentence", "lender", "borrower"),
    [
        (
            "The DFC approved $150 million in financing for Halvard Lithium Inc.'s project in "
            "Brazil.",
            "U.S. International Development Finance Corporation",
            "Halvard Lithium Inc",
        ),
        (
            "Export Finance Australia will provide A$15 million in financing to Tamarind Nickel "
            "Ltd for its refinery.",
            "Export Finance Australia",
            "Tamarind Nickel",
        ),
    ],
)
def test_financing_from_a_public_lender_is_a_loan(
    sentence: str, lender: str, borrower: str, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    assert has(events, "loan", lender=lender, borrower=borrower)
    assert not has(events, "grant")


def test_financing_from_a_ministry_stays_a_grant(lexicon: Lexicon) -> None:
    events = run(
        "The Department of Defense will provide $15 million in financing to Tamarind Nickel "
        "Ltd for its refinery.",
        lexicon,
    )
    assert not has(events, "loan")


@pytest.mark.parametrize(
    "text",
    [
        "The Department of Energy announced $2 billion in grants for 12 battery projects on "
        "Friday. Of the total, $50 million goes to Alpha Graphite Inc. and $30 million to Beta "
        "Anodes Inc.",
        "The Department of Energy will award $2 billion in grants to 12 battery projects, "
        "including $50 million for Alpha Graphite Inc. and $30 million for Beta Anodes Inc.",
    ],
)
def test_sums_going_to_recipients_of_a_total(text: str, lexicon: Lexicon) -> None:
    events = run(text, lexicon)
    assert has(events, "grant", recipient="Alpha Graphite Inc", amount=50e6)
    assert has(events, "grant", recipient="Beta Anodes Inc", amount=30e6)


def test_a_purchase_listed_after_a_total_is_no_grant(lexicon: Lexicon) -> None:
    events = run(
        "The Department of Energy announced $2 billion in grants for 12 battery projects on "
        "Friday. Alpha Graphite Inc. has made several purchases this year, including $50 "
        "million for Beta Anodes Inc.",
        lexicon,
    )
    assert not has(events, "grant", recipient="Beta Anodes Inc")


# ------------------------------------------------------------- borrower's side, loan as subject
@pytest.mark.parametrize(
    "sentence",
    [
        "Under the deal, Halvard Metals Inc. will borrow $300 million from the Export-Import "
        "Bank of Korea.",
        "Halvard Metals Inc. said a $300 million loan will be provided by the Export-Import Bank "
        "of Korea.",
        "A $300 million loan from the Export-Import Bank of Korea to Halvard Metals Inc. was "
        "finalized on Monday.",
        "Halvard Metals Inc. and the Export-Import Bank of Korea signed a $300 million loan "
        "agreement on Monday.",
        "The Export-Import Bank of Korea and Halvard Metals Inc. have signed a loan agreement "
        "worth $300 million.",
    ],
)
def test_loans_from_the_borrowers_side_or_as_the_subject(sentence: str, lexicon: Lexicon) -> None:
    events = run(sentence, lexicon)
    assert has(
        events,
        "loan",
        lender="Export-Import Bank of Korea",
        borrower="Halvard Metals Inc",
        amount=300e6,
    )
    assert not has(events, "loan", lender="Halvard Metals Inc")


@pytest.mark.parametrize(
    "sentence",
    [
        "Halvard Metals Inc. may borrow $300 million from the Export-Import Bank of Korea.",
        "A $300 million loan from the Export-Import Bank of Korea to Halvard Metals Inc. is "
        "still under review.",
        "Halvard Metals Inc. and the Export-Import Bank of Korea are in talks over a $300 "
        "million loan agreement.",
    ],
)
def test_loans_considered_from_either_side_are_none(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "loan")


def test_a_company_named_corporation_is_no_public_lender(lexicon: Lexicon) -> None:
    events = run(
        "Acme Nickel Corporation closed a US$200 million loan with Export Development Canada.",
        lexicon,
    )
    assert has(
        events,
        "loan",
        lender="Export Development Canada",
        borrower="Acme Nickel Corporation",
        currency="USD",
    )


# ------------------------------------------------------------- names, verbs, no supply deal
@pytest.mark.parametrize(
    "sentence",
    [
        "Korea Eximbank signed an agreement to provide a $200 million loan to Halvard Metals "
        "Inc. for its lithium project.",
        "The Korea Eximbank has decided to extend a $200 million loan to Halvard Metals Inc.",
    ],
)
def test_a_lenders_other_name_gives_its_full_name_and_no_supply_deal(
    sentence: str, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    assert has(
        events,
        "loan",
        lender="Export-Import Bank of Korea",
        borrower="Halvard Metals Inc",
        amount=200e6,
    )
    assert not has(events, "offtake")


def test_a_supply_deal_beside_a_loan_between_other_parties_stays(lexicon: Lexicon) -> None:
    events = run(
        "Halvard Metals Inc. signed a deal to supply 10,000 tonnes of lithium a year to Tesla, "
        "after Korea Eximbank approved a $200 million loan to Halvard Metals Inc.",
        lexicon,
    )
    assert has(events, "offtake", buyer="Tesla")
