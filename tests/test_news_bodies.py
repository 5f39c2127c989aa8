"""A national body named in full acts for its country: "the Chinese Ministry of Commerce",
"the Ministry of Mines of the Democratic Republic of Congo". The name finder reads such a
body as an organisation (so a lender like "the U.S. Department of Energy" stays a party of
its own), and before this change the country inside it was lost: a restriction announced by
"the Chinese Ministry of Commerce" had no issuer and was dropped. Sentences of our own."""

from __future__ import annotations

from typing import Any

import pytest

from derisk.news.lexicon import Lexicon
from tests.news_helpers import events_of, has

PUBLISHED = "2025-03-14"
R = "export_restriction"

POSITIVES: list[tuple[str, dict[str, Any]]] = [
    (
        "The Chinese Ministry of Commerce placed a ban on shipments of gallium and germanium "
        "to American buyers on Monday.",
        {"issuer": "CHN", "action": "imposed", "material": "germanium"},
    ),
    (
        "Late on Friday the Indonesian Ministry of Energy and Mineral Resources prohibited "
        "exports of bauxite, citing the need for domestic refining.",
        {"issuer": "IDN", "action": "imposed"},
    ),
    (
        "The Zimbabwean Ministry of Mines and Mining Development banned exports of raw "
        "lithium ore from next month.",
        {"issuer": "ZWE", "action": "imposed", "material": "lithium"},
    ),
    (
        "The Ministry of Mines of the Democratic Republic of Congo halted cobalt exports for "
        "four months.",
        {"issuer": "COD", "action": "imposed", "material": "cobalt"},
    ),
    (
        "The Ministry of Commerce of China restricted exports of antimony to the United "
        "States this week.",
        {"issuer": "CHN", "action": "imposed", "material": "antimony", "target": "USA"},
    ),
]

NEGATIVES: list[str] = [
    # the body speaks of a measure it only weighs
    "The Chinese Ministry of Commerce said it would study curbs on exports of gallium.",
    # the body declines to comment: no act
    "A spokesman for the Chinese Ministry of Commerce declined to comment on germanium exports.",
    # a body as the buyer's side of a trade, not a government restricting it
    "Exports of tungsten to the Ministry of Defence of Japan rose by a fifth last year.",
]


@pytest.mark.parametrize(("text", "fields"), POSITIVES)
def test_a_national_body_issues_for_its_country(
    text: str, fields: dict[str, Any], lexicon: Lexicon
) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert has(ev, R, **fields), ev


@pytest.mark.parametrize("text", NEGATIVES)
def test_a_body_that_does_not_act_gives_no_restriction(text: str, lexicon: Lexicon) -> None:
    ev = events_of(text, lexicon, PUBLISHED)
    assert not [e for e in ev if e["type"] == R], ev


def test_the_body_keeps_its_country_and_stays_a_party(lexicon: Lexicon) -> None:
    meti_text = "Officials of the Japanese Ministry of Economy, Trade and Industry met on Monday."
    found = {m.text: m for m in lexicon.mentions(meti_text)}
    meti = found["Japanese Ministry of Economy, Trade and Industry"]
    assert (meti.kind, meti.id, meti.country) == ("company", None, "JPN")
    text = "A grant from the Australian Department of Industry was announced."
    found = {m.text: m for m in lexicon.mentions(text)}
    assert found["Australian Department of Industry"].country == "AUS"
    # no country mention is left overlapping either body
    assert not [m for m in found.values() if m.kind == "country"]


def test_a_company_keeps_no_country(lexicon: Lexicon) -> None:
    text = "Chinese miner Acme Resources shipped ore."
    (firm,) = [m for m in lexicon.mentions(text) if m.kind == "company"]
    assert firm.country is None
