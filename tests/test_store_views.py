"""Store views: typed reads as of a date and for a principal, and SQL kept in the store.

The as-of filter and dataset visibility are written once (``derisk.store.view`` and
``derisk.store.guard``); these tests check both on rows written here, and that no module
outside ``derisk.store`` gains SQL: modules not yet moved are listed with their current count
of query calls, and a count may only go down (a module moved entirely leaves the list).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from derisk.model.schema import CountryGroup, GroupMember, Production, Source
from derisk.model.trust import Principal, Role
from derisk.store import DuckStore
from derisk.store.guard import Forbidden
from derisk.store.view import valid_at, valid_params
from tests.trust_fixtures import DATASET, build

SRC = Path(__file__).resolve().parents[1] / "src" / "derisk"

QUERY_CALL = re.compile(r"\.(?:sql|iter_sql|execute|executemany)\(|duckdb\.connect\(")

NOT_YET_MOVED: dict[str, int] = {}
"""Modules outside ``derisk.store`` that still run queries themselves -> how many calls.
Shrink it as reads move into :class:`derisk.store.view.View`; never grow it."""


def _query_calls() -> dict[str, int]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("store/"):
            continue
        n = len(QUERY_CALL.findall(path.read_text(encoding="utf-8")))
        if n:
            out[rel] = n
    return out


def test_no_sql_outside_the_store_but_the_listed_modules() -> None:
    found = _query_calls()
    new = {m: n for m, n in found.items() if m not in NOT_YET_MOVED}
    assert not new, f"queries outside derisk.store (add a View method instead): {new}"
    grown = {m: (n, NOT_YET_MOVED[m]) for m, n in found.items() if n > NOT_YET_MOVED.get(m, 0)}
    assert not grown, f"more queries than listed (found, listed): {grown}"
    stale = {m: (found.get(m, 0), n) for m, n in NOT_YET_MOVED.items() if found.get(m, 0) < n}
    assert not stale, f"fewer queries than listed: lower the list (found, listed): {stale}"


SQL_TEXT = re.compile(
    r"^\s*(?:SELECT\s|INSERT INTO\s|UPDATE\s+\S+\s+SET\s|DELETE FROM\s|"
    r"(?:CREATE|DROP|ALTER)\s+(?:OR REPLACE\s+)?(?:TEMP\s+)?(?:TABLE|VIEW|INDEX|SCHEMA)\s|"
    r"COPY\s|ATTACH\s|DETACH\s|PRAGMA\s|WITH\s+\w+\s+AS\s*\()"
)


def _sql_text(tree: ast.AST) -> list[int]:
    """Lines of string literals (plain or the first part of an f-string) that open an SQL
    statement."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            text = first.value if isinstance(first, ast.Constant) else ""
        elif isinstance(node, ast.Constant):
            text = node.value
        else:
            continue
        if isinstance(text, str) and SQL_TEXT.match(text):
            lines.append(node.lineno)
    return sorted(set(lines))  # an f-string's first part is also walked as a constant


def test_sql_text_is_written_in_the_store_only() -> None:
    """Not only no query calls: no SQL statement is even spelled outside ``derisk.store``
    (the model's tables become ``CREATE TABLE`` in the store, not in the model)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if not rel.startswith("store/"):
            lines = _sql_text(ast.parse(path.read_text(encoding="utf-8")))
            if lines:
                found[rel] = lines
    assert found == {}
    spelled = ast.parse('q = "SELECT 1"\nd = f"CREATE TABLE IF NOT EXISTS {t} (x INT)"\n')
    assert _sql_text(spelled) == [1, 2]
    assert _sql_text(ast.parse('h = "Select a rule; Create a user (admin)."')) == []


def test_duckdb_is_imported_by_the_store_only() -> None:
    """DuckDB stays behind the store: no other module imports it (or reaches a store's
    ``.con``); services and front ends hold a Store or a View."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n.split(".")[0] == "duckdb" for n in names):
                found.append(f"{rel}:{getattr(node, 'lineno', 0)}")
            elif isinstance(node, ast.Attribute) and node.attr == "con":
                found.append(f"{rel}:{node.lineno} .con")
    assert found == []


def _connection_helpers(src: Path) -> dict[str, set[str]]:
    """Store module -> its top-level functions that return a DuckDB connection or need one
    (a parameter without a default: ``acting_label(con=None)`` works without)."""
    out: dict[str, set[str]] = {}
    for path in sorted((src / "store").rglob("*.py")):
        mod = "derisk." + ".".join(path.relative_to(src).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            a = node.args
            positional = [*a.posonlyargs, *a.args]
            required = positional[: len(positional) - len(a.defaults)]
            required += [p for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is None]
            anns = [p.annotation for p in required if p.annotation]
            anns += [node.returns] if node.returns else []
            if any("DuckDBPyConnection" in ast.unparse(x) for x in anns):
                out.setdefault(mod, set()).add(node.name)
    return out


def _connection_helper_uses(src: Path) -> list[str]:
    """Uses, outside ``derisk.store``, of a store function that hands over or takes a
    connection (imported by name, or reached as ``module.name``)."""
    helpers = _connection_helpers(src)
    found = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel.startswith("store/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name -> store module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    if a.name in helpers.get(node.module, set()):
                        found.append(f"{rel}:{node.lineno} {node.module}.{a.name}")
                    if f"{node.module}.{a.name}" in helpers:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in helpers and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                mod = aliases.get(node.value.id)
                if mod is not None and node.attr in helpers[mod]:
                    found.append(f"{rel}:{node.lineno} {mod}.{node.attr}")
    return sorted(found)


def test_no_connection_is_handed_out_of_the_store() -> None:
    """Services hold a Store, a View or the trust tables' :class:`derisk.store.admin.Admin`,
    never a connection: no module outside ``derisk.store`` calls a store function that takes
    or returns one (``guard.resolve_principal(con)``, ``admin.connection(store)``)."""
    assert "resolve_principal" in _connection_helpers(SRC)["derisk.store.guard"]
    assert "connection" in _connection_helpers(SRC)["derisk.store.admin"]
    assert _connection_helper_uses(SRC) == []


def test_the_connection_scan_sees_imports_and_module_attributes(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "services").mkdir()
    (tmp_path / "store" / "guard.py").write_text(
        "def now() -> str: ...\n"
        "def who(con: duckdb.DuckDBPyConnection) -> str: ...\n"
        "def conn(store: Store) -> duckdb.DuckDBPyConnection: ...\n"
    )
    (tmp_path / "services" / "a.py").write_text(
        "from derisk.store import guard\n"
        "from derisk.store.guard import conn, now\n"
        "x = guard.who(conn(s))\n"
        "y = guard.now()\n"
    )
    assert _connection_helper_uses(tmp_path) == [
        "services/a.py:2 derisk.store.guard.conn",
        "services/a.py:3 derisk.store.guard.who",
    ]


MOVED = (
    "services/certify.py",
    "services/costs.py",
    "services/exposure.py",
    "services/facilities.py",
    "services/feeds.py",
    "services/lookup.py",
    "services/monitor.py",
    "services/network.py",
    "services/news.py",
    "services/ownership.py",
    "services/resource.py",
    "services/screening.py",
    "services/shock.py",
    "services/shock_baseline.py",
    "services/sources.py",
    "services/trace.py",
    "services/trade.py",
    "services/trust.py",
)
"""Services whose reads all go through :class:`derisk.store.view.View`."""


@pytest.mark.parametrize("module", MOVED)
def test_moved_services_hold_no_sql(module: str) -> None:
    text = (SRC / module).read_text(encoding="utf-8")
    assert not QUERY_CALL.findall(text)
    assert "valid_from IS NULL" not in text


def test_the_validity_filter_is_written_in_the_store_only() -> None:
    pattern = re.compile(r"valid_from IS NULL OR")
    where = [m for m in MOVED if pattern.search((SRC / m).read_text(encoding="utf-8"))]
    assert where == []
    code = [  # doctest examples and their outputs aside
        line
        for line in (SRC / "store" / "view.py").read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith((">>>", "'"))
    ]
    assert len([line for line in code if pattern.search(line)]) == 1


def test_valid_at_binds_the_date_as_often_as_it_asks() -> None:
    day = dt.date(2025, 1, 1)
    for how in ("in-force", "in-force-exclusive", "started"):
        assert valid_at("x", how).count("?") == len(valid_params(day, how))


def _write_groups(path: Path) -> None:
    src = Source("test-src", "Test", "Group membership written by the test")
    rows = [
        GroupMember("club", "AAA", "test-src"),  # always
        GroupMember("club", "BBB", "test-src", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        GroupMember("club", "CCC", "test-src", dt.date(2025, 1, 1)),
    ]
    with DuckStore(path) as store, store.writer("test-groups") as w:
        w.add([src])
        w.add([CountryGroup("club", "Club")])
        w.add(rows)


@pytest.mark.parametrize(
    ("day", "members"),
    [
        (dt.date(2023, 6, 1), ["AAA"]),
        (dt.date(2024, 1, 1), ["AAA", "BBB"]),
        (dt.date(2024, 12, 31), ["AAA", "BBB"]),  # the end date is still in force
        (dt.date(2025, 1, 1), ["AAA", "CCC"]),
    ],
)
def test_a_view_reads_members_in_force_on_its_date(
    fresh_db: Path, day: dt.date, members: list[str]
) -> None:
    _write_groups(fresh_db)
    with DuckStore(fresh_db, read_only=True) as store:
        got = store.view(as_of=day).group_members("club")
    assert [m.iso3 for m in got] == members
    assert all(isinstance(m, GroupMember) for m in got)


def test_a_figure_about_a_year_is_known_once_started_and_once_published(
    fresh_db: Path,
) -> None:
    src = Source("late-src", "Test", "Published mid-2025", published=dt.date(2025, 6, 30))
    fig = Production(
        "late-1", "antimony", "mining", "production", "CAN", 2024, 5.0, "t", "reported",
        "late-src", valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 3, 1),
    )  # fmt: skip
    with DuckStore(fresh_db) as store, store.writer("test-late") as w:
        w.add([src])
        w.add([fig])
    with DuckStore(fresh_db, read_only=True) as store:

        def ids(day: dt.date) -> list[str]:
            rows = store.view(as_of=day).production("antimony")
            return [p.fact_id for p in rows if p.source_id == "late-src"]

        assert ids(dt.date(2025, 5, 1)) == []  # started, but its source not yet published
        assert ids(dt.date(2025, 7, 1)) == ["late-1"]  # a figure about 2024 stays one
        assert ids(dt.date(2024, 12, 1)) == []


@pytest.fixture(scope="module")
def two_orgs(tmp_path_factory: pytest.TempPathFactory, built_db: Path) -> Path:
    path = tmp_path_factory.mktemp("views") / "two.duckdb"
    build(path, built_db, ("acme", "beta"))
    return path


BOB = Principal("bob", Role.ANALYST, "beta", via="api")
ALICE = Principal("alice", Role.ANALYST, "acme", via="api")


def test_a_view_for_a_principal_sees_only_its_datasets(two_orgs: Path) -> None:
    with DuckStore(two_orgs, read_only=True) as store:
        everything = {s.source_id for s in store.view().sources()}
        with store.view(principal=BOB) as bob:
            seen = {s.source_id for s in bob.sources()}
            prod = {p.fact_id for p in bob.production("antimony")}
            gallium = {i.fact_id for i in bob.import_sources("DEU", "gallium")}
        with store.view(principal=ALICE) as alice:
            alice_prod = {p.fact_id for p in alice.production("antimony")}
    assert {"acme-contract-2026", "beta-intel-2026"} <= everything
    assert "beta-intel-2026" in seen and "acme-contract-2026" not in seen
    assert "acme-p1" not in prod and "acme-i1" not in gallium
    assert "acme-p1" in alice_prod
    assert DATASET["acme"] == "acme-supply"


def test_a_view_at_another_date_keeps_its_principal_and_cursor(two_orgs: Path) -> None:
    """``view.at(date)`` reads as the same principal on the same scoped cursor; closing the
    dated view gives nothing back, closing the view that opened the cursor does."""
    with DuckStore(two_orgs, read_only=True) as store:
        bob = store.view(principal=BOB)
        earlier = bob.at(dt.date(2000, 1, 1))
        assert earlier.principal == BOB and earlier.as_of == dt.date(2000, 1, 1)
        assert bob.at(bob.as_of) is bob
        seen = {s.source_id for s in earlier.sources()}
        assert "beta-intel-2026" in seen and "acme-contract-2026" not in seen
        assert {r.source_id for r in earlier.rows(Source)} == seen  # whole-table reads too
        earlier.close()  # borrowed cursor: still open for bob
        assert {s.source_id for s in bob.sources()} == seen
        bob.close()
        with pytest.raises(Exception):  # noqa: B017 - the scoped cursor is closed: no reads
            earlier.sources()


def test_a_limited_store_cannot_read_as_someone_else(
    two_orgs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DERISK_USER", "bob")
    with DuckStore(two_orgs, read_only=True) as store:
        assert "acme-contract-2026" not in {s.source_id for s in store.view().sources()}
        with pytest.raises(Forbidden):
            store.view(principal=ALICE)
        with store.view(principal=store.principal) as same:
            assert "beta-intel-2026" in {s.source_id for s in same.sources()}


def test_a_facility_is_out_of_force_from_its_end_date(fresh_db: Path) -> None:
    """Facility statuses read the end date as the first day out of force (as the facility
    service always has); undated reads see every row."""
    from derisk.model.facilities import Facility

    src = Source("fac-src", "Test", "A plant written by the test")
    plant = Facility(
        "test-plant", "Test plant", "CAN", "antimony", "refining", "operating", 100.0, "t Sb",
        "content", "fac-src", valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 1, 1),
    )  # fmt: skip
    with DuckStore(fresh_db) as store, store.writer("test-fac") as w:
        w.add([src])
        w.add([plant])
    with DuckStore(fresh_db, read_only=True) as store:

        def ids(day: dt.date, *, dated: bool = True) -> list[str]:
            rows = store.view(as_of=day).facilities("antimony", "refining", dated=dated)
            return [f.facility_id for f in rows if f.source_id == "fac-src"]

        assert ids(dt.date(2024, 12, 31)) == ["test-plant"]
        assert ids(dt.date(2025, 1, 1)) == []
        assert ids(dt.date(2023, 1, 1)) == []
        assert ids(dt.date(2023, 1, 1), dated=False) == ["test-plant"]
        with pytest.raises(KeyError):
            store.view().stored_ids(Source, "no_such_column")


def test_admin_writes_only_in_a_transaction_and_rolls_back_whole(tmp_path: Path) -> None:
    """The trust tables' :class:`Admin` refuses a write outside ``admin_transaction``, and a
    block that raises leaves neither the row nor its audit entry."""
    from derisk.model.trust import AuditEntry, Organisation
    from derisk.store import StoreError
    from derisk.store.admin import admin, admin_transaction

    with DuckStore(tmp_path / "admin.duckdb") as store:
        with pytest.raises(StoreError, match="admin_transaction"):
            admin(store).insert(Organisation("acme", "Acme", "2026-01-01"))
        with pytest.raises(RuntimeError), admin_transaction(store) as adm:
            adm.insert(Organisation("acme", "Acme", "2026-01-01"))
            adm.record("org-add", table="organisation", keys=["acme"])
            assert [o.org_id for o in adm.select(Organisation)] == ["acme"]
            raise RuntimeError("half way")
        assert admin(store).select(Organisation) == []
        assert admin(store).select(AuditEntry) == []
        with admin_transaction(store) as adm:
            adm.insert(Organisation("acme", "Acme", "2026-01-01"))
            adm.record("org-add", table="organisation", keys=["acme"])
        (entry,) = admin(store).select(AuditEntry)
        assert (entry.action, entry.table_name, entry.keys) == (
            "org-add",
            "organisation",
            '["acme"]',
        )
        assert admin(store).principal().local
