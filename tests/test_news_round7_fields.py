"""Fields of found events (round 7): dates resolved and numbers attached by principle, not
by phrasing. Each mechanism is tested on several sentences we wrote; the expected values are
worked out by hand from the calendar (2025-06-11 is a Wednesday)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.news.dates import find_dates, told_ahead, weekday_after, weekday_before
from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

WED = "2025-06-11"


def run(text: str, lexicon: Lexicon, published: str = WED) -> list[dict[str, Any]]:
    return events_of(text, lexicon, published)


def restriction(events: list[dict[str, Any]]) -> dict[str, Any]:
    found = [e for e in events if e["type"] == "export_restriction"]
    assert len(found) == 1, events
    return found[0]


def iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


# ----------------------------------------------------- the tense of the clause sets the side
@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        # a weekday in a clause told in the future is the next such day, not the last one
        ("China said the export controls on antimony will take effect on Monday.", "2025-06-16"),
        ("Congo will halt cobalt exports on Friday, the mines ministry said.", "2025-06-13"),
        ("Indonesia said on Friday it will ban nickel ore exports on Monday.", "2025-06-16"),
        # a day without its year, told in the future, is not before the publication day
        (
            "China said its export controls on graphite will take effect from January 1.",
            "2026-01-01",
        ),
        ("Zambia will ban raw manganese exports from 2 March.", "2026-03-02"),
    ],
)
def test_a_date_told_in_the_future_lies_ahead(sentence: str, start: str, lexicon: Lexicon) -> None:
    assert iso(restriction(run(sentence, lexicon)).get("start")) == start


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("China imposed export controls on antimony on Monday.", "2025-06-09"),
        ("Indonesia said on Friday it will ban nickel ore exports.", "2025-06-06"),
        # a future verb earlier in the clause does not move a day told with a past verb
        ("Congo will keep the cobalt export ban it imposed on Monday.", None),
    ],
)
def test_a_date_told_in_the_past_stays_behind(
    sentence: str, date: str | None, lexicon: Lexicon
) -> None:
    events = run(sentence, lexicon)
    if date is None:
        assert all(
            iso(e.get("date")) != "2025-06-16" and iso(e.get("start")) != "2025-06-16"
            for e in events
        ), events
    else:
        assert iso(restriction(events).get("date")) == date


def test_tense_cues_and_weekday_arithmetic() -> None:
    assert told_ahead("the quota will take effect on ")
    assert told_ahead("Lusaka said the ban is expected to start on ")
    assert not told_ahead("the ministry said on ")
    assert not told_ahead("will replace the licences introduced on ")
    wed = dt.date(2025, 6, 11)
    # the same weekday is the day itself, on either side
    assert weekday_after(wed, 2) == wed == weekday_before(wed, 2)
    assert weekday_after(wed, 1) == dt.date(2025, 6, 17)
    assert weekday_before(wed, 3) == dt.date(2025, 6, 5)


# --------------------------------------------------------------- a year or a relative year
@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        ("Gabon will ban manganese ore exports from 2029.", "2029-01-01"),
        ("Indonesia will ban bauxite exports starting next year.", "2026-01-01"),
        ("Zimbabwe will stop lithium concentrate exports beginning in 2027.", "2027-01-01"),
        ("Indonesia will ban bauxite exports from June next year.", "2026-06-01"),
    ],
)
def test_a_year_told_as_a_start_is_its_first_day(
    sentence: str, start: str, lexicon: Lexicon
) -> None:
    assert iso(restriction(run(sentence, lexicon)).get("start")) == start


def test_a_year_alone_is_no_day(lexicon: Lexicon) -> None:
    ev = restriction(run("Zimbabwe banned raw lithium ore exports in 2022.", lexicon))
    assert ev.get("date") is None and ev.get("start") is None
    got = [(m.text, m.precision) for m in find_dates("in 2022 and from 2029", dt.date(2025, 6, 11))]
    assert got == [("2029", "year")]


# ------------------------------------------------------------- a window's second date ends it
@pytest.mark.parametrize(
    ("sentence", "start", "expiry"),
    [
        (
            "China suspended its ban on gallium exports to the United States from November 9 "
            "to November 27, 2026.",
            "2025-11-09",
            "2026-11-27",
        ),
        (
            "China suspended its ban on gallium exports to the United States between November "
            "9, 2025 and November 27, 2026.",
            "2025-11-09",
            "2026-11-27",
        ),
        (
            "Congo suspended cobalt exports from 22 February to 21 June.",
            "2025-02-22",
            "2025-06-21",
        ),
    ],
)
def test_the_second_date_of_a_window_is_its_end(
    sentence: str, start: str, expiry: str, lexicon: Lexicon
) -> None:
    ev = restriction(run(sentence, lexicon))
    assert (iso(ev.get("start")), iso(ev.get("expiry"))) == (start, expiry), ev


def test_two_dates_not_joined_as_a_window_stay_apart(lexicon: Lexicon) -> None:
    # the announcement day and the start are two dates, not a window
    ev = restriction(
        run("China said on Monday it would restrict graphite exports from December 1.", lexicon)
    )
    assert iso(ev.get("date")) == "2025-06-09" and iso(ev.get("start")) == "2025-12-01"
    assert ev.get("expiry") is None


# ------------------------------------------------------------------ immediate effect, since
@pytest.mark.parametrize(
    "sentence",
    [
        "China imposed export controls on tungsten with immediate effect on Tuesday.",
        "On Tuesday China imposed export controls on tungsten, effective immediately.",
        "China on Tuesday imposed export controls on tungsten, which took effect immediately.",
    ],
)
def test_immediate_effect_starts_on_the_day_of_the_decision(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = restriction(run(sentence, lexicon))
    assert iso(ev.get("date")) == iso(ev.get("start")) == "2025-06-10", ev


def test_immediate_effect_without_a_day_invents_none(lexicon: Lexicon) -> None:
    ev = restriction(
        run("China imposed export controls on tungsten with immediate effect.", lexicon)
    )
    assert ev.get("start") is None and ev.get("date") is None


# ------------------------------------------------------------ the dateline is the reference
def test_relative_days_count_from_the_dateline(lexicon: Lexicon) -> None:
    # a copy put online a week later, on Friday 20 June, of a story dated Friday 13 June
    text = "JAKARTA, June 13 (Wire) - Indonesia banned nickel ore exports on Thursday."
    assert has(run(text, lexicon, "2025-06-20"), "export_restriction", date="2025-06-12")
    # without a dateline the publication day is the reference
    text = "Indonesia banned nickel ore exports on Thursday."
    assert has(run(text, lexicon, "2025-06-20"), "export_restriction", date="2025-06-19")


# ------------------------------------------------------- "since" a date, each material its date
@pytest.mark.parametrize(
    ("sentence", "start"),
    [
        ("China has required export licences for graphite since December 1.", "2025-12-01"),
        ("Congo has banned cobalt exports since 22 February.", "2025-02-22"),
    ],
)
def test_since_a_date_is_the_start(sentence: str, start: str, lexicon: Lexicon) -> None:
    published = "2026-01-10" if "graphite" in sentence else WED
    assert iso(restriction(run(sentence, lexicon, published)).get("start")) == start


def test_materials_each_with_a_date_keep_their_own(lexicon: Lexicon) -> None:
    ev = run(
        "China introduced export permits for gallium and germanium in August, followed by "
        "similar requirements for graphite since Dec 1.",
        lexicon,
        "2025-12-20",
    )
    by_mat = {e["material"]: e for e in ev if e["type"] == "export_restriction"}
    assert set(by_mat) == {"gallium", "germanium", "graphite"}, ev
    assert iso(by_mat["graphite"].get("start")) == "2025-12-01"
    # "in August" names no day: gallium and germanium get none, and not graphite's
    assert by_mat["gallium"].get("start") is None and by_mat["germanium"].get("start") is None
    # one date after all the materials is theirs together
    ev = run("China will restrict exports of gallium and germanium from August 1.", lexicon)
    assert all(iso(e.get("start")) == "2025-08-01" for e in ev) and len(ev) == 2, ev


# ------------------------------------------------------------ a facility's one day: its effect
@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        (
            "Orrin Nickel has announced the closure of its Kestrel nickel mine, with the "
            "shutdown commencing on 1 July.",
            "2025-07-01",
        ),
        ("Orrin Nickel said its Kestrel nickel mine will close from July 1.", "2025-07-01"),
        # a day it was announced is the event's day before a later effect
        (
            "Orrin Nickel on Monday announced the closure of its Kestrel nickel mine from July 1.",
            "2025-06-09",
        ),
    ],
)
def test_a_facility_takes_its_effective_day_when_no_other(
    sentence: str, date: str, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "facility", date=date), run(sentence, lexicon)


# --------------------------------------------- a later sentence's day, by what its verb tells
@pytest.mark.parametrize(
    "text",
    [
        "Orrin Lithium has entered into an offtake agreement with Halvard Batteries to supply "
        "lithium.\nThe agreement was signed on 7 May.",
        "Orrin Lithium has entered into an offtake agreement with Halvard Batteries to supply "
        "lithium.\nOn 7 May, Orrin, a producer with mines in Chile and Peru, announced a "
        "three-year binding offtake agreement with Halvard.",
    ],
)
def test_a_deal_takes_the_day_a_later_sentence_says_it_was_made(
    text: str, lexicon: Lexicon
) -> None:
    assert has(run(text, lexicon), "offtake", date="2025-05-07"), run(text, lexicon)


def test_a_later_sentence_of_a_deal_still_planned_dates_nothing(lexicon: Lexicon) -> None:
    text = (
        "Orrin Lithium has entered into an offtake agreement with Halvard Batteries to supply "
        "lithium.\nDeliveries under the agreement will begin on 7 July."
    )
    ev = [e for e in run(text, lexicon) if e["type"] == "offtake"]
    assert ev and all(e.get("date") is None for e in ev), ev


@pytest.mark.parametrize(
    ("second", "date"),
    [
        ("The cargo departed Port Hedland on 4 June.", "2025-06-04"),
        ("Concentrate was trucked to the port, leaving Africa on 4 June.", "2025-06-04"),
        # arriving is not leaving
        ("The cargo is expected to arrive in China on 30 June.", None),
    ],
)
def test_a_shipment_takes_the_day_it_left(second: str, date: str | None, lexicon: Lexicon) -> None:
    text = "Orrin Lithium has shipped its first cargo of spodumene concentrate to China.\n" + second
    ev = [e for e in run(text, lexicon) if e["type"] == "first_export"]
    assert ev, run(text, lexicon)
    assert iso(ev[0].get("date")) == date, ev


@pytest.mark.parametrize(
    ("second", "start"),
    [
        (
            "The regulator confirmed that exports will resume on October 16 under this new system.",
            "2025-10-16",
        ),
        ("The new quotas will take effect on 1 July.", "2025-07-01"),
        # a start told as a plan overtaken is none
        ("The ban had originally been scheduled to start in January 2027.", None),
    ],
)
def test_a_measure_takes_the_start_a_later_sentence_gives(
    second: str, start: str | None, lexicon: Lexicon
) -> None:
    text = "Congo introduced export quotas for cobalt on Monday.\n" + second
    assert iso(restriction(run(text, lexicon)).get("start")) == start


# ------------------------------------------------------------ a stake is the holding reached
@pytest.mark.parametrize(
    ("sentence", "pct"),
    [
        ("Tarn Capital increased its stake in Ossory Graphite from 4.17% to 9.02%.", 9.02),
        ("Tarn Capital bought a further 5% of Ossory Graphite, taking its holding to 15%.", 15.0),
        (
            "Tarn Capital acquired a 3.5% stake in Ossory Graphite, bringing its total "
            "interest to 12.25 per cent.",
            12.25,
        ),
        # no holding reached is told: the stake bought
        ("Tarn Capital acquired a 3.5% stake in Ossory Graphite.", 3.5),
    ],
)
def test_the_percent_of_a_stake_is_the_holding_reached(
    sentence: str, pct: float, lexicon: Lexicon
) -> None:
    assert has(run(sentence, lexicon), "stake_acquisition", percent=pct), run(sentence, lexicon)


# ------------------------------------------------------ a sum that measures something else
@pytest.mark.parametrize(
    "sentence",
    [
        "Tarn Capital acquired a 5% stake in Ossory Graphite, whose market value is $2 billion.",
        "Tarn Capital acquired a 5% stake in Ossory Graphite, which has a market capitalisation "
        "of A$300 million.",
        "Tarn Capital, with annual revenue of $4 billion, acquired a 5% stake in Ossory Graphite.",
    ],
)
def test_a_company_s_value_or_revenue_is_no_price(sentence: str, lexicon: Lexicon) -> None:
    ev = [e for e in run(sentence, lexicon) if e["type"] == "stake_acquisition"]
    assert ev and all(e.get("amount") is None for e in ev), ev


def test_the_price_beside_a_company_s_value_is_kept(lexicon: Lexicon) -> None:
    text = (
        "Tarn Capital acquired a 5% stake in Ossory Graphite, whose market value is $2 "
        "billion, for $85 million."
    )
    assert has(run(text, lexicon), "stake_acquisition", amount=85_000_000, currency="USD")


@pytest.mark.parametrize(
    "second",
    [
        "It paid $85 million for the shares.",
        "Tarn Capital paid $85 million for the stake.",
        "The company will pay $85 million for the holding.",
    ],
)
def test_the_price_the_buyer_paid_in_the_next_sentence(second: str, lexicon: Lexicon) -> None:
    text = "Tarn Capital acquired a 5% stake in Ossory Graphite.\n" + second
    assert has(run(text, lexicon), "stake_acquisition", percent=5, amount=85_000_000)


# ------------------------------------------------------------- how sums and rates are written
@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("invested €1,2 million in", 1_200_000, "EUR"),  # a decimal comma before a scale
        ("invested €1,200 in", 1_200, "EUR"),  # a thousands comma
        ("invested Rs 500 crore in", 5_000_000_000, "INR"),
        ("invested ₹2 lakh in", 200_000, "INR"),
        ("invested R1.2 billion in", 1_200_000_000, "ZAR"),
    ],
)
def test_sums_in_the_notations_of_other_presses(text: str, amount: float, currency: str) -> None:
    from derisk.news.events import find_money

    got = [(m.amount, m.currency) for m in find_money(text)]
    assert got == [(amount, currency)]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("will buy 2,500 tonnes a month of cobalt", []),
        ("will buy 2,500 tonnes of cobalt hydroxide a month", []),
        ("output of 500 t/day", []),
        ("will buy 2,500 tonnes of cobalt a year", [(2500.0, "t/yr")]),
        ("shipped 2,500 tonnes on Monday", [(2500.0, "t")]),
    ],
)
def test_a_rate_shorter_than_a_year_is_no_tonnage(text: str, want: list[Any]) -> None:
    from derisk.news.events import find_quantities

    assert [(q.value, q.unit) for q in find_quantities(text)] == want


def test_a_monthly_supply_is_not_read_as_a_tonnage(lexicon: Lexicon) -> None:
    text = "Glencore will buy 2,500 tonnes a month of cobalt hydroxide from Orrin Cobalt."
    ev = [e for e in run(text, lexicon) if e["type"] == "offtake"]
    assert ev and all(e.get("quantity") is None and e.get("unit") is None for e in ev), ev


# ------------------------------------- sums and days told before the stake they paid for
_DEAL = (
    "Tarn Capital signed a $180 million investment agreement with Halvard Metals on Tuesday.\n"
    "The money will fund a new graphite plant at Ossory Graphite.\n"
    "Tarn Capital will inject $150 million, while Halvard Metals will contribute $30 million.\n"
)


def test_each_buyer_takes_the_sum_it_put_in_and_the_day_of_the_deal(lexicon: Lexicon) -> None:
    text = (
        _DEAL + "Tarn Capital raised its stake in Ossory Graphite to 64% through this "
        "investment.\nHalvard Metals, as a new shareholder, secures a 12.9% stake in Ossory "
        "Graphite."
    )
    ev = run(text, lexicon)
    assert has(
        ev, "stake_acquisition", percent=64, amount=150_000_000, currency="USD", date="2025-06-10"
    ), ev
    assert has(ev, "stake_acquisition", percent=12.9, amount=30_000_000, date="2025-06-10"), ev


def test_a_stake_that_does_not_refer_back_takes_no_earlier_sum(lexicon: Lexicon) -> None:
    text = _DEAL + "Separately, Tarn Capital acquired a 5% stake in Quarry Point Antimony."
    ev = [e for e in run(text, lexicon) if e["type"] == "stake_acquisition"]
    assert ev and all(e.get("amount") is None and e.get("date") is None for e in ev), ev


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        # a forward preposition with no past-tense verb looks ahead, as for a bare month
        ("Zambia's quota system for cobalt exports applies from Monday.", "2025-06-16"),
        ("Congo's new cobalt quotas take effect from January 1.", "2026-01-01"),
        # a past-tense verb keeps the day behind
        ("The cobalt quotas took effect from Monday.", "2025-06-09"),
        ("The cobalt quotas took effect from January 1.", "2025-01-01"),
    ],
)
def test_a_forward_preposition_looks_ahead_without_a_past_verb(sentence: str, day: str) -> None:
    assert [m.date.isoformat() for m in find_dates(sentence, dt.date(2025, 6, 11))] == [day]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("exports are suspended until Friday", [("2025-06-13", "day")]),
        ("companies must apply by Friday", [("2025-06-13", "day")]),
        ("the rules start this Friday", [("2025-06-13", "day")]),
        ("next Friday", []),  # the coming one or the one after: left unresolved
        ("the decree was signed three days ago", [("2025-06-08", "day")]),
        ("the ban was announced two weeks ago", [("2025-05-26", "week")]),
    ],
)
def test_weekdays_ahead_and_days_ago(text: str, want: list[tuple[str, str]]) -> None:
    got = [(m.date.isoformat(), m.precision) for m in find_dates(text, dt.date(2025, 6, 11))]
    assert got == want


def test_until_a_weekday_ends_the_window(lexicon: Lexicon) -> None:
    ev = restriction(run("Congo suspended its cobalt export ban until Friday.", lexicon))
    assert iso(ev.get("expiry")) == "2025-06-13", ev


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        # the past-tense verb governs however long its object
        (
            "China suspended its ban on exports of gallium and germanium to the United States "
            "on November 9.",
            "2024-11-09",
        ),
        ("Guinea halted bauxite exports by the state miner on August 5.", "2024-08-05"),
    ],
)
def test_a_past_verb_far_before_its_day_keeps_it_behind(
    sentence: str, date: str, lexicon: Lexicon
) -> None:
    assert any(iso(e.get("date")) == date for e in run(sentence, lexicon)), run(sentence, lexicon)


# --------------------------------------------- wire-style time adverbials; money for a stake
@pytest.mark.parametrize(
    "sentence",
    [
        "Tarn Capital on Monday bought a 19.9% stake in Ossory Graphite for A$45 million.",
        "Tarn Capital on Monday agreed to buy a 19.9% stake in Ossory Graphite for A$45 million.",
    ],
)
def test_a_new_company_before_a_time_adverbial_is_the_subject(
    sentence: str, lexicon: Lexicon
) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", acquirer="Tarn Capital", percent=19.9, date="2025-06-09"), (
        ev
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Tarn Capital will invest US$45m in Ossory Graphite for a 19.9% stake.",
        "Tarn Capital invested US$45m in Ossory Graphite in exchange for a 19.9% interest.",
    ],
)
def test_money_put_in_for_a_stated_stake_is_that_stake(sentence: str, lexicon: Lexicon) -> None:
    ev = run(sentence, lexicon)
    assert has(ev, "stake_acquisition", percent=19.9, amount=45_000_000, currency="USD"), ev
    assert not any(e["type"] == "investment" for e in ev), ev


def test_an_investment_with_no_stake_stays_an_investment(lexicon: Lexicon) -> None:
    ev = run("Tarn Capital will invest US$45m in Ossory Graphite.", lexicon)
    assert has(ev, "investment", amount=45_000_000) and not any(
        e["type"] == "stake_acquisition" for e in ev
    ), ev


def test_a_capacity_in_a_relative_clause_belongs_to_the_facility(lexicon: Lexicon) -> None:
    text = (
        "Orrin Lithium's Kestrel lithium hydroxide refinery, which has a nameplate capacity of "
        "24,000 tonnes per annum, was officially opened by the premier on May 30."
    )
    ev = run(text, lexicon)
    assert has(ev, "facility", capacity=24_000, unit="t/yr", date="2025-05-30"), ev


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("a five year agreement", "P5Y"),
        ("a 5 year supply deal", "P5Y"),
        ("The five year ‘indefinite delivery’ contract", "P5Y"),
        ("for an initial term of five (5) years", "P5Y"),
        ("The initial term of the agreement is three-years from the first delivery", "P3Y"),
        ("production will start in five years", None),
        ("five years ago", None),
    ],
)
def test_a_deal_s_term_in_the_forms_it_is_written(text: str, term: str | None) -> None:
    from derisk.news.events import _term

    assert _term(text) == term
