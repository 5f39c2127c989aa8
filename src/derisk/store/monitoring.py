"""Store operations of the monitor that are not plain reads: an organisation's private
dataset registered on first write, answers replaced in place, and the upstream cut of the
supply-link graph that certifies a few products quickly."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from derisk.model.trust import Access
from derisk.store import guard
from derisk.store.base import Store
from derisk.store.duck import DuckStore


def ensure_private_dataset(store: Store, dataset: str, org_id: str, set_by: str, at: str) -> None:
    """Register ``dataset`` as private to ``org_id`` unless its access is already recorded
    (inside the caller's write transaction)."""
    con = getattr(store, "con", None)
    if con is not None and dataset not in guard.access_map(con):
        con.execute(
            f"INSERT INTO {guard.qualified(con, 'dataset_access')} "
            "(dataset, access, set_by, set_at, org_id) VALUES (?, ?, ?, ?, ?)",
            [dataset, Access.PRIVATE.value, set_by, at, org_id],
        )


def drop_watch_answers(store: Store, watch_ids: Sequence[str]) -> None:
    """Delete the answers and dependency keys of ``watch_ids`` (inside the caller's write
    transaction: only the latest answer is kept)."""
    con = getattr(store, "con", None)
    if con is not None and watch_ids:
        for table in ("watch_dep", "watch_answer"):
            con.execute(
                f"DELETE FROM {guard.qualified(con, table)} WHERE watch_id = ANY(?)",
                [list(watch_ids)],
            )


RETIRABLE = {
    "watch_item": "watch_id",
    "monitor_feed": "feed_id",
    "monitor_subscription": "sub_id",
}
"""Tables whose rows are removed by writing the row again with ``removed_at`` set."""


def retire_rows(store: Store, table: str, ids: Sequence[str]) -> None:
    """Delete the stored rows of ``ids`` in ``table`` (inside the caller's write transaction)
    so that the row written next under the same id -- the removal record with
    ``removed_at``, or the item added again -- keeps ids unique across datasets."""
    con = getattr(store, "con", None)
    column = RETIRABLE[table]
    if con is not None and ids:
        con.execute(
            f"DELETE FROM {guard.qualified(con, table)} WHERE {column} = ANY(?)", [list(ids)]
        )


@contextlib.contextmanager
def upstream_view(store: Store, product_ids: Sequence[str], who: Any) -> Iterator[Store]:
    """``store`` with ``supply_link`` cut to the links upstream of the products (and of their
    sub-components), read as ``who`` (a :class:`derisk.model.trust.Principal`)."""
    con = getattr(store, "con", None)
    if con is None or not isinstance(store, DuckStore):
        yield store
        return
    cur = con.cursor()
    if not who.sees_everything:
        guard.apply_scope(cur, who)
    try:
        # level by level up the chain: one scan of the links per level (faster in DuckDB than
        # a recursive query, whose union re-reads the growing set)
        cur.execute("CREATE OR REPLACE TEMP TABLE _derisk_up AS SELECT * FROM supply_link LIMIT 0")
        front = sorted(
            str(r[0])
            for r in cur.execute(
                "WITH RECURSIVE comps(p) AS (SELECT unnest(?::VARCHAR[]) UNION "
                "SELECT b.component_id FROM bom_line b JOIN comps ON b.product_id = comps.p "
                "WHERE b.component_id IS NOT NULL) "
                "SELECT DISTINCT facility_id FROM product "
                "WHERE product_id IN (SELECT p FROM comps)",
                [list(product_ids)],
            ).fetchall()
        )
        seen = set(front)
        while front:
            got = cur.execute(
                "INSERT INTO _derisk_up SELECT * FROM supply_link "
                "WHERE customer_id IN (SELECT unnest(?::VARCHAR[])) RETURNING supplier_id",
                [front],
            ).fetchall()
            front = sorted({str(r[0]) for r in got} - seen)
            seen.update(front)
        cur.execute("CREATE OR REPLACE TEMP VIEW supply_link AS SELECT * FROM _derisk_up")
        view = DuckStore.__new__(DuckStore)
        view.path = getattr(store, "path", None)
        view.con = cur
        view.principal = who
        yield view
    finally:
        cur.close()
