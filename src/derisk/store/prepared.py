"""Prepared look-through structures kept beside the store, so that a restart starts warm.

A large interest layer prepared for owner-set screens (the arrays of
:class:`derisk.analysis.ownership.FlatPlan`) costs seconds to build and is the same for every
``as_of`` date on which the layer's stakes are the same. :class:`PreparedCache` keeps it in a
folder beside the database file (``<database>.prepared/``), one sub-folder of ``.npy`` files
per layer, named by a digest of the layer's content (its node count and every stake's owner,
owned entity and share, with the format of the structure). So:

* the same stakes on another date, or in another process after a restart, find the folder and
  load it (memory-mapped: pages are read when the first screen touches them);
* any write that changes a layer's stakes changes its digest: the old structure is never used
  for the new stakes, and is dropped once it is among the least recently used (``keep``);
* a folder is written under a temporary name and renamed when complete, and checked when read
  (names, sizes and the stated digest); one that fails the check is removed and rebuilt.

The cache is an accelerator: a folder that cannot be written (a read-only store) or read is
skipped, never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from derisk.model.reads import NamedArrays

FORMAT = "derisk.prepared/1"
KEEP = 4
"""Prepared layers kept (least recently used removed first)."""


class PreparedCache:
    """Prepared layers in ``folder``, keyed by a hex digest of their content (module doc)."""

    def __init__(self, folder: Path, keep: int = KEEP) -> None:
        self.folder = Path(folder)
        self.keep = keep

    def _dir(self, key: str) -> Path:
        if not key or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"a prepared layer's key is a hex digest, not {key!r}")
        return self.folder / key

    def load(self, key: str) -> NamedArrays | None:
        """The arrays kept under ``key`` (memory-mapped, copy on write), or None."""
        where = self._dir(key)
        meta_file = where / "meta.json"
        if not meta_file.is_file():
            return None
        try:
            meta = json.loads(meta_file.read_text("utf-8"))
            if meta.get("format") != FORMAT or meta.get("key") != key:
                raise ValueError("another format or key")
            out: NamedArrays = {}
            for name, size in meta["arrays"].items():
                arr = np.load(where / f"{name}.npy", mmap_mode="c", allow_pickle=False)
                if int(arr.size) != int(size):
                    raise ValueError(f"{name}: {arr.size} values, not {size}")
                out[name] = arr
            out.update({k: np.asarray(v, dtype=np.int64) for k, v in meta["counts"].items()})
            with contextlib.suppress(OSError):
                os.utime(meta_file)  # recently used
            return out
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            shutil.rmtree(where, ignore_errors=True)
            return None

    def save(self, key: str, arrays: Mapping[str, npt.ArrayLike]) -> bool:
        """Keep ``arrays`` under ``key`` (0-d arrays are kept as counts). False if the folder
        cannot be written; the least recently used layers beyond ``keep`` are removed."""
        where = self._dir(key)
        tmp: Path | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=self.folder))
            sizes: dict[str, int] = {}
            counts: dict[str, int] = {}
            for name, value in arrays.items():
                arr = np.asarray(value)
                if arr.ndim == 0:
                    counts[name] = int(arr)
                    continue
                np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
                sizes[name] = int(arr.size)
            meta = {"format": FORMAT, "key": key, "arrays": sizes, "counts": counts}
            (tmp / "meta.json").write_text(json.dumps(meta), "utf-8")
            shutil.rmtree(where, ignore_errors=True)
            tmp.rename(where)
            tmp = None
        except OSError:
            return False
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        self._prune()
        return True

    def digests(self) -> list[str]:
        """Keys of the complete layers kept, most recently used first."""
        if not self.folder.is_dir():
            return []
        found = []
        for d in self.folder.iterdir():
            meta = d / "meta.json"
            if not d.name.startswith(".") and meta.is_file():
                with contextlib.suppress(OSError):
                    found.append((meta.stat().st_mtime, d.name))
        return [k for _t, k in sorted(found, reverse=True)]

    def clear(self) -> int:
        """Remove every kept layer; how many there were."""
        keys = self.digests()
        for k in keys:
            shutil.rmtree(self.folder / k, ignore_errors=True)
        return len(keys)

    def _prune(self) -> None:
        for k in self.digests()[self.keep :]:
            shutil.rmtree(self.folder / k, ignore_errors=True)
        if self.folder.is_dir():  # temporary folders left by a process that died mid-write
            for d in self.folder.iterdir():
                if d.name.startswith(".") and d.is_dir():
                    with contextlib.suppress(OSError):
                        if time.time() - d.stat().st_mtime > 3600:
                            shutil.rmtree(d, ignore_errors=True)
