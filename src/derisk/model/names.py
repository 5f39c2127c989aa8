"""Names and ids: matching keys for names, slugs for ids.

Defined once here so that every importer, script and service derives the same key from the same
name (accents transliterated, not dropped: "Mineração" and "Mineracao" give one key).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LEGAL_SUFFIXES", "normalise_name", "slug"]

LEGAL_SUFFIXES = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|sa|ag|gmbh|bv|nv|"
    r"spa|pty|pte|group|holding|holdings|the)\b"
)


def normalise_name(name: str) -> str:
    """A name for matching: no accents, case, punctuation, parentheses or legal forms.

    >>> normalise_name("Contemporary Amperex Technology Co., Ltd. (CATL)")
    'contemporary amperex technology'
    >>> normalise_name("Zijin Mining Group Co., Ltd.")
    'zijin mining'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = LEGAL_SUFFIXES.sub(" ", text)
    return " ".join(text.split())


#: Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
        "ß": "ss",
    }
)


def slug(text: str, *, fallback: str = "") -> str:
    """The id form of a name: lowercase ASCII letters and digits joined by single hyphens.

    Accents are transliterated (Unicode NFKD, then the combining marks dropped), so
    "Mineração" gives ``mineracao``, never ``minera-o``; letters without a decomposition
    (ø, æ, ł, ß…) get their usual Latin spelling. Anything else (punctuation, spaces, other
    scripts) separates words. ``fallback`` is returned when nothing is left.

    >>> slug("Serra Azul Mineração S.A."), slug("Sørensen & Søn"), slug("compounds and metals")
    ('serra-azul-mineracao-s-a', 'sorensen-son', 'compounds-and-metals')
    >>> slug("中国"), slug("中国", fallback="x")
    ('', 'x')
    """
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    ascii_ = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-") or fallback
