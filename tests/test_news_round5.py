"""Classes of wording found on development articles the rules had not seen (round 5), each
tested on sentences we wrote: market closes, prevented acts, earlier measures named as a
setting or a time, glued sentences, sums written with a currency code, one party twice."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.events import find_money
from derisk.news.lexicon import Lexicon
from derisk.news.text import split_sentences
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-10") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


# ------------------------------------------------------------------ no event where none is
@pytest.mark.parametrize(
    "sentence",
    [
        "Shares of Albemarle closed up 12% on Tuesday as investors welcomed the project news.",
        "The stock of Albemarle closed at $81.20 after the results.",
        "Albemarle closed sharply lower in New York trading on the lithium price slump.",
    ],
)
def test_a_market_close_is_no_facility_closure(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "facility")


def test_a_plant_closure_is_still_one(lexicon: Lexicon) -> None:
    ev = run("Albemarle closed its Kemerton lithium hydroxide plant in Australia.", lexicon)
    assert has(ev, "facility", company="albemarle", action="closure")


@pytest.mark.parametrize(
    "sentence",
    [
        "The regulator issued an order to stop Redwood Metals from acquiring a 60 per cent "
        "interest in Bluegum Lithium.",
        "The treasurer blocked Redwood Metals from buying a 30% stake in Bluegum Lithium.",
    ],
)
def test_a_prevented_acquisition_is_no_stake(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), "stake_acquisition")


def test_an_earlier_measure_in_a_when_clause_after_a_time_is_background(
    lexicon: Lexicon,
) -> None:
    ev = run(
        "Shipments slumped 80% last month, the lowest since the spring of 2023 when Beijing "
        "first imposed export controls on gallium.",
        lexicon,
    )
    assert not has(ev, "export_restriction")
    # a "when" clause of the news itself still states it
    ev = run("Prices jumped when China banned exports of antimony on Monday.", lexicon)
    assert has(ev, "export_restriction", issuer="CHN", material="antimony")


def test_a_measure_named_as_the_setting_of_another_act_is_no_act(lexicon: Lexicon) -> None:
    ev = run(
        "China's Ministry of Commerce said it will keep improving licence procedures under its "
        "new gallium export controls, while weighing support for trade.",
        lexicon,
    )
    assert not has(ev, "export_restriction")
    # a new measure given as a cause is news
    ev = run(
        "Trade in gallium swung wildly in 2025 due to new Chinese export controls on gallium.",
        lexicon,
    )
    assert has(ev, "export_restriction", issuer="CHN", material="gallium")


# ------------------------------------------------------------------ parties and sums
def test_glued_sentences_are_split() -> None:
    assert split_sentences("Prices of cobalt fell.It also comes after a sale.") == [
        "Prices of cobalt fell.",
        "It also comes after a sale.",
    ]
    # initials and decimals stay whole
    assert len(split_sentences("The U.S. bought 2.5 tonnes in St. Louis.")) == 1


def test_a_glued_sentence_does_not_lend_its_material(lexicon: Lexicon) -> None:
    ev = run(
        "Prices of cobalt fell sharply.It also comes after Albemarle closed its Kemerton "
        "lithium plant in Australia.",
        lexicon,
    )
    assert not has(ev, "facility", material="cobalt")


def test_sum_written_with_a_glued_currency_code_is_no_party(lexicon: Lexicon) -> None:
    assert [(m.amount, m.currency) for m in find_money("up to USD75 million")] == [(75e6, "USD")]
    ev = run(
        "The Export-Import Bank of Korea signed on May 3 a loan agreement amounting to up to "
        "USD150 million with Andes Cobalt S.A., a Peruvian company.",
        lexicon,
    )
    assert has(ev, "loan", lender="Export-Import Bank of Korea", borrower="Andes Cobalt")
    assert not any(str(e.get("borrower", "")).startswith("USD") for e in ev)


def test_one_party_named_twice_is_no_deal(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals Corp. is up after unveiling a plan to buy Canadian miner Bluegum "
        "Lithium. Redwood has already acquired 8% of the company on the market.",
        lexicon,
    )
    assert not any(
        e["type"] == "stake_acquisition" and e.get("acquirer") == e.get("target") for e in ev
    )


def test_subject_of_an_infinitive_after_for(lexicon: Lexicon) -> None:
    ev = run(
        "Andes Cobalt signed a deal with Redwood Metals for Bluegum Lithium to acquire a 40% "
        "stake in Andes Nickel for $20m.",
        lexicon,
    )
    assert has(ev, "stake_acquisition", acquirer="Bluegum Lithium", target="Andes Nickel")
    assert not has(ev, "stake_acquisition", acquirer="Andes Cobalt")


# ------------------------------------------------------------------ recall by mechanism
def test_short_name_takes_the_full_name_and_the_company_is_the_other_one(
    lexicon: Lexicon,
) -> None:
    ev = run(
        "United States Antimony Corp. is up after unveiling a plan to buy Canadian miner "
        "Bluegum Lithium. US Antimony has already acquired 10% of the company on the market.",
        lexicon,
    )
    assert has(
        ev,
        "stake_acquisition",
        acquirer="United States Antimony Corp.",
        target="Bluegum Lithium",
        percent=10.0,
    )


def test_subject_of_an_infinitive_after_an_apposition(lexicon: Lexicon) -> None:
    ev = run(
        "The state miner has entered into a deal with Redwood Holding (RH) for RH's "
        "wholly-owned subsidiary, Delta Mining, to acquire a 51% interest in Andes Nickel Mines.",
        lexicon,
    )
    assert has(ev, "stake_acquisition", acquirer="Delta Mining", percent=51.0)


def test_raising_a_stake_in_the_explorer_named_before(lexicon: Lexicon) -> None:
    ev = run(
        "Japanese group Kanto Metals has put a foot in Westbrook Lithium by lifting its stake in "
        "the explorer to 15 per cent through a $30 million placement.",
        lexicon,
    )
    assert has(
        ev, "stake_acquisition", acquirer="Kanto Metals", target="Westbrook Lithium", percent=15.0
    )


def test_a_name_introduced_by_its_trade_is_a_company(lexicon: Lexicon) -> None:
    ev = run("Japanese group Okuma has bought a 9% stake in Westbrook Lithium.", lexicon)
    assert has(ev, "stake_acquisition", acquirer="Okuma", target="Westbrook Lithium")


@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        (
            "Redwood Mining has announced the closure of its Kambalda nickel operation in "
            "Western Australia.",
            "closure",
        ),
        (
            "Ganfeng said the first phase of its Goulamina lithium mine in Mali had gone live "
            "in mid-December.",
            "opening",
        ),
        ("Albemarle's new lithium hydroxide plant in Australia came online in May.", "opening"),
    ],
)
def test_facility_acts_named_by_a_noun_or_an_idiom(
    sentence: str, action: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "facility", action=action)
