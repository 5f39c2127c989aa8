"""The API contract in multi-user mode: schemathesis generates requests from /openapi.json
against a real multi-user server, with a user's token (no 5xx; statuses, content types and
bodies as documented, 401/403 included) and without one (every operation answers 401
problem+json, never a 5xx, never data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from derisk.api import create_app
from tests.trust_fixtures import MARKERS, TwoOrgs, build
from tests.web_server import running_app

EXAMPLES = 6  # per operation and way of asking: the plain contract test does the breadth


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, built_db: Path
) -> Iterator[tuple[str, TwoOrgs]]:
    env = build(tmp_path_factory.mktemp("contract") / "derisk.duckdb", built_db, ("acme", "beta"))
    with running_app(create_app(env.path, multi_user=True)) as base:
        yield base, env


def _header(resp: Any, name: str) -> str:
    value = resp.headers[name]
    return str(value[0] if isinstance(value, list) else value)


def _run(schema: Any, check: Any) -> int:
    ops = [r.ok() for r in schema.get_all_operations()]
    for op in ops:
        strategies = [op.as_strategy(), *schema.get_strategies_from_examples(op)]
        for strategy in strategies:

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                check(case)

            try:
                run()
            except Exception as exc:
                raise AssertionError(f"{op.method.upper()} {op.path}: {exc}") from exc
    return len(ops)


def test_contract_with_a_token(server: tuple[str, TwoOrgs]) -> None:
    base, env = server
    auth = {"Authorization": f"Bearer {env.tokens['bev']}"}
    schema = schemathesis.openapi.from_url(base + "/openapi.json", headers=auth)
    leaks: list[str] = []

    def check(case: Any) -> None:
        resp = case.call_and_validate(headers=auth, excluded_checks=[positive_data_acceptance])
        sent = repr(case.path_parameters) + repr(case.query) + repr(case.body)
        leaks.extend(m for m in MARKERS["acme"] if m in resp.text and m not in sent)

    assert _run(schema, check) >= 10
    assert not leaks


def test_every_operation_needs_a_token(server: tuple[str, TwoOrgs]) -> None:
    base, env = server
    auth = {"Authorization": f"Bearer {env.tokens['bev']}"}
    schema = schemathesis.openapi.from_url(base + "/openapi.json", headers=auth)
    raw = httpx.get(base + "/openapi.json", headers=auth).json()
    assert "bearer" in raw["components"]["securitySchemes"]

    def check(case: Any) -> None:
        for headers in ({}, {"Authorization": "Bearer drk_000000000000_" + "x" * 43}):
            resp = case.call(headers=headers)
            if case.path == "/api/health":
                assert resp.status_code == 200
                continue
            assert resp.status_code == 401, (case.method, case.formatted_path, resp.status_code)
            assert _header(resp, "content-type") == "application/problem+json"
            assert _header(resp, "x-content-type-options") == "nosniff"

    assert _run(schema, check) >= 10
