"""The labelled news set: the extractor meets the issue's quality targets.

Scores come from comparing the extractor's output with the hand-written labels in
``tests/data/news/labels.json`` (see ``derisk.news.evaluation``); nothing here is a stored
result. Targets: overall precision >= 0.85 and recall >= 0.75 on events with correct type
and key fields, and no event drawn from a related-article teaser or a comment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derisk.data.loader import bundled_dir
from derisk.news.evaluation import Report, evaluate, lexicon_from_csv, load_labelled, score

LABELS = Path(__file__).parent / "data" / "news" / "labels.json"


@pytest.fixture(scope="module")
def report() -> Report:
    rep, _ = evaluate(load_labelled(LABELS), lexicon_from_csv(bundled_dir() / "entities.csv"))
    return rep


def test_overall_precision_and_recall(report: Report) -> None:
    o = report.overall
    assert report.articles >= 40
    assert o.precision is not None and o.precision >= 0.85, report.extras
    assert o.recall is not None and o.recall >= 0.75, report.misses


def test_every_event_type_is_found(report: Report) -> None:
    for etype, c in report.by_type.items():
        assert c.tp > 0, etype


def test_no_event_from_teasers_or_comments(report: Report) -> None:
    assert report.noise_events == []


def test_scoring_counts_mismatches() -> None:
    """The scorer itself: a wrong key field is a false positive and a false negative."""
    rep = Report()
    gold = [{"type": "stake_acquisition", "fields": {"acquirer": "a", "target": "b", "percent": 5}}]
    pred = [
        {
            "type": "stake_acquisition",
            "fields": {"acquirer": "a", "target": "c", "percent": 5},
            "sentence": "A bought 5% of C.",
        }
    ]
    score(rep, pred, gold, "x", noise=["A bought 5% of C. in a teaser"])
    c = rep.by_type["stake_acquisition"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)
    assert rep.by_field["percent"].fp == 1 and rep.by_field["percent"].fn == 1
    assert len(rep.noise_events) == 1
