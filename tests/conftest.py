"""Shared fixtures: a database built once per test session from the bundled dataset."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

# CLI text is rendered 140 columns wide, as when piped, however the tests are run (a worker of
# pytest-xdist, or a terminal, would otherwise give Rich its own width and wrap table cells).
os.environ["COLUMNS"] = "140"

from derisk.cli import app  # after the width is fixed: the consoles read it
from derisk.data.loader import build_database
from derisk.store import DuckStore

pytest_plugins = ["tests.browser_fixtures"]

REPO = Path(__file__).resolve().parents[1]
# The raw public files the bundled dataset is built from (provenance in SOURCES.csv).
RAW_DATA = REPO / "data" / "sources"


# --- The repository stands alone -----------------------------------------------------------
# Every file the test run opens is checked by an audit hook: a file beside the repository (under
# its parent folder but outside it) is refused and fails the run, so a test, fixture or script
# run in-process that still reads sibling data cannot pass on a developer's machine and fail on
# a fresh clone. The interpreter and its installed packages are allowed wherever they live.
_OUTSIDE: list[str] = []
_REPO_REAL = os.path.realpath(REPO)
_ALLOWED = tuple(
    sorted(
        a
        for a in {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, *sys.path) if p}
        if not (_REPO_REAL + os.sep).startswith(a + os.sep)  # never an ancestor of the repository
    )
)


# What lay beside the repository when the run started: the sibling data a clone must not read.
# Folders the run creates there itself (when the repository sits in the temporary folder, every
# ``tempfile`` folder of the code under test: uploads, feed pages) are its own, not siblings.
_PARENT = os.path.dirname(_REPO_REAL)
try:
    _BESIDE_AT_START = frozenset(os.listdir(_PARENT))
except OSError:
    _BESIDE_AT_START = frozenset()
_TMP = os.path.realpath(tempfile.gettempdir())


class ReadOutsideRepository(PermissionError):
    """A test opened a file beside the repository."""


def _path_text(path: object) -> str | None:
    """``path`` (str, bytes or path-like) as text; ``None`` for anything else (a descriptor)."""
    if not isinstance(path, str | bytes | os.PathLike):
        return None  # a file descriptor (already open) or no path at all
    try:
        return os.fsdecode(path)
    except TypeError:
        return None  # a path-like whose __fspath__ gives neither str nor bytes


def outside_repository(path: object) -> bool:
    """True when ``path`` lies under the repository's parent folder but not in the repository."""
    raw = _path_text(path)
    if raw is None:
        return False
    real = os.path.realpath(raw)
    repo = _REPO_REAL
    parent = os.path.dirname(repo)
    if real == repo or real.startswith(repo + os.sep):
        return False
    if parent == os.path.dirname(parent) or not real.startswith(parent + os.sep):
        return False  # outside the parent, or the parent is the filesystem root
    first = real[len(parent) + 1 :].split(os.sep, 1)[0]
    if first.startswith("."):
        return False  # a hidden entry beside the repository: tool caches and settings (~/.cache)
    if (
        parent == _PARENT
        and first not in _BESIDE_AT_START
        and os.path.lexists(os.path.join(parent, first))
    ):
        return False  # made by this run (a temporary folder), not data beside the repository
    tmp = _TMP
    if real.startswith(tmp + os.sep):
        top = real[len(tmp) + 1 :].split(os.sep, 1)[0]
        if top.startswith(("pytest-of-", "tmp")):
            return False  # pytest's and tempfile's own folders when the repository is in /tmp
    return not any(real == a or real.startswith(a + os.sep) for a in _ALLOWED)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not args or not _AUDIT_ON:
        return
    if outside_repository(args[0]):
        msg = f"read outside the repository: {_path_text(args[0])}"
        _OUTSIDE.append(msg)
        raise ReadOutsideRepository(msg)


_AUDIT_ON = True
sys.addaudithook(_audit)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _OUTSIDE:
        sys.stderr.write("\n".join(["", "Files opened outside the repository:", *_OUTSIDE, ""]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a database built from the bundled dataset (do not write to it)."""
    path = tmp_path_factory.mktemp("db") / "derisk.duckdb"
    with DuckStore(path) as store:
        build_database(store)
    return path


@pytest.fixture()
def fresh_db(tmp_path: Path, built_db: Path) -> Path:
    """A database of one's own (a copy of the session's built database)."""
    path = tmp_path / "derisk.duckdb"
    shutil.copyfile(built_db, path)
    return path


@pytest.fixture()
def store(built_db: Path) -> Iterator[DuckStore]:
    s = DuckStore(built_db, read_only=True)
    yield s
    s.close()


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def run(self, *args: str, code: int = 0) -> str:
        res = self.runner.invoke(app, [*args, "--db", str(self.db)])
        assert res.exit_code == code, (res.exit_code, res.output)
        return res.output

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self.run(*args, "--json", code=code))


@pytest.fixture()
def cli(built_db: Path) -> Cli:
    return Cli(built_db)


@pytest.fixture(scope="session")
def lexicon() -> Any:
    """The reader's lexicon of the bundled entities (news tests; built once)."""
    from derisk.data.loader import bundled_dir
    from derisk.news.evaluation import lexicon_from_csv

    return lexicon_from_csv(bundled_dir() / "entities.csv")
