"""Row types of monitoring: watchlists, feeds, computed answers, alerts and their delivery.

Every row lives in the dataset ``monitor-<org>`` of the organisation that owns it (``monitor``
for the local single-user operator). Those datasets are private to their organisation, so the
store-level visibility (:mod:`derisk.store.guard`) keeps one organisation's watchlists,
answers and alerts from every other. The tables are append-only logs where state changes
(feed polls, alert states): the latest row wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, NotRequired, TypedDict

from derisk.model.schema import TableMeta, register

WATCH_KINDS = ("product", "entity", "material", "country", "importer", "facility")


@register
@dataclass(frozen=True)
class WatchItem:
    """One thing watched. ``kind`` is one of :data:`WATCH_KINDS`; ``target`` its id (product,
    entity, facility, material, ISO3 country or importer country). ``material_id``/``stage_id``
    narrow a material or importer watch; ``countries`` (comma-separated ISO3, default CHN) are
    the countries a share is measured for; ``rule_id``/``on_date`` the rule (pack) and date a
    product must certify under (no date: every day, today). ``removed_at`` retires the item."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "watch_item", ("watch_id",), "Watched products, entities, materials", fact=False
    )
    watch_id: str
    owner: str
    kind: str
    target: str
    created_at: str
    org_id: str | None = None
    material_id: str | None = None
    stage_id: str | None = None
    countries: str | None = None
    rule_id: str | None = None
    on_date: dt.date | None = None
    removed_at: str | None = None
    note: str | None = None


@register
@dataclass(frozen=True)
class WatchDep:
    """The dependency index: answer ``watch_id`` depends on fact key ``dep_key``
    (``entity:<id>``, ``material:<id>``, ``country:<iso3>``, ``product:<id>``)."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "watch_dep", ("watch_id", "dep_key", "computed_at"), "Facts each answer uses", fact=False
    )
    watch_id: str
    dep_key: str
    computed_at: str


@register
@dataclass(frozen=True)
class WatchAnswer:
    """An answer as last computed for a watch item: a short ``value`` compared between runs,
    a sentence, the reasons and sources (JSON), and ``next_change`` -- the next date at which
    a rule version or a dated fact it rests on starts or ends."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "watch_answer", ("watch_id", "computed_at"), "Answers of watch items", fact=False
    )
    watch_id: str
    computed_at: str
    value: str
    text: str
    reasons: str
    sources: str
    as_of: dt.date
    number: float | None = None
    next_change: dt.date | None = None


@register
@dataclass(frozen=True)
class Feed:
    """A news feed polled by ``derisk monitor run``: RSS, Atom or JSON Feed.

    ``auto_accept`` (``None``: off) accepts proposals at or above that extraction confidence;
    ``interval_s`` is the least time between two requests to the feed."""

    Meta: ClassVar[TableMeta] = TableMeta("monitor_feed", ("feed_id",), "News feeds", fact=False)
    feed_id: str
    url: str
    created_at: str
    org_id: str | None = None
    auto_accept: float | None = None
    interval_s: int = 900
    removed_at: str | None = None


@register
@dataclass(frozen=True)
class FeedPoll:
    """One poll of a feed: HTTP status, validators for the next conditional GET, consecutive
    failures and the earliest time of the next request (politeness and back-off)."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_feed_poll", ("feed_id", "polled_at"), "Feed polls", fact=False
    )
    feed_id: str
    polled_at: str
    outcome: str
    next_poll_at: str
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    items: int = 0
    new_items: int = 0
    error: str | None = None


@register
@dataclass(frozen=True)
class FeedItem:
    """A feed entry seen: de-duplication by canonical URL and by a hash of its text."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_feed_item", ("feed_id", "url"), "Feed entries seen", fact=False
    )
    feed_id: str
    url: str
    content_sha: str
    seen_at: str
    article_id: str | None = None
    status: str = "new"


class AlertSource(TypedDict, total=False):
    """A source an alert cites (stored as JSON with the alert): the keys its answer had."""

    source_id: str | None
    publisher: str | None
    title: str | None
    url: str | None
    published: str | None
    quote: str | None
    confidence: str | None


class AlertReason(TypedDict):
    """Why an answer is what it is (stored as JSON with the alert): a sentence, and where the
    answer has them, the entity, its sources, the ownership facts and source ids it rests on."""

    text: str
    entity: NotRequired[str | None]
    sources: NotRequired[list[AlertSource]]
    facts: NotRequired[list[str]]
    source_ids: NotRequired[list[str | None]]


@register
@dataclass(frozen=True)
class Alert:
    """A change of an answer: ``before`` -> ``after`` with the reasons and sources (JSON lists
    of :class:`AlertReason` and :class:`AlertSource`)."""

    Meta: ClassVar[TableMeta] = TableMeta("monitor_alert", ("alert_id",), "Alerts", fact=False)
    alert_id: str
    watch_id: str
    owner: str
    kind: str
    title: str
    before: str
    after: str
    reasons: str
    sources: str
    created_at: str
    effective: dt.date
    org_id: str | None = None
    severity: str = "info"


@register
@dataclass(frozen=True)
class AlertState:
    """``read``, ``acknowledged``, ``muted`` or ``unread`` set on an alert by a user."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_alert_state", ("alert_id", "at"), "Alert states", fact=False
    )
    alert_id: str
    state: str
    at: str
    by: str


@register
@dataclass(frozen=True)
class Subscription:
    """Where alerts of an owner go: a ``webhook`` URL (signed with ``secret``) or an ``email``
    address."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_subscription", ("sub_id",), "Alert deliveries", fact=False
    )
    sub_id: str
    owner: str
    channel: str
    target: str
    created_at: str
    org_id: str | None = None
    secret: str | None = None
    removed_at: str | None = None


@register
@dataclass(frozen=True)
class Delivery:
    """One delivery attempt of an alert to a subscription."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_delivery", ("alert_id", "sub_id", "attempt"), "Delivery attempts", fact=False
    )
    alert_id: str
    sub_id: str
    attempt: int
    at: str
    outcome: str
    detail: str | None = None


@register
@dataclass(frozen=True)
class MonitorCursor:
    """How far the monitor has read the audit log (the change feed), per owner dataset."""

    Meta: ClassVar[TableMeta] = TableMeta(
        "monitor_cursor", ("name", "at"), "Monitor progress", fact=False
    )
    name: str
    at: str
    audit_id: str
    rules_hash: str | None = None
