"""The real-article scorer: reading labels and corpus files, matching, field accuracy,
calibration, and the benchmark script end to end on a tiny corpus written for this test."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from derisk.data.loader import bundled_dir
from derisk.news.evaluation import lexicon_from_csv
from derisk.news.realscore import (
    LabelError,
    Report,
    agree,
    match,
    read_article,
    read_labels,
    score_article,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]


def ev(etype: str, conf: float = 0.7, **fields: Any) -> dict[str, Any]:
    return {"type": etype, "fields": fields, "confidence": conf, "sentence": ""}


@pytest.fixture(scope="module")
def lexicon():  # type: ignore[no-untyped-def]
    return lexicon_from_csv(bundled_dir() / "entities.csv")


def test_agree_links_names_to_graph_ids_and_ignores_legal_form(lexicon) -> None:  # type: ignore[no-untyped-def]
    assert agree("acquirer", "korea-zinc", "Korea Zinc", lexicon)
    assert agree("acquirer", "Korea Zinc Co., Ltd.", "korea-zinc", lexicon)
    assert agree("company", "BHP Group", "BHP", lexicon)
    assert not agree("company", "BHP Billiton Nickel", "BHP", lexicon)
    assert agree("supplier", "Arafura", "Arafura Rare Earths Limited", lexicon)
    assert agree("grantor", "US Department of Energy", "Department of Energy", lexicon)
    assert not agree("supplier", "China", "China Minmetals Rare Earth", lexicon)
    assert not agree("buyer", "General Motors", "General Electric", lexicon)
    assert not agree("acquirer", "korea-zinc", "young-poong", lexicon)
    assert agree("percent", 5, 5.0) and not agree("percent", 5, 15)
    assert agree("amount", 85000000.0, 85e6) and not agree("amount", 85.2e6, 85e6)
    assert agree("date", "2025-06-16", "2025-06-16") and not agree("date", None, "2025-06-16")
    assert agree("issuer", "CHN", "CHN") and not agree("issuer", "CHN", "USA")


def test_match_prefers_the_candidate_agreeing_on_more_fields_and_flags_restatements() -> None:
    labels = [
        ev(
            "export_restriction",
            issuer="CHN",
            action="imposed",
            material="gallium",
            start="2023-08-01",
        )
    ]
    preds = [
        ev(
            "export_restriction",
            issuer="CHN",
            action="imposed",
            material="gallium",
            start="2023-07-03",
        ),
        ev(
            "export_restriction",
            issuer="CHN",
            action="imposed",
            material="gallium",
            start="2023-08-01",
        ),
        ev("export_restriction", issuer="CHN", action="lifted", material="gallium"),
    ]
    pairs, dups = match(preds, labels)
    assert pairs == [(1, 0)]
    assert dups == [0]


def test_score_counts_types_fields_duplicates_and_no_event_articles() -> None:
    rep = Report()
    labels = [
        ev(
            "stake_acquisition",
            acquirer="Alpha Metals",
            target="Beta Mining",
            percent=5,
            amount=10e6,
            currency="USD",
            date="2025-01-07",
        ),
        ev(
            "offtake",
            supplier="Beta Mining",
            buyer="Gamma Cells",
            material="lithium",
            quantity=3000,
            unit="t/yr",
        ),
    ]
    preds = [
        ev(
            "stake_acquisition",
            0.85,
            acquirer="Alpha Metals Ltd",
            target="Beta Mining",
            percent=5.0,
            amount=1e6,
            currency="USD",
            date="2025-01-07",
        ),
        ev("stake_acquisition", 0.85, acquirer="Alpha Metals", target="Beta Mining"),
        # buyer and supplier swapped: not a match
        ev("offtake", 0.65, supplier="Gamma Cells", buyer="Beta Mining", material="lithium"),
    ]
    score_article(rep, preds, labels, "a1")
    score_article(rep, [], [], "a2")
    score_article(rep, [ev("facility", 0.9, company="Delta", action="opening")], [], "a3")
    s = rep.by_type["stake_acquisition"]
    assert (s.tp, s.fp, s.fn, s.dup) == (1, 0, 0, 1)
    o = rep.by_type["offtake"]
    assert (o.tp, o.fp, o.fn) == (0, 1, 1)
    assert rep.by_type["facility"].fp == 1
    assert rep.overall().precision == pytest.approx(1 / 3)
    assert rep.overall().precision_strict == pytest.approx(1 / 4)
    assert rep.overall().recall == pytest.approx(1 / 2)
    f = rep.by_field["stake_acquisition"]
    assert (f["percent"].correct, f["amount"].correct, f["date"].correct) == (1, 0, 1)
    out = summary(rep, ("stake_acquisition", "offtake", "facility"), 0.8)
    assert out["numbers"] == {"labelled": 2, "correct": 1, "spurious": 0, "accuracy": 0.5}
    assert out["dates"]["accuracy"] == 1.0
    assert (out["no_event_articles"], out["no_event_articles_without_prediction"]) == (2, 1)
    # calibration: the duplicate is left out; 0.85 right, 0.65 wrong, 0.9 wrong
    assert out["auto_accept"] == {
        "threshold": 0.8,
        "accepted": 2,
        "right": 1,
        "precision": 0.5,
        "meets_target": False,
    }
    bins = {tuple(r["bin"]): r["predictions"] for r in out["calibration"]}
    assert bins[(0.8, 0.9)] == 1 and bins[(0.6, 0.7)] == 1 and bins[(0.9, 1.0)] == 1


def _write_corpus(tmp: Path, text: str, sha: str | None = None) -> tuple[Path, Path]:
    corpus = tmp / "corpus" / "dev"
    corpus.mkdir(parents=True)
    url = "https://news.example/alpha-beta"
    (corpus / "t1.json").write_text(
        json.dumps(
            {"id": "t1", "url": url, "title": None, "published": "2025-01-08", "text": text}
        ),
        "utf-8",
    )
    labels = tmp / "labels.jsonl"
    row = {
        "id": "t1",
        "url": url,
        "published": "2025-01-08",
        "split": "dev",
        "sha256": sha or hashlib.sha256(text.encode()).hexdigest(),
        "events": [
            {
                "type": "stake_acquisition",
                "fields": {
                    "acquirer": "korea-zinc",
                    "target": "tmc-the-metals-company",
                    "percent": 5,
                },
            }
        ],
    }
    labels.write_text(json.dumps(row) + "\n", "utf-8")
    return tmp / "corpus", labels


def test_read_labels_and_article_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "url": "u", "sha256": "s", "published": "2025-13-01", '
        '"split": "dev", "events": []}\n',
        "utf-8",
    )
    with pytest.raises(LabelError, match=r"bad.jsonl:1: field 'published'"):
        read_labels(bad)
    bad.write_text(
        '{"id": "x", "url": "u", "sha256": "s", "published": "2025-01-01", '
        '"split": "dev", "events": [{"type": "offtake", "fields": {"buyer": "B"}}]}\n',
        "utf-8",
    )
    with pytest.raises(LabelError, match=r"key field\(s\) \['supplier'\] missing"):
        read_labels(bad)
    corpus, labels = _write_corpus(tmp_path, "Some text.", sha="0" * 64)
    (lab,) = read_labels(labels)
    with pytest.raises(LabelError, match="differs from the labelled text"):
        read_article(corpus / "dev" / "t1.json", lab)


def test_benchmark_script_scores_a_corpus_folder(tmp_path: Path) -> None:
    text = (
        "Korea Zinc said on Tuesday it had bought a 5% stake in TMC the metals company "
        "for $85 million."
    )
    corpus, labels = _write_corpus(tmp_path, text)
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "news_real_eval.py"),
            "--corpus",
            str(corpus),
            "--labels",
            str(labels),
            "--split",
            "all",
            "--repeat",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["schema"] == "derisk.bench.news_real/1"
    assert out["articles"] == 1 and out["missing_articles"] == []
    st = out["by_type"]["stake_acquisition"]
    assert st["tp"] + st["fn"] == 1
    assert out["throughput"]["articles"] == 1
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "news_real_eval.py"),
            "--corpus",
            str(tmp_path / "nowhere"),
            "--labels",
            str(labels),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert res.returncode == 2 and "corpus folder not found" in res.stderr


def test_committed_labels_are_valid_and_split_by_url_hash() -> None:
    labels = read_labels(ROOT / "benchmarks" / "news_real" / "labels.jsonl")
    assert len(labels) >= 150
    assert len({a.url for a in labels}) == len(labels)
    for a in labels:
        parity = int(hashlib.sha256(a.url.encode()).hexdigest(), 16) % 2
        assert a.split == ("dev" if parity == 0 else "test"), a.id
        assert len(a.sha256) == 64
    assert sum(1 for a in labels if not a.events) >= 25
    assert {a.split for a in labels} == {"dev", "test"}


def test_benchmark_scores_a_derisk_without_the_scoring_module(tmp_path: Path) -> None:
    """The scorer can measure an older derisk (its scoring module loaded from this checkout)."""
    old = tmp_path / "old"
    shutil.copytree(ROOT / "src" / "derisk", old / "derisk")
    (old / "derisk" / "news" / "realscore.py").unlink()
    corpus, labels = _write_corpus(tmp_path, "Korea Zinc bought a 5% stake in TMC.")
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "news_real_eval.py"),
            "--corpus",
            str(corpus),
            "--labels",
            str(labels),
            "--split",
            "dev",
            "--repeat",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(old)},
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["articles"] == 1
