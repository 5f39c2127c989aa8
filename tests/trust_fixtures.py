"""Databases with two organisations and private datasets, for the cross-organisation tests.

``acme`` and ``beta`` each own a private dataset whose facts change answers a user of the
other must never see: a stake that changes look-through ownership, production of a stage
with a winning source precedence, import sources, an entity and a source. ``ops`` is a
dataset loaded by the operator and never assigned (admins only).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from derisk.data.loader import load_files
from derisk.services import trust
from derisk.store import DuckStore

ORGS = ("acme", "beta")

PRIVATE = {
    "acme": {
        "sources": (
            "source_id,publisher,title,confidence,precedence\n"
            "acme-contract-2026,Acme Corp,Acme private supplier contract,H,1\n"
        ),
        "entities": (
            "entity_id,kind,name,source_id,country\n"
            "acme-secret-mine,facility,Acme undisclosed mine,acme-contract-2026,CAN\n"
        ),
        "stakes": (
            "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
            "acme-secret-stake,shenghe-resources,mp-materials,equity,40,acme-contract-2026,"
            "2025-06-01\n"
        ),
        "production": (
            "fact_id,material_id,stage_id,measure,country,year,quantity,unit,status,source_id\n"
            "acme-p1,antimony,mining,production,CAN,2025,90000,t,reported,acme-contract-2026\n"
            "acme-p2,antimony,mining,production,CHN,2025,10000,t,reported,acme-contract-2026\n"
            "acme-p3,antimony,mining,production,WLD,2025,100000,t,reported,acme-contract-2026\n"
        ),
        "import_sources": (
            "fact_id,importer,material_id,category,country,share,period,source_id,stage_id\n"
            "acme-i1,DEU,gallium,Metal,CAN,0.7,2025,acme-contract-2026,refining\n"
            "acme-i2,DEU,gallium,Metal,CHN,0.3,2025,acme-contract-2026,refining\n"
        ),
    },
    "beta": {
        "sources": (
            "source_id,publisher,title,confidence,precedence\n"
            "beta-intel-2026,Beta GmbH,Beta supplier audit,M,1\n"
        ),
        "stakes": (
            "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
            "beta-secret-stake,us-dod,shenghe-resources,equity,5,beta-intel-2026,2025-06-01\n"
        ),
        "production": (
            "fact_id,material_id,stage_id,measure,country,year,quantity,unit,status,source_id\n"
            "beta-p1,graphite,mining,production,MOZ,2025,500000,t,reported,beta-intel-2026\n"
            "beta-p2,graphite,mining,production,WLD,2025,1000000,t,reported,beta-intel-2026\n"
        ),
    },
    "ops": {
        "sources": (
            "source_id,publisher,title,confidence,precedence\n"
            "ops-note,Operator,Operator working notes,L,1\n"
        ),
        "stakes": (
            "fact_id,owner_id,owned_id,interest,percent,source_id,valid_from\n"
            "ops-stake,us-dod,mp-materials,equity,30,ops-note,2025-06-01\n"
        ),
    },
}
"""Each dataset's files by kind (loaded in this order)."""

DATASET = {"acme": "acme-supply", "beta": "beta-supply", "ops": "ops-notes"}

MARKERS = {
    "acme": ("acme-contract-2026", "acme-secret-stake", "acme-secret-mine", "acme-p1", "acme-i1"),
    "beta": ("beta-intel-2026", "beta-secret-stake", "beta-p1"),
    "ops": ("ops-note", "ops-stake"),
}
"""Strings that appear only in a dataset's own rows: none may reach another organisation."""


@dataclass
class TwoOrgs:
    path: Path
    tokens: dict[str, str]
    """user -> bearer token: alice (acme analyst), ann (acme viewer), bob (beta analyst),
    bev (beta viewer), root (admin, no organisation)."""


def load_private(store: DuckStore, name: str, tmp: Path) -> None:
    folder = tmp / f"files-{name}"
    folder.mkdir(exist_ok=True)
    files = []
    for kind, text in PRIVATE[name].items():
        p = folder / f"{kind}.csv"
        p.write_text(text, encoding="utf-8")
        files.append((p, kind))
    load_files(store, files, dataset=DATASET[name])


def build(path: Path, built_db: Path, datasets: tuple[str, ...]) -> TwoOrgs:
    """A copy of the bundled database with both organisations, their users and tokens, and
    the private ``datasets`` (names from :data:`PRIVATE`) loaded."""
    shutil.copyfile(built_db, path)
    tokens = {}
    with DuckStore(path) as store:
        for org in ORGS:
            trust.add_org(store, org)
            trust.set_access(store, DATASET[org], "private", org)
        for user, role, user_org in (
            ("alice", "analyst", "acme"),
            ("ann", "viewer", "acme"),
            ("bob", "analyst", "beta"),
            ("bev", "viewer", "beta"),
            ("root", "admin", None),
        ):
            trust.add_user(store, user, role, user_org)
            tokens[user] = trust.create_token(store, user)["token"]
        for name in datasets:
            load_private(store, name, path.parent)
    return TwoOrgs(path, tokens)
