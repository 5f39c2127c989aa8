"""Events read from the clause structure (:mod:`derisk.news.clauses`) where the verb-led
patterns of :mod:`derisk.news.events` find none in a sentence.

- **Passive and nominal restrictions.** "The ban on gallium sales to American buyers was
  lifted by Beijing", "Restrictions on antimony shipments have been suspended until …",
  "The curbs will be extended by a year": the clause's verb (its lemma class: lift,
  suspend, extend, impose) acts on its *subject*, a restriction noun whose materials are
  named inside it (or, for "the ban", the article's last restriction). The issuer is the
  agent ("by Beijing"), a country in the subject ("China's ban"), else the article's
  government.
- **Facilities named as subject or place.** "Production has begun at the Mt Holland mine,
  operator Covalent Lithium said", "First concentrate was produced at Almonty's Sangdong
  mine", "The Kamoa-Kakula complex suspended operations, Ivanhoe Mines said": the
  operator is the owner in the possessive, the agent ("by X", "owned by X"), the reporting
  company ("X said", "operator X"), or — for "its", "the company's" — the company the
  article spoke of last.

Only asserted main or complement clauses count (not hedged, denied, conditional, relative).
"""

from __future__ import annotations

import re
from typing import Any

from derisk.news.clauses import (
    Clause,
    clause_at,
    not_asserted,
    parse_cached,
    status_at,
    subject_is_reference,
)
from derisk.news.dates import add_period, parse_duration
from derisk.news.events import (
    _DURATION,
    _EXTEND_BY,
    _F_CLOSE,
    _F_EXPAND,
    _F_OPEN,
    _FACILITY_NOUN,
    _STATE_BEFORE,
    Context,
    Event,
    Sent,
    _blocked,
    _classify_dates,
    _context_materials,
    _context_target,
    _government_body,
    _location,
    _make,
    _stage,
    _target,
    _value,
    event_day,
    month_only,
    no_facility_act,
    noun_in_name,
    stated_capacity,
)
from derisk.news.lexicon import Mention

_LIFT = re.compile(
    r"(?:lifted|scrapped|removed|ended|rescinded|revoked|repealed|dropped|eased|relaxed|"
    r"loosened|withdrawn|abolished|cancell?ed)$"
)
_SUSPEND = re.compile(r"(?:suspended|paused|halted|frozen|waived|postponed|delayed|shelved)$")
_EXTEND = re.compile(r"(?:extended|prolonged|renewed)$")
_IMPOSE = re.compile(r"(?:imposed|introduced|reimposed|re-imposed|reinstated|tightened)$")
_R_SUBJECT = re.compile(
    r"\b(?:ban|bans|embargo|embargoes|restrictions?|controls?|curbs?|quotas?|prohibition|"
    r"moratorium|licen[cs]ing (?:requirements?|regime|rules|system)|measures?|suspension|"
    r"checks|reviews|halt)\b",
    re.IGNORECASE,
)
_EXPORT_CUE = re.compile(r"\bexport|\bshipments?\b|\bsales?\b", re.IGNORECASE)


_PASSIVE_GATE = re.compile(
    r"\b(?:be|is|are|was|were|been|being)\s+(?:\w+\s+)?(?:lifted|scrapped|removed|ended|"
    r"rescinded|revoked|repealed|dropped|eased|relaxed|loosened|withdrawn|abolished|cancell?ed|"
    r"suspended|paused|halted|frozen|waived|postponed|delayed|shelved|extended|prolonged|renewed|"
    r"imposed|introduced|reimposed|re-imposed|reinstated|tightened|put on hold|placed on hold)\b",
    re.IGNORECASE,
)


def _action(c: Clause) -> str | None:
    if c.verb is None or not c.verb.passive:
        return None
    head = c.verb.head
    if head in ("put", "placed"):
        return "suspended" if c.object.startswith("on hold") else None
    if _LIFT.fullmatch(head):
        return "lifted"
    if _SUSPEND.fullmatch(head):
        return "suspended"
    if _EXTEND.fullmatch(head):
        return "extended"
    if _IMPOSE.fullmatch(head) and c.verb.tense in ("future", "present", "modal"):
        # "will be imposed", "has been introduced": news; "was imposed in 2023" is history
        return "resumed" if head.startswith(("re", "reinst")) else "imposed"
    return None


_GOVERNMENT_WORD = re.compile(
    r"['’]s\b|\s+(?:[\w-]+\s+)?(?:government|ministry|regulator|authorities|cabinet|president)",
    re.IGNORECASE,
)


def _issuer(s: Sent, c: Clause, ctx: Context, parent: Clause | None = None) -> Mention | None:
    agent = re.search(r"\bby\s+(?:the\s+)?", s.text[c.verb.end : c.end] if c.verb else "")
    countries = [m for m in s.countries() if m.role != "place"]
    if agent and c.verb is not None:
        at = c.verb.end + agent.end()
        hit = next((m for m in countries if m.start == at), None)
        if hit is not None:
            return hit
    subj_end = c.verb.start if c.verb else c.end
    for m in countries:
        if c.start <= m.start < subj_end:
            gap = s.text[max(0, m.start - 12) : m.start]
            if re.search(r"\b(?:to|from|against|for|into)\s+(?:the\s+)?$", gap):
                continue
            if m.role == "demonym" and not re.match(
                r"\s+(?:[\w-]+\s+)?(?:ban|embargo|restrictions?|controls?|curbs?|quotas?|"
                r"government|export)",
                s.text[m.end :],
                re.IGNORECASE,
            ):
                continue
            return m
    if parent is not None and parent.verb is not None:
        # "Congo's regulator said on Saturday the suspension … would be extended": the
        # government reporting the change
        for m in countries:
            if parent.start <= m.start < parent.verb.start and (
                m.role != "demonym" or _GOVERNMENT_WORD.match(s.text, m.end)
            ):
                return m
    return ctx.last_issuer if not s.companies() else None


def restriction_passive_events(s: Sent, ctx: Context) -> list[Event]:
    """Restrictions whose clause is passive with the measure as subject (see the module
    docstring)."""
    if not _PASSIVE_GATE.search(s.text) or not _R_SUBJECT.search(s.text):
        return []
    out: list[Event] = []
    clauses = parse_cached(s.text)
    for c in clauses:
        action = _action(c)
        if action is None or c.verb is None or c.kind == "relative" or c.kind == "reduced":
            continue
        if status_at(s.text, c.verb.start)[1] != "asserted":
            continue
        subject_span = (c.start, c.verb.start)
        subj = s.text[subject_span[0] : subject_span[1]]
        rn = _R_SUBJECT.search(subj)
        if rn is None:
            continue
        if action == "extended" and not re.search(r"\b(?:by|for|until)\b", c.object):
            continue
        mats = [m for m in s.materials() if subject_span[0] <= m.start < subject_span[1] and m.id]
        if mats and not _EXPORT_CUE.search(subj):
            continue
        parent = clauses[c.parent] if c.kind == "complement" and c.parent >= 0 else None
        issuer = _issuer(s, c, ctx, parent)
        if issuer is None:
            continue
        by_context = False
        if not mats and re.match(r"(?i)\s*(?:the|this|that|these|its|their)\b", subj):
            mats = _context_materials(s, ctx, issuer)
            by_context = True
        if not mats:
            continue
        target = _target(s, subject_span[0], issuer)
        if target is None and by_context:
            # "The ban has been suspended": the measure, and its target, named before
            target = _context_target(ctx, issuer)
        dates = _classify_dates(s, ctx, c.verb.start)
        duration = None
        dm = _DURATION.search(s.text, c.verb.start)
        eb = _EXTEND_BY.search(s.text, c.verb.start) if action == "extended" else None
        if eb:
            # "would be extended by three months"
            duration = parse_duration(f"{eb.group('n')} {eb.group('u')}")
        elif dm:
            n, u = dm.group("n") or dm.group("n2"), dm.group("u") or dm.group("u2")
            duration = parse_duration(f"{n} {u}")
        expiry = dates.get("expiry")
        if expiry is None and duration is not None:
            base = dates.get("start") or dates.get("date")
            if base is None and not month_only(s, c.verb.start):
                base = s.dateline or ctx.published
            if base is not None:
                expiry = add_period(base, duration)
        seen: set[str] = set()
        for mat in mats:
            if mat.id is None or mat.id in seen:
                continue
            seen.add(mat.id)
            fields: dict[str, Any] = {
                "issuer": issuer.id,
                "action": action,
                "material": mat.id,
                "target": target.id if target else None,
                "duration": duration,
                "start": dates.get("start"),
                "expiry": expiry,
                "date": dates.get("date"),
            }
            links = {"issuer": issuer, **({"target": target} if target else {})}
            by_ref = issuer not in s.mentions
            ev = _make(s, "export_restriction", fields, links, by_reference=by_ref)
            if ev:
                out.append(ev)
        if out:
            break
    return out


_F_NOMINAL_OPEN = re.compile(
    r"\b(?:production|operations|mining|output|processing)\s+(?:has |have |had )?"
    r"(?:(?:officially|formally|now|finally)\s+)?(?:begun|began|started|commenced|resumed|"
    r"restarted|kicked off)\b"
    r"|\b(?:first|initial)\s+(?:[\w-]+\s+){0,2}(?:was|were|has been|had been)\s+"
    r"(?:produced|poured|shipped out|processed)\b"
    r"|\bout of care and maintenance\b",
    re.IGNORECASE,
)
_REPORTER = re.compile(
    r"(?:,\s*|\b(?:operator|owner|producer|developer|miner)\s+)$",
)


_NEW_REPORTER = re.compile(
    r"(?:,\s+|\b(?:operator|owner|producer|developer|miner)\s+)"
    r"(?P<name>(?:[A-Z][\w&.'’-]+\s+){0,3}(?:Mines|Mining|Resources|Metals|Minerals|Lithium|"
    r"Group|Corp\.?|Corporation|Ltd\.?|Limited|Inc\.?|Holdings|Materials|Energy|Rare Earths|"
    r"plc|SA|AG|AB|ASA|NV))\s+(?:said|says|announced|confirmed|reported)\b"
)
"""A company not in the graph reporting the news about its facility ("…, Ivanhoe Mines
said"): named by a company word at its end."""


def _operator(s: Sent, pos: int, ctx: Context) -> tuple[Mention | None, bool]:
    """The company running the facility: possessive owner, agent, owner after "owned by",
    the company reporting it, or the article's last company for "its"."""
    orgs = [m for m in s.orgs() if m.kind in ("company", "government")]
    for m in orgs:
        if re.match(r"['’]s?\s", s.text[m.end : m.end + 3]) and _FACILITY_NOUN.search(
            s.text[m.end : m.end + 60]
        ):
            return m, False
    for m in orgs:
        gap = s.text[max(0, m.start - 40) : m.start]
        if re.search(r"\b(?:by|operated by|owned by|run by)\s+(?:[\w-]+\s+){0,2}$", gap):
            return m, False
    for m in orgs:
        after = s.text[m.end : m.end + 25]
        if re.match(r"\s+(?:said|says|announced|confirmed|reported|told)\b", after) and (
            _REPORTER.search(s.text[max(0, m.start - 25) : m.start]) or m.start > pos
        ):
            return m, False
        if re.search(r"\b(?:said|says|announced|according to)\s+$", s.text[: m.start][-20:]):
            return m, False
    new = _NEW_REPORTER.search(s.text)
    if new is not None and not any(
        m.start < new.end("name") and new.start("name") < m.end for m in s.mentions
    ):
        a, b = new.span("name")
        return Mention(a, b, s.text[a:b], "company", None, "new"), False
    if ctx.last_orgs and re.search(
        r"\b(?:its|the company['’]s|the group['’]s|the miner['’]s|their)\b",
        s.text,
        re.IGNORECASE,
    ):
        firm = next((o for o in ctx.last_orgs if o.kind in ("company", "government")), None)
        return firm, True
    return None, False


def facility_clause_events(s: Sent, ctx: Context) -> list[Event]:
    """A facility opening, expansion or closure whose operator is not the clause's subject
    (see the module docstring)."""
    if not _FACILITY_NOUN.search(s.text):
        return []
    hits: list[tuple[int, str]] = []
    if not s.orgs() and not _NEW_REPORTER.search(s.text) and not ctx.last_orgs:
        return []
    for action, rx in (
        ("opening", _F_NOMINAL_OPEN),
        ("opening", _F_OPEN),
        ("expansion", _F_EXPAND),
        ("closure", _F_CLOSE),
    ):
        m = rx.search(s.text)
        if m is not None and not no_facility_act(s.text, m, action) and not noun_in_name(s, m):
            hits.append((m.start(), action))
    for pos, action in sorted(hits):
        c, status = status_at(s.text, pos)
        if status != "asserted" or c.kind in ("relative", "reduced"):
            continue
        if _STATE_BEFORE.search(s.text, 0, pos):
            # "the mine remains shut", "stayed closed": a state, no new act
            continue
        if re.search(r"\b(?:to|help|helps|will|would)\s+$", s.text[max(0, pos - 8) : pos]):
            # a purpose or a plan ("will be used to expand"), not a done thing
            continue
        if ctx.published is not None and any(
            int(y) > ctx.published.year or int(y) < ctx.published.year - 1
            for y in re.findall(r"\b((?:19|20)\d\d)\b", s.text[c.start : c.end])
        ):
            continue
        company, by_ref = _operator(s, pos, ctx)
        if company is None or _government_body(company):
            # a government body tells of or orders the act; it runs no plant
            continue
        mats = [m for m in s.materials() if m.id]
        mat = mats[0] if mats else ctx.last_material
        loc = _location(s, 0)
        fields: dict[str, Any] = {
            "company": _value(company),
            "action": action,
            "material": mat.id if mat else None,
            "stage": _stage(s, mat, ctx.catalog) if mat else None,
            "location": loc.id if loc else None,
            "date": event_day(s, ctx, pos),
        }
        cap = stated_capacity(s.text) if action != "closure" else None
        if cap is not None:
            fields["capacity"], fields["unit"] = cap.value, cap.unit
        links = {"company": company, **({"location": loc} if loc else {})}
        ev = _make(s, "facility", fields, links, by_reference=by_ref)
        return [ev] if ev else []
    return []


_KEEP = re.compile(
    r"\b(?:keep|keeps|kept|keeping|maintain\w*|retain\w*|leave|leaves|left)\s+(?:[\w'’-]+\s+){0,6}?"
    r"(?:ban|embargo|suspension|halt|moratorium|prohibition|restrictions?|controls?|curbs|"
    r"quotas?)\b(?:\s+(?:in place|in force|on))?(?=[^.;]{0,40}?\b(?:for (?:another|a further|an "
    r"additional)|until|through)\b)",
    re.IGNORECASE,
)
"""A measure kept in place for a further period or until a date: an extension."""


def restriction_kept_events(s: Sent, ctx: Context) -> list[Event]:
    """ "Congo will keep its cobalt export suspension in place for another three months":
    the measure extended, by the stated period or until the stated date."""
    m = _KEEP.search(s.text)
    if m is None or status_at(s.text, m.start())[1] != "asserted":
        return []
    issuer = next((c for c in s.countries() if c.end <= m.start() and c.role != "place"), None) or (
        ctx.last_issuer if subject_is_reference(s.text, m.start()) else None
    )
    if issuer is None:
        return []
    mats = [x for x in s.materials() if m.start() <= x.start < m.end() and x.id]
    if not mats:
        mats = _context_materials(s, ctx, issuer)
    dates = _classify_dates(s, ctx, m.start())
    eb = _EXTEND_BY.search(s.text, m.start())
    duration = parse_duration(f"{eb.group('n')} {eb.group('u')}") if eb else None
    out: list[Event] = []
    for mat in mats:
        fields: dict[str, Any] = {
            "issuer": issuer.id,
            "action": "extended",
            "material": mat.id,
            "duration": duration,
            "expiry": dates.get("expiry"),
            "date": dates.get("date"),
        }
        ev = _make(s, "export_restriction", fields, {"issuer": issuer})
        if ev:
            out.append(ev)
    return out


_EFFECT_CUE = re.compile(
    r"\b(?:effective|take[sn]? effect|took effect|come[s]? into (?:force|effect)|starting|"
    r"from|as of|until|expir\w*)\b",
    re.IGNORECASE,
)


def window_from_previous(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """A restriction stated without its window takes the start and expiry the sentence just
    before gave for the same material, when that sentence made no event of its own ("Rules
    on graphite take effect on December 1. Exporters will need permits for graphite."):
    ``found`` with those fields."""
    prev = ctx.prev
    if (
        prev is None
        or prev.index != s.index - 1
        or ctx.last_event_index == prev.index
        or not prev.dates
        or not _EFFECT_CUE.search(prev.text)
    ):
        return found
    window = _classify_dates(prev, ctx)
    extra: dict[str, Any] = {k: window[k] for k in ("start", "expiry") if k in window}
    if not extra:
        return found
    named = {m.id for m in prev.materials()}
    out = []
    for e in found:
        if (
            e.type == "export_restriction"
            and e.fields.get("material") in named
            and not any(k in e.fields for k in ("start", "expiry"))
        ):
            e = e.with_fields({**e.fields, **extra})
        out.append(e)
    return out


_PERMIT = re.compile(
    r"\b(?P<verb>grant(?:s|ed|ing)?|issu(?:e|es|ed|ing)|gave|give[sn]?|giving|award(?:s|ed)?|"
    r"approv(?:e|es|ed)|allow(?:s|ed)?)\b[^.;]{0,80}?\b(?:permits?|permission|licen[cs]es?|"
    r"approvals?|exemptions?|waivers?)\s+to\s+(?:resume\s+|continue\s+)?export(?:ing)?\b|"
    # "granted X a six-month copper export permit"
    r"\b(?P<verb2>grant(?:s|ed|ing)?|issu(?:e|es|ed|ing)|gave|give[sn]?|giving|award(?:s|ed)?|"
    r"approv(?:e|es|ed))\b[^.;]{0,80}?\bexport\s+(?:permits?|licen[cs]es?|approvals?|"
    r"exemptions?|waivers?)\b",
    re.IGNORECASE,
)
_GOVERNMENT_SUBJECT = re.compile(
    r"\b(?:government|ministry|minister|authorities|regulator|cabinet)\b", re.IGNORECASE
)


def export_permit_events(s: Sent, ctx: Context) -> list[Event]:
    """A government letting a company export what its rules restrict ("The government
    granted X permission to export 2.3 million tons of nickel ore", "Indonesia will issue X a
    six-month permit to export copper concentrate"): the restriction suspended for that
    export (the corpus's convention for a permit under a ban). The issuer is the country
    that is the subject, or the article's government for "the government"."""
    m = _PERMIT.search(s.text)
    if m is None or not_asserted(s.text, m.start()) or _blocked(s, m.start()):
        return []
    verb = m.start("verb") if m.group("verb") else m.start("verb2")
    issuer = next(
        (
            c
            for c in s.countries()
            if c.end <= verb
            and c.role != "place"
            and not any(o.start <= c.start < o.end for o in s.companies())
        ),
        None,
    )
    if issuer is None and _GOVERNMENT_SUBJECT.search(s.text, 0, verb):
        issuer = ctx.last_issuer
    mats = [x for x in s.materials() if x.id and x.start >= m.end()] or [
        x for x in s.materials() if x.id and verb < x.start < m.end()
    ]
    if issuer is None or not mats:
        return []
    fields: dict[str, Any] = {
        "issuer": issuer.id,
        "action": "suspended",
        "material": mats[0].id,
        "date": _classify_dates(s, ctx, verb).get("date"),
    }
    ev = _make(s, "export_restriction", fields, {"issuer": issuer})
    return [ev] if ev else []


_LET_EXPORT = re.compile(
    # "X was allowed to continue exporting", "X had been permitted to export"
    r"\b(?P<passive>(?:was|were|is|are|has been|have been|had been)\s+(?:\w+ly\s+)?"
    r"(?:allowed|permitted))\s+to\s+(?:continue\s+|resume\s+|keep\s+)?export(?:ing)?\b"
    # "It let X continue exporting", "the government allowed X to keep exporting"
    r"|\b(?P<active>let|lets|allowed|allows|permitted|permits)\s+(?P<firm>(?:[A-Z][\w&.'’-]*\s+)"
    r"{1,4})(?:to\s+)?(?:continue\s+|resume\s+|keep\s+)?export(?:ing)?\b"
)
"""One company let export what a ban stops, told as a done thing about that company."""
_ASKED_TO_BE = re.compile(
    r"\b(?:ask\w*|request\w*|seek\w*|sought|appl\w*|lobb\w*|push\w*|hop\w*|want\w*|"
    r"wish\w*|bid|petition\w*)\b[^.;]{0,60}$",
    re.IGNORECASE,
)


_NAME = re.compile(r"[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3}")
_PASSIVE_SUBJECT = re.compile(
    r"(?:^|,\s+|\b(?:However|But|Yet|And)\s+|(?:However|But|Yet),\s+)"
    r"(?P<name>[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,3}),?\s+(?:however,\s+|too,\s+|also\s+|"
    r"still\s+)?$"
)
_GOVERNMENT_PRONOUN = re.compile(
    r"(?:^|,\s+)(?:It|it|The\s+(?:[\w-]+\s+)?(?:government|ministry|authorities|cabinet|"
    r"regulator))\s+(?:also\s+|then\s+|later\s+)?$"
)
"""The acting government named by a pronoun or description right before its verb."""
_NOT_FIRM = frozenset(
    [
        "The",
        "It",
        "They",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "We",
        "Exporters",
        "Companies",
        "Miners",
        "Producers",
        "Firms",
        "However",
        "But",
        "Yet",
        "And",
    ]
)


def _firm_name(s: Sent, m: re.Match[str] | None) -> bool:
    """Whether ``m`` spans a capitalised name no mention takes for a country, material or
    government: a company the lexicon does not know ("Amman was allowed to export")."""
    if m is None:
        return False
    a, b = m.span("name") if "name" in m.groupdict() else m.span()
    if s.text[a:b].split()[0] in _NOT_FIRM:
        return False
    return not any(x.start < b and a < x.end and x.kind != "company" for x in s.mentions)


def export_let_events(s: Sent, ctx: Context) -> list[Event]:
    """A company allowed to export during a ban ("X, however, was allowed to continue
    exporting until December", "It let X keep exporting until the smelter was built"): the
    ban suspended for that company (the corpus's convention for a permit under a ban), by
    the government the article is about, for the materials the sentence names or else those
    of that government's latest restriction. The subject of the passive must be a company
    and that of the active form a government; a request to be allowed ("asked to be
    allowed to export") is none."""
    m = _LET_EXPORT.search(s.text)
    if m is None or _blocked(s, m.start()):
        return []
    if m.group("passive") and not_asserted(s.text, m.start()):
        # (the clause reader knows no "let": the active form is checked by the hedge and
        # negation before it only)
        return []
    if _ASKED_TO_BE.search(s.text, max(0, m.start() - 60), m.start()):
        return []
    if m.group("passive"):
        lo = clause_at(list(parse_cached(s.text)), m.start()).start
        if not any(
            o.kind == "company" and lo <= o.start < m.start() for o in s.orgs()
        ) and not _firm_name(s, _PASSIVE_SUBJECT.search(s.text, lo, m.start())):
            return []
        issuer = ctx.last_issuer
    else:
        firm = m.start("firm")
        if not any(o.kind == "company" and o.start == firm for o in s.orgs()) and not _firm_name(
            s, _NAME.match(s.text, firm)
        ):
            return []
        issuer = next(
            (c for c in s.countries() if c.end <= m.start() and c.role != "place"), None
        ) or (
            ctx.last_issuer
            if _GOVERNMENT_PRONOUN.search(s.text, 0, m.start())
            or subject_is_reference(s.text, m.start())
            else None
        )
    if issuer is None:
        return []
    mats = [x for x in s.materials() if x.id and x.start >= m.end()] or _context_materials(
        s, ctx, issuer
    )
    out: list[Event] = []
    for mat in mats:
        fields: dict[str, Any] = {
            "issuer": issuer.id,
            "action": "suspended",
            "material": mat.id,
            "date": _classify_dates(s, ctx, m.start()).get("date"),
        }
        ev = _make(s, "export_restriction", fields, {"issuer": issuer})
        if ev:
            out.append(ev)
    return out


def fallback_events(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """Clause-read events of the types the pattern extractors found none of in ``s``."""
    types = {e.type for e in found}
    out: list[Event] = []
    if "export_restriction" not in types:
        out.extend(
            restriction_passive_events(s, ctx)
            or restriction_kept_events(s, ctx)
            or export_permit_events(s, ctx)
            or export_let_events(s, ctx)
        )
    if "facility" not in types and not found:
        out.extend(facility_clause_events(s, ctx))
    return out


__all__ = [
    "clause_at",
    "export_let_events",
    "facility_clause_events",
    "fallback_events",
    "restriction_passive_events",
]
