"""Event detection of round 9 for restrictions and facilities, each a class of construction
tested on sentences we wrote (the fifth collection's development half showed the classes; no
sentence is from it): one company let export during a ban is that ban suspended for it; a
facility's stop told passively, after a conjunction, or as the doing of its cause; a plant
"launched" or making "its first" product opens; a participle used as an adjective and a
facility noun inside a company's name are no act; a measure extended with a relative clause
before its verb; "cease exports" ordered; a name listed on an exchange is a company; a
capital dateline in capitals names the government."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def of_type(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


# ------------------------------------------------------- a company let export during a ban
@pytest.mark.parametrize(
    ("text", "issuer", "material"),
    [
        (
            "Zambia banned exports of raw cobalt in March. Bluegum Mining, however, had been "
            "permitted to keep exporting until the end of May.",
            "ZMB",
            "cobalt",
        ),
        (
            "Zambia banned exports of raw cobalt in March. The mines ministry let Bluegum "
            "Mining resume exporting cobalt hydroxide until June.",
            "ZMB",
            "cobalt",
        ),
        (
            "The Philippines stopped shipments of nickel ore last year. Tarsier Nickel Corp "
            "was allowed to continue exporting until its plant was finished.",
            "PHL",
            "nickel",
        ),
    ],
)
def test_a_company_let_export_during_a_ban_suspends_it(
    text: str, issuer: str, material: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "export_restriction", issuer=issuer, action="suspended", material=material)


@pytest.mark.parametrize(
    "text",
    [
        # a request, a denial, a possibility, a government as the one allowed
        "Zambia banned exports of raw cobalt in March. Bluegum Mining asked to be allowed to "
        "continue exporting until June.",
        "Zambia banned exports of raw cobalt in March. Bluegum Mining was not allowed to "
        "continue exporting.",
        "Zambia banned exports of raw cobalt in March. Bluegum Mining could be allowed to "
        "continue exporting.",
        "Zambia banned exports of raw cobalt in March. The government was allowed to continue "
        "exporting until June.",
    ],
)
def test_no_suspension_without_a_company_let_export(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert not [e for e in of_type(ev, "export_restriction") if e["action"] == "suspended"]


# ------------------------------------------------ a facility's stop, told in other shapes
@pytest.mark.parametrize(
    "text",
    [
        # after a conjunction, the facility is still the subject
        "Bluegum Lithium reported weaker sales. But the refinery stopped operations for two "
        "weeks in May after a fire.",
        # the production's stop told passively, with no place named after it
        "Bluegum Lithium reported weaker sales. The company said on Monday operations had "
        "been temporarily suspended at the Kestrel lithium mine.",
        "Bluegum Lithium reported weaker sales. Output was put on hold after a furnace leak "
        "at its lithium refinery.",
        # the stop told as the doing of its cause
        "Bluegum Lithium reported weaker sales. In March, floods brought lithium production at "
        "the Kestrel site to a complete standstill.",
    ],
)
def test_a_facility_stop_in_other_shapes_is_a_closure(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert has(ev, "facility", company="Bluegum Lithium", action="closure")


def test_the_company_reporting_a_passive_stop_runs_the_facility(lexicon: Lexicon) -> None:
    ev = run(
        "Production from the Kestrel lithium plant in Namibia has been suspended after a "
        "leak, owner Bluegum Lithium said on Tuesday.",
        lexicon,
    )
    assert has(ev, "facility", company="Bluegum Lithium", action="closure", location="NAM")


@pytest.mark.parametrize(
    "text",
    [
        # a cause that might stop production: no stop
        "Bluegum Lithium reported weaker sales. The strike could bring lithium production at "
        "the site to a halt.",
        # a facility noun inside a company's name: no facility acted on
        "Customs officers halted the exports of Bluegum Mining in May.",
        "Port workers stopped loading cargoes for Kestrel Mining on Friday.",
    ],
)
def test_no_closure_from_a_possible_cause_or_a_name(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "facility")


# ------------------------------------------------------------- a plant launched or making
@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "Bluegum Lithium just launched a $75 million lithium refinery in Namibia.",
            "Bluegum Lithium",
        ),
        (
            "Kestrel Battery Materials has launched its new cobalt sulphate plant outside Espoo, "
            "Finland.",
            "Kestrel Battery Materials",
        ),
        (
            "Lithium prices fell. Bluegum Lithium's newest refinery made its first lithium "
            "hydroxide in March.",
            "Bluegum Lithium",
        ),
    ],
)
def test_a_plant_launched_or_making_its_first_product_opens(
    text: str, company: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "facility", company=company, action="opening")


@pytest.mark.parametrize(
    "text",
    [
        # a study or a tender launched is no plant
        "Bluegum Lithium launched a feasibility study for a lithium refinery in Namibia.",
        "Bluegum Lithium launched a tender for a new lithium refinery in Namibia.",
        # a plan to launch one
        "Bluegum Lithium plans to launch a lithium refinery in Namibia.",
    ],
)
def test_no_opening_when_no_plant_is_launched(text: str, lexicon: Lexicon) -> None:
    assert not of_type(run(text, lexicon), "facility")


# ----------------------------------------------------------- a participle as an adjective
@pytest.mark.parametrize(
    "text",
    [
        "Bluegum Lithium won a grant. The grant will help Bluegum Lithium achieve increased "
        "capacity at its lithium plant.",
        "Bluegum Lithium's first lithium line and an expanded refinery will start up later "
        "this year.",
        "Bluegum Lithium wants a lithium plant with expanded output near the coast.",
    ],
)
def test_a_participle_describing_a_noun_is_no_expansion(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert not [e for e in of_type(ev, "facility") if e["action"] == "expansion"]


@pytest.mark.parametrize(
    "text",
    [
        "Bluegum Lithium has increased capacity at its lithium plant in Namibia.",
        "Bluegum Lithium expanded its lithium refinery in Namibia last month.",
    ],
)
def test_a_participle_as_the_verb_is_an_expansion(text: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "facility", company="Bluegum Lithium", action="expansion")


# ------------------------------------------- restrictions: extended, ceased, datelines
@pytest.mark.parametrize(
    ("text", "issuer", "material"),
    [
        (
            "Indonesia banned nickel ore exports in 2020. The ban on nickel ore shipments, "
            "which was to lapse in June, has been extended until December.",
            "IDN",
            "nickel",
        ),
        (
            "KUALA LUMPUR: The moratorium on tin mining and exports in Perak, which lapsed on "
            "Sunday, has been extended until June 30.",
            "MYS",
            "tin",
        ),
    ],
)
def test_a_measure_extended_after_a_relative_clause(
    text: str, issuer: str, material: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "export_restriction", issuer=issuer, action="extended", material=material)


def test_a_measure_not_extended_is_no_extension(lexicon: Lexicon) -> None:
    ev = run(
        "Indonesia banned nickel ore exports in 2020. The ban on nickel ore shipments, which "
        "began in February, was not extended.",
        lexicon,
    )
    assert not [e for e in of_type(ev, "export_restriction") if e["action"] == "extended"]


@pytest.mark.parametrize(
    ("text", "issuer", "material"),
    [
        (
            "Zambia's mines ministry has ordered Bluegum Mining to cease cobalt hydroxide "
            "exports until its royalties are paid.",
            "ZMB",
            "cobalt",
        ),
        (
            "Peru told its smelters to cease shipments of zinc concentrate abroad for a month.",
            "PER",
            "zinc",
        ),
    ],
)
def test_ordered_to_cease_exports_is_a_halt(
    text: str, issuer: str, material: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "export_restriction", issuer=issuer, action="imposed", material=material)


def test_a_company_ceasing_its_own_exports_is_no_restriction(lexicon: Lexicon) -> None:
    ev = run("Bluegum Mining ceased cobalt exports in May after prices fell.", lexicon)
    assert not of_type(ev, "export_restriction")


# ------------------------------------------------------------ a listed name is a company
@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "North52 (ASX: N52) has confirmed it reported weaker sales. However, it has had to "
            "temporarily suspend its manganese operations due to flooding.",
            "North52",
        ),
        (
            "Kivu9 (TSXV: KVN) said on Friday it had halted production at its cobalt mine.",
            "Kivu9",
        ),
    ],
)
def test_a_name_with_its_ticker_is_a_company(text: str, company: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert has(ev, "facility", company=company, action="closure")


def test_a_ticker_cut_into_a_place_name_makes_no_company(lexicon: Lexicon) -> None:
    ev = run(
        "Output at a cobalt plant in the territory of New (KOSDAQ: 123456.KQ) Caledonia was "
        "halted on Monday.",
        lexicon,
    )
    assert not [e for e in of_type(ev, "facility") if e["company"] == "New"]


def test_a_company_s_name_before_the_facility_noun_still_closes_it(lexicon: Lexicon) -> None:
    ev = run(
        "Bluegum Lithium said it has had to suspend the Kestrel Mining Company (KMC) "
        "operations after floods.",
        lexicon,
    )
    assert has(ev, "facility", company="Bluegum Lithium", action="closure")


# ------------------------------------------------------ a name introduced as state-owned
@pytest.mark.parametrize(
    ("text", "company"),
    [
        (
            "In a first for the country, state-owned KMDC (Kenya) Ltd has commenced production "
            "of lithium carbonate at its new plant.",
            "KMDC",
        ),
        (
            "State-run Zamcob began producing cobalt sulphate at a new refinery near Ndola.",
            "Zamcob",
        ),
    ],
)
def test_a_state_owned_name_is_a_company(text: str, company: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "facility", company=company, action="opening")


def test_state_owned_before_a_plain_noun_names_no_company(lexicon: Lexicon) -> None:
    ev = run("State-owned firms in Zambia began producing cobalt sulphate last year.", lexicon)
    assert not [e for e in of_type(ev, "facility") if str(e["company"]).startswith("State")]


# ------------------------------------------ a new company's name after a fronted clause
@pytest.mark.parametrize(
    "text",
    [
        "As the floods receded in Queensland, Kestrel52 has begun to count the damage. The "
        "company said operations had been suspended at its copper mine.",
        "After heavy rain swept the region, Kestrel52 said it had halted production at its "
        "copper mine.",
    ],
)
def test_a_new_subject_after_a_fronted_clause_is_a_company(text: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "facility", company="Kestrel52", action="closure")


def test_a_stop_word_after_a_fronted_clause_is_no_company(lexicon: Lexicon) -> None:
    ev = run(
        "As the floods receded in Queensland, Production has been halted at the copper mine.",
        lexicon,
    )
    assert not [e for e in of_type(ev, "facility") if e["company"] == "Production"]


# ------------------------------------- a described name as the object of letting or asking
@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        (
            "Jakarta has allowed copper miner Tembo Bumi Sejahtera to export concentrate until "
            "June.",
            "Tembo Bumi Sejahtera",
        ),
        ("The ministry told battery maker Volta Nusantara to resume shipments.", "Volta Nusantara"),
    ],
)
def test_a_described_name_before_to_and_its_verb_is_a_company(
    sentence: str, name: str, lexicon: Lexicon
) -> None:
    assert any(m.kind == "company" and m.text == name for m in lexicon.mentions(sentence))


def test_a_described_name_before_another_to_is_not_proposed(lexicon: Lexicon) -> None:
    sentence = "The loan helped copper miner Tembo Bumi Sejahtera to grow quickly."
    assert not any(m.text == "Tembo Bumi Sejahtera" for m in lexicon.mentions(sentence))


def test_the_described_company_runs_the_smelter_that_stopped(lexicon: Lexicon) -> None:
    ev = run(
        "The ministry has allowed copper miner Tembo Bumi Sejahtera to export concentrate "
        "until June. Copper prices fell. But the smelter stopped operations for two weeks in "
        "May after a fire.",
        lexicon,
    )
    assert has(ev, "facility", company="Tembo Bumi Sejahtera", action="closure")
