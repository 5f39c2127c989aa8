"""Typed, dated reads of the store: what services read, with the SQL kept here.

``store.view(as_of=..., principal=...)`` returns a :class:`View`: every read method answers
with typed rows (the schema's frozen dataclasses from :mod:`derisk.model`, or named tuples
from :mod:`derisk.model.reads` where a read joins or aggregates), never positional tuples.

Two filters are written once, here:

* **As of** (:func:`valid_at`): a fact answers on date ``d`` when its validity interval holds
  ``d``. Three readings of the interval exist and each is named:

  - ``"in-force"`` -- ``valid_from <= d`` and (``valid_to`` open or ``valid_to >= d``): stakes,
    group memberships, entity lists, restrictions (the end date is the last day in force);
  - ``"in-force-exclusive"`` -- as above with ``valid_to > d`` (the end date is the first day
    no longer in force: facility statuses);
  - ``"started"`` -- ``valid_from <= d`` only: a figure *about a year* (production, shares,
    import sources, trade) stays a fact about that year after a later figure supersedes it.

  A ``NULL`` ``valid_from`` means "valid since always".
* **Dataset visibility**: the view reads through the store's connection, which
  :func:`derisk.store.guard.apply_scope` limits to the datasets the acting principal may see.
  A view for another ``principal`` reads through a cursor scoped to that principal (a limited
  store cannot widen its own scope).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from derisk.model.facilities import Facility, ImporterDemand
from derisk.model.monitor import WatchAnswer, WatchItem
from derisk.model.news import NewsDecision, NewsProposal
from derisk.model.ownership import ControlRight, DeclaredInterest, EntityTag, ListEntry
from derisk.model.products import BomLine, Product, SupplyLink
from derisk.model.reads import CapacityCap, NamedArrays, RankedFigure, StakeColumns, TradeFlow
from derisk.model.record import JSONObject
from derisk.model.rows import (
    ArticleHead,
    AuditChange,
    BomUse,
    ChainNode,
    EntityCited,
    FacilityFigure,
    LinkGraph,
    LinkTriple,
    ProductDep,
    ProductListing,
    RestrictionCited,
    SeenItems,
    Stored,
)
from derisk.model.schema import (
    CountryGroup,
    Entity,
    ExportRestriction,
    GroupMember,
    ImportReliance,
    ImportSource,
    Production,
    Share,
    Source,
    Trade,
    columns,
)
from derisk.model.stage_gaps import StageGap

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from derisk.model.trust import Principal
    from derisk.store.base import Store

T = TypeVar("T")

Validity = Literal["in-force", "in-force-exclusive", "started"]


def _q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def valid_at(alias: str = "", how: Validity = "in-force") -> str:
    """The as-of filter on the validity interval of ``alias``'s rows; binds the date once
    (``"started"``) or twice (the others), in that order. The one place it is written.

    >>> valid_at("p", "started")
    '(p.valid_from IS NULL OR p.valid_from <= ?)'
    >>> valid_at()
    '(valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?)'
    """
    a = f"{alias}." if alias else ""
    start = f"({a}valid_from IS NULL OR {a}valid_from <= ?)"
    if how == "started":
        return start
    op = ">=" if how == "in-force" else ">"
    return f"{start} AND ({a}valid_to IS NULL OR {a}valid_to {op} ?)"


def valid_params(when: dt.date, how: Validity = "in-force") -> list[dt.date]:
    """The parameters :func:`valid_at` binds."""
    return [when] if how == "started" else [when, when]


def select_list(row_type: type[Any], alias: str = "") -> str:
    """Every schema column of ``row_type``, in field order (to build ``row_type(*row)``)."""
    a = f"{alias}." if alias else ""
    return ", ".join(a + _q(c.name) for c in columns(row_type))


class View:
    """Typed reads as of one date, for one principal. Open with :meth:`Store.view`; close
    (or use as a context manager) to give back a scoped cursor."""

    def __init__(
        self,
        store: Store,
        as_of: dt.date | None = None,
        principal: Principal | None = None,
    ) -> None:
        self.store = store
        self.as_of = as_of or dt.date.today()
        self.principal = principal
        self._scoped = store.scoped(principal) if principal is not None else None
        self._owns = True  # this view opened ``_scoped`` and closes it

    def at(self, as_of: dt.date) -> View:
        """The same reads (same principal, same cursor) as of another date. The returned view
        borrows this one's cursor: closing it closes nothing, closing this one ends both."""
        if as_of == self.as_of:
            return self
        other = View(self.store, as_of)
        other.principal = self.principal
        other._scoped = self._scoped
        other._owns = False
        return other

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def _target(self) -> Store:
        return self._scoped if self._scoped is not None else self.store

    def _sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._target.sql(query, params)

    def _typed(
        self,
        row_type: type[T],
        where: str = "",
        params: Sequence[Any] = (),
        order_by: str = "",
        *,
        alias: str = "t",
        join: str = "",
        limit: int | None = None,
    ) -> list[T]:
        table = row_type.Meta.table  # type: ignore[attr-defined]
        query = f"SELECT {select_list(row_type, alias)} FROM {table} {alias} {join}"
        if where:
            query += f" WHERE {where}"
        if order_by:
            query += f" ORDER BY {order_by}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [row_type(*r) for r in self._sql(query, params)]

    def valid(self, alias: str = "", how: Validity = "in-force") -> tuple[str, list[dt.date]]:
        """The as-of filter for this view's date and its parameters."""
        return valid_at(alias, how), valid_params(self.as_of, how)

    def close(self) -> None:
        if self._scoped is not None and self._owns:  # a borrowed cursor stays with its owner
            self._scoped.close()
            self._scoped = None

    def __enter__(self) -> View:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows of one table ----------------------------------------------------------------------
    def rows(self, row_type: type[T], where: Mapping[str, object] | None = None) -> list[T]:
        """Every visible row of ``row_type``'s table whose columns equal ``where`` (any date:
        the caller reads the validity interval)."""
        return self._target.rows(row_type, where)

    # -- sources and countries --------------------------------------------------------------
    def sources(self) -> list[Source]:
        """Every visible source."""
        return self._typed(Source)

    def groups(self) -> list[CountryGroup]:
        """Every country group, by id."""
        return self._typed(CountryGroup, order_by="t.group_id")

    def group_members(self, group: str) -> list[GroupMember]:
        """Members of ``group`` in force on the view's date, by ISO3 code."""
        cond, params = self.valid("t")
        return self._typed(GroupMember, f"t.group_id = ? AND {cond}", [group, *params], "t.iso3")

    # -- figures ------------------------------------------------------------------------------
    def _published(self, alias: str, material: str | None) -> tuple[str, list[Any]]:
        """Started by the date, from a source published by then, of ``material`` if given."""
        cond, dates = self.valid(alias, "started")
        cond += " AND (s.published IS NULL OR s.published <= ?)"
        params: list[Any] = [*dates, self.as_of]
        if material is not None:
            cond += f" AND {alias}.material_id = ?"
            params.append(material)
        return cond, params

    def production(self, material: str | None = None) -> list[Production]:
        """Production figures (measure ``production``) known on the view's date: started by
        then and from a source published by then."""
        cond, params = self._published("t", material)
        return self._typed(
            Production,
            f"t.measure = 'production' AND {cond}",
            params,
            join="JOIN source s USING (source_id)",
        )

    def capacity_caps(self, material: str | None = None) -> list[CapacityCap]:
        """The least stated capacity or upper bound of each (material, stage, year, country)
        known on the view's date: a withheld output cannot exceed it."""
        cond, params = self._published("p", material)
        rows = self._sql(
            "SELECT p.material_id, p.stage_id, p.year, p.country, min(p.quantity) "
            "FROM production p JOIN source s USING (source_id) "
            "WHERE p.measure IN ('capacity', 'upper-bound') AND p.quantity IS NOT NULL "
            f"AND {cond} GROUP BY ALL",
            params,
        )
        return [CapacityCap(r[0], r[1], int(r[2]), r[3], float(r[4])) for r in rows]

    def shares(self, material: str | None = None) -> list[Share]:
        """Share figures known on the view's date (as :meth:`production`)."""
        cond, params = self._published("t", material)
        return self._typed(Share, cond, params, join="JOIN source s USING (source_id)")

    def stage_gaps(self) -> list[StageGap]:
        """Stages searched without a public country-level figure."""
        return self._typed(StageGap, order_by="t.material_id, t.stage_id, t.source_id")

    def import_sources(self, importer: str, material: str) -> list[ImportSource]:
        """``importer``'s import sources of ``material`` started by the view's date, by
        source, category, latest period first, largest share first."""
        cond, params = self.valid("t", "started")
        return self._typed(
            ImportSource,
            f"t.importer = ? AND t.material_id = ? AND {cond}",
            [importer, material, *params],
            "t.source_id, t.category, t.period DESC, t.share DESC, t.country",
        )

    def import_reliance(self, importer: str, material: str) -> list[ImportReliance]:
        """``importer``'s net import reliance on ``material``, every year (latest first)."""
        return self._typed(
            ImportReliance,
            "t.importer = ? AND t.material_id = ?",
            [importer, material],
            "t.year DESC, t.source_id",
        )

    # -- facts by id --------------------------------------------------------------------------
    def count_citing(self, table: str, source_id: str) -> int:
        """How many rows of ``table`` (a schema table name) cite ``source_id``."""
        rows = self._sql(f"SELECT count(*) FROM {_q(table)} WHERE source_id = ?", [source_id])
        return int(rows[0][0])

    def fact(self, table: str, key: str, ident: str) -> JSONObject | None:
        """The first row of ``table`` whose ``key`` column is ``ident``, every stored column
        (``dataset`` included) by name, read-only; ``None`` when there is none."""
        names = [str(r[0]) for r in self._sql(f"DESCRIBE {_q(table)}")]
        rows = self._sql(f"SELECT * FROM {_q(table)} WHERE {_q(key)} = ? LIMIT 1", [ident])
        if not rows:
            return None
        return MappingProxyType(dict(zip(names, rows[0], strict=True)))

    # -- entities, products and supply links --------------------------------------------------
    def entity(self, entity_id: str) -> Entity | None:
        """The entity ``entity_id`` whatever its validity (``None`` when there is none)."""
        rows = self._typed(Entity, "t.entity_id = ?", [entity_id], limit=1)
        return rows[0] if rows else None

    def entities(self, ids: Sequence[str]) -> list[Entity]:
        """The entities among ``ids`` in force on the view's date."""
        cond, params = self.valid("t")
        return self._typed(Entity, f"t.entity_id = ANY(?) AND {cond}", [list(ids), *params])

    def product_ids(self, limit: int) -> list[str]:
        """The first ``limit`` product ids, sorted."""
        rows = self._sql("SELECT product_id FROM product ORDER BY 1 LIMIT ?", [limit])
        return [str(r[0]) for r in rows]

    def supply_links(
        self,
        material: str,
        *,
        customers: Sequence[str] | None = None,
        suppliers: Sequence[str] | None = None,
    ) -> list[SupplyLink]:
        """Supply links of ``material`` in force on the view's date, into ``customers`` and/or
        out of ``suppliers``; by customer, largest share first, then link id."""
        cond, dates = self.valid("t")
        where = ["t.material_id = ?"]
        params: list[Any] = [material]
        if customers is not None:
            where.append("t.customer_id = ANY(?)")
            params.append(list(customers))
        if suppliers is not None:
            where.append("t.supplier_id = ANY(?)")
            params.append(list(suppliers))
        return self._typed(
            SupplyLink,
            " AND ".join([*where, cond]),
            [*params, *dates],
            "t.customer_id, t.share DESC, t.link_id",
        )

    # -- trade --------------------------------------------------------------------------------
    def trade_flows(self, hs_prefixes: Sequence[str], material: str, stage: str) -> list[TradeFlow]:
        """Imports and exports started by the view's date whose HS code starts with one of
        ``hs_prefixes`` or that are tagged ``material``/``stage``, with source precedence."""
        cond, dates = self.valid("t", "started")
        match = ["t.hs_code LIKE ?" for _ in hs_prefixes] + [
            "(t.material_id = ? AND t.stage_id = ?)"
        ]
        rows = self._sql(
            "SELECT t.reporter, t.partner, t.flow, t.hs_code, t.year, t.month, t.quantity_kg, "
            "t.value_usd, t.source_id, coalesce(s.precedence, 50), t.material_id, t.stage_id "
            "FROM trade t LEFT JOIN source s USING (source_id) WHERE (" + " OR ".join(match) + ") "
            f"AND t.flow IN ('import', 'export') AND {cond}",
            [*(c + "%" for c in hs_prefixes), material, stage, *dates],
        )
        return [TradeFlow(*r) for r in rows]

    def monthly_exports(self, reporter: str) -> list[Trade]:
        """``reporter``'s monthly export rows (any date), by HS code, year and month."""
        return self._typed(
            Trade,
            "t.reporter = ? AND t.flow = 'export' AND t.month IS NOT NULL",
            [reporter],
            "t.hs_code, t.year, t.month",
        )

    def ranked_production(self, material: str, stage: str) -> list[RankedFigure]:
        """Production figures of a material stage started by the view's date, every year and
        source, with source precedence."""
        cond, dates = self.valid("p", "started")
        rows = self._sql(
            "SELECT p.year, p.source_id, p.country, p.quantity, p.status, p.unit, "
            "coalesce(s.precedence, 50) FROM production p LEFT JOIN source s USING (source_id) "
            f"WHERE p.material_id = ? AND p.stage_id = ? AND p.measure = 'production' AND {cond}",
            [material, stage, *dates],
        )
        return [RankedFigure(*r) for r in rows]

    # -- ownership and screening ----------------------------------------------------------------
    def all_entities(self) -> list[Entity]:
        """Every entity, whatever its validity, in stored order."""
        return self._typed(Entity)

    def sources_by_id(self, ids: Sequence[str]) -> list[Source]:
        """The sources among ``ids``."""
        return self._typed(Source, "t.source_id = ANY(?)", [list(ids)])

    def _columns(self, query: str, params: Sequence[Any], names: Sequence[str]) -> NamedArrays:
        """A query's result as numpy columns (DuckDB's fast path when the store has one)."""
        import numpy as np  # loaded on use: commands that read no columns start quicker

        target = self._scoped if self._scoped is not None else self.store
        con = getattr(target, "con", None)
        if con is not None:
            out = con.execute(query, list(params)).fetchnumpy()
            return {k: np.asarray(out[k]) for k in names}
        rows = target.sql(query, params)
        return {k: np.asarray([r[i] for r in rows]) for i, k in enumerate(names)}

    def ownership_nodes(self) -> npt.NDArray[np.str_]:
        """Every entity id and every stake end (exact or ranged), sorted, as a numpy array."""
        cols = self._columns(
            "SELECT id AS id FROM (SELECT entity_id AS id FROM entity UNION "
            "SELECT owner_id FROM stake UNION SELECT owned_id FROM stake UNION "
            "SELECT owner_id FROM stake_range UNION SELECT owned_id FROM stake_range) "
            "WHERE id IS NOT NULL ORDER BY id",
            [],
            ["id"],
        )
        return cols["id"].astype(str)

    def stake_columns(self, interest: str) -> StakeColumns:
        """Stakes and stake ranges of ``interest`` in force on the view's date, one per owner
        and owned pair (see :class:`derisk.model.reads.StakeColumns`), by owned then owner."""
        cond, dates = self.valid()
        q = (
            "SELECT fact_id AS fact_id, owner_id AS owner_id, owned_id AS owned_id, lo AS lo, "
            "hi AS hi, source_id AS source_id, ranged AS ranged FROM ("
            " SELECT f.*, row_number() OVER (PARTITION BY f.owner_id, f.owned_id ORDER BY "
            "  f.valid_from DESC NULLS LAST, coalesce(s.precedence, 50), f.fact_id) AS rk"
            " FROM ("
            "  SELECT fact_id, owner_id, owned_id, percent AS lo, percent AS hi, source_id, "
            f"   valid_from, false AS ranged FROM stake WHERE interest = ? AND {cond}"
            "  UNION ALL SELECT fact_id, owner_id, owned_id, percent_min, percent_max, source_id, "
            f"   valid_from, true FROM stake_range WHERE interest = ? AND {cond}"
            " ) f LEFT JOIN (SELECT source_id, min(precedence) AS precedence FROM source "
            "  GROUP BY source_id) s USING (source_id)"
            ") WHERE rk = 1 ORDER BY owned_id, owner_id"
        )
        cols = self._columns(q, [interest, *dates, interest, *dates], StakeColumns._fields)
        return StakeColumns(**cols)

    def declared_interests(self, owned_id: str) -> list[DeclaredInterest]:
        """Declared interests in ``owned_id`` in force on the view's date, by owner, fact."""
        cond, dates = self.valid("t")
        return self._typed(
            DeclaredInterest,
            f"t.owned_id = ? AND {cond}",
            [owned_id, *dates],
            "t.owner_id, t.fact_id",
        )

    def control_rights(self, subject_id: str | None = None) -> list[ControlRight]:
        """Control rights in force on the view's date: over ``subject_id`` (by right, holder,
        fact), or every one (in stored order)."""
        cond, dates = self.valid("t")
        if subject_id is None:
            return self._typed(ControlRight, cond, dates)
        return self._typed(
            ControlRight,
            f"t.subject_id = ? AND {cond}",
            [subject_id, *dates],
            "t.right_type, t.holder_id, t.fact_id",
        )

    def entity_tags(self) -> list[EntityTag]:
        """Entity tags in force on the view's date."""
        cond, dates = self.valid("t")
        return self._typed(EntityTag, cond, dates)

    def list_editions(self) -> list[tuple[str, dt.date]]:
        """Every (list, edition) with entries, sorted."""
        rows = self._sql("SELECT DISTINCT list_id, edition FROM list_entry ORDER BY 1, 2")
        return [(str(r[0]), r[1]) for r in rows]

    def list_entries(self, list_id: str, edition: dt.date) -> list[ListEntry]:
        """Entries of one list edition in force on the view's date."""
        cond, dates = self.valid("t")
        return self._typed(
            ListEntry, f"t.list_id = ? AND t.edition = ? AND {cond}", [list_id, edition, *dates]
        )

    # -- facts citing a source ----------------------------------------------------------------
    def source(self, source_id: str) -> Source | None:
        """The source ``source_id`` (``None`` when there is none)."""
        rows = self._typed(Source, "t.source_id = ?", [source_id], limit=1)
        return rows[0] if rows else None

    def citation_counts(self, row_type: type[Any]) -> dict[str, int]:
        """source id -> how many rows of ``row_type``'s table cite it."""
        table = row_type.Meta.table
        rows = self._sql(f"SELECT source_id, count(*) FROM {_q(table)} GROUP BY 1")
        return {str(r[0]): int(r[1]) for r in rows}

    def citing(self, row_type: type[T], source_id: str) -> list[T]:
        """Rows of ``row_type``'s table that cite ``source_id``, by the table's key."""
        key = row_type.Meta.key  # type: ignore[attr-defined]
        return self._typed(
            row_type, "t.source_id = ?", [source_id], ", ".join(f"t.{_q(k)}" for k in key)
        )

    def priced_trade(self, material: str, stage: str, hs_prefixes: Sequence[str]) -> list[Trade]:
        """Imports and exports (any date) with both a value and a weight, tagged
        ``material``/``stage`` or untagged with an HS code starting with one of
        ``hs_prefixes``."""
        like = " OR ".join(["t.hs_code LIKE ?"] * len(hs_prefixes)) or "FALSE"
        return self._typed(
            Trade,
            "t.value_usd > 0 AND t.quantity_kg > 0 AND t.flow IN ('export', 'import') AND "
            f"((t.material_id = ? AND t.stage_id = ?) OR (t.material_id IS NULL AND ({like})))",
            [material, stage, *[h + "%" for h in hs_prefixes]],
        )

    # -- look-up lists ------------------------------------------------------------------------
    def group_membership(self) -> list[tuple[str, str]]:
        """Every (group, ISO3) ever recorded, whatever the dates, sorted."""
        rows = self._sql("SELECT DISTINCT group_id, iso3 FROM group_member ORDER BY 1, 2")
        return [(str(r[0]), str(r[1])) for r in rows]

    def importer_materials(self, material: str | None = None) -> list[tuple[str, list[str]]]:
        """Importers with import-source or import-reliance facts (of ``material`` if given),
        each with its materials, sorted."""
        filt = "" if material is None else " WHERE material_id = ?"
        params = [] if material is None else [material]
        rows = self._sql(
            "SELECT importer, list(DISTINCT material_id ORDER BY material_id) FROM ("
            f"SELECT importer, material_id FROM import_source{filt} UNION ALL "
            f"SELECT importer, material_id FROM import_reliance{filt}) GROUP BY 1 ORDER BY 1",
            params + params,
        )
        return [(str(r[0]), [str(m) for m in r[1]]) for r in rows]

    def entities_by_name(self) -> list[Entity]:
        """Every entity, whatever its validity, by name (case-folded) then id."""
        return self._typed(Entity, order_by="lower(t.name), t.entity_id")

    def stake_counts(self) -> dict[str, int]:
        """entity id -> how many exact stakes it holds or is held by."""
        rows = self._sql(
            "SELECT e, count(*) FROM (SELECT owner_id AS e FROM stake UNION ALL "
            "SELECT owned_id FROM stake) GROUP BY 1"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    # -- certification, facilities, resource, shock and network reads ------------------------
    def group_exists(self, group: str) -> bool:
        """Whether the country group ``group`` is stored."""
        return bool(self._sql("SELECT 1 FROM country_group WHERE group_id = ?", [group]))

    def group_ids(self) -> list[str]:
        """Every country group id, sorted."""
        return [str(r[0]) for r in self._sql("SELECT group_id FROM country_group ORDER BY 1")]

    def product_listing(self) -> list[ProductListing]:
        """Products in force on the view's date, by id, with their facility's country and the
        materials of their bill of materials (sorted)."""
        cond, dates = self.valid("p")
        rows = self._sql(
            "SELECT p.product_id, p.name, p.item_class, p.facility_id, e.country, p.owner_id, "
            "p.source_id, (SELECT list(DISTINCT b.material_id ORDER BY b.material_id) "
            "FROM bom_line b WHERE b.product_id = p.product_id AND b.material_id IS NOT NULL) "
            "FROM product p LEFT JOIN entity e ON e.entity_id = p.facility_id "
            f"WHERE {cond} ORDER BY p.product_id",
            dates,
        )
        return [
            ProductListing(r[0], r[1], r[2], r[3], r[4], r[5], r[6], list(r[7] or [])) for r in rows
        ]

    def products(self, ids: Sequence[str] | None = None) -> list[Product]:
        """Products in force on the view's date (those among ``ids`` if given), by id."""
        cond, dates = self.valid("t")
        if ids is None:
            return self._typed(Product, cond, dates, "t.product_id")
        return self._typed(
            Product, f"{cond} AND t.product_id = ANY(?)", [*dates, list(ids)], "t.product_id"
        )

    def bom_lines(self) -> list[BomLine]:
        """Every bill-of-materials line in force on the view's date (stored order)."""
        cond, dates = self.valid("t")
        return self._typed(BomLine, cond, dates)

    def link_graph(self, material: str, facilities: Iterable[str]) -> LinkGraph:
        """``material``'s supply links in force on the view's date as index triples over the
        facilities they name and ``facilities`` (numbered in id order), each facility with its
        latest entity row in force."""
        cond, dates = self.valid()
        links_cte = (
            "l AS (SELECT supplier_id, customer_id, share, stage_id FROM supply_link "
            f"WHERE material_id = ? AND {cond}), "
            "ids AS (SELECT supplier_id AS id FROM l UNION SELECT customer_id FROM l "
            "UNION SELECT unnest(?::VARCHAR[])), "
            "f AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM ids)"
        )
        params: list[Any] = [material, *dates, sorted(set(facilities))]
        nodes = self._sql(
            f"WITH {links_cte}, e AS (SELECT entity_id, kind, country, material_id, stage_id, "
            "row_number() OVER (PARTITION BY entity_id ORDER BY valid_from DESC NULLS LAST) AS r "
            f"FROM entity WHERE {cond}) "
            "SELECT f.idx, f.id, e.kind, e.country, e.material_id, e.stage_id FROM f "
            "LEFT JOIN e ON e.entity_id = f.id AND e.r = 1 ORDER BY f.idx",
            [*params, *dates],
        )
        supplied = self._sql(
            f"WITH {links_cte} SELECT supplier_id, list(DISTINCT stage_id) FROM l GROUP BY 1",
            params,
        )
        trip = self._sql(
            f"WITH {links_cte} SELECT s.idx, c.idx, l.share FROM l "
            "JOIN f s ON s.id = l.supplier_id JOIN f c ON c.id = l.customer_id",
            params,
        )
        return LinkGraph(
            [ChainNode(*r) for r in nodes],
            {str(r[0]): set(r[1]) for r in supplied},
            [LinkTriple(*r) for r in trip],
        )

    def facilities(
        self, material: str | None = None, stage: str | None = None, *, dated: bool = True
    ) -> list[Facility]:
        """Facility rows of ``material``/``stage`` (each when given) in force on the view's date
        (the end date is the first day out of force), or whatever their dates when not
        ``dated``; by facility id."""
        where = ["1 = 1"]
        params: list[Any] = []
        if material is not None:
            where.append("t.material_id = ?")
            params.append(material)
        if stage is not None:
            where.append("t.stage_id = ?")
            params.append(stage)
        if dated:
            cond, dates = self.valid("t", "in-force-exclusive")
            where.append(cond)
            params.extend(dates)
        return self._typed(Facility, " AND ".join(where), params, "t.facility_id")

    def demand_figures(
        self, material: str, stage: str, buyer: str, year: int, bundled: str
    ) -> list[tuple[ImporterDemand, str]]:
        """Every stated demand figure of ``buyer`` for a material stage in ``year`` or before,
        known on the view's date, with the dataset it was imported into: the latest year first;
        within a year a figure a user imported (any dataset but ``bundled``) before a bundled one,
        then the source of lowest precedence."""
        cond, params = self._published("t", None)
        table = ImporterDemand.Meta.table
        query = (
            f"SELECT {select_list(ImporterDemand, 't')}, t.dataset FROM {table} t "
            "JOIN source s USING (source_id) WHERE t.buyer = ? AND t.material_id = ? "
            f"AND t.stage_id = ? AND t.quantity IS NOT NULL AND t.year <= ? AND {cond} "
            "ORDER BY t.year DESC, (t.dataset = ?), s.precedence, t.fact_id"
        )
        rows = self._sql(query, [buyer, material, stage, year, *params, bundled])
        return [(ImporterDemand(*r[:-1]), str(r[-1])) for r in rows]

    def export_restrictions(self) -> list[ExportRestriction]:
        """Every export restriction, whatever its dates (stored order)."""
        return self._typed(ExportRestriction)

    def export_restriction(self, fact_id: str) -> ExportRestriction | None:
        """The export restriction ``fact_id`` whatever its dates (``None`` when there is none)."""
        rows = self._typed(ExportRestriction, "t.fact_id = ?", [fact_id])
        return rows[0] if rows else None

    def import_source_rows(self, importer: str, material: str) -> list[ImportSource]:
        """Every import-source row of ``importer`` for ``material``, whatever its dates
        (stored order)."""
        return self._typed(
            ImportSource, "t.importer = ? AND t.material_id = ?", [importer, material]
        )

    def bom_uses(self, material: str) -> list[BomUse]:
        """Bill-of-materials lines of ``material`` with their product and its facility's
        country, whatever their dates (stored order)."""
        rows = self._sql(
            "SELECT p.product_id, p.name, b.stage_id, b.quantity, b.unit, e.country, b.source_id "
            "FROM bom_line b JOIN product p USING (product_id) "
            "LEFT JOIN entity e ON e.entity_id = p.facility_id WHERE b.material_id = ?",
            [material],
        )
        return [BomUse(*r) for r in rows]

    def precedences(self) -> dict[str, int]:
        """source id -> precedence (lower wins)."""
        return {s.source_id: int(s.precedence) for s in self._typed(Source)}

    def figures(self, material: str, measures: Sequence[str]) -> list[Production]:
        """Production-table figures of ``material`` with one of ``measures`` known on the
        view's date (as :meth:`production`), in stored order."""
        cond, params = self._published("t", material)
        return self._typed(
            Production,
            f"t.measure = ANY(?) AND {cond}",
            [list(measures), *params],
            join="JOIN source s USING (source_id)",
        )

    def facility_figures(self, material: str) -> list[FacilityFigure]:
        """Facility capacity and production figures of ``material`` known on the view's date
        (started, from a source published by then) with their entity, latest year first."""
        cond, dates = self.valid("f", "started")
        rows = self._sql(
            "SELECT f.entity_id, f.stage_id, f.measure, f.year, f.quantity, f.status, f.fact_id, "
            "f.source_id, e.name, e.country, e.operator_id FROM facility_capacity f "
            "LEFT JOIN entity e USING (entity_id) JOIN source s ON s.source_id = f.source_id "
            f"WHERE f.material_id = ? AND {cond} "
            "AND (s.published IS NULL OR s.published <= ?) ORDER BY f.year DESC",
            [material, *dates, self.as_of],
        )
        return [FacilityFigure(*r) for r in rows]

    # -- news review --------------------------------------------------------------------------
    def entities_by_id(self) -> list[Entity]:
        """Every entity, whatever its validity, by id."""
        return self._typed(Entity, order_by="t.entity_id")

    def article_heads(self) -> list[ArticleHead]:
        """Every stored news article without its text (stored order)."""
        rows = self._sql(
            "SELECT article_id, text_sha, title, url, published, site FROM news_article"
        )
        return [ArticleHead(*r) for r in rows]

    def news_decisions(self) -> list[NewsDecision]:
        """Every review decision, oldest first."""
        return self._typed(NewsDecision, order_by="t.decided_at")

    def proposal_ids(self, prefix: str) -> list[str]:
        """Ids of the proposals starting with ``prefix``, sorted."""
        rows = self._sql(
            "SELECT proposal_id FROM news_proposal WHERE proposal_id LIKE ? ORDER BY 1",
            [prefix + "%"],
        )
        return [str(r[0]) for r in rows]

    def proposals(self) -> list[NewsProposal]:
        """Every proposal, newest first (then by article and sequence)."""
        return self._typed(NewsProposal, order_by="t.created_at DESC, t.article_id, t.seq")

    def facility_ids(self) -> set[str]:
        """Every facility id of the facility layer, whatever its dates."""
        return {str(r[0]) for r in self._sql("SELECT facility_id FROM facility")}

    def seen_feed_items(self) -> SeenItems:
        """URLs and content hashes of every feed item polled, with the text hashes of every
        stored article."""
        urls = {str(r[0]) for r in self._sql("SELECT url FROM monitor_feed_item")}
        shas = {r[0] for r in self._sql("SELECT content_sha FROM monitor_feed_item")}
        shas |= {r[0] for r in self._sql("SELECT text_sha FROM news_article")}
        return SeenItems(urls, shas)

    # -- monitoring -----------------------------------------------------------------------------
    _LIVE = (
        "SELECT * FROM watch_item WHERE removed_at IS NULL AND watch_id NOT IN "
        "(SELECT watch_id FROM watch_item WHERE removed_at IS NOT NULL)"
    )

    def live_watch_items(self, ids: Sequence[str]) -> list[WatchItem]:
        """The live (never removed) watch items among ``ids``, by id."""
        rows = self._sql(
            f"SELECT {select_list(WatchItem)} FROM ({self._LIVE}) WHERE watch_id = ANY(?) "
            "ORDER BY watch_id",
            [list(ids)],
        )
        return [WatchItem(*r) for r in rows]

    def live_watch_ids(
        self, *, kinds: Sequence[str] | None = None, ids: Sequence[str] | None = None
    ) -> list[str]:
        """Ids of the live watch items (of ``kinds``, among ``ids``, when given)."""
        where: list[str] = []
        params: list[Any] = []
        if kinds is not None:
            where.append("kind = ANY(?)")
            params.append(list(kinds))
        if ids is not None:
            where.append("watch_id = ANY(?)")
            params.append(list(ids))
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        return [str(r[0]) for r in self._sql(f"SELECT watch_id FROM ({self._LIVE}){cond}", params)]

    def live_watch_count(self) -> int:
        """How many live watch items there are."""
        return int(self._sql(f"SELECT count(*) FROM ({self._LIVE})")[0][0])

    def unanswered_watch_ids(self) -> list[str]:
        """Ids of the live watch items never answered."""
        rows = self._sql(
            f"SELECT w.watch_id FROM ({self._LIVE}) w WHERE NOT EXISTS "
            "(SELECT 1 FROM watch_answer a WHERE a.watch_id = w.watch_id)"
        )
        return [str(r[0]) for r in rows]

    def watch_ids_depending_on(self, keys: Sequence[str]) -> list[str]:
        """Ids of the live watch items whose last answer used one of ``keys``."""
        rows = self._sql(
            f"SELECT DISTINCT d.watch_id FROM watch_dep d JOIN ({self._LIVE}) w "
            "ON w.watch_id = d.watch_id WHERE d.dep_key = ANY(?)",
            [list(keys)],
        )
        return [str(r[0]) for r in rows]

    def watch_ids_due(self, day: dt.date) -> list[str]:
        """Ids of watch items with an answer whose next change is on or before ``day``."""
        rows = self._sql("SELECT DISTINCT watch_id FROM watch_answer WHERE next_change <= ?", [day])
        return [str(r[0]) for r in rows]

    def latest_answers(self, ids: Sequence[str] | None = None) -> list[WatchAnswer]:
        """The latest answer of each watch item (among ``ids`` when given)."""
        where = "" if ids is None else "WHERE watch_id = ANY(?)"
        params: list[Any] = [] if ids is None else [list(ids)]
        rows = self._sql(
            f"SELECT {select_list(WatchAnswer)} FROM (SELECT *, row_number() OVER (PARTITION BY "
            f"watch_id ORDER BY computed_at DESC) AS rn FROM watch_answer {where}) WHERE rn = 1",
            params,
        )
        return [WatchAnswer(*r) for r in rows]

    def entity_names(self, ids: Sequence[str]) -> dict[str, str]:
        """entity id -> name, for the entities among ``ids``."""
        rows = self._sql("SELECT entity_id, name FROM entity WHERE entity_id = ANY(?)", [list(ids)])
        return {str(r[0]): str(r[1]) for r in rows}

    def upstream_owners(self, entity_id: str) -> set[str]:
        """``entity_id`` and every entity above it through stakes, stake ranges and control
        rights, whatever their dates."""
        rows = self._sql(
            "WITH RECURSIVE edges(owner_id, owned_id) AS (SELECT owner_id, owned_id FROM stake "
            "UNION ALL SELECT owner_id, owned_id FROM stake_range UNION ALL "
            "SELECT holder_id, subject_id FROM control_right WHERE holder_id IS NOT NULL), "
            "up(e) AS (SELECT ?::VARCHAR UNION "
            "SELECT s.owner_id FROM edges s JOIN up ON s.owned_id = up.e) SELECT e FROM up",
            [entity_id],
        )
        return {str(r[0]) for r in rows}

    def product_dependencies(self, product_ids: Sequence[str]) -> list[ProductDep]:
        """What the products' answers rest on: their facility, materials and components."""
        pids = list(product_ids)
        rows = self._sql(
            "SELECT product_id, 'facility:' || facility_id FROM product "
            "WHERE product_id = ANY(?) UNION ALL "
            "SELECT product_id, 'material:' || material_id FROM bom_line "
            "WHERE product_id = ANY(?) AND material_id IS NOT NULL UNION ALL "
            "SELECT product_id, 'product:' || component_id FROM bom_line "
            "WHERE product_id = ANY(?) AND component_id IS NOT NULL",
            [pids, pids, pids],
        )
        return [ProductDep(str(r[0]), str(r[1])) for r in rows]

    def active_restrictions(self, country: str) -> list[RestrictionCited]:
        """Export restrictions issued by or against ``country`` in force on the view's date,
        neither lifted nor suspended, with their sources, by fact id."""
        cond, dates = self.valid("r")
        rows = self._sql(
            "SELECT r.fact_id, r.issuer, r.target, r.items, r.scope, r.valid_from, r.valid_to, "
            "r.suspended_until, s.source_id, s.publisher, s.title, s.url, s.quote "
            "FROM export_restriction r LEFT JOIN source s ON s.source_id = r.source_id "
            "WHERE (r.issuer = ? OR r.target = ?) AND r.scope IS DISTINCT FROM 'lifted' "
            f"AND {cond} AND (r.suspended_until IS NULL OR r.suspended_until < ?) "
            "ORDER BY r.fact_id",
            [country, country, *dates, self.as_of],
        )
        return [RestrictionCited(*r) for r in rows]

    def restrictions_ending(self, start: dt.date, end: dt.date) -> list[ExportRestriction]:
        """Export restrictions whose window or suspension ends between ``start`` and ``end``,
        by fact id."""
        return self._typed(
            ExportRestriction,
            "(t.valid_to BETWEEN ? AND ?) OR (t.suspended_until BETWEEN ? AND ?)",
            [start, end, start, end],
            "t.fact_id",
        )

    def cited_entities(self, entity_id: str, kind: str) -> list[EntityCited]:
        """The rows of entity ``entity_id`` of ``kind``, whatever their dates, with sources."""
        rows = self._sql(
            "SELECT e.name, e.country, e.operator_id, e.valid_from, e.valid_to, e.source_id, "
            "s.publisher, s.title, s.url, s.quote FROM entity e LEFT JOIN source s "
            "ON s.source_id = e.source_id WHERE e.entity_id = ? AND e.kind = ?",
            [entity_id, kind],
        )
        return [EntityCited(*r) for r in rows]

    def audit_changes_after(self, audit_id: str) -> list[AuditChange]:
        """Audit-log entries after ``audit_id``, oldest first."""
        rows = self._sql(
            "SELECT audit_id, action, table_name, after, before FROM audit_log "
            "WHERE audit_id > ? ORDER BY audit_id",
            [audit_id],
        )
        return [AuditChange(*r) for r in rows]

    def entities_or_operated(self, ids: Sequence[str]) -> set[str]:
        """The entities among ``ids`` and those operated by one of them."""
        rows = self._sql(
            "SELECT entity_id FROM entity WHERE entity_id = ANY(?) OR operator_id = ANY(?)",
            [list(ids), list(ids)],
        )
        return {str(r[0]) for r in rows}

    def customers_of(self, suppliers: Sequence[str]) -> set[str]:
        """Customers of the supply links out of ``suppliers``, whatever their dates."""
        rows = self._sql(
            "SELECT DISTINCT customer_id FROM supply_link "
            "WHERE supplier_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(suppliers)],
        )
        return {str(r[0]) for r in rows}

    def product_exists(self, product_id: str) -> bool:
        """Whether a product ``product_id`` is stored (whatever its dates)."""
        return bool(self._sql("SELECT 1 FROM product WHERE product_id = ?", [product_id]))

    def entity_exists(self, entity_id: str, kind: str | None = None) -> bool:
        """Whether an entity ``entity_id`` (of ``kind`` if given) is stored."""
        if kind is None:
            return bool(self._sql("SELECT 1 FROM entity WHERE entity_id = ?", [entity_id]))
        return bool(
            self._sql("SELECT 1 FROM entity WHERE entity_id = ? AND kind = ?", [entity_id, kind])
        )

    def country_exists(self, iso3: str) -> bool:
        """Whether ``iso3`` is a stored country code."""
        return bool(self._sql("SELECT 1 FROM country WHERE iso3 = ?", [iso3]))

    # -- importers ----------------------------------------------------------------------------
    def stored_ids(
        self, row_type: type[Any], column: str, exclude_dataset: str | None = None
    ) -> set[str]:
        """Distinct values of ``column`` of ``row_type``'s table, outside ``exclude_dataset``
        when given (ids an import must not reuse)."""
        if column not in {c.name for c in columns(row_type)}:
            raise KeyError(f"{row_type.__name__} has no column {column!r}")
        q = f"SELECT DISTINCT {_q(column)} FROM {_q(row_type.Meta.table)}"
        if exclude_dataset is None:
            return {r[0] for r in self._sql(q)}
        return {r[0] for r in self._sql(q + " WHERE dataset <> ?", [exclude_dataset])}

    def entities_outside(self, dataset: str) -> list[Entity]:
        """Every entity row not loaded under ``dataset`` (stored order)."""
        return self._typed(Entity, "t.dataset <> ?", [dataset])

    def stored_citing(
        self, row_type: type[T], source_ids: Sequence[str], exclude_dataset: str | None = None
    ) -> list[Stored[T]]:
        """Rows of ``row_type``'s table citing one of ``source_ids`` (outside
        ``exclude_dataset`` when given), each with the dataset holding it."""
        where = "t.source_id = ANY(?)"
        params: list[Any] = [list(source_ids)]
        if exclude_dataset is not None:
            where += " AND t.dataset <> ?"
            params.append(exclude_dataset)
        table = row_type.Meta.table  # type: ignore[attr-defined]
        rows = self._sql(
            f"SELECT {select_list(row_type, 't')}, t.dataset FROM {_q(table)} t WHERE {where}",
            params,
        )
        return [Stored(row_type(*r[:-1]), str(r[-1])) for r in rows]
