"""scripts/news_corpus_put.py: a corpus is rebuilt only from texts that match their labels."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "news_corpus_put.py"

TEXT = (
    "A smelter in Ruritania said on Monday it would stop shipping antimony ingots abroad. "
    "The company gave no reason."
)
CUT = "A smelter in Ruritania said on Monday it would stop shipping antimony ingots abroad."


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("news_corpus_put", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture()
def labels(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "whole",
            "url": "https://example.org/a/",
            "split": "dev",
            "published": "2026-03-02",
            "events": [],
            "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
        },
        {
            "id": "cut",
            "url": "https://example.org/b",
            "split": "test",
            "published": "2026-03-03",
            "events": [],
            "sha256": hashlib.sha256(CUT.encode()).hexdigest(),
        },
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def _run(mod: ModuleType, labels: Path, corpus: Path, url: str, text: str, tmp: Path) -> int:
    src = tmp / "page.txt"
    src.write_text(text, "utf-8")
    status: int = mod.main(
        ["--corpus", str(corpus), "--labels", str(labels), "--url", url, "--text-file", str(src)]
    )
    return status


def test_whole_text_written_in_the_scorer_layout(labels: Path, tmp_path: Path) -> None:
    mod, corpus = _load(), tmp_path / "corpus"
    # the url without its trailing slash finds the label; extra whitespace is stripped
    assert _run(mod, labels, corpus, "https://example.org/a", "\n" + TEXT + "\n", tmp_path) == 0
    doc = json.loads((corpus / "dev" / "whole.json").read_text("utf-8"))
    assert doc["text"] == TEXT
    assert (doc["id"], doc["published"], doc["url"]) == (
        "whole",
        "2026-03-02",
        "https://example.org/a/",
    )


def test_a_cut_text_is_found_as_a_prefix_and_json_literals_are_read(
    labels: Path, tmp_path: Path
) -> None:
    mod, corpus = _load(), tmp_path / "corpus"
    assert _run(mod, labels, corpus, "https://example.org/b", json.dumps(TEXT), tmp_path) == 0
    assert json.loads((corpus / "test" / "cut.json").read_text("utf-8"))["text"] == CUT


def test_a_text_differing_by_one_character_is_refused(labels: Path, tmp_path: Path) -> None:
    mod, corpus = _load(), tmp_path / "corpus"
    altered = TEXT.replace("antimony", "antimonY")
    assert _run(mod, labels, corpus, "https://example.org/a/", altered, tmp_path) == 1
    assert not (corpus / "dev" / "whole.json").exists()
    assert _run(mod, labels, corpus, "https://example.org/zzz", TEXT, tmp_path) == 2


def test_status_and_missing(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mod, corpus = _load(), tmp_path / "corpus"
    _run(mod, labels, corpus, "https://example.org/a/", TEXT, tmp_path)
    capsys.readouterr()
    assert (
        mod.main(["--corpus", str(corpus), "--labels", str(labels), "--status", "--missing"]) == 0
    )
    out = capsys.readouterr().out
    assert "dev: 1 of 1" in out and "test: 0 of 1" in out
    assert "cut\thttps://example.org/b" in out


def test_a_leading_date_stamp_the_label_lacks_is_dropped(labels: Path, tmp_path: Path) -> None:
    mod, corpus = _load(), tmp_path / "corpus"
    stamped = " date 2026-03-02 " + TEXT
    assert _run(mod, labels, corpus, "https://example.org/a/", stamped, tmp_path) == 0
    assert json.loads((corpus / "dev" / "whole.json").read_text("utf-8"))["text"] == TEXT
