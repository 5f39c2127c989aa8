"""Set-up shared by the benchmarks (not a benchmark itself).

``bundled_database(path)`` writes a database of the bundled dataset at ``path``: it builds it
with :func:`derisk.data.loader.build_database`, or, when ``DERISK_BENCH_BUNDLED_DB`` names a
database already built that way (the benchmarks' smoke test builds one per session), copies
that file. Building takes several seconds and is set-up, never what a benchmark times; the
benchmark that times the build (``build_and_query.py``) always builds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

TEMPLATE_ENV = "DERISK_BENCH_BUNDLED_DB"


def bundled_database(path: Path) -> Path:
    """A database of the bundled dataset at ``path`` (built, or copied from the template)."""
    template = os.environ.get(TEMPLATE_ENV)
    if template and Path(template).is_file():
        shutil.copyfile(template, path)
        return path
    from derisk.data.loader import build_database
    from derisk.store import DuckStore

    with DuckStore(path) as store:
        build_database(store)
    return path
