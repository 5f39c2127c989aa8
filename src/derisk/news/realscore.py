"""Scoring proposed events against hand labels of real published articles.

The labelled set is a JSON Lines file (``benchmarks/news_real/labels.jsonl``): one article a
line, keyed by URL, with the SHA-256 of the article text, its publication date, its split
(``dev`` or ``test``) and its events ``[{"type", "fields"}]``. The article texts live outside
the repository, one ``<id>.json`` file each (``{id, url, title, published, text, ...}``).

**Matching.** Within one article, a prediction matches a label when the type is equal and
every key field (:data:`KEY_FIELDS`) agrees. Each label takes at most one prediction: among
the candidates, the one that agrees on the most other fields. A prediction left over whose
type and key equal a label's of the same article restates that event (a *duplicate*); it is
reported, and counted as a false positive only in the strict precision. Every other left-over
prediction is a false positive; every unmatched label a false negative::

    precision = tp / (tp + fp)        precision_strict = tp / (tp + fp + duplicates)
    recall    = tp / (tp + fn)

**Agreement.** Organisations agree when both link to the same graph entity, or when their
names are equal without case, punctuation and legal form (``"Korea Zinc Co., Ltd."`` and
``korea-zinc``), or when one is the other's head: ``"BHP"`` for ``"BHP Group"``,
``"Arafura"`` for ``"Arafura Rare Earths"`` (a head of at least four letters that is not a
place or a common word such as "China" or "General"); a leading "U.S." is ignored.
Numbers agree within a relative 1e-6. Dates, units, currencies and ISO codes agree when equal
as text.

**Field accuracy.** Over matched pairs only: for each non-key field the label states, the
share of pairs whose prediction states the same value. A value the prediction states and
the label does not is counted as *spurious*. Groups: dates (``date``, ``start``, ``expiry``)
and numbers (``percent``, ``amount``, ``quantity``, ``capacity``, ``unit``).

**Calibration.** Each non-duplicate prediction is right (it matched) or wrong; per
confidence bin the share right; for a threshold ``T`` (``--auto-accept T``) the predictions
with confidence ≥ T, how many are right, and their precision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derisk.news.events import KEY_FIELDS as DERISK_KEY_FIELDS
from derisk.news.lexicon import Lexicon, name_key

SCHEMA = "derisk.bench.news_real/1"

EXTRA_KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "loan": ("lender", "borrower"),
    "grant": ("grantor", "recipient"),
    "acquisition": ("acquirer", "target"),
    "price_floor": ("issuer", "material"),
    "joint_venture": ("partners",),
    "shipment_halt": ("company", "destination"),
}
"""Key fields of event types that real text states and derisk does not produce (yet)."""

KEY_FIELDS: dict[str, tuple[str, ...]] = {**EXTRA_KEY_FIELDS, **DERISK_KEY_FIELDS}

ORG_FIELDS = frozenset(
    {
        "acquirer",
        "target",
        "investor",
        "supplier",
        "buyer",
        "exporter",
        "company",
        "issuer",
        "lender",
        "borrower",
        "grantor",
        "recipient",
    }
)
GENERIC_NAME_WORDS = frozenset(
    {
        "group",
        "holding",
        "holdings",
        "corp",
        "corporation",
        "co",
        "company",
        "limited",
        "ltd",
        "inc",
        "plc",
        "sa",
        "se",
        "ag",
        "nv",
        "bv",
        "llc",
        "lp",
        "international",
    }
)
"""Words that may follow an organisation's name or not: "BHP Group" is "BHP"."""
VAGUE_HEADS = frozenset(
    {
        "china",
        "chinese",
        "korea",
        "korean",
        "japan",
        "japanese",
        "australia",
        "australian",
        "america",
        "american",
        "united",
        "national",
        "state",
        "general",
        "global",
        "international",
        "first",
        "north",
        "south",
        "east",
        "west",
        "western",
        "northern",
        "southern",
        "eastern",
        "central",
        "royal",
        "great",
    }
)
"""First words too common to identify an organisation when the rest of its name is missing."""
DATE_FIELDS = ("date", "start", "expiry")
NUMBER_FIELDS = ("percent", "amount", "quantity", "capacity", "unit")
"""A facility's ``unit`` belongs to its ``capacity``: both are counted, as a quantity and its
unit are (before, the unit was counted and the capacity it qualifies was not)."""
BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.6),
    (0.6, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 1.01),
)


class LabelError(ValueError):
    """A labels file or corpus file that cannot be read; the message names file and line."""


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    url: str
    sha256: str
    published: dt.date
    split: str
    events: tuple[dict[str, Any], ...]
    kind: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    dup: int = 0

    @property
    def precision(self) -> float | None:
        n = self.tp + self.fp
        return self.tp / n if n else None

    @property
    def precision_strict(self) -> float | None:
        n = self.tp + self.fp + self.dup
        return self.tp / n if n else None

    @property
    def recall(self) -> float | None:
        n = self.tp + self.fn
        return self.tp / n if n else None

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.dup += other.dup

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "duplicates": self.dup,
            "precision": _r(self.precision),
            "precision_strict": _r(self.precision_strict),
            "recall": _r(self.recall),
        }


@dataclass
class FieldCounts:
    labelled: int = 0
    correct: int = 0
    spurious: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    def add(self, other: FieldCounts) -> None:
        self.labelled += other.labelled
        self.correct += other.correct
        self.spurious += other.spurious

    def as_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "correct": self.correct,
            "spurious": self.spurious,
            "accuracy": _r(self.accuracy),
        }


@dataclass
class Report:
    articles: int = 0
    no_event_articles: int = 0
    no_event_clean: int = 0
    by_type: dict[str, Counts] = field(default_factory=dict)
    by_field: dict[str, dict[str, FieldCounts]] = field(default_factory=dict)
    scored: list[tuple[float, bool]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)
    wrong_fields: list[dict[str, Any]] = field(default_factory=list)

    def overall(self, types: Iterable[str] | None = None) -> Counts:
        keep = set(types) if types is not None else None
        c = Counts()
        for t, tc in self.by_type.items():
            if keep is None or t in keep:
                c.add(tc)
        return c

    def field_totals(self, names: Sequence[str], etype: str | None = None) -> FieldCounts:
        out = FieldCounts()
        for t, per in self.by_field.items():
            if etype is not None and t != etype:
                continue
            for name in names:
                if name in per:
                    out.add(per[name])
        return out

    def calibration(self) -> list[dict[str, Any]]:
        rows = []
        for lo, hi in BINS:
            inside = [ok for c, ok in self.scored if lo <= c < hi]
            rows.append(
                {
                    "bin": [lo, min(hi, 1.0)],
                    "predictions": len(inside),
                    "right": sum(inside),
                    "accuracy": _r(sum(inside) / len(inside)) if inside else None,
                }
            )
        return rows

    def auto_accept(self, threshold: float) -> dict[str, Any]:
        acc = [ok for c, ok in self.scored if c >= threshold]
        return {
            "threshold": threshold,
            "accepted": len(acc),
            "right": sum(acc),
            "precision": _r(sum(acc) / len(acc)) if acc else None,
            "meets_target": (sum(acc) / len(acc) >= threshold) if acc else None,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# --------------------------------------------------------------------------- reading
def read_labels(path: Path) -> list[LabelledArticle]:
    """The labelled articles of a JSON Lines file; a bad line raises :class:`LabelError`."""
    out: list[LabelledArticle] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelError(f"{where}: not JSON ({exc.msg})") from None
            for k in ("id", "url", "sha256", "published", "split", "events"):
                if k not in row:
                    raise LabelError(f"{where}: field {k!r} missing")
            if row["split"] not in ("dev", "test"):
                raise LabelError(f"{where}: field 'split' must be dev or test")
            try:
                published = dt.date.fromisoformat(row["published"])
            except ValueError:
                raise LabelError(f"{where}: field 'published' is not YYYY-MM-DD") from None
            for i, ev in enumerate(row["events"]):
                if not isinstance(ev, dict) or "type" not in ev or "fields" not in ev:
                    raise LabelError(f"{where}: events[{i}] needs 'type' and 'fields'")
                missing = [k for k in KEY_FIELDS.get(ev["type"], ()) if k not in ev["fields"]]
                if ev["type"] not in KEY_FIELDS:
                    raise LabelError(f"{where}: events[{i}]: unknown type {ev['type']!r}")
                if missing:
                    raise LabelError(f"{where}: events[{i}]: key field(s) {missing} missing")
            if row["id"] in seen:
                raise LabelError(f"{where}: duplicate id {row['id']!r}")
            seen.add(row["id"])
            out.append(
                LabelledArticle(
                    row["id"],
                    row["url"],
                    row["sha256"],
                    published,
                    row["split"],
                    tuple(row["events"]),
                    row.get("kind", ""),
                )
            )
    return out


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_corpus_files(corpus: Path) -> dict[str, Path]:
    """``<id>.json`` files anywhere under ``corpus``, by id."""
    if not corpus.is_dir():
        raise LabelError(f"{corpus}: corpus folder not found")
    return {p.stem: p for p in sorted(corpus.rglob("*.json"))}


def read_article(path: Path, label: LabelledArticle) -> dict[str, Any]:
    """A corpus article, checked against its label (URL and text hash)."""
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LabelError(f"{path}: unreadable article ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
        raise LabelError(f"{path}: field 'text' missing")
    if doc.get("url") != label.url:
        raise LabelError(f"{path}: url differs from the label's ({label.url})")
    if text_sha(doc["text"]) != label.sha256:
        raise LabelError(f"{path}: text differs from the labelled text (sha256)")
    return doc


# --------------------------------------------------------------------------- matching
def canonical(name: str, value: Any, lexicon: Lexicon | None) -> Any:
    """The comparable form of a field value (organisations linked through ``lexicon``)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    s = str(value).strip()
    if name in ORG_FIELDS:
        if lexicon is not None:
            if s in lexicon.entities:
                return s
            ms = lexicon.mentions(s)
            if len(ms) == 1 and ms[0].id is not None and len(ms[0].text) >= 0.6 * len(s):
                return ms[0].id
        if len(s) == 3 and s.isupper():
            return s
        return name_key(s)
    return s


def agree(name: str, a: Any, b: Any, lexicon: Lexicon | None = None) -> bool:
    """Prediction value ``a`` and label value ``b`` of field ``name`` agree.

    >>> agree("percent", 5, 5.0), agree("acquirer", "Korea Zinc Co., Ltd.", "korea zinc")
    (True, True)
    """
    ca, cb = canonical(name, a, lexicon), canonical(name, b, lexicon)
    if ca is None or cb is None:
        return ca is cb
    if isinstance(ca, float) and isinstance(cb, float):
        return abs(ca - cb) <= 1e-6 * max(1.0, abs(cb))
    if ca == cb:
        return True
    if name in ORG_FIELDS and isinstance(ca, str) and isinstance(cb, str):
        return _same_org_name(ca.lower(), cb.lower())
    return False


def _drop_lead(tokens: list[str]) -> list[str]:
    """Name tokens without a leading "the", "U.S." or "United States" ("u-s-department-of-energy",
    "united-states-department-of-energy")."""
    for lead in (["the"], ["u", "s"], ["us"], ["united", "states"]):
        if tokens[: len(lead)] == lead and len(tokens) > len(lead):
            tokens = tokens[len(lead) :]
    return tokens


def _same_org_name(a: str, b: str) -> bool:
    """Name keys equal but for trailing words: generic ones ("bhp" and "bhp-group"), or any
    when the shorter name is a distinctive head ("arafura" and "arafura-rare-earth")."""
    ta, tb = _drop_lead(a.split("-")), _drop_lead(b.split("-"))
    if ta == tb:
        return True
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if not short or not short[0] or long_[: len(short)] != short:
        return False
    if all(w in GENERIC_NAME_WORDS for w in long_[len(short) :]):
        return True
    return len(short[0]) >= 4 and short[0] not in VAGUE_HEADS


def _key_equal(p: Mapping[str, Any], g: Mapping[str, Any], lexicon: Lexicon | None) -> bool:
    if p["type"] != g["type"]:
        return False
    return all(
        agree(k, p["fields"].get(k), g["fields"].get(k), lexicon) for k in KEY_FIELDS[g["type"]]
    )


def _agreement(p: Mapping[str, Any], g: Mapping[str, Any], lexicon: Lexicon | None) -> int:
    return sum(agree(k, p["fields"].get(k), v, lexicon) for k, v in g["fields"].items())


def match(
    predicted: Sequence[Mapping[str, Any]],
    labelled: Sequence[Mapping[str, Any]],
    lexicon: Lexicon | None = None,
) -> tuple[list[tuple[int, int]], list[int]]:
    """``(pairs, duplicates)``: (prediction, label) index pairs, and the indices of left-over
    predictions that restate a labelled event (see the module docstring)."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(labelled):
        cands = [
            pi for pi, p in enumerate(predicted) if pi not in used and _key_equal(p, g, lexicon)
        ]
        if cands:
            best = max(cands, key=lambda pi: (_agreement(predicted[pi], g, lexicon), -pi))
            pairs.append((best, gi))
            used.add(best)
    dups = [
        pi
        for pi, p in enumerate(predicted)
        if pi not in used and any(_key_equal(p, g, lexicon) for g in labelled)
    ]
    return pairs, dups


def score_article(
    report: Report,
    predicted: Sequence[Mapping[str, Any]],
    labelled: Sequence[Mapping[str, Any]],
    article_id: str = "",
    lexicon: Lexicon | None = None,
) -> None:
    """Add one article's predictions (``{"type", "fields", "confidence", "sentence"}``)."""
    report.articles += 1
    if not labelled:
        report.no_event_articles += 1
        if not predicted:
            report.no_event_clean += 1
    pairs, dups = match(predicted, labelled, lexicon)
    matched_p = {p for p, _ in pairs}
    matched_g = {g for _, g in pairs}
    for p in predicted:
        report.by_type.setdefault(p["type"], Counts())
    for g in labelled:
        report.by_type.setdefault(g["type"], Counts())
    for pi, p in enumerate(predicted):
        c = report.by_type[p["type"]]
        conf = float(p.get("confidence", 0.0))
        if pi in matched_p:
            c.tp += 1
            report.scored.append((conf, True))
        elif pi in dups:
            c.dup += 1
        else:
            c.fp += 1
            report.scored.append((conf, False))
            report.extras.append({"article": article_id, **p})
    for gi, g in enumerate(labelled):
        if gi not in matched_g:
            report.by_type[g["type"]].fn += 1
            report.misses.append({"article": article_id, **g})
    for pi, gi in pairs:
        p, g = predicted[pi], labelled[gi]
        per = report.by_field.setdefault(g["type"], {})
        keys = set(KEY_FIELDS[g["type"]])
        for k, v in g["fields"].items():
            if k in keys:
                continue
            fc = per.setdefault(k, FieldCounts())
            fc.labelled += 1
            if agree(k, p["fields"].get(k), v, lexicon):
                fc.correct += 1
            else:
                report.wrong_fields.append(
                    {
                        "article": article_id,
                        "type": g["type"],
                        "field": k,
                        "label": v,
                        "predicted": p["fields"].get(k),
                    }
                )
        for k, v in p["fields"].items():
            if k not in keys and k not in g["fields"] and v is not None:
                per.setdefault(k, FieldCounts()).spurious += 1


# --------------------------------------------------------------------------- summary
def summary(
    report: Report,
    derisk_types: Iterable[str],
    auto_accept: float,
) -> dict[str, Any]:
    """The report as the JSON object of :data:`SCHEMA` (without run metadata)."""
    dtypes = list(derisk_types)
    fields: dict[str, dict[str, Any]] = {}
    for t, per in sorted(report.by_field.items()):
        fields[t] = {k: fc.as_dict() for k, fc in sorted(per.items())}
    return {
        "articles": report.articles,
        "no_event_articles": report.no_event_articles,
        "no_event_articles_without_prediction": report.no_event_clean,
        "overall": report.overall().as_dict(),
        "overall_derisk_types": report.overall(dtypes).as_dict(),
        "by_type": {t: c.as_dict() for t, c in sorted(report.by_type.items())},
        "types_derisk_lacks": sorted(t for t in report.by_type if t not in dtypes),
        "fields": fields,
        "dates": report.field_totals(DATE_FIELDS).as_dict(),
        "numbers": report.field_totals(NUMBER_FIELDS).as_dict(),
        "dates_by_type": {
            t: report.field_totals(DATE_FIELDS, t).as_dict() for t in sorted(report.by_field)
        },
        "numbers_by_type": {
            t: report.field_totals(NUMBER_FIELDS, t).as_dict() for t in sorted(report.by_field)
        },
        "calibration": report.calibration(),
        "auto_accept": report.auto_accept(auto_accept),
    }
