"""Shock scenarios shipped with derisk (YAML, documented in docs/scenarios.md), and the
parser of scenario files.

A scenario file names a material, a start month and a horizon, the restrictions (issuer,
stages, targets, start, duration, fraction withheld; optionally linked to an
``export_restriction`` fact), final demand by country, inventories (months of cover) and
substitution (spare capacity, ramp-up time). :func:`parse_scenario` reads and checks one;
``ImportFailed`` names the file and field of each error. Running a scenario is
:mod:`derisk.services.shock`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from derisk.data.csvio import ImportFailed, Problem
from derisk.model import countries
from derisk.model.catalog import load_catalog

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class RestrictionSpec:
    id: str
    fact: str | None
    issuer: str | None
    stages: list[str] | None
    targets: list[str] | None
    target_group: str | None
    start: str | None
    end: str | None
    months: int | None
    fraction: float
    note: str | None


@dataclass(frozen=True)
class SupplySpec:
    """Output (t/yr) the file states for a stage and country, replacing the store's."""

    stage: str
    country: str
    quantity: float
    capacity: float | None
    source: str | None
    note: str | None


@dataclass(frozen=True)
class DemandSpec:
    """Final demand (t/yr) of a country; ``import_reliance`` a fraction or ``"store"``."""

    country: str
    quantity: float
    import_reliance: float | str | None
    import_category: str | None
    source: str | None
    note: str | None


@dataclass(frozen=True)
class CoverSpec:
    """Months of inventory cover of a country (at one stage, or all when ``stage`` is None)."""

    country: str
    stage: str | None
    months: float


@dataclass(frozen=True)
class SpareSpec:
    """Spare capacity (t/yr) of a country at a stage, for substitution."""

    country: str
    stage: str
    spare: float


@dataclass(frozen=True)
class ProductSpec:
    """A product the scenario follows: its use (t/yr) of the stage's material in a country."""

    id: str
    name: str
    country: str
    stage: str
    use: float
    note: str | None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# A field that failed its check reads "" here: the problem is recorded and the parse fails.
_BAD = ""


@dataclass
class Scenario:
    id: str
    title: str
    material: str
    start: dt.date
    months: int
    file: str
    description: str = ""
    final_stage: str | None = None
    year: int | None = None
    supply: list[SupplySpec] = field(default_factory=list)
    demand: list[DemandSpec] = field(default_factory=list)
    restrictions: list[RestrictionSpec] = field(default_factory=list)
    cover_default: float = 0.0
    cover_by: list[CoverSpec] = field(default_factory=list)
    ramp_months: float = 6.0
    spare_fraction: float = 0.0
    spare_by: list[SpareSpec] = field(default_factory=list)
    products: list[ProductSpec] = field(default_factory=list)
    store_products: bool = True
    assumptions: list[str] = field(default_factory=list)


def bundled_scenarios() -> list[Path]:
    """Scenario files shipped with derisk."""
    base = Path(str(resources.files("derisk.data").joinpath("scenarios")))
    return sorted(base.glob("*.yaml"))


def _month(value: Any, file: str, path: str, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    m = _MONTH.match(str(value).strip()) if value is not None else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        problems.append(Problem(file, 0, path, f"{value!r} is not a month (YYYY-MM)"))
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _number(
    value: Any,
    file: str,
    path: str,
    problems: list[Problem],
    lo: float = 0.0,
    hi: float | None = None,
) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(file, 0, path, f"{value!r} is not a number"))
        return 0.0
    if x != x or x < lo or (hi is not None and x > hi) or x == float("inf"):
        rng = f"between {lo:g} and {hi:g}" if hi is not None else f">= {lo:g}"
        problems.append(Problem(file, 0, path, f"{value!r} must be {rng}"))
        return 0.0
    return x


def _iso(value: Any, file: str, path: str, problems: list[Problem]) -> str | None:
    if str(value).upper() in ("WLD", "ROW"):
        return str(value).upper()
    try:
        return countries.resolve(str(value))
    except Exception as exc:
        problems.append(Problem(file, 0, path, str(exc)))
        return None


def parse_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; ``ImportFailed`` names the file and field of each error."""
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise ImportFailed([Problem(str(path), 0, "-", f"cannot read: {exc.strerror}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = int(mark.line) + 1 if mark is not None else 0
        raise ImportFailed([Problem(name, row, "-", f"not valid YAML: {exc}")]) from None
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        raise ImportFailed([Problem(name, 0, "-", "a scenario is a mapping of fields")])
    known = {
        "id", "title", "description", "material", "final_stage", "year", "start", "months",
        "supply", "demand", "restrictions", "inventories", "substitution", "products",
        "store_products", "assumptions",
    }  # fmt: skip
    for key in doc:
        if key not in known:
            problems.append(Problem(name, 0, str(key), f"unknown field; fields: {sorted(known)}"))
    for req in ("id", "title", "material", "start", "months", "restrictions"):
        if req not in doc:
            problems.append(Problem(name, 0, req, "required"))
    if problems:
        raise ImportFailed(problems)
    cat = load_catalog()
    material = str(doc["material"])
    try:
        spec = cat.material(material)
    except KeyError as exc:
        raise ImportFailed([Problem(name, 0, "material", str(exc.args[0]))]) from None
    stage_ids = [s.id for s in spec.stages]

    def stage_of(value: Any, path: str) -> str | None:
        if str(value) not in stage_ids:
            problems.append(Problem(name, 0, path, f"{value!r} is not a stage of {material}"))
            return None
        return str(value)

    start = _month(doc["start"], name, "start", problems)
    months = int(_number(doc["months"], name, "months", problems, 1, 240))
    sc = Scenario(
        id=str(doc["id"]),
        title=str(doc["title"]),
        material=material,
        start=start or dt.date(2000, 1, 1),
        months=max(months, 1),
        file=str(path),
        description=str(doc.get("description") or "").strip(),
    )
    if doc.get("final_stage") is not None:
        sc.final_stage = stage_of(doc["final_stage"], "final_stage")
    if doc.get("year") is not None:
        sc.year = int(_number(doc["year"], name, "year", problems, 1900, 2200))
    for i, s in enumerate(doc.get("supply") or []):
        p = f"supply[{i}]"
        st = stage_of(s.get("stage"), f"{p}.stage")
        c = _iso(s.get("country"), name, f"{p}.country", problems)
        q = _number(s.get("quantity"), name, f"{p}.quantity", problems)
        cap = s.get("capacity")
        capn = _number(cap, name, f"{p}.capacity", problems) if cap is not None else None
        sc.supply.append(
            SupplySpec(
                st or _BAD,
                c or _BAD,
                q,
                capn,
                _text(s.get("source") or None),
                _text(s.get("note")),
            )
        )
    for i, d in enumerate(doc.get("demand") or []):
        p = f"demand[{i}]"
        c = _iso(d.get("country"), name, f"{p}.country", problems)
        q = _number(d.get("quantity"), name, f"{p}.quantity", problems)
        ir = d.get("import_reliance")
        irv: float | str | None = None
        if ir == "store":
            irv = "store"
        elif ir is not None:
            irv = _number(ir, name, f"{p}.import_reliance", problems, 0, 1)
        sc.demand.append(
            DemandSpec(
                c or _BAD,
                q,
                irv,
                _text(d.get("import_category")),
                _text(d.get("source") or None),
                _text(d.get("note")),
            )
        )
    for i, r in enumerate(doc.get("restrictions") or []):
        p = f"restrictions[{i}]"
        if not isinstance(r, dict):
            problems.append(Problem(name, 0, p, "a restriction is a mapping"))
            continue
        stages = r.get("stages")
        if stages is not None:
            stages = [x for x in (stage_of(v, f"{p}.stages") for v in stages) if x]
        targets = r.get("targets")
        if targets is not None:
            targets = [x for x in (_iso(v, name, f"{p}.targets", problems) for v in targets) if x]
        for k in ("start", "end"):
            if r.get(k) is not None:
                _month(r[k], name, f"{p}.{k}", problems)
        months_r = r.get("months")
        if months_r is not None:
            months_r = int(_number(months_r, name, f"{p}.months", problems, 0, 600))
        if r.get("issuer") is None and r.get("fact") is None:
            problems.append(Problem(name, 0, f"{p}.issuer", "give issuer or fact"))
        sc.restrictions.append(
            RestrictionSpec(
                id=str(r.get("id") or f"r{i + 1}"),
                fact=r.get("fact"),
                issuer=_iso(r["issuer"], name, f"{p}.issuer", problems)
                if r.get("issuer") is not None
                else None,
                stages=stages,
                targets=targets,
                target_group=r.get("target_group"),
                start=str(r["start"]) if r.get("start") is not None else None,
                end=str(r["end"]) if r.get("end") is not None else None,
                months=months_r,
                fraction=_number(r.get("fraction", 1.0), name, f"{p}.fraction", problems, 0, 1),
                note=r.get("note"),
            )
        )
    inv = doc.get("inventories") or {}
    sc.cover_default = _number(
        inv.get("default_months", 0), name, "inventories.default_months", problems, 0, 120
    )
    for i, b in enumerate(inv.get("by") or []):
        p = f"inventories.by[{i}]"
        sc.cover_by.append(
            CoverSpec(
                country=_iso(b.get("country"), name, f"{p}.country", problems) or _BAD,
                stage=stage_of(b.get("stage"), f"{p}.stage") if b.get("stage") else None,
                months=_number(b.get("months"), name, f"{p}.months", problems, 0, 120),
            )
        )
    sub = doc.get("substitution") or {}
    sc.ramp_months = _number(
        sub.get("ramp_months", 6), name, "substitution.ramp_months", problems, 0, 120
    )
    sc.spare_fraction = _number(
        sub.get("spare_fraction", 0), name, "substitution.spare_fraction", problems, 0, 10
    )
    for i, b in enumerate(sub.get("by") or []):
        p = f"substitution.by[{i}]"
        sc.spare_by.append(
            SpareSpec(
                country=_iso(b.get("country"), name, f"{p}.country", problems) or _BAD,
                stage=stage_of(b.get("stage"), f"{p}.stage") or _BAD,
                spare=_number(b.get("spare"), name, f"{p}.spare", problems),
            )
        )
    for i, pr in enumerate(doc.get("products") or []):
        p = f"products[{i}]"
        sc.products.append(
            ProductSpec(
                id=str(pr.get("id") or f"p{i + 1}"),
                name=str(pr.get("name") or pr.get("id") or f"p{i + 1}"),
                country=_iso(pr.get("country"), name, f"{p}.country", problems) or _BAD,
                stage=stage_of(pr.get("stage"), f"{p}.stage") or _BAD,
                use=_number(pr.get("use"), name, f"{p}.use", problems),
                note=_text(pr.get("note")),
            )
        )
    sc.store_products = bool(doc.get("store_products", True))
    sc.assumptions = [str(a) for a in (doc.get("assumptions") or [])]
    if problems:
        raise ImportFailed(problems)
    return sc


__all__ = [
    "CoverSpec",
    "DemandSpec",
    "ProductSpec",
    "RestrictionSpec",
    "Scenario",
    "SpareSpec",
    "SupplySpec",
    "bundled_scenarios",
    "parse_scenario",
]
