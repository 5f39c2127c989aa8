"""Scoring extracted events against a labelled set of articles.

A predicted event *matches* a labelled one of the same article when the type is the same
and every key field (:data:`derisk.news.events.KEY_FIELDS`) is equal; each labelled event
matches at most one prediction. Per event type::

    precision = matched / predicted,   recall = matched / labelled

Per field, over all events: a field value is a true positive when a matched pair agrees on
it, a false positive when a prediction carries it otherwise, a false negative when a label
carries it and no matched prediction agrees. Numbers agree within a relative 1e-6; names of
organisations not in the graph agree when equal without case, punctuation and legal form.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derisk.news.articles import RawDoc, extract, read_paths
from derisk.news.events import EVENT_TYPES, KEY_FIELDS
from derisk.news.lexicon import Lexicon, name_key
from derisk.news.pipeline import Analysis, analyze


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        n = self.tp + self.fp
        return self.tp / n if n else None

    @property
    def recall(self) -> float | None:
        n = self.tp + self.fn
        return self.tp / n if n else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
        }


@dataclass
class Report:
    by_type: dict[str, Counts] = field(default_factory=dict)
    by_field: dict[str, Counts] = field(default_factory=dict)
    noise_events: list[dict[str, Any]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)
    articles: int = 0

    @property
    def overall(self) -> Counts:
        c = Counts()
        for t in self.by_type.values():
            c.tp, c.fp, c.fn = c.tp + t.tp, c.fp + t.fp, c.fn + t.fn
        return c


def values_equal(a: Any, b: Any) -> bool:
    """Label and prediction agree (see the module docstring).

    >>> values_equal(85e6, 85000000), values_equal("Kibara Graphite Ltd", "kibara graphite")
    (True, True)
    """
    if a is None or b is None:
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    sa, sb = str(a), str(b)
    if sa == sb:
        return True
    return name_key(sa) == name_key(sb)


def _norm(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def match(
    predicted: Sequence[dict[str, Any]], labelled: Sequence[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Pairs (prediction index, label index) with equal type and key fields, greedily."""
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for gi, g in enumerate(labelled):
        for pi, p in enumerate(predicted):
            if pi in used or p["type"] != g["type"]:
                continue
            if all(
                values_equal(_norm(p["fields"].get(k)), g["fields"].get(k))
                for k in KEY_FIELDS[g["type"]]
            ):
                pairs.append((pi, gi))
                used.add(pi)
                break
    return pairs


def score(
    report: Report,
    predicted: Sequence[dict[str, Any]],
    labelled: Sequence[dict[str, Any]],
    article_id: str = "",
    noise: Iterable[str] = (),
) -> None:
    """Add one article's predictions (``{"type", "fields", "sentence"}``) to ``report``."""
    report.articles += 1
    pairs = match(predicted, labelled)
    mp = {p for p, _ in pairs}
    mg = {g for _, g in pairs}
    for t in EVENT_TYPES:
        report.by_type.setdefault(t, Counts())
    for pi, _ in pairs:
        report.by_type[predicted[pi]["type"]].tp += 1
    for i, pred in enumerate(predicted):
        if i not in mp:
            report.by_type[pred["type"]].fp += 1
            report.extras.append({"article": article_id, **pred})
    for i, gold in enumerate(labelled):
        if i not in mg:
            report.by_type[gold["type"]].fn += 1
            report.misses.append({"article": article_id, **gold})
    pair_of = dict(pairs)
    for i, pred in enumerate(predicted):
        match_gold = labelled[pair_of[i]] if i in pair_of else None
        for k, v in pred["fields"].items():
            c = report.by_field.setdefault(k, Counts())
            if match_gold is not None and values_equal(_norm(v), match_gold["fields"].get(k)):
                c.tp += 1
            else:
                c.fp += 1
    for gi, gold in enumerate(labelled):
        found = next((pi for pi, q in pairs if q == gi), None)
        for k, v in gold["fields"].items():
            ok = found is not None and values_equal(_norm(predicted[found]["fields"].get(k)), v)
            if not ok:
                report.by_field.setdefault(k, Counts()).fn += 1
    flat_noise = [" ".join(n.split()).lower() for n in noise]
    for pred in predicted:
        sent = " ".join(pred["sentence"].split()).lower()
        if any(sent in n or n in sent for n in flat_noise if len(n) > 20):
            report.noise_events.append({"article": article_id, **pred})


def lexicon_from_csv(path: Path) -> Lexicon:
    """A lexicon from an entities CSV in the derisk format (the bundled ``entities.csv``)."""
    with path.open(encoding="utf-8") as fh:
        rows = [
            (r["entity_id"], r["kind"], r["name"], r.get("aliases") or None)
            for r in csv.DictReader(fh)
        ]
    return Lexicon.build(rows)


def load_labelled(labels: Path) -> list[dict[str, Any]]:
    """The labelled articles, each with its raw document under ``"doc"``."""
    doc = json.loads(labels.read_text("utf-8"))
    base = labels.parent
    feeds: dict[str, list[RawDoc]] = {}
    out = []
    for a in doc["articles"]:
        where: str = a["input"]
        if "#" in where:
            fname, line = where.split("#")
            if fname not in feeds:
                feeds[fname] = list(read_paths([base / fname]))
            raw = next(d for d in feeds[fname] if d.origin.endswith(f"#{line}"))
        else:
            raw = next(iter(read_paths([base / where])))
        out.append({**a, "doc": raw})
    return out


def evaluate(
    articles: Sequence[dict[str, Any]], lexicon: Lexicon, split: str | None = None
) -> tuple[Report, list[Analysis]]:
    """Extract and score every labelled article (of one split, if given)."""
    report = Report()
    analyses = []
    for a in articles:
        if split is not None and a["split"] != split:
            continue
        analysis = analyze(extract(a["doc"]), lexicon)
        analyses.append(analysis)
        predicted = [
            {
                "type": e.type,
                "fields": {k: _norm(v) for k, v in e.fields.items()},
                "sentence": e.sentence,
            }
            for e in analysis.events
        ]
        score(report, predicted, a["events"], a["id"], a.get("noise", []))
    return report, analyses
