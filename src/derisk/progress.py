"""One progress protocol for long work: importers, loaders, services and engines.

Long work calls a :class:`Progress` with what it is doing and, when it knows, how far it got
out of how much: ``progress("reading stakes.csv", 1_200_000, 5_000_000)``. ``done`` and
``total`` count the same unit (bytes, rows, files, articles…, as the caller documents); a
``total`` of ``None`` means the end is not known, a ``done`` of ``None`` that only the step is
reported. Front ends render it (the CLI as a bar, or as lines for unattended runs); the library
never prints.

Work that cannot take a ``progress`` argument (a shared engine, deep inside a computation)
reports with :func:`report`, which goes to the progress set by :func:`reporting` in the same
thread or task, or nowhere.

>>> seen = []
>>> with reporting(lambda step, done=None, total=None: seen.append((step, done, total))):
...     report("levels: round 1")
>>> report("outside: dropped")
>>> seen
[('levels: round 1', None, None)]
>>> half = part(lambda s, d=None, t=None: seen.append((s, d, t)), 1, 2)
>>> half("writing", 50, 100)
>>> seen[-1]
('writing', 150, 200)
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Protocol

__all__ = ["Progress", "part", "report", "reporting", "silent"]


class Progress(Protocol):
    """``progress(step, done=None, total=None)``: what is being done, how far, out of how much."""

    def __call__(self, step: str, done: int | None = None, total: int | None = None, /) -> None:
        """Report one step (called often: must be cheap)."""


def silent(step: str, done: int | None = None, total: int | None = None, /) -> None:
    """A :class:`Progress` that reports nowhere."""


def part(progress: Progress | None, index: int, parts: int) -> Progress | None:
    """The progress of one of ``parts`` equal passes over the same input (the ``index``-th,
    from 0): pass ``index`` covers ``[index, index + 1) / parts`` of the whole."""
    if progress is None:
        return None
    whole = progress

    def of_part(step: str, done: int | None = None, total: int | None = None, /) -> None:
        if done is None or total is None:
            whole(step, done, None if total is None else total * parts)
        else:
            whole(step, index * total + done, total * parts)

    return of_part


_CURRENT: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "derisk_progress", default=None
)


@contextlib.contextmanager
def reporting(progress: Progress | None) -> Iterator[None]:
    """Send :func:`report` calls made inside the block (same thread or task) to ``progress``."""
    token = _CURRENT.set(progress)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def report(step: str, done: int | None = None, total: int | None = None) -> None:
    """Report to the progress of the enclosing :func:`reporting` block, if any."""
    progress = _CURRENT.get()
    if progress is not None:
        progress(step, done, total)
