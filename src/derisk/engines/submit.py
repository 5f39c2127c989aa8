"""Entry point for ``spark-submit``: the derisk command line, run as a Spark application.

    spark-submit --master spark://head:7077 \\
        "$(python -c 'import derisk.engines.submit as m; print(m.__file__)')" \\
        engine lookthrough hdfs:///data/stakes.parquet --member gov-1 \\
        --out hdfs:///out/shares.parquet --engine spark --json

The session is the one ``spark-submit`` configured (master, executors, memory); derisk adds
nothing to it but ``$DERISK_SPARK_CONF``. See docs/scaling.md.
"""

from __future__ import annotations


def main() -> None:
    from derisk.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
