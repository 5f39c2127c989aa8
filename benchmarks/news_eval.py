"""News extraction: precision and recall on the labelled articles, and throughput on one core.

* Quality: every article of ``tests/data/news/labels.json`` is read from its saved page, text
  file or feed line, its main text extracted and its events proposed; predictions are scored
  per event type (type and key fields must match) and per field (see
  ``derisk.news.evaluation``), for all articles and for each split (``dev``: used while the
  rules were written; ``heldout``: not used to tune them). Events drawn from related-article
  teasers or comments are counted separately (target: none).
* Throughput: the whole pipeline (read, main-text extraction, linking, events) over the
  labelled set, pinned to one core, vs the peer, ``trafilatura.extract`` alone on the same
  pages (main-text extraction only), measured in the same run.

Targets (issue 7): precision >= 0.85 and recall >= 0.75 overall; no teaser/comment events;
>= 20 articles/s on one core.

Run::

    python benchmarks/news_eval.py           # throughput: median of 5 passes
    python benchmarks/news_eval.py --tiny    # smoke: the same set, one timed pass
    python benchmarks/news_eval.py --tiny --json    # the same, results as JSON

The labelled set is small (tens of articles written for the tests), so ``--tiny`` scores all
of it and only times one pass of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from derisk.data.loader import bundled_dir
from derisk.news import analyze, extract
from derisk.news.evaluation import Counts, Report, evaluate, lexicon_from_csv, load_labelled

LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "news" / "labels.json"
REPEAT = 5


def _f(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


def _row(name: str, c: Counts) -> str:
    return f"  {name:20s} {_f(c.precision)}  {_f(c.recall)}   {c.tp:3d} {c.fp:3d} {c.fn:3d}"


def print_report(title: str, rep: Report, fields: bool) -> None:
    print(f"\n{title} ({rep.articles} articles)")
    print(f"  {'event type':20s} {'prec':>5s}  {'rec':>5s}    tp  fp  fn")
    for t, c in rep.by_type.items():
        print(_row(t, c))
    print(_row("OVERALL", rep.overall))
    if fields:
        print(f"\n  {'field':20s} {'prec':>5s}  {'rec':>5s}    tp  fp  fn")
        for k in sorted(rep.by_field):
            print(_row(k, rep.by_field[k]))
    print(f"  events drawn from teasers or comments: {len(rep.noise_events)}")


def median_time(fn: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _counts(c: Counts) -> dict[str, Any]:
    return {"precision": c.precision, "recall": c.recall, "tp": c.tp, "fp": c.fp, "fn": c.fn}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--tiny", action="store_true", help="smoke run: one timed pass")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    repeat = 1 if args.tiny else REPEAT
    if args.json:  # the text report goes to stderr, the JSON alone to stdout
        sys.stdout = sys.stderr
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    t0 = time.perf_counter()
    lexicon = lexicon_from_csv(bundled_dir() / "entities.csv")
    lex_s = time.perf_counter() - t0
    articles = load_labelled(LABELS)
    n_events = sum(len(a["events"]) for a in articles)
    print(
        f"labelled set: {len(articles)} articles, {n_events} events "
        f"({sum(1 for a in articles if a['split'] == 'heldout')} articles held out)"
    )
    rep_all, _ = evaluate(articles, lexicon)
    print_report("ALL ARTICLES", rep_all, fields=True)
    for split in ("dev", "heldout"):
        rep, _ = evaluate(articles, lexicon, split)
        print_report(f"SPLIT {split}", rep, fields=False)

    docs = [a["doc"] for a in articles]
    html = [d.content for d in docs if d.kind == "html"]

    def pipeline() -> None:
        for d in docs:
            analyze(extract(d), lexicon)

    def peer() -> None:
        for h in html:
            trafilatura.extract(h, include_comments=False, favor_precision=True)

    pipeline()  # warm caches (catalogue, regexes)
    t_pipe = median_time(pipeline, repeat)
    t_peer = median_time(peer, repeat)
    rate = len(docs) / t_pipe
    peer_rate = len(html) / t_peer
    print("\nTHROUGHPUT (one core, median of", repeat, "runs)")
    print(f"  {'what':44s} {'articles/s':>10s} {'ms/article':>10s}")
    print(f"  {'derisk news pipeline (extract+link+events)':44s} {rate:10.1f} {1000 / rate:10.2f}")
    print(f"  {'peer: trafilatura.extract alone':44s} {peer_rate:10.1f} {1000 / peer_rate:10.2f}")
    print(f"  ratio pipeline time / peer time per article: {peer_rate / rate:.2f}")
    print(f"  lexicon build (once per ingest): {lex_s * 1000:.0f} ms")
    o = rep_all.overall
    ok = (
        (o.precision or 0) >= 0.85
        and (o.recall or 0) >= 0.75
        and not rep_all.noise_events
        and rate >= 20
    )
    print(
        f"\ntargets (P>=0.85, R>=0.75, no teaser/comment events, >=20 articles/s): "
        f"{'met' if ok else 'NOT met'}"
    )
    if args.json:
        out = {
            "articles": len(articles),
            "events": n_events,
            "overall": _counts(o),
            "by_type": {t: _counts(c) for t, c in rep_all.by_type.items()},
            "noise_events": len(rep_all.noise_events),
            "repeat": repeat,
            "articles_per_s": rate,
            "peer_articles_per_s": peer_rate,
            "lexicon_s": lex_s,
            "targets_met": ok,
        }
        print(json.dumps(out, indent=1), file=sys.__stdout__)


if __name__ == "__main__":
    main()
