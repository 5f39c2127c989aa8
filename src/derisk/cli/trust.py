"""``derisk admin`` (organisations, users, tokens, dataset access), ``derisk audit``,
``derisk whoami`` and ``derisk db backup|restore``.

The CLI acts as the local operator (admin, sees everything) unless ``$DERISK_USER`` names a
user of the database: then every command sees and may change only what that user may.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from derisk.cli.common import DbOpt, JsonOpt, console, emit_json, fail, guarded, store_for
from derisk.model.record import Record
from derisk.services import trust as svc
from derisk.services.results import trust as res_t
from derisk.store import default_db_path
from derisk.store.guard import Forbidden

R = TypeVar("R", bound=Record)

admin_app = typer.Typer(
    help="Organisations, users, API tokens and dataset access (multi-user server).",
    no_args_is_help=True,
)
org_app = typer.Typer(help="Organisations (owners of private datasets).", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (only their hashes are stored).", no_args_is_help=True)
dataset_app = typer.Typer(help="Who sees a dataset: public or private.", no_args_is_help=True)
admin_app.add_typer(org_app, name="org")
admin_app.add_typer(user_app, name="user")
admin_app.add_typer(token_app, name="token")
admin_app.add_typer(dataset_app, name="dataset")


def register(app: typer.Typer) -> None:
    from derisk.cli.core import db_app

    app.add_typer(admin_app, name="admin")
    app.command("audit")(audit)
    app.command("whoami")(whoami)
    db_app.command("backup")(db_backup)
    db_app.command("restore")(db_restore)


def _run(
    as_json: bool,
    write: bool,
    db: Path | None,
    compute: Callable[[Any], R],
    show: Callable[[R], None],
) -> None:
    def body() -> None:
        try:
            with store_for(db, as_json=as_json, read_only=not write) as store:
                res = compute(store)
        except Forbidden as exc:
            fail(str(exc), as_json=as_json, kind="forbidden", code=3)
        except LookupError as exc:
            fail(str(exc.args[0]) if exc.args else str(exc), as_json=as_json, kind="not-found")
        if as_json:
            emit_json(res.to_json())
        else:
            show(res)

    guarded(as_json)(body)


def _table(title: str, rows: Sequence[Mapping[str, Any]], cols: list[str]) -> None:
    t = Table(title=title)
    for c in cols:
        t.add_column(c)
    for r in rows:
        t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
    console.print(t)


# -- organisations --------------------------------------------------------------------


@org_app.command("add")
def org_add(
    org_id: Annotated[str, typer.Argument(help="Organisation id (slug), e.g. acme.")],
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an organisation."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.add_org(s, org_id, name),
        lambda r: console.print(f"Added organisation {r['org_id']} ({r['name']})"),
    )


@org_app.command("list")
def org_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List organisations with their users and private datasets."""

    def show(r: res_t.Orgs) -> None:
        rows = [
            {**o, "users": ", ".join(o["users"]), "datasets": ", ".join(o["datasets"])}
            for o in r["organisations"]
        ]
        _table("Organisations", rows, ["org_id", "name", "users", "datasets", "created_at"])

    _run(as_json, False, db, svc.list_orgs, show)


# -- users ------------------------------------------------------------------------------


@user_app.command("add")
def user_add(
    user_id: Annotated[str, typer.Argument(help="User id (slug), e.g. alice.")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst or admin.")] = "viewer",
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation (required unless admin).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a user with a role in an organisation."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.add_user(s, user_id, role, org, name),
        lambda r: console.print(
            f"Added user {r['user_id']} ({r['role']}, organisation {r['org_id'] or '—'})"
        ),
    )


@user_app.command("set")
def user_set(
    user_id: Annotated[str, typer.Argument(help="User id.")],
    role: Annotated[str | None, typer.Option("--role", help="New role.")] = None,
    disabled: Annotated[
        bool | None, typer.Option("--disable/--enable", help="Disable or enable the user.")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a user's role, or disable (all its tokens stop working) or enable it."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.set_user(s, user_id, role=role, disabled=disabled),
        lambda r: console.print(
            f"User {r['user_id']}: role {r['role']}, {'disabled' if r['disabled'] else 'active'}"
        ),
    )


@user_app.command("list")
def user_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List users with role, organisation and live tokens."""
    _run(
        as_json,
        False,
        db,
        svc.list_users,
        lambda r: _table(
            "Users", r["users"], ["user_id", "role", "org_id", "name", "disabled", "tokens"]
        ),
    )


# -- tokens -----------------------------------------------------------------------------


@token_app.command("create")
def token_create(
    user_id: Annotated[str, typer.Argument(help="User the token acts as.")],
    days: Annotated[
        int | None, typer.Option("--days", help="Expire after this many days (default never).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What the token is for.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an API token; its secret is printed once and never stored."""

    def show(r: res_t.TokenResult) -> None:
        console.print(f"Token {r['token_id']} for {r['user_id']} ({r['role']}):")
        console.print(r["token"], highlight=False, soft_wrap=True)
        console.print("[dim]Shown once: only its SHA-256 is stored.[/]")

    _run(as_json, True, db, lambda s: svc.create_token(s, user_id, days=days, note=note), show)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="Token id (the part after drk_).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token; it stops working at once."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.revoke_token(s, token_id),
        lambda r: console.print(f"Revoked token {r['token_id']} at {r['revoked_at']}"),
    )


@token_app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List tokens (ids, owners, state; never secrets or hashes)."""
    _run(
        as_json,
        False,
        db,
        lambda s: svc.list_tokens(s, user),
        lambda r: _table(
            "API tokens",
            r["tokens"],
            ["token_id", "user_id", "state", "created_at", "expires_at", "revoked_at", "note"],
        ),
    )


# -- datasets ----------------------------------------------------------------------------


@dataset_app.command("share")
def dataset_share(
    dataset: Annotated[str, typer.Argument(help="Dataset name.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a dataset public: every user sees it."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.set_access(s, dataset, "public"),
        lambda r: console.print(f"Dataset {r['dataset']} is public"),
    )


@dataset_app.command("private")
def dataset_private(
    dataset: Annotated[str, typer.Argument(help="Dataset name (may be loaded later).")],
    org: Annotated[str, typer.Option("--org", help="Owning organisation.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a dataset private to one organisation (assign it before importing)."""
    _run(
        as_json,
        True,
        db,
        lambda s: svc.set_access(s, dataset, "private", org),
        lambda r: console.print(f"Dataset {r['dataset']} is private to {r['org_id']}"),
    )


@dataset_app.command("list")
def dataset_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Datasets you can see, with access and owner."""
    _run(
        as_json,
        False,
        db,
        svc.list_datasets,
        lambda r: _table(
            "Datasets", r["datasets"], ["dataset", "access", "org_id", "rows", "loaded_at"]
        ),
    )


# -- audit, whoami ------------------------------------------------------------------------


def audit(
    since: Annotated[
        str | None, typer.Option("--since", help="From this date or time (UTC, ISO 8601).")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Before this date or time.")] = None,
    table: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Only this dataset.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this actor.")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="insert, delete-dataset, load-dataset, ...")
    ] = None,
    txn: Annotated[str | None, typer.Option("--txn", help="One transaction's entries.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The audit log: who changed what, when, before and after (newest first)."""

    def show(r: res_t.Audit) -> None:
        t = Table(title=f"Audit log ({len(r['entries'])} of {r['total']})")
        for c in ("at", "actor", "action", "table", "dataset", "rows", "origin"):
            t.add_column(c, overflow="fold")
        for e in r["entries"]:
            t.add_row(
                e["at"][:19],
                e["actor"],
                e["action"],
                e["table_name"] or "",
                e["dataset"] or "",
                str(e["rows"]),
                e["origin"] if len(e["origin"]) <= 48 else e["origin"][:47] + "…",
            )
        console.print(t)

    _run(
        as_json,
        False,
        db,
        lambda s: svc.audit(
            s,
            since=since,
            until=until,
            table=table,
            dataset=dataset,
            actor=actor,
            action=action,
            txn=txn,
            limit=limit,
        ),
        show,
    )


def whoami(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Who the CLI acts as ($DERISK_USER or the local operator) and what it sees."""

    def show(r: res_t.Whoami) -> None:
        mode = "local single-user mode" if r["local"] else f"as user {r['user']}"
        console.print(f"{r['user']} ({r['role']}), {mode}; datasets: {', '.join(r['datasets'])}")

    _run(
        as_json,
        False,
        db,
        lambda s: svc.whoami(s, mode="local" if s.principal.local else "user"),
        show,
    )


# -- backup and restore ---------------------------------------------------------------------


def db_backup(
    out: Annotated[Path, typer.Argument(help="Backup file to write (must not exist).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a consistent, checked copy of the database (no writer may hold it)."""

    def body() -> None:
        res = svc.backup(db or default_db_path(), out)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(
                f"Backed up {res['database']} to {res['backup']} ({res['bytes']:,} bytes, "
                f"{sum(res['counts'].values()):,} rows)"
            )

    guarded(as_json)(body)


def db_restore(
    src: Annotated[Path, typer.Argument(help="Backup file written by `derisk db backup`.")],
    db: DbOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    manifest: Annotated[
        Path | None,
        typer.Option(help="The backup's manifest (default: BACKUP.manifest.json)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Replace the database with a backup: the backup is checked against its manifest (size,
    SHA-256, tables, rows, checksums) on a read-only copy, then swapped in atomically; the
    previous database is kept as DB.pre-restore."""

    def body() -> None:
        path = db or default_db_path()
        if not yes and not typer.confirm(f"Replace {path} with {src}?", default=False):
            raise typer.Exit(1)
        res = svc.restore(path, src, manifest)
        if as_json:
            emit_json(res.to_json())
        else:
            console.print(
                f"Restored {res['database']} from {res['backup']} "
                f"({sum(res['counts'].values()):,} rows, verified against the manifest)"
            )
            if res["previous"]:
                console.print(f"The previous database is kept as {res['previous']}")

    guarded(as_json)(body)
