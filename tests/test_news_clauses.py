"""The clause layer (derisk.news.clauses) and what it changes in extraction: only asserted
main or reported clauses state events; relative clauses are context; pronoun and
definite-description subjects take the article's government; passive restrictions and
facilities named as subject or place. Every sentence here is our own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.data.loader import bundled_dir
from derisk.news import RawDoc, analyze, extract
from derisk.news.clauses import clause_at, parse, status_at, subject_is_reference
from derisk.news.evaluation import lexicon_from_csv, values_equal
from derisk.news.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return lexicon_from_csv(bundled_dir() / "entities.csv")


def run(text: str, lexicon: Lexicon, published: str) -> list[dict[str, Any]]:
    art = extract(RawDoc("t.txt", "text", text, published=dt.date.fromisoformat(published)))
    return [{"type": e.type, **e.fields} for e in analyze(art, lexicon).events]


def only(events: list[dict[str, Any]], etype: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == etype]


def has(events: list[dict[str, Any]], **want: Any) -> bool:
    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.date) else v

    return any(
        all(values_equal(plain(e.get(k)), plain(v)) for k, v in want.items()) for e in events
    )


def status(text: str, word: str) -> str:
    return status_at(text, text.index(word))[1]


# ---------------------------------------------------------------- the parser itself
def test_relative_clause_is_split_off_with_its_own_verb_group() -> None:
    text = (
        "Vietnam lifted its ban on tungsten ore exports, which had been in force since "
        "March 2023, the trade ministry said."
    )
    cl = parse(text)
    main = clause_at(cl, text.index("lifted"))
    rel = clause_at(cl, text.index("been"))
    assert (main.kind, main.subject, main.verb and main.verb.head) == ("main", "Vietnam", "lifted")
    assert rel.kind == "relative" and rel.opener == "which"
    assert rel.verb is not None and rel.verb.perfect and rel.verb.tense == "past"
    assert status(text, "lifted") == "asserted"
    assert status(text, "been") == "background"


def test_since_with_a_noun_phrase_is_no_clause() -> None:
    text = "Shipments have been restricted since August 2023."
    assert [c.kind for c in parse(text)] == ["main"]
    # but "since" with a finite verb opens one
    text2 = "Prices have doubled since Beijing restricted shipments."
    assert [c.kind for c in parse(text2)] == ["main", "subordinate"]


def test_passive_voice_modal_and_negation_of_the_verb_group() -> None:
    (c,) = parse("Exports of germanium will no longer be permitted without a licence.")
    assert c.verb is not None
    assert (c.verb.modal, c.verb.passive, c.verb.head) == ("will", True, "permitted")
    # a negated permission states a prohibition: the clause is asserted
    assert c.modality == "asserted"
    (d,) = parse("The smelter has not resumed production.")
    assert d.modality == "negated"


@pytest.mark.parametrize(
    ("text", "word", "want"),
    [
        ("Jakarta is weighing a ban on nickel matte exports.", "ban", "hedged"),
        ("Lawmakers threatened to curb cobalt shipments abroad.", "curb", "hedged"),
        ("The tungsten quota may be tightened in the spring.", "tightened", "hedged"),
        ("Officials are studying whether exports should be halted.", "halted", "hedged"),
        ("The regulator denied that it had stopped lithium exports.", "stopped", "negated"),
        ("If Hanoi bans exports, prices will jump.", "bans", "conditional"),
        ("Traders said Beijing could restrict indium sales next year.", "restrict", "hedged"),
        ("Beijing said on Friday that it had restricted indium sales.", "restricted", "asserted"),
    ],
)
def test_modality_of_the_clause_holding_a_trigger(text: str, word: str, want: str) -> None:
    assert status(text, word) == want


def test_reference_subjects() -> None:
    for text, word in [
        ("It also curbed sales of antimony abroad.", "curbed"),
        ("The government banned exports of raw bauxite.", "banned"),
        ("Authorities in the capital halted lithium shipments.", "halted"),
        ("Exporters of graphite must obtain permits.", "must"),
    ]:
        assert subject_is_reference(text, text.index(word)), text
    text = "Glencore halted cobalt shipments from its mine."
    assert not subject_is_reference(text, text.index("halted"))


# ---------------------------------------------------------------- extraction
def test_pronoun_subject_takes_the_government_of_the_sentence_before(lexicon: Lexicon) -> None:
    ev = run(
        "China tightened its hold over battery metals on Tuesday.\n"
        "It also restricted exports of antimony to the US.",
        lexicon,
        "2025-11-12",
    )
    r = only(ev, "export_restriction")
    assert has(r, issuer="CHN", action="imposed", material="antimony", target="USA")


def test_rule_binding_exporters_takes_the_articles_government(lexicon: Lexicon) -> None:
    ev = run(
        "China moved to guard its battery supply chain.\n"
        "Under the new rules, which take effect on Dec. 1, exporters of graphite must apply "
        "for permits.",
        lexicon,
        "2025-11-12",
    )
    r = only(ev, "export_restriction")
    assert has(r, issuer="CHN", action="imposed", material="graphite", start="2025-12-01")


def test_relative_clause_about_an_earlier_curb_is_no_second_event(lexicon: Lexicon) -> None:
    ev = run(
        "Beijing barred antimony shipments to the United States, which it had already curbed "
        "last year.",
        lexicon,
        "2025-04-12",
    )
    r = only(ev, "export_restriction")
    assert [(e["issuer"], e["action"], e["material"], e.get("target")) for e in r] == [
        ("CHN", "imposed", "antimony", "USA")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Officials are reviewing whether the cobalt export quota should be tightened.",
        "China has not imposed any new restrictions on graphite exports, the ministry said.",
        "The Philippines is unlikely to impose a nickel ore export ban, its finance chief said.",
        "Indonesia, the top nickel producer, is considering a ban on nickel matte exports.",
        "If Hanoi bans tungsten exports, prices will jump.",
    ],
)
def test_no_restriction_from_doubt_denial_or_condition(lexicon: Lexicon, sentence: str) -> None:
    assert only(run(sentence, lexicon, "2025-04-12"), "export_restriction") == []


def test_passive_lifting_with_the_agent_after_by(lexicon: Lexicon) -> None:
    ev = run(
        "The ban on gallium sales to American buyers was lifted by Beijing on Sunday.",
        lexicon,
        "2025-10-10",  # a Friday
    )
    r = only(ev, "export_restriction")
    assert [(e["issuer"], e["action"], e["material"]) for e in r] == [("CHN", "lifted", "gallium")]
    assert r[0]["date"] == dt.date(2025, 10, 5)


def test_passive_suspension_of_the_ban_named_before(lexicon: Lexicon) -> None:
    ev = run(
        "Beijing banned exports of germanium to the US in December.\n"
        "The ban has been suspended until Nov. 27, 2026, the ministry said on Sunday.",
        lexicon,
        "2025-11-10",
    )
    r = only(ev, "export_restriction")
    assert has(r, issuer="CHN", action="suspended", material="germanium", expiry="2026-11-27"), r


def test_facility_subject_with_the_operator_reporting(lexicon: Lexicon) -> None:
    ev = run(
        "The Kamoa-Kakula copper complex in Congo suspended operations on Monday after "
        "seismic activity, Ivanhoe Mines said.",
        lexicon,
        "2025-10-12",
    )
    assert has(
        only(ev, "facility"),
        company="Ivanhoe Mines",
        action="closure",
        material="copper",
        location="COD",
    )


def test_production_began_at_the_mine_of_the_operator(lexicon: Lexicon) -> None:
    ev = run(
        "Production has begun at the Mt Holland lithium mine in Australia, operator "
        "Covalent Lithium said.",
        lexicon,
        "2025-10-12",
    )
    assert has(only(ev, "facility"), company="Covalent Lithium", action="opening", location="AUS")


def test_first_output_produced_at_a_possessed_mine(lexicon: Lexicon) -> None:
    ev = run(
        "First concentrate was produced at Almonty's Sangdong tungsten mine in South Korea "
        "in December.",
        lexicon,
        "2025-12-20",
    )
    assert has(only(ev, "facility"), company="Almonty", action="opening", material="tungsten"), ev


def test_mine_brought_out_of_care_and_maintenance_by_its_owner(lexicon: Lexicon) -> None:
    ev = run(
        "The Bald Hill lithium mine in Western Australia was brought out of care and "
        "maintenance by Mineral Resources.",
        lexicon,
        "2025-10-12",
    )
    assert has(only(ev, "facility"), company="mineral-resources", action="opening", location="AUS")


def test_funds_to_expand_a_plant_are_no_expansion(lexicon: Lexicon) -> None:
    ev = run(
        "Proceeds from the placement will be used to expand Lynas's separation plant in "
        "Malaysia, the company said.",
        lexicon,
        "2025-10-12",
    )
    assert only(ev, "facility") == []


def test_history_in_a_relative_clause_is_no_facility_event(lexicon: Lexicon) -> None:
    ev = run(
        "The refinery, which Glencore closed in 2019, is now being dismantled.",
        lexicon,
        "2025-10-12",
    )
    assert only(ev, "facility") == []


# ---------------------------------------------------------------- windows and dates
def test_paused_for_a_year_from_a_day_gives_start_and_expiry(lexicon: Lexicon) -> None:
    ev = run(
        "Beijing paused its October export curbs on rare earths for a year from Nov. 10, the "
        "ministry said.",
        lexicon,
        "2025-11-01",
    )
    r = only(ev, "export_restriction")
    assert has(
        r,
        issuer="CHN",
        action="suspended",
        material="rare-earths",
        duration="P1Y",
        start="2025-11-10",
        expiry="2026-11-10",
    ), r


def test_month_after_a_passive_agent_is_not_read_forward(lexicon: Lexicon) -> None:
    # "by the government" is the agent, not "by February": the month told in the past
    # lies before publication
    from derisk.news.dates import find_dates

    text = "Exports of cobalt were halted by the government in February."
    (m,) = find_dates(text, dt.date(2025, 3, 12))
    assert m.date == dt.date(2025, 2, 1)
    r = only(run(text, lexicon, "2025-03-12"), "export_restriction")
    assert all(e.get("start") != dt.date(2026, 2, 1) for e in r)


def test_kept_in_place_for_another_period_is_an_extension(lexicon: Lexicon) -> None:
    ev = run(
        "Congo will keep its cobalt export suspension in place for another three months.",
        lexicon,
        "2025-06-21",
    )
    r = only(ev, "export_restriction")
    assert [(e["issuer"], e["action"], e["material"], e.get("duration")) for e in r] == [
        ("COD", "extended", "cobalt", "P3M")
    ]


def test_officials_named_by_demonym_are_the_government_for_they(lexicon: Lexicon) -> None:
    ev = run(
        "Chinese officials met battery makers on Monday.\n"
        "They later imposed licensing requirements on indium exports.",
        lexicon,
        "2025-10-12",
    )
    assert has(only(ev, "export_restriction"), issuer="CHN", action="imposed", material="indium")


# ---------------------------------------------------------------- the Korea Zinc story, reworded
KOREA_ZINC_REWORDED = (
    "Korea Zinc will buy 5 per cent of The Metals Company\n"
    "Korea Zinc has agreed to acquire a 5 per cent holding in The Metals Company for "
    "$85 million, the smelter said on Thursday.\n"
    "It also sent its first cargo of antimony to the United States this month.\n"
    "Meanwhile, Beijing has resumed rare earth shipments to America, but only for six months."
)


def test_korea_zinc_story_in_other_words_yields_its_three_events(lexicon: Lexicon) -> None:
    ev = run(KOREA_ZINC_REWORDED, lexicon, "2025-09-26")
    assert has(
        only(ev, "stake_acquisition"),
        acquirer="korea-zinc",
        target="tmc-the-metals-company",
        percent=5.0,
        amount=85e6,
        currency="USD",
        date="2025-09-25",
    )
    assert has(
        only(ev, "first_export"), exporter="korea-zinc", material="antimony", destination="USA"
    )
    assert has(
        only(ev, "export_restriction"),
        issuer="CHN",
        action="suspended",
        material="rare-earths",
        target="USA",
        duration="P6M",
        expiry="2026-03-26",
    )
    assert len(ev) == 3


@pytest.mark.parametrize(
    "sentence",
    [
        "Glencore halted cobalt exports from its Congo mines because of the ban.",
        "Beijing has so far stopped short of banning antimony exports outright.",
        "Beijing said it would answer with export controls on antimony if Washington raised "
        "tariffs.",
    ],
)
def test_company_decisions_restraint_and_threats_are_no_restrictions(
    lexicon: Lexicon, sentence: str
) -> None:
    assert only(run(sentence, lexicon, "2025-10-12"), "export_restriction") == []


def test_date_of_the_measure_in_a_relative_clause_is_not_the_events(lexicon: Lexicon) -> None:
    text = "China will suspend the rare earth controls it announced on Oct. 9 until November 2026."
    cl = parse(text)
    assert clause_at(cl, text.index("announced")).kind == "relative"
    assert clause_at(cl, text.index("until")).kind == "main"
    r = only(run(text, lexicon, "2025-11-01"), "export_restriction")
    assert [(e["action"], e["material"], e.get("date"), e.get("expiry")) for e in r] == [
        ("suspended", "rare-earths", None, dt.date(2026, 11, 1))
    ]


def test_pronoun_after_an_opening_phrase(lexicon: Lexicon) -> None:
    ev = run(
        "China is the largest antimony producer. In September it banned antimony shipments "
        "to the US.",
        lexicon,
        "2025-11-10",
    )
    assert has(
        only(ev, "export_restriction"),
        issuer="CHN",
        action="imposed",
        material="antimony",
        target="USA",
    )


def test_start_stated_in_the_sentence_before_for_the_same_material(lexicon: Lexicon) -> None:
    ev = run(
        "Beijing tightens its rules for graphite\n"
        "China's new rules on graphite take effect on December 1.\n"
        "Exporters of graphite will need permits for each shipment.",
        lexicon,
        "2025-10-20",
    )
    r = only(ev, "export_restriction")
    assert has(r, issuer="CHN", action="imposed", material="graphite", start="2025-12-01"), r


def test_the_ministry_before_the_text_names_a_country_is_the_headlines(lexicon: Lexicon) -> None:
    ev = run(
        "China eases graphite curbs for US buyers\n"
        "The ministry said on Sunday that it had lifted the stricter graphite reviews "
        "introduced together with the ban.\n"
        "The step followed talks with Washington.",
        lexicon,
        "2025-11-10",
    )
    r = only(ev, "export_restriction")
    assert [(e["issuer"], e["action"], e["material"]) for e in r] == [("CHN", "lifted", "graphite")]
    assert r[0]["date"] == dt.date(2025, 11, 9)


def test_measure_put_on_hold_is_suspended_not_imposed(lexicon: Lexicon) -> None:
    ev = run(
        "The stricter end-use checks on graphite shipments to US users, which Beijing "
        "introduced in December, have been put on hold until November 2026.",
        lexicon,
        "2025-11-10",
    )
    r = only(ev, "export_restriction")
    assert [(e["issuer"], e["action"], e["material"], e.get("target")) for e in r] == [
        ("CHN", "suspended", "graphite", "USA")
    ]
    assert r[0]["expiry"] == dt.date(2026, 11, 1)


def test_government_named_after_from_and_approval_wording(lexicon: Lexicon) -> None:
    ev = run(
        "Exports of indium will require licences from Nov. 8, according to a notice from "
        "China's Ministry of Commerce.",
        lexicon,
        "2025-10-12",
    )
    assert has(
        only(ev, "export_restriction"),
        issuer="CHN",
        action="imposed",
        material="indium",
        start="2025-11-08",
    )
    ev = run(
        "Vietnam's trade ministry said on Thursday that tungsten exports would need approval.",
        lexicon,
        "2025-10-12",
    )
    assert has(only(ev, "export_restriction"), issuer="VNM", action="imposed", material="tungsten")


def test_exports_capped_is_a_restriction(lexicon: Lexicon) -> None:
    ev = run(
        "Congo's mining regulator said cobalt exports would be capped at 18,000 tonnes for "
        "the rest of the year.",
        lexicon,
        "2025-10-12",
    )
    assert has(only(ev, "export_restriction"), issuer="COD", action="imposed", material="cobalt")


@pytest.mark.parametrize(
    "sentence",
    [
        "Lynas opened talks with the owners of a closed nickel plant in Malaysia.",
        "Albemarle opened an office in Seoul near its customers' battery plants.",
        "Shares in IGO fell after it said its Kwinana lithium plant in Australia would remain "
        "closed.",
        "MP Materials denied that it had halted production at its Mountain Pass mine in "
        "California.",
        "Analysts said Pilbara Minerals may idle its Ngungaju lithium plant in Australia.",
    ],
)
def test_no_facility_event_from_other_objects_states_or_doubt(
    lexicon: Lexicon, sentence: str
) -> None:
    assert only(run(sentence, lexicon, "2025-10-12"), "facility") == []
