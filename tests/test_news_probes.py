""" "Close" said of a deal is its completion, not a plant's shutdown: a lender that "closed a
loan", a company that "closed a placement" or "the acquisition of" another shuts nothing;
a plant closed while a deal stalls is still a closure. A forecast of another's act ("Analysts
expect China to tighten controls") is no act; an extension reported in the passive ("said the ban
would be extended") is one; "Mines" ends a company's name (sentences we wrote)."""

from __future__ import annotations

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


@pytest.mark.parametrize(
    "text",
    [
        "The Department of Energy's Loan Programs Office has closed a $2.26 billion loan to "
        "Lithium Americas for its lithium project in Nevada.",
        "Piedmont Lithium closed a $50 million placement to fund its lithium project.",
        "Albemarle has closed the acquisition of a lithium converter in China.",
        "Talga Group said it closed its A$30 million capital raising for the graphite plant.",
    ],
)
def test_a_deal_closed_is_no_facility_closure(text: str, lexicon: Lexicon) -> None:
    assert not [e for e in events_of(text, lexicon, "2025-03-10") if e["type"] == "facility"]


def test_the_loan_closed_is_still_a_loan(lexicon: Lexicon) -> None:
    ev = events_of(
        "The Department of Energy has closed a $996 million loan to Ioneer for its lithium mine.",
        lexicon,
        "2025-03-10",
    )
    assert has(ev, "loan", borrower="Ioneer", amount=996_000_000)
    assert not [e for e in ev if e["type"] == "facility"]


@pytest.mark.parametrize(
    "text",
    [
        "Tianqi closed its Kwinana lithium hydroxide plant as a sale of the business stalled.",
        "Glencore closed the Koniambo nickel smelter after talks on a sale failed.",
    ],
)
def test_a_plant_closed_near_a_deal_word_is_still_closed(text: str, lexicon: Lexicon) -> None:
    assert has(events_of(text, lexicon, "2025-03-10"), "facility", action="closure")


@pytest.mark.parametrize(
    "text",
    [
        "Analysts expect China to tighten controls on rare earth exports further.",
        "Traders expect Indonesia to ban bauxite exports again next year.",
        "Brokers forecast Zimbabwe to curb lithium ore exports within months.",
    ],
)
def test_a_forecast_of_a_measure_is_no_measure(text: str, lexicon: Lexicon) -> None:
    assert not events_of(text, lexicon, "2025-03-10")


def test_a_measure_taken_as_expected_is_a_measure(lexicon: Lexicon) -> None:
    ev = events_of(
        "China, as expected, banned exports of antimony to the United States on Tuesday.",
        lexicon,
        "2025-03-10",
    )
    assert has(ev, "export_restriction", issuer="CHN", material="antimony", action="imposed")


@pytest.mark.parametrize(
    "text",
    [
        "Congo's mines minister said the cobalt export ban would be extended by three months.",
        "Congo's government announced on Friday that the ban on cobalt exports will be "
        "extended by three months.",
    ],
)
def test_an_extension_reported_in_the_passive(text: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, "2025-03-10")
    assert has(ev, "export_restriction", issuer="COD", material="cobalt", action="extended")
    assert not has(ev, "export_restriction", action="imposed")


@pytest.mark.parametrize(
    "text",
    [
        "Congo's mines minister said the cobalt export ban could be extended by three months.",
        "Congo's regulator said the cobalt export ban would not be extended in June.",
    ],
)
def test_an_extension_only_possible_or_denied_is_none(text: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, "2025-03-10")
    assert not has(ev, "export_restriction", action="extended")


@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "The Nkana smelter was shut for three weeks of maintenance, operator Mopani Copper "
            "Mines said.",
            "Mopani Copper Mines",
        ),
        (
            "Kivu Mines said it had placed its cobalt plant on care and maintenance.",
            "Kivu Mines",
        ),
    ],
)
def test_mines_ends_a_company_name(text: str, company: str, lexicon: Lexicon) -> None:
    assert has(events_of(text, lexicon, "2025-03-10"), "facility", company=company)
