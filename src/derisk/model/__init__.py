"""Domain types and schema of derisk, defined once (see :mod:`derisk.model.schema`)."""

from derisk.model.catalog import Catalog, MaterialSpec, StageSpec, load_catalog
from derisk.model.countries import UnknownCountry, resolve
from derisk.model.schema import (
    OTHER,
    ROW_TYPES,
    TABLES,
    WORLD,
    Confidence,
    Country,
    CountryGroup,
    Entity,
    EntityKind,
    ExportRestriction,
    GroupMember,
    ImportReliance,
    ImportSource,
    Interest,
    Material,
    Measure,
    Production,
    Share,
    Source,
    Stage,
    Stake,
    Status,
    Trade,
)

__all__ = [
    "OTHER",
    "ROW_TYPES",
    "TABLES",
    "WORLD",
    "Catalog",
    "Confidence",
    "Country",
    "CountryGroup",
    "Entity",
    "EntityKind",
    "ExportRestriction",
    "GroupMember",
    "ImportReliance",
    "ImportSource",
    "Interest",
    "Material",
    "MaterialSpec",
    "Measure",
    "Production",
    "Share",
    "Source",
    "Stage",
    "StageSpec",
    "Stake",
    "Status",
    "Trade",
    "UnknownCountry",
    "load_catalog",
    "resolve",
]

# Area modules register their row types on import; keep them imported here so that every
# table exists whenever the model is loaded.
from derisk.model import facilities as _facilities  # noqa: F401
from derisk.model import monitor as _monitor  # noqa: F401
from derisk.model import network as _network  # noqa: F401
from derisk.model import news as _news  # noqa: F401
from derisk.model import ownership as _ownership  # noqa: F401
from derisk.model import products as _products  # noqa: F401
from derisk.model import stage_gaps as _stage_gaps  # noqa: F401
