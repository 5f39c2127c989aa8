"""The cathode stages' HS codes are the ones customs rulings and the tariff give for them.

Golden values are read from ``data/sources/hs_verification/cathode_hs_codes.csv`` (one row per
code: what the product is, the subheading text, and the ruling or tariff line read, with its
URL); the test checks the shipped catalogue against that record.
"""

from __future__ import annotations

import csv

from derisk.model import load_catalog
from tests.conftest import RAW_DATA

RECORD = RAW_DATA / "hs_verification" / "cathode_hs_codes.csv"


def record() -> list[dict[str, str]]:
    with RECORD.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_cathode_code_in_the_catalogue_has_its_evidence_recorded() -> None:
    rows = record()
    mapped = {(r["stage_id"], r["hs6"]) for r in rows if r["catalogue"] == "mapped"}
    cathode = load_catalog().material("cathode")
    in_catalogue = {(s.id, code) for s in cathode.stages for code in s.hs}
    assert in_catalogue == mapped
    for r in rows:
        assert r["evidence"] and r["subheading"].startswith(f"{r['hs6'][:4]}.{r['hs6'][4:]}")
        if r["evidence_kind"] in ("ruling", "practice"):
            assert r["url"].startswith("https://rulings.cbp.gov/"), r


def test_precursor_codes_follow_the_rulings() -> None:
    """NCM hydroxide precursor: CBP rulings (2021, 2022) give 2825.90, so the stage carries it
    first; the lithium iron phosphate ruling gives 2842.90 for LFP cathode material."""
    rows = {(r["stage_id"], r["hs6"]): r for r in record()}
    ruled = {k for k, r in rows.items() if r["evidence_kind"] == "ruling"}
    cathode = load_catalog().material("cathode")
    assert ("pcam", "282590") in ruled and cathode.stage("pcam").hs[0] == "282590"
    assert ("cam", "284290") in ruled and "284290" in cathode.stage("cam").hs
    # A basket subheading named only by a national statistical line is recorded, not mapped.
    basket = [r for r in rows.values() if r["catalogue"] == "not-mapped"]
    assert basket and all(r["hs6"] not in cathode.stage(r["stage_id"]).hs for r in basket)
    unverified = [r["hs6"] for r in rows.values() if r["evidence_kind"] == "not-verified"]
    assert unverified == ["284190"]
