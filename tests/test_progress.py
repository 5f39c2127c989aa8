"""One progress protocol: every long-running entry point reports ``(step, done, total)``."""

from __future__ import annotations

import ast
import inspect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from derisk import progress as prog
from derisk.data.importers.usgs_mcs import import_usgs_mcs
from derisk.data.loader import build_database
from derisk.progress import Progress, part, report, reporting
from derisk.store import DuckStore

REPO = Path(__file__).resolve().parents[1]
Seen = list[tuple[str, int | None, int | None]]


def recorder() -> tuple[Seen, Progress]:
    seen: Seen = []

    def record(step: str, done: int | None = None, total: int | None = None, /) -> None:
        seen.append((step, done, total))

    return seen, record


def test_report_goes_to_the_enclosing_block_only() -> None:
    seen, record = recorder()
    report("before")
    with reporting(record):
        report("inside", 1, 2)
        with reporting(None):
            report("muted")
        other: list[str] = []

        def elsewhere() -> None:
            report("other thread")
            other.append("ran")

        t = threading.Thread(target=elsewhere)
        t.start()
        t.join()
        assert other == ["ran"]
    report("after")
    assert seen == [("inside", 1, 2)]


def test_part_maps_passes_onto_one_scale() -> None:
    seen, record = recorder()
    first, second = part(record, 0, 2), part(record, 1, 2)
    assert first is not None and second is not None
    first("read", 10, 10)
    second("read", 5, 10)
    second("read")
    assert seen == [("read", 10, 20), ("read", 15, 20), ("read", None, None)]
    assert part(None, 0, 2) is None


def test_loader_reports_rows_read_so_far(tmp_path: Path) -> None:
    seen, record = recorder()
    with DuckStore(tmp_path / "p.duckdb") as store:
        rep = build_database(store, progress=record)
    counts = [d for _, d, _ in seen if d is not None]
    assert len(counts) == len(seen)
    assert counts == sorted(counts) and 0 < counts[-1] <= sum(rep.rows.values())
    assert len(seen) >= 10  # one step per bundled file
    assert all(t is None for _, _, t in seen) and all(s.startswith("read ") for s, _, _ in seen)


def test_usgs_import_reports_files(tmp_path: Path) -> None:
    usgs = REPO / "tests" / "data" / "usgs"
    files = [
        usgs / "MCS2026_Commodities_Data.subset.csv",
        usgs / "MCS2026_T7_Critical_Minerals_Salient.subset.csv",
        usgs / "MCS2026_Fig3_Major_Import_Sources.subset.csv",
    ]
    seen, record = recorder()
    with DuckStore(tmp_path / "u.duckdb") as store:
        import_usgs_mcs(store, files, progress=record)
    assert [(d, t) for _, d, t in seen] == [(1, 3), (2, 3), (3, 3)]
    assert seen[0][0].startswith("read MCS2026_Commodities_Data.subset.csv (")


def _progress_params() -> list[tuple[str, str]]:
    """Every ``progress`` parameter of a function in src/derisk, with its annotation."""
    out = []
    for path in (REPO / "src" / "derisk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for a in node.args.args + node.args.kwonlyargs:
                    if a.arg == "progress" and a.annotation is not None:
                        where = f"{path.relative_to(REPO)}:{node.name}"
                        out.append((where, ast.unparse(a.annotation)))
    return out


def test_every_progress_parameter_is_the_protocol() -> None:
    params = _progress_params()
    assert len(params) >= 15  # importers, loader, services
    odd = [(w, ann) for w, ann in params if ann != "Progress | None"]
    assert odd == []


def test_no_other_progress_type_and_no_engine_log_attribute() -> None:
    for path in (REPO / "src" / "derisk").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                assert "Progress" not in names, path
                attrs = [t.attr for t in node.targets if isinstance(t, ast.Attribute)]
                assert "log" not in attrs, f"{path}: progress goes through derisk.progress"


def test_protocol_accepts_the_three_call_forms() -> None:
    seen, record = recorder()
    calls: list[Callable[[Progress], Any]] = [
        lambda p: p("step"),
        lambda p: p("step", 3),
        lambda p: p("step", 3, 9),
    ]
    for call in calls:
        call(record)
        call(prog.silent)
    assert seen == [("step", None, None), ("step", 3, None), ("step", 3, 9)]
    assert list(inspect.signature(prog.silent).parameters) == ["step", "done", "total"]
