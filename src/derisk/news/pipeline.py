"""Article → linked sentences → proposed events (pure: no store, no I/O)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from derisk.model.catalog import Catalog, load_catalog
from derisk.model.event_fields import ExtractedValue, extracted_items
from derisk.model.names import slug
from derisk.model.news import EventJSON, FieldValue, MentionJSON
from derisk.news import calibration, deals, state_finance
from derisk.news.articles import Article
from derisk.news.clause_events import fallback_events, window_from_previous
from derisk.news.dates import find_dates
from derisk.news.events import (
    EXTRACTORS,
    KEY_FIELDS,
    UNNAMED_SOURCES,
    Context,
    Event,
    Sent,
    follow_up,
    lend_loose_details,
    note_loose_details,
    note_officials,
    project_name,
    same_org,
)
from derisk.news.lexicon import COMPANY_FORMS, Lexicon, Mention, sector_country, strip_legal
from derisk.news.text import sentences


@dataclass(frozen=True)
class NewEntity:
    """An organisation named in an event that the graph does not hold yet, proposed with its
    kind (``company`` or ``government`` for a state agency) and, where the article shows it,
    its country (ISO alpha-3) and the evidence for it."""

    name: str
    proposed_id: str
    kind: str
    country: str | None = None
    country_from: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "proposed_id": self.proposed_id,
            "kind": self.kind,
            "country": self.country,
            "country_from": self.country_from,
        }


EXCHANGE_COUNTRY = {
    "NYSE": "USA",
    "NYSE AMERICAN": "USA",
    "NASDAQ": "USA",
    "OTCQX": "USA",
    "OTCQB": "USA",
    "ASX": "AUS",
    "TSX": "CAN",
    "TSXV": "CAN",
    "TSX-V": "CAN",
    "TSX VENTURE": "CAN",
    "CSE": "CAN",
    "LSE": "GBR",
    "AIM": "GBR",
    "KRX": "KOR",
    "KOSPI": "KOR",
    "KOSDAQ": "KOR",
    "SSE": "CHN",
    "SZSE": "CHN",
    "SHA": "CHN",
    "SHE": "CHN",
    "TYO": "JPN",
    "TSE": "JPN",
    "JSE": "ZAF",
    "NZX": "NZL",
    "IDX": "IDN",
    "SGX": "SGP",
    "BURSA": "MYS",
    "B3": "BRA",
    "BMV": "MEX",
    "OSE": "NOR",
}
"""Home country proposed for a company from the exchange of its ticker: a listing is
evidence of the country, not proof (the reviewer sees ``country_from``)."""

LEGAL_FORM_COUNTRY = (
    (r"\bPty\.? Ltd\.?$|\bPty\.? Limited$", "AUS"),
    (r"\bAB$|\bAB \(publ\)$", "SWE"),
    (r"\bOyj?$", "FIN"),
    (r"\bGmbH$|\bAG$", "DEU"),
    (r"\bS\.?p\.?A\.?$", "ITA"),
    (r"\bASA$", "NOR"),
    (r"\bA/S$", "DNK"),
    (r"\bN\.?V\.?$|\bB\.?V\.?$", "NLD"),
    (r"\bplc$|\bPLC$", "GBR"),
    (r"\bK\.?K\.?$|\bKabushiki Kaisha$", "JPN"),
    (r"\bPte\.? Ltd\.?$", "SGP"),
    (r"\bSdn\.? Bhd\.?$|\bBhd\.?$", "MYS"),
    (r"^PT |\bTbk\.?$", "IDN"),
    (r"\bS\.A\.S\.?$|\bSAS$", "FRA"),
    (r"\bS\.?R\.?L\.?$", "ITA"),
)
_TICKER_AFTER = re.compile(
    r"^\s*\((?P<ex>[A-Za-z][A-Za-z -]{1,14}?)\s*:\s*[A-Z0-9.]{1,10}(?:\s*[;,][^)]*)?\)"
)
_GOVERNMENT_AFTER = re.compile(
    r"\s+(?:government|president|prime minister|premier|ministry|authorities|cabinet|officials|"
    r"regulators?|junta|customs)\b",
    re.IGNORECASE,
)
_GOVERNMENT_WORDS = re.compile(
    r"\b(?:Ministry|Department|Agency|Office|Administration|Bank of|Export[- ]Import Bank|"
    r"Export Finance|Development Bank|Development Finance|Corporation for|Fund of|Authority|"
    r"Commission|Government|Council)\b"
)


def propose_entity(m: Mention, sentence: str, mentions: tuple[Mention, ...]) -> NewEntity:
    """A new organisation as the graph would hold it: kind and, where the text shows it, the
    country, from the exchange of a ticker in parentheses ("(ASX: NAL)"), a country named as
    possessive or adjective just before it ("Australia's", "Canadian miner"), or a legal form
    ("Pty Ltd", "AB", "GmbH").

    >>> m = Mention(0, 20, "Norland Antimony Ltd", "company", None, "new")
    >>> propose_entity(m, "Norland Antimony Ltd (ASX: NAL) said.", (m,)).country
    'AUS'
    """
    name = m.value
    kind = "government" if _GOVERNMENT_WORDS.search(name) else "company"
    country: str | None = None
    why: str | None = None
    t = _TICKER_AFTER.match(sentence[m.end :]) if m.text == sentence[m.start : m.end] else None
    if t and t.group("ex").strip().upper() in EXCHANGE_COUNTRY:
        country = EXCHANGE_COUNTRY[t.group("ex").strip().upper()]
        why = f"listed on {t.group('ex').strip()}"
    if country is None:
        before = [
            c
            for c in mentions
            if c.kind == "country" and c.end <= m.start and m.start - c.end <= 40
        ]
        if before:
            c = before[-1]
            gap = sentence[c.end : m.start]
            if re.fullmatch(r"(?:['’]s|-based|-listed|n)?\s+(?:[a-z][\w-]*\s+){0,3}", gap) and (
                c.role == "demonym" or gap.startswith(("'s", "’s", "-based"))
            ):
                country = c.id
                why = f"described as {sentence[c.start : m.start].strip()}"
    if country is None:
        country = sector_country(name)
        why = "sector list" if country else None
    if country is None:
        for rx, iso in LEGAL_FORM_COUNTRY:
            if re.search(rx, name):
                country, why = iso, "legal form"
                break
    return NewEntity(name, proposed_id(name), kind, country, why)


@dataclass(frozen=True)
class Analysis:
    article: Article
    events: tuple[Event, ...]
    new_entities: tuple[NewEntity, ...]


def proposed_id(name: str) -> str:
    """Entity id proposed for a new organisation: the slug of its name without legal form.

    >>> proposed_id("Kibara Graphite Ltd")
    'kibara-graphite'
    """
    return slug(strip_legal(name))


def _json_value(v: ExtractedValue) -> FieldValue:
    out: FieldValue = v.isoformat() if isinstance(v, dt.date) else v
    return out


def entity_json(m: Mention) -> MentionJSON:
    return {"text": m.text, "id_or_null": m.id, "kind": m.kind}


def event_json(e: Event) -> EventJSON:
    """An event as the ``events[]`` item of ``derisk.news.ingest/1``."""
    return {
        "type": e.type,
        "fields": {k: _json_value(v) for k, v in extracted_items(e.fields)},
        "sentence": e.sentence,
        "confidence": e.confidence,
        "entities": [entity_json(m) for m in e.mentions],
    }


_COMMON_FIRST = frozenset(
    [
        "Export",
        "National",
        "General",
        "China",
        "Chinese",
        "United",
        "American",
        "First",
        "New",
        "North",
        "South",
        "East",
        "West",
        "Global",
        "International",
        "Rare",
        "Critical",
        "Energy",
        "Mineral",
        "Minerals",
        "Metals",
        "Battery",
        "Federal",
        "State",
        "Royal",
        "Western",
        "Eastern",
        "Northern",
        "Southern",
        "Central",
        "Asian",
        "European",
        "African",
        "Pacific",
        "Atlantic",
        "Lithium",
        "Graphite",
        "Nickel",
        "Cobalt",
        "Copper",
        "Antimony",
        "Tungsten",
    ]
)


def _new_short_names(m: Mention, lexicon: Lexicon) -> dict[str, Mention]:
    """Short forms of an organisation not in the graph that an event named ("Traxys" for
    "Traxys Europe"): those of :meth:`Lexicon.short_names`, and a distinctive first word."""
    out = lexicon.short_names(m)
    words = m.text.split()
    first = words[0]
    if len(words) >= 2 and len(first) >= 4 and first not in _COMMON_FIRST and first.istitle():
        out.setdefault(first, replace(m, canonical=m.text))
    return out


def _months(sentence: str, article: Article) -> set[tuple[int, int]]:
    """The months a sentence names (its dates at month or day precision)."""
    return {
        (d.date.year, d.date.month)
        for d in find_dates(sentence, article.published)
        if d.precision in ("day", "month")
    }


_ABBREV_DEF = re.compile(
    r"\b(?P<full>[A-Z][\w&.'’-]+(?:\s+(?:(?:of|for|and|the|&)\s+){0,2}[A-Z][\w&.'’-]+){1,6})"
    r"\s+\((?P<abbr>[A-Z][A-Z&]{1,5})\)"
)
_CONNECTOR = frozenset({"of", "for", "and", "the", "&"})
_ACRONYM_SKIPS = re.compile(r"U\.S\.|US|UK|EU|International|National|Federal")
"""Leading words an acronym may leave out: a country's short form, "International"."""


def _abbreviations(text: str) -> dict[str, str]:
    """Short forms the article defines ("General Motors (GM)", "Japan Bank for International
    Cooperation (JBIC)"): abbreviation → full name, kept only when the letters are the
    initials of the full name's last words (small words such as "for" left out). A state
    body's acronym may leave out its country ("U.S. International Development Finance
    Corporation (DFC)"): the full name keeps it.

    >>> _abbreviations("The Japan Bank for International Cooperation (JBIC) lent …")
    {'JBIC': 'Japan Bank for International Cooperation'}
    >>> _abbreviations("the US International Development Finance Corp (DFC) and Ford (F)")
    {'DFC': 'US International Development Finance Corp'}
    >>> _abbreviations("the U.S. Department of Energy (DOE)")
    {'DOE': 'U.S. Department of Energy'}
    """
    out: dict[str, str] = {}
    for m in _ABBREV_DEF.finditer(text):
        words = m.group("full").split()
        abbr = m.group("abbr").replace("&", "")
        heads = [i for i, w in enumerate(words) if w not in _CONNECTOR]
        for j, i in enumerate(heads):
            initials = "".join(words[h][0] for h in heads[j:]).upper()
            if abbr not in (initials, "".join(w[0] for w in words[i:]).upper()):
                continue  # "Department of Energy (DOE)" keeps the small word's letter
            lead = words[:i]
            while lead and not _ACRONYM_SKIPS.fullmatch(lead[0]):
                lead = lead[1:]
            if not all(_ACRONYM_SKIPS.fullmatch(w) for w in lead):
                lead = []
            if len(heads) - j >= 2 or lead:
                out.setdefault(m.group("abbr"), " ".join([*lead, *words[i:]]))
            break
    return out


def _expand_abbreviations(e: Event, abbrev: dict[str, str]) -> Event:
    """An organisation not in the graph named by its abbreviation takes the full name the
    article defined for it."""
    fields, links = dict(e.fields), dict(e.links)
    for k, m in e.links.items():
        if m.id is None and m.kind in ("company", "government") and e.fields.get(k) in abbrev:
            full = abbrev[str(fields[k])]
            fields[k] = full
            links[k] = replace(m, canonical=full)
    if fields == e.fields:
        return e
    return e.with_fields(fields, links=links)


_PARTY = {
    "stake_acquisition": ("acquirer", "target"),
    "investment": ("investor", "target"),
    "offtake": ("supplier", "buyer"),
    "loan": ("lender", "borrower"),
    "grant": ("grantor", "recipient"),
}


def _same_party(x: object, y: object) -> bool:
    """Two names of one organisation: equal keys, or one key the other's head
    ("lithium-americas" and "lithium-americas-corp")."""
    if x is None or y is None:
        return x is y
    kx, ky = slug(strip_legal(str(x))), slug(strip_legal(str(y)))
    return kx == ky or kx.startswith(ky + "-") or ky.startswith(kx + "-")


def _headline_line(text: str) -> str | None:
    r"""The text's first line when it is a headline kept with the body (no title given): title
    case, no closing full stop, at most 25 words.

    >>> _headline_line("U.S. Government Acquires 5% Stake in Lithium Americas\n\nOn October 1, …")
    'U.S. Government Acquires 5% Stake in Lithium Americas'
    >>> _headline_line("The company said on Monday it bought a stake in X.\nMore text") is None
    True
    """
    first = text.strip().split("\n", 1)[0].strip()
    words = [w for w in first.split() if len(w) >= 4 and w[0].isalpha()]
    if not words or first.endswith(".") or len(first.split()) > 25:
        return None
    caps = sum(1 for w in words if w[0].isupper())
    return first if caps >= 0.6 * len(words) else None


def _drop_headline_variants(events: list[Event], title: str | None) -> list[Event]:
    """Headlines abbreviate ("U.S. Government Acquires 5% Stake in …" for the Department of
    Energy's stake the body reports): a deal read from a headline repeated in the text is
    dropped when the body states a deal of the same type with one party the same and the
    other different."""
    if not title:
        return events
    head = title.strip().rstrip(".").lower()

    def from_headline(e: Event) -> bool:
        return e.sentence.strip().rstrip(".").lower() == head or (
            e.sentence_index == 0 and e.sentence.lower().startswith(head)
        )

    out = []
    for e in events:
        roles = _PARTY.get(e.type)
        if roles and from_headline(e):
            a, b = roles
            if any(
                o.type == e.type
                and not from_headline(o)
                and _same_party(o.fields.get(b), e.fields.get(b))
                != _same_party(o.fields.get(a), e.fields.get(a))
                for o in events
            ):
                continue
        out.append(e)
    return out


_FACILITY_LAST = re.compile(
    r"\b(?:Smelter|Refinery|Mine|Plant|Project|Mill|Repairs?|Facility|Complex)$"
)


_TERMS_TO_COME = re.compile(
    r"^(?:Under|Through|With) (?:the|this|that) (?:[\w-]+ ){0,2}?(?:agreement|deal|MoU|"
    r"memorandum|arrangement)\b[^.]*?\b(?:will|would|are to|plan to|aim to) (?:work|move|"
    r"negotiate|seek|proceed)\w* (?:towards?|to|on) (?:a |an |the )?(?:binding|definitive|"
    r"formal|final|full)\b",
    re.IGNORECASE,
)


def _drop_preliminary(events: list[Event], texts: dict[int, str]) -> list[Event]:
    """A deal whose next sentence says binding terms are still to come ("Under the agreement,
    the parties will work towards a binding agreement for the supply of …") is preliminary,
    like a memorandum: no deal yet."""
    return [
        e
        for e in events
        if not (
            e.type in ("offtake", "stake_acquisition", "investment")
            and _TERMS_TO_COME.search(texts.get(e.sentence_index + 1, ""))
        )
    ]


_FORM_WORDS = frozenset((*COMPANY_FORMS, "Materials"))
"""Words of a company's form, which a short name may leave off ("AMG Critical")."""


def _first_words_of(m: Mention, named: list[Mention]) -> list[Mention]:
    """The one new company of the article whose name opens with the event's one-word short
    name ("BTR" after "BTR New Material Group", "Hartwell" after "Hartwell Energy Group"): the
    article introduced it in full and then shortened it. None when two companies share the
    opening word but neither name contains the other (a short name that could stand for
    either)."""
    words = m.value.split()
    # the article's new companies whose name opens with the short one and goes on
    opening = [
        c
        for c in named
        if c.kind == "company"
        and c.id is None
        and c.value.split()[: len(words)] == words
        and len(c.value.split()) > len(words)
    ]
    if len(words) > 1:
        # "AMG Critical" (a headline's cut) for "AMG Critical Materials": the fuller name adds
        # only words of a company's form, never a commodity or place ("Rio Tinto Lithium" is
        # Rio Tinto's subsidiary)
        fuller = [
            c for c in opening if all(w in _FORM_WORDS for w in c.value.split()[len(words) :])
        ]
        return fuller if len(fuller) == 1 else []
    if len(m.value) < 3 or m.value.lower() in _COMMON_SHORT:
        return []
    fuller = [c for c in opening if not _FACILITY_LAST.search(c.value)]
    keys = {re.sub(r"\W+", " ", c.value.lower()).strip() for c in fuller}
    longest = max(fuller, key=lambda c: len(c.value)) if fuller else None
    if longest is None or any(
        not re.sub(r"\W+", " ", longest.value.lower()).startswith(k) for k in keys
    ):
        return []
    return [longest]


_COMMON_SHORT = frozenset({"the", "new", "north", "south", "east", "west", "united", "general"})


def _full_names(e: Event, named: list[Mention]) -> Event:
    """A new company named in short in the event ("US Antimony") takes the longest name the
    article gives it ("United States Antimony Corp.")."""
    fields = dict(e.fields)
    for k, m in e.links.items():
        if m.id is not None or m.kind != "company" or fields.get(k) != m.value:
            continue
        longer = [
            c
            for c in named
            if len(c.value) > len(m.value)
            and same_org(c, m)
            # "Freeport Amid Smelter" (a headline's capitals) names no company
            and not _FACILITY_LAST.search(c.value)
        ]
        if not longer:
            longer = _first_words_of(m, named)
        if longer:
            fields[k] = max(longer, key=lambda c: len(c.value)).value
        # "Thacker Pass JV": the press's abbreviation, written out as the body writes it
        fields[k] = re.sub(r"\s+JV\.?$", " joint venture", str(fields[k]))
    return e if fields == e.fields else e.with_fields(fields)


def _recalibrate(e: Event, published: dt.date | None) -> Event:
    """The event's calibration group and confidence, now that the article's publication date
    tells whether it looks back (:mod:`derisk.news.calibration`)."""
    flags = set(e.group.split("/")[4:]) if e.group else set()
    keys = [k for k in KEY_FIELDS[e.type] if k in e.links]
    new = sum(1 for k in keys if e.links[k].id is None and e.links[k].kind != "country")
    dates = [v for k, v in e.fields.items() if k in ("date", "start") and isinstance(v, dt.date)]
    group = calibration.group_of(
        e.type,
        lead=e.sentence_index < calibration.LEAD_SENTENCES,
        old=calibration.is_old(e.sentence, dates, published),
        new=new,
        by_reference="ref" in flags,
        complete="partial" not in flags,
    )
    hedged = bool(UNNAMED_SOURCES.search(e.sentence))
    return replace(e, group=group, confidence=calibration.calibrated(group, hedged=hedged))


_ADVERBIAL_BEFORE = re.compile(
    r"\b(?:after|since|following|before|when|while|like|as)\b[^,;:]*$", re.IGNORECASE
)


_ANNOUNCED = re.compile(r"\b(?:announced|said|says|confirmed|told|stated)\b", re.IGNORECASE)


def _share_announcement_day(events: list[Event], found: list[Event], s: Sent) -> None:
    """Restrictions of the sentence before, of the same government and material and without a
    day, take the day the government announced this sentence's restriction ("Congo is lifting its
    export ban starting October 16. It will now control supply through quotas, the
    regulator announced Sunday."): one announcement. ``events`` is updated in place."""
    days = {
        (e.fields["issuer"], e.fields.get("material")): e.fields["date"]
        for e in found
        if e.type == "export_restriction" and e.fields.get("date") is not None
    }
    if not days or not _ANNOUNCED.search(s.text):
        return
    for i, e in enumerate(events):
        if (
            e.type == "export_restriction"
            and e.sentence_index == s.index - 1
            and "date" not in e.fields
            and (e.fields.get("issuer"), e.fields.get("material")) in days
        ):
            day = days[(e.fields.get("issuer"), e.fields.get("material"))]
            events[i] = e.with_fields({**e.fields, "date": day})


_CAPS_LEAD = re.compile(
    r"^([A-Z]{4,})(?=\s+[a-z])"
    # a dateline in capitals ("PUTRAJAYA: …", "KUALA LUMPUR (Reuters) -"): the seat of the
    # government the story is about
    r"|^[^A-Z]{0,20}?([A-Z]{4,}(?:\s[A-Z]{3,})?)(?=\s*:\s|\s+\(|\s+[-–—]\s)"
)


def _title_lead(text: str, lexicon: Lexicon) -> str:
    """``text`` with a sentence-opening country written in capitals as a name ("CHINA has
    curbed exports …", a house style): the same length, so mentions keep their offsets. An
    acronym that is no country ("CATL has …") stays as written."""
    m = _CAPS_LEAD.match(text)
    if m is None:
        return text
    g = 1 if m.group(1) else 2
    word = m.group(g).title()
    if any(x.kind == "country" for x in lexicon.mentions(word)) and not lexicon.mentions(
        m.group(g)
    ):
        return text[: m.start(g)] + word + text[m.end(g) :]
    return text


def analyze(article: Article, lexicon: Lexicon, catalog: Catalog | None = None) -> Analysis:
    """Every event the article's main text states, in text order, without duplicates."""
    catalog = catalog or load_catalog()
    ctx = Context(published=article.published, catalog=catalog)
    active: dict[str, Mention] = {}
    if article.title:
        # titles abbreviate: only graph entities named there enable their short names
        for m in lexicon.mentions(article.title, active):
            if m.id is not None:
                active.update(lexicon.short_names(m))
            if m.kind == "material" and m.id is not None and ctx.last_material is None:
                ctx.last_material = m
            if (
                m.kind == "country"
                and ctx.last_issuer is None
                and m.role in ("name", "capital")
                and not re.search(
                    r"\b(?:to|from|against|in|on|for|into|of|with)\s+(?:the\s+)?$",
                    article.title[: m.start],
                    re.IGNORECASE,
                )
            ):
                # the headline's acting country is the government "the ministry" and "it"
                # refer to before the text names it
                ctx.last_issuer = m
        ctx.last_project = project_name(article.title, tuple(lexicon.mentions(article.title)))
    events: list[Event] = []
    named: list[Mention] = []
    sents = sentences(article.text, article.published)
    # relative dates ("on Wednesday", "yesterday") count from the day the story is dated: its
    # dateline when it opens with one (a page may be published the day after), else publication
    anchor = (sents[0].dateline if sents else None) or article.published
    texts: dict[int, str] = {}
    for s in sents:
        texts[s.index] = s.text
        mentions = tuple(lexicon.mentions(_title_lead(s.text, lexicon), active))
        named.extend(m for m in mentions if m.kind == "company" and m.id is None)
        sent = Sent(s.text, s.index, mentions, s.dateline, tuple(find_dates(s.text, anchor)))
        found: list[Event] = []
        for extract in EXTRACTORS:
            found.extend(extract(sent, ctx))
        found = deals.refine(sent, ctx, found)
        found = state_finance.refine(sent, ctx, found)
        found.extend(e for e in fallback_events(sent, ctx, found) if not deals.not_done(sent, e))
        found = window_from_previous(sent, ctx, found)
        found = lend_loose_details(sent, ctx, found)
        if found:
            _share_announcement_day(events, found, sent)
            for e in found:
                for m in e.links.values():
                    if m.id is None and m.kind == "company":
                        active.update(_new_short_names(m, lexicon))
            events.extend(found)
            ctx.events = events
            ctx.last_event_index = s.index
            # a government acting in an adverbial clause ("The ban comes months after
            # Zimbabwe banned …") is a comparison, not the government the article is about
            issuers = [
                e.links["issuer"]
                for e in found
                if "issuer" in e.links
                and not _ADVERBIAL_BEFORE.search(s.text[: e.links["issuer"].start])
            ]
            if issuers:
                ctx.last_issuer = issuers[0]
        else:
            note_loose_details(sent, ctx)
            for upd in follow_up(sent, ctx):
                for i, e in enumerate(events):
                    if e.sentence_index == upd.sentence_index and e.key() == upd.key():
                        events[i] = upd
            ctx.events = events
            for upd in deals.follow(sent, ctx):
                for i, e in enumerate(events):
                    if e.sentence_index == upd.sentence_index and deals.same_deal(e, upd):
                        events[i] = upd
            ctx.events = events
        ctx.prev = sent
        note_officials(s.text, ctx)
        ctx.last_project = project_name(s.text, mentions) or ctx.last_project
        mats = [m for m in mentions if m.kind == "material" and m.id is not None]
        if mats:
            ctx.last_material = mats[-1]
        orgs = [m for m in mentions if m.kind in ("company", "government")]
        if orgs:
            ctx.last_orgs = orgs
        if ctx.last_issuer is None:
            govs = [
                m
                for m in mentions
                if m.kind == "country"
                and (
                    m.role in ("name", "capital")
                    or (m.role == "demonym" and _GOVERNMENT_AFTER.match(s.text, m.end))
                )
            ]
            if govs:
                ctx.last_issuer = govs[0]
        for m in mentions:
            active.update(lexicon.short_names(m))
    events = _drop_preliminary(events, texts)
    events = _drop_headline_variants(events, article.title or _headline_line(article.text))
    events = deals.home_dollar(events, article.url, article.text)
    # names made whole first, so that a headline's short name and the body's full one are one
    # party
    events = [_full_names(e, named) for e in events]
    # a restatement of an event (same type and key fields, no conflicting value) adds the
    # details it states to the first statement ("… for five years" in the next paragraph)
    unique: list[Event] = []
    for e in events:
        for i, u in enumerate(unique):
            if u.key() != e.key():
                continue
            years_u = set(re.findall(r"\b(?:19|20)\d\d\b", u.sentence))
            if set(re.findall(r"\b(?:19|20)\d\d\b", e.sentence)) - years_u:
                continue  # "… banned exports of raw ore in December 2022": another event
            months_u, months_e = _months(u.sentence, article), _months(e.sentence, article)
            if months_u and months_e and not months_u & months_e:
                continue  # "halted exports in February" after "quotas from October 16"
            shared = set(u.fields) & set(e.fields)
            if all(str(u.fields.get(f)) == str(e.fields.get(f)) for f in shared):
                extra = {k: v for k, v in e.fields.items() if k not in u.fields}
                if extra:
                    unique[i] = u.with_fields({**u.fields, **extra})
                break
        else:
            unique.append(e)
    unique = [_recalibrate(e, article.published) for e in unique]
    abbrev = _abbreviations(article.text)
    if abbrev:
        unique = [_expand_abbreviations(e, abbrev) for e in unique]
    new: dict[str, NewEntity] = {}
    for e in unique:
        for m in e.links.values():
            if m.id is None and m.kind == "company":
                cand = propose_entity(m, e.sentence, e.mentions)
                have = new.get(cand.proposed_id)
                if have is None or (have.country is None and cand.country is not None):
                    new[cand.proposed_id] = cand
    return Analysis(article, tuple(unique), tuple(new.values()))
