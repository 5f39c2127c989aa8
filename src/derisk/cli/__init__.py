"""The ``derisk`` command line: thin commands over :mod:`derisk.services`."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

# Each module has register(app); front-end areas add themselves here.
COMMAND_MODULES = (
    "derisk.cli.core",
    "derisk.cli.report",
    "derisk.cli.serve",
    "derisk.cli.usgs",
    "derisk.cli.trade",
    "derisk.cli.engines",
    "derisk.cli.certify",
    "derisk.cli.news",
    "derisk.cli.ownership",
    "derisk.cli.trust",
    "derisk.cli.resource",
    "derisk.cli.facilities",
    "derisk.cli.monitor",
)

# Top-level commands that need only some modules; any other command loads them all.
# This keeps frequent queries (``derisk overview --json``) free of heavy imports.
FAST_PATHS: dict[str, tuple[str, ...]] = {
    name: ("derisk.cli.core",) for name in ("materials", "overview", "exposure", "sources")
}
FAST_PATHS["db"] = ("derisk.cli.core", "derisk.cli.trust")
FAST_PATHS.update({name: ("derisk.cli.resource",) for name in ("reroute", "shock", "scenarios")})
FAST_PATHS["facilities"] = ("derisk.cli.facilities",)


def _print_version(value: bool) -> None:
    if value:
        from derisk import __version__

        typer.echo(f"derisk {__version__}")
        raise typer.Exit()


def build_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """The ``derisk`` Typer app with the commands of ``modules``."""
    app = typer.Typer(
        name="derisk",
        help="Critical-mineral supply chains: dependence on China (or any countries), "
        "with sources.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _top(
        version: bool = typer.Option(
            False, "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ) -> None:
        """Critical-mineral supply chains: dependence on China (or any countries), with sources."""

    for name in modules:
        importlib.import_module(name).register(app)
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
    raise AttributeError(name)


def main() -> None:
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    if first == "--version":
        build_app(())()
    build_app(FAST_PATHS.get(first, COMMAND_MODULES))()
