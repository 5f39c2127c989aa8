"""Streaming helpers for importers: JSON records from files larger than memory, and an atomic
batched writer that names the record and field of every problem."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derisk.data.csvio import ImportFailed, Problem
from derisk.data.loader import LoadReport
from derisk.data.safeio import InputLimit, check_depth
from derisk.model.limits import limits
from derisk.model.schema import Entity, Source
from derisk.progress import Progress
from derisk.store.base import Store, Writer, id_conflict_message

CHUNK = 1 << 20


def iter_json(path: Path, progress: Progress | None = None) -> Iterator[tuple[int, Any]]:
    """Records of a JSON array file or a JSON Lines file, one at a time: ``(number, record)``.

    A record that is not valid JSON raises :class:`ImportFailed` naming its number.
    """
    from derisk.data.textcheck import utf8_error

    if bad := utf8_error(path):  # a record of a file that is not UTF-8 cannot be read
        raise ImportFailed([Problem(path.name, bad[0], "-", bad[1])])
    total = path.stat().st_size
    lim = limits()
    dec = json.JSONDecoder()
    with path.open("r", encoding="utf-8-sig") as fh:
        buf = ""
        done = 0
        eof = False

        def more() -> bool:
            nonlocal buf, done, eof
            chunk = fh.read(CHUNK)
            if not chunk:
                eof = True
                return False
            buf += chunk
            done += len(chunk.encode("utf-8", "surrogatepass"))
            if progress:
                progress(f"reading {path.name}", min(done, total), total)
            return True

        more()
        pos = 0
        ws = re.compile(r"[\s,]*")

        def skip() -> None:
            nonlocal pos
            while True:
                pos = ws.match(buf, pos).end()  # type: ignore[union-attr]
                if pos < len(buf) or eof or not more():
                    return

        skip()
        array = pos < len(buf) and buf[pos] == "["
        if array:
            pos += 1
        number = 0
        while True:
            skip()
            if pos >= len(buf):
                if array:
                    raise ImportFailed(
                        [Problem(path.name, number + 1, "-", "file ends inside the array")]
                    )
                return
            if array and buf[pos] == "]":
                return
            number += 1
            while True:
                try:
                    obj, end = dec.raw_decode(buf, pos)
                    break
                except RecursionError:
                    deep = f"JSON nested deeper than {lim.json_depth} (DERISK_LIMIT_JSON_DEPTH)"
                    raise InputLimit([Problem(path.name, number, "-", deep)]) from None
                except json.JSONDecodeError as exc:
                    if len(buf) - pos > lim.json_record_bytes:
                        raise InputLimit(
                            [Problem(path.name, number, "-", "JSON record longer than "
                                     f"{lim.json_record_bytes:,} characters "
                                     "(DERISK_LIMIT_JSON_RECORD_BYTES)")]
                        ) from None  # fmt: skip
                    if eof or not more():
                        raise ImportFailed(
                            [Problem(path.name, number, "-", f"not valid JSON: {exc.msg}")]
                        ) from None
            check_depth(obj, path.name, number, lim.json_depth)
            yield number, obj
            pos = end
            if pos > CHUNK:
                buf = buf[pos:]
                pos = 0


@dataclass
class BatchWriter:
    """Collects rows by type and writes them in batches inside one transaction."""

    writer: Writer
    batch: int = 20_000
    pending: dict[type[Any], list[Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, row: Any) -> None:
        rows = self.pending.setdefault(type(row), [])
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush(type(row))

    def flush(self, cls: type[Any] | None = None) -> None:
        for c in [cls] if cls else list(self.pending):
            rows = self.pending.get(c) or []
            if rows:
                table = c.Meta.table
                self.counts[table] = self.counts.get(table, 0) + self.writer.add(rows)
                self.pending[c] = []


def existing_sources(store: Store, dataset: str, replace: bool) -> set[str]:
    return store.view().stored_ids(Source, "source_id", dataset if replace else None)


def existing_entities(store: Store, dataset: str, replace: bool) -> set[str]:
    return store.view().stored_ids(Entity, "entity_id", dataset if replace else None)


def write_atomic(
    store: Store,
    *,
    dataset: str,
    origin: str,
    replace: bool,
    sources: list[Source],
    rows: Callable[[BatchWriter, list[Problem]], None],
    started: float | None = None,
) -> LoadReport:
    """Write ``sources`` then whatever ``rows`` adds, in one transaction; if it reports any
    problem, nothing is written and :class:`ImportFailed` lists them."""
    t0 = started if started is not None else time.perf_counter()
    store.check_write(dataset, replace=replace)
    problems: list[Problem] = []
    have = store.taken_ids(
        "source", "source_id", [s.source_id for s in sources], dataset if replace else None
    )
    for s in sources:
        if s.source_id in have:
            problems.append(
                Problem(
                    origin,
                    0,
                    "source_id",
                    id_conflict_message("source", "source_id", [s.source_id])
                    + " (or use --replace on your own dataset)",
                )
            )
    if problems:
        raise ImportFailed(problems)
    with store.writer(dataset) as w:
        if replace:
            w.delete_dataset(dataset)
        bw = BatchWriter(w)
        for s in sources:
            bw.add(s)
        rows(bw, problems)
        if problems:
            raise ImportFailed(problems)
        bw.flush()
        w.record_dataset(dataset, origin, sum(bw.counts.values()))
    return LoadReport(dataset, bw.counts, time.perf_counter() - t0)
