"""Hostile input files, written by us: over-long cells and lines, deep JSON, zip and gzip
bombs, huge article pages. Shared by tests/test_trust_limits.py (moderate sizes) and
benchmarks/hostile_files.py (the sizes that broke the first version)."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Callable
from pathlib import Path

MIB = 1 << 20


def csv_cell(folder: Path, cell_bytes: int) -> Path:
    """A derisk sources file whose title cell is ``cell_bytes`` long (quoted)."""
    p = folder / f"cell-{cell_bytes}.csv"
    p.write_text(f'source_id,publisher,title\nlong-{cell_bytes},P,"{"t" * cell_bytes}"\n')
    return p


def csv_line(folder: Path, line_bytes: int) -> Path:
    """A derisk sources file whose second line is ``line_bytes`` long with no newline."""
    p = folder / f"line-{line_bytes}.csv"
    with p.open("w") as fh:
        fh.write("source_id,publisher,title\n")
        chunk = "x" * MIB
        for _ in range(line_bytes // MIB):
            fh.write(chunk)
    return p


def deep_json(folder: Path, depth: int, kind: str) -> Path:
    """JSON nested ``depth`` deep: a BODS array (``bods``), FtM JSON Lines (``ftm``) or a
    news feed line (``news``)."""
    inner = "[" * depth + "]" * depth
    if kind == "bods":
        p = folder / f"deep-{depth}.json"
        p.write_text('[{"statementId": "s1", "recordDetails": ' + inner + "}]")
    elif kind == "ftm":
        p = folder / f"deep-{depth}.ftm.json"
        p.write_text('{"id": "e1", "schema": "Company", "properties": {"name": ' + inner + "}}\n")
    else:
        p = folder / f"deep-{depth}.jsonl"
        p.write_text('{"text": "Mine output fell.", "extra": ' + inner + "}\n")
    return p


def _stream_zip(path: Path, member: str, total: int, piece: bytes, head: bytes = b"") -> Path:
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open(member, "w", force_zip64=True) as w,
    ):
        w.write(head)
        block = piece * (MIB // len(piece))
        for _ in range(total // len(block)):
            w.write(block)
    return path


def baci_long_line(folder: Path, total: int) -> Path:
    """A BACI archive whose data member is one line of ``total`` bytes (no newline)."""
    p = folder / "BACI_HS22_V202501_line.zip"
    return _stream_zip(p, "BACI_HS22_Y2023_V202501.csv", total, b"1" * 64, b"t,i,j,k,v,q\n")


def baci_bomb(folder: Path, total: int) -> Path:
    """A BACI archive whose data member expands to ``total`` bytes of valid-looking rows."""
    p = folder / "BACI_HS22_V202501_bomb.zip"
    row = b"2023,156,842,811010,1.0,1.0\n"
    return _stream_zip(p, "BACI_HS22_Y2023_V202501.csv", total, row, b"t,i,j,k,v,q\n")


def comtrade_gzip_bomb(folder: Path, total: int) -> Path:
    """A gzipped Comtrade file expanding to ``total`` bytes."""
    p = folder / "comtrade-bomb.csv.gz"
    with gzip.open(p, "wb", compresslevel=9) as fh:
        fh.write(b"typeCode,freqCode,refYear,reporterCode,partnerCode,flowCode,cmdCode,netWgt\n")
        row = b"C,A,2023,156,842,X,811010,1\n" * (MIB // 28)
        for _ in range(total // len(row)):
            fh.write(row)
    return p


def news_page(folder: Path, total: int) -> Path:
    """An HTML page of ``total`` bytes."""
    p = folder / "huge.html"
    para = "<p>" + "Antimony output at the mine fell by a third. " * 20 + "</p>\n"
    with p.open("w") as fh:
        fh.write("<html><body><article>")
        for _ in range(total // len(para)):
            fh.write(para)
        fh.write("</article></body></html>")
    return p


Maker = Callable[[Path], Path]
