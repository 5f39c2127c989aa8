"""No untyped ``dict[str, Any]`` crosses a layer boundary.

Read from the source with :mod:`ast`: every function's parameters and return annotation, in
every module of ``src/derisk`` except ``derisk.news`` (whose extraction dicts are typed in a
later round), may not say ``dict[str, Any]`` unless the function is listed here with the
reason its dict is not a derisk contract: a JSON document on its way out, or a third-party
framework's own type. Results between layers are records (:mod:`derisk.model.record`),
TypedDicts, named tuples or :data:`derisk.model.reads.NamedArrays`.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
UNTYPED = ("dict[str, Any]", "Dict[str, Any]")

ALLOWED: dict[tuple[str, str], str] = {
    ("derisk.model.record", "to_json"): "the JSON document a record prints (its --json)",
    ("derisk.model.record", "records"): "a record's table as JSON rows (for pandas/Arrow)",
    ("derisk.model.record", "json_schema"): "a JSON Schema document",
    ("derisk.model.record", "_type_schema"): "a JSON Schema document (private builder)",
    ("derisk.model.record", "_object_schema"): "a JSON Schema document (private builder)",
    ("derisk.model.record", "__get__"): "Record.SCHEMA, a JSON Schema document",
    ("derisk.model.record", "field_types"): "field name -> its type annotation (a type form)",
    ("derisk.model.record", "fields_of"): "a record's fields, to build another record from",
    ("derisk.api.models", "problems"): "FastAPI's declared type of route `responses=`",
    ("derisk.api.security", "openapi"): "FastAPI's declared type of the OpenAPI document",
}


def _untyped_signatures(root: Path = SRC) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in sorted((root / "derisk").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        if module == "derisk.news" or module.startswith("derisk.news."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            anns = [p.annotation for p in params if p is not None and p.annotation is not None]
            anns += [node.returns] if node.returns is not None else []
            if any(u in ast.unparse(ann) for ann in anns for u in UNTYPED):
                found.add((module, node.name))
    return found


def test_no_untyped_dict_in_a_signature_outside_the_allowed() -> None:
    assert sorted(_untyped_signatures() - set(ALLOWED)) == []


def test_every_allowed_signature_still_exists() -> None:
    assert sorted(set(ALLOWED) - _untyped_signatures()) == []


def test_the_scan_sees_parameters_returns_and_methods(tmp_path: Path) -> None:
    (tmp_path / "derisk" / "news").mkdir(parents=True)
    (tmp_path / "derisk" / "a.py").write_text(
        "def ok(x: int) -> list[int]: ...\n"
        "def out() -> list[dict[str, Any]]: ...\n"
        "class C:\n    def inn(self, **kw: Dict[str, Any]) -> None: ...\n"
    )
    (tmp_path / "derisk" / "news" / "b.py").write_text("def skipped() -> dict[str, Any]: ...\n")
    assert _untyped_signatures(tmp_path) == {("derisk.a", "out"), ("derisk.a", "inn")}
