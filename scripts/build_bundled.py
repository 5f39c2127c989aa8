"""Build the normalised CSV files shipped in ``derisk/data/bundled`` from the raw public data.

Usage::

    .venv/bin/python scripts/build_bundled.py [--sources DIR] [--out DIR]

``--sources`` defaults to ``data/sources`` in this repository, ``--out`` to
``src/derisk/data/bundled``.

The raw files and their provenance (publisher, URL, retrieval date, licence, sha256) are listed
in ``data/sources/SOURCES.csv`` and described in ``data/sources/SOURCES.md``. Every output
file has the fields of one row type of :mod:`derisk.model.schema` as its header, in
declaration order. Empty cell = unknown, dates ``YYYY-MM-DD``, booleans ``true``/``false``,
shares as fractions, stake percentages 0-100, quantities in metric tons. The output is
deterministic: the same input always gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from derisk.data.usgs_cells import NET_EXPORTER, parse_cell
from derisk.model import (
    WORLD,
    Confidence,
    Entity,
    EntityKind,
    ImportReliance,
    ImportSource,
    Interest,
    Measure,
    Production,
    Share,
    Source,
    Stake,
    Status,
    UnknownCountry,
    load_catalog,
    resolve,
)
from derisk.model.facilities import ImporterDemand, stage_unit, unit_factor
from derisk.model.names import slug
from derisk.services.common import LOWER_BOUND_NOTE, PARTIAL_NOTE, YEAR_UNSTATED_NOTE

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = REPO / "data" / "sources"
DEFAULT_OUT = REPO / "src" / "derisk" / "data" / "bundled"

# ---------------------------------------------------------------------------------------------
# Mapping tables
# ---------------------------------------------------------------------------------------------

USGS = "U.S. Geological Survey"
PUBLIC_DOMAIN = "Public domain (U.S. Government work)"
MCS_PUBLISHED = dt.date(2026, 1, 30)
MCS_PDF = "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-{slug}.pdf"
SCIENCEBASE = "https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8"
ATLAS_REPO = "Varcolacus/critical-materials-atlas"
ATLAS_COMMIT = "17b328d2239864e993895582a29fdd3b5ceb479b"

# usgs_mcs2026/world_production_reserves.csv: commodity -> (material, stage, factor to t, note).
# The note says what USGS prints (content basis and unit) and whether the unit was verified.
MCS_WORLD_TABLES: dict[str, tuple[str, str, Decimal, str]] = {
    "Antimony": ("antimony", "mining", Decimal(1), "antimony content; USGS prints metric tons"),
    "Rare earths": (
        "rare-earths",
        "mining",
        Decimal(1),
        "rare-earth-oxide equivalent; USGS prints metric tons (units line not captured; verify)",
    ),
    "Gallium": (
        "gallium",
        "refining",
        Decimal("0.001"),
        "low-purity (primary) gallium; USGS prints kilograms, converted to t",
    ),
    "Graphite (natural)": (
        "graphite",
        "mining",
        Decimal(1),
        "natural graphite, gross weight; USGS prints metric tons (units line not captured; verify)",
    ),
    "Lithium": (
        "lithium",
        "mining",
        Decimal(1),
        "lithium content; USGS prints metric tons (units line not captured; verify)",
    ),
    "Cobalt": ("cobalt", "mining", Decimal(1), "cobalt content; USGS prints metric tons"),
    "Nickel": (
        "nickel",
        "mining",
        Decimal(1),
        "nickel content; USGS prints metric tons (units line not captured; verify)",
    ),
    "Tungsten": (
        "tungsten",
        "mining",
        Decimal(1),
        "tungsten content; USGS prints metric tons (units line not captured; verify)",
    ),
    "Manganese": (
        "manganese",
        "mining",
        Decimal(1000),
        "manganese content; USGS prints thousand metric tons (unit inferred from magnitudes;"
        " verify), converted to t",
    ),
    "Magnesium (metal)": (
        "magnesium",
        "refining",
        Decimal(1000),
        "primary magnesium metal; USGS prints thousand metric tons (unit inferred from"
        " magnitudes; verify), converted to t",
    ),
    "Tantalum": (
        "tantalum",
        "mining",
        Decimal(1),
        "tantalum content; USGS prints metric tons (units line not captured; verify)",
    ),
    "Molybdenum": (
        "molybdenum",
        "mining",
        Decimal(1),
        "molybdenum content; USGS prints metric tons (reserves: thousand metric tons, converted"
        " to t)",
    ),
}
# Chapters whose reserves column is printed in another unit than production: factor to t.
MCS_RESERVES_FACTOR: dict[str, Decimal] = {"Molybdenum": Decimal(1000)}

# usgs_mcs2026_processing/*.csv: material -> (material_id, stage_id, chapter title).
MCS_PROCESSING: dict[str, tuple[str, str, str]] = {
    "copper": ("copper", "refining", "Copper"),
    "aluminum": ("aluminium", "smelting", "Aluminum"),
    "bismuth": ("bismuth", "refining", "Bismuth"),
    "indium": ("indium", "refining", "Indium"),
    "titanium": ("titanium", "sponge", "Titanium"),
    "tellurium": ("tellurium", "refining", "Tellurium"),
    "zinc": ("zinc", "mining", "Zinc"),
    "niobium": ("niobium", "mining", "Niobium"),
    "vanadium": ("vanadium", "mining", "Vanadium"),
    "tin": ("tin", "mining", "Tin"),
    "chromium": ("chromium", "mining", "Chromium"),
    "arsenic": ("arsenic", "refining", "Arsenic"),
}
UNIT_FACTORS = {"thousand metric tons": Decimal(1000), "metric tons": Decimal(1)}

# A world-total footnote saying U.S. production is left out of the total.
EXCLUDES_US = re.compile(
    r"Excludes U\.S\. production|Does not include production in the United States"
)
# A row footnote about one column only: (pattern, measure or None for the "( )" cells).
FOOTNOTE_SCOPE = (
    (re.compile(r"reserves", re.IGNORECASE), "reserves"),
    (re.compile(r"capacity", re.IGNORECASE), "capacity"),
    (re.compile(r"Included in .World total", re.IGNORECASE), None),
)

# US import sources: commodity name -> material_id.
IMPORT_MATERIALS = {
    "Antimony": "antimony",
    "Rare earths": "rare-earths",
    "Rare Earths": "rare-earths",
    "Gallium": "gallium",
    "Germanium": "germanium",
    "Graphite (natural)": "graphite",
    "Lithium": "lithium",
    "Cobalt": "cobalt",
    "Nickel": "nickel",
    "Tungsten": "tungsten",
    "Manganese": "manganese",
    "Magnesium (metal)": "magnesium",
    "Tantalum": "tantalum",
    "Molybdenum": "molybdenum",
}
# (material_id, category) -> stage_id, where the category names one catalogue stage.
IMPORT_STAGES = {
    ("antimony", "Ore and concentrates"): "mining",
    ("antimony", "Oxide"): "oxide",
    ("antimony", "Unwrought metal and powder"): "refining",
    ("gallium", "Metal"): "refining",
    ("germanium", "Germanium metal"): "refining",
    ("germanium", "Germanium dioxide (Ge content)"): "refining",
    ("germanium", "Combined total"): "refining",
    ("graphite", "all forms"): "mining",
    ("cobalt", "Metal, oxide, and salts"): "refining",
    ("nickel", "Primary nickel"): "refining",
    ("manganese", "Manganese ore"): "mining",
    ("tantalum", "Tantalum ores and concentrates"): "mining",
    ("tantalum", "Tantalum metal and powder"): "refining",
    ("molybdenum", "Molybdenum ore and concentrates"): "mining",
}
IMPORT_DEFECT = "UNKNOWN ("  # magnesium: a second list merged into "Scrap" by the extractor

# MCS 2026 Table 7 critical mineral name (footnote digits stripped) -> material_id; None = skip.
T7_MATERIALS: dict[str, str | None] = {
    "Aluminum (bauxite)": None,  # bauxite is not a stage of the catalogue
    "Cobalt": "cobalt",
    "Gallium": "gallium",
    "Lithium": "lithium",
    "Rare earths (compounds and metals)": "rare-earths",
    "Zirconium (ores and concentrates)": None,  # not in the catalogue
}

# IEA Critical Minerals Dataset (via the materials atlas): (material, stage) -> catalogue stage.
IEA_STAGES: dict[tuple[str, str], tuple[str, str]] = {
    ("lithium", "mining"): ("lithium", "mining"),
    ("lithium", "refining"): ("lithium", "refining"),
    ("rare earths (magnet REEs: Nd, Pr, Dy, Tb)", "mining"): ("rare-earths", "mining"),
    ("rare earths (magnet REEs: Nd, Pr, Dy, Tb)", "refining"): ("rare-earths", "separation"),
    ("copper", "mining"): ("copper", "mining"),
    ("copper", "refining"): ("copper", "refining"),
    ("cobalt", "mining"): ("cobalt", "mining"),
    ("cobalt", "refining"): ("cobalt", "refining"),
    ("graphite", "mining"): ("graphite", "mining"),
    ("graphite", "refining"): ("graphite", "anode"),
    ("nickel", "mining"): ("nickel", "mining"),
    ("nickel", "refining"): ("nickel", "refining"),
}

# BGS World Mineral Statistics shares (via the materials atlas): material -> catalogue stage.
BGS_STAGES: dict[str, tuple[str, str]] = {
    "cobalt": ("cobalt", "refining"),
    "copper": ("copper", "refining"),
    "nickel": ("nickel", "refining"),
    "alumina (aluminium chain)": ("aluminium", "alumina"),
    "magnesium": ("magnesium", "refining"),
    "germanium": ("germanium", "refining"),
    "arsenic": ("arsenic", "refining"),
}

# The atlas author's curated, uncited top-refiner shares: material -> catalogue stage.
# Lead and bauxite are not in the catalogue, nor is a molybdenum roasting stage; rows labelled
# "IEA 2026" are skipped.
ATLAS_CURATED: dict[str, tuple[str, str]] = {
    "antimony": ("antimony", "refining"),
    "tungsten": ("tungsten", "refining"),
    "manganese": ("manganese", "refining"),
    "titanium": ("titanium", "sponge"),
    "niobium": ("niobium", "refining"),
    "tantalum": ("tantalum", "refining"),
    "zinc": ("zinc", "refining"),
    "tin": ("tin", "refining"),
    "chromium": ("chromium", "refining"),
}
ATLAS_YEAR = 2024
ATLAS_LATER_IEA = "IEA 2026"


@dataclasses.dataclass(frozen=True)
class QuoteShare:
    """A share taken from processing_share_quotes.csv.

    ``source`` names the quote whose sentence states this figure too, so that figures from
    one sentence share one source; ``minus`` names a quote whose value is subtracted (top 3
    minus top 1); ``world_from`` names a quote whose value is the world total in metric tons.
    """

    quote: str
    material_id: str
    stage_id: str
    country: str | None = None
    ranks: str | None = None
    source: str | None = None
    minus: str | None = None
    world_from: str | None = None
    note: str | None = None


# Quotes used as shares. Left out: q03 (projection), q04 (stage unclear, half projection),
# q09/q10/q11/q18/q20/q22/q23 (quantities; q09 and q18 serve as world totals),
# q15 (whole anode chain), q24 (capacity, weak provenance), q25 (trade), q26/q27 (aggregates).
QUOTE_SHARES: tuple[QuoteShare, ...] = (
    QuoteShare("q01", "rare-earths", "separation", country="China"),
    QuoteShare(
        "q02",
        "rare-earths",
        "separation",
        ranks="2-3",
        source="q01",
        minus="q01",
        note="top 3 are China, Malaysia and Australia (98% together); China 92% (q01)",
    ),
    QuoteShare("q05", "rare-earths", "mining", country="China"),
    QuoteShare(
        "q06",
        "rare-earths",
        "magnets",
        country="China",
        world_from="q09",
        note="sintered NdFeB magnets (semi-finished)",
    ),
    QuoteShare(
        "q07",
        "rare-earths",
        "magnets",
        country="Japan",
        source="q06",
        world_from="q09",
        note="sintered NdFeB magnets (semi-finished)",
    ),
    QuoteShare(
        "q08",
        "rare-earths",
        "magnets",
        ranks="3",
        source="q06",
        world_from="q09",
        note="Europe (not a country); sintered NdFeB magnets (semi-finished)",
    ),
    QuoteShare(
        "q12",
        "rare-earths",
        "magnets",
        country="China",
        note="high-performance sintered NdFeB magnets only; 'roughly 90%'",
    ),
    QuoteShare(
        "q13",
        "graphite",
        "anode",
        country="China",
        note="lower bound: 'more than 90%'; spherical graphite and anode active material",
    ),
    QuoteShare(
        "q14",
        "graphite",
        "synthetic",
        country="China",
        note="approximate: 'nearly 80%'",
    ),
    QuoteShare(
        "q16",
        "manganese",
        "refining",
        country="China",
        note="high-purity manganese sulphate monohydrate (HPMSM) only; 'currently' in early 2023",
    ),
    QuoteShare(
        "q17",
        "manganese",
        "refining",
        country="Japan",
        source="q16",
        note="high-purity manganese sulphate monohydrate (HPMSM) only; 'currently' in early 2023",
    ),
    QuoteShare("q19", "cobalt", "refining", country="China", source="q18", world_from="q18"),
    QuoteShare("q21", "cobalt", "refining", country="China"),
)

# Ownership facts: every owner / owned name as printed -> (entity_id, note for the stake).
ENTITY_NAMES: dict[str, tuple[str, str | None]] = {
    "Shenghe Resources Holding Co., Ltd.": ("shenghe-resources", None),
    "Shenghe Resources": ("shenghe-resources", None),
    "MP Materials Corp. (Class A common stock)": ("mp-materials", "of Class A common stock"),
    "MP Materials Corp.": ("mp-materials", None),
    "U.S. Department of Defense": ("us-dod", None),
    "James Litinsky": ("james-litinsky", None),
    "BlackRock Fund Advisors": ("blackrock-fund-advisors", None),
    "Tianqi Lithium Corp. (via wholly-owned Inversiones TLC SpA)": (
        "tianqi-lithium",
        "held via wholly-owned Inversiones TLC SpA",
    ),
    "Tianqi Lithium (via TLEA / Windfield Holdings)": (
        "tianqi-lithium",
        "held via TLEA / Windfield Holdings",
    ),
    "Tianqi Lithium Corp.": ("tianqi-lithium", None),
    "Sociedad Química y Minera de Chile S.A. (SQM)": ("sqm", None),
    "Korea Zinc Co., Ltd.": ("korea-zinc", None),
    "TMC the metals company Inc.": ("tmc-the-metals-company", None),
    "Japan Australia Rare Earths B.V. (JARE; co-founded by Sojitz Corporation and JOGMEC)": (
        "japan-australia-rare-earths",
        None,
    ),
    "Japan Australia Rare Earths B.V. (JARE)": ("japan-australia-rare-earths", None),
    "Lynas Rare Earths Limited": ("lynas-rare-earths", None),
    "Sojitz Corporation": ("sojitz", None),
    "CMOC Group (China Molybdenum Co., Ltd.)": ("cmoc-group", None),
    "CMOC Group Limited": ("cmoc-group", None),
    "CMOC Ltd (wholly-owned subsidiary of CMOC)": (
        "cmoc-group",
        "held via CMOC Ltd, a wholly-owned subsidiary of CMOC",
    ),
    "Tenke Fungurume Mining (TFM) copper-cobalt mine": ("tenke-fungurume-mining", None),
    "Tenke Fungurume Mining (TFM)": ("tenke-fungurume-mining", None),
    "Gécamines (Congolese government-controlled)": ("gecamines", None),
    "KFM Holding Ltd (holds 95% of Kisanfu copper-cobalt project)": ("kfm-holding", None),
    "KFM Holding Ltd": ("kfm-holding", None),
    "Ningbo Brunp Times New Energy (indirectly controlled subsidiary of CATL)": (
        "ningbo-brunp-times-new-energy",
        None,
    ),
    "Talison Lithium (Greenbushes lithium mine)": ("talison-lithium", None),
    "Albemarle Corporation": ("albemarle", None),
    "Ganfeng Lithium": ("ganfeng-lithium", None),
    "Mt Marion lithium project (Reed Industrial Minerals)": ("mt-marion", None),
    "Mineral Resources Ltd": ("mineral-resources", None),
    "Tianqi Lithium Energy Australia Pty Ltd (TLEA)": ("tianqi-lithium-energy-australia", None),
    "IGO Ltd (via IGO Lithium Holdings Pty Ltd)": ("igo", "held via IGO Lithium Holdings Pty Ltd"),
    "Young Poong Corp. and its founding (Chang) family members": (
        "young-poong-and-chang-family",
        None,
    ),
    "Young Poong Corp.": ("young-poong", None),
    "Choi family (Korea Zinc owner family) together with Korea Zinc": (
        "choi-family-and-korea-zinc",
        None,
    ),
    "Young Poong Corp. + MBK Partners (alliance)": ("young-poong-mbk-alliance", None),
    "Choi Yun-beom, special related parties and friendly shareholders": (
        "choi-yun-beom-camp",
        None,
    ),
    "U.S. government (indirectly, via a joint venture with Korea Zinc)": (
        "us-government",
        "indirect, via a joint venture with Korea Zinc",
    ),
    "Chengdu Institute of Multipurpose Utilisation of Mineral Resources (IMUMR), "
    "China Geological Survey": ("imumr", None),
    "Huang Ping (Shenghe CEO) and Woben Resources (jointly)": ("huang-ping-and-woben", None),
    "Cathay Fortune": ("cathay-fortune", None),
    "Contemporary Amperex Technology Co., Ltd. (CATL)": ("catl", None),
    "Shanghang Minxi Xinghang State-Owned Property Investment Co. (controlled by Shanghang "
    "County government)": ("minxi-xinghang", None),
    "Zijin Mining Group Co., Ltd.": ("zijin-mining", None),
    "Baogang Group (Baotou Iron and Steel Group)": ("baogang-group", None),
    "China Northern Rare Earth (Group) High-Tech Co., Ltd. (formerly Inner Mongolia Baotou "
    "Steel Rare-Earth Hi-Tech)": ("china-northern-rare-earth", None),
    "State-owned Assets Supervision and Administration Commission of the State Council (SASAC)": (
        "sasac",
        None,
    ),
    "China Rare Earth Group Co., Ltd.": ("china-rare-earth-group", None),
    "Aluminum Corporation of China (Chalco)": ("chalco", None),
    "China Minmetals": ("china-minmetals", None),
    "Ganzhou Rare-earth Holding Group": ("ganzhou-rare-earth-group", None),
    "China Iron & Steel Research Institute Group (CISRI)": ("cisri", None),
    "General Research Institute of Nonferrous Metals (GRINM)": ("grinm", None),
}


@dataclasses.dataclass(frozen=True)
class EntitySpec:
    kind: str
    name: str
    note: str | None = None
    facility_type: str | None = None
    material_id: str | None = None
    stage_id: str | None = None


_CO, _GOV, _PERSON = EntityKind.COMPANY.value, EntityKind.GOVERNMENT.value, EntityKind.PERSON.value
_GROUP = "shareholder group, not a single legal person"
ENTITIES: dict[str, EntitySpec] = {
    "shenghe-resources": EntitySpec(_CO, "Shenghe Resources Holding Co., Ltd."),
    "mp-materials": EntitySpec(_CO, "MP Materials Corp."),
    "us-dod": EntitySpec(_GOV, "U.S. Department of Defense"),
    "james-litinsky": EntitySpec(_PERSON, "James Litinsky", "CEO of MP Materials"),
    "blackrock-fund-advisors": EntitySpec(_CO, "BlackRock Fund Advisors"),
    "tianqi-lithium": EntitySpec(_CO, "Tianqi Lithium Corp."),
    "sqm": EntitySpec(_CO, "Sociedad Química y Minera de Chile S.A. (SQM)"),
    "korea-zinc": EntitySpec(_CO, "Korea Zinc Co., Ltd."),
    "tmc-the-metals-company": EntitySpec(_CO, "TMC the metals company Inc."),
    "japan-australia-rare-earths": EntitySpec(
        _CO,
        "Japan Australia Rare Earths B.V. (JARE)",
        "co-founded by Sojitz Corporation and JOGMEC; a Netherlands-registered B.V., country"
        " given by the source as Japan (its owners)",
    ),
    "lynas-rare-earths": EntitySpec(_CO, "Lynas Rare Earths Limited"),
    "sojitz": EntitySpec(_CO, "Sojitz Corporation"),
    "cmoc-group": EntitySpec(_CO, "CMOC Group Limited", "formerly China Molybdenum Co., Ltd."),
    "tenke-fungurume-mining": EntitySpec(
        _CO, "Tenke Fungurume Mining (TFM)", "operates the Tenke Fungurume copper-cobalt mine"
    ),
    "gecamines": EntitySpec(_CO, "Gécamines", "Congolese government-controlled"),
    "kfm-holding": EntitySpec(
        _CO, "KFM Holding Ltd", "holds 95% of the Kisanfu copper-cobalt project"
    ),
    "ningbo-brunp-times-new-energy": EntitySpec(
        _CO, "Ningbo Brunp Times New Energy", "indirectly controlled subsidiary of CATL"
    ),
    "talison-lithium": EntitySpec(_CO, "Talison Lithium", "owner of the Greenbushes lithium mine"),
    "albemarle": EntitySpec(_CO, "Albemarle Corporation"),
    "ganfeng-lithium": EntitySpec(_CO, "Ganfeng Lithium"),
    "mt-marion": EntitySpec(
        EntityKind.FACILITY.value,
        "Mt Marion lithium project",
        "joint venture company: Reed Industrial Minerals",
        facility_type="mine",
        material_id="lithium",
        stage_id="mining",
    ),
    "mineral-resources": EntitySpec(_CO, "Mineral Resources Ltd"),
    "tianqi-lithium-energy-australia": EntitySpec(
        _CO, "Tianqi Lithium Energy Australia Pty Ltd (TLEA)"
    ),
    "igo": EntitySpec(_CO, "IGO Ltd"),
    "young-poong-and-chang-family": EntitySpec(
        _CO, "Young Poong Corp. and its founding (Chang) family members", _GROUP
    ),
    "young-poong": EntitySpec(_CO, "Young Poong Corp."),
    "choi-family-and-korea-zinc": EntitySpec(
        _PERSON, "Choi family (Korea Zinc owner family) together with Korea Zinc", _GROUP
    ),
    "young-poong-mbk-alliance": EntitySpec(_CO, "Young Poong Corp. + MBK Partners", _GROUP),
    "choi-yun-beom-camp": EntitySpec(
        _PERSON, "Choi Yun-beom, special related parties and friendly shareholders", _GROUP
    ),
    "us-government": EntitySpec(_GOV, "U.S. government"),
    "imumr": EntitySpec(
        _GOV,
        "Chengdu Institute of Multipurpose Utilisation of Mineral Resources (IMUMR)",
        "state research institute under the China Geological Survey",
    ),
    "huang-ping-and-woben": EntitySpec(
        _PERSON,
        "Huang Ping and Woben Resources",
        "Shenghe CEO Huang Ping and his company Woben Resources, holding jointly",
    ),
    "cathay-fortune": EntitySpec(_CO, "Cathay Fortune"),
    "catl": EntitySpec(_CO, "Contemporary Amperex Technology Co., Ltd. (CATL)"),
    "minxi-xinghang": EntitySpec(
        _CO,
        "Shanghang Minxi Xinghang State-Owned Property Investment Co.",
        "controlled by the Shanghang County government",
    ),
    "zijin-mining": EntitySpec(_CO, "Zijin Mining Group Co., Ltd."),
    "baogang-group": EntitySpec(_CO, "Baogang Group (Baotou Iron and Steel Group)"),
    "china-northern-rare-earth": EntitySpec(
        _CO, "China Northern Rare Earth (Group) High-Tech Co., Ltd."
    ),
    "sasac": EntitySpec(
        _GOV, "State-owned Assets Supervision and Administration Commission (SASAC)"
    ),
    "china-rare-earth-group": EntitySpec(_CO, "China Rare Earth Group Co., Ltd."),
    "chalco": EntitySpec(_CO, "Aluminum Corporation of China (Chalco)"),
    "china-minmetals": EntitySpec(_CO, "China Minmetals"),
    "ganzhou-rare-earth-group": EntitySpec(_CO, "Ganzhou Rare-earth Holding Group"),
    "cisri": EntitySpec(_CO, "China Iron & Steel Research Institute Group (CISRI)"),
    "grinm": EntitySpec(_CO, "General Research Institute of Nonferrous Metals (GRINM)"),
}

# Ownership-fact URL host -> publisher name (other hosts are named by the host itself).
PUBLISHERS = {
    "www.sec.gov": "U.S. Securities and Exchange Commission (EDGAR)",
    "en.wikipedia.org": "Wikipedia",
    "wikimili.com": "WikiMili (Wikipedia mirror)",
    "wikizero.org": "WikiZero (Wikipedia mirror)",
    "www.bloomberg.com": "Bloomberg",
    "www.bnnbloomberg.ca": "BNN Bloomberg",
    "www.fastmarkets.com": "Fastmarkets",
    "mining.com": "MINING.COM",
    "biz.chosun.com": "ChosunBiz",
    "www.channelnewsasia.com": "CNA (Reuters report)",
}

# Country names the shared resolver does not know (reported by the build on stderr).
COUNTRY_FALLBACK = {"Côte d’Ivoire": "CIV", "XK": "XKX"}

# Output file stem per row type (the derisk CSV format names).
OUTPUTS: tuple[tuple[str, type[Any]], ...] = (
    ("sources", Source),
    ("production", Production),
    ("shares", Share),
    ("import_sources", ImportSource),
    ("import_reliance", ImportReliance),
    ("entities", Entity),
    ("stakes", Stake),
    ("importer_demand", ImporterDemand),
)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

UNRESOLVED: set[str] = set()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def country_code(name: str) -> tuple[str, str | None]:
    """ISO alpha-3 for a printed country name, and the qualifier USGS added to it if any.

    ``"Sweden (concentrate)"`` -> ``("SWE", "concentrate")``. Names the shared resolver does not
    know are looked up in :data:`COUNTRY_FALLBACK` and remembered in :data:`UNRESOLVED`.
    """
    try:
        return resolve(name), None
    except UnknownCountry:
        pass
    UNRESOLVED.add(name)
    if name in COUNTRY_FALLBACK:
        return COUNTRY_FALLBACK[name], None
    m = re.fullmatch(r"(.+?) \(([^()]+)\)", name)
    if m:
        return resolve(m.group(1)), m.group(2)
    raise UnknownCountry(f"unknown country {name!r}")


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def fraction(pct: Decimal) -> float:
    return float(pct / 100)


def join(*parts: str | bool | None) -> str | None:
    """The non-empty parts joined by "; " (``False`` and ``None`` parts are left out)."""
    text = "; ".join(p for p in parts if isinstance(p, str) and p)
    return text or None


def github_via(repo: str, path: str, commit: str) -> str:
    return f"GitHub {repo} {path} @ {commit}"


@dataclasses.dataclass(frozen=True)
class Parsed:
    quantity: Decimal | None
    status: str
    note: str | None = None


def parse_usgs(raw: str, *, estimated: bool) -> Parsed:
    """A USGS table cell, read by :func:`derisk.data.usgs_cells.parse_cell` (the importer's
    reading too): ``—`` zero, ``W`` withheld, ``NA`` not available, ``>2,000`` bounds."""
    cell = parse_cell(raw)
    if cell.status == NET_EXPORTER:
        raise ValueError(f"unexpected USGS value {raw!r} in a production table")
    if cell.number is None or cell.status == Status.ZERO.value:
        note = cell.note and cell.note.split(":")[0]  # "printed '( )'" as before
        return Parsed(cell.number, cell.status, note)
    bound = {">": "lower bound", "<": "upper bound"}.get(cell.bound or "")
    estimated = estimated or cell.status == Status.ESTIMATED.value
    status = Status.ESTIMATED if estimated else Status.REPORTED
    return Parsed(cell.number, status.value, bound)


class Sources:
    """The sources written so far, by id; an id added twice must describe the same source."""

    def __init__(self) -> None:
        self.rows: dict[str, Source] = {}

    def add(self, src: Source) -> str:
        old = self.rows.setdefault(src.source_id, src)
        if old != src:
            raise ValueError(f"source {src.source_id!r} defined twice differently")
        return src.source_id


def mcs_chapter(sources: Sources, slug_: str, title: str, via: str, note: str | None) -> str:
    return sources.add(
        Source(
            source_id=f"usgs-mcs2026-{slug_}",
            publisher=USGS,
            title=f"Mineral Commodity Summaries 2026: {title}",
            url=MCS_PDF.format(slug=slug_),
            published=MCS_PUBLISHED,
            confidence=Confidence.HIGH.value,
            precedence=10,
            via=via,
            licence=PUBLIC_DOMAIN,
            note=note,
        )
    )


def production_row(
    *,
    material_id: str,
    stage_id: str,
    measure: str,
    country: str,
    year: int,
    parsed: Parsed,
    factor: Decimal,
    raw: str,
    source_id: str,
    in_world_total: bool | None,
    note: str | None,
) -> Production:
    qty = None if parsed.quantity is None else float(parsed.quantity * factor)
    start, end = year_span(year)
    return Production(
        fact_id=f"usgs-mcs2026:{material_id}:{stage_id}:{measure}:{country}:{year}",
        material_id=material_id,
        stage_id=stage_id,
        measure=measure,
        country=country,
        year=year,
        quantity=qty,
        unit="t",
        status=parsed.status,
        source_id=source_id,
        raw=raw,
        in_world_total=in_world_total,
        valid_from=start,
        valid_to=end,
        note=note,
    )


# ---------------------------------------------------------------------------------------------
# One function per input file
# ---------------------------------------------------------------------------------------------


def mcs_world_tables(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2026/world_production_reserves.csv (+ commodity_meta.csv for the sources)."""
    meta = {r["commodity"]: r for r in read_csv(src_dir / "usgs_mcs2026" / "commodity_meta.csv")}
    rows = read_csv(src_dir / "usgs_mcs2026" / "world_production_reserves.csv")
    us_excluded = {
        r["commodity"]
        for r in rows
        if country_code(r["country"])[0] == WORLD and EXCLUDES_US.search(r["row_note"])
    }
    out: list[Production] = []
    for r in rows:
        commodity = r["commodity"]
        material_id, stage_id, factor, unit_note = MCS_WORLD_TABLES[commodity]
        m = meta[commodity]
        repo, path = m["extracted_json_repo_path"].split(":", 1)
        source_id = mcs_chapter(
            sources,
            m["slug"],
            commodity,
            github_via(repo, path, m["extracted_json_commit"]),
            join(f"Table: {r['table_label']}", m["world_table_footnotes"]),
        )
        if m["source_pdf"] != MCS_PDF.format(slug=m["slug"]):
            raise ValueError(f"unexpected PDF URL for {commodity}: {m['source_pdf']}")
        country, qualifier = country_code(r["country"])
        footnote = r["row_note"] or None
        excluded = False if country == "USA" and commodity in us_excluded else None
        cells = [
            (Measure.PRODUCTION, int(r["year_prev"]), r["production_prev_raw"]),
            (Measure.PRODUCTION, int(r["year_latest"]), r["production_latest_raw"]),
            (Measure.CAPACITY, int(r["year_latest"]), r["capacity_raw"]),
            (Measure.RESERVES, int(r["year_latest"]), r["reserves_raw"]),
        ]
        for measure, year, raw in cells:
            if not raw:
                continue
            # 2025 figures are USGS estimates; reserves are not marked as estimates.
            estimated = year >= 2025 and measure is not Measure.RESERVES
            parsed = parse_usgs(raw, estimated=estimated)
            cell_factor = factor
            if measure is Measure.RESERVES:
                cell_factor = MCS_RESERVES_FACTOR.get(commodity, factor)
            in_total = excluded if measure is Measure.PRODUCTION else None
            if raw.strip() == "( )":
                in_total = True  # footnote: "Included in World total"
            out.append(
                production_row(
                    material_id=material_id,
                    stage_id=stage_id,
                    measure=measure.value,
                    country=country,
                    year=year,
                    parsed=parsed,
                    factor=cell_factor,
                    raw=raw,
                    source_id=source_id,
                    in_world_total=in_total,
                    note=join(
                        unit_note,
                        qualifier and f"printed as {r['country']!r}",
                        parsed.note,
                        footnote if footnote_applies(footnote, measure.value, raw) else None,
                    ),
                )
            )
    return out


def footnote_applies(footnote: str | None, measure: str, raw: str) -> bool:
    """Whether a row footnote of a USGS world table concerns this cell (see FOOTNOTE_SCOPE)."""
    if not footnote:
        return False
    for pattern, scope in FOOTNOTE_SCOPE:
        if pattern.search(footnote):
            return measure == scope if scope else raw.strip() == "( )"
    return True


def mcs_processing_tables(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2026_processing/: processing production, capacity and extra mine tables."""
    files = (
        ("world_processing_production.csv", Measure.PRODUCTION),
        ("world_processing_capacity.csv", Measure.CAPACITY),
        ("world_mine_production_additional.csv", Measure.PRODUCTION),
        ("world_processing_production_added.csv", Measure.PRODUCTION),
        ("world_processing_capacity_added.csv", Measure.CAPACITY),
    )
    out: list[Production] = []
    for name, measure in files:
        rows = read_csv(src_dir / "usgs_mcs2026_processing" / name)
        us_excluded = {
            r["material"]
            for r in rows
            if country_code(r["country"])[0] == WORLD and EXCLUDES_US.search(r["row_note"])
        }
        for r in rows:
            material_id, stage_id, title = MCS_PROCESSING[r["material"]]
            chapter = r["source_path"].split("/")[2]
            source_id = mcs_chapter(
                sources,
                chapter,
                title,
                github_via(r["source_repo"], r["source_path"], r["source_commit"]),
                None,
            )
            unit = r["unit"]
            factor = next(f for u, f in UNIT_FACTORS.items() if unit.startswith(u))
            converted = ", converted to t" if factor != 1 else ""
            country, qualifier = country_code(r["country"])
            footnote = r["row_note"] or None
            raw = r["value_raw"]
            year = int(r["year"])
            parsed = parse_usgs(raw, estimated=r["is_estimate"] == "yes")
            if parsed.quantity == 0 and footnote and "prints '—'" in footnote:
                parsed = Parsed(Decimal(0), Status.ZERO.value)
            if r["value"] and parsed.quantity != Decimal(r["value"]):
                raise ValueError(f"{name}: value {r['value']!r} disagrees with raw {raw!r}")
            excluded = False if country == "USA" and r["material"] in us_excluded else None
            out.append(
                production_row(
                    material_id=material_id,
                    stage_id=stage_id,
                    measure=measure.value,
                    country=country,
                    year=year,
                    parsed=parsed,
                    factor=factor,
                    raw=raw,
                    source_id=source_id,
                    in_world_total=excluded,
                    note=join(
                        f"{r['basis']}; USGS prints {unit}{converted}",
                        f"table: {r['table_label']}",
                        qualifier and f"printed as {r['country']!r}",
                        parsed.note,
                        footnote,
                    ),
                )
            )
    return out


# Copper world mine production (the extraction behind usgs_mcs2026_processing/ read only the
# refinery columns of this table): folder -> (source id, edition, PDF URL, published, note).
COPPER_MINE: dict[str, tuple[str, str, str, dt.date, str]] = {
    "usgs_mcs2026_copper_mine": (
        "usgs-mcs2026-copper-mine",
        "Mineral Commodity Summaries 2026",
        MCS_PDF.format(slug="copper"),
        MCS_PUBLISHED,
        "Mine production, copper content, 2025 estimates only; the 2024 column and the"
        " 'Other countries' row were not transcribed (their share stays unallocated).",
    ),
    "usgs_mcs2025_copper": (
        "usgs-mcs2025-copper-mine",
        "Mineral Commodity Summaries 2025",
        "https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-copper.pdf",
        dt.date(2025, 1, 31),
        "Mine production, copper content, 2023 and 2024 (2024 estimated), every printed row"
        " with 'Other countries' and the world total; the previous edition's figures.",
    ),
}


def mcs_copper_mine(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2026_copper_mine/ and usgs_mcs2025_copper/: copper world mine production.

    Read from other transcriptions of the printed PDFs (each row names its repository, path and
    commit); the years of the two editions do not overlap.
    """
    out: list[Production] = []
    for folder, (source_id, edition, url, published, note) in COPPER_MINE.items():
        prefix = "usgs-" + edition.rsplit(" ", 1)[1].join(("mcs", ":"))
        for r in read_csv(src_dir / folder / "world_copper_mine_production.csv"):
            sources.add(
                Source(
                    source_id=source_id,
                    publisher=USGS,
                    title=f"{edition}: Copper (world mine production)",
                    url=url,
                    published=published,
                    confidence=Confidence.HIGH.value,
                    precedence=10,
                    via=github_via(r["source_repo"], r["source_path"], r["source_commit"]),
                    licence=PUBLIC_DOMAIN,
                    note=note,
                )
            )
            unit = r["unit"]
            factor = next(f for u, f in UNIT_FACTORS.items() if unit.startswith(u))
            country, qualifier = country_code(r["country"])
            raw = r["value_raw"]
            parsed = parse_usgs(raw, estimated=r["is_estimate"] == "yes")
            row = production_row(
                material_id="copper",
                stage_id="mining",
                measure=Measure.PRODUCTION.value,
                country=country,
                year=int(r["year"]),
                parsed=parsed,
                factor=factor,
                raw=raw,
                source_id=source_id,
                in_world_total=None,
                note=join(
                    f"{r['basis']}; USGS prints {unit}, converted to t",
                    f"{edition}, table: {r['table_label']}",
                    qualifier and f"printed as {r['country']!r}",
                    parsed.note,
                    r["row_note"] or None,
                ),
            )
            out.append(
                dataclasses.replace(row, fact_id=row.fact_id.replace("usgs-mcs2026:", prefix))
            )
    return out


# Silicon: the MCS 2026 world table prints ferrosilicon and silicon metal in separate columns
# (thousand metric tons, silicon content); the catalogue stage ``silicon/metal`` is both together.
SILICON_PRODUCTS = ("ferrosilicon", "silicon metal")


def mcs_silicon(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2026_silicon/world_silicon_production.csv: the stage is ferrosilicon plus silicon
    metal, so a country's figure is the sum of its two columns, for the years where both were
    transcribed (2025 only: the 2024 silicon-metal column was not). A withheld column makes the
    sum withheld; ``—`` is zero. The world total is the sum of the two printed rounded totals.
    """
    rows = read_csv(src_dir / "usgs_mcs2026_silicon" / "world_silicon_production.csv")
    cells: dict[tuple[str, int], dict[str, dict[str, str]]] = {}
    for r in rows:
        if r["product"] not in SILICON_PRODUCTS:
            raise ValueError(f"silicon: unknown product {r['product']!r}")
        cells.setdefault((r["country"], int(r["year"])), {})[r["product"]] = r
    first = rows[0]
    source_id = mcs_chapter(
        sources,
        "silicon",
        "Silicon",
        github_via(first["source_repo"], first["source_path"], first["source_commit"]),
        "World production in two columns, ferrosilicon and silicon metal (silicon content);"
        " the stage figure is their sum. 2024: only the ferrosilicon column was transcribed, so"
        " no 2024 figure is given for the stage.",
    )
    factor = UNIT_FACTORS["thousand metric tons"]
    out: list[Production] = []
    for (name, year), by_product in cells.items():
        if set(by_product) != set(SILICON_PRODUCTS):
            continue  # one column only: not the stage's figure
        country, qualifier = country_code(name)
        parts = [(p, by_product[p]) for p in SILICON_PRODUCTS]
        parsed_parts = [
            (p, parse_usgs(r["value_raw"], estimated=r["is_estimate"] == "yes")) for p, r in parts
        ]
        if any(pp.quantity is None for _, pp in parsed_parts):
            withheld = [p for p, pp in parsed_parts if pp.quantity is None]
            parsed = Parsed(None, Status.WITHHELD.value, f"{' and '.join(withheld)} withheld")
        else:
            total = sum((pp.quantity or Decimal(0) for _, pp in parsed_parts), Decimal(0))
            status = Status.ESTIMATED if year >= 2025 else Status.REPORTED
            parsed = Parsed(total, Status.ZERO.value if total == 0 else status.value)
        raw = " + ".join(f"{p} {r['value_raw']}" for p, r in parts)
        notes = {n for _, r in parts for n in r["row_note"].split("; ") if n}
        excluded = False if country == "USA" else None
        out.append(
            production_row(
                material_id="silicon",
                stage_id="metal",
                measure=Measure.PRODUCTION.value,
                country=country,
                year=year,
                parsed=parsed,
                factor=factor,
                raw=raw,
                source_id=source_id,
                in_world_total=excluded,
                note=join(
                    "silicon content of ferrosilicon plus silicon metal (sum of the two printed"
                    " columns); USGS prints thousand metric tons, converted to t",
                    "table: World Production",
                    qualifier and f"printed as {name!r}",
                    parsed.note,
                    "; ".join(sorted(notes)),
                ),
            )
        )
    return out


# USGS MCS 2025 data release, world production file (MCS2025_World_Data.csv): the tables the 2026
# chapters read elsewhere do not give. (COMMODITY, TYPE) as printed -> (material, stage, basis).
MCS2025_DATA = "usgs_mcs2025_world_data/MCS2025_World_Data.subset.csv"
MCS2025_SOURCE = "usgs-mcs2025-world-data"
MCS2025_TABLES: dict[tuple[str, str], tuple[str, str, str]] = {
    ("Bauxite", "Refinery production, alumina - calcined equivalent weights"): (
        "aluminium",
        "alumina",
        "alumina refinery production, calcined equivalent weight",
    ),
    ("Cadmium", "Refinery production, estimated"): (
        "cadmium",
        "refining",
        "refined cadmium (USGS estimates)",
    ),
    ("Selenium", "Refinery production, selenium content"): (
        "selenium",
        "refining",
        "refinery production, selenium content",
    ),
    ("Fluorspar", "Mine production, estimated"): (
        "fluorspar",
        "mining",
        "fluorspar mine production, gross weight (USGS estimates)",
    ),
    ("Platinum-Group metals", "Mine production, Palladium content"): (
        "palladium",
        "mining",
        "mine production, palladium content",
    ),
    ("Platinum-Group metals", "Mine production, Platinum content"): (
        "platinum",
        "mining",
        "mine production, platinum content",
    ),
}
MCS2025_UNITS = {
    "thousand metric dry tons": Decimal(1000),
    "thousand metric tons": Decimal(1000),
    "metric tons": Decimal(1),
    "kilograms": Decimal("0.001"),
}
MCS2025_YEARS = (("PROD_2023", 2023), ("PROD_EST_ 2024", 2024))
OTHER_CODE = "OTH"


def mcs2025_cell(raw: str, note: str, *, country: str, year: int) -> Parsed:
    """One production cell of the MCS 2025 data release.

    The release writes numbers plainly and puts ``W`` and ``NA`` in the notes column; a blank
    cell of a named country with neither is the printed table's ``—`` (zero). A blank "Other
    countries" cell is unknown. 2024 figures are estimates, as are 2023 figures noted so.
    """
    text = raw.strip()
    if text:
        estimated = year >= 2024 or "estimated" in note.lower()
        return parse_usgs(text, estimated=estimated)
    if re.search(r"\bW\b", note):
        return Parsed(None, Status.WITHHELD.value, "withheld ('W' in the release's notes)")
    if re.search(r"\bNA\b", note, re.IGNORECASE) or country == OTHER_CODE:
        return Parsed(None, Status.NOT_AVAILABLE.value, "not available")
    return Parsed(Decimal(0), Status.ZERO.value, "blank in the data release, read as zero")


def mcs2025_world_data(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2025_world_data/: alumina refining, cadmium and selenium refining, fluorspar,
    palladium and platinum mining, 2023 and 2024, from the MCS 2025 data release (tables the
    2026 chapters read here do not give). A world total noted "Excludes U.S. production" leaves
    the U.S. line out."""
    rows = read_csv(src_dir / MCS2025_DATA)
    sources.add(
        Source(
            source_id=MCS2025_SOURCE,
            publisher=USGS,
            title="Mineral Commodity Summaries 2025 data release: world production, capacity and"
            " reserves (MCS2025_World_Data.csv)",
            url="https://www.usgs.gov/centers/national-minerals-information-center/"
            "mineral-commodity-summaries",
            published=dt.date(2025, 1, 31),
            confidence=Confidence.HIGH.value,
            precedence=10,
            via="GitHub ooi-darren/project-008-global-supply-chain-intelligence"
            " data/raw/usgs_world_2025/MCS2025_World_Data.csv"
            " @ 62ed611b8d1a5a0827512d0a49abb7d1dad3d6c2 (copy of the ScienceBase file;"
            " the rows used are kept verbatim in data/sources)",
            licence=PUBLIC_DOMAIN,
            note="The previous edition's world tables as USGS released them in CSV: 2023 and"
            " 2024 (estimated) columns. Blank cells of named countries are read as zero; W and"
            " NA are given in the notes column.",
        )
    )
    out: list[Production] = []
    excludes_us = {
        (r["COMMODITY"].strip(), r["TYPE"].strip())
        for r in rows
        if country_code(r["COUNTRY"].strip())[0] == WORLD and EXCLUDES_US.search(r["PROD_NOTES"])
    }
    for r in rows:
        commodity, type_ = r["COMMODITY"].strip(), r["TYPE"].strip()
        name = r["COUNTRY"].strip()
        country, qualifier = country_code(name)
        factor = MCS2025_UNITS[r["UNIT_MEAS"].strip()]
        for column, year in MCS2025_YEARS:
            parsed = mcs2025_cell(r[column], r["PROD_NOTES"], country=country, year=year)
            material_id, stage_id, basis = MCS2025_TABLES[(commodity, type_)]
            excluded = False if country == "USA" and (commodity, type_) in excludes_us else None
            row = production_row(
                material_id=material_id,
                stage_id=stage_id,
                measure=Measure.PRODUCTION.value,
                country=country,
                year=year,
                parsed=parsed,
                factor=factor,
                raw=r[column].strip() or "(blank)",
                source_id=MCS2025_SOURCE,
                in_world_total=excluded,
                note=join(
                    f"{basis}; USGS gives {r['UNIT_MEAS'].strip()}"
                    + (", converted to t" if factor != 1 else ""),
                    f"MCS 2025 data release, {commodity}: {type_}",
                    qualifier and f"printed as {name!r}",
                    parsed.note,
                    r["PROD_NOTES"].strip() or None,
                ),
            )
            out.append(
                dataclasses.replace(
                    row, fact_id=row.fact_id.replace("usgs-mcs2026:", "usgs-mcs2025:")
                )
            )
    return out


# Silicon: the U.S. output of the stage is withheld (W) and left out of the world total; the
# chapter's salient statistics bound it (rule d) where net import reliance is printed as a bound.
SILICON_SALIENT = "usgs_mcs2026_silicon/us_salient_statistics.csv"


def silicon_us_cap(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_mcs2026_silicon/us_salient_statistics.csv: an upper bound on withheld U.S. output.

    Net import reliance ``r = (C - P) / C`` with apparent consumption ``C = P + N + D`` (``N``
    imports minus exports, ``D`` the producers' stock drawdown). Printed as ``>r``, it gives
    ``P < (1 - r) / r * (N + D)``. ``D`` is at most the stocks held at the start of the year; that
    year-end figure is withheld, so the largest year-end stock USGS published (2021-23) stands
    for it. Years whose reliance is printed ``<r`` give a lower bound only and are skipped.
    """
    rows = read_csv(src_dir / SILICON_SALIENT)
    by: dict[tuple[str, str], dict[int, str]] = {}
    for r in rows:
        by.setdefault((r["section"], r["item"]), {})[int(r["year"].rstrip("e"))] = r["value_raw"]
    stocks = by[("Stocks, producer, ferrosilicon and silicon metal, yearend",) * 2]
    published_stocks = [Decimal(v) for v in stocks.values() if v not in ("W", "NA")]
    max_stock = max(published_stocks)
    nir = by[("Net import reliance as a percentage of apparent consumption", "Total")]
    out: list[Production] = []
    for year, raw_nir in sorted(nir.items()):
        if not raw_nir.startswith(">"):
            continue
        r = Decimal(raw_nir[1:]) / 100
        imports = sum(
            Decimal(v[year]) for (sec, _), v in by.items() if sec == "Imports for consumption"
        )
        exports = sum(Decimal(v[year]) for (sec, _), v in by.items() if sec == "Exports")
        net = imports - exports
        cap_kt = (1 - r) / r * (net + max_stock)
        start, end = year_span(year)
        out.append(
            Production(
                fact_id=f"usgs-mcs2026:silicon:metal:upper-bound:USA:{year}",
                material_id="silicon",
                stage_id="metal",
                measure=Measure.UPPER_BOUND.value,
                country="USA",
                year=year,
                quantity=float(cap_kt * 1000),
                unit="t",
                status=Status.ESTIMATED.value,
                source_id="usgs-mcs2026-silicon",
                raw=f"net import reliance {raw_nir}%; imports {imports}, exports {exports},"
                f" producer stocks at most {max_stock} (thousand t)",
                in_world_total=None,
                valid_from=start,
                valid_to=end,
                note=f"Upper bound on the withheld U.S. output (silicon content, ferrosilicon plus"
                f" silicon metal), not a figure: net import reliance above {raw_nir[1:]}% of"
                f" apparent consumption means output below {(1 - r) / r:g} x (imports {imports} -"
                f" exports {exports} + stock drawdown) thousand t; the drawdown is at most the"
                f" stocks held, withheld for {year - 1}, taken at the largest published year-end"
                f" stock ({max_stock} thousand t)",
            )
        )
    return out


# USGS Minerals Yearbook 2015, Cobalt, table 6: world cobalt refinery capacity at year end.
MYB_COBALT_CAPACITY = (
    "processing_stage_quotes/usgs_myb2015_cobalt_refinery_capacity.csv",
    "usgs-myb2015-cobalt",
)


def myb_cobalt_capacity(src_dir: Path, sources: Sources) -> list[Production]:
    """usgs_myb2015_cobalt_refinery_capacity.csv: refinery capacity by country, 31 Dec 2015."""
    path, source_id = MYB_COBALT_CAPACITY
    out: list[Production] = []
    for r in read_csv(src_dir / path):
        if (r["material"], r["unit"]) != ("cobalt", "metric tons"):
            raise ValueError(f"{path}: unexpected row {r['material']!r} {r['unit']!r}")
        sources.add(
            Source(
                source_id=source_id,
                publisher=USGS,
                title="2015 Minerals Yearbook: Cobalt, table 6 (world annual cobalt refinery"
                " capacity, December 31, 2015)",
                url="https://www.usgs.gov/centers/national-minerals-information-center/"
                "cobalt-statistics-and-information",
                confidence=Confidence.MEDIUM.value,
                precedence=40,
                via=f"transcribed from {r['source_url']}",
                licence=PUBLIC_DOMAIN,
                note="Capacity, not production: includes standby capacity; refinery products"
                " include cobalt metal, metal powders, oxides and (or) salts. Read on a"
                " third-party copy of the USGS table.",
            )
        )
        name = "World" if r["country"] == "Total" else r["country"]
        country, qualifier = country_code(name)
        raw = r["value"] + (" e" if r["estimate_flag"] == "e" else "")
        parsed = parse_usgs(r["value"], estimated=r["estimate_flag"] == "e")
        row = production_row(
            material_id="cobalt",
            stage_id="refining",
            measure=Measure.CAPACITY.value,
            country=country,
            year=int(r["year"]),
            parsed=parsed,
            factor=Decimal(1),
            raw=raw,
            source_id=source_id,
            in_world_total=None,
            note=join(r["basis"], qualifier and f"printed as {name!r}", parsed.note),
        )
        out.append(
            dataclasses.replace(row, fact_id=row.fact_id.replace("usgs-mcs2026:", "usgs-myb2015:"))
        )
    return out


def iea_shares(src_dir: Path, sources: Sources) -> list[Share]:
    """refining_shares_via_materials_atlas/iea_2024_mining_vs_refining_concentration.csv."""
    path = "refining_shares_via_materials_atlas/iea_2024_mining_vs_refining_concentration.csv"
    rows = read_csv(src_dir / path)
    source_id = sources.add(
        Source(
            source_id="iea-cmd-2025",
            publisher="International Energy Agency",
            title="Critical Minerals Dataset (May 2025 edition), sheet '2 Total supply for key"
            " minerals'",
            url="https://www.iea.org/data-and-statistics/data-product/critical-minerals-dataset",
            confidence=Confidence.MEDIUM.value,
            precedence=20,
            via=github_via(ATLAS_REPO, "out/refining.json (capacity_wedge)", ATLAS_COMMIT),
            licence="CC BY 4.0 (attribution: IEA)",
            note="Top-1 and top-3 country shares and world totals for the base year 2024, as"
            " computed from the IEA sheet by the critical-materials-atlas author; the country"
            " breakdown itself was not available. World totals printed in thousand tonnes,"
            " converted to t.",
        )
    )
    out: list[Share] = []
    for r in rows:
        material_id, stage_id = IEA_STAGES[(r["material"], r["stage"])]
        year = int(r["year"])
        start, end = year_span(year)
        top1, top3 = Decimal(r["top1_share_pct"]), Decimal(r["top3_share_pct"])
        world = float(Decimal(r["world_total"]) * 1000)
        magnet = (
            "magnet rare earth elements only (Nd, Pr, Dy, Tb)"
            if "magnet" in r["material"]
            else None
        )
        label = f"IEA label {r['iea_stage_label']!r}"
        country = resolve(r["top1_country_iso3"])
        base = f"iea-cmd-2025:{material_id}:{stage_id}:{year}"
        top = Share(
            fact_id=f"{base}:{country}",
            material_id=material_id,
            stage_id=stage_id,
            year=year,
            share=fraction(top1),
            source_id=source_id,
            country=country,
            world_total=world,
            unit="t",
            valid_from=start,
            valid_to=end,
            note=join(label, magnet),
        )
        rest = dataclasses.replace(
            top,
            fact_id=f"{base}:ranks-2-3",
            share=fraction(top3 - top1),
            country=None,
            ranks="2-3",
            note=join(
                label,
                magnet,
                f"second and third producers together (top 3 {top3}% minus top 1 {top1}%),"
                " not named",
            ),
        )
        out += [top, rest]
    return out


def bgs_shares(src_dir: Path, sources: Sources) -> list[Share]:
    """refining_shares_via_materials_atlas/bgs_refined_stage_shares_2000_2024.csv."""
    rows = read_csv(
        src_dir / "refining_shares_via_materials_atlas" / "bgs_refined_stage_shares_2000_2024.csv"
    )
    source_id = sources.add(
        Source(
            source_id="bgs-wms",
            publisher="British Geological Survey",
            title="World Mineral Statistics",
            url="https://ogcapi.bgs.ac.uk/collections/world-mineral-statistics",
            confidence=Confidence.MEDIUM.value,
            precedence=30,
            via=github_via(ATLAS_REPO, "out/refined_years.json", ATLAS_COMMIT),
            licence="Open Government Licence v3.0",
            note="Country shares of the sum of BGS country quantities (aggregates excluded),"
            " computed by the critical-materials-atlas author (build_bgs_refined.py); integer"
            " percent, countries under 1% dropped, no tonnages.",
        )
    )
    out: list[Share] = []
    for r in rows:
        material_id, stage_id = BGS_STAGES[r["material"]]
        year = int(r["year"])
        country, _ = country_code(r["country_iso2"])
        start, end = year_span(year)
        out.append(
            Share(
                fact_id=f"bgs-wms:{material_id}:{stage_id}:{year}:{country}",
                material_id=material_id,
                stage_id=stage_id,
                year=year,
                share=fraction(Decimal(r["share_pct"])),
                source_id=source_id,
                country=country,
                valid_from=start,
                valid_to=end,
                note=join(
                    f"BGS commodity {r['bgs_commodity']!r}; integer percent",
                    (cov := PARTIAL_COVERAGE.get((source_id, material_id)))
                    and f"{PARTIAL_NOTE} {cov}",
                ),
            )
        )
    return out


def atlas_curated_shares(src_dir: Path, sources: Sources) -> list[Share]:
    """refining_shares_via_materials_atlas/atlas_curated_refined_shares.csv (curated rows)."""
    rows = read_csv(
        src_dir / "refining_shares_via_materials_atlas" / "atlas_curated_refined_shares.csv"
    )
    later_iea = [r for r in rows if r["source_label_in_atlas"] == ATLAS_LATER_IEA]
    skipped = [
        r["material"] for r in rows if r not in later_iea and r["material"] not in ATLAS_CURATED
    ]
    source_id = sources.add(
        Source(
            source_id="atlas-curated",
            publisher="critical-materials-atlas (Varcolacus)",
            title="Critical raw materials atlas: curated top-refiner shares",
            url="https://doi.org/10.5281/zenodo.21948855",
            confidence=Confidence.LOW.value,
            precedence=90,
            via=github_via(
                ATLAS_REPO, "out/refining.json rows[].reported / build_refining.py", ATLAS_COMMIT
            ),
            licence="No licence stated by the repository",
            note="The author's curated, uncited top-refiner shares ('curated from published"
            " figures (IEA GCMO 2025 + USGS MCS 2024/25)'); no year or citation per row:"
            f" pointers only. Left out: the {len(later_iea)} rows labelled '{ATLAS_LATER_IEA}'"
            " (magnets, graphite, lithium; a later IEA edition whose base year is not stated) and"
            f" {', '.join(skipped)} (not in the catalogue, or, for molybdenum, no roasting or"
            " refining stage in it).",
        )
    )
    out: list[Share] = []
    start, end = year_span(ATLAS_YEAR)
    for r in rows:
        if r in later_iea or r["material"] not in ATLAS_CURATED:
            continue
        material_id, stage_id = ATLAS_CURATED[r["material"]]
        country, _ = country_code(r["country_iso2_or_iso3"])
        out.append(
            Share(
                fact_id=f"atlas-curated:{material_id}:{stage_id}:{ATLAS_YEAR}:{country}",
                material_id=material_id,
                stage_id=stage_id,
                year=ATLAS_YEAR,
                share=fraction(Decimal(r["share_pct"])),
                source_id=source_id,
                country=country,
                valid_from=start,
                valid_to=end,
                note=join(
                    f"year not stated by the source; taken as {ATLAS_YEAR}",
                    f"form: {r['stage_or_form']}",
                ),
            )
        )
    return out


def quote_shares(src_dir: Path, sources: Sources) -> list[Share]:
    """processing_stage_quotes/processing_share_quotes.csv, the rows in :data:`QUOTE_SHARES`."""
    rows = {
        r["fact_id"]: r
        for r in read_csv(src_dir / "processing_stage_quotes" / "processing_share_quotes.csv")
    }
    out: list[Share] = []
    for spec in QUOTE_SHARES:
        r = rows[spec.quote]
        if not r["unit"].startswith("% of world"):
            raise ValueError(f"quote {spec.quote} is not a share of world output: {r['unit']!r}")
        q = rows[spec.source or spec.quote]
        if f"{r['value']}%" not in q["source_quote"]:
            raise ValueError(f"quote {q['fact_id']} does not state {r['value']}%")
        cites = q["original_source_cited"] not in ("", "not stated")
        primary_text = q["primary_or_secondary"].startswith("primary")
        source_id = sources.add(
            Source(
                source_id=f"quote-{q['fact_id']}",
                publisher=q["publisher_or_site"],
                title=f"{q['material']}: {q['stage']}, {q['year']}",
                url=q["source_url"],
                quote=q["source_quote"],
                confidence=(Confidence.MEDIUM if cites else Confidence.LOW).value,
                precedence=40 if primary_text else (50 if cites else 60),
                note=join(
                    f"original source cited: {q['original_source_cited']}",
                    q["primary_or_secondary"],
                    q["note"],
                ),
            )
        )
        year_text = r["year"]
        year = int(year_text.removeprefix("c."))
        pct = Decimal(r["value"])
        if spec.minus:
            pct -= Decimal(rows[spec.minus]["value"])
        world = None
        if spec.world_from:
            w = rows[spec.world_from]
            if not w["unit"].startswith("metric tons") or w["year"] != year_text:
                raise ValueError(f"quote {spec.world_from} is not a world total for {spec.quote}")
            world = float(Decimal(w["value"]))
        country = resolve(spec.country) if spec.country else None
        start, end = year_span(year)
        out.append(
            Share(
                fact_id=f"{source_id}:{spec.material_id}:{spec.stage_id}:{year}:"
                + (country or f"ranks-{spec.ranks}"),
                material_id=spec.material_id,
                stage_id=spec.stage_id,
                year=year,
                share=fraction(pct),
                source_id=source_id,
                country=country,
                ranks=spec.ranks,
                world_total=world,
                unit="t" if world is not None else None,
                valid_from=start,
                valid_to=end,
                note=join(
                    spec.note,
                    year_text != str(year) and f"year printed {year_text!r}",
                    spec.world_from and f"world total from {spec.world_from}",
                ),
            )
        )
    return out


#: Series that cover only some producers: (source id, material) -> the coverage they state.
#: Their shares are shares of the covered producers, not of the world (see
#: ``derisk.services.common.PARTIAL_NOTE``).
PARTIAL_COVERAGE = {
    ("bgs-wms", "germanium"): "BGS reports germanium metal output only for China, the United"
    " States and Russia; refiners in Canada, Belgium, Germany, Finland and Japan are not counted"
    " (USGS MCS 2026 germanium chapter names them among import sources)",
}


def correction_shares(src_dir: Path, sources: Sources) -> list[Share]:
    """corrections/share_figures.csv: published shares that correct or complete the others.

    ``year_stated = no`` rows carry :data:`YEAR_UNSTATED_NOTE`; ``bound = lower`` rows say that
    the figure is a lower bound ("more than").
    """
    out: list[Share] = []
    for r in read_csv(src_dir / "corrections" / "share_figures.csv"):
        source_id = sources.add(
            Source(
                source_id=f"{r['fact_id']}",
                publisher=r["publisher"],
                title=r["title"],
                url=r["url"],
                published=dt.date.fromisoformat(r["published"]) if r["published"] else None,
                confidence=r["confidence"],
                precedence=int(r["precedence"]),
                note=join(
                    (cited := r["original_source_cited"]) and f"original source cited: {cited}",
                    r["basis"],
                ),
            )
        )
        material_id, stage_id = r["material"], r["stage"]
        country, _ = country_code(r["country"])
        year = int(r["year"])
        start, end = year_span(year)
        out.append(
            Share(
                fact_id=f"{source_id}:{material_id}:{stage_id}:{year}:{country}",
                material_id=material_id,
                stage_id=stage_id,
                year=year,
                share=fraction(Decimal(r["share_pct"])),
                source_id=source_id,
                country=country,
                valid_from=start,
                valid_to=end,
                note=join(
                    r["year_stated"] == "no" and YEAR_UNSTATED_NOTE,
                    r["bound"] == "lower" and f"{LOWER_BOUND_NOTE} ('more than')",
                    r["bound"] == "about" and "an approximate figure ('about')",
                    r["note"],
                ),
            )
        )
    return out


def us_import_sources(src_dir: Path, sources: Sources) -> list[ImportSource]:
    """usgs_mcs2026/us_import_sources.csv (MCS "Import Sources (2021-24)" lines)."""
    rows = read_csv(src_dir / "usgs_mcs2026" / "us_import_sources.csv")
    defects = sorted({r["commodity"] for r in rows if r["category"].startswith(IMPORT_DEFECT)})
    source_id = sources.add(
        Source(
            source_id="usgs-mcs2026-import-sources",
            publisher=USGS,
            title="Mineral Commodity Summaries 2026: Import Sources (2021-24) of each commodity"
            " chapter",
            url="https://pubs.usgs.gov/periodicals/mcs2026/",
            published=MCS_PUBLISHED,
            confidence=Confidence.HIGH.value,
            precedence=10,
            via="GitHub pranava0x0/usgs-mineral-commodity-summaries data/audit/<slug>/data.json"
            " (commits as in the chapter sources)",
            licence=PUBLIC_DOMAIN,
            note="Chapter PDFs: mcs2026-<slug>.pdf. Left out: "
            + ", ".join(defects)
            + " rows labelled 'UNKNOWN (...)', a second list the extractor merged into 'Scrap'"
            " (check against the PDF).",
        )
    )
    out: list[ImportSource] = []
    start, end = dt.date(2021, 1, 1), dt.date(2024, 12, 31)
    for r in rows:
        if r["category"].startswith(IMPORT_DEFECT):
            continue
        if r["period"] not in ("2021-2024", "2021-24"):
            raise ValueError(f"unexpected period {r['period']!r}")
        material_id = IMPORT_MATERIALS[r["commodity"]]
        country, _ = country_code(r["country"])
        category = r["category"]
        out.append(
            ImportSource(
                fact_id=f"usgs-mcs2026-import-sources:{material_id}:{slug(category)}:{country}",
                importer="USA",
                material_id=material_id,
                category=category,
                country=country,
                share=fraction(Decimal(r["share_pct"])),
                period="2021-2024",
                source_id=source_id,
                stage_id=IMPORT_STAGES.get((material_id, category)),
                valid_from=start,
                valid_to=end,
            )
        )
    return out


def fixture_sources(sources: Sources) -> tuple[str, str]:
    via = "GitHub mastermindx-market-intelligence/macro tests/fixtures/usgs_mcs/{} @ {}"
    note = (
        "Official MCS 2026 data release (ScienceBase); only the subset of rows kept as a test"
        " fixture by the intermediate repository was available."
    )
    t7 = sources.add(
        Source(
            source_id="usgs-mcs2026-t7",
            publisher=USGS,
            title="Mineral Commodity Summaries 2026 data release: Table 7, critical minerals"
            " salient statistics",
            url=SCIENCEBASE,
            published=MCS_PUBLISHED,
            confidence=Confidence.HIGH.value,
            precedence=10,
            via=via.format(
                "MCS2026_T7_Critical_Minerals_Salient.csv",
                "dcfb190ff92f74a4b7f13f83a83ef5d476967d77",
            ),
            licence=PUBLIC_DOMAIN,
            note=note + " Aluminum (bauxite) and zirconium rows are left out (not in the"
            " catalogue).",
        )
    )
    fig3 = sources.add(
        Source(
            source_id="usgs-mcs2026-fig3",
            publisher=USGS,
            title="Mineral Commodity Summaries 2026 data release: Figure 3, major import sources",
            url=SCIENCEBASE,
            published=MCS_PUBLISHED,
            confidence=Confidence.HIGH.value,
            precedence=10,
            via=via.format(
                "MCS2026_Fig3_Major_Import_Sources.csv", "cc237bf0c137f1da81f3d64f68d0bc5c51d5f098"
            ),
            licence=PUBLIC_DOMAIN,
            note=note,
        )
    )
    return t7, fig3


def parse_nir(raw: str) -> float:
    return fraction(Decimal(raw.lstrip("<>")))


def fig3_rows(src_dir: Path, source_id: str) -> tuple[list[ImportSource], list[ImportReliance]]:
    """MCS2026_Fig3_Major_Import_Sources.subset.csv: import sources and net import reliance."""
    rows = read_csv(
        src_dir
        / "usgs_mcs2026_official_fixture_subset"
        / "MCS2026_Fig3_Major_Import_Sources.subset.csv"
    )
    imports: list[ImportSource] = []
    nir: dict[str, str] = {}
    for r in rows:
        name, _, qualifier = r["Commodity"].partition(", ")
        material_id = IMPORT_MATERIALS[name]
        category = qualifier or "all forms"
        country, _ = country_code(r["Import_Source_2021_24"])
        if nir.setdefault(material_id, r["NIR"]) != r["NIR"]:
            raise ValueError(f"Fig3: two NIR values for {material_id}")
        imports.append(
            ImportSource(
                fact_id=f"{source_id}:{material_id}:{slug(category)}:{country}",
                importer="USA",
                material_id=material_id,
                category=category,
                country=country,
                share=fraction(Decimal(r["Percent"])),
                period="2021-2024",
                source_id=source_id,
                valid_from=dt.date(2021, 1, 1),
                valid_to=dt.date(2024, 12, 31),
            )
        )
    start, end = year_span(2025)
    reliance = [
        ImportReliance(
            fact_id=f"{source_id}:{material_id}:USA:2025",
            importer="USA",
            material_id=material_id,
            year=2025,
            source_id=source_id,
            value=parse_nir(raw),
            raw=raw,
            valid_from=start,
            valid_to=end,
        )
        for material_id, raw in nir.items()
    ]
    return imports, reliance


def t7_rows(src_dir: Path, source_id: str) -> list[ImportReliance]:
    """MCS2026_T7_Critical_Minerals_Salient.subset.csv: net import reliance, 2025 estimates."""
    rows = read_csv(
        src_dir
        / "usgs_mcs2026_official_fixture_subset"
        / "MCS2026_T7_Critical_Minerals_Salient.subset.csv"
    )
    out: list[ImportReliance] = []
    for r in rows:
        material_id = T7_MATERIALS[re.sub(r"\d+$", "", r["Critical_mineral"])]
        if material_id is None:
            continue
        year = int(r["Year"].split("_")[0])
        raw = r["Net_Import_Reliance"]
        start, end = year_span(year)
        out.append(
            ImportReliance(
                fact_id=f"{source_id}:{material_id}:USA:{year}",
                importer="USA",
                material_id=material_id,
                year=year,
                source_id=source_id,
                value=parse_nir(raw),
                raw=raw,
                valid_from=start,
                valid_to=end,
            )
        )
    return out


def ownership(src_dir: Path, sources: Sources) -> tuple[list[Entity], list[Stake]]:
    """ownership_facts/ownership_facts.csv and ownership_facts_more.csv."""
    facts = [
        *read_csv(src_dir / "ownership_facts" / "ownership_facts.csv"),
        *read_csv(src_dir / "ownership_facts" / "ownership_facts_more.csv"),
    ]
    seen: dict[str, dict[str, Any]] = {}  # entity_id -> first source, country, printed names
    stakes: list[Stake] = []
    fact_sources: dict[str, Source] = {}
    for f in facts:
        fid = f["fact_id"]
        primary = "sec.gov" in f["source_url"]
        host = re.sub(r"^https?://([^/]+)/.*$", r"\1", f["source_url"])
        no_percent = not f["percent"]
        fact_sources[fid] = Source(
            source_id=fid,
            publisher=PUBLISHERS.get(host, host),
            title=f"{f['owner']}: stake in {f['owned_entity']}",
            url=f["source_url"],
            quote=f["source_quote"],
            confidence=(Confidence.HIGH if primary else Confidence.MEDIUM).value,
            precedence=10 if primary else 50,
            note=join(
                f["note"],
                no_percent and "No percentage stated: no stake row, entities only.",
            ),
        )
        ids = []
        for name_col, country_col in (
            ("owner", "owner_country"),
            ("owned_entity", "owned_country"),
        ):
            entity_id, _ = ENTITY_NAMES[f[name_col]]
            country = resolve(f[country_col])
            info = seen.setdefault(entity_id, {"source": fid, "country": country, "names": set()})
            if info["country"] != country:
                raise ValueError(f"{fid}: {entity_id} has two countries")
            info["names"].add(f[name_col])
            ids.append(entity_id)
        if no_percent:
            continue
        owner_id, owned_id = ids
        percent_raw = f["percent"]
        bound = "lower bound: printed '>" + percent_raw[1:] + "'" if percent_raw[0] == ">" else None
        basis = f["basis"]
        interest = Interest.VOTING if "voting-rights" in basis else Interest.EQUITY
        as_of, as_of_note = parse_as_of(f["as_of"])
        stakes.append(
            Stake(
                fact_id=fid,
                owner_id=owner_id,
                owned_id=owned_id,
                interest=interest.value,
                percent=float(Decimal(percent_raw.lstrip("<>"))),
                source_id=fid,
                valid_from=as_of,
                note=join(
                    ENTITY_NAMES[f["owner"]][1],
                    ENTITY_NAMES[f["owned_entity"]][1],
                    bound,
                    basis,
                    as_of_note,
                ),
            )
        )
    entities = []
    for entity_id, info in seen.items():
        spec = ENTITIES[entity_id]
        aliases = sorted(n for n in info["names"] if n != spec.name)
        entities.append(
            Entity(
                entity_id=entity_id,
                kind=spec.kind,
                name=spec.name,
                source_id=info["source"],
                country=info["country"],
                facility_type=spec.facility_type,
                material_id=spec.material_id,
                stage_id=spec.stage_id,
                aliases=" | ".join(aliases) or None,
                note=spec.note,
            )
        )
    # A fact without a percentage is a source only if it is the first to name an entity.
    used = {s.source_id for s in stakes} | {e.source_id for e in entities}
    for fid, src in fact_sources.items():
        if fid in used:
            sources.add(src)
    return entities, stakes


def parse_as_of(text: str) -> tuple[dt.date | None, str | None]:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text), None
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return dt.date.fromisoformat(text + "-01"), f"as of {text} (month only)"
    return None, f"as of: {text}"


# ---------------------------------------------------------------------------------------------
# Checks and output
# ---------------------------------------------------------------------------------------------


DEMAND_FLOWS = {"consumption": 1, "world-output": 1, "imports": 1, "exports": -1}
DEMAND_PRECEDENCE = {"H": 20, "M": 40, "L": 60}


def importer_demand(src_dir: Path, sources: Sources) -> list[ImporterDemand]:
    """importer_demand/figures.csv and sources.csv: demand of a buyer at a stage in a year.

    Each raw row is one published figure (a consumption, import or export tonnage in the unit
    it is printed in). Figures of the same buyer, stage, year and source are converted to the
    stage's unit (:func:`derisk.model.facilities.unit_factor`) and combined as
    ``consumption + imports - exports``; the basis is ``apparent-consumption`` when the source
    publishes consumption, ``imports`` when only trade is published (said in the note), and
    ``world-output`` for a world total read from production.
    """
    folder = "importer_demand"
    known_groups = {r["group_id"] for r in read_csv(DEFAULT_OUT / "groups.csv")}
    keys: dict[str, str] = {}
    for i, r in enumerate(read_csv(src_dir / folder / "sources.csv"), start=2):
        where = f"{folder}/sources.csv row {i}"
        if r["confidence"] not in DEMAND_PRECEDENCE:
            raise ValueError(f"{where}, field confidence: expected H, M or L")
        published = dt.date.fromisoformat(r["published"]) if r["published"] else None
        keys[r["source_key"]] = sources.add(
            Source(
                source_id=r["source_key"],
                publisher=r["publisher"],
                title=r["title"],
                url=r["url"] or None,
                published=published,
                confidence=r["confidence"],
                precedence=DEMAND_PRECEDENCE[r["confidence"]],
                via=r["via"] or None,
                licence=r["licence"] or None,
                note=r["note"] or None,
            )
        )
    groups: dict[tuple[str, str, str, int, str], list[tuple[str, float, str]]] = {}
    for i, r in enumerate(read_csv(src_dir / folder / "figures.csv"), start=2):
        where = f"{folder}/figures.csv row {i}"
        buyer = r["buyer"]
        if buyer != WORLD and buyer not in known_groups:
            try:
                if resolve(buyer) != buyer:
                    raise UnknownCountry(buyer)
            except UnknownCountry:
                raise ValueError(
                    f"{where}, field buyer: {buyer!r} is not an ISO alpha-3 code, WLD or a group"
                ) from None
        if r["flow"] not in DEMAND_FLOWS:
            raise ValueError(f"{where}, field flow: one of {sorted(DEMAND_FLOWS)}")
        if r["source_key"] not in keys:
            raise ValueError(f"{where}, field source_key: unknown source {r['source_key']!r}")
        try:
            factor = unit_factor(r["material_id"], r["stage_id"], r["unit"])
        except KeyError as exc:
            raise ValueError(f"{where}, field unit: {exc.args[0]}") from None
        qty = float(r["quantity"])
        if not qty > 0:
            raise ValueError(f"{where}, field quantity: must be > 0")
        key = (buyer, r["material_id"], r["stage_id"], int(r["year"]), r["source_key"])
        groups.setdefault(key, []).append(
            (
                r["flow"],
                DEMAND_FLOWS[r["flow"]] * qty * factor,
                f"{r['note']} ({r['quantity']} {r['unit']})",
            )
        )
    out: list[ImporterDemand] = []
    for (buyer, material, stage, year, source_id), parts in sorted(groups.items()):
        total = sum(q for _f, q, _n in parts)
        if total <= 0:
            raise ValueError(f"{folder}: {buyer} {material} {stage} {year} adds up to {total}")
        flows = {f for f, _q, _n in parts}
        basis = "apparent-consumption" if "consumption" in flows else "imports"
        if "world-output" in flows:
            basis = "world-output"
        if flows & {"consumption", "world-output"} and len(flows) > 1:
            raise ValueError(
                f"{folder}: {buyer} {material} {stage} {year} mixes consumption and trade"
            )
        method = (
            {"apparent-consumption": "published consumption", "world-output": "world output"}[basis]
            if basis != "imports"
            else "imports as printed"
            + (" minus exports" if "exports" in flows else "")
            + " stand for demand (no consumption figure published)"
        )
        out.append(
            ImporterDemand(
                fact_id=f"dem:{material}:{stage}:{buyer}:{year}:{source_id}",
                buyer=buyer,
                material_id=material,
                stage_id=stage,
                year=year,
                quantity=round(total, 1),
                unit=stage_unit(material, stage),
                basis=basis,
                source_id=source_id,
                note=join(method, *(n for _f, _q, n in parts)),
            )
        )
    return out


def check(tables: dict[str, list[Any]]) -> None:
    """Unique keys and fact ids, known sources and catalogue stages: fail loudly otherwise."""
    catalog = load_catalog()
    source_ids = {s.source_id for s in tables["sources"]}
    ids = {Source: "source_id", Entity: "entity_id"}
    for stem, row_type in OUTPUTS:
        rows = tables[stem]
        id_field = ids.get(row_type, "fact_id")
        _no_duplicates(stem, "key", [tuple(getattr(r, k) for k in row_type.Meta.key) for r in rows])
        _no_duplicates(stem, id_field, [getattr(r, id_field) for r in rows])
        for r in rows:
            if row_type is not Source and r.source_id not in source_ids:
                raise ValueError(f"{stem}: unknown source {r.source_id!r}")
            material_id = getattr(r, "material_id", None)
            stage_id = getattr(r, "stage_id", None)
            if material_id:
                mat = catalog.material(material_id)
                if stage_id:
                    mat.stage(stage_id)
    entity_ids = {e.entity_id for e in tables["entities"]}
    for s in tables["stakes"]:
        if {s.owner_id, s.owned_id} - entity_ids:
            raise ValueError(f"stake {s.fact_id}: unknown entity")


def _no_duplicates(stem: str, what: str, keys: list[Any]) -> None:
    dups = sorted({str(k) for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"{stem}: duplicate {what}: {dups[:5]}")


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_table(path: Path, row_type: type[Any], rows: Iterable[Any]) -> int:
    fields = [f.name for f in dataclasses.fields(row_type)]
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(fields)
        for r in rows:
            w.writerow([fmt(getattr(r, name)) for name in fields])
            n += 1
    return n


def build(src_dir: Path) -> dict[str, list[Any]]:
    sources = Sources()
    production = (
        mcs_world_tables(src_dir, sources)
        + mcs_processing_tables(src_dir, sources)
        + mcs_copper_mine(src_dir, sources)
        + mcs_silicon(src_dir, sources)
        + mcs2025_world_data(src_dir, sources)
        + silicon_us_cap(src_dir, sources)
        + myb_cobalt_capacity(src_dir, sources)
    )
    shares = (
        iea_shares(src_dir, sources)
        + bgs_shares(src_dir, sources)
        + atlas_curated_shares(src_dir, sources)
        + quote_shares(src_dir, sources)
        + correction_shares(src_dir, sources)
    )
    imports = us_import_sources(src_dir, sources)
    t7_id, fig3_id = fixture_sources(sources)
    fig3_imports, fig3_reliance = fig3_rows(src_dir, fig3_id)
    reliance = t7_rows(src_dir, t7_id) + fig3_reliance
    entities, stakes = ownership(src_dir, sources)
    demand = importer_demand(src_dir, sources)
    tables: dict[str, list[Any]] = {
        "sources": list(sources.rows.values()),
        "production": production,
        "shares": shares,
        "import_sources": imports + fig3_imports,
        "import_reliance": reliance,
        "entities": entities,
        "stakes": stakes,
        "importer_demand": demand,
    }
    check(tables)
    return tables


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sources", type=Path, default=DEFAULT_SOURCES, help="raw data folder (data/sources)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        parser.error(f"raw data folder not found: {args.sources}")
    tables = build(args.sources)
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, row_type in OUTPUTS:
        n = write_table(args.out / f"{stem}.csv", row_type, tables[stem])
        print(f"{stem}.csv: {n} rows")
    if UNRESOLVED:
        names = ", ".join(sorted(UNRESOLVED))
        print(f"country names not known to derisk.model.countries: {names}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
