"""The ``derisk`` command line: thin commands over :mod:`derisk.services`."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="derisk",
    help="Critical-mineral supply chains: dependence on China (or any countries), with sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module has register(app); front-end areas add themselves here.
COMMAND_MODULES = ("derisk.cli.core", "derisk.cli.report")

for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def main() -> None:
    app()
