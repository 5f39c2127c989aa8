"""Export restrictions and the dates of events (round 6): mechanisms found on development
articles and in the failure classes of unseen text, each tested on sentences we wrote,
several phrasings per rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from derisk.data.loader import bundled_dir
from derisk.news import RawDoc, analyze, extract
from derisk.news.evaluation import lexicon_from_csv, values_equal
from derisk.news.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return lexicon_from_csv(bundled_dir() / "entities.csv")


def run(text: str, lexicon: Lexicon, published: str = "2025-06-11") -> list[dict[str, Any]]:
    """Events of ``text`` published on ``published`` (2025-06-11 is a Wednesday)."""
    art = extract(RawDoc("t.txt", "text", text, published=dt.date.fromisoformat(published)))
    return [{"type": e.type, **e.fields} for e in analyze(art, lexicon).events]


def plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


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
