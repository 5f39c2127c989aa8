"""Response schemas of the endpoints, for the OpenAPI document.

The models of typed results are derived from the result records
(:mod:`derisk.services.results`, :func:`derive`): the API sends ``result.to_json()`` and the
document describes the same keys and types. Models allow extra keys so that a service may add
fields in a compatible way.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, is_typeddict

from pydantic import BaseModel, ConfigDict, Field, create_model

from derisk.api.problems import PROBLEM_JSON, PROBLEM_SCHEMA
from derisk.model.record import Absent, Record, field_types, typeddict_keys
from derisk.services import results
from derisk.services.results import certify as certify_results
from derisk.services.results import facilities as facility_results
from derisk.services.results import monitor as results_monitor
from derisk.services.results import news as news_results
from derisk.services.results import resource as resource_results
from derisk.services.results import screening as screening_results
from derisk.services.results import shock as shock_results
from derisk.services.results import trace as trace_results
from derisk.services.results import trust as results_trust

Bounds = list[float | None]


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class PageInfo(Out):
    total: int
    limit: int
    offset: int
    next: int | None = Field(description="Offset of the next page, or null on the last page.")


def _field_type(tp: Any) -> Any:
    """The pydantic annotation of a record field's type (records become their models)."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [_field_type(a) for a in get_args(tp) if a is not Absent]
        return functools.reduce(operator.or_, options)
    if origin in (tuple, list):  # a TypedDict's lists hold TypedDicts to derive too
        args = [a for a in get_args(tp) if a is not Ellipsis]
        item = functools.reduce(operator.or_, [_field_type(a) for a in args])
        return list.__class_getitem__(item)
    if origin is not None and getattr(origin, "__name__", "") in ("Mapping", "dict"):
        key, value = get_args(tp)
        return dict.__class_getitem__((key, _field_type(value)))
    if isinstance(tp, type) and issubclass(tp, Record):
        return derive(tp)
    if isinstance(tp, type) and is_typeddict(tp):
        return derive_typeddict(tp)
    return tp


_TYPEDDICTS: dict[type, type[Out]] = {}


def derive_typeddict(tp: type) -> type[Out]:
    """The model of a TypedDict a record holds: its keys, a ``NotRequired`` key optional
    (pydantic on Python 3.11 reads only typing_extensions' TypedDicts, so the model is made
    here from :func:`derisk.model.record.typeddict_keys`)."""
    if tp not in _TYPEDDICTS:
        fields: dict[str, Any] = {
            key: (_field_type(t), Field() if always else Field(default=None))
            for key, (t, always) in typeddict_keys(tp).items()
        }
        _TYPEDDICTS[tp] = create_model(
            tp.__name__,
            __base__=Out,
            __module__=__name__,
            __doc__=(tp.__doc__ or "").strip() or None,
            **fields,
        )
    return _TYPEDDICTS[tp]


_DERIVED: dict[type[Record], type[Out]] = {}

#: OpenAPI names of the derived models, where they differ from the record's class name.
_NAMES: dict[type[Record], str] = {
    results.UnknownLine: "Unknown",
    results.ImporterExposure: "ImporterOut",
    results.Materials: "MaterialsOut",
    results.Overview: "OverviewOut",
    results.Exposure: "ExposureOut",
    results.SourceLookup: "SourceLookupOut",
}


def derive(cls: type[Record], name: str | None = None, **extra: Any) -> type[Out]:
    """The response model of a result record: one field per JSON key, with the record's types
    (a key the record may leave out is optional); ``extra`` adds keys the API adds (``page``).

    The models are made from the records, never written by hand, so a key renamed in a result
    type is renamed in the OpenAPI document too.
    """
    if name is None and not extra and cls in _DERIVED:
        return _DERIVED[cls]
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    fields: dict[str, Any] = {}  # pydantic's create_model(**field_definitions), local here
    for key, tp in field_types(cls).items():
        ann = _field_type(tp)
        if key == "schema":  # a pydantic model keeps `schema` for itself: an alias
            fields["schema_"] = (ann, Field(alias="schema", examples=[defaults.get("schema")]))
        elif Absent in get_args(tp):  # a key only some answers carry
            fields[key] = (ann, Field(default=None))
        else:
            fields[key] = (ann, Field())
    for key, value in extra.items():
        fields[key] = value
    model: type[Out] = create_model(
        name or _NAMES.get(cls, cls.__name__),
        __base__=Out,
        __module__=__name__,
        __doc__=(cls.__doc__ or "").strip() or None,
        **fields,
    )
    if name is None and not extra:
        _DERIVED[cls] = model
    return model


if TYPE_CHECKING:  # the other modules' annotations see a model class
    SourceMeta = Out
else:
    SourceMeta = derive(results.SourceMeta)
StageInfo = derive(results.StageInfo)
MaterialInfo = derive(results.MaterialInfo)
MaterialsOut = derive(results.Materials, page=(PageInfo, ...))
OverviewRow = derive(results.OverviewRow)
OverviewOut = derive(results.Overview, page=(PageInfo, ...))
ExposureOut = derive(results.Exposure)
SourceLookupOut = derive(results.SourceLookup)
TradeOriginOut = derive(results.TradeOrigin, "TradeOriginOut")
TradeSeriesOut = derive(results.TradeSeries, "TradeSeriesOut")
OwnersOut = derive(results.Owners, "OwnersOut")
HoldingsOut = derive(results.Holdings, "HoldingsOut")


SourceListed = derive(results.SourceListed)
SourcesOut = derive(results.SourceList, "SourcesOut", page=(PageInfo, ...))
SourceFactsOut = derive(results.SourceFacts, "SourceFactsOut", page=(PageInfo, ...))
CountryInfo = derive(results.CountryInfo)
GroupInfo = derive(results.GroupInfo)
CountriesOut = derive(results.Countries, "CountriesOut", page=(PageInfo, ...))
ImporterInfo = derive(results.ImporterInfo)
ImportersOut = derive(results.Importers, "ImportersOut")
EntitiesOut = derive(results.Entities, "EntitiesOut", page=(PageInfo, ...))
ScenariosOut = derive(shock_results.Scenarios, "ScenariosOut")
ShockOut = derive(shock_results.Shock, "ShockOut")
RerouteOut = derive(resource_results.Reroute, "RerouteOut")

NewsReviewOut = derive(news_results.NewsReview, "NewsReviewOut", page=(PageInfo, ...))
NewsProposalOut = derive(news_results.NewsProposalShow, "NewsProposalOut")
NewsDecisionOut = derive(news_results.NewsDecisionResult, "NewsDecisionOut")
FacilitiesOut = derive(facility_results.FacilitiesList, "FacilitiesOut")
FacilityOut = derive(facility_results.FacilityShow, "FacilityOut")
AlliedOut = derive(facility_results.Allied, "AlliedOut")

# products, rules, trace and certificates
ProductsOut = derive(certify_results.Products, "ProductsOut", page=(PageInfo, ...))
RulesOut = derive(certify_results.Rules, "RulesOut")
TraceOut = derive(trace_results.Trace, "TraceOut")
CertificateOut = derive(certify_results.Certificate, "CertificateOut")

# -- trust (derisk.services.results.trust) ---------------------------------------------------
WhoamiOut = derive(results_trust.Whoami, "WhoamiOut")
DatasetInfo = derive(results_trust.DatasetInfo)
DatasetsOut = derive(results_trust.Datasets, "DatasetsOut", page=(PageInfo, ...))
AuditOut = derive(results_trust.Audit, "AuditOut")

# -- monitoring (derisk.services.results.monitor) --------------------------------------------
WatchlistOut = derive(results_monitor.Watchlist, "WatchlistOut")
WatchAddedOut = derive(results_monitor.WatchAdded, "WatchAddedOut")
WatchRemovedOut = derive(results_monitor.WatchRemoved, "WatchRemovedOut")
AlertsOut = derive(results_monitor.Alerts, "AlertsOut", page=(PageInfo, ...))
AlertStateOut = derive(results_monitor.AlertStateSet, "AlertStateOut")
CalendarOut = derive(results_monitor.Calendar, "CalendarOut")
FeedsOut = derive(results_monitor.Feeds, "FeedsOut")
FeedAddedOut = derive(results_monitor.FeedAdded, "FeedAddedOut")
SubscriptionsOut = derive(results_monitor.Subscriptions, "SubscriptionsOut")
SubAddedOut = derive(results_monitor.SubAdded, "SubAddedOut")
MonitorRunOut = derive(results_monitor.MonitorRun, "MonitorRunOut")
ScreenOut = derive(screening_results.ScreenEntity, "ScreenOut")
ScreenAllOut = derive(screening_results.ScreenAll, "ScreenAllOut", page=(PageInfo, ...))


class HealthOut(Out):
    schema_: str = Field(alias="schema", examples=["derisk.health/1"])
    status: str
    database: str | None = Field(description="Path of the database file (admins only).")
    schema_version: int
    writable: bool
    version: str


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:  # FastAPI's `responses=` type
    """OpenAPI ``responses`` entries for error statuses, each a problem+json body (the type
    FastAPI's ``responses=`` parameter declares: this goes to FastAPI, never to a service)."""
    return {
        s: {
            "description": "Problem details (RFC 9457)",
            "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
        }
        for s in statuses
    }
