"""Costs for re-sourcing plans: bundled defaults, trade unit values, a user's cost file.

Per tonne, in one currency (USD by default):

* ``prices``: price of the delivered (last-stage) material by material, stage and origin;
* ``freight``: moving a tonne between two different countries (``default`` or ``FROM-TO``);
* ``processing``: tolling fee per tonne of output by material, stage (and country);
* ``yields``: output per tonne of input by material and stage (default 1).

Precedence for a price of origin ``c``: the user's figure for ``c``, the store's trade unit value
for ``c`` (exports of the stage's HS codes: value / quantity), the user's default, the bundled
default. A cost file is YAML (the layout of ``derisk/data/costs.yaml``) or CSV with the columns
``kind,material,stage,country,route,value,note`` (``kind``: price, freight, processing, yield).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from derisk.data.csvio import ImportFailed, Problem
from derisk.model.catalog import load_catalog
from derisk.model.countries import UnknownCountry, resolve
from derisk.services.results.resource import TradeUnitValue
from derisk.store.view import View


@dataclass
class Rate:
    """A per-tonne figure for every origin (``default``) and for single countries."""

    default: float | None = None
    by_country: dict[str, float] = field(default_factory=dict)
    origin: str = "none"  # bundled | user | trade-unit-value | none
    source: str | None = None
    note: str | None = None
    country_origin: dict[str, str] = field(default_factory=dict)

    def get(self, country: str | None) -> tuple[float | None, str]:
        if country is not None and country in self.by_country:
            return self.by_country[country], self.country_origin.get(country, self.origin)
        return self.default, self.origin if self.default is not None else "none"


@dataclass
class CostModel:
    currency: str = "USD"
    prices: dict[tuple[str, str], Rate] = field(default_factory=dict)
    processing: dict[tuple[str, str], Rate] = field(default_factory=dict)
    yields: dict[tuple[str, str], float] = field(default_factory=dict)
    freight_default: float = 0.0
    freight_routes: dict[tuple[str, str], float] = field(default_factory=dict)
    freight_origin: str = "bundled"
    freight_note: str | None = None
    files: list[str] = field(default_factory=list)

    def freight(self, a: str | None, b: str | None) -> float:
        if a is not None and a == b:
            return 0.0
        if a is not None and b is not None and (a, b) in self.freight_routes:
            return self.freight_routes[(a, b)]
        return self.freight_default

    def price(self, material: str, stage: str, country: str | None) -> tuple[float, str]:
        rate = self.prices.get((material, stage))
        if rate is None:
            return 0.0, "none"
        value, origin = rate.get(country)
        return (0.0, "none") if value is None else (value, origin)

    def fee(self, material: str, stage: str, country: str | None) -> float:
        rate = self.processing.get((material, stage))
        if rate is None:
            return 0.0
        value, _ = rate.get(country)
        return value or 0.0

    def yield_of(self, material: str, stage: str) -> float:
        return self.yields.get((material, stage), 1.0)


def _num(value: Any, file: str, path: str, problems: list[Problem], *, positive: bool) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(file, 0, path, f"{value!r} is not a number"))
        return 0.0
    if x != x or x in (float("inf"), float("-inf")) or x < 0 or (positive and x == 0):
        problems.append(
            Problem(
                file, 0, path, f"{value!r} must be a finite number {'>' if positive else '>='} 0"
            )
        )
        return 0.0
    return x


def _country(code: str, file: str, row: int, path: str, problems: list[Problem]) -> str | None:
    try:
        return resolve(code)
    except UnknownCountry as exc:
        problems.append(Problem(file, row, path, str(exc)))
        return None


def _check_stage(material: str, stage: str, file: str, row: int, path: str) -> Problem | None:
    try:
        load_catalog().material(material).stage(stage)
    except KeyError as exc:
        return Problem(file, row, path, str(exc.args[0]))
    return None


def _rate_from(
    spec: Any, file: str, path: str, origin: str, problems: list[Problem], rate: Rate | None
) -> Rate:
    out = rate or Rate()
    if not isinstance(spec, dict):
        spec = {"default": spec}
    for key, value in spec.items():
        key = str(key)
        if key in ("year", "note", "source"):
            continue
        x = _num(value, file, f"{path}.{key}", problems, positive=False)
        if key == "default":
            out.default = x
            out.origin = origin
        else:
            c = _country(key, file, 0, f"{path}.{key}", problems)
            if c:
                out.by_country[c] = x
                out.country_origin[c] = origin
    if spec.get("source"):
        out.source = str(spec["source"])
    if spec.get("note"):
        out.note = str(spec["note"]).strip()
    return out


def _apply_yaml(model: CostModel, doc: Any, file: str, origin: str) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(doc, dict):
        return [Problem(file, 0, "-", "a cost file is a mapping (see derisk/data/costs.yaml)")]
    known = {"currency", "prices", "freight", "processing", "yields"}
    for key in doc:
        if key not in known:
            problems.append(Problem(file, 0, str(key), f"unknown section; one of {sorted(known)}"))
    if "currency" in doc:
        model.currency = str(doc["currency"])
    for section, target in (("prices", model.prices), ("processing", model.processing)):
        for mat, stages in (doc.get(section) or {}).items():
            if not isinstance(stages, dict):
                problems.append(Problem(file, 0, f"{section}.{mat}", "expected stage: figure"))
                continue
            for stage, spec in stages.items():
                path = f"{section}.{mat}.{stage}"
                bad = _check_stage(str(mat), str(stage), file, 0, path)
                if bad:
                    problems.append(bad)
                    continue
                key = (str(mat), str(stage))
                target[key] = _rate_from(spec, file, path, origin, problems, target.get(key))
    for mat, stages in (doc.get("yields") or {}).items():
        for stage, value in (stages or {}).items():
            path = f"yields.{mat}.{stage}"
            bad = _check_stage(str(mat), str(stage), file, 0, path)
            if bad:
                problems.append(bad)
                continue
            y = _num(value, file, path, problems, positive=True)
            if y > 1:
                problems.append(Problem(file, 0, path, f"a yield above 1 ({y}) creates material"))
            model.yields[(str(mat), str(stage))] = y
    fr = doc.get("freight")
    if fr is not None:
        if not isinstance(fr, dict):
            fr = {"default": fr}
        for key, value in fr.items():
            if key == "note":
                model.freight_note = str(value).strip()
                continue
            path = f"freight.{key}"
            x = _num(value, file, path, problems, positive=False)
            if key == "default":
                model.freight_default = x
                model.freight_origin = origin
            else:
                parts = str(key).split("-")
                if len(parts) != 2:
                    problems.append(Problem(file, 0, path, "a route is FROM-TO, e.g. AUS-USA"))
                    continue
                a = _country(parts[0], file, 0, path, problems)
                b = _country(parts[1], file, 0, path, problems)
                if a and b:
                    model.freight_routes[(a, b)] = x
    return problems


def _apply_csv(model: CostModel, path: Path, origin: str) -> list[Problem]:
    problems: list[Problem] = []
    name = path.name
    cols = ["kind", "material", "stage", "country", "route", "value", "note"]
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in ("kind", "value") if c not in header]
        unknown = [h for h in header if h not in cols]
        if missing or unknown:
            msg = f"missing {missing}" if missing else f"unknown columns {unknown}"
            return [Problem(name, 1, ",".join(missing or unknown), msg + f"; columns: {cols}")]
        for row_no, rec in enumerate(reader, start=2):
            kind = (rec.get("kind") or "").strip()
            mat = (rec.get("material") or "").strip()
            stage = (rec.get("stage") or "").strip()
            country = (rec.get("country") or "").strip()
            route = (rec.get("route") or "").strip()
            raw = (rec.get("value") or "").strip()
            try:
                value = float(raw)
                if value != value or value < 0 or value in (float("inf"),):
                    raise ValueError
            except ValueError:
                problems.append(Problem(name, row_no, "value", f"{raw!r} is not a number >= 0"))
                continue
            if kind in ("price", "processing", "yield"):
                if not mat or not stage:
                    problems.append(
                        Problem(name, row_no, "material" if not mat else "stage", "required")
                    )
                    continue
                bad = _check_stage(mat, stage, name, row_no, "stage")
                if bad:
                    problems.append(bad)
                    continue
                if kind == "yield":
                    if not 0 < value <= 1:
                        problems.append(Problem(name, row_no, "value", "a yield is in (0, 1]"))
                        continue
                    model.yields[(mat, stage)] = value
                    continue
                table = model.prices if kind == "price" else model.processing
                rate = table.setdefault((mat, stage), Rate())
                if country:
                    c = _country(country, name, row_no, "country", problems)
                    if c:
                        rate.by_country[c] = value
                        rate.country_origin[c] = origin
                else:
                    rate.default = value
                    rate.origin = origin
                if rec.get("note"):
                    rate.note = rec["note"]
            elif kind == "freight":
                if route:
                    parts = route.split("-")
                    if len(parts) != 2:
                        problems.append(Problem(name, row_no, "route", "a route is FROM-TO"))
                        continue
                    a = _country(parts[0], name, row_no, "route", problems)
                    b = _country(parts[1], name, row_no, "route", problems)
                    if a and b:
                        model.freight_routes[(a, b)] = value
                else:
                    model.freight_default = value
                    model.freight_origin = origin
            else:
                problems.append(
                    Problem(name, row_no, "kind", "one of price, freight, processing, yield")
                )
    return problems


def load_costs(path: Path | None = None) -> CostModel:
    """Bundled defaults, overlaid with the user's cost file (raises ``ImportFailed``)."""
    model = CostModel()
    text = resources.files("derisk.data").joinpath("costs.yaml").read_text("utf-8")
    problems = _apply_yaml(model, yaml.safe_load(text), "costs.yaml", "bundled")
    model.files.append("derisk/data/costs.yaml")
    if problems:  # pragma: no cover - the bundled file is checked by the tests
        raise ImportFailed(problems)
    if path is None:
        return model
    if not path.exists():
        raise ImportFailed([Problem(str(path), 0, "-", "file not found")])
    if path.suffix.lower() == ".csv":
        problems = _apply_csv(model, path, "user")
    else:
        try:
            doc = yaml.safe_load(path.read_text("utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            row = int(mark.line) + 1 if mark is not None else 0
            raise ImportFailed([Problem(path.name, row, "-", f"not valid YAML: {exc}")]) from None
        problems = _apply_yaml(model, doc, path.name, "user")
    if problems:
        raise ImportFailed(problems)
    model.files.append(str(path))
    return model


def add_trade_unit_values(
    view: View, model: CostModel, material: str, stage: str
) -> dict[str, TradeUnitValue]:
    """Origin prices from trade rows of the stage (latest year): value / tonnes by origin.

    Only origins without a user price are filled. Returns what was used, by origin.
    """
    spec = load_catalog().material(material).stage(stage)
    hs = [h for h in spec.hs if h]
    rows = view.priced_trade(material, stage, hs)
    if not rows:
        return {}
    year = max(r.year for r in rows)
    value: dict[str, float] = {}
    tonnes: dict[str, float] = {}
    srcs: dict[str, set[str]] = {}
    for r in rows:
        reporter, partner, flow, yr, sid = r.reporter, r.partner, r.flow, r.year, r.source_id
        v, kg = r.value_usd or 0.0, r.quantity_kg or 0.0  # both > 0: selected so
        if yr != year:
            continue
        origin = reporter if flow == "export" else partner
        if origin in ("WLD", "OTH"):
            continue
        value[origin] = value.get(origin, 0.0) + float(v)
        tonnes[origin] = tonnes.get(origin, 0.0) + float(kg) / 1000.0
        srcs.setdefault(origin, set()).add(sid)
    rate = model.prices.setdefault((material, stage), Rate())
    used: dict[str, TradeUnitValue] = {}
    for origin, v in value.items():
        if rate.country_origin.get(origin) == "user":
            continue
        uv = v / tonnes[origin]
        rate.by_country[origin] = uv
        rate.country_origin[origin] = "trade-unit-value"
        used[origin] = TradeUnitValue(
            value=round(uv, 2),
            year=year,
            tonnes=round(tonnes[origin], 3),
            sources=tuple(sorted(srcs[origin])),
        )
    return used


__all__ = ["CostModel", "Rate", "add_trade_unit_values", "load_costs"]
