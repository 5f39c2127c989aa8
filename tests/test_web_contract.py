"""API contract: schemathesis generates requests from /openapi.json against a real server; no
answer is a 5xx, and every answer matches its documented status, content type and schema.

Schemathesis' ``positive_data_acceptance`` check is left out: a request can fit the schema and
still name a country, material or source that does not exist, which is a 400 or 404 by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.web_server import running_server

EXAMPLES = 8  # per operation (and each documented example): every parameter kind, fast in CI


@pytest.fixture(scope="module")
def api_schema(built_db: Path) -> Iterator[Any]:
    with running_server(built_db) as base:
        yield schemathesis.openapi.from_url(base + "/openapi.json")


def test_api_contract(api_schema: Any) -> None:
    ops = [r.ok() for r in api_schema.get_all_operations()]
    assert len(ops) >= 9
    strategies = [(op, op.as_strategy()) for op in ops]
    # the documented examples (real materials and sources) reach the 200 answers too
    strategies += [(op, st) for op in ops for st in api_schema.get_strategies_from_examples(op)]
    for op, strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{op.method.upper()} {op.path}: {exc}") from exc
