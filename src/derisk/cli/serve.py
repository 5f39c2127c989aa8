"""``derisk serve``: the HTTP API and the web UI on one local server."""

from __future__ import annotations

from typing import Annotated

import typer

from derisk.cli.common import DbOpt, console, fail
from derisk.store import StoreError, default_db_path


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    writable: Annotated[
        bool,
        typer.Option(
            "--writable/--read-only",
            help="Open the database for writing (accepting news proposals and other changes). "
            "Read-only lets the CLI read the database while the server runs.",
        ),
    ] = False,
    cache_size: Annotated[
        int,
        typer.Option("--cache-size", help="Answers kept in the result cache (0 turns it off)."),
    ] = 2048,
    multi_user: Annotated[
        bool,
        typer.Option(
            "--multi-user",
            help="Shared server: every request needs an API token (`derisk admin token create`) "
            "and sees only public data and its organisation's. Default: local single-user mode.",
        ),
    ] = False,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", help="Largest request body accepted (MiB).")
    ] = 20.0,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow cross-origin requests from this origin."),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) and the web UI until interrupted."""
    import uvicorn

    from derisk.api import create_app

    path = db or default_db_path()
    try:
        app = create_app(
            path,
            writable=writable,
            cache_size=cache_size,
            multi_user=multi_user,
            max_body=int(max_upload_mb * 1024 * 1024),
            cors_origins=tuple(cors_origin or ()),
        )
    except StoreError as exc:
        fail(str(exc), as_json=False, kind="store")
    except Exception as exc:  # duckdb's own errors for a locked or corrupt file
        fail(f"cannot open database {path}: {exc}", as_json=False, kind="store")
    shown = f"[{host}]" if ":" in host else host
    mode = "multi-user: API tokens required" if multi_user else "local single-user mode, no login"
    console.print(
        f"derisk is serving {path} ({'writable' if writable else 'read-only'}; {mode}) at "
        f"[bold]http://{shown}:{port}/[/]  (API: /api-docs, /openapi.json; Ctrl-C stops)"
    )
    if not multi_user and host not in ("127.0.0.1", "localhost", "::1"):
        console.print(
            f"[bold yellow]warning:[/] local single-user mode has no login and shows every "
            f"dataset to anyone who reaches {host}; use --multi-user on a shared address"
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
