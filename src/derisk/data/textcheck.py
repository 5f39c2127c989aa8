"""Checks that an input file is text in the encoding an importer reads, naming the line of the
first byte that is not, so that importers refuse such a file with file, row and field."""

from __future__ import annotations

import codecs
from pathlib import Path

CHUNK = 1 << 20


def utf8_error(path: Path) -> tuple[int, str] | None:
    """``(line, message)`` for the first byte of ``path`` that is not UTF-8, or ``None``
    (also when the file cannot be opened: the importer reports that itself).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes(b"a,b\\n1,2\\n3,\\xff\\n")
    >>> utf8_error(p)
    (3, 'not UTF-8 text: byte 0xff at offset 10 cannot be decoded')
    >>> _ = p.write_bytes("a,é\\n".encode()); utf8_error(p) is None
    True
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    offset = 0
    try:
        fh = path.open("rb")
    except OSError:
        return None
    with fh:
        while True:
            chunk = fh.read(CHUNK)
            final = not chunk
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                held = len(exc.object) - len(chunk)  # bytes kept back from the chunk before
                bad = offset - held + exc.start
                line += exc.object[: exc.start].count(b"\n")
                byte = exc.object[exc.start]
                return line, f"not UTF-8 text: byte 0x{byte:02x} at offset {bad} cannot be decoded"
            if final:
                return None
            line += chunk.count(b"\n")
            offset += len(chunk)
