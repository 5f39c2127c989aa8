"""One reading of printed USGS cells, used by the bundling script and the importer alike."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from types import ModuleType

import pytest

from derisk.data.importers.usgs_mcs import parse_value
from derisk.data.usgs_cells import INCLUDED_IN_WORLD, SMALL, parse_cell
from tests.conftest import REPO

CASES = [
    ("1,270", "reported", Decimal(1270), None),
    ("1270.5", "reported", Decimal("1270.5"), None),
    ("40,000e", "estimated", Decimal(40000), None),
    (">2,000,000", "reported", Decimal(2000000), ">"),
    ("<1", "reported", Decimal(1), "<"),
    ("\u2014", "zero", Decimal(0), None),
    ("\u2013", "zero", Decimal(0), None),
    ("--", "zero", Decimal(0), None),
    ("W", "withheld", None, None),
    ("NA", "not-available", None, None),
    ("", "not-available", None, None),
    ("( )", "not-available", None, None),
    ("Small", "not-available", None, None),
    ("E", "net-exporter", None, None),
]


@pytest.mark.parametrize(("printed", "status", "number", "bound"), CASES)
def test_every_mark_is_read_one_way(
    printed: str, status: str, number: Decimal | None, bound: str | None
) -> None:
    cell = parse_cell(printed)
    assert (cell.status, cell.number, cell.bound) == (status, number, bound)
    assert parse_value(printed) == cell  # the importer reads it the same way


def test_notes_say_what_the_mark_means() -> None:
    assert parse_cell("( )").note == INCLUDED_IN_WORLD
    assert parse_cell("Small").note == SMALL
    assert parse_cell("W").note is None


@pytest.mark.parametrize("bad", ["12,34", "1.2.3", "about 5", "x", "W*", "1,000ee"])
def test_anything_else_is_an_error_naming_the_text(bad: str) -> None:
    with pytest.raises(ValueError, match=repr(bad).replace("*", r"\*").replace(".", r"\.")):
        parse_cell(bad)


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_bundled_script", REPO / "scripts" / "build_bundled.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_the_bundling_script_uses_the_same_reading() -> None:
    build = _build_script()
    for printed, status, number, bound in CASES:
        if status == "net-exporter":
            with pytest.raises(ValueError):
                build.parse_usgs(printed, estimated=False)
            continue
        p = build.parse_usgs(printed, estimated=False)
        assert (p.status, p.quantity) == (status, number), printed
        assert (p.note == "lower bound") == (bound == ">"), printed
    assert build.parse_usgs("5", estimated=True).status == "estimated"
