"""HS code → (material, stage) concordance used to read trade data.

The shipped file ``derisk/data/hs_concordance.csv`` is generated from the HS codes in
``derisk/model/materials.yaml`` (:func:`rows_from_catalog`, ``derisk trade concordance --write``)
and may be edited, or replaced with ``--concordance FILE`` / ``$DERISK_HS_CONCORDANCE``.

Columns: ``hs_code`` (2 to 10 digits: a chapter, heading, HS6 subheading or national tariff
line), ``material_id``, ``stage_id``, ``note``. A traded code maps to the entries with the
longest ``hs_code`` that is a prefix of it: ``81129210`` (a Chinese tariff line) matches an
``81129210`` entry if there is one, else ``811292``. One code may map to several materials (HS
``811292`` covers gallium, germanium, indium, niobium and vanadium); such codes are reported as
shared, since their tonnage cannot be split between the materials.
"""

from __future__ import annotations

import csv
import functools
import os
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from derisk.data.csvio import ImportFailed, Problem
from derisk.model.catalog import Catalog, load_catalog

COLUMNS = ("hs_code", "material_id", "stage_id", "note")
ENV = "DERISK_HS_CONCORDANCE"


@dataclass(frozen=True)
class Entry:
    hs_code: str
    material_id: str
    stage_id: str
    note: str = ""


@dataclass(frozen=True)
class Concordance:
    entries: tuple[Entry, ...]
    origin: str

    @functools.cached_property
    def _by_code(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in self.entries:
            pair = (e.material_id, e.stage_id)
            if pair not in out[e.hs_code]:
                out[e.hs_code].append(pair)
        return dict(out)

    @functools.cached_property
    def _lengths(self) -> list[int]:
        return sorted({len(c) for c in self._by_code}, reverse=True)

    def lookup(self, hs_code: str) -> list[tuple[str, str]]:
        """(material, stage) pairs of the longest entry that is a prefix of ``hs_code``.

        >>> c = Concordance((Entry("811292", "gallium", "refining"),
        ...                  Entry("81129210", "gallium", "refining")), "test")
        >>> c.lookup("81129290"), c.lookup("81129210"), c.lookup("2846")
        ([('gallium', 'refining')], [('gallium', 'refining')], [])
        """
        code = hs_code.strip()
        if not code.isdigit():
            return []
        for n in self._lengths:
            if n <= len(code) and code[:n] in self._by_code:
                return list(self._by_code[code[:n]])
        return []

    def codes(self, material: str, stage: str) -> list[str]:
        """Entry codes that map to a material stage."""
        return sorted(
            {e.hs_code for e in self.entries if (e.material_id, e.stage_id) == (material, stage)}
        )

    def all_codes(self) -> list[str]:
        return sorted(self._by_code)

    def shared(self, hs_code: str) -> list[str]:
        """Materials that share a code (empty when the code maps to one material)."""
        mats = sorted({m for m, _ in self.lookup(hs_code)})
        return mats if len(mats) > 1 else []

    def stages_with_codes(self, material: str) -> list[str]:
        return sorted({e.stage_id for e in self.entries if e.material_id == material})


def rows_from_catalog(catalog: Catalog | None = None) -> list[Entry]:
    """One entry per HS code of every stage in the catalogue (the shipped file's content)."""
    cat = catalog or load_catalog()
    out = []
    for m in cat.materials:
        for s in m.stages:
            for code in s.hs:
                out.append(Entry(code, m.id, s.id, f"{m.name}: {s.name}"))
    return out


def write_concordance(path: Path, entries: list[Entry]) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for e in entries:
            w.writerow([e.hs_code, e.material_id, e.stage_id, e.note])
    return len(entries)


def shipped_path() -> Path:
    return Path(str(resources.files("derisk.data").joinpath("hs_concordance.csv")))


def read_concordance(path: Path, catalog: Catalog | None = None) -> Concordance:
    """Read and validate a concordance file; :class:`ImportFailed` names file, row and field."""
    cat = catalog or load_catalog()
    problems: list[Problem] = []
    entries: list[Entry] = []
    name = str(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ImportFailed([Problem(name, 0, "-", f"cannot read file: {exc.strerror}")]) from None
    with fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS[:3] if c not in header]
        if missing:
            raise ImportFailed([Problem(name, 1, ", ".join(missing), "missing column(s)")])
        for lineno, rec in enumerate(reader, start=2):
            code = (rec.get("hs_code") or "").strip()
            mat = (rec.get("material_id") or "").strip()
            stage = (rec.get("stage_id") or "").strip()
            if not (code.isdigit() and 2 <= len(code) <= 10):
                problems.append(Problem(name, lineno, "hs_code", f"{code!r} is not 2-10 digits"))
                continue
            try:
                cat.material(mat).stage(stage)
            except KeyError as exc:
                field = "material_id" if "material" in str(exc.args[0])[:20] else "stage_id"
                problems.append(Problem(name, lineno, field, str(exc.args[0])))
                continue
            entries.append(Entry(code, mat, stage, (rec.get("note") or "").strip()))
    if problems:
        raise ImportFailed(problems)
    return Concordance(tuple(entries), name)


def load_concordance(path: Path | str | None = None) -> Concordance:
    """The given file, else ``$DERISK_HS_CONCORDANCE``, else the shipped concordance."""
    chosen = path or os.environ.get(ENV)
    if chosen:
        return read_concordance(Path(chosen))
    return _shipped()


@functools.cache
def _shipped() -> Concordance:
    return read_concordance(shipped_path())
