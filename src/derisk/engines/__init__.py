"""Computation engines: ``local`` (numpy/scipy, default) and ``spark`` (Apache Spark).

See :mod:`derisk.engines.base`. Importing this package does not import pyspark.
"""

from derisk.engines.base import (
    ENGINES,
    Engine,
    EngineGap,
    current,
    engine_name,
    get_engine,
    using,
)

__all__ = ["ENGINES", "Engine", "EngineGap", "current", "engine_name", "get_engine", "using"]
