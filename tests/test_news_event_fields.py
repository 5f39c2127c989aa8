"""An extracted event's fields are typed where they leave :mod:`derisk.news`.

:class:`derisk.model.event_fields.ExtractedFields` names every field docs/news.md lists under
"Events"; :func:`~derisk.model.event_fields.extracted_fields`, through which every
:class:`derisk.news.events.Event` gets its fields, refuses a name or a value type it does not
have (an extractor bug, raised where it happens rather than printed as JSON).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import get_type_hints

import pytest

from derisk.model.event_fields import (
    ExtractedFields,
    FieldError,
    ProposalFields,
    extracted_fields,
    extracted_items,
)
from derisk.news import RawDoc, analyze, extract
from derisk.news.events import Event
from derisk.news.lexicon import Lexicon
from derisk.news.pipeline import event_json

DOC = Path(__file__).resolve().parents[1] / "docs" / "news.md"


def _documented_fields() -> set[str]:
    """The field names of docs/news.md's "## Events" table (second column, bold or not)."""
    section = DOC.read_text(encoding="utf-8").split("## Events", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and cells[1].strip().startswith("`"):
            names |= set(re.findall(r"[a-z_]+", cells[2]))
    return names


def test_the_typed_fields_are_the_documented_fields() -> None:
    documented = _documented_fields()
    assert "program" in documented and "acquirer" in documented  # the table was read
    assert set(get_type_hints(ExtractedFields)) == documented


def test_a_stored_proposal_has_the_same_field_names() -> None:
    # news_proposal.fields is event_json's "fields": the same names, dates as ISO text
    assert set(get_type_hints(ProposalFields)) == set(get_type_hints(ExtractedFields))


def test_an_unknown_field_name_is_refused() -> None:
    with pytest.raises(FieldError, match="unknown event field 'precent'"):
        extracted_fields({"acquirer": "korea-zinc", "precent": 40.0})


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("date", "2026-03-02", "str"),  # dates are dates until printed
        ("percent", "40", "str"),
        ("percent", True, "bool"),  # a bool is an int to isinstance, not a number here
        ("acquirer", 7, "int"),
        ("start", 20260302, "int"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(name: str, value: object, kind: str) -> None:
    with pytest.raises(FieldError, match=f"event field '{name}' is {kind}, not"):
        extracted_fields({name: value})


def test_numbers_dates_text_and_withheld_values_are_accepted() -> None:
    values: dict[str, object] = {
        "investor": "Orion Resource Partners",
        "percent": 40,  # an int is a number
        "amount": 85e6,
        "currency": None,  # named but withheld
        "date": dt.date(2026, 3, 2),
        "duration": "P6M",
    }
    fields = extracted_fields(values)
    assert extracted_items(fields) == list(values.items())
    assert fields is not values  # a copy: the builder's working dict stays its own


def _event() -> Event:
    return Event("investment", extracted_fields({"investor": "a", "target": "b"}), "s", 0, 0.5, ())


def test_an_event_changed_by_a_later_sentence_is_checked_too() -> None:
    e = _event()
    assert e.with_fields({**e.fields, "amount": 5.0}).fields == {
        "investor": "a",
        "target": "b",
        "amount": 5.0,
    }
    with pytest.raises(FieldError, match="unknown event field 'ammount'"):
        e.with_fields({**e.fields, "ammount": 5.0})


def test_every_event_of_an_article_has_typed_fields_and_prints_dates_as_iso(
    lexicon: Lexicon,
) -> None:
    text = (
        "Korea Zinc said on Monday it had acquired a 40% stake in Umicore for $85 million. "
        "China banned exports of gallium to the United States from December 3, 2025."
    )
    art = extract(RawDoc("t.txt", "text", text, published=dt.date(2025, 11, 10)))
    events = analyze(art, lexicon).events
    assert {e.type for e in events} >= {"stake_acquisition", "export_restriction"}
    hints = get_type_hints(ExtractedFields)
    for e in events:
        assert set(e.fields) <= set(hints)
        j = event_json(e)
        for k, v in extracted_items(e.fields):
            assert j["fields"][k] == (v.isoformat() if isinstance(v, dt.date) else v)
    ban = next(e for e in events if e.type == "export_restriction")
    assert ban.fields.get("start") == dt.date(2025, 12, 3)
