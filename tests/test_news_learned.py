"""scripts/news_learned_experiment.py (experiment ML11): features, the alignment of labelled
events to sentences, deterministic training, and a run on a tiny corpus written here that
never reads the test half."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from derisk.data.loader import bundled_dir
from derisk.news.evaluation import lexicon_from_csv
from derisk.news.lexicon import Lexicon, Mention

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "news_learned_experiment.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("news_learned_experiment", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses resolve their annotations there
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def exp() -> ModuleType:
    return _load()


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return lexicon_from_csv(bundled_dir() / "entities.csv")


def test_names_and_numbers_become_their_kind(exp: ModuleType) -> None:
    text = "Ruritan Metals shut its nickel smelter in 2024 after losing $12 million."
    at = text.index("nickel")
    org = Mention(0, 14, "Ruritan Metals", "company", None, "new")
    mat = Mention(at, at + 6, "nickel", "material", "nickel")
    assert exp.tokens(text, [org, mat]) == [
        "ORG",
        "shut",
        "its",
        "MAT",
        "smelter",
        "in",
        "YEAR",
        "after",
        "losing",
        "MONEY",
    ]


def test_features_are_hashed_into_the_table_once_each(exp: ModuleType) -> None:
    feats = exp.features("The mine closed. The mine closed.", [], 3)
    assert feats[:2] == ["bias", "pos3"]
    assert feats.count("u:mine") == 1  # a repeated word is one feature
    h = exp.hashed(feats)
    assert len(h) == len(set(h.tolist())) and int(h.max()) < 2**exp.BITS


def test_the_sentence_holding_the_parties_and_sum_is_the_aligned_one(
    exp: ModuleType, lexicon: Lexicon
) -> None:
    texts = [
        "Prices of lithium fell again this quarter.",
        "Ruritan Metals bought a 12% stake in Zembla Lithium for $40 million.",
        "Zembla Lithium runs one mine.",
    ]
    sents = [exp.Sentence(t, i, tuple(lexicon.mentions(t))) for i, t in enumerate(texts)]
    stake = {
        "type": "stake_acquisition",
        "fields": {
            "acquirer": "Ruritan Metals",
            "target": "Zembla Lithium",
            "percent": 12,
            "amount": 40000000,
        },
    }
    assert exp.aligned(sents, stake, lexicon) == [1]
    # a sentence naming one party only scores below 3: no sentence is aligned
    assert exp.aligned(sents[2:], stake, lexicon) == []


def test_training_is_deterministic_and_learns_a_separable_word(exp: ModuleType) -> None:
    rows = [exp.hashed(exp.features(t, [], 0)) for t in ("a mine closed", "prices fell")] * 3
    y = [1, 0] * 3
    w1, b1 = exp.train_one(rows, y)
    w2, b2 = exp.train_one(rows, y)
    assert np.array_equal(w1, w2) and b1 == b2
    closed = exp.hashed(["u:closed"])
    fell = exp.hashed(["u:fell"])
    assert w1[closed].sum() > 0 > w1[fell].sum()


# A tiny corpus of our own: three training articles (development half, collections 1-2), one
# validation article (collection 6), one development article of a later collection (not read)
# and one test-half article whose stored text does not match its label, so that reading it
# would fail.
ARTICLES: tuple[tuple[str, str, int | None, str, list[dict[str, Any]]], ...] = (
    ("t-close", "dev", None, "Ruritan Metals shut its nickel smelter in Ruritania on Monday.",
     [{"type": "facility", "fields": {"company": "Ruritan Metals", "action": "closure",
                                      "material": "nickel"}}]),
    ("t-none", "dev", None, "Nickel prices fell on Monday as traders waited for data.", []),
    ("t-close2", "dev", None, "Zembla Mining closed its cobalt refinery in Zembla last week.",
     [{"type": "facility", "fields": {"company": "Zembla Mining", "action": "closure",
                                      "material": "cobalt"}}]),
    ("v-close", "dev", 6, "Borduria Metals halted its copper smelter on Friday.",
     [{"type": "facility", "fields": {"company": "Borduria Metals", "action": "closure",
                                      "material": "copper"}}]),
    ("x-later", "dev", 7, "Syldavia Mining shut its zinc mine.", []),
    ("x-test", "test", 6, "Syldavia Mining shut its zinc mine.", []),
)  # fmt: skip


def _corpus(root: Path) -> tuple[Path, Path]:
    corpus = root / "corpus"
    rows = []
    for aid, split, coll, text, events in ARTICLES:
        (corpus / split).mkdir(parents=True, exist_ok=True)
        stored = text if split == "dev" and coll != 7 else text + " (changed)"
        doc = {
            "id": aid,
            "url": f"https://news.example/{aid}",
            "title": None,
            "published": "2025-03-04",
            "text": stored,
            "fetched_via": "written for the test",
        }
        (corpus / split / f"{aid}.json").write_text(json.dumps(doc), "utf-8")
        row: dict[str, Any] = {
            "id": aid,
            "url": doc["url"],
            "published": "2025-03-04",
            "split": split,
            "events": events,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
        if coll is not None:
            row["collection"] = coll
        rows.append(row)
    labels = root / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return corpus, labels


def test_run_on_a_tiny_corpus_splits_collections_and_never_reads_the_test_half(
    exp: ModuleType, tmp_path: Path
) -> None:
    corpus, labels = _corpus(tmp_path)
    out = exp.run(corpus, labels, folds=3, bits=8)
    assert out["training_articles"] == 3 and out["validation_articles"] == 1
    assert [row["threshold"] for row in out["veto"]] == list(exp.THRESHOLDS)
    for row in out["veto"]:
        v, c = row["validation"], row["cross_validation"]
        assert v["tp"] + v["fn"] == 1  # the validation article's one labelled event
        assert c["tp"] + c["fn"] == 2  # the training articles' two
    missed = out["missed_sentences_validation"]
    assert missed["missed"] == out["veto"][0]["validation"]["fn"]
    assert missed["sentences"] == 1
    # a veto never adds proposals: a higher threshold keeps no more than a lower one
    kept = [r["validation"]["tp"] + r["validation"]["fp"] for r in out["veto"]]
    assert kept == sorted(kept, reverse=True)
    assert exp.run(corpus, labels, folds=3, bits=8) == out  # deterministic
