"""Shared CLI plumbing: options, JSON output, error handling, store opening."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar
from rich.table import Table
from rich.text import Text

from derisk.data.csvio import ImportFailed
from derisk.errors import INTERNAL_EXIT_CODE, DeriskError
from derisk.model.record import json_default
from derisk.progress import Progress, reporting
from derisk.services.results import OriginBlock
from derisk.store import DuckStore, StoreError, default_db_path, open_store
from derisk.store.view import View

# Piped output (make demo, logs) gets a width that fits the tables; a terminal keeps its own.
console = Console(
    width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 140,
)
err_console = Console(stderr=True)
log = logging.getLogger("derisk.cli")

DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: $DERISK_DB or the user data directory)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with a stable schema.")]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Date (YYYY-MM-DD) the facts must be valid at.")
]
CountriesOpt = Annotated[
    str | None,
    typer.Option("--countries", help="Selected countries, ISO alpha-3, comma-separated."),
]
GroupOpt = Annotated[
    str | None, typer.Option("--group", help="Selected country group, e.g. covered, eu27.")
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine", help="Computation engine: local or spark (default: $DERISK_ENGINE or local)."
    ),
]


def emit_json(obj: Any) -> None:
    """Print ``obj`` (plain JSON data: a result's ``to_json()``) as indented JSON.

    A result record handed over as it is raises ``TypeError`` (an internal error): only
    ``to_json()`` turns results into JSON."""
    text = json.dumps(obj, indent=2, ensure_ascii=False, default=json_default)
    sys.stdout.write(text + "\n")


def fail(message: str, *, as_json: bool, kind: str, code: int = 1) -> NoReturn:
    """Print ``message`` as the error ``kind`` (one of the kinds in docs/cli.md, no default so
    that no error goes out with an undocumented kind) and exit with ``code``."""
    if as_json:
        emit_json({"error": {"kind": kind, "message": message}})
    else:
        err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def parse_date(value: str | None, *, as_json: bool) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(
            f"--as-of {value!r} is not a date (YYYY-MM-DD)",
            as_json=as_json,
            kind="bad-input",
            code=2,
        )


@contextmanager
def store_for(db: Path | None, *, as_json: bool, read_only: bool = True) -> Iterator[DuckStore]:
    path = db or default_db_path()
    try:
        store = open_store(path, read_only=read_only)
    except StoreError as exc:
        fail(str(exc), as_json=as_json, kind="store")
    except Exception as exc:  # duckdb raises its own IOException for locked or corrupt files
        fail(f"cannot open database {path}: {exc}", as_json=as_json, kind="store")
    try:
        yield store
    finally:
        store.close()


@contextmanager
def view_for(db: Path | None, *, as_json: bool, as_of: dt.date | None = None) -> Iterator[View]:
    """The one view a read command answers from: the database opened read-only, as of
    ``as_of`` (default today), seeing what the acting user may see."""
    with store_for(db, as_json=as_json) as store, store.view(as_of=as_of) as view:
        yield view


def guarded(as_json: bool) -> Callable[[Callable[[], None]], None]:
    """Run a command body, turning errors into clean messages and exit codes.

    A :class:`~derisk.errors.DeriskError` is the user's to fix: its ``kind`` and ``exit_code``
    (the same table the HTTP API reads for its status). Anything else is a bug: logged with a
    trace id and reported as ``internal-error`` (exit 70), never as the user's mistake.
    """

    def run(body: Callable[[], None]) -> None:
        try:
            body()
        except typer.Exit:
            raise
        except ImportFailed as exc:
            if as_json:
                emit_json(
                    {
                        "error": {
                            "kind": exc.kind,
                            "message": "import refused, nothing was written",
                            "problems": [p.__dict__ for p in exc.problems],
                        }
                    }
                )
                raise typer.Exit(exc.exit_code) from None
            fail(str(exc), as_json=False, kind=exc.kind, code=exc.exit_code)
        except DeriskError as exc:
            msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
            fail(msg or type(exc).__name__, as_json=as_json, kind=exc.kind, code=exc.exit_code)
        except PermissionError as exc:
            fail(str(exc), as_json=as_json, kind="forbidden", code=3)
        except KeyboardInterrupt:
            fail("interrupted", as_json=as_json, kind="interrupted", code=130)
        except Exception as exc:
            trace_id = uuid.uuid4().hex[:12]
            log.error("internal error %s", trace_id, exc_info=exc)
            if os.environ.get("DERISK_DEBUG"):
                traceback.print_exception(exc, file=sys.stderr)
            fail(
                f"internal error {trace_id}: {type(exc).__name__}: {exc} "
                "(a bug; set DERISK_DEBUG=1 for the traceback)",
                as_json=as_json,
                kind="internal-error",
                code=INTERNAL_EXIT_CODE,
            )

    return run


class _Count(ProgressColumn):
    """``done/total unit`` (or ``done unit`` while the total is unknown)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        done = f"{int(task.completed):,}"
        of = "" if task.total is None else f"/{int(task.total):,}"
        return Text(f"{done}{of} {self.unit}".rstrip(), style="progress.download")


@contextmanager
def progress_bar(
    as_json: bool, unit: str = "", first: str = "working"
) -> Iterator[Progress | None]:
    """The CLI's rendering of a :class:`~derisk.progress.Progress`: one transient bar on the
    terminal (step, bar, ``done/total unit`` or bytes, time), nothing with ``--json``.

    Work that reports through :func:`derisk.progress.report` (engines) shows on the same bar.
    """
    if as_json:
        yield None
        return
    count: ProgressColumn = DownloadColumn() if unit == "bytes" else _Count(unit)
    with Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        count,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(escape(first), total=None)

        def show(step: str, done: int | None = None, total: int | None = None, /) -> None:
            if total is not None:
                bar.update(task, total=total)
            if done is not None:
                bar.update(task, completed=done)
            bar.update(task, description=escape(step[:70]))

        with reporting(show):
            yield show


@contextmanager
def progress_lines(as_json: bool) -> Iterator[Progress | None]:
    """A :class:`~derisk.progress.Progress` as dim lines on stderr (for unattended runs whose
    log should keep every step); nothing with ``--json``."""
    if as_json:
        yield None
        return

    def line(step: str, done: int | None = None, total: int | None = None, /) -> None:
        err_console.print(f"[dim]{escape(step)}[/]", highlight=False)

    with reporting(line):
        yield line


def pct(x: float | None, nd: int = 1) -> str:
    return "—" if x is None else f"{100 * x:.{nd}f}%"


def bounds(b: list[float | None] | None) -> str:
    if not b or b[0] is None or b[1] is None:
        return ""
    if abs(b[1] - b[0]) < 5e-4:
        return ""
    return f"[{pct(b[0])}–{pct(b[1])}]"


def print_origin(o: OriginBlock) -> None:
    """Text rendering of an origin block (used by ``trade origin`` and ``exposure``)."""
    sel = ",".join(o["selected_countries"])
    console.print(
        f"[bold]Origin of {o['importer']} imports of {o['material']} · {o['stage_name']}[/] "
        f"({o['stage']}), {o['year']} ({o['period']}), re-export corrected, mirror "
        f"{o['mirror']}"
    )
    lo, hi = o["total_share_bounds"]
    bounds = (
        f" [{pct(lo)}–{pct(hi)}]" if hi is not None and lo is not None and hi - lo > 5e-4 else ""
    )
    console.print(
        f"{sel}: direct [bold]{pct(o['direct_share'])}[/] + through third countries "
        f"[bold]{pct(o['indirect_share'])}[/] = total [bold]{pct(o['total_share'])}[/]{bounds}; "
        f"unknown origin {pct(o['unknown_share'])}; shipped from {sel} "
        f"{pct(o['shipped_from_selected_share'])} of imports ({o['imports_kg'] / 1000:,.0f} t)"
    )
    if o["indirect"]:
        t = Table(title=f"{sel}-origin material arriving through third countries")
        for c in ("via", f"{sel} origin", "share of imports shipped from there"):
            t.add_column(c)
        for v in o["indirect"]:
            t.add_row(f"{v['country']} {v['name']}", pct(v["share"]), pct(v["imports_share"]))
        console.print(t)
    if o["top_routes"]:
        console.print(
            "Top routes: "
            + "; ".join(f"{' → '.join(r['route'])} {pct(r['share'])}" for r in o["top_routes"])
        )
    if o.get("chained"):
        ch = o["chained"]
        console.print(
            f"Chained to {ch['origin_stage']} ({' ← '.join(ch['stages'])}): {sel} "
            f"{pct(ch['total_share'])}, unknown {pct(ch['unknown_share'])}"
        )
    if o["estimated_production"]:
        names = ", ".join(e["country"] for e in o["estimated_production"][:8])
        console.print(f"[dim]production unknown, set from net exports: {names}[/]")
    if o["shared_hs_codes"]:
        sh = "; ".join(f"{k}: {', '.join(v)}" for k, v in o["shared_hs_codes"].items())
        console.print(f"[dim]HS codes shared between materials: {sh}[/]")
    srcs = ", ".join(s["source_id"] for s in o["sources"])
    console.print(f"[dim]sources: {srcs}; data status {o['data_status']}[/]")
