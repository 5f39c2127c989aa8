"""Sentences and datelines of article text (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from derisk.news.dates import find_dates

ABBREVIATIONS = frozenset(
    [
        "co",
        "corp",
        "inc",
        "ltd",
        "mr",
        "ms",
        "mrs",
        "dr",
        "st",
        "jr",
        "sr",
        "no",
        "nos",
        "vs",
        "approx",
        "est",
        "dept",
        "gov",
        "sen",
        "rep",
        "gen",
        "pty",
        "bhd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mont",
        "calif",
        "ariz",
        "nev",
        "colo",
        "wash",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "s.a",
        "n.v",
        "b.v",
        "a.g",
        "p.m",
        "a.m",
    ]
)

_GLUED = re.compile(
    r"(?<=[a-z]{3})\.(?=(?:It|In|The|This|That|These|Those|He|She|They|We|A|An|But|And|As|On|At|For|Its|Their|His|Her)\b)"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9$])")

_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}(?:,\s*[A-Z][A-Za-z.]*\.?){0,2}),\s*"
    r"(?P<date>[A-Z][a-z]{2,9}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,9}\s+\d{4})\s*"
    r"(?:\((?P<agency>[^)]{2,60})\)|/(?P<agency2>[^/]{2,60})/)?\s*[-–—]{1,2}\s+"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the main text: ``paragraph`` and ``index`` count from 0 in the article."""

    text: str
    paragraph: int
    index: int
    dateline: dt.date | None = None


_LEGAL_FORMS = frozenset(["co", "corp", "inc", "ltd", "pty", "bhd", "s.a", "n.v", "b.v", "a.g"])
_OPENER = re.compile(
    r"(?:The|They|It|Its|Their|He|She|His|Her|We|This|That|These|Those|In|On|At|Under|"
    r"Shares|Earlier|Last|Meanwhile|However)\s"
)
"""Words that open a sentence and start no name: after a legal form ("Inc.") they begin the
next sentence."""


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph; abbreviations (``Corp.``, ``U.S.``, ``Oct.``) do not end one.

    >>> split_sentences("Cascade Antimony Corp. (TSXV: CAC) opened. Prices rose in the U.S. too.")
    ['Cascade Antimony Corp. (TSXV: CAC) opened.', 'Prices rose in the U.S. too.']
    >>> split_sentences("Output fell in March.It also rose at first.")
    ['Output fell in March.', 'It also rose at first.']
    >>> split_sentences("X lent $5m to Boreal Inc. The loan runs to 2030.")
    ['X lent $5m to Boreal Inc.', 'The loan runs to 2030.']
    """
    out: list[str] = []
    start = 0
    # scraped text glues sentences together ("… on China.It also …"): a full stop after a
    # lower-case word and before a capitalised word ends a sentence even without a space
    paragraph = _GLUED.sub(". ", paragraph)
    for m in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : m.start()].rstrip('"”’)')
        word = re.search(r"([\w.]+)\.$", before)
        if word:
            w = word.group(1).lower()
            if w in _LEGAL_FORMS and _OPENER.match(paragraph, m.end()):
                pass  # "… Boreal Graphite Inc. They also signed …": the name ends a sentence
            elif (
                w in ABBREVIATIONS
                or re.fullmatch(r"[a-z]", w)
                or re.fullmatch(r"(?:[a-z]\.)+[a-z]", w)
            ):
                continue
        out.append(paragraph[start : m.end()].strip())
        start = m.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


_STAMP = re.compile(r"^date\s+(?P<date>(?:19|20)\d\d-\d\d-\d\d)\s+")
"""A page's date stamp ahead of its text ("date 2025-09-22 The Democratic …"), kept by some
scrapers: the day the page is dated, not the day of what it tells."""

_HARD_WRAP = re.compile(r"(?<=[^\s.!?:;\"”’)])[ \t]*\n(?:[ \t]*\n)?(?=[ \t]*[a-z0-9(“\"$€£])")
"""A line break inside a sentence (wire copy wrapped at a fixed width, sometimes with a blank
line between the pieces): the line goes on with a lower-case word or a number."""


def unwrap(text: str) -> str:
    r"""``text`` with lines wrapped inside a sentence joined again.

    >>> unwrap("Indonesia said on Monday it will\nstop nickel ore exports.\nPrices rose.")
    'Indonesia said on Monday it will stop nickel ore exports.\nPrices rose.'
    """
    return _HARD_WRAP.sub(" ", text)


def strip_dateline(text: str, published: dt.date | None) -> tuple[str, dt.date | None]:
    """Remove a wire or press-release dateline; return the rest and the dateline's date.

    >>> strip_dateline("SEOUL, Sept 26 (Meridian Wire) - Korea Zinc said.", dt.date(2025, 9, 26))
    ('Korea Zinc said.', datetime.date(2025, 9, 26))
    >>> strip_dateline("PERTH, Australia, 2 April 2025 -- IGO said.", None)[0]
    'IGO said.'
    """
    stamp = _STAMP.match(text)
    if stamp:
        rest, dl = strip_dateline(text[stamp.end() :], published)
        try:
            return rest, dl or dt.date.fromisoformat(stamp.group("date"))
        except ValueError:
            return rest, dl
    m = _DATELINE.match(text)
    if not m:
        return text, None
    found = find_dates(m.group("date"), published)
    if not found:
        return text, None
    return text[m.end() :], found[0].date


def sentences(text: str, published: dt.date | None) -> list[Sentence]:
    """Sentences of an article's main text (paragraphs are lines), datelines removed."""
    out: list[Sentence] = []
    for p, para in enumerate(line for line in unwrap(text).splitlines() if line.strip()):
        for i, s in enumerate(split_sentences(para.strip())):
            dl = None
            if i == 0:
                s, dl = strip_dateline(s, published)
            out.append(Sentence(s, p, len(out), dl))
    return out
