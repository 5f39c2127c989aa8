"""Building the database from the bundled dataset, and importing user CSV files."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from derisk.data.csvio import FILE_KINDS, ImportFailed, Problem, read_rows
from derisk.model import countries
from derisk.model.catalog import load_catalog
from derisk.model.facilities import Facility, derived_rows, parse_owners
from derisk.model.schema import Country, Entity, Material, Source, Stage
from derisk.progress import Progress
from derisk.store.base import Store, id_conflict_message

BUNDLED_DATASET = "bundled"

# (file name, kind) in load order: sources first so that facts can name them.
BUNDLED_FILES: tuple[tuple[str, str], ...] = (
    ("sources_static.csv", "sources"),
    ("sources.csv", "sources"),
    ("groups.csv", "groups"),
    ("group_members.csv", "group_members"),
    ("entities.csv", "entities"),
    ("production.csv", "production"),
    ("shares.csv", "shares"),
    ("import_sources.csv", "import_sources"),
    ("import_reliance.csv", "import_reliance"),
    ("stakes.csv", "stakes"),
    ("restriction_sources.csv", "sources"),
    ("export_restrictions.csv", "export_restrictions"),
    ("ownership_sources.csv", "sources"),
    ("entity_lists.csv", "list_entries"),
    ("entity_tags.csv", "entity_tags"),
    ("entities_extra.csv", "entities"),
    ("stakes_extra.csv", "stakes"),
    ("control_rights.csv", "control_rights"),
    ("allied_sources.csv", "sources"),
    ("allied_import_sources.csv", "import_sources"),
    ("allied_shares.csv", "shares"),
    ("stage_gaps.csv", "stage_gaps"),
    ("facility_sources.csv", "sources"),
    ("facility_entities.csv", "entities"),
    ("facilities.csv", "facilities"),
    ("demand.csv", "demand"),
    ("importer_demand.csv", "demand"),
)


@dataclass(frozen=True)
class LoadReport:
    dataset: str
    rows: dict[str, int]
    seconds: float


def bundled_dir() -> Path:
    """Folder of the bundled dataset inside the installed package."""
    return Path(str(resources.files("derisk.data").joinpath("bundled")))


def _reference_rows() -> dict[str, list[Any]]:
    cat = load_catalog()
    return {
        "country": [Country(*c) for c in countries.all_countries()],
        "material": [Material(m.id, m.name) for m in cat.materials],
        "stage": [
            Stage(m.id, s.id, s.seq, s.name, s.kind, ",".join(s.hs))
            for m in cat.materials
            for s in m.stages
        ],
    }


def _check_sources(
    parsed: Mapping[str, Sequence[Any]], known: set[str], problems: list[Problem]
) -> None:
    for fname, rows in parsed.items():
        for i, r in enumerate(rows):
            sid = getattr(r, "source_id", None)
            if sid is not None and not isinstance(r, Source) and sid not in known:
                problems.append(Problem(fname, i + 2, "source_id", f"unknown source {sid!r}"))


def _existing_sources(store: Store, exclude_dataset: str | None) -> set[str]:
    return store.view().stored_ids(Source, "source_id", exclude_dataset)


def load_files(
    store: Store,
    files: Sequence[tuple[Path, str]],
    *,
    dataset: str,
    replace: bool = True,
    reference: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Validate every file, then write all of them in one transaction.

    ``files`` are (path, kind) pairs with kinds from :data:`FILE_KINDS`. With ``replace``,
    the dataset's earlier rows are removed in the same transaction. ``progress`` gets the
    rows read so far. Raises
    :class:`ImportFailed` naming file, row and field; on failure nothing changes.
    """
    t0 = time.perf_counter()
    store.check_write(dataset, replace=replace)
    problems: list[Problem] = []
    parsed: dict[str, list[Any]] = {}
    rows_read = 0
    for path, kind in files:
        if kind not in FILE_KINDS:
            problems.append(
                Problem(str(path), 0, "-", f"unknown kind {kind!r}; one of {sorted(FILE_KINDS)}")
            )
            continue
        if not path.exists():
            problems.append(Problem(str(path), 0, "-", "file not found"))
            continue
        rows = read_rows(path, FILE_KINDS[kind], problems=problems, display_name=path.name)
        parsed[path.name] = rows
        rows_read += len(rows)
        if progress:  # rows read so far (the number of rows to come is not known)
            progress(f"read {path.name}", rows_read)
    return load_rows(
        store,
        parsed,
        dataset=dataset,
        replace=replace,
        reference=reference,
        origin=", ".join(str(p) for p, _ in files),
        problems=problems,
        started=t0,
    )


def load_rows(
    store: Store,
    parsed: Mapping[str, Sequence[Any]],
    *,
    dataset: str,
    origin: str,
    replace: bool = False,
    reference: bool = False,
    problems: list[Problem] | None = None,
    started: float | None = None,
) -> LoadReport:
    """Write already-parsed rows (by origin file name) in one transaction.

    Checks that every fact names a known source and that no source is defined twice;
    raises :class:`ImportFailed` (with earlier ``problems`` too) and writes nothing on error.
    Importers of other formats (USGS, BODS, Comtrade, ...) parse to rows and call this.
    """
    t0 = started if started is not None else time.perf_counter()
    store.check_write(dataset, replace=replace)
    problems = list(problems or [])
    existing = _existing_sources(store, dataset if replace else None)
    known = existing | {
        r.source_id for rows in parsed.values() for r in rows if isinstance(r, Source)
    }
    problems.extend(_taken_ids(store, parsed, dataset if replace else None))
    parsed = _with_facility_rows(store, parsed, dataset if replace else None, problems)
    _check_sources(parsed, known, problems)
    if problems:
        raise ImportFailed(problems)
    counts: dict[str, int] = {}
    with store.writer(dataset) as w:
        if replace:
            w.delete_dataset(dataset)
        if reference:
            for table, ref in _reference_rows().items():
                counts[table] = w.add(ref)
        for rows in parsed.values():
            by_type: dict[type[Any], list[Any]] = {}
            for r in rows:
                by_type.setdefault(type(r), []).append(r)
            for cls, group in by_type.items():
                table = cls.Meta.table
                counts[table] = counts.get(table, 0) + w.add(group)
        w.record_dataset(dataset, origin, sum(counts.values()))
    return LoadReport(dataset, counts, time.perf_counter() - t0)


def _with_facility_rows(
    store: Store,
    parsed: Mapping[str, Sequence[Any]],
    exclude_dataset: str | None,
    problems: list[Problem],
) -> dict[str, list[Any]]:
    """Add the entities and owner stakes that facility rows imply; check the ids they name."""
    out = {k: list(v) for k, v in parsed.items()}
    if not any(isinstance(r, Facility) for rows in parsed.values() for r in rows):
        return out
    stored = store.view().stored_ids(Entity, "entity_id", exclude_dataset)
    known = stored | {
        r.entity_id for rows in parsed.values() for r in rows if isinstance(r, Entity)
    }
    facility_ids = {
        r.facility_id for rows in parsed.values() for r in rows if isinstance(r, Facility)
    }
    for fname, rows in parsed.items():
        facs = [r for r in rows if isinstance(r, Facility)]
        if not facs:
            continue
        for i, r in enumerate(rows):
            if not isinstance(r, Facility):
                continue
            named = [("operator_id", r.operator_id)] + [
                ("owners", e) for e, _ in parse_owners(r.owners)
            ]
            for field_name, eid in named:
                if eid is not None and eid not in known and eid not in facility_ids:
                    problems.append(
                        Problem(
                            fname,
                            i + 2,
                            field_name,
                            f"unknown entity {eid!r} (add it to an entities file)",
                        )
                    )
            if r.parent_id is not None and r.parent_id not in facility_ids | stored:
                problems.append(
                    Problem(fname, i + 2, "parent_id", f"unknown facility {r.parent_id!r}")
                )
        entities, stakes = derived_rows(facs, known)
        known |= {e.entity_id for e in entities}
        out[f"{fname} (entities)"] = list(entities)
        out[f"{fname} (owners)"] = list(stakes)
    return out


def _taken_ids(
    store: Store, parsed: Mapping[str, Sequence[Any]], exclude_dataset: str | None
) -> list[Problem]:
    """Rows whose id (sources, entities, single-key facts) is repeated in the files or already
    used in any dataset, visible to the importer or not: the message is the same either way,
    and no organisation's rows can shadow another's."""
    firsts: dict[tuple[str, str], list[tuple[str, int, Any]]] = {}
    for fname, rows in parsed.items():
        for i, r in enumerate(rows):
            key = type(r).Meta.key
            if len(key) == 1:
                firsts.setdefault((type(r).Meta.table, key[0]), []).append(
                    (fname, i + 2, getattr(r, key[0]))
                )
    out: list[Problem] = []
    for (table, col), found in firsts.items():
        taken = store.taken_ids(table, col, [v for _f, _l, v in found], exclude_dataset)
        seen: set[Any] = set()
        for fname, line, v in found:
            if v in taken or v in seen:
                out.append(Problem(fname, line, col, id_conflict_message(table, col, [v])))
            seen.add(v)
    return out


def build_database(store: Store, progress: Progress | None = None) -> LoadReport:
    """(Re)load the bundled dataset and the reference tables (countries, catalogue)."""
    base = bundled_dir()
    files = [(base / name, kind) for name, kind in BUNDLED_FILES if (base / name).exists()]
    return load_files(
        store, files, dataset=BUNDLED_DATASET, replace=True, reference=True, progress=progress
    )


def import_csv(
    store: Store, kind: str, path: Path, *, dataset: str = "user", replace: bool = False
) -> LoadReport:
    """Import one derisk CSV file of ``kind`` into ``dataset`` (atomic)."""
    return load_files(store, [(path, kind)], dataset=dataset, replace=replace)


__all__ = [
    "BUNDLED_DATASET",
    "ImportFailed",
    "LoadReport",
    "build_database",
    "import_csv",
    "load_files",
    "load_rows",
]
