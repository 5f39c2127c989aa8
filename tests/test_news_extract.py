"""News extraction: dates, sentences, linking, events and main text (no store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derisk.data.csvio import ImportFailed
from derisk.data.loader import bundled_dir
from derisk.news import EVENT_TYPES, RawDoc, analyze, extract, read_paths
from derisk.news.articles import article_id
from derisk.news.dates import add_period, find_dates, parse_duration, weekday_before
from derisk.news.evaluation import lexicon_from_csv
from derisk.news.events import find_money, find_quantities
from derisk.news.lexicon import Lexicon
from derisk.news.text import split_sentences, strip_dateline

DATA = Path(__file__).parent / "data" / "news"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return lexicon_from_csv(bundled_dir() / "entities.csv")


def events_of(text: str, lexicon: Lexicon, published: str = "2025-11-10") -> list[dict[str, Any]]:
    art = extract(RawDoc("t.txt", "text", text, published=dt.date.fromisoformat(published)))
    return [{"type": e.type, **e.fields} for e in analyze(art, lexicon).events]


# ---------------------------------------------------------------- dates
@given(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), st.integers(0, 6))
def test_weekday_before_is_latest_such_day(published: dt.date, weekday: int) -> None:
    d = weekday_before(published, weekday)
    assert d.weekday() == weekday
    assert 0 <= (published - d).days <= 6


@given(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), st.integers(1, 36))
def test_add_months_lands_in_the_right_month(start: dt.date, n: int) -> None:
    end = add_period(start, f"P{n}M")
    assert (end.year - start.year) * 12 + end.month - start.month == n
    assert end.day <= start.day


def test_relative_dates_resolve_against_publication() -> None:
    pub = dt.date(2025, 6, 12)  # a Thursday
    got = {
        m.text.lower(): m.date
        for m in find_dates(
            "earlier in the week; the previous day; on Thursday; late on Monday; Oct. 16; "
            "from January 2027; until the end of 2026",
            pub,
        )
    }
    assert got["earlier in the week"] == dt.date(2025, 6, 9)
    assert got["the previous day"] == dt.date(2025, 6, 11)
    assert got["on thursday"] == pub
    assert got["late on monday"] == dt.date(2025, 6, 9)
    assert got["oct. 16"] == dt.date(2025, 10, 16)
    assert got["january 2027"] == dt.date(2027, 1, 1)
    assert got["the end of 2026"] == dt.date(2026, 12, 31)


def test_durations() -> None:
    assert parse_duration("for six months") == "P6M"
    assert parse_duration("over an initial term of five years") == "P5Y"
    assert parse_duration("a 90-day pause") == "P90D"
    assert parse_duration("no period here") is None


# ---------------------------------------------------------------- text and numbers
def test_sentences_keep_abbreviations_and_drop_datelines() -> None:
    para = "Korea Zinc Co. will buy 5% of TMC. The U.S. Department of Defense agreed. It rose."
    assert split_sentences(para) == [
        "Korea Zinc Co. will buy 5% of TMC.",
        "The U.S. Department of Defense agreed.",
        "It rose.",
    ]
    text, day = strip_dateline(
        "BUTTE, Mont., Oct. 16, 2025 /Resource Wire/ -- Cascade opened.", None
    )
    assert (text, day) == ("Cascade opened.", dt.date(2025, 10, 16))


def test_money_percent_quantity() -> None:
    money = find_money("for about $85 million, A$200m and 2.4 billion yuan; shares at $5.80 apiece")
    assert [(m.amount, m.currency) for m in money] == [
        (85e6, "USD"),
        (200e6, "AUD"),
        (2.4e9, "CNY"),
    ]
    qty = find_quantities("up to 150,000 dry metric tonnes per annum and a 40 tonne cargo")
    assert [(q.value, q.unit) for q in qty] == [(150000.0, "t/yr"), (40.0, "t")]


# ---------------------------------------------------------------- linking
def test_linking_companies_countries_materials(lexicon: Lexicon) -> None:
    s = (
        "Seoul said Korea Zinc and China Molybdenum would sell rare earth metals, antimony "
        "trioxide and spodumene to Washington and Beijing, and Chinese buyers."
    )
    got = {(m.text, m.id, m.kind) for m in lexicon.mentions(s)}
    assert ("Seoul", "KOR", "country") in got
    assert ("Korea Zinc", "korea-zinc", "company") in got
    assert ("China Molybdenum", "cmoc-group", "company") in got  # former name
    assert ("rare earth metals", "rare-earths", "material") in got
    assert ("antimony trioxide", "antimony", "material") in got
    assert ("spodumene", "lithium", "material") in got
    assert ("Washington", "USA", "country") in got
    assert ("Beijing", "CHN", "country") in got
    assert ("Chinese", "CHN", "country") in got


def test_new_organisations_are_found_with_id_none(lexicon: Lexicon) -> None:
    s = "Australia's Iluka Resources, Korea Zinc and Hanul Chemical met Voltera Cells GmbH."
    new = {m.text for m in lexicon.mentions(s) if m.id is None}
    assert new == {"Iluka Resources", "Hanul Chemical", "Voltera Cells GmbH"}


def test_short_name_after_full_name(lexicon: Lexicon) -> None:
    """ "MP" stands for MP Materials only once the article has named it in full."""
    assert [m.id for m in lexicon.mentions("MP shares rose.") if m.kind == "company"] == []
    ev = events_of(
        "MP Materials said on Thursday it would sell preferred stock. The Pentagon will buy a "
        "15% stake in MP for $400 million.",
        lexicon,
        "2025-07-11",
    )
    assert (ev[0]["acquirer"], ev[0]["target"], ev[0]["percent"]) == ("us-dod", "mp-materials", 15)


# ---------------------------------------------------------------- events
def test_product_brief_example(lexicon: Lexicon) -> None:
    ev = events_of("Korea Zinc buys 5% of TMC for $85M.", lexicon)
    assert ev == [
        {
            "type": "stake_acquisition",
            "acquirer": "korea-zinc",
            "target": "tmc-the-metals-company",
            "percent": 5.0,
            "amount": 85e6,
            "currency": "USD",
        }
    ]


def test_negation_and_speculation_yield_nothing(lexicon: Lexicon) -> None:
    for text in (
        "Korea Zinc denied plans to buy a 30% stake in Lynas for $200 million.",
        "Korea Zinc may consider buying a 30% stake in Lynas.",
        "Beijing did not lift its ban on exports of gallium to the United States.",
        "Indonesia could impose a ban on exports of nickel matte.",
        "Shenghe Resources is considering a 20% stake in Lynas, people familiar said.",
    ):
        assert events_of(text, lexicon) == [], text


def test_one_restriction_event_per_material(lexicon: Lexicon) -> None:
    ev = events_of(
        "China on Tuesday banned exports of gallium, germanium and antimony to the United States.",
        lexicon,
        "2024-12-03",
    )
    assert [(e["material"], e["target"], e["action"], e["date"]) for e in ev] == [
        (m, "USA", "imposed", dt.date(2024, 12, 3)) for m in ("gallium", "germanium", "antimony")
    ]


def test_suspended_exports_is_a_restriction_imposed(lexicon: Lexicon) -> None:
    """ "suspended cobalt exports for four months" imposes; "suspend a ban" suspends one."""
    ev = events_of(
        "The Democratic Republic of Congo has suspended cobalt exports for four "
        "months. The suspension took effect on Saturday.",
        lexicon,
        "2025-02-24",
    )
    assert ev == [
        {
            "type": "export_restriction",
            "issuer": "COD",
            "action": "imposed",
            "material": "cobalt",
            "duration": "P4M",
            "start": dt.date(2025, 2, 22),
            "expiry": dt.date(2025, 6, 22),
        }
    ]
    ev = events_of(
        "China said on Sunday it would suspend a ban on exports of gallium to the "
        "U.S. until Nov. 27, 2026.",
        lexicon,
    )
    assert ev[0]["action"] == "suspended" and ev[0]["expiry"] == dt.date(2026, 11, 27)
    assert ev[0]["date"] == dt.date(2025, 11, 9)


def test_several_companies_in_one_sentence(lexicon: Lexicon) -> None:
    ev = events_of(
        "Korea Zinc and Hanul Chemical signed separate agreements on Wednesday to "
        "supply nickel sulphate to U.S. battery maker Kestrel Battery Systems for "
        "five years.",
        lexicon,
        "2025-03-12",
    )
    assert sorted((e["supplier"], e["buyer"], e["term"]) for e in ev) == [
        ("Hanul Chemical", "Kestrel Battery Systems", "P5Y"),
        ("korea-zinc", "Kestrel Battery Systems", "P5Y"),
    ]
    ev = events_of(
        "China Molybdenum said on Monday it had agreed to sell a 25% stake in KFM "
        "Holding to battery maker CATL for $137.5 million.",
        lexicon,
        "2021-04-19",
    )
    assert (ev[0]["acquirer"], ev[0]["target"], ev[0]["amount"]) == ("catl", "kfm-holding", 137.5e6)


def test_facility_with_capacity_in_next_sentence(lexicon: Lexicon) -> None:
    ev = events_of(
        "Lynas Rare Earths opened its rare earths processing facility in Kalgoorlie, "
        "Western Australia, on Monday. The plant has capacity to process 12,000 "
        "tonnes of rare earth oxide a year.",
        lexicon,
        "2024-11-04",
    )
    assert ev == [
        {
            "type": "facility",
            "company": "lynas-rare-earths",
            "action": "opening",
            "material": "rare-earths",
            "location": "AUS",
            "capacity": 12000.0,
            "unit": "t/yr",
            "date": dt.date(2024, 11, 4),
        }
    ]


# ---------------------------------------------------------------- main text and inputs
def test_main_text_drops_teasers_comments_promos() -> None:
    art = extract(next(read_paths([DATA / "pages" / "kz-antimony-us.html"])))
    assert art.title == "Korea Zinc sends first antimony cargo to US buyers"
    assert art.published == dt.date(2025, 6, 12)
    assert "shipped its first cargo of antimony" in art.text
    for junk in (
        "Zimbabwe will ban",
        "bought 10% of Lynas",
        "Download the free app",
        "cookies",
        "Trending now",
        "mark my words",
    ):
        assert junk not in art.text, junk


def test_in_body_read_more_teaser_is_dropped() -> None:
    art = extract(next(read_paths([DATA / "pages" / "rare-earth-six-month-licences.html"])))
    assert "Lynas opens heavy rare earths" not in art.text
    assert "valid for six months" in art.text


def test_feed_and_directory_inputs(tmp_path: Path) -> None:
    docs = list(read_paths([DATA / "feed.jsonl"]))
    assert all(d.published is not None and d.url for d in docs)
    assert {d.kind for d in docs} == {"html", "text"}
    n = len(list(read_paths([DATA / "pages"])))
    assert n == len(list((DATA / "pages").iterdir()))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "u", "html": "<p>x</p>"}\n{"url": "v", "published": "soon"}\n')
    with pytest.raises(ImportFailed) as err:
        list(read_paths([bad]))
    assert (err.value.problems[0].row, err.value.problems[0].field) == (2, "html")


def test_text_header_and_stable_ids() -> None:
    doc = RawDoc(
        "x.txt",
        "text",
        "Title: T\nURL: https://a.example/x/?utm_source=y\n"
        "Published: 2025-01-02\n\nBody sentence that is long enough to keep here.",
    )
    art = extract(doc)
    assert (art.title, art.published) == ("T", dt.date(2025, 1, 2))
    assert art.article_id == article_id("https://a.example/x", "other text")


def test_labels_file_is_consistent() -> None:
    doc = json.loads((DATA / "labels.json").read_text())
    assert len(doc["articles"]) >= 40
    types = {e["type"] for a in doc["articles"] for e in a["events"]}
    assert types == set(EVENT_TYPES)


@pytest.mark.parametrize(
    "module",
    ["articles", "dates", "deals", "events", "evaluation", "lexicon", "pipeline", "text"],
)
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(f"derisk.news.{module}")
    result = doctest.testmod(mod)
    assert result.failed == 0
