"""One slug function: accents transliterated, the same id from every importer and script."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from derisk.data.importers import bods
from derisk.model.names import normalise_name, slug
from derisk.news.lexicon import name_key

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mineração", "mineracao"),
        ("Serra Azul Mineração S.A.", "serra-azul-mineracao-s-a"),
        (
            "Companhia Brasileira de Metalurgia e Mineração",
            "companhia-brasileira-de-metalurgia-e-mineracao",
        ),
        ("Société Générale", "societe-generale"),
        ("Eramet Norge AS, Sauda (Sørensen)", "eramet-norge-as-sauda-sorensen"),
        ("Łódź Æther Straße", "lodz-aether-strasse"),
        ("Đồng Nai", "dong-nai"),
        ("  --Compounds and   metals--  ", "compounds-and-metals"),
        ("ＫＯＲＥＡ　ＺＩＮＣ", "korea-zinc"),  # full-width forms fold to ASCII
        ("ﬁne ores", "fine-ores"),  # ligature
        ("Zijin Mining 紫金矿业", "zijin-mining"),
        ("紫金矿业", ""),
        ("", ""),
    ],
)
def test_slug_transliterates(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_slug_is_ascii_id_form_and_idempotent() -> None:
    for name in ("Mineração", "Ätna-Öl & Gas (Ü)", "a__b..c", "X1 y2"):
        s = slug(name)
        assert s == slug(s)
        assert s.isascii() and s == s.lower() and "--" not in s and not s.startswith("-")


def test_fallback_only_when_nothing_is_left() -> None:
    assert slug("紫金矿业", fallback="x") == "x"
    assert slug("Zijin", fallback="x") == "zijin"
    assert bods.slug("紫金矿业") == "x"


def test_accented_and_plain_spellings_give_one_key() -> None:
    assert slug("Mineração Taboca") == slug("Mineracao Taboca")
    assert name_key("Mineração Taboca Ltd") == name_key("mineracao taboca")
    assert normalise_name("Mineração Taboca Ltd.") == normalise_name("Mineracao Taboca")


def test_no_other_slug_function() -> None:
    """Ids are made by :func:`derisk.model.names.slug` only (wrappers may fix a fallback)."""
    own = []
    for path in [*(REPO / "src").rglob("*.py"), *(REPO / "scripts").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == "slug":
                calls = {
                    c.func.id
                    for c in ast.walk(node)
                    if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
                }
                if "make_slug" not in calls and path.name != "names.py":
                    own.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert own == []
