"""Certification rule packs: loading, version selection and evaluation.

A rule pack is a YAML file (format ``derisk.rule-pack/1``, documented in ``docs/rules.md``)
holding one or more rules. Each rule has a kind, the item classes it covers, citations with
confidence, and dated versions; an as-of date selects the version in force.

Kinds:

* ``max-share`` -- at every counted stage, the share of the product's material that passed
  through a set of countries ``S`` must not exceed a threshold ``X``. With ``metric: aggregate``
  the share is ``sum_{c in S} s_c`` (DFARS: covered countries together, ``X = 0``); with
  ``metric: single`` it is ``max_{c in S} s_c`` (EU CRMA: any one third country, ``X = 0.65``).
  Known (traced) shares give a lower bound ``lo``; every share not traced -- statistical or
  unknown -- could belong to ``S``, giving the upper bound ``hi``. A stage violates the rule
  when ``lo > X``, passes when ``hi <= X`` and is undetermined otherwise (tolerance 1e-9).
* ``macr`` -- material assistance cost ratio
  ``MACR = (C - C_pfe) / C`` over the product's direct costs ``C``; costs of suppliers whose
  status is unknown bound it: ``MACR in [(C - C_pfe - C_unk) / C, (C - C_pfe) / C]``. The
  product passes when ``MACR >= threshold(year)``. Arithmetic is exact (decimal fractions).

The verdict is ``non-compliant`` if any stage (or the ratio) certainly fails, else
``indeterminate`` if any is undetermined, else ``compliant``; ``not-applicable`` when the rule
does not cover the product's item class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import yaml

from derisk.errors import BadInputError

PACK_FORMAT = "derisk.rule-pack/1"
GENERIC_STAGES = ("mining", "refining", "separation", "melting", "production")
"""The stage words the rules use (DFARS: mined, refined, separated, melted, produced)."""
KIND_TO_STAGE = {
    "mining": "mining",
    "refining": "refining",
    "chemical": "refining",
    "smelting": "refining",
    "separation": "separation",
    "metal": "melting",
    "component": "production",
    "production": "production",
}
"""Catalogue stage kind -> rule stage."""
KINDS = ("max-share", "macr")
METRICS = ("aggregate", "single")
TOL = 1e-9

COMPLIANT = "compliant"
NON_COMPLIANT = "non-compliant"
INDETERMINATE = "indeterminate"
NOT_APPLICABLE = "not-applicable"
VERDICTS = (COMPLIANT, NON_COMPLIANT, INDETERMINATE, NOT_APPLICABLE)

PASS = "pass"
FAIL = "fail"
UNDETERMINED = "undetermined"


class RulePackError(BadInputError):
    """A rule pack that cannot be used; the message names file, rule and field."""

    def __init__(self, origin: str, rule: str | None, field_name: str, message: str) -> None:
        self.origin, self.rule, self.field = origin, rule, field_name
        where = f"{origin}" + (f", rule {rule!r}" if rule else "")
        super().__init__(f"{where}, field {field_name!r}: {message}")


@dataclass(frozen=True)
class Citation:
    id: str
    title: str
    url: str | None
    confidence: str
    note: str | None = None


@dataclass(frozen=True)
class Threshold:
    value: Fraction
    confidence: str


@dataclass(frozen=True)
class RuleVersion:
    version: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    confidence: str
    note: str | None = None
    stages: tuple[str, ...] = ()
    threshold: Fraction | None = None
    thresholds: Mapping[int, Threshold] = field(default_factory=dict)
    later: Threshold | None = None

    def in_force(self, when: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= when) and (
            self.effective_to is None or when <= self.effective_to
        )

    def threshold_for(self, year: int) -> Threshold | None:
        """The cost-ratio threshold for a year (the last listed value carries on as ``later``)."""
        if year in self.thresholds:
            return self.thresholds[year]
        if self.thresholds and year > max(self.thresholds) and self.later is not None:
            return self.later
        return None


@dataclass(frozen=True)
class CountrySpec:
    """``group``: members of a country group; ``countries``: explicit ISO alpha-3 codes;
    ``not_in_group``: every country outside a group (e.g. third countries for the EU)."""

    group: str | None = None
    countries: tuple[str, ...] = ()
    not_in_group: str | None = None


@dataclass(frozen=True)
class CountrySet:
    """A resolved set of countries: ``members``, or everything but ``members`` (complement)."""

    members: frozenset[str]
    complement: bool = False

    def __contains__(self, c: object) -> bool:
        if c is None:
            return False
        return (c not in self.members) if self.complement else (c in self.members)

    def describe(self) -> str:
        names = ", ".join(sorted(self.members))
        return f"every country except {names}" if self.complement else names


@dataclass(frozen=True)
class RuleSpec:
    id: str
    title: str
    kind: str
    pack: str
    origin: str
    confidence: str
    citations: tuple[Citation, ...]
    versions: tuple[RuleVersion, ...]
    applies_to: tuple[str, ...] | None = None
    materials: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    metric: str = "aggregate"
    countries: CountrySpec = field(default_factory=CountrySpec)
    screening: str = "pfe"
    year_basis: str = "sale"

    def applies(self, item_class: str) -> bool:
        return self.applies_to is None or item_class in self.applies_to

    def materials_for(self, item_class: str) -> tuple[str, ...] | None:
        """Materials that count for an item class (``None``: every material of the product)."""
        return self.materials.get(item_class)

    def version_at(self, when: dt.date) -> RuleVersion:
        for v in self.versions:
            if v.in_force(when):
                return v
        spans = "; ".join(
            f"{v.version}: {v.effective_from or '…'} to {v.effective_to or '…'}"
            for v in self.versions
        )
        raise BadInputError(
            f"rule {self.id!r} has no version in force on {when}; versions: {spans}"
        )


# -- loading ------------------------------------------------------------------------------------


def _date(v: Any, origin: str, rule: str, name: str) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise RulePackError(origin, rule, name, f"{v!r} is not a date (YYYY-MM-DD)") from None


def _fraction(v: Any, origin: str, rule: str, name: str) -> Fraction:
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise RulePackError(origin, rule, name, f"{v!r} is not a number")
    try:
        x = Fraction(str(v))
    except ValueError:
        raise RulePackError(origin, rule, name, f"{v!r} is not a number") from None
    if not 0 <= x <= 1:
        raise RulePackError(origin, rule, name, f"{v} is not a fraction between 0 and 1")
    return x


def _confidence(v: Any, origin: str, rule: str, name: str) -> str:
    if v not in ("H", "M", "L"):
        raise RulePackError(origin, rule, name, f"{v!r} is not one of H, M, L")
    return str(v)


_RULE_KEYS = {
    "id", "title", "kind", "metric", "countries", "applies_to", "materials", "confidence",
    "citations", "versions", "screening", "year_basis", "note",
}  # fmt: skip
_VERSION_KEYS = {
    "version", "effective_from", "effective_to", "stages", "threshold", "thresholds", "later",
    "confidence", "note",
}  # fmt: skip


def _parse_version(v: Any, kind: str, origin: str, rid: str, i: int) -> RuleVersion:
    at = f"versions[{i}]"
    if not isinstance(v, dict):
        raise RulePackError(origin, rid, at, "must be a mapping")
    unknown = set(v) - _VERSION_KEYS
    if unknown:
        raise RulePackError(origin, rid, f"{at}.{sorted(unknown)[0]}", "unknown key")
    if "version" not in v:
        raise RulePackError(origin, rid, f"{at}.version", "required")
    conf = _confidence(v.get("confidence", "H"), origin, rid, f"{at}.confidence")
    vf = _date(v.get("effective_from"), origin, rid, f"{at}.effective_from")
    vt = _date(v.get("effective_to"), origin, rid, f"{at}.effective_to")
    if vf and vt and vt < vf:
        raise RulePackError(origin, rid, f"{at}.effective_to", "is before effective_from")
    if kind == "max-share":
        stages = v.get("stages")
        if not isinstance(stages, list) or not stages:
            raise RulePackError(origin, rid, f"{at}.stages", "a non-empty list is required")
        for s in stages:
            if s not in GENERIC_STAGES:
                raise RulePackError(
                    origin, rid, f"{at}.stages", f"{s!r} is not one of {', '.join(GENERIC_STAGES)}"
                )
        if "threshold" not in v:
            raise RulePackError(origin, rid, f"{at}.threshold", "required")
        return RuleVersion(
            str(v["version"]),
            vf,
            vt,
            conf,
            v.get("note"),
            stages=tuple(stages),
            threshold=_fraction(v["threshold"], origin, rid, f"{at}.threshold"),
        )
    table = v.get("thresholds")
    if not isinstance(table, dict) or not table:
        raise RulePackError(origin, rid, f"{at}.thresholds", "a mapping year -> value is required")
    parsed: dict[int, Threshold] = {}
    for year, val in table.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise RulePackError(
                origin, rid, f"{at}.thresholds", f"{year!r} is not a year"
            ) from None
        if isinstance(val, dict):
            parsed[y] = Threshold(
                _fraction(val.get("value"), origin, rid, f"{at}.thresholds.{y}"),
                _confidence(val.get("confidence", conf), origin, rid, f"{at}.thresholds.{y}"),
            )
        else:
            parsed[y] = Threshold(_fraction(val, origin, rid, f"{at}.thresholds.{y}"), conf)
    later = None
    if v.get("later") is not None:
        later = Threshold(_fraction(v["later"], origin, rid, f"{at}.later"), conf)
    return RuleVersion(
        str(v["version"]), vf, vt, conf, v.get("note"), thresholds=parsed, later=later
    )


def _parse_rule(r: Any, pack: str, origin: str, i: int) -> RuleSpec:
    if not isinstance(r, dict):
        raise RulePackError(origin, None, f"rules[{i}]", "must be a mapping")
    rid = r.get("id")
    if not isinstance(rid, str) or not rid:
        raise RulePackError(origin, None, f"rules[{i}].id", "required")
    unknown = set(r) - _RULE_KEYS
    if unknown:
        raise RulePackError(origin, rid, sorted(unknown)[0], "unknown key")
    kind = r.get("kind")
    if kind not in KINDS:
        raise RulePackError(origin, rid, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    metric = r.get("metric", "aggregate")
    if metric not in METRICS:
        raise RulePackError(origin, rid, "metric", f"{metric!r} is not one of {METRICS}")
    cspec = CountrySpec()
    if kind == "max-share":
        c = r.get("countries")
        if not isinstance(c, dict) or len(c) != 1:
            raise RulePackError(
                origin, rid, "countries", "give exactly one of group, countries, not_in_group"
            )
        if "group" in c:
            cspec = CountrySpec(group=str(c["group"]))
        elif "not_in_group" in c:
            cspec = CountrySpec(not_in_group=str(c["not_in_group"]))
        elif "countries" in c and isinstance(c["countries"], list):
            cspec = CountrySpec(countries=tuple(str(x) for x in c["countries"]))
        else:
            raise RulePackError(
                origin, rid, "countries", "give exactly one of group, countries, not_in_group"
            )
    applies = r.get("applies_to", "any")
    if applies == "any":
        applies_to = None
    elif isinstance(applies, list) and all(isinstance(a, str) for a in applies):
        applies_to = tuple(applies)
    else:
        raise RulePackError(origin, rid, "applies_to", "a list of item classes or 'any'")
    mats = r.get("materials") or {}
    if not isinstance(mats, dict):
        raise RulePackError(origin, rid, "materials", "a mapping item class -> materials")
    cites = []
    for j, c in enumerate(r.get("citations") or []):
        if not isinstance(c, dict) or "title" not in c:
            raise RulePackError(origin, rid, f"citations[{j}]", "needs at least a title")
        cites.append(
            Citation(
                str(c.get("id", f"{rid}-{j}")),
                str(c["title"]),
                c.get("url"),
                _confidence(c.get("confidence", "H"), origin, rid, f"citations[{j}].confidence"),
                c.get("note"),
            )
        )
    if not cites:
        raise RulePackError(origin, rid, "citations", "at least one citation is required")
    vers = r.get("versions")
    if not isinstance(vers, list) or not vers:
        raise RulePackError(origin, rid, "versions", "at least one version is required")
    versions = tuple(_parse_version(v, kind, origin, rid, j) for j, v in enumerate(vers))
    for a in range(len(versions)):
        for b in range(a + 1, len(versions)):
            va, vb = versions[a], versions[b]
            lo_a, hi_a = va.effective_from or dt.date.min, va.effective_to or dt.date.max
            lo_b, hi_b = vb.effective_from or dt.date.min, vb.effective_to or dt.date.max
            if lo_a <= hi_b and lo_b <= hi_a:
                raise RulePackError(
                    origin, rid, "versions", f"versions {va.version} and {vb.version} overlap"
                )
    basis = r.get("year_basis", "sale")
    if basis not in ("sale", "construction-start"):
        raise RulePackError(origin, rid, "year_basis", "one of sale, construction-start")
    return RuleSpec(
        id=rid,
        title=str(r.get("title", rid)),
        kind=kind,
        pack=pack,
        origin=origin,
        confidence=_confidence(r.get("confidence", "H"), origin, rid, "confidence"),
        citations=tuple(cites),
        versions=versions,
        applies_to=applies_to,
        materials={str(k): tuple(str(m) for m in v) for k, v in mats.items()},
        metric=metric,
        countries=cspec,
        screening=str(r.get("screening", "pfe")),
        year_basis=basis,
    )


class _PackLoader(yaml.SafeLoader):
    """Safe YAML loader that leaves dates as text, so a bad date is reported with its field."""


_PackLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_pack(text: str, origin: str) -> list[RuleSpec]:
    """Rules of one pack file's text; raises :class:`RulePackError` naming the bad field."""
    try:
        doc = yaml.load(text, Loader=_PackLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RulePackError(origin, None, "-", f"not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise RulePackError(origin, None, "-", "a mapping with format, pack and rules is required")
    if doc.get("format") != PACK_FORMAT:
        raise RulePackError(origin, None, "format", f"must be {PACK_FORMAT!r}")
    pack = doc.get("pack")
    if not isinstance(pack, str):
        raise RulePackError(origin, None, "pack", "required")
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules:
        raise RulePackError(origin, None, "rules", "a non-empty list is required")
    return [_parse_rule(r, pack, origin, i) for i, r in enumerate(rules)]


def packaged_pack_files() -> list[tuple[str, str]]:
    """(name, text) of the packs shipped with derisk (``derisk/rules/packs/*.yaml``)."""
    base = resources.files("derisk.rules").joinpath("packs")
    return sorted(
        (p.name, p.read_text("utf-8")) for p in base.iterdir() if p.name.endswith(".yaml")
    )


def load_rules(extra: Iterable[Path] = ()) -> dict[str, RuleSpec]:
    """Every packaged rule plus those of ``extra`` pack files, by rule id (ids must be unique)."""
    out: dict[str, RuleSpec] = {}
    sources = [(f"packs/{n}", t) for n, t in packaged_pack_files()]
    for path in extra:
        try:
            sources.append((str(path), Path(path).read_text("utf-8")))
        except OSError as exc:
            raise RulePackError(str(path), None, "-", f"cannot read file: {exc.strerror}") from None
    for origin, text in sources:
        for rule in parse_pack(text, origin):
            if rule.id in out:
                raise RulePackError(
                    origin, rule.id, "id", f"rule id already defined in {out[rule.id].origin}"
                )
            out[rule.id] = rule
    return out


# -- evaluation: country shares --------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """Origin of one stage: traced and statistical shares by country, and the unknown share."""

    traced: Mapping[str, float]
    statistical: Mapping[str, float]
    unknown: float

    def scaled(self, w: float) -> Dist:
        return Dist(
            {c: w * v for c, v in self.traced.items()},
            {c: w * v for c, v in self.statistical.items()},
            w * self.unknown,
        )


def mix(parts: Sequence[tuple[float | None, Dist]]) -> Dist | None:
    """The weighted mixture of several origins when every weight is known, else ``None``.

    >>> d = mix([(1.0, Dist({"CHN": 1.0}, {}, 0.0)), (3.0, Dist({"AUS": 1.0}, {}, 0.0))])
    >>> dict(d.traced), d.unknown
    ({'CHN': 0.25, 'AUS': 0.75}, 0.0)
    """
    if any(w is None for w, _ in parts):
        return None
    total = sum(w for w, _ in parts if w is not None)
    if total <= 0:
        return None
    t: dict[str, float] = {}
    s: dict[str, float] = {}
    u = 0.0
    for w, d in parts:
        assert w is not None
        f = w / total
        for c, v in d.traced.items():
            t[c] = t.get(c, 0.0) + f * v
        for c, v in d.statistical.items():
            s[c] = s.get(c, 0.0) + f * v
        u += f * d.unknown
    return Dist(t, s, u)


@dataclass(frozen=True)
class Bounds:
    """Bounds on the rule's share: ``lo``/``hi`` counting only traced facts as known;
    ``stat_lo``/``stat_hi`` taking statistical shares as if they were traced."""

    lo: float
    hi: float
    stat_lo: float
    stat_hi: float


def _dist_bounds(d: Dist, cset: CountrySet, metric: str) -> Bounds:
    s_total = sum(d.statistical.values())
    if metric == "aggregate":
        lo = sum(v for c, v in d.traced.items() if c in cset)
        slo = lo + sum(v for c, v in d.statistical.items() if c in cset)
    else:
        lo = max((v for c, v in d.traced.items() if c in cset), default=0.0)
        both: dict[str, float] = dict(d.traced)
        for c, v in d.statistical.items():
            both[c] = both.get(c, 0.0) + v
        slo = max((v for c, v in both.items() if c in cset), default=0.0)
    return Bounds(lo, min(1.0, lo + s_total + d.unknown), slo, min(1.0, slo + d.unknown))


def share_bounds(
    parts: Sequence[tuple[float | None, Dist]], cset: CountrySet, metric: str
) -> Bounds:
    """Bounds on the share of ``cset`` (aggregate) or of its largest member (single).

    With unknown weights between parts, the mixture could be any convex combination: the
    aggregate share lies between the parts' extremes; for the single-country share the lower
    bound is the largest per-country minimum over parts.

    >>> covered = CountrySet(frozenset({"CHN"}))
    >>> b = share_bounds([(1.0, Dist({"CHN": 0.2}, {"CHN": 0.3}, 0.1))], covered, "aggregate")
    >>> [round(x, 6) for x in (b.lo, b.hi, b.stat_lo, b.stat_hi)]
    [0.2, 0.6, 0.5, 0.6]
    """
    if not parts:
        return Bounds(0.0, 1.0, 0.0, 1.0)
    d = mix(parts)
    if d is not None:
        return _dist_bounds(d, cset, metric)
    each = [_dist_bounds(p, cset, metric) for _, p in parts]
    hi = max(b.hi for b in each)
    shi = max(b.stat_hi for b in each)
    if metric == "aggregate":
        return Bounds(min(b.lo for b in each), hi, min(b.stat_lo for b in each), shi)
    countries = {c for _, p in parts for c in (*p.traced, *p.statistical) if c in cset}
    lo = max((min(p.traced.get(c, 0.0) for _, p in parts) for c in countries), default=0.0)
    slo = max(
        (
            min(p.traced.get(c, 0.0) + p.statistical.get(c, 0.0) for _, p in parts)
            for c in countries
        ),
        default=0.0,
    )
    return Bounds(lo, hi, slo, shi)


def stage_status(lo: float, hi: float, threshold: float) -> str:
    """``fail`` if the share certainly exceeds the threshold, ``pass`` if it certainly does not.

    >>> stage_status(0.65, 0.65, 0.65), stage_status(0.651, 0.7, 0.65), stage_status(0.0, 0.1, 0.0)
    ('pass', 'fail', 'undetermined')
    """
    if lo > threshold + TOL:
        return FAIL
    if hi <= threshold + TOL:
        return PASS
    return UNDETERMINED


def combine(statuses: Iterable[str]) -> str:
    """Verdict from stage statuses: any fail -> non-compliant; any undetermined -> indeterminate.

    >>> combine(["pass", "undetermined"]), combine(["pass", "fail", "undetermined"]), combine([])
    ('indeterminate', 'non-compliant', 'compliant')
    """
    seen = set(statuses)
    if FAIL in seen:
        return NON_COMPLIANT
    if UNDETERMINED in seen:
        return INDETERMINATE
    return COMPLIANT


def matrix_bounds(
    traced: sp.csr_matrix,
    statistical: sp.csr_matrix,
    unknown: npt.NDArray[np.float64],
    member: npt.NDArray[np.bool_],
    metric: str,
) -> tuple[npt.NDArray[np.float64], ...]:
    """:func:`share_bounds` for many single-part origins at once (rows of sparse matrices).

    ``member[c]`` says whether country column ``c`` is in the set. Returns (lo, hi, stat_lo,
    stat_hi) arrays.
    """
    mask = member.astype(np.float64)
    s_total = np.asarray(statistical.sum(axis=1)).ravel()
    if metric == "aggregate":
        lo = traced @ mask
        slo = lo + statistical @ mask
    else:
        sel = sp.diags(mask)
        lo = _row_max(traced @ sel)
        slo = _row_max((traced + statistical) @ sel)
    lo = np.asarray(lo, dtype=np.float64).ravel()
    slo = np.asarray(slo, dtype=np.float64).ravel()
    return lo, np.minimum(1.0, lo + s_total + unknown), slo, np.minimum(1.0, slo + unknown)


def _row_max(m: sp.csr_matrix) -> npt.NDArray[np.float64]:
    m = sp.csr_matrix(m)
    out = np.zeros(m.shape[0])
    nz = np.diff(m.indptr) > 0
    if nz.any():
        red = np.maximum.reduceat(m.data, m.indptr[:-1][nz]) if m.data.size else np.zeros(0)
        out[nz] = np.maximum(red, 0.0)
    return out


def matrix_status(
    lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64], threshold: float
) -> npt.NDArray[np.int8]:
    """Vector form of :func:`stage_status`: 2 fail, 1 undetermined, 0 pass."""
    out = np.where(hi <= threshold + TOL, 0, 1).astype(np.int8)
    out[lo > threshold + TOL] = 2
    return out


STATUS_CODES = {0: PASS, 1: UNDETERMINED, 2: FAIL}
VERDICT_CODES = {0: COMPLIANT, 1: INDETERMINATE, 2: NON_COMPLIANT}


# -- evaluation: material assistance cost ratio ------------------------------------------------


PFE = "pfe"
NOT_PFE = "not-pfe"
UNSCREENED = "unknown"


@dataclass(frozen=True)
class CostLine:
    cost_id: str
    amount: Fraction
    status: str  # pfe, not-pfe or unknown


@dataclass(frozen=True)
class Macr:
    total: Fraction
    pfe: Fraction
    unknown: Fraction
    lo: Fraction | None
    hi: Fraction | None


def to_fraction(x: float) -> Fraction:
    """A float read from a decimal file as the decimal it was written as (``0.1`` -> 1/10)."""
    return Fraction(repr(float(x)))


def macr(lines: Sequence[CostLine]) -> Macr:
    """``MACR = (C - C_pfe) / C``, bounded by the costs of unscreened suppliers.

    >>> m = macr([CostLine("a", Fraction(60), "not-pfe"), CostLine("b", Fraction(30), "pfe"),
    ...           CostLine("c", Fraction(10), "unknown")])
    >>> m.lo, m.hi
    (Fraction(3, 5), Fraction(7, 10))
    """
    total = sum((ln.amount for ln in lines), Fraction(0))
    pfe = sum((ln.amount for ln in lines if ln.status == PFE), Fraction(0))
    unk = sum((ln.amount for ln in lines if ln.status not in (PFE, NOT_PFE)), Fraction(0))
    if total <= 0:
        return Macr(total, pfe, unk, None, None)
    return Macr(total, pfe, unk, (total - pfe - unk) / total, (total - pfe) / total)


def macr_verdict(m: Macr, threshold: Fraction) -> str:
    """``compliant`` when the ratio is at least the threshold whatever the unknowns are.

    >>> macr_verdict(macr([CostLine("a", Fraction(6), "not-pfe"),
    ...                    CostLine("b", Fraction(4), "pfe")]), Fraction(3, 5))
    'compliant'
    """
    if threshold == 0:
        return COMPLIANT
    if m.lo is None or m.hi is None:
        return INDETERMINATE
    if m.lo >= threshold:
        return COMPLIANT
    if m.hi < threshold:
        return NON_COMPLIANT
    return INDETERMINATE
