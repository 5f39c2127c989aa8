"""One reading of a printed USGS table cell, shared by the bundling script and the importer.

USGS tables print more than numbers. Every mark is read one way, wherever it is met:

==========================  ==================  ===========================================
printed                     status              number / note
==========================  ==================  ===========================================
``1,270`` / ``1270.5``      ``reported``        the number
``1,270e`` (trailing e)     ``estimated``       the number
``>75`` / ``<1``            as the number       the number, ``bound`` ``>`` or ``<``
``—`` ``–`` ``-`` ``--``    ``zero``            0
``W``                       ``withheld``        none (withheld to avoid disclosing company data)
``NA`` or empty             ``not-available``   none
``( )``                     ``not-available``   none; "included in the world total"
``Small``                   ``not-available``   none; "a small amount, not zero"
``E``                       ``net-exporter``    none (import reliance only)
==========================  ==================  ===========================================

Anything else is an error naming the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from derisk.model import Status

ZERO_MARKS = frozenset({"\u2014", "\u2013", "-", "--"})
NET_EXPORTER = "net-exporter"
INCLUDED_IN_WORLD = "printed '( )': included in the world total, not stated separately"
SMALL = "printed 'Small': a small amount, not zero"

_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


@dataclass(frozen=True)
class Cell:
    """A parsed USGS value: a status and, when known, a number (possibly a bound)."""

    status: str
    number: Decimal | None = None
    bound: str | None = None  # ">" (at least) or "<" (at most)
    note: str | None = None


def parse_cell(raw: str) -> Cell:
    """Read one printed USGS cell (see the module docstring for every mark).

    >>> parse_cell("1,270").number, parse_cell("W").status, parse_cell("\u2014").status
    (Decimal('1270'), 'withheld', 'zero')
    >>> c = parse_cell(">85,000,000"); (c.bound, c.number, c.status)
    ('>', Decimal('85000000'), 'reported')
    >>> parse_cell("40,000e").status, parse_cell("( )").status, parse_cell("Small").note
    ('estimated', 'not-available', "printed 'Small': a small amount, not zero")
    """
    text = raw.strip()
    up = text.upper()
    if up == "W":
        return Cell(Status.WITHHELD.value)
    if up in ("NA", ""):
        return Cell(Status.NOT_AVAILABLE.value)
    if text in ZERO_MARKS:
        return Cell(Status.ZERO.value, Decimal(0))
    if up == "E":
        return Cell(NET_EXPORTER)
    if text.replace(" ", "") == "()":
        return Cell(Status.NOT_AVAILABLE.value, note=INCLUDED_IN_WORLD)
    if up == "SMALL":
        return Cell(Status.NOT_AVAILABLE.value, note=SMALL)
    bound = None
    if text[:1] in "<>":
        bound, text = text[0], text[1:].strip()
    status = Status.REPORTED.value
    if text.endswith("e"):
        status, text = Status.ESTIMATED.value, text[:-1].strip()
    if not _NUMBER.match(text):
        raise ValueError(f"{raw!r} is not a number, W, NA, Small, ( ) or an em dash")
    return Cell(status, Decimal(text.replace(",", "")), bound)
