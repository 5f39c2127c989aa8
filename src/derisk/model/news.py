"""Row types of the news review queue and of accepted supply-chain events.

``news_article`` and ``news_proposal`` hold what ``derisk news ingest`` read and proposed;
``news_decision`` is an append-only log of acceptances and rejections (the latest decision of
a proposal is its status). None of these change the graph. Accepting a proposal writes facts
(``stake``, ``export_restriction``, ``entity``, ``supply_event``) with a ``source`` row for the
article, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, TypedDict

from derisk.model.schema import TableMeta, register


@register
@dataclass(frozen=True)
class NewsArticle:
    """An ingested article: its metadata and the main text the events were read from."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "news_article", ("article_id",), "Ingested news articles", fact=False
    )
    article_id: str
    text: str
    text_sha: str
    ingested_at: str
    origin: str
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    site: str | None = None


@register
@dataclass(frozen=True)
class NewsProposal:
    """A proposed event: type, typed fields and linked entities as JSON, and its sentence."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "news_proposal", ("proposal_id",), "Proposed events awaiting review", fact=False
    )
    proposal_id: str
    article_id: str
    seq: int
    event_type: str
    fields: str
    entities: str
    sentence: str
    confidence: float
    created_at: str
    new_entities: str = "[]"


@register
@dataclass(frozen=True)
class NewsDecision:
    """A reviewer's decision on a proposal; ``facts`` lists the rows an acceptance wrote."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "news_decision", ("proposal_id", "decided_at"), "Review decisions", fact=False
    )
    proposal_id: str
    decision: str
    decided_at: str
    decided_by: str
    fields: str | None = None
    source_id: str | None = None
    facts: str | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class SupplyEvent:
    """An accepted supply-chain event (stake acquisition, investment, offtake, first export,
    export restriction, facility, loan, grant), as the article stated it.

    ``subject_id`` is the acting entity or country (acquirer, investor, supplier, exporter,
    issuer, company, lender, grantor); ``object_id`` the other party (target, buyer,
    borrower, recipient); ``country`` the destination, restriction target or facility
    location.
    """

    Meta: ClassVar[TableMeta] = TableMeta(
        "supply_event", ("fact_id",), "Supply-chain events from reviewed news"
    )
    fact_id: str
    event_type: str
    subject_id: str
    source_id: str
    object_id: str | None = None
    action: str | None = None
    material_id: str | None = None
    stage_id: str | None = None
    country: str | None = None
    percent: float | None = None
    amount: float | None = None
    currency: str | None = None
    quantity: float | None = None
    unit: str | None = None
    term: str | None = None
    fields: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None


#: A value of an extracted event's field: text (ids, names, ISO dates), a number or null.
FieldValue = str | int | float | bool | None
#: An extracted event's fields by name (``percent``, ``acquirer``, ``date`` …), as JSON values.
EventFields = Mapping[str, FieldValue]


class MentionJSON(TypedDict):
    """A name an event's sentence mentions, as ``derisk.news.ingest/1`` lists it."""

    text: str
    id_or_null: str | None
    kind: str


class LinkJSON(TypedDict):
    """A field of an event linked to a mention (stored with the proposal)."""

    field: str
    text: str
    id_or_null: str | None
    kind: str


class NewEntityJSON(TypedDict):
    """An organisation a proposal would add, as stored with it (``derisk.news`` proposes it)."""

    name: str
    proposed_id: str
    kind: str | None
    country: str | None
    country_from: str | None


class EventJSON(TypedDict):
    """An extracted event as the extractor hands it to the news services."""

    type: str
    fields: dict[str, FieldValue]
    sentence: str
    confidence: float
    entities: list[MentionJSON]
