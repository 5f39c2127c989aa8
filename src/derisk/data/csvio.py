"""The derisk CSV format: one file per fact kind, columns = the schema's fields.

A file's header names the columns of one row type of :mod:`derisk.model.schema`
(any order; optional columns may be left out). Empty cell = unknown (``None``).
Dates are ``YYYY-MM-DD``; booleans ``true``/``false``; country codes ISO 3166-1
alpha-3 (``WLD`` world total, ``OTH`` other countries); shares are fractions 0-1;
stake percentages 0-100. Validation names the file, row and field of every error.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derisk.errors import ImportRefusedError
from derisk.model import countries
from derisk.model.catalog import Catalog, load_catalog
from derisk.model.facilities import (
    DEMAND_BASES,
    FACILITY_KINDS,
    Facility,
    ImporterDemand,
    facility_problems,
    unit_factor,
)
from derisk.model.network import NETWORK_KINDS
from derisk.model.ownership import (
    ControlRight,
    DeclaredInterest,
    EntityTag,
    ListEntry,
    Right,
    StakeRange,
    Tag,
)
from derisk.model.schema import (
    OTHER,
    WORLD,
    Column,
    Confidence,
    CountryGroup,
    Entity,
    EntityKind,
    ExportRestriction,
    GroupMember,
    ImportReliance,
    ImportSource,
    Interest,
    Measure,
    Production,
    Share,
    Source,
    Stake,
    Status,
    Trade,
    columns,
)
from derisk.model.stage_gaps import STAGE_GAP_KINDS

OWNERSHIP_KINDS: dict[str, type[Any]] = {
    "stake_ranges": StakeRange,
    "declared_interests": DeclaredInterest,
    "control_rights": ControlRight,
    "entity_tags": EntityTag,
    "list_entries": ListEntry,
}

FILE_KINDS: dict[str, type[Any]] = {
    "sources": Source,
    "groups": CountryGroup,
    "group_members": GroupMember,
    "entities": Entity,
    "production": Production,
    "shares": Share,
    "trade": Trade,
    "import_sources": ImportSource,
    "import_reliance": ImportReliance,
    "stakes": Stake,
    "export_restrictions": ExportRestriction,
    **OWNERSHIP_KINDS,
    **NETWORK_KINDS,
    **STAGE_GAP_KINDS,
    **FACILITY_KINDS,
}
"""File stem -> row type. ``derisk import csv KIND FILE`` takes these kinds."""

COUNTRY_FIELDS = {"country", "iso3", "importer", "reporter", "partner", "issuer"}
ENUMS: dict[str, frozenset[str]] = {
    "status": frozenset(s.value for s in Status),
    "measure": frozenset(m.value for m in Measure),
    "confidence": frozenset(c.value for c in Confidence),
    "interest": frozenset(i.value for i in Interest),
    "kind": frozenset(k.value for k in EntityKind),
    "flow": frozenset({"import", "export", "re-import", "re-export"}),
    "tag": frozenset(t.value for t in Tag),
    "right_type": frozenset(r.value for r in Right),
}
_VALID_ISO3 = {c[0] for c in countries.all_countries()} | {WORLD, OTHER, countries.EU27}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}, field {self.field!r}: {self.message}"


class ImportFailed(ImportRefusedError):
    """An import was refused; nothing was written. ``problems`` lists what is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"import refused, nothing was written:\n{shown}{more}")


def _parse(col: Column, raw: str) -> Any:
    if col.py_type is str:
        return raw
    if col.py_type is float:
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return value
    if col.py_type is int:
        return int(raw)
    if col.py_type is bool:
        low = raw.lower()
        if low not in ("true", "false"):
            raise ValueError("expected true or false")
        return low == "true"
    if col.py_type is dt.date:
        return dt.date.fromisoformat(raw)
    raise TypeError(col.py_type)  # pragma: no cover


def _key(row_type: type[Any], values: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(k) for k in row_type.Meta.key)


def read_rows(
    path: Path,
    row_type: type[Any],
    *,
    catalog: Catalog | None = None,
    problems: list[Problem] | None = None,
    display_name: str | None = None,
) -> list[Any]:
    """Parse and validate one CSV file into row objects.

    Problems are appended to ``problems`` (raise :class:`ImportFailed` yourself), or raised
    at once when ``problems`` is ``None``.
    """
    own = problems is None
    probs: list[Problem] = [] if problems is None else problems
    name = display_name or str(path)
    catalog = catalog or load_catalog()
    cols = columns(row_type)
    by_name = {c.name: c for c in cols}
    required = {c.name for c in cols if not c.nullable and not c.has_default}
    required_columns = {c.name for c in cols if not c.has_default}
    out: list[Any] = []
    from derisk.data.textcheck import utf8_error

    if bad := utf8_error(path):  # refuse a file that is not UTF-8, naming the line
        probs.append(Problem(name, bad[0], "-", bad[1]))
        if own:
            raise ImportFailed(probs)
        return out
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        probs.append(Problem(name, 0, "-", f"cannot read file: {exc.strerror}"))
        if own:
            raise ImportFailed(probs) from None
        return out
    from derisk.data.safeio import InputLimit, bounded_lines, csv_cells

    with fh:
        reader = csv.DictReader(bounded_lines(fh, name))
        try:
            with csv_cells(name, lambda: reader.line_num):
                header = reader.fieldnames or []
                missing = sorted(required_columns - set(header))
                unknown = [h for h in header if h not in by_name]
                if missing:
                    probs.append(Problem(name, 1, ", ".join(missing), "missing required column(s)"))
                if unknown:
                    probs.append(
                        Problem(
                            name,
                            1,
                            ", ".join(unknown),
                            f"unknown column(s) for {row_type.__name__}",
                        )
                    )
                if missing or unknown:
                    if own:
                        raise ImportFailed(probs)
                    return out
                seen: dict[tuple[Any, ...], int] = {}
                for lineno, rec in enumerate(reader, start=2):
                    if None in rec:
                        probs.append(Problem(name, lineno, "-", "more cells than header columns"))
                        continue
                    values: dict[str, object] = {}
                    ok = True
                    for col in cols:
                        raw = (rec.get(col.name) or "").strip()
                        if raw == "":
                            if col.name in required:
                                probs.append(
                                    Problem(name, lineno, col.name, "required value is empty")
                                )
                                ok = False
                            values[col.name] = col.default
                            continue
                        try:
                            val = _parse(col, raw)
                        except ValueError as exc:
                            kind = col.py_type.__name__
                            probs.append(
                                Problem(
                                    name, lineno, col.name, f"{raw!r} is not a valid {kind} ({exc})"
                                )
                            )
                            ok = False
                            continue
                        if col.name in COUNTRY_FIELDS and val not in _VALID_ISO3:
                            probs.append(
                                Problem(
                                    name, lineno, col.name, f"unknown ISO alpha-3 country {raw!r}"
                                )
                            )
                            ok = False
                        own_enum = row_type is Facility and col.name == "status"  # checked below
                        if col.name in ENUMS and val not in ENUMS[col.name] and not own_enum:
                            allowed = ", ".join(sorted(ENUMS[col.name]))
                            probs.append(
                                Problem(name, lineno, col.name, f"{raw!r} is not one of: {allowed}")
                            )
                            ok = False
                        values[col.name] = val
                    if not ok:
                        continue
                    probs.extend(_check_semantics(name, lineno, row_type, values, catalog))
                    key = _key(row_type, values)
                    if key in seen:
                        probs.append(
                            Problem(
                                name,
                                lineno,
                                ",".join(row_type.Meta.key),
                                f"duplicate key {key!r} (first at row {seen[key]})",
                            )
                        )
                        continue
                    seen[key] = lineno
                    out.append(row_type(**values))
        except InputLimit as exc:  # a line or cell past the limit: the file is refused
            probs.extend(exc.problems)
            out = []
    if own and probs:
        raise ImportFailed(probs)
    return out


def _check_semantics(
    name: str, lineno: int, row_type: type[Any], v: Mapping[str, Any], catalog: Catalog
) -> Iterable[Problem]:
    mat = v.get("material_id")
    if mat is not None and "material_id" in {c.name for c in columns(row_type)}:
        try:
            spec = catalog.material(mat)
        except KeyError as exc:
            yield Problem(name, lineno, "material_id", str(exc.args[0]))
        else:
            stage = v.get("stage_id")
            if stage is not None:
                try:
                    spec.stage(stage)
                except KeyError as exc:
                    yield Problem(name, lineno, "stage_id", str(exc.args[0]))
    if row_type is Production:
        status, qty = v["status"], v["quantity"]
        if status in ("withheld", "not-available") and qty is not None:
            yield Problem(name, lineno, "quantity", f"must be empty when status is {status}")
        if status in ("reported", "estimated") and qty is None:
            yield Problem(name, lineno, "quantity", f"required when status is {status}")
        if status == "zero" and qty not in (None, 0.0):
            yield Problem(name, lineno, "quantity", "must be 0 or empty when status is zero")
        if qty is not None and qty < 0:
            yield Problem(name, lineno, "quantity", "must not be negative")
    for fname in ("share",):
        if row_type in (Share, ImportSource) and not 0.0 <= v[fname] <= 1.0:
            yield Problem(name, lineno, fname, f"{v[fname]} is not a fraction between 0 and 1")
    if row_type is ImportSource:
        yield from _share_bounds(name, lineno, v)
    if row_type is Stake and not 0.0 <= v["percent"] <= 100.0:
        yield Problem(name, lineno, "percent", f"{v['percent']} is not between 0 and 100")
    if row_type in (StakeRange, DeclaredInterest):
        lo, hi = v.get("percent_min"), v.get("percent_max")
        for fname, val in (("percent_min", lo), ("percent_max", hi)):
            if val is not None and not 0.0 <= val <= 100.0:
                yield Problem(name, lineno, fname, f"{val} is not between 0 and 100")
        if lo is not None and hi is not None and hi < lo:
            yield Problem(name, lineno, "percent_max", f"{hi} is below percent_min {lo}")
    if row_type is Facility:
        for fname, msg in facility_problems(Facility(**v)):
            yield Problem(name, lineno, fname, msg)
    if row_type is ImporterDemand:
        if v["basis"] not in DEMAND_BASES:
            yield Problem(name, lineno, "basis", f"{v['basis']!r} is not one of: "
                          + ", ".join(sorted(DEMAND_BASES)))  # fmt: skip
        try:
            unit_factor(v["material_id"], v["stage_id"], v["unit"])
        except KeyError as exc:
            yield Problem(name, lineno, "unit", str(exc.args[0]))
        if v["quantity"] is not None and v["quantity"] < 0:
            yield Problem(name, lineno, "quantity", "must not be negative")
        buyer = v["buyer"]
        if buyer not in _VALID_ISO3 and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", buyer):
            yield Problem(
                name, lineno, "buyer", f"{buyer!r} is neither an ISO alpha-3 code nor a group id"
            )
    vf, vt = v.get("valid_from"), v.get("valid_to")
    if vf is not None and vt is not None and vt < vf:
        yield Problem(name, lineno, "valid_to", "is before valid_from")


def _share_bounds(name: str, lineno: int, v: Mapping[str, Any]) -> Iterable[Problem]:
    """``share_low <= share <= share_high``, each a fraction, when bounds are given."""
    lo, hi = v.get("share_low"), v.get("share_high")
    for fname, val in (("share_low", lo), ("share_high", hi)):
        if val is not None and not 0.0 <= val <= 1.0:
            yield Problem(name, lineno, fname, f"{val} is not a fraction between 0 and 1")
    if lo is not None and lo > v["share"] + 1e-9:
        yield Problem(name, lineno, "share_low", f"{lo} is above share {v['share']}")
    if hi is not None and hi < v["share"] - 1e-9:
        yield Problem(name, lineno, "share_high", f"{hi} is below share {v['share']}")


def write_rows(path: Path, rows: Iterable[Any], row_type: type[Any]) -> int:
    """Write row objects in the derisk CSV format; returns the row count."""
    cols = columns(row_type)
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([c.name for c in cols])
        for r in rows:
            w.writerow([_fmt(getattr(r, c.name)) for c in cols])
            n += 1
    return n


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else repr(v)
    return str(v)
