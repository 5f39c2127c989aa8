"""Put one article's text into a real-article corpus folder, checked against its label.

The labels of ``benchmarks/news_real/labels.jsonl`` are keyed by URL and record the SHA-256 of
the exact text each was written from; the texts themselves are third-party prose and are not in
the repository. Whoever rebuilds a corpus folder (after a machine is lost, or to check our
figures) fetches each page's text themselves and hands it to this script, which

* finds the label by URL (a trailing slash aside),
* accepts the text when it, or one of its prefixes (collectors cut long texts; the label's note
  says so), stripped or not, has the label's SHA-256 -- so a text that differs by one character
  is refused, and labels and texts cannot drift apart,
* writes ``CORPUS/<split>/<id>.json`` (``{id, url, title, published, text, fetched_via}``, the
  layout ``benchmarks/news_real_eval.py`` reads) atomically, or says why not.

The text file holds the page text as plain UTF-8, or as one JSON string literal (starting with a
double quote; the form a search answer shows it in).

Run::

    python scripts/news_corpus_put.py --corpus DIR --url URL --text-file FILE [--title T]
    python scripts/news_corpus_put.py --corpus DIR --status     # how many are back, per split
    python scripts/news_corpus_put.py --corpus DIR --missing    # id and url of each missing one

Exit status: 0 written (or already there), 1 no text matched the label's SHA-256, 2 no label
for that URL or a bad argument.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from derisk.news.realscore import LabelError, LabelledArticle, read_labels

DATE_STAMP = re.compile(r"\A\s*date \d{4}-\d{2}-\d{2}\s*")
"""A page store's date stamp at the very start of a text (kept in some labels, not in others)."""

LABELS = Path(__file__).resolve().parent.parent / "benchmarks" / "news_real" / "labels.jsonl"


def variants(text: str) -> Iterator[str]:
    """The text, then every prefix of it from the longest, each also with whitespace stripped;
    the same again without a leading date stamp."""
    # some page stores open with a " date YYYY-MM-DD " stamp the labelled text may not hold
    undated = DATE_STAMP.sub("", text, count=1)
    for base in dict.fromkeys((text, text.replace("\r\n", "\n"), undated)):
        for n in range(len(base), 0, -1):
            prefix = base[:n]
            yield prefix
            for cut in (prefix.rstrip(), prefix.strip()):
                if cut != prefix:
                    yield cut


def matching(text: str, sha256: str) -> str | None:
    """The variant of ``text`` whose UTF-8 SHA-256 is ``sha256``, or ``None``.

    >>> t = "First sentence. Second sentence."
    >>> matching(t + " Related: other story", hashlib.sha256(t.encode()).hexdigest()) == t
    True
    >>> matching("Other text", hashlib.sha256(t.encode()).hexdigest()) is None
    True
    """
    for v in variants(text):
        if hashlib.sha256(v.encode("utf-8")).hexdigest() == sha256:
            return v
    return None


def find_label(rows: list[LabelledArticle], url: str) -> LabelledArticle | None:
    """The label of ``url``, a trailing slash aside."""
    by_url = {r.url.rstrip("/"): r for r in rows}
    return by_url.get(url.rstrip("/"))


def put(
    corpus: Path, rows: list[LabelledArticle], url: str, text: str, title: str | None
) -> tuple[int, str]:
    """Write the article of ``url`` into ``corpus`` if ``text`` matches its label."""
    label = find_label(rows, url)
    if label is None:
        return 2, f"no label for url {url}"
    out = corpus / label.split / f"{label.id}.json"
    if out.exists():
        return 0, f"already there: {out}"
    found = matching(text, label.sha256)
    if found is None:
        return 1, (
            f"{label.id}: no prefix of the {len(text)}-character text has the label's "
            "SHA-256: the copy differs from the text the label was written from"
        )
    doc = {
        "id": label.id,
        "url": label.url,
        "title": title,
        "published": label.published.isoformat(),
        "text": found,
        "fetched_via": "scripts/news_corpus_put.py",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    os.replace(tmp, out)
    cut = "" if len(found) >= len(text.strip()) else f" (first {len(found)} characters)"
    return 0, f"wrote {out}{cut}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="corpus folder (dev/, test/)")
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--url")
    ap.add_argument("--text-file", type=Path)
    ap.add_argument("--title")
    ap.add_argument("--status", action="store_true")
    ap.add_argument("--missing", action="store_true")
    args = ap.parse_args(argv)
    try:
        rows = read_labels(args.labels)
    except LabelError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.status or args.missing:
        for split in sorted({r.split for r in rows}):
            have = {p.stem for p in (args.corpus / split).glob("*.json")}
            chosen = [r for r in rows if r.split == split]
            lost = [r for r in chosen if r.id not in have]
            if args.status:
                print(f"{split}: {len(chosen) - len(lost)} of {len(chosen)} in {args.corpus}")
            if args.missing:
                for r in lost:
                    print(f"{r.id}\t{r.url}")
        return 0
    if not args.url or not args.text_file:
        ap.error("--url and --text-file are needed (or --status / --missing)")
    raw = args.text_file.read_text("utf-8")
    try:
        text = json.loads(raw) if raw.lstrip().startswith('"') else raw
    except json.JSONDecodeError as exc:
        print(f"{args.text_file}: starts with a quote but is no JSON string: {exc.msg}")
        return 2
    if not isinstance(text, str):
        print(f"{args.text_file}: the JSON is not a string")
        return 2
    status, message = put(args.corpus, rows, args.url, text, args.title)
    print(message, file=sys.stdout if status == 0 else sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
