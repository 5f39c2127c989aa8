"""The repository stands alone: its raw data is inside it, checksummed, and nothing else is read."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess

import pytest

from tests import conftest
from tests.conftest import RAW_DATA, REPO, ReadOutsideRepository, outside_repository


def manifest() -> list[dict[str, str]]:
    with (RAW_DATA / "SOURCES.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_raw_file_is_listed_with_provenance_and_its_checksum() -> None:
    rows = manifest()
    listed = {r["path"] for r in rows}
    present = {
        p.relative_to(RAW_DATA).as_posix()
        for p in RAW_DATA.rglob("*")
        if p.is_file() and p.name not in ("SOURCES.csv", "SOURCES.md")
    }
    assert listed == present, (sorted(present - listed), sorted(listed - present))
    for r in rows:
        data = (RAW_DATA / r["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"], r["path"]
        assert int(r["bytes"]) == len(data), r["path"]
        assert r["publisher"] and r["url"] and r["licence"], r["path"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["retrieved"]), r["path"]


def test_a_file_beside_the_repository_is_refused() -> None:
    beside = REPO.parent / "beside-the-clone" / "data" / "SOURCES.md"  # any folder outside
    assert outside_repository(beside)
    assert outside_repository(str(beside))
    assert not outside_repository(RAW_DATA / "SOURCES.csv")
    assert not outside_repository(REPO / "src" / "derisk" / "__init__.py")
    assert not outside_repository(3)  # a descriptor
    assert not outside_repository(REPO.parent / ".cache" / "tool" / "x")  # hidden: tool state
    before = len(conftest._OUTSIDE)
    with pytest.raises(ReadOutsideRepository, match="outside the repository"):
        open(beside, encoding="utf-8")  # noqa: SIM115 - the open itself is what is refused
    assert len(conftest._OUTSIDE) == before + 1
    del conftest._OUTSIDE[before:]  # this refusal was the test's own


@pytest.mark.skipif(shutil.which("git") is None or not (REPO / ".git").exists(), reason="no git")
def test_no_code_names_a_path_beside_the_repository() -> None:
    out = subprocess.run(
        ["git", "grep", "-n", "-E", r"\.\./shared|/work/|parent / \"shared\"", "--",
         "src", "tests", "scripts", "benchmarks", "Makefile", ".ci"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    hits = [ln for ln in out.stdout.splitlines() if not ln.startswith("tests/test_standalone.py")]
    assert hits == []
