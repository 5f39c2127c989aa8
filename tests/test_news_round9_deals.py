"""Deal events of round 9 (stakes, investments, supply deals), each a class of construction
tested on sentences we wrote (the fifth collection's development half showed the classes; no
sentence is from an article): an order word before the sum of "made an investment in"; a
recipient that "attracted" an investment "of" a sum from an investor; every counterpart of a
supply deal named in a coordination makes the deal; a partner whose stake is bought out is the
seller, not the company bought into; a plan to exercise an option is no commitment; a new
company's one-word short name takes the full name the article gave it; a deal named after
"following", "after", "adding to" is an earlier one recalled, not news; money invested "to buy
a N% stake" is that stake alone; a ticker after a name ("GM-N") does not end a coordination;
money contributed "in the equity of" a company is an investment in it; a company whose name
ends in "Rare Earths" or "Minerals" is also named with the singular; coordinated subjects, or a
plural "they" / "the two companies" after them, each buy the stake or make the investment; "The
agreement will see …" after a non-binding term sheet, letter of intent or MOU is no deal."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon, _short_forms
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def of_type(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


# ------------------------------------------------ "made an initial $N investment in Y"
@pytest.mark.parametrize(
    ("text", "investor", "target", "amount"),
    [
        (
            "Orion Capital made an initial $40 million investment in Lumen Lithium in 2021.",
            "Orion Capital",
            "Lumen Lithium",
            40_000_000,
        ),
        (
            "Sable Partners made a further $10 million investment in Tamsin Lithium last year.",
            "Sable Partners",
            "Tamsin Lithium",
            10_000_000,
        ),
    ],
)
def test_order_word_before_the_sum_of_an_investment(
    text: str, investor: str, target: str, amount: int, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "investment", investor=investor, target=target, amount=amount)


def test_an_investment_only_considered_is_none(lexicon: Lexicon) -> None:
    text = "Orion Capital is considering an initial $40 million investment in Lumen Lithium."
    assert of_type(run(text, lexicon), "investment") == []


# ------------------------------------------------ "Y attracted an investment of $N from X"
@pytest.mark.parametrize(
    ("text", "investor", "target", "amount"),
    [
        (
            "Vesta Nickel has attracted an investment of $12 million from Ridgeback Partners "
            "to fund its drilling.",
            "Ridgeback Partners",
            "Vesta Nickel",
            12_000_000,
        ),
        (
            "Tamsin Lithium attracted a sizeable strategic investment of up to $8 million "
            "from Kirra Capital, the company said.",
            "Kirra Capital",
            "Tamsin Lithium",
            8_000_000,
        ),
    ],
)
def test_recipient_attracted_an_investment_of_a_sum(
    text: str, investor: str, target: str, amount: int, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "investment", investor=investor, target=target, amount=amount)


def test_an_investment_it_could_attract_is_none(lexicon: Lexicon) -> None:
    text = "Tamsin Lithium could attract an investment of $8 million from Kirra Capital."
    assert of_type(run(text, lexicon), "investment") == []


# ------------------------------------------------ coordinated counterparts of a supply deal
def test_each_buyer_of_an_offtake_with_two_names(lexicon: Lexicon) -> None:
    text = (
        "Lumen Lithium has signed a binding offtake agreement with Toyota Tsusho and Honda "
        "Motor to supply lithium hydroxide over five years."
    )
    ev = run(text, lexicon)
    for buyer in ("Toyota Tsusho", "Honda Motor"):
        assert has(ev, "offtake", supplier="Lumen Lithium", buyer=buyer, term="P5Y")


def test_each_buyer_of_a_listed_supply(lexicon: Lexicon) -> None:
    text = (
        "Kestrel Graphite agreed to supply graphite concentrate to Posco Future M, "
        "LG Energy Solution and SK On from 2027."
    )
    ev = run(text, lexicon)
    assert len(of_type(ev, "offtake")) == 3
    for buyer in ("Posco Future M", "LG Energy Solution", "SK On"):
        assert has(ev, "offtake", supplier="Kestrel Graphite", buyer=buyer, material="graphite")


def test_each_seller_named_after_from(lexicon: Lexicon) -> None:
    ev = run("Samsung SDI agreed to buy nickel from Vesta Nickel and Glencore.", lexicon)
    assert has(ev, "offtake", supplier="Vesta Nickel", buyer="Samsung SDI")
    assert has(ev, "offtake", supplier="Glencore", buyer="Samsung SDI")


def test_coordinated_buyers_of_a_deal_in_talks_make_none(lexicon: Lexicon) -> None:
    text = (
        "Lumen Lithium is in talks on an offtake agreement with Toyota Tsusho and Honda "
        "Motor to supply lithium hydroxide."
    )
    assert of_type(run(text, lexicon), "offtake") == []


# ------------------------------------------------ a partner's stake bought out
@pytest.mark.parametrize(
    "text",
    [
        "Halvard Metals bought out its Korean partner Corvo Resources' 30% stake for $80 million.",
        "Last year Ormond Lithium acquired its joint venture partner Kestrel Mining's 25% "
        "interest for A$40 million.",
    ],
)
def test_partner_selling_its_share_is_not_the_target(text: str, lexicon: Lexicon) -> None:
    # the partner sells its share of a venture the sentence does not name: no target
    ev = run(text, lexicon)
    assert not any(
        e["type"] == "stake_acquisition"
        and e.get("target") in ("Corvo Resources", "Kestrel Mining")
        for e in ev
    )


@pytest.mark.parametrize(
    ("text", "target", "percent"),
    [
        (
            "Halvard Metals bought out its partner Corvo Resources' 40% stake in the Skarn "
            "Lake joint venture for $120 million.",
            "Skarn Lake",
            40,
        ),
        (
            "Halvard Metals bought Corvo Resources' 30% stake in Tarrow Nickel for $80 million.",
            "Tarrow Nickel",
            30,
        ),
    ],
)
def test_venture_named_after_in_is_the_target(
    text: str, target: str, percent: float, lexicon: Lexicon
) -> None:
    assert has(
        run(text, lexicon),
        "stake_acquisition",
        acquirer="Halvard Metals",
        target=target,
        percent=percent,
    )


# ------------------------------------------------ a plan to exercise an option
@pytest.mark.parametrize(
    ("text", "etype"),
    [
        (
            "Saltire Graphite is planning to use the proceeds to exercise its option to invest "
            "$20 million in Kelso Minerals.",
            "investment",
        ),
        (
            "Kirra Metals intends to exercise its call option to acquire a further 20% stake "
            "in Tamsin Lithium.",
            "stake_acquisition",
        ),
    ],
)
def test_planned_exercise_of_an_option_is_none(text: str, etype: str, lexicon: Lexicon) -> None:
    assert of_type(run(text, lexicon), etype) == []


def test_option_exercised_and_plain_plan_still_count(lexicon: Lexicon) -> None:
    done = "Kirra Metals exercised its option to acquire a further 20% stake in Tamsin Lithium."
    assert has(run(done, lexicon), "stake_acquisition", target="Tamsin Lithium", percent=20)
    plan = "Saltire Graphite plans to invest $20 million in Kelso Minerals."
    assert has(run(plan, lexicon), "investment", target="Kelso Minerals", amount=20_000_000)


# ------------------------------------------------ a one-word short name of a new company
@pytest.mark.parametrize(
    ("text", "full"),
    [
        (
            "Kestrel Graphite has signed agreements with Hartwell New Energy Group, the largest "
            "maker of cathode materials in Asia. Under the agreements, Hartwell will take a 9.9% "
            "stake in Kestrel Graphite via a A$5 million placement.",
            "Hartwell New Energy Group",
        ),
        (
            "Ormond Lithium has concluded two agreements with KPX New Materials Company, a "
            "leading cathode producer. KPX will take a 14% stake in Ormond Lithium for A$12 "
            "million.",
            "KPX New Materials Company",
        ),
    ],
)
def test_one_word_short_name_takes_the_full_name(text: str, full: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "stake_acquisition", acquirer=full)


def test_two_word_parent_keeps_its_name_beside_its_unit(lexicon: Lexicon) -> None:
    text = (
        "Pelham Minerals launched Pelham Minerals Recycling in May. Pelham Minerals bought a "
        "12% stake in Vesta Nickel for $30 million."
    )
    assert has(run(text, lexicon), "stake_acquisition", acquirer="Pelham Minerals")


# ------------------------------------------------ an earlier deal recalled beside the news
@pytest.mark.parametrize(
    "text",
    [
        "Lumen Lithium has signed a spodumene offtake agreement with Ford. The offtake "
        "agreement with Ford is the second binding agreement for the Kestrel project "
        "following the earlier offtake agreement with Volkswagen.",
        "The supply deal with Ford comes after a first lithium offtake agreement with Volkswagen.",
        "Lumen Lithium signed a lithium supply deal with Ford, adding to an earlier offtake "
        "agreement with Volkswagen.",
    ],
)
def test_deal_after_following_or_adding_to_is_background(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert not any(
        e["type"] == "offtake" and "Volkswagen" in (e.get("buyer"), e.get("supplier")) for e in ev
    )


def test_deal_signed_after_talks_is_news(lexicon: Lexicon) -> None:
    text = "After months of talks, Lumen Lithium signed a lithium offtake agreement with Ford."
    assert has(run(text, lexicon), "offtake", supplier="Lumen Lithium", buyer="Ford")


# ------------------------------------------------ money put in to buy a stake: one deal
@pytest.mark.parametrize(
    ("text", "acquirer", "target", "percent"),
    [
        (
            "Orion Capital is investing $60 million to purchase a 9% stake in Tamsin Lithium.",
            "Orion Capital",
            "Tamsin Lithium",
            9,
        ),
        (
            "Sable Partners will invest A$20 million to buy a 12% stake in Vesta Nickel, the "
            "companies said.",
            "Sable Partners",
            "Vesta Nickel",
            12,
        ),
    ],
)
def test_investing_to_buy_a_stake_is_the_stake_alone(
    text: str, acquirer: str, target: str, percent: float, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "stake_acquisition", acquirer=acquirer, target=target, percent=percent)
    assert of_type(ev, "investment") == []


def test_investment_in_another_company_stays_beside_a_stake(lexicon: Lexicon) -> None:
    text = (
        "Sable Partners will invest A$20 million in Vesta Nickel and separately bought a 12% "
        "stake in Kestrel Graphite."
    )
    ev = run(text, lexicon)
    assert has(ev, "investment", investor="Sable Partners", target="Vesta Nickel")
    assert has(ev, "stake_acquisition", acquirer="Sable Partners", target="Kestrel Graphite")


# ------------------------------------------------ a ticker after a coordinated name
@pytest.mark.parametrize(
    ("text", "buyers"),
    [
        (
            "Ford F-N and Toyota TM-N have signed separate commitments to purchase 20,000 "
            "tonnes of spodumene each per year from Lumen Lithium.",
            ("Ford", "Toyota"),
        ),
        (
            "Glencore GLEN-L and Trafigura have agreed to buy cobalt hydroxide from Vesta Nickel.",
            ("Glencore", "Trafigura"),
        ),
    ],
)
def test_each_buyer_past_a_ticker(text: str, buyers: tuple[str, str], lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    for buyer in buyers:
        assert has(ev, "offtake", buyer=buyer)


def test_ticker_does_not_join_a_name_outside_the_subject(lexicon: Lexicon) -> None:
    text = "Glencore GLEN-L agreed to buy cobalt hydroxide from Vesta Nickel and Trafigura said."
    ev = of_type(run(text, lexicon), "offtake")
    assert not any(e.get("buyer") == "Trafigura" for e in ev)


# ------------------------------------------------ money contributed to a company's equity
@pytest.mark.parametrize(
    ("text", "investor", "target", "amount"),
    [
        (
            "Orion Capital said that it has contributed an additional USD 9 million in the "
            "equity of Tamsin Lithium Limited, a Canadian lithium company.",
            "Orion Capital",
            "Tamsin Lithium Limited",
            9_000_000,
        ),
        (
            "Sable Partners contributed a further $4 million into the share capital of Vesta "
            "Nickel last week.",
            "Sable Partners",
            "Vesta Nickel",
            4_000_000,
        ),
    ],
)
def test_contributed_to_the_equity_of(
    text: str, investor: str, target: str, amount: int, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "investment", investor=investor, target=target, amount=amount)


def test_a_contribution_that_may_come_is_none(lexicon: Lexicon) -> None:
    text = "Orion Capital may contribute $5 million in the equity of Tamsin Lithium."
    assert of_type(run(text, lexicon), "investment") == []


# ------------------------------------------------ a company's last word in either number
@pytest.mark.parametrize(
    ("text", "etype", "role"),
    [
        (
            "Japan Australia Rare Earth bought a 4% stake in Tamsin Lithium for $30 million.",
            "stake_acquisition",
            "acquirer",
        ),
        (
            "Japan Australia Rare Earth said it had contributed $12 million in the equity of "
            "Tamsin Lithium.",
            "investment",
            "investor",
        ),
    ],
)
def test_singular_rare_earth_names_the_graph_company(
    text: str, etype: str, role: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), etype, **{role: "japan-australia-rare-earths"})


def test_short_forms_in_either_number() -> None:
    assert "Amman Mineral" in _short_forms("Amman Minerals Ltd")
    assert "Kibara Rare Earth" in _short_forms("Kibara Rare Earths Limited")
    # other last words keep their number
    assert _short_forms("Kibara Graphite Ltd") == ["Kibara Graphite"]


def test_an_unknown_rare_earth_company_keeps_its_own_name(lexicon: Lexicon) -> None:
    text = "Orion Capital bought a 5% stake in Kelso Rare Earth for $40 million."
    assert has(run(text, lexicon), "stake_acquisition", target="Kelso Rare Earth")


# ------------------------------------------------ coordinated or plural buyers of a stake
@pytest.mark.parametrize(
    "text",
    [
        "Ford and Toyota each bought a 5% stake in Lumen Lithium.",
        "Ford and Toyota signed deals to buy spodumene from Lumen Lithium. They will also each "
        "buy a 5% stake in Lumen Lithium.",
    ],
)
def test_each_coordinated_buyer_takes_the_stake(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    for buyer in ("Ford", "Toyota"):
        assert has(ev, "stake_acquisition", acquirer=buyer, target="Lumen Lithium", percent=5)


def test_the_two_companies_each_invest(lexicon: Lexicon) -> None:
    text = (
        "Ford and Toyota signed deals to buy spodumene from Lumen Lithium. The two carmakers "
        "will also each invest $30 million in Lumen Lithium."
    )
    ev = run(text, lexicon)
    for investor in ("Ford", "Toyota"):
        assert has(ev, "investment", investor=investor, target="Lumen Lithium", amount=30_000_000)


def test_a_sum_put_in_together_is_given_to_none(lexicon: Lexicon) -> None:
    ev = of_type(
        run("Ford and Toyota will invest a combined $60 million in Lumen Lithium.", lexicon),
        "investment",
    )
    assert {e["investor"] for e in ev} == {"Ford", "Toyota"}
    assert all(e.get("amount") is None for e in ev)


def test_they_after_a_single_company_is_no_pair(lexicon: Lexicon) -> None:
    text = (
        "Ford signed a deal to buy spodumene from Lumen Lithium. They will also buy a 5% stake "
        "in Lumen Lithium."
    )
    assert of_type(run(text, lexicon), "stake_acquisition") == []


# ------------------------------------------------ the deal of the sentence before, not binding
@pytest.mark.parametrize(
    "text",
    [
        "Tamsin Lithium has signed an indicative offtake term sheet with Toyota Tsusho. The deal "
        "will see Toyota Tsusho purchase 30% of the spodumene produced from Tamsin Lithium's "
        "Kelso lithium mine.",
        "Vesta Nickel signed a letter of intent with Trafigura. The agreement will see Trafigura "
        "purchase 50% of the nickel produced from Vesta Nickel's Kelso mine.",
    ],
)
def test_the_agreement_of_a_non_binding_sheet_is_none(text: str, lexicon: Lexicon) -> None:
    assert of_type(run(text, lexicon), "offtake") == []


def test_the_agreement_of_a_binding_deal_is_the_offtake(lexicon: Lexicon) -> None:
    text = (
        "Tamsin Lithium has signed a binding offtake agreement with Toyota Tsusho. The deal will "
        "see Toyota Tsusho purchase 30% of the spodumene produced from Tamsin Lithium's Kelso "
        "lithium mine."
    )
    assert has(run(text, lexicon), "offtake", supplier="Tamsin Lithium", buyer="Toyota Tsusho")
