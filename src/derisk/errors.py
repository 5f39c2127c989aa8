"""Errors derisk raises on purpose, under one root.

Every error that is the caller's to fix — an unknown id, bad input, a refused import, a
forbidden write — derives from :class:`DeriskError` and carries its ``kind`` (the stable name
used in ``--json`` errors and in problem+json ``type``), its HTTP ``status`` and the CLI
``exit_code``. The CLI and the HTTP API both read these three attributes; anything that is not
a :class:`DeriskError` is a bug, answered as an internal error with a trace id.

The classes keep their historical builtin bases (``LookupError``, ``ValueError``,
``PermissionError``…) so that ``except ValueError`` in callers keeps working.

>>> issubclass(NotFoundError, DeriskError), NotFoundError.status, NotFoundError.exit_code
(True, 404, 1)
>>> describe(BadInputError("--year must be a year"))
('bad-input', 400, 2)
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "INTERNAL_EXIT_CODE",
    "BadInputError",
    "ConflictError",
    "DeriskError",
    "EngineGapError",
    "ForbiddenError",
    "ImportRefusedError",
    "NotFoundError",
    "StoreUnavailableError",
    "UnknownIdError",
    "describe",
]


class DeriskError(Exception):
    """Root of every error derisk raises on purpose (the caller's to fix)."""

    kind: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    exit_code: ClassVar[int] = 1


class NotFoundError(DeriskError, LookupError):
    """An id or name that the database does not hold (or the caller may not see)."""

    kind = "not-found"
    status = 404
    exit_code = 1


class BadInputError(DeriskError, ValueError):
    """Arguments or data the command cannot use: wrong form, out of range, inconsistent."""

    kind = "bad-input"
    status = 400
    exit_code = 2


class ImportRefusedError(DeriskError, ValueError):
    """A file refused as a whole; nothing was written."""

    kind = "import-refused"
    status = 422
    exit_code = 1


class ForbiddenError(DeriskError, PermissionError):
    """Not allowed for the acting user."""

    kind = "forbidden"
    status = 403
    exit_code = 3


class ConflictError(DeriskError, RuntimeError):
    """The request conflicts with the state: a read-only server, an id already taken."""

    kind = "conflict"
    status = 409
    exit_code = 1


class StoreUnavailableError(DeriskError, RuntimeError):
    """The database cannot be opened or used (missing, locked, from another schema)."""

    kind = "store"
    status = 503
    exit_code = 1


class EngineGapError(DeriskError, NotImplementedError):
    """A declared gap of a computation engine: no partial or approximate answer is given."""

    kind = "engine-gap"
    status = 501
    exit_code = 1


INTERNAL_EXIT_CODE = 70
"""Exit code of an unexpected error (a bug): ``EX_SOFTWARE`` of sysexits.h."""


def describe(exc: BaseException) -> tuple[str, int, int] | None:
    """``(kind, http status, exit code)`` of a derisk error, ``None`` for anything else."""
    if isinstance(exc, DeriskError):
        return exc.kind, exc.status, exc.exit_code
    return None


class UnknownIdError(NotFoundError, KeyError):
    """An unknown id looked up in a table of known ids (a material, stage, unit, example).

    Also a :class:`KeyError`, so that ``except KeyError`` around catalogue look-ups keeps
    working; its message is the first argument (not ``repr`` of it).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown id"
