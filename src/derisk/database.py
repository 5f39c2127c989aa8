"""The Python API: ``import derisk; db = derisk.open()`` for notebooks and scripts.

Every method calls the same service as the CLI command of the same name and returns a
:class:`Result` holding exactly what that command prints with ``--json`` (same keys, same
schema name), with ``to_frame()`` (pandas) and ``to_arrow()`` for its main table.

>>> import derisk
>>> with derisk.open(example_db) as db:          # doctest: +SKIP
...     db.exposure("antimony", stage="mining").to_frame()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, overload

from derisk.errors import BadInputError, ConflictError, DeriskError
from derisk.store import DuckStore, StoreError, default_db_path

if TYPE_CHECKING:  # pragma: no cover
    from derisk.services.results import (
        Exposure,
        Holdings,
        Materials,
        Overview,
        Owners,
        SourceLookup,
        TradeOrigin,
    )
    from derisk.services.results.certify import Certificate, CertifyBatch, Products
    from derisk.services.results.facilities import Allied, FacilitiesList, FacilityShow
    from derisk.services.results.news import (
        NewsDecisionResult,
        NewsIngest,
        NewsProposalShow,
        NewsReview,
    )
    from derisk.services.results.resource import Reroute
    from derisk.services.results.screening import ScreenAll, ScreenEntity
    from derisk.services.results.shock import Scenarios, Shock
    from derisk.services.results.trace import Trace

__all__ = ["Database", "NewsQueue", "open"]

DateLike = dt.date | str | None


def _date(value: DateLike, name: str = "as_of") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def _codes(value: str | Sequence[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _years(value: str | Sequence[int] | None) -> tuple[int, ...]:
    from derisk.services.facilities import parse_years

    if value is None or isinstance(value, str):
        return parse_years(value)
    return tuple(sorted({int(y) for y in value}))


def _list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [v.strip() for v in items if v.strip()]


class NewsQueue:
    """The news reader and its review queue: ``db.news.ingest(…)``, ``db.news.accept(…)``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def ingest(
        self,
        paths: Path | str | Sequence[Path | str],
        *,
        auto_accept: float | None = None,
        published: DateLike = None,
    ) -> NewsIngest:
        """Read articles (HTML, text, JSON Lines, folders) into the review queue
        (``derisk news ingest``)."""
        from derisk.services import news

        items = [paths] if isinstance(paths, (str, Path)) else list(paths)
        store = self._db._writable("news.ingest")
        return news.ingest(
            store,
            [Path(p) for p in items],
            auto_accept=auto_accept,
            published=_date(published, "published"),
        )

    def proposals(self, status: str = "pending", event_type: str | None = None) -> NewsReview:
        """Proposals in the queue (``derisk review list``)."""
        from derisk.services import news

        with self._db.store.view() as view:
            return news.list_proposals(view, status, event_type)

    def show(self, ident: str) -> NewsProposalShow:
        """One proposal with its sentence and article (``derisk review show``)."""
        from derisk.services import news

        with self._db.store.view() as view:
            return news.show(view, ident)

    def accept(self, ident: str, overrides: Mapping[str, str] | None = None) -> NewsDecisionResult:
        """Accept a proposal: its facts are written with the article as source."""
        from derisk.services import news

        store = self._db._writable("news.accept")
        return news.accept(store, ident, dict(overrides or {}))

    def reject(self, ident: str, reason: str | None = None) -> NewsDecisionResult:
        """Reject a proposal (kept, with the reason, so re-ingesting does not propose it)."""
        from derisk.services import news

        store = self._db._writable("news.reject")
        return news.reject(store, ident, reason)


class Database:
    """An open derisk database. Methods mirror the CLI commands and return :class:`Result`."""

    def __init__(self, store: DuckStore, path: Path, *, read_only: bool) -> None:
        self.store = store
        self.path = path
        self.read_only = read_only
        self.news = NewsQueue(self)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database file."""
        self.store.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<derisk.Database {self.path} ({mode})>"

    def _writable(self, what: str) -> DuckStore:
        if self.read_only:
            raise ConflictError(
                f"{what} writes: open the database with derisk.open(path, read_only=False)"
            )
        return self.store

    # -- exposure ----------------------------------------------------------------------------

    def materials(self) -> Materials:
        """Materials, their stages, HS codes and years with data (``derisk materials``)."""
        from derisk.services import exposure

        with self.store.view() as view:
            return exposure.materials(view)

    def overview(
        self,
        *,
        countries: str | Sequence[str] | None = None,
        group: str | None = None,
        as_of: DateLike = None,
    ) -> Overview:
        """Every material × stage: the selected share (default China) with bounds."""
        from derisk.services import exposure

        with self.store.view(as_of=_date(as_of)) as view:
            sel, grp = exposure.selection(view, _codes(countries), group)
            return exposure.overview(view, sel, grp)

    def exposure(
        self,
        material: str,
        *,
        stage: str | None = None,
        year: int | None = None,
        countries: str | Sequence[str] | None = None,
        group: str | None = None,
        importer: str | None = None,
        source: str | None = None,
        as_of: DateLike = None,
        engine: str | None = None,
    ) -> Exposure:
        """Concentration and the selected countries' share at one stage (``derisk exposure``)."""
        from derisk.engines import using
        from derisk.services import exposure

        with using(engine), self.store.view(as_of=_date(as_of)) as view:
            sel, grp = exposure.selection(view, _codes(countries), group)
            return exposure.exposure(view, material, stage, year, sel, grp, importer, source)

    def sources(self, ident: str) -> SourceLookup:
        """A source, or the source of a fact id (``derisk sources``)."""
        from derisk.services import exposure

        with self.store.view() as view:
            return exposure.source_lookup(view, ident)

    def facilities(
        self,
        *,
        material: str | None = None,
        stage: str | None = None,
        country: str | None = None,
        status: str | None = None,
        screen: bool = False,
        years: str | Sequence[int] | None = None,
        pipeline: str = "committed",
        as_of: DateLike = None,
    ) -> FacilitiesList:
        """Plants with capacity by year, totals and sources (``derisk facilities list``);
        ``years`` as ``"2025-2030"`` or a list of years."""
        from derisk.services import facilities as fs

        query = fs.FacilityQuery(
            material=material,
            stage=stage,
            country=country,
            status=status,
            screen=screen,
            years=_years(years),
            pipeline=pipeline,
        )
        with self.store.view(as_of=_date(as_of)) as view:
            return fs.facility_list(view, query)

    def facility(
        self, facility: str, *, years: str | Sequence[int] | None = None, as_of: DateLike = None
    ) -> FacilityShow:
        """One plant: capacity by year under each pipeline, owners, screening
        (``derisk facilities show``)."""
        from derisk.services import facilities as fs

        with self.store.view(as_of=_date(as_of)) as view:
            return fs.show_facility(view, facility, years=_years(years))

    def allied(
        self,
        material: str,
        stage: str,
        club: str | Sequence[str],
        *,
        demand: Mapping[str, float] | None = None,
        years: str | Sequence[int] | None = None,
        rule: str = "pro-rata",
        pipeline: str = "committed",
        exclude_countries: str | Sequence[str] | None = None,
        exclude_groups: str | Sequence[str] | None = None,
        exclude_entities: str | Sequence[str] | None = None,
        exclude_pfe: bool = False,
        world_demand: float | None = None,
        demand_growth: float = 0.0,
        as_of: DateLike = None,
    ) -> Allied:
        """China-free supply of a stage that a buyer or club secures each year, plant by plant
        (``derisk reroute MATERIAL --stage S --club …``)."""
        from derisk.services import facilities as fs

        query = fs.AlliedQuery(
            demand=dict(demand or {}),
            years=_years(years),
            rule=rule,
            pipeline=pipeline,
            exclude_countries=_list(exclude_countries),
            exclude_groups=_list(exclude_groups),
            exclude_entities=_list(exclude_entities),
            exclude_pfe=exclude_pfe,
            world_demand=world_demand,
            demand_growth=demand_growth,
        )
        with self.store.view(as_of=_date(as_of)) as view:
            return fs.allied(view, material, stage, _list(club), query)

    def trade_origin(
        self,
        material: str,
        importer: str,
        *,
        stage: str | None = None,
        year: int | None = None,
        countries: str | Sequence[str] | None = None,
        group: str | None = None,
        mirror: str = "importer",
        as_of: DateLike = None,
    ) -> TradeOrigin:
        """Origin of an importer's imports, directly and through third countries."""
        from derisk.data.concordance import load_concordance
        from derisk.services import exposure, trade

        with self.store.view(as_of=_date(as_of)) as view:
            sel, grp = exposure.selection(view, _codes(countries), group)
            return trade.trade_origin(
                view,
                material,
                importer,
                stage,
                year,
                sel,
                grp,
                mirror=mirror,
                concordance=load_concordance(None),
            )

    # -- ownership ---------------------------------------------------------------------------

    def owners(
        self,
        entity: str,
        *,
        as_of: DateLike = None,
        interest: str = "equity",
        min_share: float = 0.0,
        paths: int = 3,
        engine: str | None = None,
    ) -> Owners:
        """Look-through owners of an entity with their chains (``derisk owners``)."""
        from derisk.engines import using
        from derisk.services import ownership

        with using(engine), self.store.view(as_of=_date(as_of)) as view:
            res = ownership.owners(
                view,
                entity,
                interest=interest,
                min_share=min_share,
                paths=paths,
            )
        return res

    def holdings(
        self,
        owner: str,
        *,
        as_of: DateLike = None,
        interest: str = "equity",
        min_share: float = 0.0,
        paths: int = 1,
        engine: str | None = None,
    ) -> Holdings:
        """Everything an owner holds, directly and through chains (``derisk holdings``)."""
        from derisk.engines import using
        from derisk.services import ownership

        with using(engine), self.store.view(as_of=_date(as_of)) as view:
            res = ownership.holdings(
                view,
                owner,
                interest=interest,
                min_share=min_share,
                paths=paths,
            )
        return res

    def screen(
        self,
        entity: str | None = None,
        *,
        rule: str = "pfe",
        as_of: DateLike = None,
        all_entities: bool = False,
        engine: str | None = None,
    ) -> ScreenEntity | ScreenAll:
        """FEOC / SFE / FIE / PFE verdicts (``derisk screen``); ``all_entities=True`` for all
        (a :class:`ScreenAll`, one row per entity), else one entity's explained verdict."""
        from derisk.engines import using
        from derisk.services import screening

        with using(engine), self.store.view(as_of=_date(as_of)) as view:
            return screening.screen(view, entity, rule=rule, all_entities=all_entities)

    # -- products ----------------------------------------------------------------------------

    def products(self, *, as_of: DateLike = None) -> Products:
        """Products in the database (``derisk products``)."""
        from derisk.services import certify

        with self.store.view(as_of=_date(as_of)) as view:
            return certify.list_products(view)

    def trace(self, product: str, *, as_of: DateLike = None) -> Trace:
        """A product's materials traced back to the mines (``derisk trace``)."""
        from derisk.services import trace

        with self.store.view(as_of=_date(as_of)) as view:
            return trace.trace(view, product)

    @overload
    def certify(
        self,
        product: str,
        rule: str,
        *,
        as_of: DateLike = None,
        year: int | None = None,
        rules_files: Sequence[Path | str] = (),
    ) -> Certificate: ...

    @overload
    def certify(
        self,
        product: None,
        rule: str,
        *,
        as_of: DateLike = None,
        year: int | None = None,
        rules_files: Sequence[Path | str] = (),
    ) -> CertifyBatch: ...

    def certify(
        self,
        product: str | None,
        rule: str,
        *,
        as_of: DateLike = None,
        year: int | None = None,
        rules_files: Sequence[Path | str] = (),
    ) -> Certificate | CertifyBatch:
        """Verdict of a product under a rule, with evidence (``derisk certify``).

        ``product=None`` certifies every product (``derisk certify --all``)."""
        from derisk.services import certify

        files = [Path(f) for f in rules_files]
        with self.store.view(as_of=_date(as_of)) as view:
            if product is None:
                return certify.certify_many(view, rule, rules_files=files, year=year)
            return certify.certify(view, product, rule, files, year)

    # -- re-sourcing and shocks -------------------------------------------------------------

    def reroute(
        self,
        material: str,
        to: str,
        demand: float,
        *,
        stage: str | None = None,
        exclude_countries: str | Sequence[str] | None = None,
        exclude_groups: str | Sequence[str] | None = None,
        exclude_entities: str | Sequence[str] | None = None,
        exclude_pfe: bool = False,
        spare_only: bool = False,
        max_country_share: float | None = None,
        costs: Path | str | None = None,
        year: int | None = None,
        as_of: DateLike = None,
    ) -> Reroute:
        """How much can reach ``to`` without the excluded countries or entities, and the
        cheapest plan (``derisk reroute``); China is excluded when nothing else is."""
        from derisk.services.resource import RerouteOptions, reroute

        options = RerouteOptions(
            material=material,
            destination=to,
            demand=demand,
            stage=stage,
            exclude_countries=tuple(_list(exclude_countries)),
            exclude_groups=tuple(_list(exclude_groups)),
            exclude_entities=tuple(_list(exclude_entities)),
            exclude_pfe=exclude_pfe,
            spare_only=spare_only,
            max_country_share=max_country_share,
            costs_path=Path(costs) if costs is not None else None,
            year=year,
        )
        with self.store.view(as_of=_date(as_of)) as view:
            return reroute(view, options)

    def shock(self, scenario: str | Path, *, as_of: DateLike = None) -> Shock:
        """Month-by-month export-restriction scenario (``derisk shock``)."""
        from derisk.services.shock import run_scenario

        with self.store.view(as_of=_date(as_of)) as view:
            return run_scenario(view, str(scenario))

    def scenarios(self) -> Scenarios:
        """The bundled scenarios (``derisk scenarios``)."""
        from derisk.services.shock import list_scenarios

        with self.store.view() as view:
            return list_scenarios(view)


def open(path: str | Path | None = None, *, read_only: bool = True) -> Database:
    """Open a derisk database: ``path``, else ``$DERISK_DB``, else the user data directory.

    Read-only by default (other processes may read at the same time); pass
    ``read_only=False`` to ingest news or decide proposals. Build a database first with
    ``derisk db init`` (or :func:`derisk.data.loader.build_database`).
    """
    where = Path(path) if path is not None else default_db_path()
    try:
        # Never create: a mistyped path opened for writing would otherwise become an empty
        # database that answers "no data" to every question.
        store = DuckStore(where, read_only=read_only, create=False)
    except DeriskError:
        raise
    except Exception as exc:  # duckdb raises its own IOException for locked or corrupt files
        raise StoreError(f"cannot open database {where}: {exc}") from exc
    return Database(store, where, read_only=read_only)
