"""Round 11, facilities: mechanisms found on the sixth collection's development half, each
tested on sentences of our own worded unlike any article, with a negative beside it.

- a start of production with the product named in between ("commenced lithium production"),
  or told with production as the subject ("Production at the X mine began in February");
- a plant opened by a head of state or minister, its operator named a few sentences on as the
  one who built, developed, owns or runs it; the official is never taken for the operator;
- an owner's nationality ("a Chinese-owned mine", "Chinese firm X", "to China's X") is no
  location;
- the capacity of the plant just opened, stated in a later sentence about "the project";
- a company introduced as "the Canadian company X" or named with a commodity word ("X
  Titanium", "X Iron") is a company;
- a government body ("the Ministry of Environment", "the Department of X") orders or reports a
  plant's act; the operator is the one it acts on, or is named later, never the body;
- a plant that "remains shut" or is "currently idle" is in a state, not newly closed; a sum
  paid "upon closing" is paid when a deal completes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.news import Article, analyze
from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

PUBLISHED = "2025-06-20"
F = "facility"

POSITIVES: list[tuple[str, dict[str, Any]]] = [
    (
        "Acme Minerals commenced lithium production at its brine operation in Chile on Monday.",
        {"company": "Acme Minerals", "action": "opening", "material": "lithium", "location": "CHL"},
    ),
    (
        "Borealis Metals started copper concentrate output at the Kipushi mill in Congo last week.",
        {"company": "Borealis Metals", "action": "opening", "material": "copper"},
    ),
    (
        "Tanzania's President Amina Salim officially inaugurated a graphite processing plant "
        'on Thursday. She said the country would no longer sell raw ore. "This is a proud day '
        'for us," she told the crowd. Graphite is used in the anodes of electric vehicle '
        "batteries. The plant was built by Chinese firm Acme Graphite, which holds the mining "
        "licence.",
        {"company": "Acme Graphite", "action": "opening", "material": "graphite"},
    ),
    (
        "Prime Minister Jon Doe formally opened a nickel smelter in the north on Monday. The "
        "smelter will employ 900 people. Officials expect exports of matte next year. The "
        "smelter is operated by Acme Nickel Ltd.",
        {"company": "Acme Nickel Ltd.", "action": "opening", "material": "nickel"},
    ),
    (
        "Acme Graphite opened a processing plant at a Chinese-owned mine in Mozambique on Friday.",
        {"company": "Acme Graphite", "action": "opening", "location": "MOZ"},
    ),
    (
        "Acme Lithium began lithium production at its plant in Chile on Monday. The start had "
        "been delayed by rain. Acme spent $500 million on the project, which has a capacity "
        "of 30,000 tonnes of lithium carbonate a year.",
        {"company": "Acme Lithium", "action": "opening", "capacity": 30000, "unit": "t/yr"},
    ),
    (
        "Nordic Ore began nickel production at its new concentrator in Finland this month. The "
        "company says the concentrator is designed to produce 12,000 tonnes of nickel a year.",
        {"company": "Nordic Ore", "action": "opening", "capacity": 12000},
    ),
    (
        "Acme Lithium is still waiting for an export licence. Production at the Lode mine "
        "started in March, the company said.",
        {"company": "Acme Lithium", "action": "opening"},
    ),
    (
        "The Canadian company Borealis announced on Tuesday that it is suspending mining "
        "operations in Cuba because of fuel shortages.",
        {"company": "Borealis", "action": "closure", "location": "CUB"},
    ),
    (
        "Coastal Titanium has announced that it will shut down its operations in Kenya by the "
        "end of next year after its deposits ran out.",
        {"company": "Coastal Titanium", "action": "closure", "location": "KEN"},
    ),
    (
        "Northern Iron halted operations at its pellet plant in Canada after a fire on Sunday.",
        {"company": "Northern Iron", "action": "closure"},
    ),
    (
        "The Ministry of Environment has stopped mining operations by Acme Nickel Corporation "
        "on the island, officials said on Monday.",
        {"company": "Acme Nickel Corporation", "action": "closure"},
    ),
    (
        "The country's first lithium refinery began operations near the capital on Monday, "
        "the Ministry of Mines said. The refinery is operated by Acme Lithium Ltd.",
        {"company": "Acme Lithium Ltd.", "action": "opening", "material": "lithium"},
    ),
    # "idle" as a verb with its object: an act
    (
        "Acme Lithium has decided to idle Train 2 at its hydroxide refinery in Western Australia.",
        {"company": "Acme Lithium", "action": "closure"},
    ),
    (
        "Acme Nickel will idle its smelter in Sulawesi from July.",
        {"company": "Acme Nickel", "action": "closure"},
    ),
]

# (text, fields the reader must NOT give a facility event with)
NEGATIVES: list[tuple[str, dict[str, Any]]] = [
    # a cut, not a start
    ("Acme Minerals began cutting production at its nickel mine in Indonesia.", {}),
    # the partnership began, no plant
    ("The partnership between Acme and Beta began with immediate production of magnets.", {}),
    # the official is not the operator
    (
        "Prime Minister Jon Doe formally opened a nickel smelter in the north on Monday.",
        {"company": "Prime Minister Jon Doe"},
    ),
    # the nationality of the mine's owner is no place
    (
        "Acme Graphite opened a processing plant at a Chinese-owned mine on Friday.",
        {"location": "CHN"},
    ),
    # the buyer's country is no place of the plant
    (
        "Output at Acme Lithium's Lode mine began in March and is sold to China's Hainan Mining.",
        {"location": "CHN"},
    ),
    # a government body is never the operator
    (
        "The country's first lithium refinery began operations near the capital on Monday, "
        "the Ministry of Mines said.",
        {"company": "Ministry of Mines"},
    ),
    (
        "The Department of Environment and Natural Resources has stopped mining on the island.",
        {"company": "The Department of Environment and Natural Resources"},
    ),
    # a day after "the company" is no name
    ("The company Tuesday said it would suspend mining operations in Cuba.", {}),
    # history, and a plan
    ("Production at the mine began in 1998 and Acme Lithium bought it in 2010.", {}),
    ("Acme Lithium said it expects production at the mine to begin next year.", {}),
    # a sum closed is a deal closed
    (
        "Acme Alumina reached the contractual close of $300 million in debt funding for its "
        "refinery in Queensland.",
        {"action": "closure"},
    ),
    ("Acme Lithium reached financial close of A$250 million for its smelter on Monday.", {}),
    # the thing closed is no plant
    (
        "Acme Mining closed the sales office in Perth, which handles ore from its lithium mine.",
        {"action": "closure"},
    ),
    # a standing state
    ("Beta Corp's mine remains shut.", {}),
    (
        "Beta Corp holds an option on three claims near Gamma Mining's currently idle copper mine.",
        {},
    ),
    # a deal completes
    (
        "Under the accord Acme Copper will pay $40 million upon closing and $60 million when "
        "the smelter is built.",
        {"action": "closure"},
    ),
    ("Beta Corp's smelter in Chile stayed closed on Monday.", {}),
]


@pytest.mark.parametrize(("text", "fields"), POSITIVES)
def test_round11_facility(text: str, fields: dict[str, Any], lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert has(ev, F, **fields), ev


@pytest.mark.parametrize(("text", "fields"), NEGATIVES)
def test_round11_no_facility(text: str, fields: dict[str, Any], lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert not has(ev, F, **fields), ev


def test_a_far_sentence_names_the_operator_only_as_its_maker(lexicon: Lexicon) -> None:
    # five sentences on, "financed by" names a lender, not the operator
    text = (
        "Prime Minister Jon Doe formally opened a nickel smelter in the north on Monday. The "
        "smelter will employ 900 people. It has been a long road, he said. Officials said the "
        "country would export nickel matte from next year. Investors welcomed the news. The "
        "expansion was financed by Acme Bank Ltd."
    )
    ev = events_of(text, lexicon, PUBLISHED)
    assert not [e for e in ev if e["type"] == F], ev


def test_a_later_capacity_of_another_plant_is_not_taken(lexicon: Lexicon) -> None:
    text = (
        "Acme Lithium began lithium production at its plant in Chile on Monday. Rival Beta "
        "Corp's mine, which has a capacity of 10,000 tonnes a year, remains shut."
    )
    ev = events_of(text, lexicon, PUBLISHED)
    assert has(ev, F, company="Acme Lithium", action="opening"), ev
    assert not has(ev, F, company="Acme Lithium", capacity=10000), ev


# ------------------------------------------------------------------ restrictions (round 11)
# A first sentence that names another country, so the reader has an issuer in context.
CONTEXT = "Acme Resources signed its first supply contract in Morocco to buy ore from Beta Mining. "


def test_a_measure_named_as_a_cause_is_no_new_restriction(lexicon: Lexicon) -> None:
    # "adds that" reports speech; "reflecting export restrictions" names the cause of a price
    ev = events_of(
        CONTEXT + "Acme adds that the antimony price has doubled this year, mostly reflecting "
        "export restrictions from China.",
        lexicon,
        PUBLISHED,
    )
    assert not [e for e in ev if e["type"] == "export_restriction"], ev


def test_restrictions_from_a_country_are_that_countrys(lexicon: Lexicon) -> None:
    ev = events_of(
        CONTEXT + "Supply tightened last week after new export restrictions from China took "
        "effect on antimony.",
        lexicon,
        PUBLISHED,
    )
    assert has(ev, "export_restriction", issuer="CHN", material="antimony"), ev
    assert not has(ev, "export_restriction", issuer="MAR"), ev


def test_adding_a_metal_to_a_control_list_still_imposes(lexicon: Lexicon) -> None:
    ev = events_of(
        "Beijing added tellurium to its export control list on Monday.", lexicon, PUBLISHED
    )
    assert has(ev, "export_restriction", issuer="CHN", action="imposed", material="tellurium"), ev


# ------------------------------------------------------------- a headline's short name
def test_a_headline_short_name_is_the_bodys_full_name(lexicon: Lexicon) -> None:
    # a page whose text opens with its headline line, as pages are read
    article = Article(
        article_id="t",
        url="https://example.org/t",
        title=None,
        published=dt.date(2025, 6, 20),
        site=None,
        text=(
            "Halvard Critical opens first lithium refinery in Germany\n"
            "Halvard Critical Materials has opened a lithium hydroxide refinery in Saxony, "
            "Germany, the company said on Monday."
        ),
        origin="test",
    )
    ev = [e for e in analyze(article, lexicon).events if e.type == F]
    assert ev and {e.fields["company"] for e in ev} == {"Halvard Critical Materials"}, ev


def test_a_subsidiary_named_with_a_commodity_is_not_the_parent(lexicon: Lexicon) -> None:
    text = (
        "Halvard Mining opened a copper mine in Chile on Monday. Its unit Halvard Mining "
        "Lithium runs a brine plant nearby."
    )
    ev = [e for e in events_of(text, lexicon, PUBLISHED) if e["type"] == F]
    assert has(ev, F, company="Halvard Mining", action="opening"), ev
    assert not has(ev, F, company="Halvard Mining Lithium", action="opening"), ev


@pytest.mark.parametrize(
    "text",
    [
        # a measure in force, told as the setting of the news
        "The placement comes as China restricts exports of graphite, used in battery anodes.",
        "Beijing's decision came as China curbs exports of gallium to chip makers.",
        # the measure is the subject of another verb, its country named in another clause
        "China mines most of the world's tungsten, but export controls have unsettled buyers "
        "in Europe.",
    ],
)
def test_a_measure_in_force_is_no_new_restriction(text: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert not [e for e in ev if e["type"] == "export_restriction"], ev


@pytest.mark.parametrize(
    "text",
    [
        "The deal comes after China restricted exports of graphite last week.",
        "China is the top producer, but it imposed export controls on tungsten on Monday.",
    ],
)
def test_an_act_beside_the_setting_is_still_one(text: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert has(ev, "export_restriction", issuer="CHN", action="imposed"), ev
