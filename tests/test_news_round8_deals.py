"""Deal events of round 8 (stakes, investments, supply deals, loans, grants), each a class of
construction tested on sentences we wrote (the development half's misses showed the classes;
no sentence is from an article): a body the article names by an acronym it defined takes the
full name; coordinated parties, one of them an acronym in parentheses, each make the deal; a
name opening the sentence before an apposition is the subject; a person's company that
reports the deal holds the stake; "raised her stake again in"."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def of_type(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


# ------------------------------------------------------------------ acronyms the text defines
@pytest.mark.parametrize(
    ("text", "full"),
    [
        (
            "The U.S. International Development Finance Corporation (DFC) is widening its "
            "reach in Africa. In Zambia, DFC signed a $40 million loan agreement with Boreal "
            "Graphite Inc. to build a mill.",
            "U.S. International Development Finance Corporation",
        ),
        (
            "The Japan Bank for International Cooperation (JBIC) opened an office in Lima "
            "last year. JBIC signed a loan agreement of up to $75 million with Kestrel Copper "
            "Ltd.",
            "Japan Bank for International Cooperation",
        ),
    ],
)
def test_a_lender_named_by_its_defined_acronym_takes_the_full_name(
    text: str, full: str, lexicon: Lexicon
) -> None:
    loans = of_type(run(text, lexicon), "loan")
    assert [e["lender"] for e in loans] == [full]


def test_an_acronym_whose_letters_are_not_the_initials_is_not_expanded(lexicon: Lexicon) -> None:
    # "JOGMEC" is not "J O M E S": the reader keeps the name the sentence uses
    text = (
        "The Japan Organization for Metals and Energy Security (JOGMEC) visited Perth. "
        "JOGMEC has invested A$20 million in Boreal Graphite Inc."
    )
    assert has(run(text, lexicon), "investment", investor="JOGMEC", target="Boreal Graphite Inc.")


# ------------------------------------------------------------------ coordinated parties
@pytest.mark.parametrize(
    "text",
    [
        "In a joint statement, the Korea Mine Rehabilitation Corporation (KOMIR) and Hanwha "
        "said they would provide up to 90 million euros in equity and debt financing to "
        "Boreal Graphite Inc.",
        "Nordic Smelting Corporation (NSC) and Kestrel Partners said on Monday they would "
        "provide $60 million of equity financing to Boreal Graphite Inc.",
    ],
)
def test_both_parties_of_a_pair_with_an_acronym_invest(text: str, lexicon: Lexicon) -> None:
    investors = {e["investor"] for e in of_type(run(text, lexicon), "investment")}
    assert len(investors) == 2
    assert any("Hanwha" in i or "Kestrel" in i for i in investors)


def test_they_after_a_pair_with_an_acronym_is_both_buyers(lexicon: Lexicon) -> None:
    text = (
        "The Korea Mine Rehabilitation Corporation (KOMIR) and Hanwha said they would provide "
        "up to 90 million euros in equity financing to Boreal Graphite Inc. They have also "
        "signed a long-term offtake contract with Boreal Graphite Inc. to secure half its "
        "graphite output."
    )
    buyers = {e["buyer"] for e in of_type(run(text, lexicon), "offtake")}
    assert "Hanwha" in buyers and len(buyers) == 2


def test_a_pair_in_talks_still_makes_no_investment(lexicon: Lexicon) -> None:
    text = (
        "The Korea Mine Rehabilitation Corporation (KOMIR) and Hanwha said they were in talks "
        "to provide up to 90 million euros in equity financing to Boreal Graphite Inc."
    )
    assert not of_type(run(text, lexicon), "investment")


# ------------------------------------------------------------------ persons and their vehicles
@pytest.mark.parametrize(
    ("text", "acquirer", "target"),
    [
        (
            "Tom Baxter, Canada's richest man, has widened his portfolio by acquiring a stake "
            "in Boreal Graphite Inc.",
            "Tom Baxter",
            "Boreal Graphite Inc.",
        ),
        (
            "Kestrel Partners, a London hedge fund run by two former traders, has quietly "
            "acquired a stake in Boreal Graphite Inc.",
            "Kestrel Partners",
            "Boreal Graphite Inc.",
        ),
        (
            "Tom Baxter, Canada's richest man, has widened his portfolio by acquiring a stake "
            "in Boreal Graphite Inc. through his investment firm, Baxter Holdings.",
            "Baxter Holdings",
            "Boreal Graphite Inc.",
        ),
    ],
)
def test_a_name_before_an_apposition_is_the_subject(
    text: str, acquirer: str, target: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "stake_acquisition", acquirer=acquirer, target=target)


@pytest.mark.parametrize(
    "text",
    [
        "Tom Baxter lifted his stake in Boreal Graphite Inc. to 16.7%, his company Baxter "
        "Holdings said on Friday.",
        "Tom Baxter has bought a 6% stake in Boreal Graphite Inc., his family office Baxter "
        "Holdings announced.",
    ],
)
def test_the_company_a_person_reports_through_holds_the_stake(text: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "stake_acquisition", acquirer="Baxter Holdings")


def test_a_company_of_the_person_that_does_not_report_the_deal_is_no_vehicle(
    lexicon: Lexicon,
) -> None:
    # no reporting verb after the company: it is not the one that made the deal
    text = (
        "Tom Baxter bought a 6% stake in Boreal Graphite Inc., while his company Baxter "
        "Holdings sold its shares in Kestrel Metals."
    )
    ev = run(text, lexicon)
    assert has(ev, "stake_acquisition", acquirer="Tom Baxter", target="Boreal Graphite Inc.")
    assert not has(ev, "stake_acquisition", acquirer="Baxter Holdings")


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Partners raised its stake again in Boreal Graphite Inc. this week.",
        "Kestrel Partners has lifted its stake further in Boreal Graphite Inc., a filing showed.",
    ],
)
def test_an_adverb_between_stake_and_in(text: str, lexicon: Lexicon) -> None:
    assert has(
        run(text, lexicon),
        "stake_acquisition",
        acquirer="Kestrel Partners",
        target="Boreal Graphite Inc.",
    )


def test_a_stake_raised_again_only_in_talks_is_none(lexicon: Lexicon) -> None:
    text = "Kestrel Partners is in talks to raise its stake again in Boreal Graphite Inc."
    assert not of_type(run(text, lexicon), "stake_acquisition")


# ------------------------------------------------------------------ money from a public body
@pytest.mark.parametrize(
    ("text", "grantor"),
    [
        (
            "Boreal Graphite Inc. received $12 million from the U.S. Department of Energy in "
            "March to finish its anode line.",
            "U.S. Department of Energy",
        ),
        (
            "Boreal Graphite Inc. won $7.5-million from the Pentagon last autumn under a "
            "national security programme.",
            "us-dod",
        ),
    ],
)
def test_money_received_from_a_public_body_is_a_grant(
    text: str, grantor: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "grant", grantor=grantor, recipient="Boreal Graphite Inc.")
    assert not of_type(ev, "investment")


@pytest.mark.parametrize(
    "text",
    [
        # equity bought: an investment, not a grant
        "Boreal Graphite Inc. received $12 million from the U.S. Department of Energy for "
        "preferred shares.",
        # a private investor's money stays an investment
        "Boreal Graphite Inc. received $12 million from Kestrel Partners in March.",
        # a loan is a loan
        "Boreal Graphite Inc. received a $12 million loan from the U.S. Department of Energy.",
    ],
)
def test_money_with_equity_debt_or_a_private_source_is_no_grant(
    text: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(text, lexicon), "grant")


# ------------------------------------------------------------------ "the company" after a phrase
@pytest.mark.parametrize(
    "second",
    [
        "Besides its venture backers, the company was awarded a $30 million grant by the U.S. "
        "Department of Energy.",
        "Last year the company received $30 million from the U.S. Department of Energy.",
    ],
)
def test_the_company_after_a_fronted_phrase_is_the_company_named_before(
    second: str, lexicon: Lexicon
) -> None:
    text = "Boreal Graphite Inc. makes anode material in Ohio. " + second
    assert has(run(text, lexicon), "grant", recipient="Boreal Graphite Inc.")


def test_the_company_is_the_story_company_not_a_bystander(lexicon: Lexicon) -> None:
    # the sentence before names another company that is party to no deal yet
    text = (
        "Boreal Graphite Inc. closed a $40 million round led by Kestrel Partners with "
        "participation from Heron Ventures. Nordic Smelting Corporation, which bought shares "
        "in 2022, is expected to join the next round. Separately, the company was awarded a "
        "$9 million grant by the U.S. Department of Energy."
    )
    ev = run(text, lexicon)
    assert has(ev, "grant", recipient="Boreal Graphite Inc.")
    assert not has(ev, "grant", recipient="Nordic Smelting Corporation")


def test_the_company_is_the_last_named_one_when_no_story_company(lexicon: Lexicon) -> None:
    text = (
        "Albemarle reported lower prices. Kestrel Lithium Corporation said output rose. "
        "Last year the company received $5 million from the U.S. Department of Energy."
    )
    assert has(run(text, lexicon), "grant", recipient="Kestrel Lithium Corporation")


# ------------------------------------------------------------------ names after a possessive
@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Western Quebec's Boreal Graphite Corporation received a $3 million grant from the "
            "U.S. Department of Energy.",
            "Boreal Graphite Corporation",
        ),
        (
            "Northern Chile's Atacama Salt Resources Ltd signed a $20 million loan agreement "
            "with the Japan Bank for International Cooperation.",
            "Atacama Salt Resources Ltd",
        ),
    ],
)
def test_a_place_in_the_possessive_is_no_part_of_a_name(
    text: str, name: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    parties = {v for e in ev for k, v in e.items() if k in ("recipient", "borrower")}
    assert parties == {name}


# ------------------------------------------------------------------ the public party lends
@pytest.mark.parametrize(
    "text",
    [
        "Atacama Salt Resources Ltd signed a $20 million loan agreement with the Japan Bank "
        "for International Cooperation.",
        "Atacama Salt Resources Ltd has signed a $20 million debt facility with Export "
        "Finance Australia for its brine project.",
    ],
)
def test_a_company_signing_a_loan_with_a_public_lender_borrows(text: str, lexicon: Lexicon) -> None:
    loans = of_type(run(text, lexicon), "loan")
    assert [e["borrower"] for e in loans] == ["Atacama Salt Resources Ltd"]


def test_a_loan_between_two_companies_keeps_its_roles(lexicon: Lexicon) -> None:
    # neither party is a public lender: the rule leaves the reading of the verb alone
    text = "Kestrel Partners signed a $5 million loan agreement with Boreal Graphite Inc."
    assert has(
        run(text, lexicon), "loan", lender="Kestrel Partners", borrower="Boreal Graphite Inc."
    )


# ------------------------------------------------------------------ stakes in several companies
@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Partners has bought stakes in several juniors, including Boreal Graphite Inc "
        "and Heron Lithium Ltd.",
        "Since 2023 Kestrel Partners has taken equity stakes in small explorers such as Boreal "
        "Graphite Inc and Heron Lithium Ltd.",
        "Kestrel Partners took stakes in Boreal Graphite Inc (BGI) and Heron Lithium Ltd last "
        "year.",
    ],
)
def test_stakes_in_companies_listed_as_examples(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    targets = {e["target"] for e in of_type(ev, "stake_acquisition")}
    assert {t.rstrip(".") for t in targets} == {"Boreal Graphite Inc", "Heron Lithium Ltd"}
    assert all(e["acquirer"] == "Kestrel Partners" for e in of_type(ev, "stake_acquisition"))


@pytest.mark.parametrize(
    "text",
    [
        # a holding told as a state
        "Kestrel Partners holds stakes in several juniors, including Boreal Graphite Inc.",
        # talks
        "Kestrel Partners is in talks to take stakes in several juniors, including Boreal "
        "Graphite Inc.",
        # a conjecture
        "Analysts say Kestrel Partners could take stakes in miners such as Boreal Graphite Inc.",
    ],
)
def test_stakes_held_discussed_or_guessed_are_no_acquisition(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "stake_acquisition")


@pytest.mark.parametrize(
    ("text", "acquirer"),
    [
        ("The United States took a 10% stake in Boreal Graphite Inc in August.", "us-government"),
        ("Last spring, Japan quietly bought a 7% stake in Heron Lithium Ltd.", "JPN"),
    ],
)
def test_a_country_as_subject_acquires_as_its_government(
    text: str, acquirer: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "stake_acquisition", acquirer=acquirer)


def test_a_country_in_the_possessive_is_no_acquirer(lexicon: Lexicon) -> None:
    text = "Japan's Kestrel Partners took a 7% stake in Heron Lithium Ltd."
    ev = run(text, lexicon)
    assert has(ev, "stake_acquisition", acquirer="Kestrel Partners")
    assert not has(ev, "stake_acquisition", acquirer="JPN")


# ------------------------------------------------------------------ accented names
@pytest.mark.parametrize(
    ("text", "borrower"),
    [
        (
            "The Japan Bank for International Cooperation signed a loan agreement of up to "
            "USD60 million with Compañía Minera del Sur S.A. for its copper mine.",
            "Compañía Minera del Sur S.A.",
        ),
        (
            "Société Minière du Nord SA secured a $20 million loan from Export Finance Australia.",
            "Société Minière du Nord SA",
        ),
        (
            "Export Finance Australia lent $15 million to Mineração Serra Azul Ltda.",
            "Mineração Serra Azul Ltda.",
        ),
    ],
)
def test_a_name_with_accented_letters_is_read_whole(
    text: str, borrower: str, lexicon: Lexicon
) -> None:
    loans = of_type(run(text, lexicon), "loan")
    assert [e["borrower"] for e in loans] == [borrower]


def test_a_known_short_name_alone_is_still_the_known_company(lexicon: Lexicon) -> None:
    # the longer forms above must not stop "Vale" alone from being the sector's Vale
    assert has(
        run("Vale signed a nickel supply deal with Tesla.", lexicon), "offtake", supplier="Vale"
    )


# ------------------------------------------------------------------ grants told as nouns
@pytest.mark.parametrize(
    ("text", "recipient", "amount"),
    [
        (
            "The Pentagon handed out several grants this year. The first came in May, with a "
            "$21.5 million award for Boreal Graphite Inc to expand its anode plant.",
            "Boreal Graphite Inc",
            21.5e6,
        ),
        (
            "The U.S. Department of Energy unveiled its battery programme on Monday, including "
            "a $9 million grant to Heron Lithium Ltd for a pilot refinery.",
            "Heron Lithium Ltd",
            9e6,
        ),
    ],
)
def test_a_grant_told_as_a_noun_with_its_recipient(
    text: str, recipient: str, amount: float, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "grant", recipient=recipient, amount=amount)


def test_a_grant_whose_recipient_the_next_sentence_names(lexicon: Lexicon) -> None:
    text = (
        "The Pentagon issued several grants this year. Next came a July 2 award for $4.5 "
        "million to lift magnet output. That award went to Kestrel Materials Inc, which runs "
        "a plant in Ohio."
    )
    assert has(
        run(text, lexicon, "2025-09-01"),
        "grant",
        grantor="us-dod",
        recipient="Kestrel Materials Inc",
        amount=4.5e6,
        date="2025-07-02",
    )


@pytest.mark.parametrize(
    "text",
    [
        "The Pentagon runs a grant scheme. Boreal Graphite Inc applied for a $5 million grant "
        "for its anode plant.",
        "The Pentagon runs a grant scheme. Boreal Graphite Inc is seeking a $5 million award "
        "for its anode plant.",
    ],
)
def test_a_grant_applied_for_is_no_grant(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "grant")


# ------------------------------------------------------------------ money into an equity raise
@pytest.mark.parametrize(
    ("text", "investor", "amount"),
    [
        (
            "Boreal Graphite Inc said the purchase would be paid for with a A$200 million "
            "placement, with its biggest shareholder, Kestrel Partners, committing to invest "
            "about A$30 million.",
            "Kestrel Partners",
            30e6,
        ),
        (
            "Swiss metals trader Heron Capital is also set to invest up to $25 million as part "
            "of the capital raising, Boreal Graphite Inc added.",
            "Heron Capital",
            25e6,
        ),
        (
            "Boreal Graphite Inc launched a rights issue on Monday. Heron Capital will take up "
            "$12 million in the rights issue.",
            "Heron Capital",
            12e6,
        ),
    ],
)
def test_money_into_a_company_s_equity_raise_is_invested_in_that_company(
    text: str, investor: str, amount: float, lexicon: Lexicon
) -> None:
    assert has(
        run(text, lexicon),
        "investment",
        investor=investor,
        target="Boreal Graphite Inc",
        amount=amount,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Heron Capital is considering whether to invest $40 million in the placement, Boreal "
        "Graphite Inc said.",
        "Heron Capital may invest up to $40 million as part of the equity raise, Boreal "
        "Graphite Inc said.",
    ],
)
def test_money_into_a_raise_only_considered_is_no_investment(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "investment")


# ------------------------------------------------------------------ "supply <descriptor> Y with"
@pytest.mark.parametrize(
    ("text", "buyer"),
    [
        (
            "Heron Lithium Ltd has agreed to supply U.S. carmaker Ford with lithium hydroxide.",
            "Ford",
        ),
        (
            "Heron Lithium Ltd owns the Kestrel project. The developer has already agreed to "
            "supply German car giant BMW with spodumene concentrate.",
            "BMW",
        ),
    ],
)
def test_a_buyer_named_after_its_nationality_and_trade(
    text: str, buyer: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "offtake", supplier="Heron Lithium Ltd", buyer=buyer)


@pytest.mark.parametrize(
    "text",
    [
        "Heron Lithium Ltd hopes to supply U.S. carmaker Ford with lithium hydroxide.",
        "Heron Lithium Ltd has agreed to supply customers in Europe with lithium hydroxide.",
    ],
)
def test_a_hoped_supply_or_unnamed_customers_make_no_deal(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "offtake")


# ------------------------------------------------------------------ coordinated loans
@pytest.mark.parametrize(
    ("text", "second", "amount"),
    [
        (
            "The Japan Bank for International Cooperation signed today loan agreements "
            "totalling up to 70 million U.S. dollars with Heron Metals Co., Ltd. (HM), and up "
            "to 12 million U.S. dollars with Kestrel Trading Co., Ltd. (KT).",
            "Kestrel Trading Co.",
            12e6,
        ),
        (
            "Export Finance Australia lent A$40 million to Boreal Graphite Ltd and A$15 million "
            "to Heron Lithium Ltd.",
            "Heron Lithium Ltd.",
            15e6,
        ),
    ],
)
def test_a_second_loan_told_by_coordination(
    text: str, second: str, amount: float, lexicon: Lexicon
) -> None:
    loans = of_type(run(text, lexicon), "loan")
    assert len(loans) == 2
    assert has(loans, "loan", borrower=second, amount=amount)


def test_a_coordinated_clause_of_another_kind_is_no_second_loan(lexicon: Lexicon) -> None:
    text = (
        "Export Finance Australia lent A$40 million to Boreal Graphite Ltd, and Heron Lithium "
        "Ltd raised $15 million with investors."
    )
    assert len(of_type(run(text, lexicon), "loan")) == 1


# ------------------------------------------------------------------ long appositions
@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Capital, a resources investment vehicle with a long record in the junior "
        "mining sector, has invested a further £450,000 in Boreal Graphite Inc.",
        "Kestrel Capital, the family office of a retired mining engineer from Perth in Western "
        "Australia, has invested £450,000 in Boreal Graphite Inc.",
    ],
)
def test_a_long_apposition_still_leaves_the_subject(text: str, lexicon: Lexicon) -> None:
    assert has(
        run(text, lexicon),
        "investment",
        investor="Kestrel Capital",
        target="Boreal Graphite Inc.",
        amount=450000,
        currency="GBP",
    )


def test_a_hedged_investment_after_a_long_apposition_is_none(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Capital, a resources investment vehicle with a long record in the junior "
        "mining sector, may invest a further £450,000 in Boreal Graphite Inc."
    )
    assert not of_type(run(text, lexicon), "investment")


# ------------------------------------------------------------------ nothing sold
@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Metals Ltd sells antimony. Its chief executive said the agreement would "
        "provide a framework to advance talks with Heron Corp on long-term solutions.",
        "Kestrel Metals Ltd agreed to supply Heron Corp with technical services for its "
        "antimony plant.",
        "Kestrel Metals Ltd will provide Heron Corp access to its antimony know-how.",
    ],
)
def test_providing_no_goods_is_no_supply_deal(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "offtake")


def test_goods_provided_are_still_a_supply_deal(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Metals Ltd agreed to supply Heron Corp with 5,000 tonnes of antimony concentrate."
    )
    assert has(
        run(text, lexicon),
        "offtake",
        supplier="Kestrel Metals Ltd",
        buyer="Heron Corp",
        quantity=5000,
    )


# ------------------------------------------------------------------ a grant's funder named before
@pytest.mark.parametrize(
    ("first", "grantor"),
    [
        ("Boreal Graphite Inc needs $10 million to match a Defense Department grant.", "us-dod"),
        (
            "Boreal Graphite Inc must raise matching funds for its U.S. Department of Energy "
            "grant.",
            "U.S. Department of Energy",
        ),
    ],
)
def test_a_programme_grant_takes_the_funder_the_article_named(
    first: str, grantor: str, lexicon: Lexicon
) -> None:
    text = (
        first + " Last week Boreal Graphite Inc was selected to receive a $20 million grant "
        "under the Defense Production Act."
    )
    assert has(run(text, lexicon), "grant", grantor=grantor, recipient="Boreal Graphite Inc")


def test_a_programme_grant_with_no_funder_named_is_the_us_government(lexicon: Lexicon) -> None:
    text = (
        "Boreal Graphite Inc makes anode material in Ohio. Last week it was selected to receive "
        "a $20 million grant under the Defense Production Act."
    )
    assert has(run(text, lexicon), "grant", grantor="us-government")


# ------------------------------------------------------------------ a headline kept as line one
@pytest.mark.parametrize(
    "text",
    [
        "Canada Takes 10% Stake in Boreal Graphite Inc to Secure Anode Supply\n\n"
        "On May 2, 2025, Canada Growth Fund announced the acquisition of a 10% stake in Boreal "
        "Graphite Inc.",
        "Ottawa Buys Into Boreal Graphite Inc\n\nCanada Growth Fund said on Friday it had "
        "acquired a 10% stake in Boreal Graphite Inc.",
    ],
)
def test_a_headline_line_abbreviating_the_buyer_is_dropped(text: str, lexicon: Lexicon) -> None:
    stakes = of_type(run(text, lexicon, "2025-05-03"), "stake_acquisition")
    assert [e["acquirer"] for e in stakes] == ["Canada Growth Fund"]


def test_a_first_line_that_is_a_sentence_keeps_its_deal(lexicon: Lexicon) -> None:
    text = (
        "Canada has taken a 10% stake in Boreal Graphite Inc, the government said.\n\n"
        "Canada Growth Fund said on Friday it had acquired a 10% stake in Boreal Graphite Inc."
    )
    acquirers = {e["acquirer"] for e in of_type(run(text, lexicon), "stake_acquisition")}
    assert len(acquirers) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Partners bought a 5% stake in Boreal Graphite Inc and its Heron Lake JV.",
        "Kestrel Partners took a 20% stake in the Heron Lake JV.",
    ],
)
def test_a_joint_venture_abbreviated_jv_is_written_out(text: str, lexicon: Lexicon) -> None:
    targets = {e["target"] for e in of_type(run(text, lexicon), "stake_acquisition")}
    assert "Heron Lake joint venture" in targets


# ------------------------------------------------------------------ a buyer by nationality
@pytest.mark.parametrize(
    ("text", "buyer"),
    [
        (
            "Heron Lithium Ltd signed a binding offtake deal with LG Energy Solution for its "
            "Kestrel project. Under the deal, Heron Lithium Ltd will deliver up to 90,000 tonnes "
            "a year of spodumene concentrate to the South Korean company.",
            "LG Energy Solution",
        ),
        (
            "Heron Lithium Ltd met executives of Panasonic and Hyundai in Seoul last week. Heron "
            "Lithium Ltd agreed to sell 20,000 tonnes of lithium hydroxide to the South Korean "
            "carmaker from 2027.",
            "Hyundai",
        ),
    ],
)
def test_a_buyer_named_by_nationality_and_trade_is_the_story_s_company_of_that_country(
    text: str, buyer: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "offtake", supplier="Heron Lithium Ltd", buyer=buyer)


@pytest.mark.parametrize(
    "text",
    [
        # no South Korean company named before
        "Heron Lithium Ltd met Panasonic in Tokyo. Heron Lithium Ltd will sell 20,000 tonnes "
        "of lithium hydroxide to the South Korean carmaker from 2027.",
        # a hedge
        "Heron Lithium Ltd met Hyundai in Seoul. Heron Lithium Ltd could sell 20,000 tonnes of "
        "lithium hydroxide to the South Korean carmaker from 2027.",
    ],
)
def test_no_buyer_of_that_country_or_a_hedge_gives_no_deal(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "offtake")
