"""docs/formats.md: the generated tables match the schema and every example parses."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from derisk.data.csvio import FILE_KINDS

ROOT = Path(__file__).resolve().parents[1]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_format_docs", ROOT / "scripts" / "gen_format_docs.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


GEN = load_generator()


def test_formats_doc_is_up_to_date() -> None:
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert GEN.render(text) == text, "run: python scripts/gen_format_docs.py"


def test_every_kind_and_column_is_documented() -> None:
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    for kind, row_type in FILE_KINDS.items():
        assert f"### `{kind}` (table `{row_type.Meta.table}`)" in text
        for name in (f.name for f in dataclasses.fields(row_type)):
            assert f"| `{name}` |" in text, (kind, name)


@pytest.mark.parametrize("kind", sorted(GEN.EXAMPLES))
def test_hand_written_examples_parse(kind: str) -> None:
    text, hand = GEN.example(kind)  # raises if the example does not parse
    assert hand and text == GEN.EXAMPLES[kind]
    assert kind in FILE_KINDS


def test_a_broken_example_is_caught() -> None:
    assert not GEN._valid("production", GEN.EXAMPLES["production"].replace("CHN", "XXX"))


def test_check_mode_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "formats.md"
    current = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    stale.write_text(current.replace("| `fact_id` |", "| `fact_ident` |", 1), encoding="utf-8")
    monkeypatch.setattr(GEN, "DOC", stale)
    assert GEN.main(["--check"]) == 1
    assert GEN.main([]) == 0
    assert stale.read_text(encoding="utf-8") == current
