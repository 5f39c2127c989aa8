"""Result types of the news services: ingest, the review queue, one proposal, a decision.

Each record's fields are the JSON keys in printed order (``derisk.news.ingest/1``,
``derisk.news.review/1``, ``derisk.news.proposal/1``, ``derisk.news.decision/1``, described
in ``docs/news.md``). An event's ``fields`` are the extractor's values (text, numbers, ISO
dates as text) keyed by field name; what a proposal stored as JSON when it was queued (its
mentions and links, the organisations it proposed) is read back as free-form objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from derisk.model.news import EventFields, LinkJSON, MentionJSON, NewEntityJSON
from derisk.model.record import ABSENT, Absent, Record

__all__ = [
    "EventFields",
    "NewsArticleHead",
    "NewsArticleMeta",
    "NewsDecisionResult",
    "NewsFactRef",
    "NewsIngest",
    "NewsIngestEvent",
    "NewsIngestSummary",
    "NewsIngestedArticle",
    "NewsMention",
    "NewsNewEntity",
    "NewsProposalDecision",
    "NewsProposalDetail",
    "NewsProposalListed",
    "NewsProposalShow",
    "NewsReview",
]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsArticleMeta(Record):
    """An article as the results name it."""

    article_id: str
    url: str | None
    title: str | None
    published: str | None
    site: str | None
    origin: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsArticleHead(Record):
    """The article of a listed proposal."""

    title: str | None
    url: str | None
    published: str | None
    site: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsMention(Record):
    """A name the event's sentence mentions, with its graph id (``null``: not in the graph)."""

    text: str
    id_or_null: str | None
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsNewEntity(Record):
    """An organisation not in the graph that an article names, with the id it would get."""

    name: str
    proposed_id: str
    kind: str | None
    country: str | None
    country_from: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsIngestEvent(Record):
    """One proposal queued from an article."""

    proposal_id: str
    status: str
    type: str
    fields: EventFields
    sentence: str
    confidence: float
    entities: tuple[NewsMention, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsIngestedArticle(Record):
    """One article read: new (with its proposals) or a duplicate of one already stored."""

    article: NewsArticleMeta
    status: str
    duplicate_of: str | Absent = ABSENT
    events: tuple[NewsIngestEvent, ...]
    new_entities: tuple[NewsNewEntity, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsIngestSummary(Record):
    read: int
    new_articles: int
    duplicates: int
    proposals: int
    auto_accepted: int
    auto_accept_min: float | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsIngest(Record):
    """``derisk news ingest``: the articles read and the proposals queued (``article`` and
    ``events`` repeat the first article's, for a single page)."""

    ROWS: ClassVar[str | None] = "articles"
    schema: str = "derisk.news.ingest/1"
    article: NewsArticleMeta | None
    events: tuple[NewsIngestEvent, ...]
    articles: tuple[NewsIngestedArticle, ...]
    summary: NewsIngestSummary


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsProposalListed(Record):
    """One proposal of the review queue."""

    proposal_id: str
    type: str
    status: str
    confidence: float
    summary: str
    fields: EventFields
    sentence: str
    article: NewsArticleHead | None
    created_at: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsReview(Record):
    """``derisk review list``: proposals of one status (and event type), newest first."""

    ROWS: ClassVar[str | None] = "proposals"
    schema: str = "derisk.news.review/1"
    status: str
    type: str | None
    proposals: tuple[NewsProposalListed, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsFactRef(Record):
    """A row an accepted proposal wrote: its table and id."""

    table: str
    id: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsProposalDecision(Record):
    """A decision recorded on a proposal."""

    decision: str
    decided_at: str
    decided_by: str | None
    source_id: str | None
    facts: tuple[NewsFactRef, ...]
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsProposalDetail(Record):
    """A proposal with its sentence in context, entities, article and decisions."""

    ROWS: ClassVar[str | None] = "decisions"
    proposal_id: str
    type: str
    status: str
    confidence: float
    fields: EventFields
    sentence: str
    paragraph: str
    entities: tuple[MentionJSON, ...]
    links: tuple[LinkJSON, ...]
    new_entities: tuple[NewEntityJSON, ...]
    article: NewsArticleMeta
    created_at: str
    decisions: tuple[NewsProposalDecision, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsProposalShow(Record):
    """``derisk review show``: one proposal."""

    schema: str = "derisk.news.proposal/1"
    proposal: NewsProposalDetail


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class NewsDecisionResult(Record):
    """``derisk review accept|reject``: the decision and the rows it wrote."""

    ROWS: ClassVar[str | None] = "facts"
    schema: str = "derisk.news.decision/1"
    proposal_id: str
    decision: str
    source_id: str | None
    fields: EventFields | None
    facts: tuple[NewsFactRef, ...]
    notes: tuple[str, ...]
