"""Shared fixtures: a database built once per test session from the bundled dataset."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from derisk.cli import app
from derisk.data.loader import build_database
from derisk.store import DuckStore

pytest_plugins = ["tests.browser_fixtures"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
