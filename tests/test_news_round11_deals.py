"""Round 11: money and deals as the sixth collection's development half tells them, one class
of construction per rule (docs/news.md, "Round 11: money and deals on the sixth collection").
Every sentence is ours, worded unlike the articles; each rule has at least two sentences it
reads and one it must leave alone (a hedge, talks, a plan, a background clause)."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

PUBLISHED = "2025-06-20"
DEALS = ("stake_acquisition", "investment", "offtake", "loan", "grant")
_HOME_DOLLAR = {"AUS": "AUD", "CAN": "CAD"}


def _deals(text: str, lexicon: Lexicon) -> list[dict[str, Any]]:
    return [e for e in events_of(text, lexicon, PUBLISHED) if e["type"] in DEALS]


def _check(text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon) -> None:
    events = _deals(text, lexicon)
    for etype, fields in expected:
        assert has(events, etype, **fields), (etype, fields, events)
    # no deal beyond those stated (a party read with its descriptor is a false event too)
    assert len(events) == len(expected), events


# ------------------------------------------------------------ a sum and its conversion
CONVERSION = [
    (
        "Tolvana Resources has won a 40 million euro (US$47 million) grant from the German "
        "government for its lithium refinery.",
        [
            (
                "grant",
                {
                    "grantor": "DEU",
                    "recipient": "Tolvana Resources",
                    "amount": 40e6,
                    "currency": "EUR",
                },
            )
        ],
    ),
    (
        "Kestrel Copper signed a ¥12 billion (about $80 million) loan agreement with the Japan "
        "Bank for International Cooperation on Monday.",
        [
            (
                "loan",
                {
                    "lender": "Japan Bank for International Cooperation",
                    "borrower": "Kestrel Copper",
                    "amount": 12e9,
                    "currency": "JPY",
                },
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CONVERSION)
def test_the_sum_stated_first_is_the_fact(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """A sum in parentheses right after another is that sum converted, whichever currency
    each is written in; the deal keeps the sum as stated."""
    _check(text, expected, lexicon)


def test_a_converted_sum_in_a_hedge_is_no_grant(lexicon: Lexicon) -> None:
    text = (
        "Tolvana Resources may win a 40 million euro (US$47 million) grant from the German "
        "government for its lithium refinery."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a descriptor glued to a name
DESCRIBED = [
    (
        "Start-up Tolvana has won a A$20 million grant from the Australian government for its "
        "lithium refinery.",
        [("grant", {"grantor": "AUS", "recipient": "Tolvana", "amount": 20e6})],
    ),
    (
        "Export Development Canada signed a loan agreement with Peru's Minera Quellaveco Norte "
        "for its copper mine.",
        [
            (
                "loan",
                {"lender": "Export Development Canada", "borrower": "Minera Quellaveco Norte"},
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DESCRIBED)
def test_a_party_without_its_glued_descriptor(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """A role noun opening the sentence ("Start-up X") or a country's possessive ("Peru's X")
    is no part of the new party's name."""
    _check(text, expected, lexicon)


def test_a_descriptor_before_a_hoped_grant_gives_none(lexicon: Lexicon) -> None:
    text = (
        "Start-up Tolvana said it hoped to win a A$20 million grant from the Australian government."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ lenders sharing one loan
LENDERS = [
    (
        "Export Development Canada, UK Export Finance and the Export-Import Bank of Korea signed "
        "a $600 million loan agreement with Sorrento Copper on Friday.",
        ["Export Development Canada", "UK Export Finance", "Export-Import Bank of Korea"],
        "Sorrento Copper",
    ),
    (
        "Export Finance Australia and Export Development Canada have signed a loan facility "
        "with Talwyn Graphite to build its graphite plant.",
        ["Export Finance Australia", "Export Development Canada"],
        "Talwyn Graphite",
    ),
]


@pytest.mark.parametrize(("text", "lenders", "borrower"), LENDERS)
def test_public_lenders_of_one_loan_each_lend(
    text: str, lenders: list[str], borrower: str, lexicon: Lexicon
) -> None:
    """Public lenders coordinated as the subject of one loan with X each lend to X; the joint
    sum is none of theirs."""
    events = _deals(text, lexicon)
    for lender in lenders:
        assert has(events, "loan", lender=lender, borrower=borrower, amount=None), events
    assert len(events) == len(lenders), events


def test_lenders_in_talks_give_no_loan(lexicon: Lexicon) -> None:
    text = (
        "Export Development Canada and the Export-Import Bank of Korea are in talks to sign a "
        "loan agreement with Sorrento Copper."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a public lender's other spellings
SPELLINGS = [
    (
        "Brightwater Nickel signed a $200 million loan agreement with the Exim Bank of India on "
        "Thursday.",
        "Export-Import Bank of India",
        "Brightwater Nickel",
    ),
    (
        "The Japan Bank for International Co-operation (JBIC) signed a loan agreement with "
        "Kestrel Copper to fund its copper mine.",
        "Japan Bank for International Cooperation",
        "Kestrel Copper",
    ),
]


@pytest.mark.parametrize(("text", "lender", "borrower"), SPELLINGS)
def test_a_public_lender_by_its_listed_name(
    text: str, lender: str, borrower: str, lexicon: Lexicon
) -> None:
    """ "Exim Bank of X" is the Export-Import Bank of X; a name spelt otherwise but followed by
    a listed acronym is the listed lender."""
    events = _deals(text, lexicon)
    assert has(events, "loan", lender=lender, borrower=borrower), events
    assert len(events) == 1, events


def test_a_lender_named_in_an_aside_lends_nothing(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Copper, which repaid a loan from the Exim Bank of India last year, said copper "
        "output rose 4% in May."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a list of recipients, own sums
LISTS = [
    (
        "The Australian Government will award $40 million in grants to five projects.\n\n"
        "Recipients include:\n\n"
        "- Quartzline Minerals: $12 million for a pilot refinery near Townsville\n\n"
        "- Redgum Graphite: $8 million to build a purification line",
        [("Quartzline Minerals", 12e6), ("Redgum Graphite", 8e6)],
    ),
    (
        "The Federal Government has picked five projects to share $40 million of critical "
        "minerals grant funding.\n\n"
        "Resources Minister Jane Doe said the projects would help Australia refine more of "
        "what it mines.\n\n"
        "The successful applicants are:\n\n"
        "- Quartzline Minerals: $12 million for a pilot refinery near Townsville\n\n"
        "- Redgum Graphite: $8 million to build a purification line",
        [("Quartzline Minerals", 12e6), ("Redgum Graphite", 8e6)],
    ),
]


LISTS.append(
    (
        # the list's lines run into one sentence, as a page's text may give them
        "The national government has earmarked $60 million of critical minerals grant money "
        "for four firms. The program is run by Canada's natural resources department. Grant "
        "recipients:\n- Halcyon Graphite: $20 million for an anode plant\n- Vantage Copper: "
        "$15 million for a tailings project",
        [("Halcyon Graphite", 20e6), ("Vantage Copper", 15e6)],
    )
)


@pytest.mark.parametrize(("text", "shares"), LISTS)
def test_each_listed_recipient_has_its_grant(
    text: str, shares: list[tuple[str, float]], lexicon: Lexicon
) -> None:
    """After a government's total, "- X: $N for …" is X's grant of $N; a bare "Federal
    Government" is the government of the country named next, and its "$" is its dollar."""
    events = _deals(text, lexicon)
    country = "CAN" if "Canada" in text else "AUS"
    for name, amount in shares:
        assert has(
            events,
            "grant",
            grantor=country,
            recipient=name,
            amount=amount,
            currency=_HOME_DOLLAR[country],
        ), events
    assert len(events) == len(shares), events


def test_a_list_after_an_unplaced_government_gives_none(lexicon: Lexicon) -> None:
    """Whose "Federal Government" is not told: no grantor, no grant."""
    text = (
        "The Federal Government has picked five projects to share $40 million of critical "
        "minerals grant funding.\n\n"
        "The successful applicants are:\n\n"
        "- Quartzline Minerals: $12 million for a pilot refinery near Townsville"
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ the funder inside the grant's noun
GOVERNMENT_NOUN = [
    (
        "Kestrel Lithium has received a Spanish government grant of €30 million for its refinery.",
        [("grant", {"grantor": "ESP", "recipient": "Kestrel Lithium", "amount": 30e6})],
    ),
    (
        "Tarn Graphite secured a non-repayable Canadian federal government subsidy of up to "
        "C$9 million towards its anode plant.",
        [("grant", {"grantor": "CAN", "recipient": "Tarn Graphite", "amount": 9e6})],
    ),
]


@pytest.mark.parametrize(("text", "expected"), GOVERNMENT_NOUN)
def test_a_government_named_in_the_grant_noun_gives_it(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """ "a Spanish government grant of €N": the country's government is the grantor."""
    _check(text, expected, lexicon)


def test_a_government_grant_applied_for_is_none(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Lithium has applied for a Spanish government grant of €30 million for its "
        "refinery."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ the funder in the next sentence
FUNDER_NEXT = [
    (
        "Lithium start-up Kestrel Lithium has been awarded €30 million in public funding for "
        "its refinery. The funding comes from the Spanish government.",
        [("grant", {"grantor": "ESP", "recipient": "Kestrel Lithium", "amount": 30e6})],
    ),
    (
        "Tarn Graphite said it had secured C$12 million in non-repayable support for its anode "
        "plant. The support comes from the Canadian government's Strategic Innovation Fund.",
        [("grant", {"grantor": "CAN", "recipient": "Tarn Graphite", "amount": 12e6})],
    ),
    (
        "Kestrel Lithium has been awarded €30 million in public funding for its refinery in "
        "Spain. The money will be provided by the federal government and two regions.",
        [("grant", {"grantor": "ESP", "recipient": "Kestrel Lithium", "amount": 30e6})],
    ),
]


@pytest.mark.parametrize(("text", "expected"), FUNDER_NEXT)
def test_a_funder_named_in_the_next_sentence(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """Funding awarded without its funder, then "The funding comes from Y" / "is provided by
    Y": Y's grant; an unnamed federal government is the named country's."""
    _check(text, expected, lexicon)


def test_funding_hoped_for_then_its_source_is_no_grant(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Lithium hopes to be awarded €30 million in public funding for its refinery. "
        "The funding would come from the Spanish government."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a whole company or asset bought
WHOLE = [
    (
        "Sibanye Resources has secured full ownership of the Marula nickel mine.",
        [("stake_acquisition", {"acquirer": "Sibanye Resources", "target": "Marula"})],
    ),
    (
        "Brightwater Lithium has taken sole control of Tarn Lithium after buying out its partner.",
        [("stake_acquisition", {"acquirer": "Brightwater Lithium", "target": "Tarn Lithium"})],
    ),
    (
        "Kestrel Metals entered into a binding agreement for the purchase of Redgum Cobalt for "
        "A$45 million.",
        [
            (
                "stake_acquisition",
                {
                    "acquirer": "Kestrel Metals",
                    "target": "Redgum Cobalt",
                    "amount": 45e6,
                    "currency": "AUD",
                },
            )
        ],
    ),
    (
        "Tarn Metals said on Tuesday it had agreed terms for a nickel deal. The company has "
        "signed a share purchase agreement for the acquisition of the Redgum Project in "
        "Indonesia.",
        [("stake_acquisition", {"acquirer": "Tarn Metals", "target": "Redgum Project"})],
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE)
def test_ownership_won_or_an_agreement_to_acquire(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """ "secured full ownership of X", "took sole control of X", "signed an agreement for the
    acquisition of X": the subject acquires X (no share told)."""
    _check(text, expected, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "Brightwater Lithium is seeking full ownership of Tarn Lithium.",
        "Kestrel Metals is negotiating an agreement for the acquisition of the Tarn nickel "
        "project.",
        "Kestrel Metals signed an agreement for the purchase of Tarn spodumene concentrate.",
    ],
)
def test_ownership_sought_or_goods_bought_is_no_stake(text: str, lexicon: Lexicon) -> None:
    assert [e for e in _deals(text, lexicon) if e["type"] == "stake_acquisition"] == []


# ------------------------------------------------------------ what a deal leaves the other party
def test_a_holding_given_to_another_party_is_not_bought(lexicon: Lexicon) -> None:
    """ "…, giving Y a 51% stake": Y's holding after the deal, not a second stake of the buyer."""
    for text, pct in (
        (
            "The latest deal will see Kestrel Metals acquire a 49% stake in Tarn Lithium SpA, "
            "giving Codelco a 51% stake.",
            49,
        ),
        (
            "Kestrel Metals bought 60% of Redgum Cobalt from the state, leaving the government "
            "with a 40% interest.",
            60,
        ),
    ):
        events = _deals(text, lexicon)
        assert [e.get("percent") for e in events if e["type"] == "stake_acquisition"] == [pct]


def test_a_holding_restated_for_the_buyer_stays(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Metals bought a 60% stake in Redgum Cobalt, giving Kestrel Metals a 60% stake "
        "in the project."
    )
    assert has(_deals(text, lexicon), "stake_acquisition", acquirer="Kestrel Metals", percent=60)


# ------------------------------------------------------------ a plan given up or replaced
@pytest.mark.parametrize(
    "text",
    [
        "The announcement replaces Kestrel Metals' original plans to invest $330 million in the "
        "Tarn lithium mine.",
        "The new agreement supersedes Brightwater Lithium's earlier offer to buy 20% of Redgum "
        "Cobalt.",
        "Redgum Cobalt said Kestrel Metals has abandoned its original plan to invest $120 "
        "million in the Tarn cobalt refinery.",
    ],
)
def test_a_plan_given_up_is_no_deal(text: str, lexicon: Lexicon) -> None:
    assert _deals(text, lexicon) == []


def test_a_plan_still_held_is_a_deal(lexicon: Lexicon) -> None:
    text = "Brightwater Lithium plans to invest $330 million in Redgum Cobalt."
    assert has(
        _deals(text, lexicon),
        "investment",
        investor="Brightwater Lithium",
        target="Redgum Cobalt",
        amount=330e6,
    )


# ------------------------------------------------------------ output sold ahead, as a share
OUTPUT = [
    (
        "Tarn Lithium mines lithium in Mali. Production began in March, and the company has "
        "agreed to sell all of its output to China's Yahua Industrial.",
        {"supplier": "Tarn Lithium", "buyer": "Yahua Industrial", "material": "lithium"},
    ),
    (
        "Brightwater Lithium, developer of the Tarn lithium project, has placed about 40% of "
        "its planned spodumene output with Yahua Industrial, a Chinese converter.",
        {"supplier": "Brightwater Lithium", "buyer": "Yahua Industrial", "material": "lithium"},
    ),
    (
        "Kestrel Nickel has presold half of its first nickel production with Tsingshan Holding.",
        {"supplier": "Kestrel Nickel", "buyer": "Tsingshan Holding", "material": "nickel"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), OUTPUT)
def test_a_share_of_output_sold_or_placed(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """ "agreed to sell all of its output to Y", "placed 40% of its output with Y", "presold
    half of its production with Y": Y buys; ", and the company has agreed …" is the story's
    company."""
    _check(text, [("offtake", fields)], lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "Tarn Lithium is in talks to sell all of its lithium output to Yahua Industrial.",
        "Brightwater Lithium hopes to place 40% of its planned spodumene output with Yahua "
        "Industrial.",
    ],
)
def test_output_offered_is_no_sale(text: str, lexicon: Lexicon) -> None:
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a loan told as a noun, its borrower
BACKING = [
    (
        "The US Export-Import Bank will commit $100 billion to critical minerals. The first "
        "wave of financing includes a $1.25 billion loan backing Kestrel Mining's development "
        "of the Tarn copper project in Pakistan.",
        {
            "lender": "Export-Import Bank of the United States",
            "borrower": "Kestrel Mining",
            "amount": 1.25e9,
        },
    ),
    (
        "Export Development Canada's latest commitments include a C$300 million loan supporting "
        "Redgum Nickel's expansion of its Ontario smelter.",
        {"lender": "Export Development Canada", "borrower": "Redgum Nickel", "amount": 300e6},
    ),
]


@pytest.mark.parametrize(("text", "fields"), BACKING)
def test_a_loan_backing_a_companys_project(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """ "a $N loan backing X's development of …": X borrows from the public lender named in
    the sentence, else from the one named last."""
    _check(text, [("loan", fields)], lexicon)


def test_a_loan_backing_a_project_under_consideration_is_none(lexicon: Lexicon) -> None:
    text = (
        "The Export-Import Bank of Korea said it is considering a $300 million loan backing "
        "Kestrel Mining's expansion of the Tarn copper mine."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ "In return, Y is providing a loan"
RETURN = [
    (
        "Redgum Rare Earths signed a binding offtake agreement with Kestrel Resources to supply "
        "rare earths concentrate. In return, Kestrel Resources is providing a US$20 million "
        "construction loan to help fund the mine build.",
        [
            ("offtake", {"supplier": "Redgum Rare Earths", "buyer": "Kestrel Resources"}),
            (
                "loan",
                {"lender": "Kestrel Resources", "borrower": "Redgum Rare Earths", "amount": 20e6},
            ),
        ],
    ),
    (
        "Kestrel Resources agreed to buy 10% of Redgum Rare Earths. In return, Kestrel "
        "Resources will provide a A$15 million loan for the plant.",
        [
            ("stake_acquisition", {"acquirer": "Kestrel Resources", "percent": 10}),
            (
                "loan",
                {
                    "lender": "Kestrel Resources",
                    "borrower": "Redgum Rare Earths",
                    "amount": 15e6,
                    "currency": "AUD",
                },
            ),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RETURN)
def test_a_loan_in_return_goes_to_the_other_party(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """After a deal between X and Y, "In return, Y is providing a $N loan": Y lends to X."""
    _check(text, expected, lexicon)


def test_a_loan_in_return_that_may_come_is_none(lexicon: Lexicon) -> None:
    text = (
        "Redgum Rare Earths signed a binding offtake agreement with Kestrel Resources to supply "
        "rare earths concentrate. In return, Kestrel Resources may provide a US$20 million "
        "construction loan to help fund the mine build."
    )
    assert [e for e in _deals(text, lexicon) if e["type"] == "loan"] == []


# ------------------------------------------------------------ financing an act by X, lending N
FINANCE_BY = [
    (
        "Export Development Canada has agreed to finance the purchase of a nickel smelter by "
        "Kestrel Metals, lending C$80 million over ten years.",
        {
            "lender": "Export Development Canada",
            "borrower": "Kestrel Metals",
            "amount": 80e6,
            "currency": "CAD",
        },
    ),
    (
        "UK Export Finance will help fund the construction of a graphite anode plant in Wales "
        "by Tarn Graphite, lending £40 million.",
        {
            "lender": "UK Export Finance",
            "borrower": "Tarn Graphite",
            "amount": 40e6,
            "currency": "GBP",
        },
    ),
]


@pytest.mark.parametrize(("text", "fields"), FINANCE_BY)
def test_financing_an_act_by_x_is_a_loan_to_x(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """ "<public lender> will finance the purchase of … by X, lending $N": a loan to X."""
    _check(text, [("loan", fields)], lexicon)


def test_financing_considered_is_no_loan(lexicon: Lexicon) -> None:
    text = (
        "UK Export Finance is considering whether to help fund the construction of a graphite "
        "anode plant in Wales by Tarn Graphite, lending £40 million."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a second buyer, the object left out
SECOND_BUYER = [
    (
        "Kestrel Metals will buy 60% of Redgum Cobalt, while Tarnside Partners will acquire 15%.",
        [
            ("stake_acquisition", {"acquirer": "Kestrel Metals", "percent": 60}),
            (
                "stake_acquisition",
                {"acquirer": "Tarnside Partners", "target": "Redgum Cobalt", "percent": 15},
            ),
        ],
    ),
    (
        "Under the agreements, Kestrel Metals will acquire 10% of Redgum Cobalt, while US "
        "investment firm Engine No. 4 will acquire 2%.",
        [
            ("stake_acquisition", {"acquirer": "Kestrel Metals", "percent": 10}),
            (
                "stake_acquisition",
                {"acquirer": "Engine No. 4", "target": "Redgum Cobalt", "percent": 2},
            ),
        ],
    ),
    (
        "Redgum Cobalt signed one deal with Tarnside Partners for a 20% stake in Kestrel "
        "Cobalt, and another with Westbury Partners for the remaining 5% interest.",
        [
            (
                "stake_acquisition",
                {"acquirer": "Tarnside Partners", "target": "Kestrel Cobalt", "percent": 20},
            ),
            (
                "stake_acquisition",
                {"acquirer": "Westbury Partners", "target": "Kestrel Cobalt", "percent": 5},
            ),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SECOND_BUYER)
def test_a_second_clause_buys_into_the_same_company(
    text: str, expected: list[tuple[str, dict[str, Any]]], lexicon: Lexicon
) -> None:
    """ "X will acquire 10% of Y, while Z will acquire 3%", "a deal with X for a 20% stake in
    Y, and another with Z for the remaining 5%": Z buys into Y too; an investment firm's name
    may end in a number ("Engine No. 4")."""
    _check(text, expected, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Metals bought 60% of Redgum Cobalt, while Tarnside Partners shares rose 5%.",
        "Kestrel Metals will buy 60% of Redgum Cobalt, while Tarnside Partners is seeking 15%.",
    ],
)
def test_a_second_clause_without_a_purchase_buys_nothing(text: str, lexicon: Lexicon) -> None:
    events = _deals(text, lexicon)
    assert [e["acquirer"] for e in events if e["type"] == "stake_acquisition"] == ["Kestrel Metals"]


# ------------------------------------------------------------ a buyer's taste is no deal
@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Cobalt said it expects prices to recover, and its expectation Western cobalt "
        "buyers will increasingly prefer to buy from sources with Tarnside Partners "
        "certification.",
        "Kestrel Cobalt said refiners would rather source cobalt from Redgum Partners than from "
        "traders.",
    ],
)
def test_a_preference_to_buy_is_no_offtake(text: str, lexicon: Lexicon) -> None:
    assert _deals(text, lexicon) == []


def test_an_agreement_to_supply_stays_an_offtake(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Cobalt has agreed to supply cobalt hydroxide to Tarnside Partners for five years."
    )
    assert has(
        _deals(text, lexicon), "offtake", supplier="Kestrel Cobalt", buyer="Tarnside Partners"
    )


# ------------------------------------------------------------ a one-word buyer after a participle
FRONTED = [
    (
        "Backed by a sovereign fund, Tarnsey acquired Redgum Nickel last year for $300 million.",
        {"acquirer": "Tarnsey", "target": "Redgum Nickel", "amount": 300e6},
    ),
    (
        "Based in Perth, Kelmore has agreed to buy 20% of Redgum Nickel.",
        {"acquirer": "Kelmore", "target": "Redgum Nickel", "percent": 20},
    ),
]


@pytest.mark.parametrize(("text", "fields"), FRONTED)
def test_a_subject_after_a_fronted_participle_phrase(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """ "Owned by …, X acquired Y": the name after the participle phrase is the subject, as
    at the start of a sentence."""
    _check(text, [("stake_acquisition", fields)], lexicon)


def test_a_subject_after_a_participle_that_only_considers_is_none(lexicon: Lexicon) -> None:
    text = "Backed by a sovereign fund, Tarnsey is weighing an offer for 20% of Redgum Nickel."
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ a deal as the subject of its share
DEAL_GAVE = [
    (
        "Kestrel Metals had already put $50 million into the miner last year. That deal gave it "
        "a 9 per cent shareholding in Redgum Lithium.",
        {"acquirer": "Kestrel Metals", "target": "Redgum Lithium", "percent": 9},
    ),
    (
        "Redgum Lithium raised A$30 million from Tarnside Partners. The placement gives "
        "Tarnside Partners a 9.9% interest in Redgum Lithium.",
        {"acquirer": "Tarnside Partners", "target": "Redgum Lithium", "percent": 9.9},
    ),
]


@pytest.mark.parametrize(("text", "fields"), DEAL_GAVE)
def test_a_deal_that_gave_a_share(text: str, fields: dict[str, Any], lexicon: Lexicon) -> None:
    """ "That deal gave it a 9 per cent shareholding in X": "it" (the story's company) holds
    the share bought."""
    assert has(_deals(text, lexicon), "stake_acquisition", **fields)


def test_a_deal_that_would_have_given_a_share_is_none(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Metals had looked at an offer last year. That deal would have given it a 9 per "
        "cent shareholding in Redgum Lithium."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ goods sold to a named buyer
GOODS = [
    (
        "Kestrel Lithium sold a parcel of spodumene concentrate to Yahua Industrial to fund the "
        "restart.",
        {"supplier": "Kestrel Lithium", "buyer": "Yahua Industrial", "material": "lithium"},
    ),
    (
        "Redgum Graphite sold a cargo of graphite concentrate to Posco Future M.",
        {"supplier": "Redgum Graphite", "buyer": "Posco Future M", "material": "graphite"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), GOODS)
def test_goods_sold_to_a_buyer(text: str, fields: dict[str, Any], lexicon: Lexicon) -> None:
    """ "X sold a stockpile / parcel / cargo of <material> to Y": Y bought X's goods."""
    _check(text, [("offtake", fields)], lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "Redgum Graphite hopes to sell a stockpile of graphite ore to Posco Future M.",
        "Redgum Graphite sold its graphite mine and a stockpile of ore to Posco Future M.",
    ],
)
def test_goods_offered_or_an_asset_sold_is_no_offtake(text: str, lexicon: Lexicon) -> None:
    assert [e for e in _deals(text, lexicon) if e["type"] == "offtake"] == []


# ------------------------------------------------------------ rights to a share of output
RIGHTS = [
    (
        "Tarnside Partners bought 10% of Redgum Lithium in March. The partnership gives "
        "Tarnside Partners exclusive rights to the first phase of lithium output from the "
        "Kalgan project for ten years.",
        {"supplier": "Redgum Lithium", "buyer": "Tarnside Partners", "term": "P10Y"},
    ),
    (
        "Kestrel Metals took a 15% stake in Redgum Nickel. This will give the company access "
        "to 30% of the nickel concentrate produced each year.",
        {"supplier": "Redgum Nickel", "buyer": "Kestrel Metals", "material": "nickel"},
    ),
    (
        "Kestrel Metals took a 15% stake in Redgum Nickel. Kestrel Metals has also agreed to "
        "take up to 40 per cent of the second stage of nickel production.",
        {"supplier": "Redgum Nickel", "buyer": "Kestrel Metals", "material": "nickel"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), RIGHTS)
def test_rights_to_output_are_a_supply_deal_with_the_partner(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """ "gives X exclusive rights to the first phase of output", "access to 30% of the
    concentrate", "agreed to take up to 40% of production": X buys from the party of its
    last deal."""
    events = _deals(text, lexicon)
    assert has(events, "offtake", **fields), events
    assert len([e for e in events if e["type"] == "offtake"]) == 1, events


@pytest.mark.parametrize(
    "text",
    [
        "Kestrel Metals took a 15% stake in Redgum Nickel. The deal could give Kestrel Metals "
        "rights to 30% of the nickel output.",
        "Kestrel Metals and Redgum Nickel are in talks. A deal would give Kestrel Metals access "
        "to 30% of the nickel output.",
        # a right to act and access to a place are no rights to output
        "Kestrel Metals took a 15% stake in Redgum Nickel. The licence gives the company the "
        "right to mine nickel ore at Tarn.",
        "Kestrel Metals took a 15% stake in Redgum Nickel. The new haul road gives Kestrel "
        "Metals access to the nickel ore body.",
    ],
)
def test_rights_a_deal_could_give_are_no_offtake(text: str, lexicon: Lexicon) -> None:
    assert [e for e in _deals(text, lexicon) if e["type"] == "offtake"] == []


# ------------------------------------------------------------ a listed name of company words only
LISTED = [
    (
        "Cobalt Holdings Ltd (ASX: CBH) said it had acquired 15% of Redgum Nickel.",
        {"acquirer": "Cobalt Holdings Ltd", "target": "Redgum Nickel", "percent": 15},
    ),
    (
        "Graphite Resources Ltd (ASX: GRL) shares jumped. The company has signed a binding "
        "agreement for the acquisition of the Tarn Project.",
        {"acquirer": "Graphite Resources Ltd", "target": "Tarn Project"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), LISTED)
def test_a_listed_name_opening_with_a_material_word(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """A name before its exchange and ticker is a company even when a material word opens it
    and every word is a company word ("Cobalt Holdings Ltd (ASX: CBH)")."""
    _check(text, [("stake_acquisition", fields)], lexicon)


def test_a_listed_name_whose_shares_moved_makes_no_deal(lexicon: Lexicon) -> None:
    text = "Nickel Mines Ltd (ASX: NIC) shares rose 5% after the nickel price jumped."
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ the borrower in the next sentence
BORROWER_NEXT = [
    (
        "The European Investment Bank will provide a loan of up to €200 million to build a "
        "lithium refinery in Finland. Battery materials company Kestrel Lithium will receive "
        "the funds in three tranches.",
        {
            "lender": "European Investment Bank",
            "borrower": "Kestrel Lithium",
            "amount": 200e6,
            "currency": "EUR",
        },
    ),
    (
        "Export Development Canada has approved a loan of C$150 million to expand a graphite "
        "mine in Quebec. Graphite producer Tarn Graphite will have access to the first C$50 "
        "million this year.",
        {
            "lender": "Export Development Canada",
            "borrower": "Tarn Graphite",
            "amount": 150e6,
            "currency": "CAD",
        },
    ),
]


@pytest.mark.parametrize(("text", "fields"), BORROWER_NEXT)
def test_a_loan_for_a_purpose_then_its_borrower(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    """A public lender's loan "to build …" with no borrower, then "X will have access to /
    will receive …": X borrows it."""
    _check(text, [("loan", fields)], lexicon)


def test_a_loan_that_may_come_then_its_borrower_is_none(lexicon: Lexicon) -> None:
    text = (
        "Export Development Canada may provide a loan of C$150 million to expand a graphite "
        "mine in Quebec. Graphite producer Tarn Graphite will receive the funds next year."
    )
    assert _deals(text, lexicon) == []


# ------------------------------------------------------------ lenders listed after the loan
LENDERS_AFTER = [
    (
        "Kestrel Lithium has secured a €500 million loan from Export Development Canada and UK "
        "Export Finance for its refinery.",
        ["Export Development Canada", "UK Export Finance"],
        "Kestrel Lithium",
    ),
    (
        "Kestrel Lithium has signed a €500 million debt commitment with Export Development "
        "Canada and UK Export Finance for its refinery.",
        ["Export Development Canada", "UK Export Finance"],
        "Kestrel Lithium",
    ),
    (
        "Tarn Graphite has reached financial close on A$250 million of debt funding for its "
        "anode plant. The financing, backed by Export Finance Australia and the Northern "
        "Australia Infrastructure Facility, includes a construction facility.",
        ["Export Finance Australia", "Northern Australia Infrastructure Facility"],
        "Tarn Graphite",
    ),
    (
        "Tarn Graphite has reached financial close on a A$250 million debt package. The package "
        "is being jointly provided by Export Finance Australia and the Northern Australia "
        "Infrastructure Facility.",
        ["Export Finance Australia", "Northern Australia Infrastructure Facility"],
        "Tarn Graphite",
    ),
]


@pytest.mark.parametrize(("text", "lenders", "borrower"), LENDERS_AFTER)
def test_public_lenders_listed_after_the_loan_each_lend(
    text: str, lenders: list[str], borrower: str, lexicon: Lexicon
) -> None:
    """ "a loan from A and B", "a debt commitment with A and B", "The financing, backed by A
    and B": each public lender lends to the borrower; the joint sum is none of theirs."""
    events = _deals(text, lexicon)
    for lender in lenders:
        assert has(events, "loan", lender=lender, borrower=borrower, amount=None), events
    assert len(events) == len(lenders), events


def test_joined_financing_of_a_companys_plant(lexicon: Lexicon) -> None:
    """ "Y has joined the financing of X's plant, signing a loan of £N": Y lends to X."""
    for text, lender, borrower, amount in (
        (
            "UK Export Finance has joined the financing of Tarn Graphite's anode plant, signing "
            "a loan of £60 million.",
            "UK Export Finance",
            "Tarn Graphite",
            60e6,
        ),
        (
            "Export Development Canada took part in the financing of Kestrel Nickel's smelter "
            "expansion with a C$90 million loan.",
            "Export Development Canada",
            "Kestrel Nickel",
            90e6,
        ),
    ):
        _check(
            text, [("loan", {"lender": lender, "borrower": borrower, "amount": amount})], lexicon
        )


@pytest.mark.parametrize(
    "text",
    [
        "Tarn Graphite is seeking A$250 million of debt funding for its anode plant. The "
        "financing, if backed by Export Finance Australia and the Northern Australia "
        "Infrastructure Facility, would cover construction.",
        "UK Export Finance may join the financing of Tarn Graphite's anode plant with a loan of "
        "£60 million.",
    ],
)
def test_financing_sought_or_possible_is_no_loan(text: str, lexicon: Lexicon) -> None:
    assert _deals(text, lexicon) == []
