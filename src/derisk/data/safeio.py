"""Reading hostile files in bounded time and memory (limits: :mod:`derisk.model.limits`).

* :class:`Bounded` counts the bytes a decompressor hands out and stops a zip or gzip bomb by
  size and by ratio before it is expanded;
* :func:`bounded_lines` reads text line by line and refuses a line past the limit without
  holding it whole;
* :func:`csv_cells` lets the ``csv`` module read cells up to the limit and turns its error on a
  longer one into a problem naming the row;
* :func:`check_depth` and :func:`loads` refuse JSON nested past the limit.

Each refusal is an :class:`~derisk.data.csvio.ImportFailed` naming file, row and field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from derisk.data.csvio import ImportFailed, Problem
from derisk.model.limits import limits


class InputLimit(ImportFailed):
    """Input past a limit, or unreadable at the byte level: the file is refused."""


RATIO_GRACE = 1 << 20
"""Decompressed bytes allowed before the ratio check of a whole member starts."""
STREAM_GRACE = 64 << 10
"""The same for the running check on a stream (compressed bytes come in 8 KiB steps)."""


def check_declared(label: str, declared: int, compressed: int) -> None:
    """Refuse an archive member whose declared size is over the limits before reading it (the
    zip reader never yields more than the declared size)."""
    lim = limits()
    cap = min(lim.decompressed_bytes, max(compressed, 1) * lim.compression_ratio + RATIO_GRACE)
    if declared > cap:
        raise InputLimit(
            [
                Problem(
                    label,
                    0,
                    "-",
                    f"expands to more than {cap:,} bytes ({declared:,} declared from "
                    f"{compressed:,}: decompressed size or ratio over the limit: "
                    "DERISK_LIMIT_DECOMPRESSED_BYTES, DERISK_LIMIT_COMPRESSION_RATIO)",
                )
            ]
        )


"""Decompressed bytes allowed before the ratio check starts (tiny files compress well)."""


class Bounded(io.RawIOBase):
    """A binary stream read through, refused once it yields more than the limit, or more than
    ``compression_ratio`` times the ``compressed`` size it came from, or (``consumed``: the
    compressed bytes read so far) more than that ratio at any point past the first MiB, so a
    bomb stops within a few MiB."""

    def __init__(
        self,
        raw: Any,
        label: str,
        compressed: int | None = None,
        consumed: Callable[[], int] | None = None,
    ) -> None:
        self.raw = raw
        self.label = label
        lim = limits()
        cap = lim.decompressed_bytes
        if compressed is not None:
            cap = min(cap, compressed * lim.compression_ratio + RATIO_GRACE)
        self.cap = cap
        self.ratio = lim.compression_ratio
        self.consumed = consumed
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        if self.consumed is not None and self.count > self.consumed() * self.ratio + STREAM_GRACE:
            self.cap = self.consumed() * self.ratio + STREAM_GRACE  # a bomb: refused early
        if self.count > self.cap:
            raise InputLimit(
                [
                    Problem(
                        self.label,
                        0,
                        "-",
                        f"expands to more than {self.cap:,} bytes (decompressed size or ratio "
                        "over the limit: DERISK_LIMIT_DECOMPRESSED_BYTES, "
                        "DERISK_LIMIT_COMPRESSION_RATIO)",
                    )
                ]
            )
        return n


def bounded_lines(
    text: IO[str], label: str, *, max_chars: int | None = None, first_line: int = 1
) -> Iterator[str]:
    """Lines of ``text`` (newline kept); a line longer than the limit is refused without being
    read whole."""
    cap = max_chars if max_chars is not None else limits().csv_line_bytes
    lineno = first_line
    while True:
        line = text.readline(cap + 1)
        if not line:
            return
        if len(line) > cap:
            raise InputLimit(
                [
                    Problem(
                        label,
                        lineno,
                        "-",
                        f"line longer than {cap:,} characters (DERISK_LIMIT_CSV_LINE_BYTES)",
                    )
                ]
            )
        yield line
        lineno += 1


@contextmanager
def csv_cells(label: str, reader_line: Any = None) -> Iterator[None]:
    """Allow cells up to the limit; a ``csv.Error`` (a longer cell, a NUL byte, a broken
    quote) becomes a problem naming the row (``reader_line()``: the reader's ``line_num``)."""
    cap = limits().csv_cell_bytes
    old = csv.field_size_limit()
    csv.field_size_limit(cap)
    try:
        yield
    except csv.Error as exc:
        # the reader counts a line once it is parsed: the failing record is the next one
        row = int(reader_line()) + 1 if reader_line is not None else 0
        msg = str(exc)
        if "field larger than field limit" in msg:
            msg = f"a cell is longer than {cap:,} characters (DERISK_LIMIT_CSV_CELL_BYTES)"
        raise InputLimit([Problem(label, row, "-", f"unreadable CSV: {msg}")]) from None
    finally:
        csv.field_size_limit(old)


def check_depth(obj: Any, label: str, number: int, max_depth: int | None = None) -> None:
    """Refuse a decoded JSON value nested deeper than the limit (iterative: no recursion)."""
    cap = max_depth if max_depth is not None else limits().json_depth
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > cap:
            raise InputLimit([_too_deep(label, number, cap)])
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))


def _too_deep(label: str, number: int, cap: int) -> Problem:
    return Problem(label, number, "-", f"JSON nested deeper than {cap} (DERISK_LIMIT_JSON_DEPTH)")


def loads(text: str, label: str, number: int) -> Any:
    """``json.loads`` that refuses nesting past the limit with a problem, never a
    ``RecursionError``."""
    cap = limits().json_depth
    try:
        obj = json.loads(text)
    except RecursionError:
        raise InputLimit([_too_deep(label, number, cap)]) from None
    check_depth(obj, label, number, cap)
    return obj


class BoundedText:
    """A text stream whose lines are refused past the limit (``readline``, iteration,
    ``readlines``), for readers that take a file object."""

    def __init__(self, text: IO[str], label: str, max_chars: int | None = None) -> None:
        self.text = text
        self.label = label
        self.cap = max_chars if max_chars is not None else limits().csv_line_bytes
        self.lineno = 0

    def readline(self, size: int = -1) -> str:
        line = self.text.readline(self.cap + 1)
        if line:
            self.lineno += 1
        if len(line) > self.cap:
            raise InputLimit(
                [
                    Problem(
                        self.label,
                        self.lineno,
                        "-",
                        f"line longer than {self.cap:,} characters (DERISK_LIMIT_CSV_LINE_BYTES)",
                    )
                ]
            )
        return line

    def __iter__(self) -> Iterator[str]:
        while line := self.readline():
            yield line

    def readlines(self) -> list[str]:
        return list(self)

    def close(self) -> None:
        self.text.close()
