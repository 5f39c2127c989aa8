"""News extraction on real published articles: precision, recall, field accuracy, calibration
and throughput, against the hand labels of ``benchmarks/news_real/labels.jsonl``.

The article texts are third-party prose and are not in the repository: they live in a corpus
folder holding one ``<id>.json`` per article (``{id, url, title, published, text,
fetched_via}``), in any sub-folders (the reference corpus keeps ``dev/`` and ``test/``
apart). Each text is checked against the SHA-256 its label records, so labels and texts
cannot drift apart silently. Labels were written from the texts before the extractor was run
on them; ``benchmarks/news_real/README.md`` gives the conventions.

For every article of the chosen split, derisk's pipeline (``derisk.news.analyze``, with the
article's publication date, and the bundled graph's names) proposes events; they are matched
to the labels by type and key fields (see ``derisk.news.realscore``). Reported: precision
(and strict precision, counting restatements of a found event as false), recall, per event
type; accuracy of dates (date, start, expiry) and numbers (percent, amount, quantity,
capacity, unit) on found events; accuracy of the proposal confidence per bin, and what
``--auto-accept T`` would accept and its precision; throughput of the pipeline on one core
(median of ``--repeat`` passes), with the lexicon built once beforehand.

Run::

    python benchmarks/news_real_eval.py --corpus /path/to/corpus \\
        [--split dev|test|all] [--labels FILE] [--auto-accept 0.8] [--repeat 3] \\
        [--show-errors] [--json]
    python benchmarks/news_real_eval.py --corpus DIR --split dev [--labels FILE] \\
        --refit-calibration
    python benchmarks/news_real_eval.py --tiny    # smoke: a 4-article corpus of our own
    python benchmarks/news_real_eval.py --tiny --json    # the same, results as JSON

``--tiny`` needs no corpus: it writes four short articles, in sentences written for this
benchmark (no third-party text), and their labels into a temporary folder, and scores them
with the same reader, pipeline and scorer (split ``all``, one timed pass).

``--refit-calibration`` (development half only) also writes
``src/derisk/news/data/calibration.yaml``: for each calibration group of
``derisk.news.calibration``, how many proposals the extractor made and how many matched a
label (restatements of a found event left out). Fit it on development articles the rules
were not written from (a ``--labels`` file holding only those rows), so that the table says
how often proposals are right on unseen text; refit after every change to the extractor, on
articles still unseen.

Exit status 0; 2 when the labels or the corpus cannot be read (the message names the file
and line). Articles of the split that the corpus folder lacks are listed and skipped.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from derisk.data.loader import bundled_dir
from derisk.news import EVENT_TYPES, Article, analyze
from derisk.news.evaluation import lexicon_from_csv
from derisk.news.lexicon import Lexicon

try:
    from derisk.news import realscore
except ImportError:  # an older derisk on the path (e.g. to score a previous version): the
    # scoring module is pure and version-independent, so load it from this checkout
    _spec = importlib.util.spec_from_file_location(
        "derisk_news_realscore",
        Path(__file__).resolve().parents[1] / "src" / "derisk" / "news" / "realscore.py",
    )
    assert _spec is not None and _spec.loader is not None
    realscore = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = realscore
    _spec.loader.exec_module(realscore)

DATE_FIELDS = realscore.DATE_FIELDS
NUMBER_FIELDS = realscore.NUMBER_FIELDS
SCHEMA = realscore.SCHEMA
LabelError = realscore.LabelError
LabelledArticle = realscore.LabelledArticle
Report = realscore.Report
find_corpus_files = realscore.find_corpus_files
read_article = realscore.read_article
read_labels = realscore.read_labels
score_article = realscore.score_article
summary = realscore.summary

LABELS = Path(__file__).resolve().parent / "news_real" / "labels.jsonl"
CALIBRATION = (
    Path(__file__).resolve().parents[1] / "src" / "derisk" / "news" / "data" / "calibration.yaml"
)


def calibration_yaml(
    work: list[tuple[Any, dict[str, Any]]],
    preds: dict[str, list[dict[str, Any]]],
    lexicon: Lexicon,
    labels_name: str = "benchmarks/news_real/labels.jsonl",
) -> str:
    """The calibration table of this run: per group, proposals and how many matched a label;
    restatements of a found event are left out."""
    from derisk.news.calibration import fit

    scored: list[tuple[str, bool]] = []
    for a, _ in work:
        predicted = preds[a.id]
        pairs, dups = realscore.match(predicted, list(a.events), lexicon)
        matched = {p for p, _ in pairs}
        scored.extend((p["group"], i in matched) for i, p in enumerate(predicted) if i not in dups)
    head = (
        "# Proposals per calibration group (derisk.news.calibration) and how many of them were "
        "right\n# (matched a hand label), measured on the development half of the real-article "
        f'corpus\n# ({len(work)} published articles of split "dev" in {labels_name}), with '
        "the extractor\n# of this commit. The articles should be ones the rules were not written "
        'from (docs/news.md,\n# "Calibration, refitting"): benchmarks/news_real_eval.py '
        "--corpus DIR --split dev\n# --labels FILE --refit-calibration.\n"
    )
    return head + yaml.safe_dump({"groups": fit(scored)}, sort_keys=True)


def _json_value(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def predict(label: LabelledArticle, doc: dict[str, Any], lexicon: Lexicon) -> list[dict[str, Any]]:
    article = Article(
        article_id=label.id,
        url=label.url,
        title=doc.get("title") or None,
        published=label.published,
        site=None,
        text=doc["text"],
        origin="news-real-corpus",
    )
    return [
        {
            "type": e.type,
            "fields": {k: _json_value(v) for k, v in e.fields.items()},
            "confidence": e.confidence,
            "sentence": e.sentence,
            "group": e.group,
        }
        for e in analyze(article, lexicon).events
    ]


def _f(x: float | None) -> str:
    return "   - " if x is None else f"{x:5.2f}"


def print_text(out: dict[str, Any], show_errors: bool, rep: Report) -> None:
    print(
        f"split {out['split']}: {out['articles']} articles scored "
        f"({out['no_event_articles']} with no event; "
        f"{out['no_event_articles_without_prediction']} of them gave none)"
    )
    if out["missing_articles"]:
        print(f"  not in the corpus folder, skipped: {len(out['missing_articles'])}")
    print(f"\n  {'event type':22s} {'prec':>5s} {'prec*':>5s} {'rec':>5s}   tp  fp  fn dup")
    for t, c in out["by_type"].items():
        lack = "  (type derisk lacks)" if t in out["types_derisk_lacks"] else ""
        print(
            f"  {t:22s} {_f(c['precision'])} {_f(c['precision_strict'])} {_f(c['recall'])}"
            f"  {c['tp']:3d} {c['fp']:3d} {c['fn']:3d} {c['duplicates']:3d}{lack}"
        )
    for name in ("overall_derisk_types", "overall"):
        c = out[name]
        print(
            f"  {name.upper():22s} {_f(c['precision'])} {_f(c['precision_strict'])} "
            f"{_f(c['recall'])}  {c['tp']:3d} {c['fp']:3d} {c['fn']:3d} {c['duplicates']:3d}"
        )
    print("  (prec* counts restatements of a found event as false positives)")
    print(
        f"\n  field accuracy on found events ({'/'.join(DATE_FIELDS)}; {'/'.join(NUMBER_FIELDS)})"
    )
    for grp in ("dates", "numbers"):
        g = out[grp]
        print(
            f"  {grp:8s} {g['correct']:3d} of {g['labelled']:3d} right  "
            f"accuracy {_f(g['accuracy'])}   spurious {g['spurious']}"
        )
    for t, per in out["fields"].items():
        items = ", ".join(
            f"{k} {v['correct']}/{v['labelled']}"
            + (f" (+{v['spurious']} spurious)" if v["spurious"] else "")
            for k, v in per.items()
        )
        print(f"    {t}: {items}")
    print("\n  confidence calibration (non-duplicate predictions)")
    for row in out["calibration"]:
        lo, hi = row["bin"]
        print(
            f"    [{lo:.1f}, {hi:.1f})  {row['predictions']:4d} predictions  "
            f"right {_f(row['accuracy'])}"
        )
    aa = out["auto_accept"]
    print(
        f"  --auto-accept {aa['threshold']}: accepts {aa['accepted']}, right {aa['right']}, "
        f"precision {_f(aa['precision'])}"
    )
    th = out["throughput"]
    print(
        f"\n  throughput: {th['articles_per_s_per_core']:.1f} articles/s on one core "
        f"(median of {th['repeat']}; lexicon built once in {th['lexicon_s']:.2f} s)"
    )
    if show_errors:
        print("\n  MISSED (labelled, not found):")
        for m in rep.misses:
            print(f"    {m['article']}: {m['type']} {json.dumps(m['fields'], ensure_ascii=False)}")
        print("\n  FALSE (proposed, not labelled):")
        for e in rep.extras:
            print(
                f"    {e['article']}: {e['type']} {json.dumps(e['fields'], ensure_ascii=False)}"
                f" conf={e.get('confidence')}\n      « {e.get('sentence', '')[:160]} »"
            )
        print("\n  WRONG FIELDS on found events:")
        for w in rep.wrong_fields:
            print(
                f"    {w['article']}: {w['type']}.{w['field']} label={w['label']!r} "
                f"predicted={w['predicted']!r}"
            )


# The smoke corpus: sentences written for this benchmark, with the labels a reader gives them
# (every asserted event, fields as the README's conventions say), not what derisk finds.
TINY_ARTICLES: tuple[dict[str, Any], ...] = (
    {
        "id": "tiny-stake",
        "published": "2025-01-08",
        "split": "dev",
        "text": "Korea Zinc said on Tuesday it had bought a 5% stake in TMC the metals "
        "company for $85 million. The two firms plan to work together on refining.",
        "events": [
            {
                "type": "stake_acquisition",
                "fields": {
                    "acquirer": "korea-zinc",
                    "target": "tmc-the-metals-company",
                    "percent": 5,
                    "amount": 85000000,
                    "currency": "USD",
                    "date": "2025-01-07",
                },
            }
        ],
    },
    {
        "id": "tiny-restriction",
        "published": "2023-07-04",
        "split": "test",
        "text": "China will restrict exports of gallium and germanium from 1 August 2023, "
        "the commerce ministry said on Monday. Exporters will need a licence.",
        "events": [
            {
                "type": "export_restriction",
                "fields": {
                    "issuer": "CHN",
                    "action": "imposed",
                    "material": material,
                    "date": "2023-07-03",
                    "start": "2023-08-01",
                },
            }
            for material in ("gallium", "germanium")
        ],
    },
    {
        "id": "tiny-closure",
        "published": "2024-03-12",
        "split": "dev",
        "text": "Albemarle has closed its lithium hydroxide plant at Kemerton in Australia, "
        "the company said, citing low prices.",
        "events": [
            {
                "type": "facility",
                "fields": {
                    "company": "albemarle",
                    "action": "closure",
                    "material": "lithium",
                    "location": "AUS",
                },
            }
        ],
    },
    {
        "id": "tiny-none",
        "published": "2024-05-02",
        "split": "test",
        "text": "Metal prices were little changed on Thursday as traders waited for new "
        "figures on demand from battery makers.",
        "events": [],
    },
)


def write_tiny_corpus(folder: Path) -> tuple[Path, Path]:
    """Write the smoke corpus (``dev/`` and ``test/``) and its labels; (corpus, labels)."""
    corpus = folder / "corpus"
    rows = []
    for a in TINY_ARTICLES:
        url = f"https://news.example/{a['id']}"
        where = corpus / a["split"]
        where.mkdir(parents=True, exist_ok=True)
        doc = {
            "id": a["id"],
            "url": url,
            "title": None,
            "published": a["published"],
            "text": a["text"],
            "fetched_via": "written for the benchmark",
        }
        (where / f"{a['id']}.json").write_text(json.dumps(doc), "utf-8")
        sha = hashlib.sha256(a["text"].encode("utf-8")).hexdigest()
        rows.append(
            {
                "id": a["id"],
                "url": url,
                "sha256": sha,
                "published": a["published"],
                "split": a["split"],
                "kind": "newspaper",
                "events": a["events"],
            }
        )
    labels = folder / "labels.jsonl"
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return corpus, labels


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="folder of <id>.json articles")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    ap.add_argument("--auto-accept", type=float, default=0.8, metavar="T")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes for throughput")
    ap.add_argument(
        "--show-errors",
        action="store_true",
        help="list misses, false events and wrong fields (with --json: under errors)",
    )
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--refit-calibration",
        action="store_true",
        help="write src/derisk/news/data/calibration.yaml from this run (split dev only)",
    )
    ap.add_argument(
        "--tiny", action="store_true", help="smoke run on a 4-article corpus of our own"
    )
    args = ap.parse_args(argv)
    tmp = None
    if args.tiny:
        tmp = tempfile.TemporaryDirectory(prefix="derisk-news-real-tiny-")
        args.corpus, args.labels = write_tiny_corpus(Path(tmp.name))
        args.split, args.repeat = "all", 1
    elif args.corpus is None:
        ap.error("--corpus is required (or --tiny for the smoke corpus)")
    if args.refit_calibration and (args.tiny or args.split != "dev"):
        ap.error("--refit-calibration fits on the development half only (--split dev)")
    try:
        return _run(args)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _run(args: argparse.Namespace) -> int:
    try:
        labels = read_labels(args.labels)
        files = find_corpus_files(args.corpus)
        chosen = [a for a in labels if args.split == "all" or a.split == args.split]
        missing = [a.id for a in chosen if a.id not in files]
        work = [(a, read_article(files[a.id], a)) for a in chosen if a.id in files]
    except (LabelError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    t0 = time.perf_counter()
    lexicon = lexicon_from_csv(bundled_dir() / "entities.csv")
    lex_s = time.perf_counter() - t0
    rep = Report()
    preds = {a.id: predict(a, doc, lexicon) for a, doc in work}
    for a, _ in work:
        score_article(rep, preds[a.id], list(a.events), a.id, lexicon)
    times = []
    for _ in range(max(1, args.repeat)):
        t1 = time.perf_counter()
        for a, doc in work:
            predict(a, doc, lexicon)
        times.append(time.perf_counter() - t1)
    med = statistics.median(times)
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "split": args.split,
        "labels": str(args.labels),
        "corpus": str(args.corpus),
        "missing_articles": missing,
        **summary(rep, EVENT_TYPES, args.auto_accept),
        "throughput": {
            "articles": len(work),
            "repeat": max(1, args.repeat),
            "median_s": round(med, 4),
            "articles_per_s_per_core": round(len(work) / med, 1) if med > 0 else None,
            "lexicon_s": round(lex_s, 3),
        },
    }
    if args.refit_calibration:
        CALIBRATION.write_text(
            calibration_yaml(work, preds, lexicon, args.labels.name), encoding="utf-8"
        )
        print(f"calibration table written to {CALIBRATION}", file=sys.stderr)
    if args.show_errors:
        out["errors"] = {
            "missed": rep.misses,
            "false": rep.extras,
            "wrong_fields": rep.wrong_fields,
        }
    if args.json:
        json.dump(out, sys.stdout, indent=1, ensure_ascii=False, default=str)
        print()
    else:
        print_text(out, args.show_errors, rep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
