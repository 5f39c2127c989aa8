"""Result types of monitoring (:mod:`derisk.services.monitor`, ``feeds``, ``delivery``):
watchlists, alerts, the calendar, a monitoring pass, news feeds and subscriptions.

Each record's ``to_json()`` is the ``--json`` object of the matching ``derisk monitor …`` /
``derisk alerts`` command and the body of its API endpoint. An alert's reasons and sources
are stored as JSON with the alert, shaped as :class:`derisk.model.monitor.AlertReason` and
:class:`~derisk.model.monitor.AlertSource`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from derisk.model.monitor import AlertReason, AlertSource
from derisk.model.record import ABSENT, Absent, Record

__all__ = [
    "AlertInfo",
    "AlertStateSet",
    "Alerts",
    "Calendar",
    "CalendarEvent",
    "Deliveries",
    "DeliveryInfo",
    "FeedAdded",
    "FeedInfo",
    "FeedLastPoll",
    "FeedPolled",
    "FeedRemoved",
    "Feeds",
    "MonitorRun",
    "Poll",
    "RuleChange",
    "RunChanges",
    "SubAdded",
    "SubInfo",
    "SubRemoved",
    "Subscriptions",
    "WatchAdded",
    "WatchAnswerInfo",
    "WatchInfo",
    "WatchListed",
    "WatchRemoved",
    "Watchlist",
]

WATCH_SCHEMA = "derisk.monitor.watchlist/1"
RUN_SCHEMA = "derisk.monitor.run/1"
ALERTS_SCHEMA = "derisk.alerts/1"
ALERT_SCHEMA = "derisk.alert/1"
CALENDAR_SCHEMA = "derisk.monitor.calendar/1"
FEEDS_SCHEMA = "derisk.monitor.feeds/1"
POLL_SCHEMA = "derisk.monitor.poll/1"
SUBS_SCHEMA = "derisk.monitor.subscriptions/1"
DELIVERY_SCHEMA = "derisk.monitor.delivery/1"


# -- watchlist ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WatchInfo(Record):
    """One watch item as it is stored."""

    watch_id: str
    kind: str
    target: str
    owner: str
    org: str | None
    material: str | None
    stage: str | None
    countries: tuple[str, ...] | None
    rule: str | None
    on_date: str | None
    created_at: str
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WatchAnswerInfo(Record):
    value: str
    text: str
    as_of: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WatchListed(WatchInfo):
    """A watch item with its last answer (null before the first pass)."""

    answer: WatchAnswerInfo | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WatchAdded(Record):
    """``derisk monitor watch add``: the item and notes on a target not (yet) known."""

    schema: str = WATCH_SCHEMA
    added: WatchInfo
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WatchRemoved(Record):
    """``derisk monitor watch remove``."""

    schema: str = WATCH_SCHEMA
    removed: WatchInfo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Watchlist(Record):
    """``derisk monitor watch list`` / ``GET /api/watchlist``."""

    KEYS: ClassVar[Mapping[str, str]] = {"items_": "items"}  # items() is the mapping's
    ROWS: ClassVar[str | None] = "items_"
    schema: str = WATCH_SCHEMA
    items_: tuple[WatchListed, ...]


# -- alerts ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlertInfo(Record):
    """An alert: an answer that changed, before → after, with its reasons and sources."""

    alert_id: str
    watch_id: str
    kind: str
    title: str
    before: str | None
    after: str
    effective: str
    severity: str
    reasons: tuple[AlertReason, ...]
    sources: tuple[AlertSource, ...]
    created_at: str
    owner: str
    org: str | None
    state: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Alerts(Record):
    """``derisk alerts`` / ``GET /api/alerts``: newest first, with counts by state."""

    ROWS: ClassVar[str | None] = "alerts"
    schema: str = ALERTS_SCHEMA
    state: str
    counts: Mapping[str, int]
    alerts: tuple[AlertInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AlertStateSet(Record):
    """``derisk alerts ack|read|mute|unread ID`` (also the body of a webhook delivery)."""

    schema: str = ALERT_SCHEMA
    alert: AlertInfo


# -- calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RuleChange(Record):
    product: str
    now: str
    then: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CalendarEvent(Record):
    """A rule version starting (``rule-change``) or a restriction window or suspension
    ending (``licence-expiry``)."""

    date: str
    in_days: int
    kind: str
    rule: str | Absent = ABSENT
    version: str | Absent = ABSENT
    fact_id: str | Absent = ABSENT
    source_id: str | Absent | None = ABSENT
    text: str
    changes: tuple[RuleChange, ...] | Absent = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Calendar(Record):
    """``derisk monitor calendar`` / ``GET /api/monitor/calendar``."""

    ROWS: ClassVar[str | None] = "events"
    schema: str = CALENDAR_SCHEMA
    today: str
    days: int
    events: tuple[CalendarEvent, ...]


# -- feeds -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedLastPoll(Record):
    KEYS: ClassVar[Mapping[str, str]] = {"items_": "items"}  # items() is the mapping's
    at: str
    outcome: str
    http_status: int | None
    failures: int
    next_poll_at: str
    items_: int
    new_items: int
    error: str | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedInfo(Record):
    feed_id: str
    url: str
    org: str | None
    auto_accept: float | None
    interval_s: int
    last_poll: FeedLastPoll | None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedAdded(Record):
    """``derisk monitor feed add``."""

    schema: str = FEEDS_SCHEMA
    added: FeedInfo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedRemoved(Record):
    """``derisk monitor feed remove``."""

    schema: str = FEEDS_SCHEMA
    removed: FeedInfo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Feeds(Record):
    """``derisk monitor feed list`` / ``GET /api/monitor/feeds``."""

    ROWS: ClassVar[str | None] = "feeds"
    schema: str = FEEDS_SCHEMA
    feeds: tuple[FeedInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedPolled(Record):
    """One feed of a poll: ``not-due`` (with ``due``), or what its fetch brought."""

    feed_id: str
    url: str | Absent = ABSENT
    outcome: str
    due: str | Absent = ABSENT
    http_status: int | Absent | None = ABSENT
    entries: int | Absent = ABSENT
    new_pages: int | Absent = ABSENT
    duplicates: int | Absent = ABSENT
    proposals: int | Absent = ABSENT
    auto_accepted: int | Absent = ABSENT
    proposal_ids: tuple[str, ...] | Absent = ABSENT
    failures: int | Absent = ABSENT
    next_poll_at: str | Absent = ABSENT
    error: str | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Poll(Record):
    """A poll of every due feed."""

    ROWS: ClassVar[str | None] = "feeds"
    schema: str = POLL_SCHEMA
    feeds: tuple[FeedPolled, ...]


# -- subscriptions and delivery ----------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubInfo(Record):
    """A subscription (the webhook ``secret`` only in the answer that creates it)."""

    sub_id: str
    channel: str
    target: str
    owner: str
    org: str | None
    secret: str | Absent | None = ABSENT


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubAdded(Record):
    """``derisk monitor subscribe``."""

    schema: str = SUBS_SCHEMA
    added: SubInfo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SubRemoved(Record):
    """``derisk monitor unsubscribe``."""

    schema: str = SUBS_SCHEMA
    removed: SubInfo


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Subscriptions(Record):
    """``derisk monitor subscriptions`` / ``GET /api/monitor/subscriptions``."""

    ROWS: ClassVar[str | None] = "subscriptions"
    schema: str = SUBS_SCHEMA
    subscriptions: tuple[SubInfo, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DeliveryInfo(Record):
    alert_id: str
    sub_id: str
    channel: str
    outcome: str
    attempts: int
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Deliveries(Record):
    ROWS: ClassVar[str | None] = "deliveries"
    schema: str = DELIVERY_SCHEMA
    deliveries: tuple[DeliveryInfo, ...]


# -- a monitoring pass -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RunChanges(Record):
    KEYS: ClassVar[Mapping[str, str]] = {"keys_": "keys"}  # keys() is the mapping's
    audit_entries: int
    keys_: int
    tables: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class MonitorRun(Record):
    """``derisk monitor run`` / ``POST /api/monitor/run``: what changed, what was recomputed
    and why, the alerts raised; a full pass adds the feeds polled and the deliveries."""

    ROWS: ClassVar[str | None] = "alerts"
    schema: str = RUN_SCHEMA
    today: str
    watched: int
    changes: RunChanges
    recomputed: int
    baseline: int
    why: Mapping[str, int]
    seconds: float
    alerts: tuple[AlertInfo, ...]
    feeds: tuple[FeedPolled, ...] | Absent = ABSENT
    deliveries: tuple[DeliveryInfo, ...] | Absent = ABSENT
