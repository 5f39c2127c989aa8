"""docs/python.md runs as written, and the Python API answers exactly what the CLI prints."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

import derisk
from derisk import errors
from tests.conftest import Cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "python.md"


@pytest.fixture()
def example_db(fresh_db: Path) -> Path:
    Cli(fresh_db).json("import", "example", "products")
    return fresh_db


def test_every_python_block_of_the_doc_runs(
    example_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DERISK_DB", str(example_db))
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 10
    ns: dict[str, Any] = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"docs/python.md block {i + 1}", "exec"), ns)
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"docs/python.md block {i + 1} failed:\n{block}") from exc
    # The walk-through's figures are the CLI's.
    cli = Cli(example_db)
    assert ns["sb"].to_json() == cli.json("exposure", "antimony", "--stage", "mining")
    assert ns["cert"]["verdict"] == "non-compliant"
    assert isinstance(ns["frame"], pd.DataFrame) and len(ns["frame"]) == len(ns["sb"]["shares"])


CASES: list[tuple[str, tuple[str | int | None, ...], dict[str, Any], tuple[str, ...]]] = [
    ("materials", (), {}, ("materials",)),
    ("overview", (), {"group": "covered"}, ("overview", "--group", "covered")),
    (
        "exposure",
        ("antimony",),
        {"stage": "mining", "countries": ["CHN", "RUS"]},
        ("exposure", "antimony", "--stage", "mining", "--countries", "CHN,RUS"),
    ),
    ("exposure", ("graphite",), {"importer": "USA"}, ("exposure", "graphite", "--importer", "USA")),
    (
        "owners",
        ("talison-lithium",),
        {"as_of": "2026-09-01"},
        ("owners", "talison-lithium", "--as-of", "2026-09-01"),
    ),
    ("holdings", ("tianqi-lithium",), {}, ("holdings", "tianqi-lithium")),
    (
        "screen",
        (None,),
        {"rule": "pfe", "all_entities": True},
        ("screen", "--all", "--rule", "pfe"),
    ),
    ("trace", ("magnet-jp-cn-oxide",), {}, ("trace", "magnet-jp-cn-oxide")),
    (
        "certify",
        ("magnet-jp-cn-oxide", "dfars-7052"),
        {"as_of": "2026-12-31"},
        ("certify", "magnet-jp-cn-oxide", "--rule", "dfars-7052", "--as-of", "2026-12-31"),
    ),
    (
        "reroute",
        ("antimony", "USA", 50000),
        {"exclude_groups": ["covered"]},
        ("reroute", "antimony", "--to", "USA", "--demand", "50000", "--exclude-group", "covered"),
    ),
    ("shock", ("antimony-us-ban",), {}, ("shock", "antimony-us-ban")),
    ("scenarios", (), {}, ("scenarios",)),
    ("products", (), {}, ("products",)),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "argv"), CASES, ids=[c[0] for c in CASES])
def test_api_equals_cli_json(
    example_db: Path,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    argv: tuple[str, ...],
) -> None:
    expected = Cli(example_db).json(*argv)
    with derisk.open(example_db) as db:
        res = getattr(db, method)(*args, **kwargs)
    assert res.to_json() == expected
    assert res.schema == expected["schema"]
    if res.default_table is not None:
        pd.testing.assert_frame_equal(
            res.to_frame(), pd.DataFrame.from_records(expected[res.default_table])
        )
        assert res.to_arrow().num_rows == len(expected[res.default_table])


def test_result_is_read_only_and_to_json_is_a_copy(built_db: Path) -> None:
    with derisk.open(built_db) as db:
        res = db.exposure("antimony", stage="mining")
    with pytest.raises(TypeError):
        res["shares"][0]["share"] = 0.0
    copy = res.to_json()
    copy["shares"][0]["share"] = 0.0
    assert res["shares"][0]["share"] != 0.0
    with pytest.raises(derisk.BadInputError, match="no table 'nope'"):
        res.to_frame("nope")


def test_writes_need_a_writable_database(built_db: Path) -> None:
    with derisk.open(built_db) as db, pytest.raises(derisk.ConflictError, match="read_only=False"):
        db.news.reject("x")


def test_a_file_that_is_not_a_database_is_a_store_error_as_on_the_cli(tmp_path: Path) -> None:
    """``derisk.open`` of a file that is not a DuckDB database raises the library's own
    StoreUnavailableError (kind ``store``), as the CLI answers, not duckdb's IOException."""
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n")
    out = Cli(notes).json("overview", code=errors.StoreUnavailableError.exit_code)
    assert out["error"]["kind"] == "store"
    with pytest.raises(derisk.StoreUnavailableError, match="cannot open database") as caught:
        derisk.open(notes)
    assert caught.value.kind == out["error"]["kind"]
    assert str(notes) in str(caught.value)


def test_opening_a_missing_database_for_writing_does_not_create_it(tmp_path: Path) -> None:
    """A mistyped path opened with read_only=False used to become a new, empty database that
    then answered 'no data' to every question; it is refused like a read-only open."""
    typo = tmp_path / "derisk.duckbd"
    for read_only in (True, False):
        with pytest.raises(derisk.StoreUnavailableError, match="derisk db init"):
            derisk.open(typo, read_only=read_only)
    assert not typo.exists()


# One error table for the CLI and the API: every kind answers with the same kind, its exit
# code on the command line and its status over HTTP.
ERROR_CASES = [
    (errors.NotFoundError, ("exposure", "unobtainium"), "/api/exposure/unobtainium"),
    (errors.BadInputError, ("exposure", "antimony", "--countries", "XXQ"), None),
    (errors.BadInputError, ("overview", "--countries", "CHN", "--group", "covered"), None),
    (errors.NotFoundError, ("owners", "no-such-company-anywhere"), "/api/owners/no-such-company"),
]


@pytest.mark.parametrize(("cls", "argv", "url"), ERROR_CASES)
def test_one_error_table(
    built_db: Path, cls: type[errors.DeriskError], argv: tuple[str, ...], url: str | None
) -> None:
    out = Cli(built_db).json(*argv, code=cls.exit_code)
    assert out["error"]["kind"] == cls.kind
    with derisk.open(built_db) as db, pytest.raises(cls):
        name, *rest = argv
        if name == "exposure":
            kw: dict[str, Any] = {}
            if "--countries" in rest:
                kw["countries"] = rest[rest.index("--countries") + 1]
            db.exposure(rest[0], **kw)
        elif name == "overview":
            db.overview(countries="CHN", group="covered")
        else:
            db.owners(rest[0])
    if url is not None:
        from derisk.api.app import create_app

        with TestClient(create_app(built_db)) as client:
            r = client.get(url)
        assert r.status_code == cls.status
        assert r.json()["type"].endswith(cls.kind)


def test_a_bug_is_an_internal_error_not_bad_input(
    built_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from derisk.services import exposure

    def broken(*a: Any, **k: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(exposure, "overview", broken)
    out = Cli(built_db).json("overview", code=errors.INTERNAL_EXIT_CODE)
    assert out["error"]["kind"] == "internal-error"
    assert re.search(r"internal error [0-9a-f]{12}", out["error"]["message"])


def test_import_derisk_is_light() -> None:
    import subprocess
    import sys

    heavy = ("duckdb", "fastapi", "trafilatura")
    code = (
        "import json, sys, derisk; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
