"""Export restrictions and the dates of events (round 6): mechanisms found on development
articles and in the failure classes of unseen text, each tested on sentences we wrote,
several phrasings per rule."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.evaluation import values_equal
from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, plain


def run(text: str, lexicon: Lexicon, published: str = "2025-06-11") -> list[dict[str, Any]]:
    """Events of ``text`` published on ``published`` (2025-06-11 is a Wednesday)."""
    return events_of(text, lexicon, published)


def restrictions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: plain(v) for k, v in e.items() if k != "type"}
        for e in events
        if e["type"] == "export_restriction"
    ]


def has(events: list[dict[str, Any]], **want: Any) -> bool:
    return any(
        all(values_equal(e.get(k), v) for k, v in want.items()) for e in restrictions(events)
    )


# ------------------------------------------- a passive change of a named measure (its verb)
@pytest.mark.parametrize(
    ("sentence", "action"),
    [
        (
            "China's ban on gallium exports to the US, announced in December 2024, was "
            "suspended on Sunday.",
            "suspended",
        ),
        ("Beijing's export controls on graphite were lifted on Sunday.", "lifted"),
        ("Indonesia's ban on nickel ore exports has been suspended on Sunday.", "suspended"),
    ],
)
def test_the_verb_that_changes_a_named_measure_imposes_nothing(
    sentence: str, action: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, action=action, date="2025-06-08"), restrictions(ev)
    assert not has(ev, action="imposed"), restrictions(ev)


def test_halting_exports_in_the_passive_is_still_a_restriction(lexicon: Lexicon) -> None:
    ev = run("Exports of cobalt from Congo were halted by the government on Sunday.", lexicon)
    assert not has(ev, action="suspended")


# --------------------------------------------- a later trigger when the first names no act
@pytest.mark.parametrize(
    "text",
    [
        "Namibia banned the export of unprocessed lithium ore. The ban comes just months after "
        "Zimbabwe, another lithium producer, banned the export of lithium ore.",
        "Namibia banned the export of unprocessed lithium ore. The measure follows a year after "
        "Zimbabwe prohibited exports of raw lithium.",
    ],
)
def test_a_second_trigger_of_the_sentence_is_read_when_the_first_makes_no_event(
    text: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, issuer="NAM", material="lithium")
    assert has(ev, issuer="ZWE", material="lithium", action="imposed"), restrictions(ev)


def test_a_trigger_near_exports_but_governing_none_is_no_event(lexicon: Lexicon) -> None:
    ev = run(
        "Antimony prices surged this month, reflecting supply disruptions, Chinese export "
        "restrictions and tightening inventories of antimony in Western markets.",
        lexicon,
    )
    assert restrictions(ev) == []


@pytest.mark.parametrize(
    "comparison",
    [
        "The ban comes just months after Zimbabwe banned the export of lithium ore.",
        "The move follows a similar step by Zimbabwe, which banned lithium ore exports, as "
        "Zimbabwe banned the export of lithium ore last year.",
    ],
)
def test_a_government_in_an_adverbial_clause_does_not_become_the_article_government(
    comparison: str, lexicon: Lexicon
) -> None:
    text = (
        "Namibia banned the export of unprocessed lithium ore. "
        + comparison
        + " The Cabinet also approved prohibiting the export of unprocessed cobalt ore."
    )
    ev = run(text, lexicon)
    assert has(ev, issuer="NAM", material="cobalt"), restrictions(ev)
    assert not has(ev, issuer="ZWE", material="cobalt")


# ------------------------------------------------------------------------- dates and windows
@pytest.mark.parametrize(
    ("text", "want"),
    [
        # the verb of the clause stands several words before a day without its year: told in
        # the past, the day is not after the publication date
        (
            "China announced export controls on gallium and germanium on July 3.",
            {"material": "gallium", "date": "2024-07-03"},
        ),
        (
            "Beijing imposed licensing requirements on exports of graphite products on July 20.",
            {"material": "graphite", "date": "2024-07-20"},
        ),
        # ahead of it ("expected to take effect on …"), the nearest such day stands
        (
            "China will restrict exports of antimony, and the rules are expected to take effect "
            "on September 15.",
            {"material": "antimony", "start": "2025-09-15"},
        ),
    ],
)
def test_a_day_without_its_year_follows_the_tense_of_its_clause(
    text: str, want: dict[str, Any], lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert has(ev, **want), restrictions(ev)


@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        ("China began restricting exports of antimony on Sept. 15.", "2024-09-15"),
        ("Indonesia started to ban exports of nickel ore in January 2020.", "2020-01-01"),
        ("Congo's cobalt export quotas kicked in on October 16.", "2025-10-16"),
        ("Congo began enforcing cobalt export quotas on October 16.", "2024-10-16"),
        ("Congo will begin enforcing export quotas on cobalt on October 16.", "2025-10-16"),
    ],
)
def test_a_measure_that_began_on_a_day_starts_then(
    sentence: str, start: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, start=start), restrictions(ev)
    assert not has(ev, date=start)


@pytest.mark.parametrize(
    "sentence",
    [
        "Congo's cobalt export ban, which started on February 22, was extended on Saturday for "
        "three more months.",
        "Congo extended its cobalt export ban by three further months on Saturday.",
        "Congo extended its cobalt export ban on Saturday for another three months.",
    ],
)
def test_an_extension_by_more_months_has_its_duration(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, action="extended", duration="P3M", date="2025-06-07", expiry="2025-09-07"), (
        restrictions(ev)
    )


@pytest.mark.parametrize(
    ("follow", "duration", "expiry"),
    [
        ("The restrictions will be valid for one year.", "P1Y", "2026-06-09"),
        ("The ban will last six months.", "P6M", "2025-12-09"),
        ("The measure will remain in force for 90 days.", "P90D", "2025-09-07"),
    ],
)
def test_a_window_stated_in_the_next_sentence_lands_in_the_restriction(
    follow: str, duration: str, expiry: str, lexicon: Lexicon
) -> None:
    ev = run("Indonesia banned exports of nickel ore on Monday. " + follow, lexicon)
    assert has(ev, issuer="IDN", date="2025-06-09", duration=duration, expiry=expiry), restrictions(
        ev
    )


@pytest.mark.parametrize(
    "follow",
    [
        "Mines Minister Polite Kambamura announced the sweeping suspension on Tuesday.",
        "The mines ministry declared the embargo on Tuesday.",
        "Officials confirmed the prohibition on Tuesday.",
    ],
)
def test_the_day_a_measure_was_announced_may_come_in_the_next_sentence(
    follow: str, lexicon: Lexicon
) -> None:
    ev = run("Zimbabwe has banned all exports of raw lithium concentrates. " + follow, lexicon)
    assert has(ev, issuer="ZWE", material="lithium", date="2025-06-10"), restrictions(ev)


@pytest.mark.parametrize(
    "announce",
    [
        "China's Ministry of Commerce announced today that it will restrict exports of a mineral "
        "used in batteries.",
        "China's commerce ministry said on Wednesday it would restrict exports of a metal used in "
        "weapons.",
    ],
)
def test_a_restriction_announced_without_its_material_lends_its_day_to_the_next_sentence(
    announce: str, lexicon: Lexicon
) -> None:
    ev = run(announce + " New export controls will take effect on antimony from Sept. 15.", lexicon)
    assert has(ev, material="antimony", date="2025-06-11", start="2025-09-15"), restrictions(ev)


def test_the_article_restriction_takes_its_dates_from_later_sentences(lexicon: Lexicon) -> None:
    text = (
        "Trade in gallium fell in 2023 due to new Chinese export controls on gallium and "
        "germanium. Prices rose. Buyers were worried. Stocks fell. Traders waited. The Ministry "
        "of Commerce announced the mandatory licensing on July 3, citing security. Both are "
        "dual-use goods. The rules came into force on August 1, and exporters faced delays."
    )
    ev = run(text, lexicon, published="2024-01-25")
    for mat in ("gallium", "germanium"):
        assert has(ev, material=mat, date="2023-07-03", start="2023-08-01"), restrictions(ev)


def test_later_sentences_of_another_decision_lend_no_dates(lexicon: Lexicon) -> None:
    text = (
        "China imposed export controls on gallium. Prices rose. Buyers were worried. Stocks "
        "fell. Traders waited. Indonesia banned nickel ore exports in 2020. The rules came into "
        "force on August 1."
    )
    ev = run(text, lexicon, published="2024-01-25")
    assert not has(ev, material="gallium", start="2023-08-01"), restrictions(ev)


# ------------------------------------------------------------------- issuers and materials
@pytest.mark.parametrize(
    "sentence",
    [
        "Congo's strategic minerals regulator said on Saturday the suspension of cobalt exports "
        "would be extended by three months from June 22.",
        "Congo's mines ministry said on Saturday the ban on cobalt exports has been extended by "
        "three months from June 22.",
        "The Congolese government said on Saturday the halt to cobalt exports will be extended "
        "by three months from June 22.",
    ],
)
def test_a_reported_passive_extension_takes_the_reporting_government(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(
        ev,
        issuer="COD",
        action="extended",
        material="cobalt",
        duration="P3M",
        start="2025-06-22",
        expiry="2025-09-22",
    ), restrictions(ev)


@pytest.mark.parametrize(
    ("sentence", "issuer"),
    [
        ("The government of Zimbabwe banned the export of raw lithium ore.", "ZWE"),
        ("The Republic of Namibia has prohibited exports of unprocessed lithium ore.", "NAM"),
        ("The cabinet of Indonesia banned exports of nickel ore.", "IDN"),
    ],
)
def test_the_government_of_a_country_is_its_issuer(
    sentence: str, issuer: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), issuer=issuer, action="imposed"), restrictions(
        run(sentence, lexicon)
    )


def test_exports_to_a_country_do_not_make_it_the_issuer(lexicon: Lexicon) -> None:
    ev = run("China banned the export of gallium to the United States.", lexicon)
    assert has(ev, issuer="CHN", target="USA")
    assert not has(ev, issuer="USA")


@pytest.mark.parametrize(
    ("text", "material"),
    [
        (
            "Almost all reserves of antimony are in China, Russia and Tajikistan. China, which "
            "mines half of global output, began restricting exports Sept. 15.",
            "antimony",
        ),
        (
            "Indonesia holds the world's largest nickel reserves. Indonesia banned exports in "
            "January 2020.",
            "nickel",
        ),
    ],
)
def test_bare_exports_are_those_of_the_material_of_the_sentence_before(
    text: str, material: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon, published="2024-11-20"), material=material, action="imposed")


def test_bare_exports_after_two_materials_stay_unread(lexicon: Lexicon) -> None:
    ev = run(
        "China produces most of the world's gallium and germanium. China restricted exports "
        "last year.",
        lexicon,
    )
    assert restrictions(ev) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Congo's government said on Saturday it would replace its cobalt export ban with quotas "
        "from October 16.",
        "Congo will replace the ban on cobalt exports with a quota system from October 16, the "
        "regulator said on Saturday.",
    ],
)
def test_a_ban_replaced_with_quotas_is_lifted_and_the_quota_imposed(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    for action in ("lifted", "imposed"):
        assert has(ev, issuer="COD", action=action, material="cobalt", start="2025-10-16"), (
            restrictions(ev)
        )


def test_replacing_supply_is_no_lifting(lexicon: Lexicon) -> None:
    ev = run(
        "Automakers want to replace Chinese graphite supply, with export controls in place.",
        lexicon,
    )
    assert not has(ev, action="lifted")


# -------------------------------------------------------------- windows and their base day
@pytest.mark.parametrize(
    "sentence",
    [
        "In February, Congo imposed a four-month ban on cobalt exports.",
        "Congo imposed a four-month ban on cobalt exports in February.",
    ],
)
def test_a_window_of_a_month_dated_decision_is_not_counted_from_publication(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = restrictions(run(sentence, lexicon))
    assert ev and ev[0]["duration"] == "P4M"
    assert "expiry" not in ev[0], ev


@pytest.mark.parametrize(
    ("sentence", "expiry"),
    [
        ("Congo suspended cobalt exports on Feb. 22 for four months.", "2025-06-22"),
        ("China recently decided to halt gallium exports for only six months.", "2025-12-11"),
    ],
)
def test_a_window_counts_from_its_day_else_from_publication(
    sentence: str, expiry: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), expiry=expiry), restrictions(run(sentence, lexicon))


@pytest.mark.parametrize(
    "sentence",
    [
        "China said it would ban exports of gallium to the United States, in a notice dated "
        "Dec. 3.",
        "China banned exports of gallium to the United States in a notice dated December 3.",
    ],
)
def test_the_day_of_a_dated_notice_is_past(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, material="gallium", date="2024-12-03"), restrictions(ev)
    assert not has(ev, start="2025-12-03")


# ------------------------------------------------------- trade that stopped is no measure
@pytest.mark.parametrize(
    "sentence",
    [
        "China restricted germanium exports in 2023. In the aftermath, exports of germanium "
        "temporarily halted for about three months as companies adjusted to the new licensing "
        "requirements.",
        "Congo suspended cobalt exports in February. Cobalt shipments from Congo stopped for "
        "weeks while traders waited for the new rules.",
    ],
)
def test_exports_that_stopped_are_a_fact_of_the_market(sentence: str, lexicon: Lexicon) -> None:
    ev = restrictions(run(sentence, lexicon))
    assert len(ev) == 1 and ev[0]["action"] == "imposed", ev


@pytest.mark.parametrize(
    "sentence",
    [
        "Exports of cobalt were halted by the government of Congo on Saturday.",
        "Congo halted cobalt exports on Saturday.",
    ],
)
def test_exports_halted_by_a_government_are_a_restriction(sentence: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), issuer="COD", action="imposed", date="2025-06-07")


@pytest.mark.parametrize(
    "follow",
    [
        "The controls are meant to prevent illegal uses of rare earths in weapons.",
        "The rules were designed to protect supplies of rare earths at home.",
    ],
)
def test_a_purpose_of_the_measure_names_no_goods_it_covers(follow: str, lexicon: Lexicon) -> None:
    text = "China's commerce ministry announced new export controls on Monday. " + follow
    assert restrictions(run(text, lexicon)) == []


def test_a_copula_before_the_goods_names_what_the_measure_covers(lexicon: Lexicon) -> None:
    text = (
        "China announced new export controls on Monday. The controls are on gallium and germanium."
    )
    ev = run(text, lexicon)
    assert has(ev, material="gallium") and has(ev, material="germanium"), restrictions(ev)


# ---------------------------------------------------------- text as scraped and relative days
@pytest.mark.parametrize("gap", ["\n", "\n\n"])
def test_a_sentence_wrapped_over_lines_is_read_whole(gap: str, lexicon: Lexicon) -> None:
    text = (
        "Nickel ore news\n\n"
        f"JAKARTA — Indonesia said on Monday it will{gap}stop nickel ore exports from Jan. 1, "
        f"2020, two years earlier{gap}than initially indicated.{gap}Prices rose."
    )
    ev = run(text, lexicon, published="2019-09-02")
    assert has(ev, issuer="IDN", material="nickel", start="2020-01-01", date="2019-09-02"), (
        restrictions(ev)
    )


def test_a_heading_line_is_not_joined_to_the_next(lexicon: Lexicon) -> None:
    from derisk.news.text import unwrap

    assert unwrap("Quota Rules Take Effect\nCongo imposed quotas.") == (
        "Quota Rules Take Effect\nCongo imposed quotas."
    )


@pytest.mark.parametrize(
    "text",
    [
        "date 2026-03-04 Zimbabwe banned exports of raw lithium last week, the government "
        "said. Zimbabwe last Wednesday announced an immediate ban on exports of lithium "
        "concentrates.",
        "date 2026-03-04 Zimbabwe fast-tracked a ban on raw lithium exports last week. The "
        "ministry last Wednesday announced the ban on lithium exports.",
    ],
)
def test_a_page_stamp_and_a_week_name_no_day_of_the_event(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon, published="2026-03-04")
    # "last Wednesday" said on a Wednesday is the week before; the page's stamp is no event
    # day, nor is "last week"
    assert has(ev, issuer="ZWE", material="lithium", date="2026-02-25"), restrictions(ev)
    assert not has(ev, date="2026-03-04") and not has(ev, date="2026-02-23")


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        ("last Wednesday", "2025-06-04"),
        ("on Wednesday", "2025-06-11"),
        ("last Monday", "2025-06-09"),
    ],
)
def test_last_weekday_is_before_the_publication_day(
    phrase: str, day: str, lexicon: Lexicon
) -> None:
    ev = run(f"China banned gallium exports {phrase}.", lexicon)
    assert has(ev, date=day), restrictions(ev)


# ---------------------------------------------------------------- materials of the measure
@pytest.mark.parametrize(
    "sentence",
    [
        "Echoing its earlier clampdown on rare earths, China has imposed strict export controls "
        "on silver.",
        "Following its curbs on gallium, China has imposed export controls on silver.",
    ],
)
def test_an_opening_phrase_lends_no_material(sentence: str, lexicon: Lexicon) -> None:
    assert restrictions(run(sentence, lexicon)) == []


@pytest.mark.parametrize(
    "text",
    [
        "The refinery will process raw cobalt from Congo. That country recently imposed a "
        "four-month export ban on the material.",
        "The plant buys its cobalt in Congo. The country imposed a four-month export ban on the "
        "metal in February.",
    ],
)
def test_the_material_named_the_sentence_before(text: str, lexicon: Lexicon) -> None:
    ev = run(text, lexicon)
    assert has(ev, issuer="COD", material="cobalt", duration="P4M"), restrictions(ev)


@pytest.mark.parametrize(
    "sentence",
    [
        "Indonesia has allowed two companies to resume exporting zinc concentrates, ending a ban "
        "imposed in January.",
        "Indonesia let miners resume exports of zinc concentrates, ending its ban.",
    ],
)
def test_trade_that_resumes_ends_a_ban(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, issuer="IDN", material="zinc", action="lifted"), restrictions(ev)
    assert not has(ev, action="resumed")


@pytest.mark.parametrize(
    "sentence",
    [
        "China introduced export permits for gallium and germanium in August.",
        "Beijing introduced export licences for graphite products.",
    ],
)
def test_introduced_permits_are_a_restriction(sentence: str, lexicon: Lexicon) -> None:
    assert has(run(sentence, lexicon), issuer="CHN", action="imposed")


@pytest.mark.parametrize(
    "sentence",
    [
        "Beijing has said it will curb exports of gallium and germanium, two rare earth metals "
        "crucial for chips, next month.",
        "China said it will restrict exports of gallium and germanium, both rare earth metals "
        "used in chips, next month.",
    ],
)
def test_a_class_in_apposition_is_no_material_and_next_month_starts_it(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon, published="2023-07-23")
    for mat in ("gallium", "germanium"):
        assert has(ev, issuer="CHN", material=mat, start="2023-08-01"), restrictions(ev)
    assert not has(ev, material="rare-earths")


@pytest.mark.parametrize(
    "sentence",
    [
        "The move highlights India's ambitions to build its rare earth value chain, as China's "
        "recent curbs on exports of key minerals have rattled global industries.",
        "Japan wants its own rare earth supply chain, as China's recent export curbs on key "
        "minerals weigh on buyers.",
    ],
)
def test_a_recent_measure_in_an_as_clause_is_background_and_lends_no_material(
    sentence: str, lexicon: Lexicon
) -> None:
    assert restrictions(run(sentence, lexicon)) == []


def test_a_measure_called_recently_announced_is_still_news(lexicon: Lexicon) -> None:
    ev = run(
        "China's recently announced export controls on gallium took effect on Sunday.", lexicon
    )
    assert has(ev, issuer="CHN", material="gallium"), restrictions(ev)


# ------------------------------------------------------------ officials act for their state
@pytest.mark.parametrize(
    "text",
    [
        "Congo is the largest cobalt producer. President Felix Tshisekedi announced a ban on "
        "cobalt exports on Monday.",
        "Zimbabwe is rich in lithium. Mines Minister Polite Kambamura banned lithium concentrate "
        "exports on Monday.",
        "Zimbabwe Bans Export Of Ores\nMinister of Mines and Mining Development Winston Chitando "
        "issued the order on Friday. On Monday, Chitando banned the export of raw lithium.",
    ],
)
def test_an_official_named_with_a_title_acts_for_the_article_government(
    text: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon)
    assert any(
        e["action"] == "imposed" and e["date"] == "2025-06-09" and e["issuer"] in ("COD", "ZWE")
        for e in restrictions(ev)
    ), restrictions(ev)


@pytest.mark.parametrize(
    "sentence",
    [
        "President Felix Tshisekedi announced a ban on cobalt exports on Monday.",
        "Commerce Minister Piyush Goyal met industry executives on Monday.",
    ],
)
def test_a_titled_official_is_no_new_company(sentence: str, lexicon: Lexicon) -> None:
    assert not [m for m in lexicon.mentions(sentence) if m.kind == "company"]


def test_a_company_subject_is_still_no_government(lexicon: Lexicon) -> None:
    ev = run(
        "Congo is the largest cobalt producer. Glencore halted cobalt exports from its mines on "
        "Monday.",
        lexicon,
    )
    assert restrictions(ev) == []


# ------------------------------------------------- one announcement told over two sentences
@pytest.mark.parametrize(
    "text",
    [
        "Congo is lifting its cobalt export ban starting October 16. Congo will now control "
        "cobalt supply through strict export quotas, the regulator announced Sunday.",
        "Congo is lifting its ban on cobalt exports from October 16. It will instead cap cobalt "
        "exports with quotas, the mines ministry said on Sunday.",
    ],
)
def test_the_announcement_day_of_the_next_sentence_dates_the_same_decision(
    text: str, lexicon: Lexicon
) -> None:
    ev = run(text, lexicon, published="2025-09-22")
    assert has(ev, action="lifted", material="cobalt", date="2025-09-21", start="2025-10-16"), (
        restrictions(ev)
    )


def test_the_announcement_day_of_another_decision_dates_nothing_else(lexicon: Lexicon) -> None:
    text = (
        "The ministry also suspended the stricter checks on exports of graphite to the US. "
        "China announced on Friday the suspension of export controls on lithium battery "
        "materials."
    )
    ev = run("China suspended its ban on gallium exports to the US. " + text, lexicon)
    assert not has(ev, material="graphite", date="2025-06-06"), restrictions(ev)


# ------------------------------------------------------------ the end of a measure in force
@pytest.mark.parametrize(
    "sentence",
    [
        "The ban on cobalt exports will expire on September 21, Congo's regulator said on "
        "Saturday.",
        "Congo's cobalt export ban is set to expire on September 21.",
    ],
)
def test_a_measure_that_will_expire_is_no_new_measure(sentence: str, lexicon: Lexicon) -> None:
    assert not has(run(sentence, lexicon), action="imposed")


@pytest.mark.parametrize(
    "follow",
    ["The ban will expire on September 21.", "The ban is set to expire on September 21."],
)
def test_the_expiry_of_the_article_measure_in_the_next_sentence(
    follow: str, lexicon: Lexicon
) -> None:
    ev = run("Congo banned cobalt exports on Saturday. " + follow, lexicon)
    assert has(ev, issuer="COD", date="2025-06-07", expiry="2025-09-21"), restrictions(ev)


@pytest.mark.parametrize(
    ("sentence", "material"),
    [
        ("CHINA has curbed exports of rare earths as part of its retaliation.", "rare-earths"),
        ("BEIJING has banned gallium exports to the US.", "gallium"),
    ],
)
def test_a_country_opening_in_capitals_is_read(
    sentence: str, material: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), issuer="CHN", material=material, action="imposed")


def test_an_acronym_opening_in_capitals_stays_a_company(lexicon: Lexicon) -> None:
    from derisk.news.pipeline import _title_lead

    text = "CATL has suspended mining at its lithium site in Yichun."
    assert _title_lead(text, lexicon) == text
