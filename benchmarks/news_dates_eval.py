"""Date resolution in news sentences: derisk's resolver (``derisk.news.dates``, rules over
``dateutil.relativedelta``) against the ``dateparser`` package's in-text search, on accuracy
and speed.

The cases are sentences written for this benchmark in the style of news on export
restrictions and facilities (no third-party text), each with its publication date and the
calendar dates a reader resolves in it: weekdays ("on Tuesday" = the Tuesday on or before
publication), relative dates ("last month", "yesterday"), days without a year ("from 1
March", told forward or in the past tense), "28 February next year", months without a day,
ISO dates, "the end of 2026". A case is right when the set of dates found equals the set
expected (a missing, extra or wrong date makes it wrong). Both resolvers get the same
publication date (``dateparser``: ``RELATIVE_BASE``; English only, so nothing is detected or
downloaded at run time).

Run::

    python benchmarks/news_dates_eval.py [--repeat 5] [--json] [--show-errors]
    python benchmarks/news_dates_eval.py --tiny --json    # smoke: the first 6 cases, one pass

Prints, for each resolver, cases right of all and the median time per sentence over
``--repeat`` passes. Exit status 0; 2 when ``dateparser`` is not installed (the message
says so). ``dateparser`` is a development dependency (the comparison), not one of derisk's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable

from derisk.news.dates import find_dates

# (publication date, sentence, dates a reader resolves in it)
CASES: list[tuple[str, str, set[str]]] = [
    ("2025-07-10", "Beijing said on Tuesday that germanium needs a licence.", {"2025-07-08"}),
    ("2025-07-10", "The ministry confirmed the curbs on Thursday.", {"2025-07-10"}),
    ("2025-07-11", "Hanoi said Monday it would halt tungsten ore exports.", {"2025-07-07"}),
    ("2025-07-11", "The suspension took effect on Sunday.", {"2025-07-06"}),
    ("2025-07-11", "Kinshasa halted cobalt exports last month.", {"2025-06-01"}),
    ("2025-07-11", "The regulator announced the quota yesterday.", {"2025-07-10"}),
    ("2025-07-11", "The plant restarted earlier this month.", {"2025-07-01"}),
    (
        "2026-01-15",
        "The quota runs from 1 March until 28 February next year.",
        {"2026-03-01", "2027-02-28"},
    ),
    ("2025-11-10", "The ban is suspended until Nov. 27, 2026.", {"2026-11-27"}),
    ("2025-11-10", "The ban is suspended until 27 November 2026.", {"2026-11-27"}),
    ("2025-07-11", "The licensing rule takes effect on August 1.", {"2025-08-01"}),
    ("2025-07-11", "China announced the licensing on July 3.", {"2025-07-03"}),
    ("2025-01-05", "China announced the ban on December 3.", {"2024-12-03"}),
    ("2025-01-05", "The quotas will apply from January 20.", {"2025-01-20"}),
    ("2025-12-20", "Zimbabwe will ban lithium ore exports from January 2027.", {"2027-01-01"}),
    ("2025-03-12", "Exports of cobalt were halted by the government in February.", {"2025-02-01"}),
    ("2025-10-12", "Exports will need permits from October.", {"2025-10-01"}),
    ("2025-10-12", "The smelter was idled in March.", {"2025-03-01"}),
    ("2025-10-12", "The mine will reopen in March.", {"2026-03-01"}),
    ("2025-10-12", "The ban ran from 2023-12-01 to 2025-06-30.", {"2023-12-01", "2025-06-30"}),
    ("2025-10-12", "Capacity will double by the end of 2026.", {"2026-12-31"}),
    ("2025-10-12", "The plant began output in December 2024.", {"2024-12-01"}),
    ("2025-10-12", "The first cargo sailed on 3 October.", {"2025-10-03"}),
    ("2025-10-12", "The company said last week that output had resumed.", {"2025-09-29"}),
    ("2025-10-12", "Officials confirmed the move earlier this week.", {"2025-10-06"}),
    ("2025-10-12", "The controls apply at once, the ministry said today.", {"2025-10-12"}),
    ("2025-10-12", "It will take effect on Dec. 1, the notice said.", {"2025-12-01"}),
    ("2025-10-12", "Beijing on Thursday added five metals to its control list.", {"2025-10-09"}),
    ("2025-10-12", "The export quota for 2026 is 96,600 tonnes.", set()),
    ("2025-10-12", "The refinery can process 20,000 tonnes a year.", set()),
    ("2025-10-12", "Prices rose 5% after the decision.", set()),
    ("2025-10-12", "The group may sell its 25% stake.", set()),
    ("2025-10-12", "China restricted gallium exports from August 1, 2023.", {"2023-08-01"}),
    ("2025-10-12", "The original ban began on 22 February.", {"2025-02-22"}),
    ("2025-10-12", "The pause runs until 10 November next year.", {"2026-11-10"}),
    ("2025-06-20", "Korea Zinc said on Friday it took a 5% stake.", {"2025-06-20"}),
    ("2025-06-22", "The deal was signed on Friday.", {"2025-06-20"}),
    ("2025-10-12", "Shipments resumed in mid-September.", {"2025-09-01"}),
]


def _ours(sentence: str, published: dt.date) -> set[str]:
    return {m.date.isoformat() for m in find_dates(sentence, published)}


def _dateparser() -> Callable[[str, dt.date], set[str]] | None:
    try:
        from dateparser.search import search_dates  # type: ignore[import-untyped]
    except ImportError:
        return None

    def run(sentence: str, published: dt.date) -> set[str]:
        base = dt.datetime(published.year, published.month, published.day, 12)
        found = search_dates(
            sentence,
            languages=["en"],
            settings={
                "RELATIVE_BASE": base,
                "PREFER_DATES_FROM": "past",
                "PREFER_DAY_OF_MONTH": "first",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
        return {d.date().isoformat() for _, d in (found or [])}

    return run


def _score(
    fn: Callable[[str, dt.date], set[str]],
    cases: list[tuple[str, str, set[str]]],
    repeat: int,
) -> tuple[int, float, list[tuple[str, set[str], set[str]]]]:
    right = 0
    errors: list[tuple[str, set[str], set[str]]] = []
    for pub, sentence, want in cases:
        got = fn(sentence, dt.date.fromisoformat(pub))
        if got == want:
            right += 1
        else:
            errors.append((sentence, want, got))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for pub, sentence, _want in cases:
            fn(sentence, dt.date.fromisoformat(pub))
        times.append((time.perf_counter() - t0) / len(cases))
    return right, statistics.median(times), errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--tiny", action="store_true", help="smoke: the first 6 cases, one pass")
    args = ap.parse_args(argv)
    cases = CASES[:6] if args.tiny else CASES
    repeat = 1 if args.tiny else args.repeat
    dp = _dateparser()
    if dp is None:
        print("dateparser is not installed: pip install dateparser", file=sys.stderr)
        return 2
    out = {}
    for name, fn in (("derisk.news.dates", _ours), ("dateparser.search_dates", dp)):
        right, per, errors = _score(fn, cases, repeat)
        out[name] = {
            "cases": len(cases),
            "repeat": repeat,
            "right": right,
            "accuracy": round(right / len(cases), 3),
            "ms_per_sentence": round(per * 1000, 3),
            "errors": [{"sentence": s, "want": sorted(w), "got": sorted(g)} for s, w, g in errors],
        }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for name, r in out.items():
        print(
            f"{name:26} {r['right']:3} of {r['cases']} right  accuracy {r['accuracy']:.2f}  "
            f"{r['ms_per_sentence']:.3f} ms/sentence"
        )
        if args.show_errors:
            for e in r["errors"]:
                print(f"    {e['sentence']}  want {e['want']}  got {e['got']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
