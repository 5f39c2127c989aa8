"""The server's hold on the database: one DuckDB connection, a cursor per request, a cache.

DuckDB lets one process write a file, or many processes read it. The server opens the
database once (read-only by default, so the CLI can still read it alongside) and gives each
request its own cursor: cursors are independent connections to the same database and are
safe to use from different threads at the same time.

Results are pure functions of the request's parameters and the database contents, so they
are cached. Because no other process can write while the server holds the file, the only
writes are the server's own (``Api.write``), and each of them empties the cache.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from starlette.types import Message

from derisk.errors import ConflictError
from derisk.model.record import json_default
from derisk.store import DuckStore, StoreError, guard

T = TypeVar("T")


def encode_json(obj: Any) -> bytes:
    """The JSON body of an API answer: the service's dict as the CLI's ``--json`` prints it.

    A result record handed over without ``to_json()`` raises ``TypeError`` (an internal
    error), never its repr as the answer."""
    return json.dumps(obj, ensure_ascii=False, default=json_default, separators=(",", ":")).encode()


class AppState:
    """Database connection, write lock and result cache shared by every request of one app."""

    def __init__(self, db_path: Path, *, writable: bool = False, cache_size: int = 2048) -> None:
        if not Path(db_path).exists():
            raise StoreError(f"no database at {db_path}; run `derisk db init` to build it")
        self.db_path = Path(db_path)
        self.writable = writable
        self.base = DuckStore(db_path, read_only=not writable, create=False)
        self.cache_size = cache_size
        self.generation = 0
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()

    @contextmanager
    def reader(self) -> Iterator[DuckStore]:
        """A store for one request's reads."""
        store = self.base.for_request()
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def writer(self) -> Iterator[DuckStore]:
        """A store for one request's writes (one writer at a time); empties the cache after."""
        if not self.writable:
            raise ReadOnly(
                "the server opened the database read-only; start it with `derisk serve --writable`"
            )
        with self._write_lock:
            store = self.base.for_request()
            try:
                yield store
            finally:
                store.close()
                self.invalidate()

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._cache.clear()

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per key and database generation (least recently used evicted)."""
        if self.cache_size <= 0:
            return compute()
        key = (guard.scope_key(), key)  # answers differ by who asks (dataset visibility)
        with self._lock:
            gen = self.generation
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if gen == self.generation:
                self._cache[key] = value
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return value

    def close(self) -> None:
        self.base.close()


class ReadOnly(ConflictError):
    """A write asked of a server that opened the database read-only."""

    kind = "read-only"


def today() -> dt.date:
    return dt.date.today()


class ResponseCache:
    """ASGI middleware: whole answers to ``GET`` requests, replayed while nothing is written.

    An answer (API JSON or page) depends only on its path, its query string, the database and
    today's date (the default as-of date), so those are the key; only 200 answers are kept,
    and at most ``max_bytes`` of them (least recently used first out). A hit skips routing,
    validation and the thread pool. Entries of an older database generation are never served.
    """

    def __init__(self, app: Any, state: AppState, max_bytes: int = 64 << 20) -> None:
        self.app = app
        self.state = state
        self.max_bytes = max_bytes
        self._size = 0
        self._entries: OrderedDict[tuple[Any, ...], tuple[int, list[Any], bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or self.state.cache_size <= 0
            or scope["path"].startswith("/static/")
        ):
            await self.app(scope, receive, send)
            return
        gen = self.state.generation
        key = (gen, today(), guard.scope_key(), scope["path"], scope.get("query_string", b""))
        with self._lock:
            if self._entries and next(iter(self._entries))[0] != gen:
                self._entries.clear()  # written since: nothing older may be served
                self._size = 0
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message = {}
        chunks: list[bytes] = []
        whole = True

        async def capture(message: Any) -> None:
            nonlocal whole
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    whole = whole and len(chunks) < 64
            await send(message)

        await self.app(scope, receive, capture)
        if start.get("status") == 200 and whole:
            self._store(key, int(start["status"]), list(start.get("headers", [])), b"".join(chunks))

    def _store(self, key: tuple[Any, ...], status: int, headers: list[Any], body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        with self._lock:
            if key[0] != self.state.generation or key in self._entries:
                return
            self._entries[key] = (status, headers, body)
            self._size += len(body)
            while self._size > self.max_bytes or len(self._entries) > self.state.cache_size:
                _, (_, _, old) = self._entries.popitem(last=False)
                self._size -= len(old)
