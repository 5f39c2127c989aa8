"""Bad input to every importer gives a clean refusal and writes nothing (bounded fuzzing).

Inputs are real example files with random mutations (bytes replaced, inserted or cut; a line
doubled or dropped; a cell replaced by odd text: huge numbers, NaN, control characters,
quotes, other encodings) and plain noise. See ``tests/fuzz_targets.py``; ``make fuzz`` runs
the same targets much longer, with atheris as well.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derisk.store import DuckStore
from tests.fuzz_targets import TARGETS, Target, check

EXAMPLES = int(os.environ.get("DERISK_FUZZ_EXAMPLES", "25"))

ODD_CELLS = (
    "", " ", "NaN", "nan", "inf", "-inf", "1e309", "-0", "9" * 400, "0x1F", "1,5", "W", "NA",
    "—", "\u00a0", '"', '""', "'", "\x00", "\r", "\n", "\ufeff", "é", "漢字", "🙂",
    "2024-02-30", "99999-01-01", "-1", "100.0000001", "1" * 20, "true", "None", "null",
    "[]", "{}", '{"a":', "<script>", "'; DROP TABLE stake; --",
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with 1-4 random mutations."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("bytes", "insert", "cut", "truncate", "line", "cell", "enc")))
        n = len(data)
        if op == "bytes" and n:
            i = draw(st.integers(0, n - 1))
            data[i : i + draw(st.integers(1, 8))] = draw(st.binary(min_size=1, max_size=8))
        elif op == "insert":
            i = draw(st.integers(0, n))
            data[i:i] = draw(st.text(max_size=20)).encode("utf-8", "surrogatepass")
        elif op == "cut" and n:
            i = draw(st.integers(0, n - 1))
            del data[i : i + draw(st.integers(1, 64))]
        elif op == "truncate" and n:
            del data[draw(st.integers(0, n - 1)) :]
        elif op == "line":
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(i, lines[i])
            else:
                del lines[i]
            data = bytearray(b"\n".join(lines))
        elif op == "cell":
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            cells = lines[i].split(b",")
            j = draw(st.integers(0, len(cells) - 1))
            odd = draw(st.one_of(st.sampled_from(ODD_CELLS), st.text(max_size=12)))
            cells[j] = odd.encode("utf-8", "surrogatepass")
            lines[i] = b",".join(cells)
            data = bytearray(b"\n".join(lines))
        elif op == "enc":
            text = bytes(data).decode("utf-8", "replace")
            data = bytearray(text.encode(draw(st.sampled_from(("utf-16", "latin-1", "cp1252"))),
                                         "replace"))  # fmt: skip
    return bytes(data)


def inputs(target: Target) -> st.SearchStrategy[bytes]:
    seed = target.seed()
    return st.one_of(
        mutated(seed),
        mutated(seed),
        mutated(seed),
        st.binary(max_size=512),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


@pytest.fixture(scope="module")
def fuzz_store(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckStore]:
    path = tmp_path_factory.mktemp("fuzz") / "derisk.duckdb"
    shutil.copyfile(built_db, path)
    with DuckStore(path) as store:
        yield store


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seed_imports(name: str, fuzz_store: DuckStore, tmp_path: Path) -> None:
    """The unmutated seed is a valid file: the fuzzing starts from real input."""
    target = TARGETS[name]
    assert check(target, fuzz_store, tmp_path / name, target.seed()) in ("imported", "refused")


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bad_input_is_refused_cleanly(
    name: str, fuzz_store: DuckStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = TARGETS[name]
    folder = tmp_path_factory.mktemp(f"fz-{name}")

    @given(data=inputs(target))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(data: bytes) -> None:
        check(target, fuzz_store, folder, data)

    run()
