"""Experiment ML11 (issue 15): can a sentence detector learned from our labels veto the news
reader's false proposals on text nobody tuned on? Reproduces the figures of docs/news.md, "A
learned component (experiment ML11)". Nothing here is wired into the reader.

Run::

    PYTHONPATH=src python scripts/news_learned_experiment.py --corpus /path/to/corpus \\
        [--labels benchmarks/news_real/labels.jsonl] [--validate-on 6] [--l2 1.0] [--folds 5]

Only development-half articles are read (split ``dev``); the test half is never touched.
*Validation* articles are the development half of one collection (``--validate-on N``, 6 by
default: no rule had been written from it when the experiment was run); *training* articles
are the development halves of the collections before it (rows without a ``collection`` key
are collections 1 and 2). Later collections are not read.

**The detector.** For each event type ``t`` a logistic regression scores a sentence::

    p_t(s) = sigmoid(b_t + sum_{f in F(s)} w_t[h(f)])          sigmoid(z) = 1 / (1 + exp(-z))

``F(s)``: a bias, the sentence's position in the article (capped at 6), its lower-case words
and word pairs, with every name the lexicon finds replaced by its kind (``ORG``, ``GOV``,
``MAT``, ``CTRY``, ``PER``, ``FAC``) and numbers by their class (``MONEY``, ``PCT``,
``YEAR``, ``NUM``); ``h(f)`` is CRC-32 of the feature's UTF-8 bytes modulo ``2**14``. The
weights minimise the L2-regularised log loss
``sum_i [log(1 + exp(z_i)) - y_i z_i] + (lambda / 2) |w|^2`` (L-BFGS-B from zeros, so the
same data give the same weights).

**Training labels.** A sentence states an event of type ``t`` when the reader proposed there
an event of type ``t`` that matched a hand label (``derisk.news.realscore.match``), or when it
is the sentence that best holds a labelled event of type ``t`` (:func:`aligned`: the highest
alignment score, at least 3; each labelled field other than action, dates, terms, currency
and unit that the sentence holds counts 1, a key field 2).

**The veto.** A proposal whose sentence scores ``p_t(s) < T`` for the proposal's type is
dropped. Reported for several ``T``: precision, recall and F1 on the validation articles
(detector trained on all training articles), and on the training articles by k-fold
cross-validation (folds by CRC-32 of the article id; each fold scored by a detector trained
on the other folds), the honest figure for text the detector has not seen where the rules are
right. Also the detector's ranking (AUC) of the validation proposals, right against wrong.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from derisk.data.loader import bundled_dir
from derisk.model.names import slug
from derisk.news import Article, analyze, realscore
from derisk.news.evaluation import lexicon_from_csv
from derisk.news.events import KEY_FIELDS, MONEY_SYMBOL_RE, MONEY_WORD_RE, PERCENT_RE
from derisk.news.lexicon import Lexicon, Mention
from derisk.news.text import sentences

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "news_real" / "labels.jsonl"
BITS = 14
TYPES = (
    "export_restriction",
    "facility",
    "first_export",
    "stake_acquisition",
    "investment",
    "offtake",
    "loan",
    "grant",
)
THRESHOLDS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
VALIDATION_COLLECTION = 6

# --------------------------------------------------------------------------- features
_KIND = {
    "company": "ORG",
    "government": "GOV",
    "material": "MAT",
    "country": "CTRY",
    "person": "PER",
    "facility": "FAC",
}
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TOKEN = re.compile(r"[A-Z]{3,5}\b|[A-Za-z][a-z'’-]*|[$€£¥%:;()]")


def tokens(text: str, mentions: Iterable[Mention]) -> list[str]:
    """The sentence's words in lower case, each name the lexicon found (``mentions``) replaced
    by its kind and each number by its class.

    >>> m = Mention(0, 10, "Korea Zinc", "company", "korea-zinc")
    >>> tokens("Korea Zinc bought a 5% stake for $85 million in 2025.", [m])
    ['ORG', 'bought', 'a', 'PCT', 'stake', 'for', 'MONEY', 'in', 'YEAR']
    """
    parts, last = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        if m.start < last or m.end > len(text):
            continue
        parts.append(text[last : m.start])
        parts.append(f" {_KIND.get(m.kind, 'NAME')} ")
        last = m.end
    parts.append(text[last:])
    t = "".join(parts)
    t = MONEY_WORD_RE.sub(" MONEY ", t)
    t = MONEY_SYMBOL_RE.sub(" MONEY ", t)
    t = PERCENT_RE.sub(" PCT ", t)
    t = _YEAR.sub(" YEAR ", t)
    t = _NUMBER.sub(" NUM ", t)
    return [w if w.isupper() else w.lower() for w in _TOKEN.findall(t)]


def features(text: str, mentions: Iterable[Mention], index: int) -> list[str]:
    """Feature strings of a sentence: bias, position, words, word pairs.

    >>> features("Acme shut the mine.", [], 0)[:4]
    ['bias', 'pos0', 'u:acme', 'u:mine']
    """
    toks = tokens(text, mentions)
    out = ["bias", f"pos{min(index, 6)}"]
    out += sorted("u:" + w for w in set(toks))
    out += sorted("b:" + a + " " + b for a, b in set(itertools.pairwise(toks)))
    return out


def hashed(feats: Sequence[str], bits: int = BITS) -> npt.NDArray[np.int64]:
    """Bucket of each feature (CRC-32 of its UTF-8 bytes modulo ``2**bits``), each once."""
    mask = (1 << bits) - 1
    return np.unique(np.array([zlib.crc32(f.encode("utf-8")) & mask for f in feats], np.int64))


def train_one(
    rows: Sequence[npt.NDArray[np.int64]], y: Sequence[int], *, l2: float = 1.0, bits: int = BITS
) -> tuple[npt.NDArray[np.float64], float]:
    """``(w, b)`` minimising the L2-regularised log loss (L-BFGS-B from zeros).

    >>> a, b = hashed(["u:x"]), hashed(["u:y"])
    >>> w, _ = train_one([a, a, b, b], [1, 1, 0, 0])
    >>> bool(w[a].sum() > 0 > w[b].sum())
    True
    """
    from scipy import sparse
    from scipy.optimize import minimize

    n, d = len(rows), 1 << bits
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    idx = np.concatenate(list(rows)) if n else np.zeros(0, np.int64)
    x = sparse.csr_matrix((np.ones(len(idx)), idx, indptr), shape=(n, d))
    yv = np.asarray(y, np.float64)

    def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        w, b = theta[:d], theta[d]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        f = float(np.sum(np.logaddexp(0.0, z) - yv * z) + 0.5 * l2 * float(w @ w))
        g = np.empty(d + 1)
        g[:d] = x.T @ (p - yv) + l2 * w
        g[d] = float(np.sum(p - yv))
        return f, g

    res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    theta = np.asarray(res.x, np.float64)
    return theta[:d], float(theta[d])


@dataclass(frozen=True)
class Detector:
    """One weight row and bias per type of :data:`TYPES`."""

    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]

    def probability(self, etype: str, text: str, mentions: Iterable[Mention], index: int) -> float:
        """``p_t(s)``; 1.0 for a type without a row."""
        if etype not in TYPES:
            return 1.0
        row = TYPES.index(etype)
        bits = int(self.weights.shape[1]).bit_length() - 1
        h = hashed(features(text, mentions, index), bits)
        z = self.bias[row] + float(self.weights[row, h].sum())
        return float(1.0 / (1.0 + np.exp(-z)))


# --------------------------------------------------------------------------- labels
NOT_ALIGNED = frozenset(
    {"action", "currency", "unit", "date", "start", "expiry", "term", "duration", "stage"}
)
VAGUE_HEADS = frozenset({"china", "united", "general", "national", "the"})


def _number_in(text: str, value: float) -> bool:
    forms = set()
    for div in (1.0, 1e3, 1e6, 1e9):
        y = value / div
        if y >= 1:
            forms.add(f"{y:.2f}".rstrip("0").rstrip("."))
    written = {d.replace(",", "") for d in re.findall(r"\d+(?:[.,]\d+)?", text)}
    return bool(forms & written)


def holds(text: str, mentions: Sequence[Mention], field: str, value: Any, lexicon: Lexicon) -> bool:
    """Whether a sentence holds a labelled field's value: a number written in units,
    thousands, millions or billions ("85" for 85000000); a name the lexicon found there with
    the label's id or agreeing with its name (``realscore.agree``); or the label's words, or
    its distinctive first word (four letters or more), in the sentence.

    >>> lex = lexicon_from_csv(bundled_dir() / "entities.csv")
    >>> holds("It paid $85 million.", [], "amount", 85000000, lex)
    True
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_in(text, float(value))
    v = str(value)
    for m in mentions:
        if m.id is not None and m.id == v:
            return True
        if field != "material" and realscore.agree(field, m.value, v, lexicon):
            return True
    key, words = slug(v), slug(text)
    if len(key) >= 3 and key in words:
        return True
    head = key.split("-")[0]
    return (
        len(head) >= 4
        and head not in VAGUE_HEADS
        and re.search(r"\b" + re.escape(head) + r"\b", words.replace("-", " ")) is not None
    )


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int
    mentions: tuple[Mention, ...]


def aligned(sents: Sequence[Sentence], event: dict[str, Any], lexicon: Lexicon) -> list[int]:
    """Positions (in ``sents``) of the sentences that best hold a labelled event, when their
    score is at least 3 (module docstring)."""
    keys = set(KEY_FIELDS.get(event["type"], ()))
    cues = [(k, v) for k, v in event["fields"].items() if k not in NOT_ALIGNED]
    best, out = 0, []
    for i, s in enumerate(sents):
        score = sum(
            (2 if k in keys else 1) for k, v in cues if holds(s.text, s.mentions, k, v, lexicon)
        )
        if score > best:
            best, out = score, [i]
        elif score == best and score > 0:
            out.append(i)
    return out if best >= 3 else []


def _json(e: Any) -> dict[str, Any]:
    return {
        "type": e.type,
        "fields": {
            k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in e.fields.items()
        },
    }


@dataclass
class Read:
    """One article as the experiment uses it."""

    id: str
    gold: list[dict[str, Any]]
    proposals: list[Any]
    rows: list[npt.NDArray[np.int64]]
    states: list[frozenset[str]]
    missed: list[tuple[str, list[int]]]
    """Labelled events the reader missed: type, positions of the sentences holding them."""
    sentences: list[Sentence]


def read(
    corpus: Path, labels: Path, lexicon: Lexicon, validate_on: int = VALIDATION_COLLECTION
) -> tuple[list[Read], list[Read]]:
    """``(training, validation)`` articles: the development halves of the collections before
    ``validate_on`` and of ``validate_on``."""
    collection = {}
    for line in labels.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            c = int(row.get("collection", 1))
            if row.get("split") == "dev" and c <= validate_on:
                collection[row["id"]] = c
    files = realscore.find_corpus_files(corpus)
    train: list[Read] = []
    valid: list[Read] = []
    for a in realscore.read_labels(labels):
        if a.id not in collection or a.id not in files:
            continue  # the test half is never read
        doc = realscore.read_article(files[a.id], a)
        article = Article(
            article_id=a.id,
            url=a.url,
            title=doc.get("title") or None,
            published=a.published,
            site=None,
            text=doc["text"],
            origin="news-real-corpus",
        )
        sents = [
            Sentence(s.text, s.index, tuple(lexicon.mentions(s.text)))
            for s in sentences(doc["text"], a.published)
        ]
        found = list(analyze(article, lexicon).events)
        states: list[set[str]] = [set() for _ in sents]
        pairs, _ = realscore.match([_json(e) for e in found], list(a.events), lexicon)
        for pi, _gi in pairs:
            e = found[pi]
            if e.sentence_index < len(sents) and sents[e.sentence_index].text == e.sentence:
                states[e.sentence_index].add(e.type)
        for g in a.events:
            for i in aligned(sents, g, lexicon):
                states[i].add(g["type"])
        got = {gi for _, gi in pairs}
        r = Read(
            a.id,
            list(a.events),
            found,
            [hashed(features(s.text, s.mentions, s.index)) for s in sents],
            [frozenset(x) for x in states],
            [
                (g["type"], aligned(sents, g, lexicon))
                for gi, g in enumerate(a.events)
                if gi not in got
            ],
            sents,
        )
        (valid if collection[a.id] == validate_on else train).append(r)
    return train, valid


def fit(articles: Sequence[Read], l2: float, bits: int = BITS) -> Detector:
    """One :func:`train_one` per type over the articles' sentences."""
    mask = (1 << bits) - 1
    rows = [np.unique(h & mask) for a in articles for h in a.rows]
    states = [s for a in articles for s in a.states]
    ws, bs = [], []
    for t in TYPES:
        w, b = train_one(rows, [int(t in s) for s in states], l2=l2, bits=bits)
        ws.append(w)
        bs.append(b)
    return Detector(np.vstack(ws), np.array(bs))


def scored(articles: Sequence[Read], det: Detector) -> list[tuple[Read, list[float]]]:
    """Each article with ``p_t(s)`` of each proposal."""
    return [
        (
            a,
            [
                det.probability(e.type, e.sentence, e.mentions, e.sentence_index)
                for e in a.proposals
            ],
        )
        for a in articles
    ]


def prf(
    items: Sequence[tuple[Read, list[float]]], threshold: float, lexicon: Lexicon
) -> dict[str, Any]:
    """Precision, recall, F1 and tp-fp-fn after the veto at ``threshold``."""
    tp = fp = fn = 0
    for a, probs in items:
        kept = [_json(e) for e, p in zip(a.proposals, probs, strict=True) if p >= threshold]
        pairs, dups = realscore.match(kept, a.gold, lexicon)
        tp += len(pairs)
        fp += len(kept) - len(pairs) - len(dups)
        fn += len(a.gold) - len(pairs)
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else None
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def auc(items: Sequence[tuple[Read, list[float]]], lexicon: Lexicon) -> float | None:
    """How often a right proposal scores above a wrong one (restatements left out)."""
    right, wrong = [], []
    for a, probs in items:
        preds = [_json(e) for e in a.proposals]
        pairs, dups = realscore.match(preds, a.gold, lexicon)
        ok = {p for p, _ in pairs}
        for i, p in enumerate(probs):
            if i in ok:
                right.append(p)
            elif i not in dups:
                wrong.append(p)
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return wins / (len(right) * len(wrong))


def missed_ranks(articles: Sequence[Read], det: Detector) -> dict[str, Any]:
    """For the events the reader missed: how many have a sentence among the top 2%, 5%, 10%
    of all the articles' sentences by ``p_t(s)`` for the event's type."""
    probs = {
        t: np.array(
            [det.probability(t, s.text, s.mentions, s.index) for a in articles for s in a.sentences]
        )
        for t in TYPES
    }
    best: list[float | None] = []
    kinds: list[str] = []
    for a in articles:
        for t, where in a.missed:
            if t not in TYPES:
                continue
            kinds.append(t)
            best.append(
                max(
                    (
                        det.probability(
                            t, a.sentences[i].text, a.sentences[i].mentions, a.sentences[i].index
                        )
                        for i in where
                    ),
                    default=None,
                )
            )
    out: dict[str, Any] = {"missed": len(best), "aligned": sum(b is not None for b in best)}
    for share in (0.02, 0.05, 0.10):
        cut = {t: float(np.quantile(v, 1 - share)) if len(v) else 1.0 for t, v in probs.items()}
        out[f"top_{round(share * 100)}pct"] = sum(
            1 for t, b in zip(kinds, best, strict=True) if b is not None and b >= cut[t]
        )
    out["sentences"] = sum(len(a.sentences) for a in articles)
    return out


def run(
    corpus: Path,
    labels: Path,
    *,
    validate_on: int = VALIDATION_COLLECTION,
    l2: float = 1.0,
    folds: int = 5,
    bits: int = BITS,
) -> dict[str, Any]:
    """The experiment's figures (see the module docstring); ``bits`` below :data:`BITS`
    folds the hash table (for quick runs)."""
    lexicon = lexicon_from_csv(bundled_dir() / "entities.csv")
    train, valid = read(corpus, labels, lexicon, validate_on)
    full = fit(train, l2, bits)
    on_valid = scored(valid, full)
    cv: list[tuple[Read, list[float]]] = []
    for k in range(folds):
        inside = [a for a in train if zlib.crc32(a.id.encode("utf-8")) % folds != k]
        held = [a for a in train if zlib.crc32(a.id.encode("utf-8")) % folds == k]
        if inside and held:
            cv += scored(held, fit(inside, l2, bits))
    return {
        "validation_collection": validate_on,
        "training_articles": len(train),
        "validation_articles": len(valid),
        "positives": {t: sum(t in s for a in train for s in a.states) for t in TYPES},
        "auc_validation": auc(on_valid, lexicon),
        "auc_cross_validation": auc(cv, lexicon),
        "missed_sentences_validation": missed_ranks(valid, full),
        "veto": [
            {
                "threshold": th,
                "validation": prf(on_valid, th, lexicon),
                "cross_validation": prf(cv, th, lexicon),
            }
            for th in THRESHOLDS
        ],
    }


def _f(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--validate-on", type=int, default=VALIDATION_COLLECTION, metavar="N")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = run(args.corpus, args.labels, validate_on=args.validate_on, l2=args.l2, folds=args.folds)
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(
        f"training: {out['training_articles']} articles (dev, collections before "
        f"{out['validation_collection']}); validation: {out['validation_articles']} (dev, "
        f"collection {out['validation_collection']}); positive sentences {out['positives']}"
    )
    print(
        f"AUC of p_t(s), right against wrong proposals: validation "
        f"{_f(out['auc_validation'])}, cross-validation {_f(out['auc_cross_validation'])}"
    )
    m = out["missed_sentences_validation"]
    print(
        f"validation events the reader missed: {m['missed']} ({m['aligned']} with a sentence "
        f"holding them); that sentence among the top 2% / 5% / 10% of the {m['sentences']} "
        f"sentences for its type: {m['top_2pct']} / {m['top_5pct']} / {m['top_10pct']}"
    )
    print("veto T     validation P / R / F1 (tp-fp-fn)      cross-validation P / R / F1 (tp-fp-fn)")
    for row in out["veto"]:
        v, c = row["validation"], row["cross_validation"]
        print(
            f"  {row['threshold']:<7} {_f(v['precision'])} {_f(v['recall'])} {_f(v['f1'])} "
            f"({v['tp']}-{v['fp']}-{v['fn']})     {_f(c['precision'])} {_f(c['recall'])} "
            f"{_f(c['f1'])} ({c['tp']}-{c['fp']}-{c['fn']})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
