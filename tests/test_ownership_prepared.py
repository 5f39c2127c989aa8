"""Prepared look-through structures kept beside the store (:mod:`derisk.store.prepared`).

A restart loads the kept structure instead of preparing again; another date with the same
stakes reuses it; a write that changes the stakes never meets the stale structure; a damaged
folder is dropped and rebuilt. Answers are checked against a sparse direct solve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from derisk.analysis import ownership as own
from derisk.engines import local
from derisk.engines.local import LocalEngine, stakes_digest
from derisk.store.prepared import PreparedCache
from tests.test_ownership_plan import layered, reference

TOL = 1e-9


@pytest.fixture(autouse=True)
def compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small layers take the compiled plan (the one that is kept), and no plan is left in
    this process's memory from another test."""
    monkeypatch.setattr(own, "KERNEL_MIN_STAKES", 0)
    monkeypatch.setattr(local, "_PLANS", type(local._PLANS)())


def no_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_stakes: Any) -> Any:
        raise AssertionError("prepared again instead of loading the kept structure")

    monkeypatch.setattr(own, "plan", refuse)


def test_a_restart_loads_the_kept_structure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = layered(400, 5, back=0.08)
    kept = PreparedCache(tmp_path / "kept")
    first = LocalEngine().prepare(s, kept)
    assert kept.digests() == [stakes_digest(s).hex()]
    mask = np.random.default_rng(5).random(s.n) < 0.05
    expected = reference(s, mask)
    np.testing.assert_allclose(own.set_share(first, mask), expected, atol=TOL, rtol=0)
    # a new process: nothing in memory, the structure read from the folder
    monkeypatch.setattr(local, "_PLANS", type(local._PLANS)())
    no_planning(monkeypatch)
    again = LocalEngine().prepare(s, kept)
    assert isinstance(again, own.FlatPlan) and again is not first
    assert (again.levels, again.components, again.cyclic_components) == (
        first.levels,
        first.components,
        first.cyclic_components,
    )
    np.testing.assert_allclose(own.set_share(again, mask), expected, atol=TOL, rtol=0)
    np.testing.assert_allclose(
        own.set_share(again, mask, cut=False), reference(s, mask, cut=False), atol=TOL, rtol=0
    )


def test_changed_stakes_never_meet_the_stale_structure(tmp_path: Path) -> None:
    s = layered(300, 8, back=0.1)
    kept = PreparedCache(tmp_path / "kept")
    LocalEngine().prepare(s, kept)
    # one stake changes (a new filing): another key, a new structure, the new answers
    share = s.share.copy()
    share[0] = share[0] / 2
    changed = own.Stakes(s.n, s.owner, s.owned, share)
    local._PLANS.clear()
    p = LocalEngine().prepare(changed, kept)
    assert stakes_digest(changed).hex() in kept.digests() and len(kept.digests()) == 2
    mask = np.zeros(s.n, dtype=bool)
    mask[int(s.owner[0])] = True
    np.testing.assert_allclose(own.set_share(p, mask), reference(changed, mask), atol=TOL, rtol=0)
    assert np.abs(reference(changed, mask) - reference(s, mask)).max() > 1e-6


def test_a_damaged_folder_is_dropped_and_rebuilt(tmp_path: Path) -> None:
    s = layered(200, 2, back=0.1)
    kept = PreparedCache(tmp_path / "kept")
    LocalEngine().prepare(s, kept)
    key = stakes_digest(s).hex()
    data = tmp_path / "kept" / key / "data.npy"
    data.write_bytes(data.read_bytes()[:-16])  # cut short
    assert kept.load(key) is None and kept.digests() == []
    local._PLANS.clear()
    p = LocalEngine().prepare(s, kept)
    mask = np.arange(s.n) < 3
    np.testing.assert_allclose(own.set_share(p, mask), reference(s, mask), atol=TOL, rtol=0)
    assert kept.digests() == [key]


def test_only_the_most_recent_are_kept(tmp_path: Path) -> None:
    kept = PreparedCache(tmp_path / "kept", keep=2)
    keys = []
    for seed in range(4):
        s = layered(60, seed)
        LocalEngine().prepare(s, kept)
        keys.append(stakes_digest(s).hex())
    assert set(kept.digests()) == set(keys[2:])
    assert kept.clear() == 2 and kept.digests() == []
    with pytest.raises(ValueError, match="hex digest"):
        kept.load("../elsewhere")


def test_a_read_only_folder_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    kept = PreparedCache(blocker / "kept")
    s = layered(80, 1)
    assert kept.save(stakes_digest(s).hex(), {"x": np.arange(3)}) is False
    p = LocalEngine().prepare(s, kept)  # still prepared, just not kept
    mask = np.arange(s.n) < 2
    np.testing.assert_allclose(own.set_share(p, mask), reference(s, mask), atol=TOL, rtol=0)


# -- through the store: screening on two dates, a restart, a new stake -------------------------


def test_screening_keeps_the_structure_beside_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from derisk.data.loader import load_rows
    from derisk.model.schema import Entity, Source, Stake
    from derisk.services import screening as scr
    from derisk.store import DuckStore

    ents = [
        Entity("gov", "government", "Covered Government Agency", "s", country="CHN"),
        Entity("hold", "company", "Holding Co", "s", country="AUS"),
        Entity("sub", "company", "Subsidiary", "s", country="AUS"),
        Entity("t", "company", "Target Co", "s", country="USA"),
    ]
    stakes = [
        Stake("a", "gov", "hold", "equity", 60.0, "s"),
        Stake("b", "hold", "sub", "equity", 50.0, "s"),
        Stake("c", "sub", "hold", "equity", 10.0, "s"),  # a cross-holding
        Stake("d", "sub", "t", "equity", 40.0, "s"),
    ]
    path = tmp_path / "db.duckdb"
    with DuckStore(path) as store:
        from derisk.data.loader import build_database

        build_database(store)  # the country groups (covered nations) and rule data
        load_rows(
            store,
            {"x": [Source("s", "test", "hand-made"), *ents, *stakes]},
            dataset="x",
            origin="test",
        )
        kept = store.prepared()
        assert kept is not None and kept.folder == tmp_path / "db.duckdb.prepared"
        with store.view() as view:
            first = scr.screen_all(view, rule="feoc")
        assert len(kept.digests()) >= 1
        before = set(kept.digests())
    # a restart, and another date on which the stakes are the same: loaded, not prepared
    monkeypatch.setattr(local, "_PLANS", type(local._PLANS)())
    with monkeypatch.context() as mp:
        no_planning(mp)
        with DuckStore(path) as store:
            with store.view() as view:
                again = scr.screen_all(view, rule="feoc")
            with store.view(as_of=dt.date.today() + dt.timedelta(days=30)) as view:
                later = scr.screen_all(view, rule="feoc")
    assert again == first and later.entities == first.entities
    # a new stake: the kept structure of the old stakes is not used for the new ones
    with DuckStore(path) as store:
        load_rows(
            store, {"y": [Stake("e", "gov", "t", "equity", 30.0, "s")]}, dataset="y", origin="test"
        )
        with store.view() as view:
            changed = scr.screen_all(view, rule="feoc")
        assert set(kept.digests()) - before  # a structure for the new stakes
    # gov holds x_hold = 0.6 + 0.1 x_sub, x_sub = 0.5 x_hold: 63.2% of hold, 31.6% of sub and
    # 12.6% of t (below 25%); with its own 30% stake in t, 42.6%
    old = {r.id: r.verdict for r in first.entities}
    new = {r.id: r.verdict for r in changed.entities}
    assert (old["hold"], old["sub"], old["t"]) == ("flagged", "flagged", "clear")
    assert new["t"] == "flagged"
