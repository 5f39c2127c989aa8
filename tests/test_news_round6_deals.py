"""Deal wordings of round 6, each a class of construction tested on sentences we wrote:
stakes bought as a share count, a shareholder's role, or a passive takeover; a share of a
mine's output read as supply, not a stake; buyers named by their role; money committed or a
round led; loans and grants whose parties or sums sit outside the base pattern; a deal's sum
stated in the next sentence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.news import RawDoc, analyze, extract
from derisk.news.events import find_money, find_quantities
from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-12") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


# ------------------------------------------------------------------------------ stakes
@pytest.mark.parametrize(
    ("sentence", "pct"),
    [
        (
            "Redwood Metals said it had bought 12.5 million shares in Bluegum Lithium, lifting "
            "its holding to 9.9%.",
            9.9,
        ),
        (
            "Tarn Capital acquired 40 million new shares in Ossory Graphite, raising its stake "
            "to 14.2 per cent.",
            14.2,
        ),
        ("Kellerman Group picked up 3,000,000 shares of Quarry Point Antimony.", None),
    ],
)
def test_a_number_of_shares_bought_is_a_stake(
    sentence: str, pct: float | None, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    acquirer = sentence.split(" said")[0].split(" acquired")[0].split(" picked")[0]
    assert has(ev, "stake_acquisition", acquirer=acquirer, percent=pct)


@pytest.mark.parametrize(
    ("sentence", "acquirer", "target", "pct"),
    [
        (
            "Redwood Metals has become a 14% shareholder in Bluegum Lithium.",
            "Redwood Metals",
            "Bluegum Lithium",
            14,
        ),
        (
            "Tarn Capital emerged as a substantial holder of Ossory Graphite with a 6.2% stake.",
            "Tarn Capital",
            "Ossory Graphite",
            6.2,
        ),
        (
            "Kellerman Group became the largest shareholder of Quarry Point Antimony.",
            "Kellerman Group",
            "Quarry Point Antimony",
            None,
        ),
    ],
)
def test_a_shareholder_by_role_is_a_stake(
    sentence: str, acquirer: str, target: str, pct: float | None, lexicon: Lexicon
) -> None:
    assert has(
        run(sentence, lexicon), "stake_acquisition", acquirer=acquirer, target=target, percent=pct
    )


@pytest.mark.parametrize(
    ("sentence", "amount", "currency"),
    [
        ("Bluegum Lithium will be acquired by Redwood Metals for A$1.2 billion.", 1.2e9, "AUD"),
        ("Bluegum Lithium was bought by Redwood Metals in a deal worth C$300 million.", 3e8, "CAD"),
        ("Bluegum Lithium has been taken over by Redwood Metals.", None, None),
    ],
)
def test_a_passive_takeover_names_the_buyer_after_by(
    sentence: str, amount: float | None, currency: str | None, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Redwood Metals",
        target="Bluegum Lithium",
        amount=amount,
        currency=currency,
    )
    assert not has(ev, "stake_acquisition", acquirer="Bluegum Lithium")


def test_a_stake_snapped_up_or_scooped_up(lexicon: Lexicon) -> None:
    for verb in ("snapped up", "scooped up", "quietly built up"):
        ev = run(f"Redwood Metals {verb} a 10% stake in Bluegum Lithium for €40 million.", lexicon)
        assert has(ev, "stake_acquisition", acquirer="Redwood Metals", percent=10, currency="EUR")


# ------------------------------------------------------------------ share of the output
@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals is to buy 40% of Bluegum Lithium's graphite output over ten years.",
        "Redwood Metals agreed to take 100% of Bluegum Lithium's nickel production.",
        "Redwood Metals will purchase 60 per cent of Bluegum Lithium's antimony concentrate.",
    ],
)
def test_a_share_of_output_is_supply_not_a_stake(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert not has(ev, "stake_acquisition")
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals")


def test_a_share_of_a_company_stays_a_stake(lexicon: Lexicon) -> None:
    ev = run("Hancock Prospecting now owns 35% of Delta Lithium after buying on market.", lexicon)
    assert has(ev, "stake_acquisition", acquirer="Hancock Prospecting", percent=35)


# ---------------------------------------------------------------------- buyer by its role
@pytest.mark.parametrize(
    ("sentence", "qty"),
    [
        (
            "Bluegum Lithium signed a binding agreement to supply Redwood Metals with 10,000 "
            "tonnes of graphite a year for five years.",
            10000,
        ),
        (
            "Bluegum Lithium has secured Redwood Metals as a customer for its lithium hydroxide.",
            None,
        ),
        ("Bluegum Lithium named Redwood Metals as the foundation offtaker for its antimony.", None),
        (
            "Redwood Metals will be the sole buyer of Bluegum Lithium's rare earth concentrate.",
            None,
        ),
    ],
)
def test_a_buyer_named_by_its_role(sentence: str, qty: float | None, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals", quantity=qty)


def test_a_buyer_role_that_is_only_sought_is_no_deal(lexicon: Lexicon) -> None:
    for sentence in (
        "Bluegum Lithium is seeking to secure Redwood Metals as a customer for its graphite.",
        "Bluegum Lithium did not sign an agreement to supply Redwood Metals with graphite.",
    ):
        assert not has(run(sentence, lexicon), "offtake")


# ---------------------------------------------------------------------------- investments
@pytest.mark.parametrize(
    ("sentence", "investor", "target", "amount", "currency"),
    [
        (
            "Redwood Metals has committed US$50 million to Bluegum Lithium's Kings Hill project.",
            "Redwood Metals",
            "Bluegum Lithium",
            5e7,
            "USD",
        ),
        (
            "Tarn Capital pledged A$20 million towards Ossory Graphite.",
            "Tarn Capital",
            "Ossory Graphite",
            2e7,
            "AUD",
        ),
        (
            "Redwood Metals led a $60 million funding round in Bluegum Lithium.",
            "Redwood Metals",
            "Bluegum Lithium",
            6e7,
            "USD",
        ),
        (
            "Bluegum Lithium announced a US$40 million investment by Redwood Metals.",
            "Redwood Metals",
            "Bluegum Lithium",
            4e7,
            "USD",
        ),
        (
            "Ossory Graphite welcomed a €15 million equity investment from Tarn Capital.",
            "Tarn Capital",
            "Ossory Graphite",
            1.5e7,
            "EUR",
        ),
    ],
)
def test_money_committed_or_a_round_led_is_an_investment(
    sentence: str, investor: str, target: str, amount: float, currency: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "investment", investor=investor, target=target, amount=amount, currency=currency)


def test_money_committed_only_in_talks_is_none(lexicon: Lexicon) -> None:
    ev = run("Redwood Metals is in talks to commit $50 million to Bluegum Lithium.", lexicon)
    assert not has(ev, "investment")


# ---------------------------------------------------------------------------------- loans
@pytest.mark.parametrize(
    ("sentence", "lender", "borrower", "amount"),
    [
        (
            "The Japan Bank for International Cooperation signed a loan agreement amounting to "
            "up to USD248 million with Bluegum Lithium.",
            "Japan Bank for International Cooperation",
            "Bluegum Lithium",
            2.48e8,
        ),
        (
            "Export Finance Australia signed a loan facility worth A$90 million with Ossory "
            "Graphite.",
            "Export Finance Australia",
            "Ossory Graphite",
            9e7,
        ),
        (
            "The Loan Programs Office closed a $2.26 billion loan to Bluegum Lithium.",
            "Loan Programs Office",
            "Bluegum Lithium",
            2.26e9,
        ),
        (
            "Bluegum Lithium has been granted a conditional commitment for a $700 million loan "
            "from the Department of Energy.",
            "Department of Energy",
            "Bluegum Lithium",
            7e8,
        ),
    ],
)
def test_loan_size_after_its_noun_and_direction_by_to(
    sentence: str, lender: str, borrower: str, amount: float, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "loan", lender=lender, borrower=borrower, amount=amount)
    assert not has(ev, "grant")


# --------------------------------------------------------------------------------- grants
@pytest.mark.parametrize(
    ("sentence", "grantor", "amount"),
    [
        (
            "The Australian government will provide a A$20 million grant to Bluegum Lithium.",
            "AUS",
            2e7,
        ),
        ("Bluegum Lithium was awarded a $35 million Department of Defense grant.", "us-dod", 3.5e7),
        (
            "Bluegum Lithium has received a US$12 million Department of Energy grant.",
            "Department of Energy",
            1.2e7,
        ),
    ],
)
def test_grant_given_or_named_by_its_funder(
    sentence: str, grantor: str, amount: float, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "grant", grantor=grantor, recipient="Bluegum Lithium", amount=amount)


def test_a_company_providing_a_grant_is_not_read_as_one(lexicon: Lexicon) -> None:
    ev = run("Redwood Metals will provide a $2 million grant to a local school.", lexicon)
    assert not has(ev, "grant")


# ------------------------------------------------------------------- sum in the next sentence
@pytest.mark.parametrize(
    "second",
    [
        "The shares were bought for A$18 million.",
        "The deal is worth A$18 million.",
        "The transaction was valued at A$18 million.",
    ],
)
def test_a_stake_sum_in_the_next_sentence(second: str, lexicon: Lexicon) -> None:
    ev = run(f"Redwood Metals bought a 9.9% stake in Bluegum Lithium. {second}", lexicon)
    assert has(ev, "stake_acquisition", percent=9.9, amount=1.8e7, currency="AUD")


def test_a_next_sentence_about_another_deal_lends_no_sum(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals bought a 9.9% stake in Bluegum Lithium. The stake follows an "
        "investment in Ossory Graphite, where Tarn Capital committed $40 million.",
        lexicon,
    )
    assert has(ev, "stake_acquisition", percent=9.9, amount=None)


# ------------------------------------------------------------- paid for, imports, start-ups
@pytest.mark.parametrize(
    ("sentence", "amount", "currency"),
    [
        ("Bluegum Lithium paid $180 million for Ossory Graphite in January 2022.", 1.8e8, "USD"),
        ("Bluegum Lithium spent A$400 million to acquire Ossory Graphite.", 4e8, "AUD"),
        ("Bluegum Lithium shelled out €75 million for Ossory Graphite.", 7.5e7, "EUR"),
    ],
)
def test_a_company_paid_for_is_bought(
    sentence: str, amount: float, currency: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Bluegum Lithium",
        target="Ossory Graphite",
        amount=amount,
        currency=currency,
    )


def test_paying_for_an_asset_or_goods_is_no_takeover(lexicon: Lexicon) -> None:
    for sentence in (
        "Bluegum Lithium paid $18 million for Ossory Graphite's Kings Hill project.",
        "Bluegum Lithium paid $2 million for Ossory Graphite concentrate last quarter.",
    ):
        assert not has(run(sentence, lexicon), "stake_acquisition", target="Ossory Graphite")


@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals has started importing rare earths from Australia's Bluegum Lithium.",
        "Redwood Metals began sourcing graphite from Bluegum Lithium in March.",
        "Redwood Metals received its first antimony from Bluegum Lithium on Monday.",
    ],
)
def test_imports_read_from_the_buyer_side(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals")


def test_a_trade_flow_is_no_supply_deal(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals imported 5,000 tonnes of graphite from Bluegum Lithium in 2024.", lexicon
    )
    assert not has(ev, "offtake")


@pytest.mark.parametrize(
    "sentence",
    [
        "Bluegum Lithium started up its rare earth separation facility in Texas.",
        "Bluegum Lithium's gallium recovery plant in Japan has entered commercial operation.",
        "Bluegum Lithium fired up its new antimony smelter in Idaho on Monday.",
    ],
)
def test_plant_start_ups_are_openings(sentence: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), "facility", company="Bluegum Lithium", action="opening")


@pytest.mark.parametrize(
    "sentence",
    [
        "Australian miner Bluegum Lithium said Japanese trading house Redwood Metals would buy "
        "30,000 tonnes of spodumene a year.",
        "Bluegum Lithium (ASX: BGL) announced that Redwood Metals has agreed to take 12,000 "
        "tonnes of graphite a year.",
    ],
)
def test_a_buyer_without_a_seller_buys_from_the_reporter(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals")


@pytest.mark.parametrize(
    ("sentence", "supplier", "buyer"),
    [
        (
            "The agreement will see Bluegum Lithium supply 20,000 tonnes of graphite a year to "
            "Redwood Metals.",
            "Bluegum Lithium",
            "Redwood Metals",
        ),
        (
            "The deal would see Redwood Metals buy 8,000 tonnes of antimony from Bluegum Lithium.",
            "Bluegum Lithium",
            "Redwood Metals",
        ),
    ],
)
def test_an_agreement_that_will_see_one_party_supply_the_other(
    sentence: str, supplier: str, buyer: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "offtake", supplier=supplier, buyer=buyer)


# ---------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("a $2.26-billion loan", 2.26e9, "USD"),
        ("an AUD$ 200 million ($134.7 million) investment", 2e8, "AUD"),
        ("a ₩1.2 trillion purchase", 1.2e12, "KRW"),
        ("85 million US dollars", 8.5e7, "USD"),
        ("3 million Australian dollars", 3e6, "AUD"),
        ("NOK 500 million", 5e8, "NOK"),
        ("USD248 million", 2.48e8, "USD"),
    ],
)
def test_money_formats(text: str, amount: float, currency: str) -> None:
    money = find_money(text)
    assert [(m.amount, m.currency) for m in money[:1]] == [(amount, currency)]


def test_a_range_is_not_read_as_a_scaled_sum() -> None:
    assert [m.amount for m in find_money("the $2-3 million")] != [2e6 * 1000]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("20kt of lithium", 20000, "t"),
        ("12 kilotonnes", 12000, "t"),
        ("30 kt a year", 30000, "t/yr"),
        ("2.5 Mt of ore", 2.5e6, "t"),
        ("1.2 Mt per annum", 1.2e6, "t/yr"),
        ("20,000 MT of concentrate", 20000, "t"),
        ("20,000 mt of concentrate", 20000, "t"),
    ],
)
def test_quantity_units(text: str, value: float, unit: str) -> None:
    q = find_quantities(text)
    assert [(x.value, x.unit) for x in q[:1]] == [(value, unit)]


def _with_url(text: str, url: str, lexicon: Lexicon) -> list[dict[str, Any]]:
    art = extract(RawDoc("t.txt", "text", text, url=url, published=dt.date(2025, 6, 12)))
    return [{"type": e.type, **e.fields} for e in analyze(art, lexicon).events]


def test_a_bare_dollar_in_an_australian_outlet_is_aud(lexicon: Lexicon) -> None:
    text = "Redwood Metals bought a 15% stake in Bluegum Lithium through a $46.4 million placement."
    assert has(
        _with_url(text, "https://news.example.com.au/a", lexicon),
        "stake_acquisition",
        currency="AUD",
    )
    assert has(
        _with_url(text, "https://news.example.ca/a", lexicon), "stake_acquisition", currency="CAD"
    )
    assert has(
        _with_url(text, "https://news.example.com/a", lexicon), "stake_acquisition", currency="USD"
    )
    marked = text.replace("$46.4", "US$46.4")
    assert has(
        _with_url(marked, "https://news.example.com.au/a", lexicon),
        "stake_acquisition",
        currency="USD",
    )


def test_a_bare_dollar_on_an_american_story_stays_usd(lexicon: Lexicon) -> None:
    text = (
        "The Pentagon agreed to lend $150 million to Bluegum Lithium. "
        "Bluegum Lithium will build the plant in the United States."
    )
    assert has(_with_url(text, "https://news.example.ca/a", lexicon), "loan", currency="USD")


# ------------------------------------------------------------ first cargo by size, exports began
@pytest.mark.parametrize(
    ("sentence", "dest", "qty"),
    [
        (
            "The first 5,000 tonnes of graphite from Bluegum Lithium arrived in the United States.",
            "USA",
            5000,
        ),
        (
            "Bluegum Lithium's initial 800 tonnes of antimony concentrate were shipped to China.",
            "CHN",
            800,
        ),
        (
            "Shipments of spodumene from Bluegum Lithium's mine to China started in March.",
            "CHN",
            None,
        ),
        (
            "Exports of graphite from Bluegum Lithium's Balama operation to Japan have begun.",
            "JPN",
            None,
        ),
    ],
)
def test_first_cargo_by_size_and_exports_that_began(
    sentence: str, dest: str, qty: float | None, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "first_export", exporter="Bluegum Lithium", destination=dest, quantity=qty)


def test_exports_that_began_to_fall_are_no_first_export(lexicon: Lexicon) -> None:
    ev = run(
        "Shipments of spodumene from Bluegum Lithium's mine to China began to fall in March.",
        lexicon,
    )
    assert not has(ev, "first_export")


@pytest.mark.parametrize(
    "sentence",
    [
        "Shareholders approved the sale of a 20% stake in Bluegum Lithium to Redwood Metals.",
        "Tarn Capital completed the transfer of its 20 per cent interest in Bluegum Lithium to "
        "Redwood Metals.",
    ],
)
def test_a_stake_sale_told_as_a_noun(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev, "stake_acquisition", acquirer="Redwood Metals", target="Bluegum Lithium", percent=20
    )


# ------------------------------------------------------------------- public money given
@pytest.mark.parametrize(
    ("sentence", "grantor", "amount"),
    [
        (
            "The Department of Energy selected Bluegum Lithium for a $50 million award to build "
            "a lithium hydroxide plant.",
            "Department of Energy",
            5e7,
        ),
        (
            "Bluegum Lithium was selected to receive $30 million from the Department of Energy.",
            "Department of Energy",
            3e7,
        ),
        (
            "The Department of Energy announced $45 million in funding for Bluegum Lithium.",
            "Department of Energy",
            4.5e7,
        ),
        (
            "The Pentagon has provided Bluegum Lithium with $24 million to restart its antimony "
            "mine.",
            "us-dod",
            2.4e7,
        ),
        (
            "Under the award, the Department of Defense will provide $20 million to Bluegum "
            "Lithium.",
            "us-dod",
            2e7,
        ),
        (
            "The European Union awarded Bluegum Lithium €10 million from its Innovation Fund.",
            "European Union",
            1e7,
        ),
    ],
)
def test_public_money_given_is_a_grant(
    sentence: str, grantor: str, amount: float, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "grant", grantor=grantor, recipient="Bluegum Lithium", amount=amount)


def test_public_investment_under_a_grant_programme_is_a_grant(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium received a $12.5 million investment from the Department of Defense "
        "under the Defense Production Act.",
        lexicon,
    )
    assert has(ev, "grant", grantor="us-dod", recipient="Bluegum Lithium", amount=1.25e7)
    assert not has(ev, "investment")


@pytest.mark.parametrize(
    "sentence",
    [
        # a company gives, money is lent, or equity is bought: no grant
        "Redwood Metals provided Bluegum Lithium with $24 million to restart its mine.",
        "The Department of Energy will provide a $200 million loan to Bluegum Lithium.",
        "The Pentagon will provide $400 million to Bluegum Lithium in exchange for preferred "
        "shares.",
        "The Department of Energy is considering whether to provide $45 million to Bluegum "
        "Lithium.",
    ],
)
def test_money_that_is_no_public_grant(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "grant")


# --------------------------------------------------------- press-release parties and clauses
@pytest.mark.parametrize(
    "sentence",
    [
        "Bluegum Lithium Corp. (NASDAQ: BGL; TSX: BGL) announced that Redwood Metals (NYSE: RWM) "
        "acquired a 9.9% stake in the Company for US$45 million.",
        "Bluegum Lithium Inc. (TSXV: BGL) said Redwood Metals has become a 9.9% shareholder "
        "in the Corporation.",
    ],
)
def test_the_defined_company_of_a_release_is_its_issuer(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", acquirer="Redwood Metals", target="Bluegum Lithium")
    assert not has(ev, "stake_acquisition", target="Company")


def test_the_subject_of_an_under_which_clause(lexicon: Lexicon) -> None:
    ev = run(
        'Bluegum Lithium Limited (ASX:BGL, "Bluegum") has entered into a strategic investment '
        "agreement with Redwood Metals, under which Redwood Metals will invest A$30 million in "
        "Bluegum.",
        lexicon,
    )
    assert has(ev, "investment", investor="Redwood Metals", amount=3e7, currency="AUD")
    assert not has(ev, "investment", investor="Bluegum Lithium Limited")


# ------------------------------------------------- subjects past an adverbial or apposition
@pytest.mark.parametrize(
    "sentence",
    [
        "Earlier this month, Tarn Capital acquired a 5.3% stake in US-based rare earths "
        "producer Bluegum Lithium.",
        "Tarn Capital, Australia's largest private miner, has acquired a 5.3% stake in "
        "Canadian graphite developer Bluegum Lithium.",
        "Last week, Tarn Capital bought a 5.3 per cent interest in listed lithium explorer "
        "Bluegum Lithium.",
    ],
)
def test_stake_subject_and_target_past_descriptors(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev, "stake_acquisition", acquirer="Tarn Capital", target="Bluegum Lithium", percent=5.3
    )


def test_a_stake_bought_through_a_vehicle(lexicon: Lexicon) -> None:
    ev = run(
        "Jane Okafor has taken a stake in Bluegum Lithium through her company, Tarn Capital. "
        "The purchase of 2 million shares, worth A$8 million, gave her 6.1% voting power.",
        lexicon,
    )
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Tarn Capital",
        target="Bluegum Lithium",
        percent=6.1,
        amount=8e6,
        currency="AUD",
    )


def test_an_investment_shown_to_buy_a_stake(lexicon: Lexicon) -> None:
    ev = run(
        "Tarn Capital has invested a further £450,000 in Bluegum Lithium. The investment lifts "
        "Tarn's holding in Bluegum from 4.2% to approximately 9.1%.",
        lexicon,
    )
    assert has(
        ev,
        "stake_acquisition",
        acquirer="Tarn Capital",
        target="Bluegum Lithium",
        percent=9.1,
        amount=4.5e5,
        currency="GBP",
    )
    assert not has(ev, "investment")


def test_stakes_raised_and_secured_in_a_rights_offering(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals, as the major shareholder of Bluegum Lithium, will escalate its stake "
        "from 35 percent to 64 percent. Tarn Capital, as a new shareholder, secures a 12.9 "
        "percent stake.",
        lexicon,
    )
    assert has(
        ev, "stake_acquisition", acquirer="Redwood Metals", target="Bluegum Lithium", percent=64
    )
    assert has(
        ev, "stake_acquisition", acquirer="Tarn Capital", target="Bluegum Lithium", percent=12.9
    )


def test_equity_and_debt_financing_is_investment_by_each_party(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals and Tarn Capital said they would provide up to 110 million euros in "
        "equity and debt financing to Bluegum Lithium.",
        lexicon,
    )
    for investor in ("Redwood Metals", "Tarn Capital"):
        # the joint sum is given to neither
        assert has(ev, "investment", investor=investor, target="Bluegum Lithium", amount=None)
    assert not has(ev, "loan")
    ev = run(
        "Redwood Metals said it would provide up to 110 million euros in equity financing to "
        "Bluegum Lithium.",
        lexicon,
    )
    assert has(ev, "investment", investor="Redwood Metals", amount=1.1e8, currency="EUR")


@pytest.mark.parametrize(
    "sentence",
    [
        "Bluegum Lithium has signed a nonbinding indicative offtake term sheet with Redwood "
        "Metals for the sale of graphite.",
        "Bluegum Lithium signed a letter of intent with Redwood Metals to supply antimony.",
        "Bluegum Lithium and Redwood Metals signed heads of agreement for lithium supply.",
    ],
)
def test_unbound_deals_are_no_events(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "offtake")


def test_a_binding_deal_after_a_term_sheet_still_counts(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium signed a binding offtake agreement with Redwood Metals for graphite, "
        "replacing the term sheet of last year.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals")


def test_material_sent_for_conversion_is_no_sale(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals will ship the concentrate to Bluegum Lithium for conversion to tungsten "
        "powder.",
        lexicon,
    )
    assert not has(ev, "offtake")


# ----------------------------------------------------------- named but not done, own assets
@pytest.mark.parametrize(
    ("sentence", "etype"),
    [
        (
            "Redwood Metals said it objected to the proposed issuance of a 10% stake in Bluegum "
            "Lithium to Tarn Capital for $1.9 billion.",
            "stake_acquisition",
        ),
        (
            "Jane Okafor's partnership with Redwood Metals in the takeover of Bluegum Lithium "
            "shows her appetite for lithium.",
            "stake_acquisition",
        ),
        (
            "The company has produced the first trial graphite concentrate at its Kings Hill mine "
            "in Tanzania.",
            "facility",
        ),
        (
            "Shipments will begin once it starts producing concentrate in saleable quantities, "
            "Bluegum Lithium said.",
            "facility",
        ),
        (
            "The projects will retrofit, expand and build new battery plants, the Department of "
            "Energy said.",
            "facility",
        ),
    ],
)
def test_named_but_not_done(sentence: str, etype: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), etype)


def test_commercial_production_beside_trial_production_is_an_opening(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium has kicked off commercial production of lithium hydroxide at its "
        "Kwinana refinery, along with trial production of battery cathodes.",
        lexicon,
    )
    assert has(ev, "facility", company="Bluegum Lithium", action="opening")


def test_a_buyer_sourcing_from_its_own_mine_names_no_supplier(lexicon: Lexicon) -> None:
    ev = run(
        "Under the agreement, Redwood Metals will deliver tungsten concentrate to Tarn Capital, "
        "sourced from its Kings Hill mine or, alternatively, from its Panasqueira Project.",
        lexicon,
    )
    assert not has(ev, "offtake", supplier="Panasqueira Project")
    assert not has(ev, "offtake", supplier="Kings Hill")


def test_grant_noun_held_and_issued(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium said it will use an $18.5 million Pentagon award under the Defense "
        "Production Act to produce germanium.",
        lexicon,
    )
    assert has(ev, "grant", grantor="us-dod", recipient="Bluegum Lithium", amount=1.85e7)
    ev = run(
        "The DFC has issued a $3.4 million technical assistance grant for Bluegum Lithium's "
        "rare earths project in Angola.",
        lexicon,
    )
    # the acronym stands for the public lender's full name (round 8's list of public lenders)
    assert has(
        ev,
        "grant",
        grantor="U.S. International Development Finance Corporation",
        recipient="Bluegum Lithium",
        amount=3.4e6,
    )


def test_parties_introduced_by_a_descriptor_and_a_comma(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium has entered into an offtake agreement with US-based defence "
        "contractor, Tungsten Parts Wyoming (TPW), to supply tungsten concentrate.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Tungsten Parts Wyoming")


@pytest.mark.parametrize(
    "sentence",
    [
        "The ban comes in the same week Bluegum Lithium (TSX: BGL) announced the beginning of "
        "production of lithium concentrate at its Kings Hill project in Australia.",
        "Bluegum Lithium celebrated the start of commercial production at its lithium mine in "
        "Western Australia.",
    ],
)
def test_a_production_start_told_as_a_noun(sentence: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), "facility", company="Bluegum Lithium", action="opening")


def test_an_expected_production_start_is_none(lexicon: Lexicon) -> None:
    ev = run("Bluegum Lithium expects the start of production at its mine in 2027.", lexicon)
    assert not has(ev, "facility")


def test_they_sign_a_deal_after_a_joint_statement(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals and Tarn Capital said they would provide up to 110 million euros in "
        "equity and debt financing to Bluegum Lithium. They have also signed a long-term "
        "offtake contract with Bluegum Lithium to secure half its output of rare earth oxides.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Redwood Metals")
    assert has(ev, "offtake", supplier="Bluegum Lithium", buyer="Tarn Capital")


def test_they_sign_with_no_direction_gives_no_roles(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals and Tarn Capital said they would invest €20 million in equity in "
        "Bluegum Lithium. They have also signed a supply agreement with Bluegum Lithium.",
        lexicon,
    )
    assert not has(ev, "offtake", buyer="Redwood Metals")
