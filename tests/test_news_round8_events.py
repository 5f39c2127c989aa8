"""Event detection of round 8 for restrictions, facilities and first exports, each a class of
construction tested on sentences we wrote (the development half showed the classes; no
sentence is from it): a facility that is itself the subject of its closure or opening is run
by the company the article is about; a government telling its companies to stop exports
orders a halt, while one country asking another is a request; "froze" is a halt like
"halted"; a facility is placed in the one country the sentence puts it in."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has


def run(text: str, lexicon: Lexicon, published: str = "2025-06-20") -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def of_type(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


# ------------------------------------------------------- the facility as its own subject
@pytest.mark.parametrize(
    ("text", "action"),
    [
        (
            "Bluegum Lithium sold its first lithium cargo last year. The refinery, built on the "
            "coast over three years, was formally inaugurated on Monday.",
            "opening",
        ),
        (
            "Bluegum Lithium cut its output forecast. Production at the Kestrel lithium mine "
            "was suspended on Tuesday after a flood.",
            "closure",
        ),
        (
            "Bluegum Lithium reported weaker sales. The plant was idled last week because of "
            "low lithium prices.",
            "closure",
        ),
        (
            "Bluegum Lithium shipped spodumene from Walvis Bay. The project, one of two "
            "lithium mines in the region, was officially opened in March.",
            "opening",
        ),
        (
            "Bluegum Lithium posted a loss. The loss came after production at the Kestrel "
            "lithium mine was halted in March.",
            "closure",
        ),
    ],
)
def test_a_facility_as_subject_is_run_by_the_article_s_company(
    text: str, action: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "facility", company="Bluegum Lithium", action=action, material="lithium")


@pytest.mark.parametrize(
    "text",
    [
        # a possibility, a denial, a plan, history: no act
        "Bluegum Lithium cut its output forecast. The mine could be shut down next year.",
        "Bluegum Lithium cut its output forecast. The mine was not shut down.",
        "Bluegum Lithium cut its output forecast. The refinery will be inaugurated in 2027.",
        "Bluegum Lithium cut its output forecast. The mine was shut down in 2009.",
        # no company named before: nobody to run it
        "Lithium prices fell again. The mine was shut down on Tuesday.",
        # a fair is no facility
        "Bluegum Lithium cut its output forecast. The trade fair, held over three days in "
        "the capital, was formally opened on Monday.",
    ],
)
def test_a_facility_subject_without_an_act_or_an_operator_gives_none(
    text: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(text, lexicon), "facility")


# ---------------------------------------------------- a government directing its companies
@pytest.mark.parametrize(
    ("sentence", "issuer", "material", "target"),
    [
        (
            "Beijing instructed its magnet producers to halt shipments of rare earths to the "
            "United States.",
            "CHN",
            "rare-earths",
            "USA",
        ),
        (
            "India has asked state-run miner Kolar Minerals to suspend its contract to export "
            "rare earths to Japan.",
            "IND",
            "rare-earths",
            "JPN",
        ),
        (
            "Indonesia has directed local smelters to stop exporting nickel pig iron to China.",
            "IDN",
            "nickel",
            "CHN",
        ),
    ],
)
def test_a_government_telling_companies_to_stop_exports_imposes_a_halt(
    sentence: str, issuer: str, material: str, target: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev, "export_restriction", issuer=issuer, action="imposed", material=material, target=target
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # one country asking another: a request the asked country has not acted on
        "The United States asked Japan to restrict exports of gallium to China.",
        "Washington has asked the Netherlands to curb shipments of germanium to China.",
        # a company asking its own traders: a company's decision, no export restriction
        "Glencore asked its traders to stop cobalt exports to China.",
    ],
)
def test_a_request_of_another_country_or_by_a_company_is_no_restriction(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(sentence, lexicon), "export_restriction")


# ------------------------------------------------------------------------- froze, frozen
@pytest.mark.parametrize(
    "sentence",
    [
        "Congo froze cobalt exports in February to lift prices.",
        "Kinshasa has frozen exports of cobalt for four months.",
    ],
)
def test_a_government_freezing_exports_imposes_a_halt(sentence: str, lexicon: Lexicon) -> None:
    assert has(
        run(sentence, lexicon),
        "export_restriction",
        issuer="COD",
        action="imposed",
        material="cobalt",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        # a freeze named as a cause; assets frozen, not exports
        "Analysts credited the cobalt export freeze for a rebound in prices.",
        "Congo froze the assets of two cobalt exporters in February.",
    ],
)
def test_a_freeze_named_or_of_assets_is_no_new_halt(sentence: str, lexicon: Lexicon) -> None:
    assert not of_type(run(sentence, lexicon), "export_restriction")


# ---------------------------------------------------------- where the facility stands
@pytest.mark.parametrize(
    ("sentence", "location"),
    [
        ("Bluegum Lithium said its processing unit in Namibia had resumed operations.", "NAM"),
        (
            "Bluegum Lithium's Qadira operation, Namibia's largest lithium mine, halted "
            "production on Friday.",
            "NAM",
        ),
        (
            "Australian miner Redwood Metals, active in northern Mozambique, said it had "
            "resumed graphite production.",
            "MOZ",
        ),
    ],
)
def test_a_facility_stands_in_the_one_country_the_sentence_places_it(
    sentence: str, location: str, lexicon: Lexicon
) -> None:
    ev = of_type(run(sentence, lexicon), "facility")
    assert ev and ev[0].get("location") == location


@pytest.mark.parametrize(
    "sentence",
    [
        # a company's seat and a market place no facility
        "Redwood Metals, headquartered in Canada, halted nickel production at its mine.",
        "Shares in Australia fell after Redwood Metals halted nickel production at its mine.",
    ],
)
def test_a_seat_or_a_market_places_no_facility(sentence: str, lexicon: Lexicon) -> None:
    ev = of_type(run(sentence, lexicon), "facility")
    assert ev and ev[0].get("location") is None


# ------------------------------------------- goods named in the sentence after the measure
@pytest.mark.parametrize(
    ("text", "issuer", "materials"),
    [
        (
            "Jakarta suspended copper export permits this week. Nickel and bauxite also fell "
            "under the ban.",
            "IDN",
            ("copper", "nickel"),
        ),
        (
            "Beijing banned gallium exports to the US. Germanium is also covered by the new "
            "controls.",
            "CHN",
            ("gallium", "germanium"),
        ),
        (
            "Beijing has restricted exports of several strategic metals. The list published on "
            "Friday includes gallium and germanium.",
            "CHN",
            ("gallium", "germanium"),
        ),
    ],
)
def test_goods_placed_under_the_measure_in_the_next_sentence_are_restricted(
    text: str, issuer: str, materials: tuple[str, ...], lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    for material in materials:
        assert has(ev, "export_restriction", issuer=issuer, action="imposed", material=material)


@pytest.mark.parametrize(
    "text",
    [
        # a possibility, a market, a list that is no measure
        "Beijing banned gallium exports to the US. Germanium could also fall under the ban.",
        "Beijing banned gallium exports to the US. Prices of germanium also fell under pressure.",
        "Germanium is included in the list of critical minerals of the European Union.",
    ],
)
def test_goods_not_placed_under_a_measure_are_not_restricted(text: str, lexicon: Lexicon) -> None:
    assert not has(run(text, lexicon), "export_restriction", material="germanium")


# ------------------------------------------------------ a first export told by its buyer
@pytest.mark.parametrize(
    ("sentence", "exporter", "material", "destination"),
    [
        (
            "Japan's Kanto Metals took delivery of its first cargo of nickel matte from Redwood "
            "Metals on Monday.",
            "Redwood Metals",
            "nickel",
            "JPN",
        ),
        (
            "Hanseong Materials, a South Korean battery maker, has started importing lithium "
            "hydroxide from Bluegum Lithium.",
            "Bluegum Lithium",
            "lithium",
            "KOR",
        ),
    ],
)
def test_a_buyer_s_first_receipt_is_the_seller_s_first_export(
    sentence: str, exporter: str, material: str, destination: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "first_export", exporter=exporter, material=material, destination=destination)


@pytest.mark.parametrize(
    "sentence",
    [
        # hoped, expected, denied, or no goods
        "Japan's Kanto Metals hopes to receive its first cargo of nickel from Redwood Metals "
        "next year.",
        "Japan's Kanto Metals expects to take delivery of its first cargo of nickel from "
        "Redwood Metals in July.",
        "Japan's Kanto Metals has not yet received its first cargo of nickel from Redwood Metals.",
        "Japan's Kanto Metals received its first payment from Redwood Metals.",
    ],
)
def test_a_receipt_hoped_denied_or_of_money_is_no_first_export(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(sentence, lexicon), "first_export")


# ------------------------------------------- the operator named in the sentence after the act
@pytest.mark.parametrize(
    ("text", "action"),
    [
        (
            "The owner of the Kestrel nickel mine in Australia says it will suspend mining. "
            "Redwood Metals announced the decision on Tuesday.",
            "closure",
        ),
        (
            "Namibian President Hage Tembo on Friday inaugurated a nickel refinery in Erongo. "
            "The refinery was built by the Chinese firm Redwood Metals over two years.",
            "opening",
        ),
        (
            "The operator of the Kestrel nickel mine said it had idled the plant. The mine "
            "owner, Redwood Metals, blamed low prices.",
            "closure",
        ),
    ],
)
def test_an_operator_named_in_the_next_sentence_runs_the_facility(
    text: str, action: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "facility", company="Redwood Metals", action=action, material="nickel")


@pytest.mark.parametrize(
    "text",
    [
        # a possibility; an operator named too late to be the owner described
        "The owner of the Kestrel nickel mine says it may suspend mining. Redwood Metals said "
        "prices were too low.",
        "The owner of the Kestrel nickel mine says it will suspend mining. Nickel prices fell "
        "this year. Analysts expect more closures. Redwood Metals reported a loss.",
    ],
)
def test_an_unnamed_operator_hedged_or_never_named_gives_no_facility(
    text: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(text, lexicon), "facility")


# ----------------------------------------------------- a headline's capitalised prepositions
@pytest.mark.parametrize(
    "title",
    [
        "Jakarta Grants Export Permit to Redwood Amid Smelter Repairs",
        "Nickel Prices Jump After Kestrel Over Graphite Concerns",
    ],
)
def test_no_company_name_runs_across_a_headline_preposition(title: str, lexicon: Lexicon) -> None:
    names = [m.text for m in lexicon.mentions(title) if m.kind == "company"]
    assert not any(" Amid " in n or " Over " in n or " After " in n for n in names)


def test_a_company_name_ending_in_a_company_word_is_still_proposed(lexicon: Lexicon) -> None:
    names = [
        m.text
        for m in lexicon.mentions("Permit Granted to Redwood Nickel Smelter")
        if m.kind == "company"
    ]
    assert "Redwood Nickel Smelter" in names


# ------------------------------------------------ "near" a place is no nearness to an act
@pytest.mark.parametrize(
    "text",
    [
        "Redwood Metals makes nickel. The smelter near the port was shut down on Tuesday.",
        "Redwood Metals makes nickel. The refinery, built near the coast over three years, was "
        "formally inaugurated on Monday.",
    ],
)
def test_a_facility_near_a_place_is_still_read(text: str, lexicon: Lexicon) -> None:
    assert has(run(text, lexicon), "facility", company="Redwood Metals", material="nickel")


@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals near deal to buy a 20% stake in Kestrel Mining.",
        "Redwood Metals is near a final agreement to buy a 20% stake in Kestrel Mining.",
    ],
)
def test_nearness_to_a_deal_is_still_no_deal(sentence: str, lexicon: Lexicon) -> None:
    assert not of_type(run(sentence, lexicon), "stake_acquisition")


# ------------------------------------ the measure as the subject, "bans" and "curbs" as verbs
@pytest.mark.parametrize(
    ("text", "issuer", "material"),
    [
        (
            "Namibia passed a new minerals act on Tuesday. The law bans exports of unprocessed "
            "lithium ore.",
            "NAM",
            "lithium",
        ),
        (
            "Jakarta tightened its mining rules this week. The government curbs nickel ore "
            "shipments from July.",
            "IDN",
            "nickel",
        ),
        (
            "Kinshasa unveiled new rules for cobalt on Monday. The regulation will cap annual "
            "exports at 90,000 tons from next year.",
            "COD",
            "cobalt",
        ),
    ],
)
def test_a_measure_or_government_as_subject_restricts_exports(
    text: str, issuer: str, material: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, "export_restriction", issuer=issuer, action="imposed", material=material)


@pytest.mark.parametrize(
    "text",
    [
        # bans as a noun; no government in the story; a possibility
        "China's export bans on gallium weigh on prices.",
        "Lithium prices rose in May. This system will cap annual exports at 90,000 tons.",
        "Kinshasa unveiled new rules for cobalt on Monday. The regulation could cap annual "
        "exports at 90,000 tons.",
    ],
)
def test_a_measure_named_hedged_or_without_government_restricts_nothing(
    text: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(text, lexicon), "export_restriction")


# ----------------------------------------------------- an armed group is no government
@pytest.mark.parametrize(
    "sentence",
    [
        "Myanmar's Wa rebels halt rare earth shipments to China.",
        "An insurgent group in Myanmar has stopped exports of rare earths to China.",
    ],
)
def test_rebels_stopping_exports_are_no_government_restriction(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(sentence, lexicon), "export_restriction")


def test_a_government_acting_near_rebels_still_restricts(lexicon: Lexicon) -> None:
    ev = run("Myanmar halted exports of rare earths to China after clashes with rebels.", lexicon)
    assert has(ev, "export_restriction", issuer="MMR", action="imposed", material="rare-earths")


# ------------------------------------------------ a national company named brand + country
@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Kestrel Indonesia halted nickel output at its smelter.", "Kestrel Indonesia"),
        ("Harita Indonesia's smelter halted nickel output.", "Harita Indonesia"),
    ],
)
def test_a_brand_before_a_country_is_a_national_company(
    sentence: str, name: str, lexicon: Lexicon
) -> None:
    assert name in [m.text for m in lexicon.mentions(sentence) if m.kind == "company"]


@pytest.mark.parametrize(
    ("sentence", "country"),
    [
        ("Mining in Western Australia grew last year.", "Western Australia"),
        ("Since Indonesia banned ore exports, smelters grew.", "Indonesia"),
        ("Today China banned gallium exports.", "China"),
        ("Jakarta Grants Export Permit to Kestrel Indonesia Unit", "Indonesia"),
        # a company the lexicon knows before the country stays itself
        ("Glencore Australia said it halted nickel output.", "Australia"),
    ],
)
def test_a_country_after_a_place_an_adverb_a_headline_or_a_known_company_stays_a_country(
    sentence: str, country: str, lexicon: Lexicon
) -> None:
    assert country in [m.text for m in lexicon.mentions(sentence) if m.kind == "country"]


def test_the_company_is_the_national_company_named_before(lexicon: Lexicon) -> None:
    ev = run(
        "Kestrel Indonesia could not export nickel ore. The company was compelled to halt "
        "nickel production at its smelter in Sulawesi after a fire.",
        lexicon,
    )
    assert has(ev, "facility", company="Kestrel Indonesia", action="closure", material="nickel")


# --------------------------------------------------- an opening told as a ceremony attended
@pytest.mark.parametrize(
    ("sentence", "company"),
    [
        (
            "The premier attended the inauguration of Redwood Metals' nickel refinery on Friday.",
            "Redwood Metals",
        ),
        (
            "Officials celebrated the opening of Bluegum Lithium's lithium plant in Namibia.",
            "Bluegum Lithium",
        ),
    ],
)
def test_a_ceremony_attended_opens_the_owner_s_facility(
    sentence: str, company: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "facility", company=company, action="opening")


@pytest.mark.parametrize(
    "sentence",
    [
        # to come; no facility; no owner named
        "The premier will attend the inauguration of Redwood Metals' nickel refinery on Friday.",
        "The premier attended the launch of Redwood Metals' annual report.",
        "The premier attended the launch of the Kestrel nickel project on Friday.",
    ],
)
def test_a_ceremony_to_come_or_of_no_facility_opens_nothing(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(sentence, lexicon), "facility")


def test_a_national_company_named_again_keeps_its_full_name(lexicon: Lexicon) -> None:
    ev = run(
        "Kestrel Indonesia halted copper production. The minister attended the launch of "
        "Kestrel Indonesia's copper refinery.",
        lexicon,
    )
    assert has(ev, "facility", company="Kestrel Indonesia", action="opening")


# ------------------------------------------- a closure announced as a company's plan or decision
@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals announced plans to suspend operations at its Kestrel nickel mine.",
        "Redwood Metals announced its decision to close the Kestrel nickel smelter.",
    ],
)
def test_a_closure_announced_as_plan_or_decision_is_a_closure(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "facility", company="Redwood Metals", action="closure", material="nickel")


@pytest.mark.parametrize(
    "sentence",
    [
        # a plan not announced as decided; a plan being weighed; an opening planned ahead
        "Redwood Metals plans to suspend operations at its Kestrel nickel mine.",
        "Redwood Metals is considering plans to suspend operations at its Kestrel nickel mine.",
        "Redwood Metals announced plans to open a nickel refinery in 2027.",
    ],
)
def test_a_plan_weighed_or_an_opening_planned_is_no_facility_act(
    sentence: str, lexicon: Lexicon
) -> None:
    assert not of_type(run(sentence, lexicon), "facility")


# ------------------------------------------------------- a product named in capitals
@pytest.mark.parametrize(
    "sentence",
    [
        "Redwood Metals began shipping Mixed Rare Earth Carbonate to Japan.",
        "Bluegum Mining sells Battery Grade Nickel Sulphate to carmakers.",
    ],
)
def test_a_product_named_in_capitals_is_no_company(sentence: str, lexicon: Lexicon) -> None:
    names = [m.text for m in lexicon.mentions(sentence) if m.kind == "company"]
    assert not any(n.startswith(("Mixed", "Battery")) for n in names)


def test_a_company_ending_in_a_material_word_is_still_one(lexicon: Lexicon) -> None:
    names = [
        m.text
        for m in lexicon.mentions("Kestrel Rare Earth opened a plant.")
        if m.kind == "company"
    ]
    assert "Kestrel Rare Earth" in names


def test_production_of_a_capitalised_product_opens_the_facility(lexicon: Lexicon) -> None:
    ev = run(
        "Kestrel Mining has commenced commercial production of Battery Grade Lithium "
        "Hydroxide at its refinery in Namibia.",
        lexicon,
    )
    assert has(ev, "facility", company="Kestrel Mining", action="opening", material="lithium")


# ------------------------------------------- a facility placed earlier in the same article
def test_a_facility_act_without_a_place_stands_where_its_company_s_last_one_did(
    lexicon: Lexicon,
) -> None:
    ev = run(
        "Redwood Metals restarted its Kestrel nickel mine in Australia in May. Production at "
        "Kestrel was suspended in March after a flood.",
        lexicon,
    )
    assert has(ev, "facility", company="Redwood Metals", action="closure", location="AUS")


def test_another_company_s_facility_is_not_placed_there(lexicon: Lexicon) -> None:
    ev = run(
        "Redwood Metals restarted its Kestrel nickel mine in Australia in May. Bluegum Mining "
        "halted nickel production at its mine in March.",
        lexicon,
    )
    closure = [e for e in of_type(ev, "facility") if e["company"] == "Bluegum Mining"]
    assert closure and closure[0].get("location") is None
