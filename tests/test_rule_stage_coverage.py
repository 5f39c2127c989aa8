"""Every stage a rule pack names has figures or says plainly that no public figure exists.

A max-share rule names stage words (mined, refined, separated, melted, produced) for the
materials it concerns (DFARS 252.225-7052: the materials of its products; the EU CRMA benchmark:
every material). Each catalogue stage whose kind maps to such a word must either have a headline
in ``derisk overview`` or carry a stage-gap row stating what was searched and when. The rule
packs and the catalogue are read here, so a stage or rule added later is checked too.
"""

from __future__ import annotations

from typing import Any

from derisk.model import load_catalog
from derisk.rules.certify import KIND_TO_STAGE, load_rules
from derisk.services.exposure import overview
from derisk.store import DuckStore


def named_stages() -> set[tuple[str, str, str]]:
    """(rule id, material, catalogue stage) for every stage a max-share rule names."""
    catalog = load_catalog()
    out: set[tuple[str, str, str]] = set()
    for rule in load_rules().values():
        words = {w for v in rule.versions for w in v.stages}
        if not words:
            continue  # cost-ratio rules name no stages
        if rule.materials:
            materials = sorted({m for ms in rule.materials.values() for m in ms})
        else:
            materials = [m.id for m in catalog.materials]
        for mid in materials:
            for s in catalog.material(mid).stages:
                if KIND_TO_STAGE.get(s.kind, s.kind) in words:
                    out.add((rule.id, mid, s.id))
    return out


def test_both_stage_rules_are_enumerated() -> None:
    named = named_stages()
    rules = {r for r, _, _ in named}
    assert {"dfars-7052", "eu-crma-65"} <= rules
    # DFARS from 2027 names magnets (production) and rare-earth metals (melting).
    assert ("dfars-7052", "rare-earths", "magnets") in named
    assert ("dfars-7052", "rare-earths", "metal") in named
    # Its other products: tungsten and tantalum metal (melted) and samarium-cobalt magnets
    # (produced), reached through the materials the pack names for each product.
    assert ("dfars-7052", "tungsten", "metal") in named
    assert ("dfars-7052", "tantalum", "metal") in named
    assert ("dfars-7052", "cobalt", "magnets") in named
    for mid in ("tungsten", "tantalum", "cobalt"):
        kinds = {KIND_TO_STAGE.get(s.kind, s.kind) for s in load_catalog().material(mid).stages}
        assert kinds & {"melting", "production"}, mid
    # The CRMA benchmark leaves component production out.
    assert ("eu-crma-65", "rare-earths", "magnets") not in named
    assert ("eu-crma-65", "cathode", "pcam") in named


def test_every_named_stage_has_figures_or_a_no_public_figure_statement(store: DuckStore) -> None:
    rows: dict[tuple[str, str], dict[str, Any]] = {
        (r["material"], r["stage"]): r for r in overview(store.view())["rows"]
    }
    gaps = {(g.material_id, g.stage_id): g for g in store.view().stage_gaps()}
    missing = []
    for rule, mid, sid in sorted(named_stages()):
        row = rows[(mid, sid)]
        if row.get("source_id"):
            continue
        gap = gaps.get((mid, sid))
        if gap is None or not gap.statement or not gap.searched or gap.checked is None:
            missing.append((rule, mid, sid))
    assert not missing, f"stages a rule names with neither figures nor a statement: {missing}"


def test_a_stage_gap_is_only_claimed_where_there_is_no_figure(store: DuckStore) -> None:
    rows = {(r["material"], r["stage"]): r for r in overview(store.view())["rows"]}
    for g in store.view().stage_gaps():
        row = rows[(g.material_id, g.stage_id)]
        assert not row.get("source_id"), (g.material_id, g.stage_id, row.get("source_id"))
        assert row.get("public_figure") == "no-public-figure"
