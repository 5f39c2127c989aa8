"""One error map for the CLI and the API, and builtin exceptions answered as bugs.

A :class:`derisk.errors.DeriskError` raised by a service answers with its kind, its exit code
on the command line and its status over HTTP. A plain ``ValueError``, ``KeyError`` or
``LookupError`` is a bug (services raise derisk errors for the user's mistakes): it answers
``internal-error``, exit 70 / HTTP 500, never ``bad-input`` or ``not-found``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from derisk import errors
from derisk.api.app import create_app
from derisk.api.state import ReadOnly
from derisk.services import exposure
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[1]


def _api_get(db: Path, url: str) -> tuple[int, dict[str, Any]]:
    with TestClient(create_app(db), raise_server_exceptions=False) as client:
        r = client.get(url)
    return r.status_code, r.json()


@pytest.mark.parametrize("builtin", [ValueError, KeyError, LookupError, IndexError])
def test_a_builtin_exception_is_an_internal_error_on_cli_and_api(
    built_db: Path, monkeypatch: pytest.MonkeyPatch, builtin: type[Exception]
) -> None:
    def broken(*a: Any, **k: Any) -> Any:
        raise builtin("a bug, not the user's input")

    monkeypatch.setattr(exposure, "overview", broken)
    out = Cli(built_db).json("overview", code=errors.INTERNAL_EXIT_CODE)
    assert out["error"]["kind"] == "internal-error"
    status, body = _api_get(built_db, "/api/overview")
    assert (status, body["type"].rsplit(":", 1)[-1]) == (500, "internal-error")
    assert "a bug" not in body["detail"]  # the server log has it, not the answer


KINDS: list[type[errors.DeriskError]] = [
    errors.NotFoundError,
    errors.BadInputError,
    errors.ImportRefusedError,
    errors.ForbiddenError,
    errors.ConflictError,
    errors.StoreUnavailableError,
    errors.EngineGapError,
    errors.UnknownIdError,
    ReadOnly,  # the API's own kind (a write asked of a read-only server)
]


def _every_error_class() -> set[type[errors.DeriskError]]:
    """Every subclass of DeriskError defined anywhere in derisk (every module imported)."""
    import importlib
    import pkgutil

    import derisk

    for mod in pkgutil.walk_packages(derisk.__path__, "derisk."):
        if not mod.name.startswith("derisk.engines.spark"):  # pyspark: not installed everywhere
            importlib.import_module(mod.name)
    seen: set[type[errors.DeriskError]] = set()
    todo: list[type[errors.DeriskError]] = [errors.DeriskError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen and sub.__module__.startswith("derisk."):
                seen.add(sub)
                todo.append(sub)
    return seen


def test_every_error_kind_is_in_the_table() -> None:
    """Each kind any derisk error answers with is exercised below on the CLI and the API."""
    kinds = {c.kind for c in _every_error_class()}
    assert kinds == {c.kind for c in KINDS}
    assert {"not-found", "bad-input", "read-only", "engine-gap"} <= kinds


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.kind + "-" + c.__name__)
def test_every_error_kind_maps_the_same_on_cli_and_api(
    built_db: Path, monkeypatch: pytest.MonkeyPatch, cls: type[errors.DeriskError]
) -> None:
    def raising(*a: Any, **k: Any) -> Any:
        raise cls("the message for the user")

    monkeypatch.setattr(exposure, "overview", raising)
    out = Cli(built_db).json("overview", code=cls.exit_code)
    assert out["error"] == {"kind": cls.kind, "message": "the message for the user"}
    status, body = _api_get(built_db, "/api/overview")
    assert status == cls.status
    assert body["type"].rsplit(":", 1)[-1] == cls.kind
    assert body["detail"] == "the message for the user"


def test_unknown_id_is_not_found_and_still_a_key_error() -> None:
    exc = errors.UnknownIdError("unknown material 'x'")
    assert isinstance(exc, KeyError) and isinstance(exc, errors.NotFoundError)
    assert str(exc) == "unknown material 'x'"  # not KeyError's repr of the argument
    assert errors.describe(exc) == ("not-found", 404, 1)


@pytest.mark.parametrize(
    ("argv", "url", "cls"),
    [
        (("exposure", "unobtainium"), "/api/exposure/unobtainium", errors.NotFoundError),
        (("exposure", "antimony", "--stage", "nope"), "/api/exposure/antimony?stage=nope",
         errors.NotFoundError),
        (("exposure", "antimony", "--countries", "XXQ"), "/api/exposure/antimony?countries=XXQ",
         errors.BadInputError),
        (("overview", "--countries", "CHN", "--group", "covered"),
         "/api/overview?countries=CHN&group=covered", errors.BadInputError),
    ],
)  # fmt: skip
def test_real_service_errors_answer_alike(
    built_db: Path, argv: tuple[str, ...], url: str, cls: type[errors.DeriskError]
) -> None:
    out = Cli(built_db).json(*argv, code=cls.exit_code)
    assert out["error"]["kind"] == cls.kind
    status, body = _api_get(built_db, url)
    assert (status, body["type"].rsplit(":", 1)[-1]) == (cls.status, cls.kind)
    assert "--" not in body["detail"]  # services do not speak CLI options


def _plain_raises(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                f = node.exc.func
                if isinstance(f, ast.Name) and f.id in {"ValueError", "KeyError", "LookupError"}:
                    out.append(f"{path.relative_to(REPO)}:{node.lineno} {f.id}")
    return out


def test_services_and_front_ends_raise_derisk_errors_for_the_users_mistakes() -> None:
    src = REPO / "src" / "derisk"
    found = [r for d in ("services", "cli", "web", "api") for r in _plain_raises(src / d)]
    assert found == []


def test_services_do_not_speak_cli_options() -> None:
    bad = []
    for path in sorted((REPO / "src" / "derisk" / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = ast.unparse(node.exc)
                if "--" in text:
                    bad.append(f"{path.name}:{node.lineno}")
    assert bad == []


@pytest.mark.parametrize("command", ["trace", "lookthrough"])
def test_engine_input_files_the_user_names_are_the_users_mistake(
    tmp_path: Path, command: str
) -> None:
    """A missing or unreadable input file is not-found / bad-input naming the file, not a bug."""
    from typer.testing import CliRunner

    from derisk.cli import app

    extra = ["--member", "x"] if command == "lookthrough" else []

    def run(path: Path, code: int) -> Any:
        args = ["engine", command, str(path), "--out", str(tmp_path / "o.parquet"), *extra]
        res = CliRunner().invoke(app, [*args, "--json"])
        assert res.exit_code == code, (res.exit_code, res.output)
        return json.loads(res.output)

    missing = tmp_path / "missing.parquet"
    out = run(missing, errors.NotFoundError.exit_code)
    assert out["error"]["kind"] == "not-found"
    assert str(missing) in out["error"]["message"]
    garbage = tmp_path / "garbage.parquet"
    garbage.write_text("not a parquet file\n")
    out = run(garbage, errors.BadInputError.exit_code)
    assert out["error"]["kind"] == "bad-input"
    assert str(garbage) in out["error"]["message"]


def test_an_id_already_in_use_is_a_conflict_not_a_bug(fresh_db: Path) -> None:
    """The store refuses a row whose id another dataset holds: the user's conflict to resolve
    (409 / exit 1), which the front ends answer as such, never as an internal error."""
    from derisk.model.schema import Source
    from derisk.store import DuckStore
    from derisk.store.base import IdConflict

    with DuckStore(fresh_db) as store:
        taken = store.view().sources()[0]
        with pytest.raises(IdConflict) as caught, store.writer("another-dataset") as w:
            w.add([Source(taken.source_id, "someone else", "a second source with the same id")])
    assert isinstance(caught.value, ValueError)
    assert errors.describe(caught.value) == ("conflict", 409, 1)
    assert taken.source_id in str(caught.value)


@pytest.mark.parametrize(
    "argv",
    [
        ("overview", "--as-of", "yesterday"),
        ("exposure", "antimony", "--as-of", "2026-13-45"),
        ("monitor", "run", "--today", "soon"),
        ("news", "ingest", "article.html", "--published", "last week"),
        ("review", "accept", "p-1", "--set", "percent"),
    ],
)
def test_a_malformed_option_is_bad_input_as_documented(
    built_db: Path, argv: tuple[str, ...]
) -> None:
    """docs/cli.md lists the kinds an error may have; a malformed date or FIELD=VALUE is
    ``bad-input`` (exit 2), the kind the Python API's BadInputError carries for the same
    mistake, not an undocumented kind."""
    out = Cli(built_db).json(*argv, code=errors.BadInputError.exit_code)
    assert out["error"]["kind"] == errors.BadInputError.kind == "bad-input"
