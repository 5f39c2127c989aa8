"""News extraction by class of wording, on sentences we wrote: well-known companies named
without a company word, the direction of supply deals, first shipments and facility events
in the wording trade press uses. Each test is one class, not one article."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.news import RawDoc, analyze, extract
from derisk.news.lexicon import Lexicon, sector_country, sector_maker
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-12") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


# ------------------------------------------------------------ companies without a company word
def test_sector_list_knows_country_and_makers() -> None:
    assert sector_country("Kia") == "KOR"
    assert sector_country("Glencore") == "CHE"
    assert sector_country("Nobody Minerals") is None
    assert sector_maker("Toyota") and not sector_maker("Rio Tinto")


def test_carmaker_named_bare_is_a_party_and_proposed_with_its_country(lexicon: Lexicon) -> None:
    text = "Under the deal, Norwood Rare Metals will sell 900 tonnes a year of NdPr oxide to Kia."
    art = extract(RawDoc("t.txt", "text", text, published=dt.date(2025, 6, 12)))
    a = analyze(art, lexicon)
    ev = [{"type": e.type, **e.fields} for e in a.events]
    assert has(ev, "offtake", supplier="Norwood Rare Metals", buyer="Kia", quantity=900.0)
    kia = [n for n in a.new_entities if n.name == "Kia"]
    assert kia and kia[0].country == "KOR" and kia[0].country_from == "sector list"


def test_acronym_of_a_sector_company_takes_its_full_name(lexicon: Lexicon) -> None:
    ev = run("Westbrook Lithium Ltd agreed to supply GM with lithium hydroxide.", lexicon)
    assert has(ev, "offtake", supplier="Westbrook Lithium", buyer="General Motors")


# ---------------------------------------------------------------- direction of supply deals
def test_agreement_wording_a_maker_buys_from_a_miner(lexicon: Lexicon) -> None:
    ev = run("Honda entered a supply deal with Tarra Graphite Ltd for anode material.", lexicon)
    assert has(ev, "offtake", supplier="Tarra Graphite", buyer="Honda", material="graphite")
    assert not has(ev, "offtake", supplier="Honda")


@pytest.mark.parametrize(
    ("sentence", "supplier", "buyer"),
    [
        # the party after "deal with" is the counterpart of the verb that follows
        (
            "Umicore signed a long-term contract with Vale to procure nickel for its plants.",
            "Vale",
            "Umicore",
        ),
        (
            "Belmont Minerals inked a deal with Hyundai to supply rare earth oxide from 2027.",
            "Belmont Minerals",
            "Hyundai",
        ),
        ("Ford has secured lithium supply from Albemarle under a new deal.", "albemarle", "Ford"),
    ],
)
def test_supply_direction_by_verb_family(
    lexicon: Lexicon, sentence: str, supplier: str, buyer: str
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier=supplier, buyer=buyer)


def test_share_of_a_mines_output_is_a_supply_deal_but_of_a_project_a_stake(
    lexicon: Lexicon,
) -> None:
    ev = run(
        "Tesla will buy 40% of the spodumene produced by Harlow Lithium Corp over five years.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Harlow Lithium", buyer="Tesla", material="lithium")
    ev = run("Tesla will buy 40% of the Harlow lithium project from Brent Mining Ltd.", lexicon)
    assert not has(ev, "offtake")


@pytest.mark.parametrize(
    "sentence",
    [
        "Kestrel Cobalt Ltd signed an agreement with the Department of Energy, which will "
        "provide $80 million for a new refinery line.",
        "Kestrel Cobalt Ltd will receive $80 million from a government cobalt loan programme.",
    ],
)
def test_money_given_or_received_is_not_a_supply_deal(lexicon: Lexicon, sentence: str) -> None:
    assert not has(run(sentence, lexicon), "offtake")


def test_earlier_contracts_named_as_a_noun_give_no_direction(lexicon: Lexicon) -> None:
    ev = run(
        "That deal, along with Ford's earlier contracts with Norwood Magnet Corp, will allow "
        "Ford to source most of its rare earth magnets at home.",
        lexicon,
    )
    assert not has(ev, "offtake", supplier="Norwood Magnet")


# ------------------------------------------------------------------------ first shipments
@pytest.mark.parametrize(
    ("sentence", "exporter", "material", "destination"),
    [
        (
            "Quarry Lithium Ltd said its inaugural shipment of spodumene departed Esperance "
            "for China on Monday.",
            "Quarry Lithium",
            "lithium",
            "CHN",
        ),
        (
            "Ridgeway Minerals said the first 8,000 tonnes of spodumene left the port bound for "
            "China.",
            "Ridgeway Minerals",
            "lithium",
            "CHN",
        ),
        (
            "Fjord Graphite AS said the first container of graphite concentrate had arrived in "
            "Japan.",
            "Fjord Graphite",
            "graphite",
            "JPN",
        ),
        (
            "Tana Antimony Ltd loaded its debut cargo of antimony concentrate for Belgium.",
            "Tana Antimony",
            "antimony",
            "BEL",
        ),
    ],
)
def test_first_shipment_wording(
    lexicon: Lexicon, sentence: str, exporter: str, material: str, destination: str
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "first_export", exporter=exporter, material=material, destination=destination)


def test_first_shipment_weekday_and_quantity(lexicon: Lexicon) -> None:
    ev = run(
        "Ridgeway Minerals said the first 8,000 tonnes of spodumene left the port bound for "
        "China on Monday.",
        lexicon,
        "2025-06-12",  # a Thursday
    )
    assert has(ev, "first_export", quantity=8000.0, unit="t", date="2025-06-09", destination="CHN")


# ----------------------------------------------------------------------------- facilities
@pytest.mark.parametrize(
    ("sentence", "company", "action"),
    [
        (
            "Energy Fuels poured the first rare earth oxide at its Utah mill.",
            "Energy Fuels",
            "opening",
        ),
        (
            "BHP will temporarily suspend its Kwinana nickel operations from October.",
            "BHP",
            "closure",
        ),
        (
            "Harlow Lithium Corp restarted mining at its Pine Creek lithium mine.",
            "Harlow Lithium",
            "opening",
        ),
        (
            "Arcadium said it would halt production at its Mt Cattlin lithium mine.",
            "Arcadium",
            "closure",
        ),
    ],
)
def test_facility_wording(lexicon: Lexicon, sentence: str, company: str, action: str) -> None:
    assert has(run(sentence, lexicon), "facility", company=company, action=action)


def test_passive_commissioning_names_the_operator_after_by(lexicon: Lexicon) -> None:
    ev = run(
        "The lithium hydroxide plant was commissioned by Harlow Lithium Corp on Tuesday.",
        lexicon,
    )
    assert has(ev, "facility", company="Harlow Lithium", action="opening", date="2025-06-10")


# -------------------------------------------------------------------------------- stakes
def test_taken_a_stake(lexicon: Lexicon) -> None:
    ev = run("Hancock Prospecting has taken a 7.5% stake in Brent Mining Ltd.", lexicon)
    assert has(
        ev, "stake_acquisition", acquirer="Hancock Prospecting", target="Brent Mining", percent=7.5
    )


# ------------------------------------------------------- numbers stated after the event
@pytest.mark.parametrize(
    "detail",
    [
        "It has an annual capacity of 25,000 tonnes.",
        "The refinery can produce 25,000 tonnes of lithium hydroxide a year.",
        "This facility is designed to turn out 25,000 tpa of battery-grade hydroxide.",
    ],
)
def test_capacity_in_the_next_sentence(lexicon: Lexicon, detail: str) -> None:
    ev = run(
        "Harlow Lithium Corp opened its Pine Creek lithium hydroxide refinery in Nevada.\n"
        + detail,
        lexicon,
    )
    assert has(ev, "facility", company="Harlow Lithium", capacity=25000.0, unit="t/yr")


def test_hyphenated_yearly_rate(lexicon: Lexicon) -> None:
    ev = run("Harlow Lithium Corp opened a 25,000-tonne-a-year lithium hydroxide plant.", lexicon)
    assert has(ev, "facility", capacity=25000.0, unit="t/yr")


@pytest.mark.parametrize(
    "detail",
    [
        "The vessel carried 30,000 tonnes of concentrate.",
        "The cargo, of about 30,000 wet metric tonnes, left port at the weekend.",
    ],
)
def test_cargo_size_in_the_next_sentence(lexicon: Lexicon, detail: str) -> None:
    ev = run("Ridgeway Minerals shipped its first cargo of spodumene to China.\n" + detail, lexicon)
    assert has(ev, "first_export", destination="CHN", quantity=30000.0, unit="t")


def test_deal_size_term_and_value_in_later_sentences(lexicon: Lexicon) -> None:
    ev = run(
        "Norwood Rare Metals signed an offtake agreement with Kia for NdPr oxide.\n"
        "The deal covers 900 tonnes of oxide per year over seven years.\n"
        "The seven-year contract is worth $400 million.",
        lexicon,
    )
    assert has(
        ev,
        "offtake",
        supplier="Norwood Rare Metals",
        buyer="Kia",
        quantity=900.0,
        unit="t/yr",
        term="P7Y",
        amount=400000000.0,
        currency="USD",
    )


# ------------------------------------------------------------- restrictions: modality
@pytest.mark.parametrize(
    "sentence",
    [
        "Beijing threatened to ban exports of rare earths to the United States.",
        "China has vowed to restrict shipments of gallium if tariffs rise.",
        "Analysts said China is likely to curb antimony exports.",
        "If the talks fail, Beijing will suspend rare earth exports to the US.",
        "The DRC wants to ban cobalt exports for another year.",
        "Congo is looking to extend its cobalt export ban.",
        "China has the power to restrict exports of rare earths.",
        "Traders fear China will ban exports of tungsten.",
        "Lawmakers in Zimbabwe called for a ban on lithium ore exports.",
    ],
)
def test_threats_wishes_fears_and_conditions_are_no_restriction(
    lexicon: Lexicon, sentence: str
) -> None:
    assert not has(run(sentence, lexicon), "export_restriction")


@pytest.mark.parametrize(
    "sentence",
    [
        "China's rare earth export curbs remain in place.",
        "Chinese export controls on graphite weigh on anode makers.",
        "China's export ban on gallium, imposed in 2023, has pushed prices higher.",
    ],
)
def test_a_measure_named_with_its_government_as_possessive_is_no_act(
    lexicon: Lexicon, sentence: str
) -> None:
    assert not has(run(sentence, lexicon), "export_restriction")


@pytest.mark.parametrize(
    "sentence",
    [
        "Trade in germanium collapsed last year due to new Chinese export controls.",
        "Vietnam's parliament approved a ban on exports of rare earths.",
    ],
)
def test_a_new_measure_or_one_approved_is_an_act(lexicon: Lexicon, sentence: str) -> None:
    assert has(run(sentence, lexicon), "export_restriction", action="imposed")


def test_requiring_licences_is_a_restriction_with_its_start(lexicon: Lexicon) -> None:
    ev = run(
        "China's commerce ministry said on Sunday it would require licences for exports of "
        "holmium from November 8.",
        lexicon,
        "2025-10-10",  # a Friday
    )
    assert has(
        ev,
        "export_restriction",
        issuer="CHN",
        action="imposed",
        material="rare-earths",
        start="2025-11-08",
        date="2025-10-05",
    )


# ------------------------------------------------------------- stakes: more wording
@pytest.mark.parametrize(
    ("sentence", "acquirer", "target", "percent"),
    [
        (
            "Glencore increased its stake in Harlow Lithium Corp to 12%.",
            "Glencore",
            "Harlow Lithium",
            12.0,
        ),
        (
            "Kia made a strategic investment in Norwood Rare Metals, taking a 5% stake.",
            "Kia",
            "Norwood Rare Metals",
            5.0,
        ),
        (
            "Glencore subscribed for shares in Harlow Lithium Corp giving it an 8% holding.",
            "Glencore",
            "Harlow Lithium",
            8.0,
        ),
        # the subject of a reported clause without "that"; "the company" is the reporter
        (
            "Harlow Lithium Corp said Sumitomo had acquired a 9.9% stake in the company.",
            "Sumitomo",
            "Harlow Lithium",
            9.9,
        ),
    ],
)
def test_stake_wording(
    lexicon: Lexicon, sentence: str, acquirer: str, target: str, percent: float
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", acquirer=acquirer, target=target, percent=percent)


# ------------------------------------------------------- first shipments: more wording
@pytest.mark.parametrize(
    ("sentence", "exporter", "destination"),
    [
        ("Ridgeway Minerals ships first spodumene to China.", "Ridgeway Minerals", "CHN"),
        (
            "The first shipment of lithium concentrate from Ridgeway Minerals' Bald Hill mine "
            "left for China.",
            "Ridgeway Minerals",
            "CHN",
        ),
        (
            "Ridgeway Minerals has commenced shipments of spodumene concentrate to customers in "
            "China.",
            "Ridgeway Minerals",
            "CHN",
        ),
        (
            "Ridgeway Minerals completed the first sale of antimony to a buyer in the United "
            "States.",
            "Ridgeway Minerals",
            "USA",
        ),
    ],
)
def test_first_shipment_more_wording(
    lexicon: Lexicon, sentence: str, exporter: str, destination: str
) -> None:
    assert has(run(sentence, lexicon), "first_export", exporter=exporter, destination=destination)


# ---------------------------------------------------------- supply deals: the parties
@pytest.mark.parametrize(
    "sentence",
    [
        "The offtake agreement between Ridgeway Minerals and Toyota covers 50,000 tonnes of "
        "lithium hydroxide.",
        "Ridgeway Minerals and Toyota signed a supply agreement for lithium hydroxide.",
        "Toyota and Ridgeway Minerals signed a supply agreement for lithium hydroxide.",
    ],
)
def test_both_parties_named_together(lexicon: Lexicon, sentence: str) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier="Ridgeway Minerals", buyer="Toyota", material="lithium")
    assert not has(ev, "offtake", supplier="Toyota")


def test_well_known_name_keeps_its_longer_form(lexicon: Lexicon) -> None:
    names = [m.text for m in lexicon.mentions("Mitsubishi Chemical and Kia Corporation agreed.")]
    assert names == ["Mitsubishi Chemical", "Kia Corporation"]
    assert sector_maker("Kia Corporation") and sector_country("Hyundai Motor Company") == "KOR"


# ------------------------------------------------------------- facilities: more wording
@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        (
            "Ridgeway Minerals has brought its Bald Hill lithium mine back into production.",
            "opening",
        ),
        ("Ridgeway Minerals ceased mining at its Bald Hill lithium mine.", "closure"),
        ("Production at Ridgeway Minerals' Bald Hill lithium mine was suspended.", "closure"),
        (
            "Operations at the Bald Hill lithium mine, owned by Ridgeway Minerals, were halted.",
            "closure",
        ),
    ],
)
def test_facility_passive_and_restart_wording(lexicon: Lexicon, sentence: str, action: str) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "facility", company="Ridgeway Minerals", action=action, material="lithium")


# ------------------------------------------------------- restrictions: more wording
def test_extended_without_a_duration_is_an_extension(lexicon: Lexicon) -> None:
    ev = run("The DRC extended its cobalt export ban last Saturday.", lexicon, "2025-06-12")
    assert has(
        ev,
        "export_restriction",
        issuer="COD",
        action="extended",
        material="cobalt",
        date="2025-06-07",
    )
    ev = run("China extended its export ban to cover more rare earth products.", lexicon)
    assert not has(ev, "export_restriction", action="extended")


def test_will_need_licences_imposes_from_the_stated_day(lexicon: Lexicon) -> None:
    ev = run(
        "Starting Nov. 8, exporters of holmium will need licences, Beijing said.",
        lexicon,
        "2025-10-10",
    )
    assert has(
        ev,
        "export_restriction",
        issuer="CHN",
        action="imposed",
        material="rare-earths",
        start="2025-11-08",
    )


@pytest.mark.parametrize(
    ("sentence", "supplier", "buyer"),
    [
        # the maker buys, whichever side of "with" it is on
        (
            "Toyota signed an agreement with Ridgeway Minerals for the supply of lithium "
            "hydroxide.",
            "Ridgeway Minerals",
            "Toyota",
        ),
        (
            "Ridgeway Minerals signed an agreement with Toyota for the supply of lithium "
            "hydroxide.",
            "Ridgeway Minerals",
            "Toyota",
        ),
        (
            "Ridgeway Minerals has signed a multi-year agreement with Tesla for the sale of "
            "graphite.",
            "Ridgeway Minerals",
            "Tesla",
        ),
        (
            "Glencore signed an agreement with Ridgeway Minerals for the purchase of cobalt "
            "hydroxide.",
            "Ridgeway Minerals",
            "Glencore",
        ),
    ],
)
def test_agreement_for_the_supply_of(
    lexicon: Lexicon, sentence: str, supplier: str, buyer: str
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "offtake", supplier=supplier, buyer=buyer)
    assert not has(ev, "offtake", supplier=buyer)


@pytest.mark.parametrize(
    ("place", "iso3"),
    [("Utah", "USA"), ("Narva", "EST"), ("Kokkola", "FIN"), ("Zhejiang", "CHN")],
)
def test_places_locate_facilities(lexicon: Lexicon, place: str, iso3: str) -> None:
    ev = run(f"Harlow Lithium Corp opened its lithium refinery in {place}.", lexicon)
    assert has(ev, "facility", company="Harlow Lithium", location=iso3)


def test_deal_quantity_is_the_one_stated_with_the_deal(lexicon: Lexicon) -> None:
    ev = run(
        "After a trial cargo of 5,000 tonnes, Ridgeway Minerals agreed to sell 20,000 tonnes of "
        "spodumene to Tesla.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Ridgeway Minerals", buyer="Tesla", quantity=20000.0)


def test_goods_bought_for_a_sum_are_a_supply_deal(lexicon: Lexicon) -> None:
    ev = run(
        "Toyota has agreed to buy $300 million of rare earth magnets made by Ridgeway Magnets "
        "Corp.",
        lexicon,
    )
    assert has(ev, "offtake", supplier="Ridgeway Magnets", buyer="Toyota", amount=300000000.0)
