"""Delivering alerts: signed webhooks and e-mail over SMTP.

A subscription belongs to one user of one organisation; it receives only that user's alerts,
which were computed on the organisation's own view of the store
(:func:`derisk.services.monitor.evaluate`), so nothing of another organisation's private data
can reach it. Muted watch items are not delivered.

**Webhooks** get ``POST`` with the alert as JSON (schema ``derisk.alert/1``) and the headers
``X-Derisk-Timestamp`` (Unix seconds) and ``X-Derisk-Signature: sha256=<hex>``, the
HMAC-SHA256 with the subscription's secret of ``<timestamp>.<body>``. A receiver recomputes it
and rejects a stale timestamp. A delivery that fails (connection error, or a status other than
2xx) is retried with back-off (``backoff`` seconds, doubled each time) up to ``attempts``
times in the pass, and in later passes until :data:`MAX_ATTEMPTS` attempts in all.

**E-mail** goes to an SMTP server (``host:port``; STARTTLS when ``starttls``), one message per
alert, plain text with the before → after line, the reasons and the sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
import smtplib
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlsplit

from derisk.errors import BadInputError
from derisk.model.monitor import Alert, Delivery, Subscription
from derisk.progress import Progress
from derisk.services import monitor
from derisk.services.common import NotFound
from derisk.services.results.monitor import DELIVERY_SCHEMA as DELIVERY_SCHEMA
from derisk.services.results.monitor import SUBS_SCHEMA as SUBS_SCHEMA
from derisk.services.results.monitor import (
    AlertStateSet,
    Deliveries,
    DeliveryInfo,
    MonitorRun,
    SubAdded,
    SubInfo,
    SubRemoved,
    Subscriptions,
)
from derisk.store import guard
from derisk.store.base import Store
from derisk.store.monitoring import retire_rows
from derisk.store.view import View

MAX_ATTEMPTS = 8
CHANNELS = ("webhook", "email")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str = "derisk@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    digest: bool = False
    """One message per subscription and pass listing every new alert, instead of one each."""

    @staticmethod
    def parse(value: str, sender: str | None = None) -> SmtpConfig:
        """``host:port`` (port 25 when absent).

        >>> SmtpConfig.parse("127.0.0.1:8025").port
        8025
        """
        host, _, port = value.rpartition(":") if ":" in value else (value, "", "25")
        try:
            return SmtpConfig(host or value, int(port), sender or "derisk@localhost")
        except ValueError:
            raise BadInputError(f"smtp {value!r} must be HOST:PORT") from None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with ``secret``.

    >>> sign("s", "1", b"{}")[:14]
    'sha256=b253639'
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, max_age: int = 300) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def subscribe(store: Store, channel: str, target: str, *, secret: str | None = None) -> SubAdded:
    """Send the acting user's alerts to a webhook URL or an e-mail address."""
    if channel not in CHANNELS:
        raise BadInputError(f"unknown channel {channel!r}; one of {', '.join(CHANNELS)}")
    if channel == "webhook":
        p = urlsplit(target)
        if p.scheme not in ("http", "https") or not p.netloc:
            raise BadInputError(f"webhook URL {target!r} must be http:// or https://")
        secret = secret or secrets.token_hex(24)
    elif "@" not in target or " " in target.strip():
        raise BadInputError(f"{target!r} is not an e-mail address")
    who = monitor.acting(store)
    sid = "s-" + hashlib.sha1(f"{who.label}|{channel}|{target}".encode()).hexdigest()[:10]
    if any(s.sub_id == sid for s in _subs(store)):
        raise BadInputError(f"already subscribed as {sid}")
    sub = Subscription(sid, who.user_id, channel, target, guard.now(), who.org_id, secret)
    with monitor._monitor_writer(store, who.org_id, who) as w:
        retire_rows(store, "monitor_subscription", [sid])  # an earlier removal record
        w.add([sub])
    out = _sub_json(sub)
    if channel == "webhook":
        out = dataclasses.replace(out, secret=secret)  # shown once, to configure the receiver
    return SubAdded(added=out)


def _subs(source: Store | View) -> list[Subscription]:
    rows = source.rows(Subscription)
    gone = {s.sub_id for s in rows if s.removed_at is not None}
    return sorted((s for s in rows if s.sub_id not in gone), key=lambda s: s.sub_id)


def _sub_json(s: Subscription) -> SubInfo:
    return SubInfo(sub_id=s.sub_id, channel=s.channel, target=s.target, owner=s.owner, org=s.org_id)


def list_subscriptions(view: View) -> Subscriptions:
    """The subscriptions of the user the view reads for (every one for admins)."""
    who = monitor.acting(view)
    subs = [s for s in _subs(view) if who.sees_everything or s.owner == who.user_id]
    return Subscriptions(subscriptions=tuple(_sub_json(s) for s in subs))


def unsubscribe(store: Store, sub_id: str) -> SubRemoved:
    who = monitor.acting(store)
    found = [
        s
        for s in _subs(store)
        if s.sub_id == sub_id and (who.sees_everything or s.owner == who.user_id)
    ]
    if not found:
        raise NotFound(f"no subscription {sub_id!r} of yours")
    gone = dataclasses.replace(found[0], removed_at=guard.now())
    with monitor._monitor_writer(store, found[0].org_id, who) as w:
        retire_rows(store, "monitor_subscription", [sub_id])
        w.add([gone])
    return SubRemoved(removed=_sub_json(gone))


def payload(a: Alert) -> bytes:
    body = AlertStateSet(alert=monitor.alert_json(a, "unread")).to_json()
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def _post(url: str, body: bytes, secret: str, timeout: float) -> tuple[bool, str]:
    ts = str(int(time.time()))
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "derisk-monitor",
            "X-Derisk-Timestamp": ts,
            "X-Derisk-Signature": sign(secret, ts, body),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return 200 <= resp.status < 300, f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return False, str(exc)[:200]


def email_text(a: Alert) -> str:
    j = monitor.alert_json(a, "unread")
    lines = [j["title"], "", f"{j['before']} → {j['after']} (effective {j['effective']})", ""]
    if j["reasons"]:
        lines.append("Why:")
        lines += [f"  - {r.get('text', '')}" for r in j["reasons"]]
        lines.append("")
    if j["sources"]:
        lines.append("Sources:")
        for s in j["sources"]:
            quote = f' — "{s["quote"]}"' if s.get("quote") else ""
            where = s.get("url") or s.get("source_id")
            lines.append(f"  - {s.get('title')} ({s.get('publisher')}, {where}){quote}")
    lines += ["", f"alert {j['alert_id']} for {j['owner']}", ""]
    return "\n".join(lines)


def _send_mail(cfg: SmtpConfig, to: str, a: Alert, timeout: float) -> tuple[bool, str]:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Subject"] = f"[derisk] {a.title}"
    msg["X-Derisk-Alert"] = a.alert_id
    msg.set_content(email_text(a))
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=timeout) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
            smtp.send_message(msg)
        return True, "sent"
    except (smtplib.SMTPException, OSError) as exc:
        return False, str(exc)[:200]


def _send_digest(cfg: SmtpConfig, to: str, alerts: list[Alert], timeout: float) -> tuple[bool, str]:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Subject"] = f"[derisk] {len(alerts)} alert(s): {alerts[0].title}" + (
        " and more" if len(alerts) > 1 else ""
    )
    msg["X-Derisk-Alerts"] = ",".join(a.alert_id for a in alerts)
    sep = "\n" + "-" * 72 + "\n\n"
    msg.set_content(sep.join(email_text(a) for a in alerts))
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=timeout) as smtp:
            if cfg.starttls:
                smtp.starttls()
            if cfg.user:
                smtp.login(cfg.user, cfg.password or "")
            smtp.send_message(msg)
        return True, f"digest of {len(alerts)} sent"
    except (smtplib.SMTPException, OSError) as exc:
        return False, str(exc)[:200]


def deliver(
    store: Store,
    *,
    smtp: SmtpConfig | None = None,
    attempts: int = 3,
    backoff: float = 0.5,
    timeout: float = 10.0,
    progress: Progress | None = None,
) -> Deliveries:
    """Deliver every alert not yet delivered to each of its owner's subscriptions."""
    done: dict[tuple[str, str], int] = defaultdict(int)
    ok: set[tuple[str, str]] = set()
    for d in store.rows(Delivery):
        done[(d.alert_id, d.sub_id)] = max(done[(d.alert_id, d.sub_id)], d.attempt)
        if d.outcome == "delivered":
            ok.add((d.alert_id, d.sub_id))
    muted = monitor.muted_watches(store)
    alerts = sorted(store.rows(Alert), key=lambda a: a.created_at)
    subs = _subs(store)
    rows: list[tuple[str | None, Delivery]] = []
    report: list[DeliveryInfo] = []
    for s in subs:
        pending = [
            a
            for a in alerts
            if a.owner == s.owner
            and a.org_id == s.org_id
            and a.watch_id not in muted
            and (a.alert_id, s.sub_id) not in ok
            and done[(a.alert_id, s.sub_id)] < MAX_ATTEMPTS
        ]
        if s.channel == "email" and smtp is not None and smtp.digest and pending:
            sent, detail = _send_digest(smtp, s.target, pending, timeout)
            for a in pending:
                n = done[(a.alert_id, s.sub_id)] + 1
                outcome = "delivered" if sent else "failed"
                rows.append(
                    (a.org_id, Delivery(a.alert_id, s.sub_id, n, guard.now(), outcome, detail))
                )
                report.append(
                    DeliveryInfo(alert_id=a.alert_id, sub_id=s.sub_id, channel="email-digest",
                                 outcome=outcome, attempts=n, detail=detail)
                )  # fmt: skip
            continue
        for a in pending:
            key = (a.alert_id, s.sub_id)
            if s.channel == "email" and smtp is None:
                continue
            n = done[key]
            delivered, detail = False, ""
            for i in range(attempts):
                if n >= MAX_ATTEMPTS:
                    break
                n += 1
                if s.channel == "webhook":
                    delivered, detail = _post(s.target, payload(a), s.secret or "", timeout)
                else:
                    assert smtp is not None
                    delivered, detail = _send_mail(smtp, s.target, a, timeout)
                rows.append(
                    (
                        a.org_id,
                        Delivery(
                            a.alert_id,
                            s.sub_id,
                            n,
                            guard.now(),
                            "delivered" if delivered else "failed",
                            detail,
                        ),
                    )
                )
                if delivered:
                    break
                if i + 1 < attempts:
                    time.sleep(backoff * 2**i)
            if progress:
                progress(f"{s.channel} {s.target}: {a.alert_id} {detail}")
            report.append(
                DeliveryInfo(
                    alert_id=a.alert_id,
                    sub_id=s.sub_id,
                    channel=s.channel,
                    outcome="delivered" if delivered else "failed",
                    attempts=n,
                    detail=detail,
                )
            )
    by_org: dict[str | None, list[Delivery]] = defaultdict(list)
    for org, d in rows:
        by_org[org].append(d)
    for org, ds in by_org.items():
        with monitor._monitor_writer(store, org, monitor._SYSTEM) as w:
            w.add(ds)
    return Deliveries(deliveries=tuple(report))


def run_pass(
    store: Store,
    *,
    poll: bool = True,
    force: bool = False,
    delay: float = 1.0,
    full: bool = False,
    today: dt.date | None = None,
    smtp: SmtpConfig | None = None,
    progress: Progress | None = None,
) -> MonitorRun:
    """One monitoring pass: poll due feeds, recompute dependent answers, deliver new alerts
    (schema ``derisk.monitor.run/1`` with ``feeds`` and ``deliveries``)."""
    from derisk.services import feeds

    if not monitor.acting(store).sees_everything:
        raise guard.Forbidden("a monitoring pass needs the local operator or an admin")
    polled = feeds.poll(store, force=force, delay=delay, progress=progress) if poll else None
    res = monitor.run(store, today=today, full=full, progress=progress)
    sent = deliver(store, smtp=smtp, progress=progress)
    return dataclasses.replace(
        res, feeds=polled.feeds if polled else (), deliveries=sent.deliveries
    )
