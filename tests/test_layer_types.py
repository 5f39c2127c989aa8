"""No untyped ``dict[str, Any]`` crosses a layer boundary.

Read from the source with :mod:`ast`: every function's parameters and return annotation, and
every public class's fields, in every module of ``src/derisk`` may not say ``dict[str, Any]``
unless the function is listed here with the reason its dict is not a derisk contract: a JSON
document on its way out, or a third-party framework's own type. Results between layers are
records (:mod:`derisk.model.record`), TypedDicts, named tuples or
:data:`derisk.model.reads.NamedArrays`; an extracted news event's fields are
:class:`derisk.model.event_fields.ExtractedFields`. The news benchmark's scorers
(:data:`SKIPPED_MODULES`) read label files of their own and are not scanned.

The same holds for :data:`derisk.model.record.JSONObject` (``Mapping[str, Any]``): a public
signature or a public class's field may say it only where the object is genuinely free-form,
listed in :data:`ALLOWED_FREE_FORM` with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
UNTYPED = ("dict[str, Any]", "Dict[str, Any]")

SKIPPED_MODULES: dict[str, str] = {
    "derisk.news.realscore": (
        "the news benchmark's scorer: reads hand-labelled JSON files (any keys a labeller "
        "wrote) and the predictions the benchmark prints; no service calls it"
    ),
    "derisk.news.evaluation": (
        "the synthetic news benchmark's scorer: reads the labelled fixture JSON; no service "
        "calls it"
    ),
}
"""Modules not scanned, with the reason (benchmark internals, not a layer boundary)."""


def _modules(root: Path) -> list[tuple[str, ast.Module]]:
    """Every scanned module of ``root/derisk``: its dotted name and its parsed source."""
    out = []
    for path in sorted((root / "derisk").rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        if module not in SKIPPED_MODULES:
            out.append((module, ast.parse(path.read_text(encoding="utf-8"))))
    return out


def _public_fields(node: ast.ClassDef) -> list[tuple[str, str]]:
    """A public class's annotated fields (not class variables): name and annotation text."""
    if node.name.startswith("_"):
        return []
    return [
        (item.target.id, ast.unparse(item.annotation))
        for item in node.body
        if isinstance(item, ast.AnnAssign)
        and isinstance(item.target, ast.Name)
        and "ClassVar" not in ast.unparse(item.annotation)
    ]


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
    for module, tree in _modules(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for name, ann in _public_fields(node):
                    if any(u in ann for u in UNTYPED):
                        found.add((module, f"{node.name}.{name}"))
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


def test_the_scan_sees_parameters_returns_methods_and_fields(tmp_path: Path) -> None:
    (tmp_path / "derisk" / "news").mkdir(parents=True)
    (tmp_path / "derisk" / "a.py").write_text(
        "def ok(x: int) -> list[int]: ...\n"
        "def out() -> list[dict[str, Any]]: ...\n"
        "class C:\n    def inn(self, **kw: Dict[str, Any]) -> None: ...\n"
    )
    (tmp_path / "derisk" / "news" / "b.py").write_text(
        "class Event:\n    fields: dict[str, Any]\n    ok: ExtractedFields\n"
        "class _Private:\n    fields: dict[str, Any]\n"
        "def _make(fields: dict[str, Any]) -> None: ...\n"
    )
    (tmp_path / "derisk" / "news" / "realscore.py").write_text(
        "def skipped() -> dict[str, Any]: ...\n"
    )
    assert _untyped_signatures(tmp_path) == {
        ("derisk.a", "out"),
        ("derisk.a", "inn"),
        ("derisk.news.b", "Event.fields"),
        ("derisk.news.b", "_make"),
    }


def test_every_skipped_module_exists() -> None:
    assert all((SRC / (m.replace(".", "/") + ".py")).is_file() for m in SKIPPED_MODULES)


# -- free-form JSON objects ----------------------------------------------------------------

FREE_FORM = ("JSONObject", "Mapping[str, Any]")

ALLOWED_FREE_FORM: dict[tuple[str, str], str] = {
    ("derisk.api.deps", "paginate"): "a result's to_json() on its way out, cut to one page",
    ("derisk.api.security", "problem_response"): "a fragment of the OpenAPI document",
    ("derisk.model.catalog", "parse_catalog"): "the catalogue's raw YAML document, parsed here",
    ("derisk.rules.ownership", "load_pack"): "the rule pack's raw YAML document",
    ("derisk.rules.ownership", "RuleVersion.params"): (
        "a rule version's own parameters (thresholds, groups): each rule has its own keys"
    ),
    ("derisk.store.view", "fact"): (
        "a stored row of the table named at run time: its keys are that table's columns"
    ),
    ("derisk.services.results", "SourceLookup.fact"): "View.fact's row, printed whole",
    ("derisk.services.results", "SourceFacts.facts"): (
        "rows of every table citing a source, each with that table's columns"
    ),
}
"""(module, public function or ``Class.field``) -> why its JSON object has no fixed keys."""


def _free_form(root: Path = SRC) -> set[tuple[str, str]]:
    """Public functions whose parameters or return, and public classes whose fields (records,
    dataclasses, TypedDicts, named tuples), say :data:`derisk.model.record.JSONObject` or
    ``Mapping[str, Any]``. A private helper's value leaves its module only through one of
    these, so private names are not listed; nor are constants and local variables."""
    found: set[tuple[str, str]] = set()
    for module, tree in _modules(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for name, ann in _public_fields(node):
                    if any(f in ann for f in FREE_FORM):
                        found.add((module, f"{node.name}.{name}"))
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.name.startswith("_") and node.name not in ("__init__", "__call__"):
                continue
            a = node.args
            params = [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]
            anns = [p.annotation for p in params if p is not None and p.annotation is not None]
            anns += [node.returns] if node.returns is not None else []
            if any(f in ast.unparse(ann) for ann in anns for f in FREE_FORM):
                found.add((module, node.name))
    return found


def test_no_free_form_json_object_crosses_a_boundary_outside_the_allowed() -> None:
    assert sorted(_free_form() - set(ALLOWED_FREE_FORM)) == []


def test_every_allowed_free_form_object_still_exists() -> None:
    assert sorted(set(ALLOWED_FREE_FORM) - _free_form()) == []


def test_the_free_form_scan_sees_fields_signatures_but_not_private_names(tmp_path: Path) -> None:
    (tmp_path / "derisk" / "news").mkdir(parents=True)
    (tmp_path / "derisk" / "a.py").write_text(
        "X: JSONObject = {}\n"
        "class R(Record):\n"
        "    ok: tuple[Row, ...]\n    doc: JSONObject | None\n    S: ClassVar[JSONObject] = {}\n"
        "class _P:\n    doc: JSONObject\n"
        "def out(x: int) -> list[Mapping[str, Any]]: ...\n"
        "def inn(doc: JSONObject) -> None: ...\n"
        "def _private(doc: JSONObject) -> JSONObject: ...\n"
    )
    (tmp_path / "derisk" / "news" / "b.py").write_text("def seen(d: JSONObject) -> None: ...\n")
    (tmp_path / "derisk" / "news" / "evaluation.py").write_text(
        "def skipped(d: JSONObject) -> None: ...\n"
    )
    assert _free_form(tmp_path) == {
        ("derisk.a", "R.doc"),
        ("derisk.a", "out"),
        ("derisk.a", "inn"),
        ("derisk.news.b", "seen"),
    }
