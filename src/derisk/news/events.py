"""Supply-chain events from sentences: typed fields, each traced to its sentence.

Pure functions over a sentence, its linked mentions (:mod:`derisk.news.lexicon`) and the
publication date. The extractor is rule-based: a trigger phrase names the event and its
action; roles are filled from the linked names around it (the subject before the trigger;
objects after prepositions such as *in*, *of*, *to*, *from*, *with*); numbers come from
money, percent, quantity and duration patterns; dates are resolved by
:mod:`derisk.news.dates`. A trigger preceded in its clause by a negation ("denied", "did
not") or a hedge ("may", "could", "is considering", "plans to") yields no event. Attribution
to unnamed sources lowers the confidence.

Event types and fields (entity-valued fields hold a graph id when linked, else the name):

============================ ==========================================================
``stake_acquisition``        acquirer, target, percent, amount, currency, date
``investment``               investor, target, amount, currency, material, date
``offtake``                  supplier, buyer, material, quantity, unit, term, amount,
                             currency, date
``first_export``             exporter, material, destination, quantity, unit, date
``export_restriction``       issuer, action (imposed|lifted|suspended|resumed), material,
                             target, duration, start, expiry, date
``facility``                 company, action (opening|expansion|closure), material, stage,
                             location, capacity, unit, date
``loan``                     lender, borrower, amount, currency, date
``grant``                    grantor, recipient, amount, currency, program, date
============================ ==========================================================

Confidence is calibrated (:mod:`derisk.news.calibration`): the share of proposals of the
same group (type; a key organisation new to the graph or not; a role taken from an earlier
sentence or not; the usual fields found or not) that were right on the development half of
the real-article corpus, Laplace-smoothed, times 0.6 when attributed to unnamed sources.

Roles are filled by pattern families rather than single verbs: active, passive and nominal
wording ("banned exports of", "exports … shall not be permitted", "the suspension of its
ban"), holdings ("now owns 35% of"), funding ("obtained A$150 million of funding from", "plans
to put €90 million into"), supply ("will deliver … to", "committed to take … from", "will
source … from"), first cargoes and first output. A trigger inside a relative clause or after
a lifting or suspension in the same sentence names an earlier measure and adds no event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from derisk.model.catalog import Catalog
from derisk.model.event_fields import ExtractedFields, extracted_fields
from derisk.news.calibration import LEAD_SENTENCES, calibrated, group_of
from derisk.news.clauses import (
    in_background,
    measure_is_changed,
    not_asserted,
    status_at,
    subject_is_reference,
    subject_span,
)
from derisk.news.dates import DateMention, add_period, parse_duration
from derisk.news.lexicon import OFFICIAL_TITLES, ORG_WORDS, Mention, name_key, sector_maker

EVENT_TYPES = (
    "stake_acquisition",
    "investment",
    "offtake",
    "first_export",
    "export_restriction",
    "facility",
    "loan",
    "grant",
)

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "stake_acquisition": ("acquirer", "target"),
    "investment": ("investor", "target"),
    "offtake": ("supplier", "buyer"),
    "first_export": ("exporter", "material", "destination"),
    "export_restriction": ("issuer", "action", "material"),
    "facility": ("company", "action"),
    "loan": ("lender", "borrower"),
    "grant": ("grantor", "recipient"),
}
"""Fields that identify an event: a proposal needs all of them; evaluation matches on them."""

EXPECTED_FIELDS: dict[str, tuple[str, ...]] = {
    "stake_acquisition": ("percent",),
    "investment": ("amount",),
    "offtake": ("material",),
    "first_export": ("material",),
    "export_restriction": (),
    "facility": ("material",),
    "loan": ("amount",),
    "grant": ("amount",),
}
"""Fields whose presence raises an event's confidence."""

ENTITY_FIELDS = frozenset(
    {"acquirer", "target", "investor", "supplier", "buyer", "exporter", "company", "issuer"}
    | {"lender", "borrower", "grantor", "recipient"}
)
COUNTRY_FIELDS = frozenset({"destination", "location", "issuer"})

# --------------------------------------------------------------------------- cue words
NEGATION = re.compile(
    r"\b(?:denied|denies|deny|denying|not|no plans?|never|rejected|ruled out|rules out|"
    r"dismissed|n't|neither|called off|abandoned|scrapped plans)\b",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(?:may|might|could|would (?:consider|study|look)|consider(?:s|ed|ing)?|weigh(?:s|ing)?|"
    r"mull(?:s|ing)?|explor(?:e|es|ing)|in talks|negotiat(?:e|es|ing)|"
    r"potential(?:ly)?|possible|possibly|"
    r"plan(?:s|ned|ning)? to|aim(?:s|ing)? to|intend(?:s|ed)? to|seek(?:s|ing)? to|"
    r"hope(?:s|d)? to|expect(?:s|ed)? to|(?:is|are|was|were) expected|due to (?:start|begin|open)|"
    # a forecast of someone else's act: "Analysts expect China to tighten controls"
    r"(?:expect|forecast|predict|anticipate)(?:s|ed|ing)?\s+(?:[\w'’.-]+\s+){1,4}?to|"
    r"proposed|talks (?:to|on|about)|study|studying|would like|nears|nearing|approach(?:es|ing)|"
    # "near" is nearness to an act ("near deal to buy"), not a place ("the smelter near the
    # port was shut down")
    r"near(?=\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?(?:deal|agreement|accord|pact|completion|"
    r"decision|sale|takeover|acquisition|purchase|settlement|closing|final|finali[sz]\w*)\b)|"
    r"on track to|poised to|set to|ready to|preparing to|prepares to|"
    r"threat(?:en|ens|ened|ening)? to|vow(?:s|ed|ing)? to|(?:is|are|was|were) (?:un)?likely to|"
    r"want(?:s|ed)? to|look(?:s|ing)? to|(?:has|have|had) the (?:ability|power|option|means) to|"
    r"fears?|feared|warn(?:s|ed|ing)?|if|unless|call(?:s|ed)? for|urg(?:e|es|ed|ing)|"
    r"push(?:es|ed|ing)? for|draft|proposals?|"
    # nearness to an act is not the act: "is close to shutting down", "on the brink of"
    r"close to(?=\s*$|\s+\w+ing\b)|on the (?:verge|brink|cusp) of|at risk of|in danger of)\b",
    re.IGNORECASE,
)
UNNAMED_SOURCES = re.compile(
    r"\b(?:people (?:familiar|with knowledge)|sources? (?:said|say|told|close)|"
    r"according to (?:people|sources|a person)|reportedly|media reports?|one of the people|"
    r"traders said|two traders|a person (?:close|familiar))\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- numbers
_CUR_SYMBOL = {
    "us$": "USD",
    "$us": "USD",
    "$a": "AUD",
    "$c": "CAD",
    "$": "USD",
    "a$": "AUD",
    "au$": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "hk$": "HKD",
    "nz$": "NZD",
    "s$": "SGD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "rmb": "CNY",
    "eur": "EUR",
    "usd": "USD",
    "aud": "AUD",
    "cad": "CAD",
    "krw": "KRW",
    "cny": "CNY",
    "jpy": "JPY",
    "aud$": "AUD",
    "usd$": "USD",
    "₩": "KRW",
    "gbp": "GBP",
    "chf": "CHF",
    "nok": "NOK",
    "sek": "SEK",
    "zar": "ZAR",
    "inr": "INR",
    "₹": "INR",
    "rs": "INR",
    "rs.": "INR",
    "r": "ZAR",
}
_CUR_WORD = {
    "yuan": "CNY",
    "renminbi": "CNY",
    "won": "KRW",
    "yen": "JPY",
    "euro": "EUR",
    "euros": "EUR",
    "dollars": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "australian dollars": "AUD",
    "canadian dollars": "CAD",
    "pounds": "GBP",
    "rupees": "INR",
    "reais": "BRL",
}
_SCALE = {
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
    "crore": 1e7,
    "lakh": 1e5,
}
_NUMBER = (
    r"\d+,\d{1,2}(?=\s?(?i:trillion|billion|million|crore|lakh|bn|mn|m)\b)"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
)
"""A number as the press writes it: "1,200,000.5"; "€1,2 million" is a decimal comma (one or
two digits after the comma and a scale word after them)."""
MONEY_SYMBOL_RE = re.compile(
    r"(?<![\w$])(?P<cur>\$US|\$A(?=\s?\d)|\$C(?=\s?\d)|US\$|AUD\$|USD\$|A\$|AU\$|C\$|CA\$|HK\$|NZ\$|S\$|\$|€|£|¥|₩|₹|Rs\.?\s?(?=\d)|R(?=\d)|RMB\s?|EUR\s?|USD\s?|AUD\s?|CAD\s?|KRW\s?|CNY\s?|JPY\s?|GBP\s?|CHF\s?|NOK\s?|SEK\s?|ZAR\s?|INR\s?)"
    r"\s?(?P<num>"
    + _NUMBER
    # "$2.26-billion": a hyphen before the scale
    + r")(?:-(?=(?i:trillion|billion|million|bn|mn|m)\b)|\s?)"
    r"(?P<scale>(?i:trillion|billion|million|thousand|crore|lakh|bn|mln|mn|m|b|k))?\b"
)
MONEY_WORD_RE = re.compile(
    r"\b(?P<num>" + _NUMBER + r")\s?(?P<scale>trillion|billion|million|thousand|crore|lakh|bn|mln"
    r"|mn)?\s+"
    r"(?P<cur>yuan|renminbi|won|yen|euros?|(?:US |U\.S\. |Australian |Canadian )?dollars|pounds|"
    r"rupees|reais)\b",
    re.IGNORECASE,
)
_CONVERSION_BEFORE = re.compile(
    r"^\s*(?:\(|,?\s*or\s+)\s*(?:about\s+|roughly\s+|around\s+|approximately\s+)?$"
)
_PRICE_AFTER = re.compile(r"^\s*(?:a|per|each|apiece|/)\b|^\s*/|^\s*apiece", re.IGNORECASE)
PERCENT_RE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s?(?:%|per ?cent\b)", re.IGNORECASE)
QUANTITY_RE = re.compile(
    r"(?P<num>"
    + _NUMBER
    + r")(?:\s?(?:-|–|to)\s?(?:"
    + _NUMBER
    + r"))?\s?(?P<scale>million|thousand)?"
    r"(?:\s*|-)"
    r"(?P<unit>ktpa|mtpa|tpa|dry metric tonnes|dry metric tonne|wet metric tonnes|wmt|"
    r"metric tonne|metric ton|"
    r"dry metric tons|"
    r"metric tonnes|metric tons|tonnes|tons|tonne|"
    r"kilotonnes|kilotons|kt|kilograms|kg|dmt|mt|t)\b",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(
    r"^(?:[^.;]{0,60}?)\b(?:a[ -]year|per[ -]year|per annum|annually|each year|a yr|/yr|p\.a\.|"
    r"(?:per|a|every|each) (?:12|twelve) months)",
    re.IGNORECASE,
)


_PER_SHORTER = re.compile(
    r"\s*(?:(?:of\s+[\w\s-]{1,30}?\s+)?(?:a|per|each|every)\s+(?:month|week|day|quarter)\b"
    r"|/\s*(?:month|mo|week|wk|day|d)\b|(?:monthly|weekly|daily|quarterly)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Money:
    start: int
    end: int
    amount: float
    currency: str


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float
    unit: str


def _num(text: str) -> float:
    """``"1,200.5"`` → 1200.5; ``"1,2"`` (a decimal comma, see :data:`_NUMBER`) → 1.2."""
    if re.fullmatch(r"\d+,\d{1,2}", text):
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


def find_money(sentence: str) -> list[Money]:
    """Amounts of money, in units of the currency, with ISO 4217 codes; prices are skipped.

    >>> [(m.amount, m.currency) for m in find_money("for A$310 million, or 120 billion won")]
    [(310000000.0, 'AUD'), (120000000000.0, 'KRW')]
    >>> [(m.amount, m.currency) for m in find_money("a loan of up to USD75 million")]
    [(75000000.0, 'USD')]
    """
    out: list[Money] = []
    for m in MONEY_SYMBOL_RE.finditer(sentence):
        if _PRICE_AFTER.match(sentence[m.end() :]):
            continue
        if out and _CONVERSION_BEFORE.search(sentence[out[-1].end : m.start()]):
            # "$US6.7 billion ($10.5 billion)", "A$310 million (US$205 million)": the same sum
            # converted into another currency
            continue
        cur = _CUR_SYMBOL[m.group("cur").strip().lower()]
        scale = _SCALE.get((m.group("scale") or "").lower(), 1.0)
        out.append(Money(m.start(), m.end(), _num(m.group("num")) * scale, cur))
    for m in MONEY_WORD_RE.finditer(sentence):
        if _PRICE_AFTER.match(sentence[m.end() :]):
            continue
        if any(o.start <= m.start() < o.end for o in out):
            continue
        cur = _CUR_WORD[m.group("cur").lower()]
        scale = _SCALE.get((m.group("scale") or "").lower(), 1.0)
        out.append(Money(m.start(), m.end(), _num(m.group("num")) * scale, cur))
    return sorted(out, key=lambda x: x.start)


def find_quantities(sentence: str) -> list[Quantity]:
    """Tonnages; ``t/yr`` when a yearly rate follows or "annual" precedes.

    >>> [(q.value, q.unit) for q in find_quantities("up to 12,000 tonnes a year of anode material")]
    [(12000.0, 't/yr')]
    """
    out: list[Quantity] = []
    for m in QUANTITY_RE.finditer(sentence):
        unit_word = m.group("unit").lower()
        if unit_word in ("t", "mt") and not re.match(r"\d", m.group(0)):
            continue
        value = _num(m.group("num")) * {"million": 1e6, "thousand": 1e3}.get(
            (m.group("scale") or "").lower(), 1.0
        )
        unit = "kg" if unit_word in ("kilograms", "kg") else "t"
        if unit_word in ("kilotonnes", "kilotons", "kt"):
            value *= 1e3  # "20kt", "12 kilotonnes"
        elif m.group("unit") == "Mt" and not m.group("scale"):
            value *= 1e6  # "2.5 Mt" is million tonnes; "mt" and "MT" are metric tonnes
        if unit_word in ("ktpa", "mtpa", "tpa"):
            value *= {"ktpa": 1e3, "mtpa": 1e6, "tpa": 1.0}[unit_word]
            out.append(Quantity(m.start(), m.end(), value, "t/yr"))
            continue
        before = sentence[max(0, m.start() - 40) : m.start()].lower()
        after = sentence[m.end() :]
        if _PER_SHORTER.match(after):
            # "2,500 tonnes a month": a rate over a span shorter than a year is neither a
            # tonnage nor a yearly rate; read it as neither rather than misreport it
            continue
        if (
            _PER_YEAR.match(after)
            or re.match(r"\s*/\s*(?:yr|y|year|a|annum)\b|\s*pa\b", after)
            or re.search(r"\b(?:annual|yearly)\b", before)
        ):
            unit += "/yr"
        out.append(Quantity(m.start(), m.end(), value, unit))
    return out


# --------------------------------------------------------------------------- structures
@dataclass(frozen=True)
class Event:
    """One proposed event. ``links`` maps entity-valued fields to the mention they came from."""

    type: str
    fields: ExtractedFields
    sentence: str
    sentence_index: int
    confidence: float
    mentions: tuple[Mention, ...]
    links: dict[str, Mention] = field(default_factory=dict)
    group: str = ""
    """Calibration group (:func:`derisk.news.calibration.group_of`) the confidence comes from."""

    def key(self) -> tuple[str, ...]:
        return (self.type, *(str(self.fields.get(k)) for k in KEY_FIELDS[self.type]))

    def with_fields(
        self, fields: Mapping[str, object], links: dict[str, Mention] | None = None
    ) -> Event:
        """This event with ``fields`` (checked by :func:`extracted_fields`) and ``links``."""
        return replace(
            self, fields=extracted_fields(fields), links=self.links if links is None else links
        )


@dataclass
class Context:
    """What earlier sentences of the same article tell about later ones."""

    published: dt.date | None
    catalog: Catalog
    last_orgs: list[Mention] = field(default_factory=list)
    last_issuer: Mention | None = None
    events: list[Event] = field(default_factory=list)
    last_event_index: int = -10
    prev: Sent | None = None
    """The sentence before the current one."""
    last_project: Mention | None = None
    """The project or mine the article named last ("the Goulamina lithium project")."""
    last_material: Mention | None = None
    """The material the article named last (the title's before the text's)."""
    funders: list[tuple[int, Mention, str, str | None, dt.date | None]] = field(
        default_factory=list
    )
    """Public funders' announced totals (sentence index, funder, ``grant`` or ``loan``,
    programme, day): :func:`derisk.news.state_finance.note_total`."""
    pending: tuple[int, Mention, dt.date | None, Mention | None] | None = None
    """A restriction announced without its materials (sentence index, issuer, date, target)."""
    pending_facility: tuple[Sent, dict[str, object], dict[str, Mention]] | None = None
    """A facility act whose operator the sentence leaves to the next ones ("The owner of the
    mine says it will suspend mining"): the sentence, its fields and links but the company."""
    officials: set[str] = field(default_factory=set)
    """Surnames of the people the article named with a title of office ("Mines Minister
    Winston Chitando" → "Chitando"): when one of them acts, the article's government does."""
    loose: list[tuple[int, Mention, Money | None, dt.date | None]] = field(default_factory=list)
    """Details told in sentences that gave no event (sentence index, party, the sum the party
    puts in, the day a deal of it was made): :func:`note_loose_details`."""
    grant_funder: Mention | None = None
    """The public body the article last named as a grant's funder ("a Defense Department
    grant"): :func:`derisk.news.deals.refine`."""


_TITLE = r"(?:President|Minister|Premier|Secretary|Governor|Chancellor)"
_OFFICIAL = re.compile(r"\b" + _TITLE + r"\b((?:\s+(?:of|for|and|[A-Z][\w'’-]+))+)")


def note_officials(text: str, ctx: Context) -> None:
    """Remember the surnames of people named with a title of office in ``text``: the last
    capitalised word of the name after the title ("Minister of Mines and Mining Development
    Winston Chitando" → "Chitando")."""
    for m in _OFFICIAL.finditer(text):
        words = [w for w in m.group(1).split() if w[:1].isupper()]
        if len(words) >= 2 and words[-1] not in ORG_WORDS:
            ctx.officials.add(words[-1].rstrip("'’"))


@dataclass(frozen=True)
class Sent:
    text: str
    index: int
    mentions: tuple[Mention, ...]
    dateline: dt.date | None
    dates: tuple[DateMention, ...]

    def orgs(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind in ("company", "government", "person")]

    def companies(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind in ("company", "government")]

    def countries(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind == "country"]

    def materials(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind == "material"]


def _value(m: Mention) -> str:
    return m.value


PLANNED = re.compile(
    r"\b(?:plan(?:s|ned|ning)? to|aim(?:s|ing)? to|intend(?:s|ed)? to|(?:is|are) expected|"
    r"expect(?:s|ed)? to|(?:is|are)(?: also)? set to)\b",
    re.IGNORECASE,
)
"""Hedges that still announce a commitment: an investment a company "plans to" make is news."""


_MONTH_MAY = re.compile(
    r"\b(?i:in|on|since|from|until|by|early|late|mid|of|last|next|this|end of|-)\s*May\b"
    r"|\bMay\s+\d|\d\s+May\b|^May,"
)


_PREVENTED = re.compile(
    r"\b(?:stop|block|prevent|prohibit|bar|forbid|restrain|preclude)(?:s|ped|ed|red|ded|ping|ing|"
    r"ring|ding)?\b[^.;]{0,120}?\bfrom\s+$",
    re.IGNORECASE,
)
"""A verb of prevention whose "from" governs the trigger: "to stop X from acquiring"."""


def _blocked(s: Sent, trigger_start: int, *, allow_plans: bool = False) -> bool:
    """Negation or hedge in the clause before the trigger (at most 12 words back); with
    ``allow_plans``, a stated plan ("plans to put €90 million into") is not a hedge."""
    before = s.text[:trigger_start]
    if before.endswith("from ") and _PREVENTED.search(before[-200:]):
        # "an order to stop X from acquiring …", "blocked Y from buying": prevented, not done
        return True
    words = re.split(r"(?<=\s)", before)
    window = "".join(words[-12:])
    # a clause boundary (semicolon, ", but", ", while") ends the window
    window = re.split(r";|,\s+but\b|,\s+while\b|\.\s", window)[-1]
    # a hedge of the main clause does not reach into a clause opened by "after", "since" …
    # ("prices are poised to rise after China barred exports")
    window = re.split(r"\b(?:after|since|following|because|when|once)\b", window)[-1]
    if NEGATION.search(window):
        return True
    # the month of May is no hedge ("In May, it agreed to …", "on May 5")
    window = _MONTH_MAY.sub(" ", window)
    if allow_plans:
        if _PLANNED_OPTION.search(window):
            # "plans to use the proceeds to exercise its option to invest": a plan to use an
            # option is no commitment (an option exercised is: "exercised its option to buy")
            return True
        window = PLANNED.sub(" ", window)
    return bool(HEDGE.search(window))


_PLANNED_OPTION = re.compile(
    PLANNED.pattern + r"[^.;]*?\bexercis(?:e|ing)\s+(?:an?|its|the|their)\s+(?:[\w-]+\s+)?"
    r"(?:option|right)s?\s+to\s*$",
    re.IGNORECASE,
)


_COREF = re.compile(
    r"^(?:(?:In|By|On|Last|Earlier|Later|Then|Previously|Separately)\b[\w ]{0,20},\s+"
    # any fronted phrase before a comma ("In addition to private funding, the company …") or
    # a time adverbial without one ("Last year the company …")
    r"|[A-Z][\w'’-]*(?:\s+[\w'’$.-]+){0,6},\s+"
    r"|(?:Last|This|Earlier|Later|Next)\s+(?:year|month|week|quarter)\s+)?"
    r"(?:[Ii]t|(?<=[, ])the (?:[\w-]+\s+){0,2}(?:company|firm|group|miner|producer|refiner|smelter|"
    r"developer|maker|processor)|The (?:[\w-]+\s+){0,2}(?:company|firm|group|miner|producer|"
    r"refiner|smelter|developer|maker|processor)|[A-Z][\w.]+['’]s (?:(?:largest|biggest|top|"
    r"leading|second-largest|No\. \d|[\w-]+)\s+){0,3}(?:company|miner|producer|refiner|"
    r"smelter|developer|maker|processor))\b"
)
_COREF_ANY = re.compile(
    r"\bthe (?:[\w-]+\s+){0,2}(?:company|firm|miner|producer|refiner|smelter|developer|processor|"
    r"explorer)\b"
)


def referent(ctx: Context) -> Mention:
    """The company an opening "The company" / "It" refers to: the first organisation of the
    last sentence that named one, unless that one is party to no event yet and another
    company is party to two or more (the story's company: "Mitra Chem closed a round led by
    X with Y and Z. L&F, which invested in March, is expected to join. … the company was
    awarded a grant" is Mitra Chem's). Needs ``ctx.last_orgs``."""
    first = ctx.last_orgs[0]
    counts: dict[str, tuple[int, Mention]] = {}
    for e in ctx.events:
        for m in {(m.id or name_key(m.value)): m for m in e.links.values()}.values():
            if m.kind == "company":
                k = m.id or name_key(m.value)
                counts[k] = (counts.get(k, (0, m))[0] + 1, m)
    if not counts or (first.id or name_key(first.value)) in counts:
        return first
    n, top = max(counts.values(), key=lambda x: x[0])
    return top if n >= 2 else first


def _subjects(s: Sent, pos: int, ctx: Context) -> tuple[list[Mention], bool]:
    """Organisations before ``pos`` that are the subject (coordinated with "and"); or the
    organisation an opening "The company" / "It" refers to. Second value: by reference."""
    before = [m for m in s.orgs() if m.end <= pos]
    for m in before:
        if re.fullmatch(r",?\s+to\s+(?:\w+ly\s+)?", s.text[m.end : pos]) and re.search(
            r"\bfor\s+(?:the\s+)?$|\bfor\s+[^.;,]{1,60},\s+$", s.text[: m.start]
        ):
            # "signed a deal with Y for X to acquire …", "for Y's subsidiary, X, to acquire":
            # X is the subject of "to acquire"
            return [m], False
    said = None
    for hit in re.finditer(
        r"\b(?:said|says|announced|announces|reported|reports|confirmed|confirms|stated|noted)"
        r"(?: on \w+)?,? (?:that\s|(?=[A-Z])"
        # "X said a unit of Y will buy …": Y, through its unit, is the subject
        r"|(?=(?:an?|its|the)\s+(?:[\w-]+\s+)?(?:unit|subsidiary|arm|affiliate|division)\s+of\s))"
        # "an agreement with Y, under which X will invest …": the subject of the clause
        r"|,\s+(?:under which|whereby|through which|by which)\s+",
        s.text[:pos],
    ):
        said = hit
    if said is not None and any(m.start >= said.end() for m in before):
        # "Arafura has announced that Export Finance Australia has approved …": the subject
        # of the reported clause
        before = [m for m in before if m.start >= said.end()]
    if before:
        first = before[0]
        group = [first]
        last = first.end
        for m in before[1:]:
            between = s.text[last : m.start]
            ticker = _TICKER.match(s.text, last)
            if ticker is not None and m.start < ticker.end():
                # the ticker the press writes after a name ("GM GM-N and Panasonic"), read
                # as a name itself: passed over
                continue
            if ticker is not None:
                between = s.text[ticker.end() : m.start]
            if re.fullmatch(r"\s*(?:,|and|, and|&)\s*", between):
                group.append(m)
                last = m.end
            else:
                break
        return group, False
    if _COREF.match(s.text) and ctx.last_orgs:
        return [referent(ctx)], True
    plural = _PLURAL_COREF.match(s.text)
    if plural is not None and plural.end() <= pos:
        group = _previous_pair(ctx)
        if len(group) >= 2:
            # "GM and Panasonic signed … . The two companies have also agreed to …": both
            return group, True
    bare = _BARE_SUBJECT.search(s.text[:pos]) or _APPOSED_OPENER.search(s.text[:pos])
    if bare and bare.group("name").split()[0] not in _NOT_SUBJECT:
        a, b = bare.span("name")
        if not any(x.start < b and a < x.end for x in s.mentions):
            return [Mention(a, b, bare.group("name"), "company", None, "new")], False
    return [], False


_PLURAL_COREF = re.compile(
    r"^(?:(?:In|By|On|Under|Separately|Meanwhile|Additionally)\b[\w ]{0,30},\s+)?"
    r"(?:They|Both(?:\s+(?:[\w-]+\s+)?(?:companies|firms|groups|carmakers|automakers|miners|"
    r"partners|investors|buyers|makers|giants))?|The\s+(?:two|three|four)\s+(?:[\w-]+\s+)?"
    r"(?:companies|firms|groups|carmakers|automakers|miners|partners|investors|buyers|makers|"
    r"giants)|The\s+(?:[\w-]+\s+)?(?:companies|firms|carmakers|automakers|partners|investors|"
    r"buyers|giants))\b"
)
"""A plural subject that refers back ("They", "The two companies", "The industrial giants")."""


def _previous_pair(ctx: Context) -> list[Mention]:
    """The companies coordinated as the subject of the sentence just before ("X and Y
    signed …"): what a plural "they" or "the two companies" stands for."""
    prev = ctx.prev
    if prev is None:
        return []
    orgs = [o for o in prev.orgs() if o.kind == "company"]
    if not orgs or not re.fullmatch(r"(?:[\w'’.-]+\s+){0,4}", prev.text[: orgs[0].start]):
        return []
    group, last = [orgs[0]], orgs[0].end
    for o in orgs[1:]:
        ticker = _TICKER.match(prev.text, last)
        if ticker is not None and o.start < ticker.end():
            continue
        gap = prev.text[ticker.end() if ticker is not None else last : o.start]
        if not re.fullmatch(r"\s*(?:,|and|, and|&)\s*", gap):
            break
        group.append(o)
        last = o.end
    return group


_TICKER = re.compile(r"\s+[A-Z][A-Z0-9.]{0,5}-[A-Z]{1,2}\b")
"""A ticker after a company's name, as some papers write it ("GM-N", "NOU-X")."""


_BARE_SUBJECT = re.compile(
    r"(?:^|(?:manufacturer|maker|producer|miner|company|firm|group|trader|carmaker|automaker|"
    r"refiner|developer|giant|supplier)\s+)"
    r"(?P<name>[A-Z][\w&.'’-]+(?:\s+[A-Z][\w&.'’-]+){0,3})\s+"
    r"(?:has\s+|have\s+|had\s+|will\s+|would\s+|is\s+|was\s+)?(?:already\s+|also\s+|now\s+)?"
    # "X is also set to invest", "X is due to take"
    r"(?:(?:set|due|poised|about|ready)\s+to\s+|\w+\s+)?$"
)
_APPOSED_OPENER = re.compile(
    r"^(?P<name>[A-Z][\w&.'’-]+(?:\s+[A-Z][\w&.'’-]+){1,3}),\s+(?:[^,;]{1,100}),\s+"
    r"(?:[a-z][\w'’-]*\s+){1,8}$"
)
"""The name opening the sentence before an apposition ("Tom Baxter, Canada's richest man, has
expanded his holdings by acquiring …"): the subject of the verbs after it."""
_NOT_SUBJECT = frozenset(
    [
        "The",
        "A",
        "An",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "They",
        "We",
        "I",
        "Under",
        "After",
        "Before",
        "In",
        "On",
        "At",
        "For",
        "As",
        "If",
        "When",
        "While",
        "Once",
        "Since",
        "But",
        "And",
        "Or",
        "So",
        "Then",
        "Also",
        "However",
        "Meanwhile",
        "What",
        "Who",
        "Which",
        "How",
        "Why",
        "Asian",
        "European",
        "African",
        "Analysts",
        "Officials",
        "Shares",
        "Prices",
        "Investors",
        "Traders",
        "Exports",
        "Imports",
        "Demand",
        "Supply",
    ]
)


def _object_after(
    s: Sent, pos: int, preps: str, exclude: list[Mention], max_gap: int = 7
) -> Mention | None:
    """First organisation after ``pos`` introduced by one of ``preps`` (descriptor words
    such as "battery maker" or "Tanzanian graphite miner" may stand between)."""
    for m in s.orgs():
        if m.start < pos or any(m.id == e.id and m.text == e.text for e in exclude):
            continue
        gap = s.text[pos : m.start]
        pattern = r"\b(?i:" + preps + r")\b(?:\s+[\w'’.,-]+){0," + str(max_gap) + r"}\s*$"
        if re.search(pattern, gap) and not re.search(
            r",\s+(?:which|who|where|while)\b[^,]*$|;", gap
        ):
            return m
    return None


def _first_org_after(s: Sent, pos: int, exclude: list[Mention]) -> Mention | None:
    for m in s.orgs():
        if m.start >= pos and not any(m.id == e.id and m.text == e.text for e in exclude):
            return m
    return None


def _coref_object(s: Sent, pos: int, ctx: Context, exclude: list[Mention]) -> Mention | None:
    m = _COREF_ANY.search(s.text, pos)
    if not m:
        return None
    here = [o for o in s.orgs() if o.end <= m.start()]
    for o in [*here, *ctx.last_orgs]:
        if not any(same_org(o, e) for e in exclude):
            return o
    return None


_LEGAL_TAIL = re.compile(
    r"\b(?:corp(?:oration)?|inc|ltd|limited|plc|co|company|group|holdings?|s\.?a|ag|nv|llc)\b\.?",
    re.IGNORECASE,
)


def _org_key(m: Mention) -> str:
    name = m.value.lower().replace("’", "'")
    name = re.sub(r"\bu\.?s\.?(?=\s)", "united states", name)
    name = _LEGAL_TAIL.sub(" ", name)
    return " ".join(re.findall(r"[a-z0-9]+", name))


def same_org(a: Mention, b: Mention) -> bool:
    """The same organisation named twice: one graph entity, or one name up to its legal form
    and a "US" for "United States" ("US Antimony", "United States Antimony Corp.").

    >>> x = Mention(0, 11, "US Antimony", "company", None, "new")
    >>> same_org(x, Mention(0, 28, "United States Antimony Corp.", "company", None, "new"))
    True
    """
    if a.id is not None or b.id is not None:
        return a.id == b.id
    return a.text == b.text or a.value == b.value or _org_key(a) == _org_key(b)


def _material(s: Sent, pos: int = 0) -> Mention | None:
    mats = [m for m in s.materials() if m.start >= pos] or s.materials()
    return mats[0] if mats else None


_DATE_AHEAD = (
    r"(?!\s*(?:\d|(?:early\s+|mid-?|late\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.?(?:\s|,|$)|(?:last|this)\s+(?:year|month|week)))"
)
"""Not followed by a date: "since Dec. 1" is a preposition, "since China imposed …" a clause."""
_CLAUSE_BEFORE = re.compile(
    r"\b(?:after|since" + _DATE_AHEAD + r"|following|because|when|while)\b|;"
    r"|,\s+as\b(?!\s+(?:well|part|of|a|an|the)\b)"
)
_CLAUSE_AFTER = re.compile(
    r"(?<!\bsuch)(?<!\bwell)(?<!\bso)(?<!\bknown)(?<!\bsame),?\s+"
    r"(?:as|after|while|since" + _DATE_AHEAD + r"|because)\s"
    r"|;|,\s+which\b"
)


def clause(s: Sent, pos: int) -> tuple[int, int]:
    """Character span of the clause holding ``pos``: a subordinate clause opened by "after",
    "since", "as" … before ``pos`` starts it; one opened after ``pos`` ends it."""
    lo = 0
    for m in _CLAUSE_BEFORE.finditer(s.text, 0, pos):
        lo = m.end()
    m2 = _CLAUSE_AFTER.search(s.text, pos)
    return lo, (m2.start() if m2 else len(s.text))


_BEGAN_DOING = re.compile(
    r"\b(?:began|begun|begins|begin|started|starts|start)\s+(?:to\s+)?(?:restrict|ban|curb|"
    r"limit|control|requir|enforc|apply|implement|impos)\w*\b[^.;,]{0,60}?(?:on|in|from)?\s*$",
    re.IGNORECASE,
)
"""A measure that "began restricting exports Sept. 15": the day it took effect."""


_RANGE_END = re.compile(r"\s*,?\s*(?:to|and|until|till|through|-|–|—)\s*(?:on\s+)?", re.IGNORECASE)
"""What joins the two dates of a window ("from A to B", "between A and B", "A–B")."""
_IMMEDIATE = re.compile(
    r"\b(?:with immediate effect|effective immediately|(?:takes?|took|taking) effect "
    r"immediately|(?:comes?|came|coming) into (?:force|effect) immediately|"
    r"immediately effective|with effect from today)\b",
    re.IGNORECASE,
)
"""A measure in force from the day it is decided."""


def material_spans(s: Sent, mats: list[Mention], lo: int, hi: int) -> dict[int, tuple[int, int]]:
    """Where each material's own dates are, when the materials of one clause come each with
    its date ("export permits for gallium and germanium in August, followed by requirements for
    graphite since Dec 1"): a date between two materials closes the group before it. Keyed by
    the material's offset; empty when the clause's dates are shared (no date between them)."""
    order = sorted((m for m in mats if lo <= m.start < hi), key=lambda m: m.start)
    cuts = [b.start for a, b in pairwise(order) if any(a.end <= d.start < b.start for d in s.dates)]
    if not cuts:
        return {}
    bounds = [lo, *cuts, hi]
    out: dict[int, tuple[int, int]] = {}
    for m in order:
        i = max(k for k in range(len(bounds) - 1) if bounds[k] <= m.start)
        out[m.start] = (bounds[i], bounds[i + 1])
    return out


def _classify_dates(
    s: Sent, ctx: Context, pos: int | None = None, span: tuple[int, int] | None = None
) -> dict[str, dt.date]:
    """``date`` (when it happened or was announced), ``start`` (takes effect), ``expiry``;
    from the clause of the trigger at ``pos`` when given, within ``span`` when given (the
    part of the clause that is one material's, :func:`material_spans`)."""
    out: dict[str, dt.date] = {}
    pub = ctx.published
    lo, hi = clause(s, pos) if pos is not None else (0, len(s.text))
    if span is not None:
        lo, hi = max(lo, span[0]), min(hi, span[1])
    opened: DateMention | None = None  # the first date of a window "from A (to B)"
    for d in s.dates:
        if not lo <= d.start < hi:
            continue
        if pos is not None and not in_background(s.text, pos) and in_background(s.text, d.start):
            # "the controls it announced on Oct. 9", "which had been banned since …": the
            # date of the earlier measure, not of this event
            continue
        before = s.text[max(0, d.start - 30) : d.start].lower()
        if opened is not None and _RANGE_END.fullmatch(s.text[opened.end : d.start]):
            # "from 1 March to 28 February", "between November 9 and November 27, 2026": the
            # second date of a window ends it
            out.setdefault("expiry", d.date)
            opened = None
            continue
        opened = None
        if re.search(r"(?:until|till|through|expir\w*(?: on)?|ending)\s*$", before):
            out.setdefault("expiry", d.date)
        elif (
            re.search(
                r"(?:from|between|effective(?: from)?|starting(?: in| from)?"
                r"|beginning(?: in| from)?|as of|tak\w* effect(?: on)?|took effect"
                r"(?: on)?|with effect from|into (?:force|effect)(?: on)?|kick(?:s|ed)? in(?: on)?"
                r"|in (?:force|effect) since|(?:launched|began|started|begins|starts) on)\s*$",
                before,
            )
            or (
                # "has required licences for graphite since Dec 1": the state its own verb tells
                # began then; a sentence with no event of its own ("The ban, in place since
                # February, …") lends its "since" to none
                pos is not None and re.search(r"\bsince\s*$", before)
            )
            or _BEGAN_DOING.search(s.text, lo, d.start)
        ):
            out.setdefault("start", d.date)
            if re.search(r"(?:from|between)\s*$", before):
                opened = d
        elif d.precision == "year":
            continue  # "in 2023": no day, and a year is a start only when told as one
        elif re.search(r"(?:expired|expire|lapsed)\s*$", before):
            continue
        elif pub is not None and d.date > pub:
            out.setdefault("start", d.date)
        elif d.precision == "day":
            out.setdefault("date", d.date)
    if (
        "date" not in out
        and s.dateline is not None
        and re.search(r"\b(?:today|announce[sd]?)\b", s.text, re.IGNORECASE)
    ):
        out["date"] = s.dateline
    if "start" not in out and "date" in out and _IMMEDIATE.search(s.text, lo):
        # "imposed … with immediate effect on Tuesday", "…, which took effect immediately": in
        # force from the day it was decided
        out["start"] = out["date"]
    return out


def stated_capacity(text: str) -> Quantity | None:
    """A facility's capacity in its sentence: a yearly rate, else a tonnage the word
    "capacity" introduces ("which has a nameplate capacity of 24,000 tonnes per annum").

    >>> stated_capacity("a plant with capacity of 24,000 tonnes a year").unit
    't/yr'
    >>> stated_capacity("it shipped 5,000 tonnes") is None
    True
    """
    qty = find_quantities(text)
    yearly = next((q for q in qty if q.unit.endswith("/yr")), None)
    if yearly is not None:
        return yearly
    return next(
        (
            q
            for q in qty
            if re.search(r"\bcapacity\b[^.;]{0,40}$", text[max(0, q.start - 60) : q.start], re.I)
        ),
        None,
    )


def event_day(s: Sent, ctx: Context, pos: int) -> dt.date | None:
    """The one day of an event that has no window (a facility opening or closing): the day it
    was done or announced, else the day it takes effect ("announced the closure of its mine,
    with the shutdown commencing on 1 May")."""
    dates = _classify_dates(s, ctx, pos)
    return dates.get("date") or dates.get("start")


def month_only(s: Sent, pos: int) -> bool:
    """The clause at ``pos`` dates its event to a month only ("In February, Congo imposed a
    four-month ban"): a window stated as a duration cannot be counted from the publication
    date, and no day is known to count it from."""
    lo, hi = clause(s, pos)
    return any(
        d.precision == "month"
        and (lo <= d.start < hi or (d.start < lo and s.text[d.end : d.end + 1] == ","))
        and not re.search(r"(?:from|until|till|through|starting|effective)\s*$", s.text[: d.start])
        for d in s.dates
    )


def _confidence(
    s: Sent,
    etype: str,
    links: dict[str, Mention],
    *,
    complete: bool,
    by_reference: bool,
) -> tuple[float, str]:
    """Calibrated confidence and its group: the share of proposals of the same group that were
    right on the development half of the real-article corpus (:mod:`derisk.news.calibration`),
    lowered for attribution to unnamed sources."""
    keys = [k for k in KEY_FIELDS[etype] if k in links]
    new = sum(1 for k in keys if links[k].id is None and links[k].kind != "country")
    hedged = bool(UNNAMED_SOURCES.search(s.text))
    # the time of the event (``old``) needs the publication date: the pipeline regroups
    # every proposal of an article once it is read (``pipeline.analyze``)
    group = group_of(
        etype,
        lead=s.index < LEAD_SENTENCES,
        old=False,
        new=new,
        by_reference=by_reference,
        complete=complete,
    )
    return calibrated(group, hedged=hedged), group


def _make(
    s: Sent,
    etype: str,
    values: Mapping[str, object],
    links: dict[str, Mention],
    *,
    complete: bool = True,
    by_reference: bool = False,
) -> Event | None:
    """The event ``etype`` of ``s``, or ``None`` when a key field is missing; ``values`` (a
    builder's working dict, ``None`` for a field not found) checked by
    :func:`extracted_fields`."""
    fields = extracted_fields({k: v for k, v in values.items() if v is not None})
    for k in KEY_FIELDS[etype]:
        if fields.get(k) in (None, ""):
            return None
    ents = [links[k] for k in KEY_FIELDS[etype] if k in links]
    if len(ents) == 2 and same_org(ents[0], ents[1]):
        # one party twice ("Redwood has acquired 8% of the company", the company being
        # Redwood itself): the other party is not named
        return None
    complete = complete and all(k in fields for k in EXPECTED_FIELDS[etype])
    conf, group = _confidence(s, etype, links, complete=complete, by_reference=by_reference)
    return Event(etype, fields, s.text, s.index, conf, s.mentions, dict(links), group)


# --------------------------------------------------------------------------- stake
_STAKE_NOUN = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:equity\s+)?(?P<noun>stake|interest|holding|"
    r"shareholding|share|ownership)\b"
    r"|(?P<noun2>stake|interest|holding|shareholding) of (?:about |around |roughly |nearly |some |"
    r"approximately |almost |no less than |not less than |at least |up to |more than |just over "
    r"|just under )?(?P<pct2>\d+(?:\.\d+)?)\s?(?:%|per ?cent)"
    r"|(?P<pct3>\d+(?:\.\d+)?)\s?(?:%|per ?cent) of\b"
    r"|(?P<pct4>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+){1,3}"
    r"(?P<noun4>stake|interest|holding|shareholding)\b"
    r"|(?P<bare>\b(?:an?|its|their|her|his) (?:\w+ )?(?:equity |minority |majority |strategic )?"
    # "raised her stake again in X": an adverb of repetition between the noun and "in"
    r"stake(?: (?:again|further|once more))?"
    # "has taken stakes in X and Y", "took equity stakes in several miners, including X"
    # (in running text: a headline's "Takes 5% Stakes in Company and Project" is no list)
    r"|\b(?-i:(?:equity |minority |strategic )?stakes))"
    r" in\b",
    re.IGNORECASE,
)
_ACQUIRE = re.compile(
    r"\b(?:buy|buys|bought|buying|acquire|acquires|acquired|acquiring|take|takes|took|taking|"
    r"purchase|purchases|purchased|subscribe[sd]?|pick(?:s|ed)? up|taken|gives?|giving|gave|"
    r"lift(?:s|ed|ing)?|rais(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|boost(?:s|ed|ing)?|become|"
    r"became|agreed to|acquisition of|purchase of|"
    # a holding is a stake acquired when it is new ("now owns", "will hold" after a deal);
    # "owns a 72% stake" tells a state, not an act
    r"(?:now|will|would|to|then) (?:own|owns|hold|holds|control|controls)|"
    r"took control of|"
    r"(?:lift|rais|increas|boost)(?:s|ed|ing)? (?:its|their|the) (?:\w+ )?"
    r"(?:stake|holding|interest)"
    r"(?: in [^,.]{1,60}?)? to)\b",
    re.IGNORECASE,
)
_SELL = re.compile(r"\b(?:sell|sells|selling|sold|divest\w*)\b", re.IGNORECASE)


_TRADE_DESCRIPTOR = re.compile(
    r"\s+in\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,2}(?:producer|miner|developer|company|firm|"
    r"group|explorer|maker|manufacturer|refiner|processor|trader|supplier)\s+"
)


_HOLDING_REACHED = re.compile(
    r"(?:[^;.]|\.(?=\d)){0,100}?\b(?:taking|bringing|lifting|raising|increasing|boosting|"
    r"giving\s+it|giving\s+them)\s+(?:its|their|the\s+company's|the\s+group's)?\s*"
    r"(?:total\s+|overall\s+|combined\s+|aggregate\s+)?(?:stake|holding|interest|"
    r"shareholding|ownership)(?:\s+in\s+[^,;]{1,60}?)?\s+to\s+(?:about\s+|around\s+|"
    r"nearly\s+|approximately\s+|roughly\s+|just over\s+|almost\s+)?"
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)",
    re.IGNORECASE,
)
"""The holding a purchase brings its buyer to: the stake the labels and the graph record is
the holding reached, not the slice bought."""
_NOT_PRICE = re.compile(
    r"(?:market\s+(?:value|valuation|capitali[sz]ation|cap)|valuation|revenues?|sales|"
    r"profits?|earnings|turnover|debt|cash|capex|capital\s+(?:cost|expenditure)|"
    r"enterprise\s+value)\s+(?:of\s+|is\s+|was\s+|stood\s+at\s+|at\s+|to\s+|"
    r"(?:of\s+)?(?:about|around|nearly|some|roughly|over|more\s+than)\s+)*$"
    r"|\bwhose\b[^,;]*$",
    re.IGNORECASE,
)
"""A sum that measures something else (a company's market value, revenue or debt; a
relative clause on another party) is no price of the deal."""


def price_money(text: str, money: list[Money]) -> list[Money]:
    """The sums of ``text`` that can be a deal's price, in order (see :data:`_NOT_PRICE`).

    >>> t = "X bought 5% of Y, whose market value is $2 billion, for $85 million."
    >>> [m.amount for m in price_money(t, find_money(t))]
    [85000000.0]
    """
    return [x for x in money if not _NOT_PRICE.search(text[max(0, x.start - 60) : x.start])]


def stake_events(s: Sent, ctx: Context) -> list[Event]:
    out: list[Event] = []
    for m in _STAKE_NOUN.finditer(s.text):
        raw_pct = m.group("pct") or m.group("pct2") or m.group("pct3") or m.group("pct4")
        if raw_pct is None and m.group("bare"):
            # "increased its stake in X to 12%"
            to = re.match(
                r"(?:[^,.;]|[.,](?=\d)){0,60}?\bto\s+(?:about\s+|around\s+|nearly\s+|"
                r"approximately\s+)?(\d+(?:\.\d+)?)\s?(?:%|per ?cent)",
                s.text[m.end() :],
            )
            raw_pct = to.group(1) if to else None
        pct = float(raw_pct) if raw_pct else None
        reached = _HOLDING_REACHED.match(s.text, m.end())
        if reached:
            # "bought a further 5% of X, taking its holding to 15%": the holding reached
            pct = float(reached.group("pct"))
        clause_start = max(0, s.text.rfind(";", 0, m.start()) + 1)
        before = s.text[clause_start : m.start()]
        verb = None
        for v in _ACQUIRE.finditer(before):
            verb = v
        sell = None
        for v in _SELL.finditer(before):
            sell = v
        if verb is None and sell is None:
            continue
        trig = clause_start + (sell or verb).start()  # type: ignore[union-attr]
        if _blocked(s, trig, allow_plans=True):
            continue
        if m.group("bare") and re.search(r"\b(?:sell|divest)\w*", before, re.IGNORECASE):
            continue
        by_ref = False
        subjects, by_ref = _subjects(s, trig, ctx)
        acquirer: Mention | None
        if sell is not None and (verb is None or sell.start() > verb.start()):
            acquirer = _object_after(s, m.end(), "to", subjects, max_gap=4)
        else:
            gives = re.search(
                r"\bgiv(?:e|es|ing)\s*$", s.text[: m.start()].rsplit(" a ", 1)[0] + " "
            )
            acquirer = None
            if gives or re.search(r"\bgiv(?:e|es|ing|e it|es it)\b[^,.]{0,40}$", before):
                acquirer = _object_after(s, trig, "gives|give|giving", [], max_gap=0)
            if acquirer is None:
                acquirer = subjects[0] if subjects else None
            if acquirer is None:
                acquirer = _country_subject(s, trig)
        project = _stake_target_name(s, m.end() - 3) if m.group("pct3") else None
        if project is not None and not _PROJECT_AFTER.match(s.text, project.end):
            project = None
        target: Mention | None
        if project is not None:
            # "the remaining 40% of the Goulamina project from Leo Lithium"
            target = project
        elif m.group("pct3"):
            target = _object_after(s, m.end() - 2, "of", [acquirer] if acquirer else [], 6)
        elif m.group("bare"):
            target = _object_after(s, m.end("bare"), "in", [acquirer] if acquirer else [], 0)
            desc = _TRADE_DESCRIPTOR.match(s.text, m.end("bare"))
            if target is None and desc is not None:
                # "her stake in lithium producer Liontown Resources": past the trade
                target = next((o for o in s.orgs() if o.start == desc.end()), None)
            examples = _EXAMPLES.match(s.text, m.end("bare"))
            if target is None and examples is not None:
                # "has taken stakes in other mining ventures, including X and Y"
                target = next(
                    (o for o in s.orgs() if o.start == examples.end() and o.kind == "company"),
                    None,
                ) or _new_name_at(s, examples.end())
        else:
            target = _object_after(s, m.end(), "in|of", [acquirer] if acquirer else [], 8)
        if target is not None and target.id is None and m.group("bare") is None:
            # "5% Stake in Lithium Americas and …": an unlinked name right after "in" wins
            # over a later one the name finder recognised
            gap = s.text[m.end() : target.start]
            if re.match(r"\s*(?i:in|of)\s+(?:the\s+)?\S", gap) and len(gap.split()) > 2:
                named = _name_after(s, m.end(), "in|of", 0)
                if named is not None and named.start < target.start:
                    target = named
        if target is not None:
            sub = re.match(
                r"['’]s\s+(?:[\w-]+\s+){0,2}(?:subsidiary|unit|arm|affiliate|project company)\s+",
                s.text[target.end :],
            )
            if sub:
                # "a stake in Millennial Lithium Corp's Argentine subsidiary Proyecto Pastos
                # Grandes S.A.": the subsidiary is what is bought into
                inner = _first_org_after(s, target.end + sub.end(), [target])
                if inner is not None and inner.start == target.end + sub.end():
                    target = inner
        if target is None and m.group("pct3") is None:
            # "a 5% stake in Lithium Americas", "a 5% stake in the company's Thacker Pass
            # joint venture": a company the graph does not hold yet, proposed by its name
            target = _stake_target_name(s, m.end())
        # "a 40% stake in the project", "… in it": the project the article names
        if (
            target is None
            and ctx.last_project is not None
            and re.match(
                r"\s+(?:in|of)\s+(?:it\b|(?:the|its|their)\s+(?:[\w-]+\s+){0,2}"
                r"(?:project|mine|deposit|operation)\b)",
                s.text[m.end() :] if m.group("pct3") is None else s.text[m.end() - 3 :],
            )
        ):
            target, by_ref = ctx.last_project, True
        if target is None:
            sh = re.search(r"shareholder in\b", s.text)
            if sh:
                target = _object_after(s, sh.start(), "in", [acquirer] if acquirer else [], 3)
        if target is None and acquirer is not None:
            # "made a strategic investment in X, taking a 5% stake", "subscribed for shares in
            # X giving it an 8% holding": the company invested in earlier in the clause
            early = _object_after(s, acquirer.end, "in", [acquirer], 3)
            if (
                early is not None
                and early.end <= m.start()
                and re.search(
                    r"\b(?:investment|shares|stake|interest|equity|placement|invest\w*)\s+in\s+"
                    r"(?:the\s+)?$",
                    s.text[max(0, early.start - 40) : early.start],
                )
            ):
                target = early
        if target is None:
            target = _coref_object(s, m.end(), ctx, [acquirer] if acquirer else [])
            by_ref = by_ref or target is not None
        if acquirer is None or target is None:
            continue
        money = price_money(s.text, find_money(s.text))
        amount = money[0] if money else _amount_before(s, ctx, [acquirer, target])
        dates = _classify_dates(s, ctx, trig)
        buyers = [acquirer]
        if len(subjects) > 1 and acquirer is subjects[0] and sell is None:
            # "X and Y each bought a 5% stake in Z": every coordinated subject buys; a
            # share or sum they bought together is given to none (as for joint quantities)
            buyers = [b for b in subjects if not _same_org(b, target)]
            if not _EACH.search(s.text):
                pct, amount = None, None
        for buyer, tgt in [(b, t) for b in buyers for t in [target, *_coordinated(s, target)]]:
            fields: dict[str, Any] = {
                "acquirer": _value(buyer),
                "target": _value(tgt),
                "percent": pct,
                "amount": amount.amount if amount else None,
                "currency": amount.currency if amount else None,
                "date": dates.get("date"),
            }
            ev = _make(
                s,
                "stake_acquisition",
                fields,
                {"acquirer": buyer, "target": tgt},
                by_reference=by_ref,
            )
            if ev:
                out.append(ev)
    return out


_EACH = re.compile(r"\beach\b", re.IGNORECASE)


def _same_org(a: Mention, b: Mention) -> bool:
    if a.id is not None or b.id is not None:
        return a.id == b.id
    return name_key(a.value) == name_key(b.value)


def _amount_before(s: Sent, ctx: Context, orgs: list[Mention]) -> Money | None:
    """The sum of a deal stated in the sentence just before, when that sentence names one of
    the parties and calls it an investment, a deal or a purchase ("announced a strategic
    investment of about $85 million from Korea Zinc." followed by the stake it buys)."""
    prev = ctx.prev
    if prev is None or prev.index != s.index - 1:
        return None
    if not any(_same_org(m, o) for m in prev.orgs() for o in orgs):
        return None
    if not re.search(
        r"\b(?:investment|deal|transaction|purchase|acquisition|placement|subscription)\b",
        prev.text,
        re.IGNORECASE,
    ):
        return None
    money = find_money(prev.text)
    return money[0] if money else None


_AND_ALSO = re.compile(
    # past a ticker in parentheses: "Lithium Americas (LAC) and MP Materials"
    r"(?:\s*\([A-Z0-9.:\s]{1,14}\))?,?\s+and\s+(?:(?:the|its|their)\s+)?"
    r"(?:(?:company|group|firm|miner|developer)['’]s\s+)?"
)
_EXAMPLES = re.compile(
    r"\s+in\s+(?:[\w'’-]+\s+){1,5}?(?:[\w'’-]+),?\s+(?:including|such as|among them|like)\s+"
)
"""Targets given as examples of a class ("stakes in other mining ventures, including X")."""


def _country_subject(s: Sent, pos: int) -> Mention | None:
    """A country that is the subject of the clause before ``pos`` ("the US has taken
    stakes in …", "Over two years, Japan bought …"): its government, the graph's U.S.
    government for the United States."""
    for c in s.countries():
        if c.end > pos or c.id is None or c.role not in ("name", "capital", "demonym"):
            continue
        if not re.search(r"(?:^|,\s+)(?:[Tt]he\s+)?$", s.text[: c.start]):
            continue
        if not re.fullmatch(
            r"\s+(?:has|have|had|will|would|also|now|recently|quietly|since|\s)*"
            r"(?:[a-z]+\s+){0,1}",
            s.text[c.end : pos],
        ):
            continue
        gid = "us-government" if c.id == "USA" else c.id
        return Mention(c.start, c.end, c.text, "government", gid, "name")
    return None


def _coordinated(s: Sent, target: Mention) -> list[Mention]:
    """A second organisation coordinated with the target ("a 5% stake in Lithium Americas
    and its Thacker Pass joint venture"), known to the graph or a new name."""
    m = _AND_ALSO.match(s.text, target.end)
    if not m:
        return []
    nxt = next((o for o in s.orgs() if o.start == m.end()), None)
    if nxt is not None:
        return [nxt] if nxt.kind in ("company", "government") else []
    n = _CAP_NAME.match(s.text, m.end())
    if not n or n.start("name") != m.end():
        return []
    start, end = n.span("name")
    words = n.group("name").split()
    if words[0] in _NOT_SUBJECT or any(x.start < end and start < x.end for x in s.mentions):
        return []
    if (
        not re.match(
            r"\s+(?:[\w-]+\s+){0,2}(?:joint venture|JV|project|mine|subsidiary|unit|operations?)\b",
            s.text[end:],
        )
        and len(words) < 2
    ):
        return []
    return [Mention(start, end, n.group("name"), "company", None, "new")]


_PROJECT_AFTER = re.compile(
    r"\s+(?:[a-z][\w-]*\s+){0,3}(?:project|mine|deposit|joint venture|JV|operation)\b"
)
_PROJECT = re.compile(
    r"\b(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})\s+(?:[a-z][\w-]*\s+){0,3}"
    r"(?:project|mine|deposit)\b"
)


def project_name(text: str, mentions: tuple[Mention, ...]) -> Mention | None:
    """The last project or mine named by its own name ("its Goulamina spodumene project"):
    capitalised words that are no country, material or organisation found in the text."""
    out: Mention | None = None
    for m in _PROJECT.finditer(text):
        start, end = m.span("name")
        if m.group("name").split()[0] in _NOT_SUBJECT:
            continue
        if any(x.start < end and start < x.end for x in mentions):
            continue
        out = Mention(start, end, m.group("name"), "company", None, "new")
    return out


_STAKE_IN = re.compile(
    r"\s+(?:in|of)\s+(?:(?:the|its|their|a)\s+)?(?:(?:company|group|firm|miner|developer)['’]s\s+)?"
)


def _new_name_at(s: Sent, pos: int) -> Mention | None:
    """A capitalised name of two words or more starting at ``pos`` that no known mention
    overlaps: an organisation new to the graph."""
    n = _CAP_NAME.match(s.text, pos)
    if not n or n.start() != pos:
        return None
    start, end = n.span("name")
    words = n.group("name").split()
    if words[0] in _NOT_SUBJECT or len(words) < 2:
        return None
    if any(x.start < end and start < x.end for x in s.mentions):
        return None
    return Mention(start, end, n.group("name"), "company", None, "new")


def _stake_target_name(s: Sent, pos: int) -> Mention | None:
    """The capitalised name right after "in" (past "the", "its", "the company's") that is
    not a country or a material alone: an organisation new to the graph."""
    m = _STAKE_IN.match(s.text, pos)
    if not m:
        return None
    n = _CAP_NAME.match(s.text, m.end())
    if not n:
        return None
    start, end = n.span("name")
    words = n.group("name").split()
    if words[0] in _NOT_SUBJECT:
        return None
    for x in s.mentions:
        if x.start < end and start < x.end:
            if x.kind in ("company", "government", "person"):
                return None
            if x.kind == "country" or len(words) < 2 or x.end >= end:
                return None
    return Mention(start, end, n.group("name"), "company", None, "new")


_TAKEOVER = re.compile(
    r"\b(?:(?P<verb>acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|"
    r"take over|took over|takes over|taking over)\s+(?:all of\s+|the whole of\s+)?"
    r"|(?P<noun>(?:acquisition|takeover|purchase|buyout) of)\s+)(?=[A-Z])",
    re.IGNORECASE,
)


def takeover_events(s: Sent, ctx: Context) -> list[Event]:
    """A whole company bought ("agreed to acquire Arcadium Lithium for $6.7 billion", "its
    $6.7 billion acquisition of Arcadium Lithium"): a stake without a percentage."""
    out: list[Event] = []
    for m in _TAKEOVER.finditer(s.text):
        target = next(
            (o for o in s.orgs() if o.start == m.end() and o.kind in ("company", "government")),
            None,
        )
        if target is None:
            continue
        if re.match(
            r"\s*(?:['’]s?\s+)?(?:[\w%.-]+\s+){0,2}(?:stake|shares|interest|assets)\b",
            s.text[target.end :],
        ):
            continue
        money = find_money(s.text)
        if not money and not re.search(
            r"\b(?:takeover|definitive agreement|deal|completed|finalis|finaliz)", s.text, re.I
        ):
            continue
        if _blocked(s, m.start(), allow_plans=True):
            continue
        subjects, by_ref = _subjects(s, m.start(), ctx)
        acquirer = next((x for x in subjects if x.id != target.id or x.text != target.text), None)
        if acquirer is None or acquirer.start > m.start():
            continue
        amt = money[0] if money else None
        dates = _classify_dates(s, ctx, m.start())
        fields: dict[str, Any] = {
            "acquirer": _value(acquirer),
            "target": _value(target),
            "amount": amt.amount if amt else None,
            "currency": amt.currency if amt else None,
            "date": dates.get("date"),
        }
        ev = _make(
            s,
            "stake_acquisition",
            fields,
            {"acquirer": acquirer, "target": target},
            complete=False,
            by_reference=by_ref,
        )
        if ev:
            out.append(ev)
        break
    return out


# --------------------------------------------------------------------------- investment
_INVEST = re.compile(
    r"\b(?P<inv>invest(?:s|ed|ing)?|investment of|"
    r"(?:put|puts|putting|inject\w*|pour\w*|plough\w*|plow\w*|commit(?:s|ted|ting)?)"
    r"(?= (?:up to |about |around |nearly |some |a further |another |an additional )?"
    r"(?:US\$|A\$|C\$|\$|€|£|¥|\d))|"
    r"(?:buy|buys|bought|buying|purchas\w*|subscrib\w* for|acquir\w*)"
    r"(?= (?:up to |about |around |nearly |some |another )?(?:US\$|A\$|C\$|\$|€|£|¥|\d)"
    r"[^.;]{0,60}\b(?:shares|stock|notes|bonds|debentures|equity|securities|units)\b))\b"
    r"|\b(?P<approve>approved|approves|made|makes|announced|announces|committed|commits|"
    r"agreed|provided|provides)\s+(?:an?\s+|its\s+|their\s+)?"
    # an order word before the sum: "made an initial $25m investment in", "a further …"
    r"(?:(?:initial|first|second|further|additional|new|fresh|follow-on)\s+)?"
    r"(?=(?:US\$|\$US|A\$|C\$|\$|€|£|¥)[^.;]{0,25}"
    r"\b(?:equity\s+)?investment (?:in|into)\b)"
    r"|\b(?P<recv>secured|secures|raised|received|receives|obtained|obtains|won|wins|"
    # a recipient drawing money to itself: "has attracted an investment of $3 million from X"
    r"attracted|attracts|landed|lands|clinched|clinches)\b"
    r"|\b(?P<award>award(?:s|ed)?|grant(?:s|ed)?|lend(?:s)?|lent)\b",
    re.IGNORECASE,
)


def investment_events(s: Sent, ctx: Context) -> list[Event]:
    money = find_money(s.text)
    if not money:
        return []
    out: list[Event] = []
    for m in _INVEST.finditer(s.text):
        amt = next((x for x in money if x.start >= m.end() and x.start - m.end() < 40), None)
        if amt is None and m.group("recv"):
            # "attracted a significant institutional investment of up to $3 million": the
            # funding noun and "of" stand between the verb and a sum further on
            amt = next(
                (
                    x
                    for x in money
                    if x.start >= m.end()
                    and x.start - m.end() < 80
                    and re.search(
                        r"\b(?:funding|financing|investment|capital|equity)\s+of\s+"
                        r"(?:up\s+to\s+|about\s+|around\s+|nearly\s+)?$",
                        s.text[m.end() : x.start],
                    )
                ),
                None,
            )
        if amt is None and m.group("inv") and m.group(0).lower().startswith("investment"):
            amt = next((x for x in money if x.start >= m.end()), None)
        if amt is None:
            continue
        if _blocked(s, m.start(), allow_plans=True):
            continue
        subjects, by_ref = _subjects(s, m.start(), ctx)
        subj = subjects[0] if subjects else None
        investor: Mention | None
        target: Mention | None
        if m.group("inv") or m.group("approve"):
            investor = subj
            target = _object_after(s, amt.end, "in|into", [subj] if subj else [], 6)
            if target is None and re.match(
                r"\s+(?:equity\s+)?investment\s+(?:in|into)\s+the\s+company\b", s.text[amt.end :]
            ):
                # "… approved a $100 million investment in the company": the company the
                # sentence named before
                target = next(
                    (o for o in s.orgs() if subj is not None and o.end <= subj.start), None
                )
        elif m.group("recv"):
            if not re.search(
                r"\b(?:funding|financing|investment|capital|equity)\b|\bfrom\b",
                s.text[amt.end : amt.end + 60],
            ):
                continue
            target = subj
            investor = _object_after(s, amt.end, "from", [subj] if subj else [], 5)
            if investor is None:
                investor = _name_after(s, amt.end, "from", 5)
        else:
            investor = subj
            target = _object_after(s, amt.end, "to", [subj] if subj else [], 3)
        if investor is None and subj is None and m.group("inv"):
            # "Seoul will invest": a capital names the government
            caps = [c for c in s.countries() if c.role == "capital" and c.end <= m.start()]
            investor = caps[0] if caps else None
        if investor is None or target is None:
            continue
        mat = _material(s, amt.end)
        dates = _classify_dates(s, ctx, m.start())
        investors, shared = [investor], False
        if (m.group("inv") or m.group("approve")) and len(subjects) > 1 and investor is subj:
            # "X and Y will each invest $30 million in Z": every coordinated subject invests;
            # a sum they put in together is given to none (as for joint quantities)
            investors = [x for x in subjects if not same_org(x, target)]
            shared = not _EACH.search(s.text)
        for who in investors:
            fields: dict[str, Any] = {
                "investor": _value(who),
                "target": _value(target),
                "amount": None if shared else amt.amount,
                "currency": None if shared else amt.currency,
                "material": mat.id if mat else None,
                "date": dates.get("date"),
            }
            ev = _make(
                s, "investment", fields, {"investor": who, "target": target}, by_reference=by_ref
            )
            if ev:
                out.append(ev)
        break
    return out


_CAP_NAME = re.compile(
    r"(?:the\s+)?(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+|&\s+|for\s+)?[A-Z][\w&'’.-]*){0,6})"
)


def _name_after(s: Sent, pos: int, preps: str, max_gap: int) -> Mention | None:
    """An organisation not recognised as a name ("Export Finance Australia", "Dutch trader
    Traxys Europe") introduced by one of ``preps`` after ``pos``: the first run of capitalised
    words that is not a country, material or other known name, at most ``max_gap`` words
    after the preposition; it is proposed as a new organisation."""
    p = re.compile(r"\b(?i:" + preps + r")\s+")
    m = p.search(s.text, pos)
    if not m:
        return None
    at = m.end()
    for _ in range(max_gap + 1):
        n = _CAP_NAME.match(s.text, at)
        if n:
            start, end = n.span("name")
            words = n.group("name").split()
            first_end = start + len(words[0])
            clash = any(
                x.start < first_end
                and start < x.end
                and (x.kind != "material" or len(words) < 2 or x.end > first_end)
                for x in s.mentions
            )
            if not clash and words[0] not in _NOT_SUBJECT and not re.search(r"\d", words[0]):
                # "USD248 million": a sum, not a name
                # "customer Sichuan Yahua": a province or country name may begin the name
                lead = next(
                    (
                        x
                        for x in s.mentions
                        if x.kind == "country"
                        and x.role in ("place", "name")
                        and x.start >= m.end()
                        and s.text[x.end : start] == " "
                        and x.text[:1].isupper()
                        and not x.text.lower().startswith("the ")
                    ),
                    None,
                )
                if lead is not None:
                    start = lead.start
                return Mention(start, end, s.text[start:end], "company", None, "new")
        w = re.match(r"[\w'’.-]+\s+", s.text[at:])
        if not w or re.match(r"[\w'’.-]+[,;]", s.text[at:]):
            return None
        at += w.end()
    return None


def _investor_capital(s: Sent, pos: int) -> Mention | None:
    caps = [c for c in s.countries() if c.role == "capital" and c.end <= pos]
    return caps[0] if caps else None


# --------------------------------------------------------------------------- offtake
_OFFTAKE = re.compile(
    r"\b(?P<agreement>off-?take(?: agreement| deal| contract)?s?|supply (?:agreement|deal|contract|"
    r"pact)s?|sales? agreements?|agreements? to supply|deals? to supply)\b"
    r"|\b(?P<forsupply>(?:agreement|deal|contract|pact)s?\s+with\s+[^.;]{2,80}?\s+for\s+the\s+"
    r"(?:supply|sale|delivery|provision|purchase)\s+of)\b"
    r"|\b(?P<sell>(?:agreed|agrees|agree|signed|will|shall|to|would|committed|commits|is set|"
    r"are set)"
    r"(?: (?:also|in return|on \w+day|later|now|then|initially))*"
    r" (?:to )?(?:supply|sell|deliver|ship|provide))\b"
    r"|\b(?P<buy>(?:agreed|agrees|agree|will|shall|to|would|committed|commits|is set|are set)"
    r"(?: (?:also|in return|on \w+day|later|now|then|initially))*"
    r" (?:to )?(?:buy|purchase|take|source|procure|offtake|receive))\b"
    r"|\b(?P<buy2>(?:sources|sourced|buys|bought|takes|took|procures|procured|purchases|"
    r"purchased|secured|secures|locked in|locks in) (?:its |their |all |most |some )?"
    r"(?:[\w,-]+ ){0,4}from)\b",
    re.IGNORECASE,
)
_ABSTRACT_OBJECT = re.compile(
    r"\s*(?:(?:an?|the|its|their|a\s+new)\s+)?(?:[\w-]+\s+){0,2}?(?:framework|pathway|path|"
    r"support|access|guidance|services?|assistance|opportunit(?:y|ies)|platform|clarity|"
    r"certainty|basis|mechanism|roadmap|structure|foundation|expertise|advice|technology|"
    r"know-how|training|solutions?)\b",
    re.IGNORECASE,
)
"""Objects of "provide" / "supply" that are no goods ("would provide a framework to advance
negotiations", "will supply technical services")."""
_TERM_N = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty"
_TERM = re.compile(
    r"\b(?:for|over|during)\s+(?:an?\s+|the\s+)?(?:initial\s+)?(?:term|period)?\s*(?:of\s+)?"
    r"(?P<n>" + _TERM_N + r")(?:\s*\(\d+\))?\s+years?\b"
    r"|\b(?P<n2>" + _TERM_N + r")-year\b"
    # "a five year agreement": the number of years as the deal's adjective, hyphen or not
    r"|\b(?P<n3>" + _TERM_N + r")\s+year(?=\s+(?:[\w‘’'\"-]+\s+){0,4}?(?:agreement|deal|"
    r"contract|offtake|supply|arrangement|term)\b)"
    # "an initial term of three years", "a term of five (5) years", "three-years from …"
    r"|\b(?:term|period|tenure|duration)(?:\s+of\s+(?:the|this|its)\s+[\w-]+)?\s+"
    r"(?:is\s+|will\s+be\s+|of\s+|is\s+of\s+)?(?:about\s+)?"
    r"(?P<n4>" + _TERM_N + r")(?:\s*\(\d+\))?[\s-]+years?\b",
    re.IGNORECASE,
)


def _term(text: str) -> str | None:
    m = _TERM.search(text)
    if not m:
        return None
    n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4")
    return parse_duration(f"{n} years")


def _direct_object(s: Sent, pos: int) -> Mention | None:
    """The buyer named straight after a supply verb ("agreed to supply GM its output",
    "will supply Tesla with lithium"): a linked organisation, or a capitalised name that is
    not a country or a material, followed by "with", "its", "their" or "all"."""
    org = next(
        (o for o in s.orgs() if re.fullmatch(r"\s+(?:the\s+)?", s.text[pos : o.start])), None
    )
    if org is not None:
        return org
    n = re.match(
        r"\s+(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})\s+(?:with|its|their|all)\b",
        s.text[pos:],
    )
    if not n:
        return None
    start, end = pos + n.start("name"), pos + n.end("name")
    if n.group("name").split()[0] in _NOT_SUBJECT:
        return None
    if any(x.start < end and start < x.end for x in s.mentions):
        return None
    return Mention(start, end, n.group("name"), "company", None, "new")


def _maker(m: Mention) -> bool:
    return m.id is None and m.kind == "company" and sector_maker(m.canonical or m.text)


_EARLIER_DEAL = re.compile(
    r"\b(?:following|after|adding\s+to|in\s+addition\s+to|on\s+top\s+of|besides|"
    r"like|similar\s+to|than|replac(?:es|ed|ing)|succeed(?:s|ed|ing)|extend(?:s|ed|ing))\s+"
    r"(?:the|an?|its|their|his|her)\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _coordinated_counterparts(
    s: Sent, pairs: list[tuple[Mention | None, Mention | None]], subjects: list[Mention]
) -> list[tuple[Mention | None, Mention | None]]:
    """Each counterpart of a supply deal named in a coordination ("an offtake agreement with
    Y and Z", "to supply X, Y and Z") makes the deal with the subject: one pair per name."""
    out: list[tuple[Mention | None, Mention | None]] = []
    for supplier, buyer in pairs:
        out.append((supplier, buyer))
        if supplier is None or buyer is None:
            continue
        other_is_buyer = any(_same_mention(supplier, x) for x in subjects)
        last = buyer if other_is_buyer else supplier
        if any(_same_mention(last, x) for x in subjects):
            continue
        seen = [supplier, buyer]
        while True:
            nxt = _first_org_after(s, last.end, seen)
            if nxt is None or not re.fullmatch(
                r"\s*(?:\([^)]{1,20}\)\s*)?(?:,|and|, and|&)\s*(?:the\s+)?",
                s.text[last.end : nxt.start],
            ):
                break
            out.append((supplier, nxt) if other_is_buyer else (nxt, buyer))
            seen.append(nxt)
            last = nxt
    return out


def _same_mention(a: Mention, b: Mention) -> bool:
    return a.start == b.start and a.end == b.end


def offtake_events(s: Sent, ctx: Context) -> list[Event]:
    if not s.materials() and ctx.last_material is None:
        return []
    out: list[Event] = []
    for m in _OFFTAKE.finditer(s.text):
        if _blocked(s, m.start()):
            continue
        # "an agreement with Y for the supply of …" is an agreement; who sells is settled below
        agr = bool(m.group("agreement") or m.group("forsupply"))
        if agr and _EARLIER_DEAL.search(s.text, max(0, m.start() - 80), m.start()):
            # "… following the foundational offtake agreement with Y", "adding to an earlier
            # supply deal with Y": another deal recalled beside the news, not news itself
            continue
        tail = s.text[m.end() : m.end() + 60].lower()
        pct_of = re.match(r"\s*(?:\S+\s+){0,3}\d+(?:\.\d+)?\s?(?:%|per ?cent) of\b", tail)
        # "to buy up to 50% of the spodumene produced at …": a share of the output
        of_material = (
            pct_of is not None
            and any(
                x.kind == "material"
                and re.fullmatch(
                    r"\s*(?:the|its|their)?\s*(?:[\w-]+\s+){0,2}",
                    s.text[m.end() + pct_of.end() : x.start],
                )
                # not "35% of the Tamba lithium project": a share of an asset is a stake
                and not re.match(
                    r"\s+(?:[\w-]+\s+){0,2}(?:project|mine|deposit|operations?|assets?|venture|"
                    r"company|business|unit|subsidiary)\b",
                    s.text[x.end :],
                )
                for x in s.mentions
                if x.start >= m.end() + pct_of.end()
            )
        )
        given = re.match(r"\s*(?:[A-Z][\w&.'’-]*\s+){1,5}with\b", s.text[m.end() :])
        if m.group("sell") and (
            _ABSTRACT_OBJECT.match(tail)
            or (given is not None and _ABSTRACT_OBJECT.match(s.text, m.end() + given.end()))
        ):
            # "would provide a framework to advance negotiations", "to supply Y with
            # technical services": nothing sold
            continue
        if re.match(r"\s*(?:\S+\s+){0,4}(?:stock|shares|stake|preferred)", tail) or (
            (m.group("buy") or m.group("buy2"))
            and pct_of is not None
            and not of_material
            and not re.match(
                r"\s*(?:\S+\s+){0,3}\d+(?:\.\d+)?\s?(?:%|per ?cent) of (?:its|their|the) "
                r"(?:[\w-]+\s+){0,3}(?:output|production|supply|volumes?)\b",
                tail,
            )
        ):
            # "to purchase the remaining 40% of …": a stake, not a supply deal
            continue
        if (
            (m.group("sell") or m.group("buy"))
            and re.match(
                r"\s*(?:up to |about |around |nearly |more than |over )?(?:[A-Z]{0,2}[$€£¥]|"
                r"[\d.,]+\s*(?:million|billion|bn|m)\b)",
                tail,
            )
            and not re.match(r"[^,;]{0,30}\bworth of\b", tail)
            # "agreed to buy $500 million of rare earth magnets": goods, bought for a sum
            and not (
                re.match(r"[^,;]{0,30}?\bof\b", tail)
                and any(
                    x.kind == "material" and m.end() <= x.start <= m.end() + 70 for x in s.mentions
                )
            )
        ):
            # "which will provide $94.1 million for …", "will receive $435 million from a
            # loan": funding, not a supply deal
            continue
        subjects, by_ref = _subjects(s, m.start(), ctx)
        between = re.match(
            r"\s+between\s+(?:the\s+)?$", s.text[m.end() : m.end() + 12]
        ) or re.match(r"\s+between\s", s.text[m.end() :])
        if agr and between:
            # "The offtake agreement between X and Y": the parties after "between"
            x = _first_org_after(s, m.end(), [])
            y = _first_org_after(s, x.end, [x]) if x is not None else None
            if (
                x is not None
                and y is not None
                and re.fullmatch(r"\s*(?:and|&)\s*(?:the\s+)?", s.text[x.end : y.start])
            ):
                subjects, by_ref = [x, y], False
        if not subjects:
            continue
        # "signed a contract with Vale to procure nickel", "inked a deal with Hyundai to
        # supply …": the party of the agreement named before the verb is the counterpart
        party = None
        if not agr:
            party = _object_after(s, subjects[-1].end, "with", subjects, 4)
            if party is not None and (
                party.end > m.start()
                or not re.fullmatch(r"[^,;]{0,40}", s.text[party.end : m.start()])
                or not re.search(
                    r"\b(?:agreement|deal|contract|pact|partnership|arrangement)s?\s+with\s",
                    s.text[subjects[-1].end : party.start],
                )
            ):
                party = None
        if m.group("buy") or m.group("buy2"):
            buyers = subjects
            other = (
                party
                or _object_after(s, m.end(), "from|by|at|of", subjects, 6)
                or _first_org_after(s, m.end(), subjects)
                or _name_after(s, m.end(), "from", 8)
            )
            pairs: list[tuple[Mention | None, Mention | None]] = [(other, b) for b in buyers]
        else:
            sellers = subjects
            other = (
                party
                or _object_after(s, m.end(), "to|with", subjects, 6)
                or _object_after(s, m.end(), "through|via", subjects, 2)
                or _name_after(s, m.end(), "to", 8)
            )
            if other is None and m.group("sell") and party is None:
                other = _direct_object(s, m.end())
            if other is None and agr:
                other = _object_after(s, 0, "with", subjects, 6) or _name_after(
                    s, subjects[-1].end, "with", 4
                )
            if other is None and agr and len(subjects) == 2:
                # "X and Y signed a supply agreement": the two parties, the maker buying
                sellers, other = subjects[:1], subjects[1]
            if (
                agr
                and (
                    re.search(r"\bto (?:buy|purchase|take)\b", s.text[m.end() : m.end() + 40])
                    # "an agreement with Y for the purchase of …": the subject buys
                    or (m.group("forsupply") or "").endswith(("purchase of", "purchase  of"))
                    # "signed an offtake with Y to supply concentrate to its plant": Y sells
                    or re.search(
                        r"\bto (?:supply|sell|deliver|provide)\b[^.;]{0,80}?\bto (?:its|their)\b",
                        s.text[m.end() : m.end() + 160],
                    )
                )
            ):
                pairs = [(other, b) for b in sellers]
            else:
                pairs = [(sl, other) for sl in sellers]
        # a government agency in a supply deal with a company buys ("a supply contract
        # between the Department of Defense and U.S. Antimony"): stockpiles, not sales
        pairs = [
            (b, sl)
            if sl is not None
            and b is not None
            and sl.kind == "government"
            and b.kind == "company"
            and agr
            else (sl, b)
            for sl, b in pairs
        ]
        if agr:
            # "Panasonic signed a supply deal with a graphite miner": a carmaker or cell maker
            # buys; the wording of an agreement does not say who sells
            pairs = [
                (b, sl)
                if sl is not None and b is not None and _maker(sl) and not _maker(b)
                else (sl, b)
                for sl, b in pairs
            ]
        pairs = _coordinated_counterparts(s, pairs, subjects)
        mat = _material(s, m.start()) or ctx.last_material
        # "The second shipment of 13,100 tonnes forms part of an agreement with Y for a total
        # of 18,500 tonnes": the deal's quantity is the one stated with the deal
        found_qty = find_quantities(s.text)
        qty = [q for q in found_qty if q.start >= m.start()] or found_qty
        money = find_money(s.text)
        dates = _classify_dates(s, ctx, m.start())
        for supplier, buyer in pairs:
            if supplier is None or buyer is None:
                continue
            fields: dict[str, Any] = {
                "supplier": _value(supplier),
                "buyer": _value(buyer),
                "material": mat.id if mat else None,
                "quantity": qty[0].value if qty else None,
                "unit": qty[0].unit if qty else None,
                "term": _term(s.text),
                "amount": money[0].amount if money else None,
                "currency": money[0].currency if money else None,
                "date": dates.get("date"),
            }
            ev = _make(
                s, "offtake", fields, {"supplier": supplier, "buyer": buyer}, by_reference=by_ref
            )
            if ev:
                out.append(ev)
        if out:
            break
    return out


# --------------------------------------------------------------------------- first export
_FIRST = re.compile(
    r"\b(?:(?:its |their |the )?first (?:ever )?"
    r"(?:[\d,.]+[- ](?:tonnes?|tons?|t|kg|kilograms?)\s+)?"
    r"(?:cargo|cargoes|shipment|shipments|export|exports|"
    r"delivery|deliveries|consignment|batch|vessel|parcel|lot|container|containers|"
    r"truckload|sale|sales)|for the first time|"
    r"(?:its |their |the )?first [\d,.]+[- ](?:tonnes?|tons?|t|kg|kilograms?) of|"
    r"(?:ship(?:s|ped|ping)?|export(?:s|ed|ing)?|sent|send(?:s|ing)?|deliver(?:s|ed|ing)?|sold)"
    r"\s+(?:(?:its|their|the)\s+)?(?:very\s+)?first\b|"
    r"(?:maiden|inaugural|debut) (?:[\w-]+ ){0,3}?(?:cargo|shipment|export|consignment|"
    r"delivery|batch|parcel|sale)s?|"
    r"(?:started|starts|began|begins|begun|commenced|commences) (?:exporting|shipping)|"
    r"(?:started|starts|began|begins|begun|commenced|commences) (?:its |the )?(?:first )?"
    r"(?:shipments|exports|deliveries))\b",
    re.IGNORECASE,
)
_SHIP = re.compile(
    r"\b(?:export\w*|ship\w*|sent|sending|send|deliver\w*|sold|sales?|made|cargo|sail\w*|left|"
    r"depart\w*|load\w*|arriv\w*|dispatch\w*|consignment)\b",
    re.IGNORECASE,
)


def _destination(s: Sent, exclude: set[str]) -> Mention | None:
    for c in s.countries():
        if c.id in exclude:
            continue
        gap = s.text[max(0, c.start - 45) : c.start]
        if (
            re.search(
                r"\b(?:to|bound for|destined for|into|(?:sail\w*|left|depart\w*|head\w*) for|"
                r"arriv\w* (?:at|in)|(?:sail\w*|left|depart\w*|head\w*)\s+(?:[\w-]+\s+){1,4}for|"
                r"(?:load\w*|cargo(?:es)?|shipments?|consignments?)\s+(?:[\w-]+\s+){0,4}for)\s+"
                r"(?:the\s+|an?\s+)?(?:[\w-]+\s+){0,1}$"
                r"|\b(?:to|bound for|destined for)\s+(?:[A-Z][\w-]+\s+){0,2}[A-Z][\w-]+"
                r"(?:\s+in\s+|,\s*)$"
                r"|\b(?:to|for)\s+(?:the\s+|an?\s+)?(?:[\w-]+\s+){1,2}in\s+(?:the\s+)?$",
                gap,
            )
            and not re.search(r"\bto\s+(?:make|help|become|be|turn|keep|see)\s+$", gap)
        ) or re.search(r"\bto (?:the |an? )?$", gap):
            return c
    return None


_FIRST_IN = re.compile(
    r"\b(?:(?:took|taken|takes|take|taking) delivery of|received|receives|imported|imports)\s+"
    r"(?:its |their |the )?(?:very )?first\b"
    r"|\b(?:started|starts|began|begins|begun|commenced|commences) importing\b",
    re.IGNORECASE,
)
"""A first export told from the buyer's side: "X took delivery of its first cargo of lithium
from Y", "X has started importing heavy rare earths from Y"."""


def first_import_events(s: Sent, ctx: Context) -> list[Event]:
    """A buyer's first receipt of a material from a named seller is the seller's first export
    to the buyer's country (the country the sentence gives the buyer before the verb: "China's
    X", "X, a Japanese trader")."""
    m = _FIRST_IN.search(s.text)
    if m is None or _blocked(s, m.start()) or not_asserted(s.text, m.start()):
        return []
    mat = _material(s, m.end())
    if mat is None or mat.id is None:
        return []
    exporter = _object_after(s, m.end(), "from", [], 5)
    if exporter is None or exporter.kind != "company":
        return []
    buyers, _ = _subjects(s, m.start(), ctx)
    if not buyers or same_org(buyers[0], exporter):
        return []
    home = [c for c in s.countries() if c.end <= m.start() and c.role != "place"]
    dest = home[0] if home else None
    qty = find_quantities(s.text)
    fields: dict[str, Any] = {
        "exporter": _value(exporter),
        "material": mat.id,
        "destination": dest.id if dest else None,
        "quantity": qty[0].value if qty else None,
        "unit": qty[0].unit if qty else None,
        "date": _classify_dates(s, ctx, m.start()).get("date"),
    }
    links = {"exporter": exporter, **({"destination": dest} if dest else {})}
    ev = _make(s, "first_export", fields, links)
    return [ev] if ev else []


def first_export_events(s: Sent, ctx: Context) -> list[Event]:
    if _FIRST_IN.search(s.text):
        return first_import_events(s, ctx)
    m = _FIRST.search(s.text)
    if not m or not _SHIP.search(s.text):
        return []
    if _blocked(s, m.start()):
        return []
    subjects, by_ref = _subjects(s, m.start(), ctx)
    if not subjects and re.match(r"(?i:for the first time)\s*,", s.text[m.start() :]):
        # "For the first time, X has exported …": the subject follows the fronted phrase
        ship = _SHIP.search(s.text, m.end())
        if ship is not None:
            subjects, by_ref = _subjects(s, ship.start(), ctx)
    exporter: Mention | None = subjects[0] if subjects else None
    if exporter is None:
        cs = [c for c in s.countries() if c.end <= m.start() and c.role in ("name", "capital")]
        exporter = cs[0] if cs else None
    if exporter is None:
        # "The first shipment of concentrate from X's mine", "The first cargo of X's ore"
        src = _object_after(s, m.end(), "from|of", [], 4)
        if src is not None and src.kind == "company" and re.match(r"['’]s?\s", s.text[src.end :]):
            exporter = src
    if exporter is None and _FOLLOW_SHIPMENT.match(s.text) and ctx.last_orgs:
        # "The first shipment will be sent to Umicore in Belgium": the company of the story
        exporter, by_ref = ctx.last_orgs[0], True
    if exporter is None:
        return []
    dest = _destination(s, {exporter.id} if exporter.id else set())
    mat = _material(s) or ctx.last_material
    qty = find_quantities(s.text)
    dates = _classify_dates(s, ctx, m.start())
    fields: dict[str, Any] = {
        "exporter": _value(exporter),
        "material": mat.id if mat else None,
        "destination": dest.id if dest else None,
        "quantity": qty[0].value if qty else None,
        "unit": qty[0].unit if qty else None,
        "date": dates.get("date"),
    }
    links = {"exporter": exporter}
    if dest:
        links["destination"] = dest
    ev = _make(s, "first_export", fields, links, by_reference=by_ref)
    return [ev] if ev else []


# --------------------------------------------------------------------------- restrictions
_R_NOUNS = (
    r"(?:ban|bans|embargo|restrictions?|controls?|curbs|checks|reviews|requirements?|"
    r"measures?|quotas?)"
)
_R_RESUMED = re.compile(
    r"\b(?:reinstat\w*|reimpos\w*|re-impos\w*|reintroduc\w*|resum\w*)\b(?:\s+[\w,.'’-]+){0,10}?\s+"
    + _R_NOUNS
    + r"\b",
    re.IGNORECASE,
)
_R_EXTENDED = re.compile(
    r"\b(?:extend\w*|prolong\w*|renew\w*)\s+(?:[\w,.'’-]+\s+){0,6}?"
    r"(?:ban|bans|embargo|suspension|halt|moratorium|prohibition|restrictions?|controls?|curbs|"
    r"quotas?)\b"
    r"(?=[^.;]{0,80}?\b(?:by|for)\s*(?:a further|another|an additional)?\s*(?:\d+|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|twelve)\s+(?:more\s+|further\s+|additional\s+|extra\s+)?"
    r"(?:months?|years?|weeks?|days?)"
    # "extended its ban until …", "extended its ban last Saturday" (not "to cover more goods")
    r"|[^.;]{0,80}?\buntil\b"
    r"|(?![^.;]{0,60}?\bto\s+(?:cover|include|also|add|more|other|additional|all|new)\b))",
    re.IGNORECASE,
)
_R_EXTENDED_PASSIVE = re.compile(
    # (after a dateline: "KUALA LUMPUR: The moratorium …")
    r"^(?:[^.;]{0,40}?[A-Z]{3,}\s*:\s*)?"
    # or reported: "Congo's mines minister said the cobalt export ban would be extended"
    r"(?:[^.;]{0,80}?\b(?:said|says|announced|confirmed|told\s+[^.;,]{1,40}?)\s+"
    r"(?:on\s+\w+\s+)?(?:that\s+)?)?"
    r"(?:The|This|That|Its|Their)\s+(?:[\w-]+\s+){0,2}?(?:ban|embargo|suspension|halt|moratorium|"
    r"restrictions?|quotas?)"
    # what the measure is on, and a relative clause about it, may stand between ("The
    # moratorium on bauxite mining, which lapsed today, has been extended")
    r"(?:\s+(?:on|of|against|for)\s+[^,.;]{1,80}?)?(?:\s*,\s+(?:which|that)\s+[^,;]{1,60},)?"
    r"\s+(?:was|were|has been|had been|have been|will be|would be)\s+(?:later\s+|then\s+|"
    r"again\s+|also\s+)?(?:extended|prolonged|renewed)\b",
    re.IGNORECASE,
)
_R_BEGAN = re.compile(
    r"^(?:The|That|Its|Their)\s+(?:original|initial|first|earlier)\s+(?:export\s+)?(?:ban|embargo|"
    r"suspension|halt|moratorium)\s+(?:began|started|took effect|came into (?:force|effect)|was "
    r"(?:introduced|imposed))\b",
    re.IGNORECASE,
)
_EXTEND_BY = re.compile(
    r"\b(?:by|for)\s*(?:a further|another|an additional)?\s*(?P<n>\d+|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|twelve)\s+(?:more\s+|further\s+|additional\s+|extra\s+)?"
    r"(?P<u>months?|years?|weeks?|days?)",
    re.IGNORECASE,
)
_R_LIFTED = re.compile(
    r"\b(?:lift\w*|scrap\w*|remov\w*|end(?:s|ed|ing)?|rescind\w*|revok\w*|repeal\w*|drop(?:s|ped)?|"
    r"eas(?:e|es|ed|ing)|relax\w*|loosen\w*)\b"
    r"(?:\s+[\w,.'’-]+){0,10}?\s+" + _R_NOUNS + r"\b",
    re.IGNORECASE,
)
_R_REPLACED = re.compile(
    r"\breplac\w*\s+(?:[\w'’-]+\s+){0,6}?(?:ban|bans|embargo|suspension|prohibition|moratorium)"
    r"\b[^.;]{0,60}?\bwith\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}(?:quotas?|quota system|"
    r"licen[cs]\w*|permits?|controls?|dut(?:y|ies)|tax|taxes|levy)\b"
    # the new measure as the subject: "The new quota framework replaced a months-long export
    # suspension"
    r"|\b(?:quotas?|quota (?:system|framework|regime|scheme)|licen[cs]ing (?:system|regime)|"
    r"permit (?:system|regime))\s+(?:has\s+|have\s+|had\s+)?replac(?:ed|es|ing)\s+"
    r"(?:[\w'’-]+\s+){0,6}?(?:ban|bans|embargo|suspension|prohibition|moratorium)\b",
    re.IGNORECASE,
)
"""A ban replaced with quotas or licences: the ban lifted and the new measure imposed."""
_R_SUSPENDED = re.compile(
    r"\b(?:suspen\w*|paus\w*|halt\w*|freez\w*|froze|waiv\w*|exempt\w*|postpon\w*|delay\w*)\b"
    r"(?:\s+[\w,.'’-]+){0,14}?\s+" + _R_NOUNS + r"\b"
    r"|\b(?:resum\w*|restart\w*|allow\w*|permit\w*|approv\w*)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:exports?|shipments|sales abroad)\b(?=[^.;]{0,80}\bfor\s+(?:only\s+|just\s+)?"
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:months?|years?|days?))"
    r"|\bgrant\w*\b[^.;]{0,40}\bexport licen[cs]es\b[^.;]{0,20}\b(?:valid )?for\b"
    r"|\b(?:put|puts|putting|placed|places|placing)\s+(?:[\w-]+\s+){0,6}?(?:restrictions?|"
    r"controls?|bans?|curbs|measures)\s+on hold\b"
    # "put its ban on germanium exports to the US on hold": the goods between
    r"|\b(?:put|puts|putting|placed|places|placing)\s+(?:its|the|their|these|those|this|that)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:restrictions?|controls?|bans?|curbs|measures|embargo)\s+"
    r"(?:on|of)\s+(?:[\w,'’-]+\s+){1,8}?on hold\b",
    re.IGNORECASE,
)
_R_IMPOSED = re.compile(
    r"\b(?:ban(?:s|ned|ning)?|embargo\w*|restrict\w*|curb\w*|imposed?|imposes|imposing|"
    r"tighten\w*|halt\w*|suspend\w*|stop\w*|ceas(?:e|es|ed|ing)|block\w*|prohibit\w*|"
    r"forbid\w*|"
    r"forbade|"
    r"bar(?:s|red|ring)?|outlaw\w*|brakes on|"
    r"(?:be|are|is|being|become|becomes|became) subject to (?:\w+ ){0,3}(?:controls?|licen\w+|"
    r"approval|permits?|scrutiny|review)|"
    r"(?:shall|will|would|must|may|can|could)?\s*(?:not|no longer)\s+be\s+(?:allowed|permitted)|"
    r"stricter (?:\w+ ){0,2}reviews?|(?:higher|tighter|stricter) (?:regulation|controls?|scrutiny)|"
    r"regulation of (?:\w+ ){0,2}exports|(?:must|need to|needs to|required to|have to|has to) "
    r"(?:first )?(?:apply for|obtain|seek) (?:an? )?(?:export )?(?:licen[cs]es?|permits?|approval)|"
    r"introduc\w* (?:\w+ ){0,3}(?:licen[cs]ing|controls?|(?:export )?(?:permits?|licen[cs]es?)|"
    r"export quotas?)|"
    r"requir\w* export (?:permits|licen[cs]es)|"
    r"(?:will |would )?need(?:s|ing)? (?:an? |special )?(?:export )?(?:licen[cs]es?|permits?|"
    r"approval)\b|capp(?:ed|ing)\b|cap(?:s)?(?= (?:[\w-]+ ){0,3}(?:exports|shipments)\b)|"
    r"requir\w* (?:an? |special |dual-use )?(?:export )?(?:licen[cs]es?|permits?|approval)"
    r"(?= (?:for|to|before|under|from)\b)|"
    r"(?:shall|will|would|must|may|can|could)?\s*(?:not|no longer)\s+be\s+(?:allowed|permitted|"
    r"exported|shipped)\s+without|licen[cs]ing (?:requirements?|regime|system)|"
    r"export (?:permits?|licen[cs]es?) requirements?|"
    r"export control(?:s| list)?|stricter end-use|end-use (?:checks|reviews)|export quotas?|"
    # "froze cobalt exports", not "froze the assets of cobalt exporters"
    r"(?:froze|frozen)(?= (?:[\w-]+ ){0,3}(?:exports|shipments)\b)|"
    r"export dut(?:y|ies))\b",
    re.IGNORECASE,
)
_EXPORT_WORD = re.compile(
    r"\bexport\w*|\bshipments\b|\boverseas sales\b|\bship(?:s|ped|ping)?\b[^.;]{0,40}?"
    r"\b(?:abroad|overseas)\b|\bshipped to\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:valid )?for (?:a period of )?(?:about |around |up to |only |just |another |a further "
    r"|an additional |an initial )?"
    r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen"
    r"|a(?= year\b)|an?(?= (?:year|month|week)\b))\s+(?:more\s+|further\s+|additional\s+)?"
    r"(?P<u>years?|months?|weeks?|days?)\b"
    r"|\b(?P<n2>\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)-(?P<u2>year|month|week|day)"
    r"\s+(?:export\s+)?(?:ban|suspension|embargo|halt|moratorium)\b",
    re.IGNORECASE,
)


_MEASURE_REF = re.compile(
    r"^(?:The|These|Those|Its|This)\s+(?:new\s+|latest\s+|same\s+)?(?:[\w-]+\s+)?(?:directive|decision|"
    r"controls?|restrictions?|curbs|ban|measures?|rules?|ministry|announcement|policy|move|"
    r"notice|statement|spokesperson|suspension|embargo|moratorium|quotas?|list|law|decree|"
    r"regulations?|system|framework|regime|scheme|mechanism)\b"
    r"|^(?:This|These|They|It)\s+(?:also\s+)?(?:includes?|covers?|appl(?:y|ies) to|"
    r"concerns?|targets?)\b"
)
_COVERS = re.compile(
    r"\b(?:cover\w*|includ\w*|appl(?:y|ies) to|target\w*|affect\w*|concern\w*|involv\w*|"
    r"list\w*|span\w*|are|were)\b",
    re.IGNORECASE,
)


_FALL_UNDER = re.compile(
    r"^(?P<goods>[^.;:]{3,100}?)\s+(?:also\s+|too\s+)?(?:fell|fall|falls|come|comes|came|"
    r"(?:are|were|is|was)\s+(?:also\s+)?(?:covered|included|listed|caught))\s+"
    r"(?:under|by|in|among)\s+(?:the|this|these|that|its)\s+(?:new\s+|same\s+)?"
    r"(?:[\w-]+\s+)?(?:ban|controls?|restrictions?|curbs|measures?|rules|embargo|quotas?|"
    r"suspension|list)\b"
)
"""Goods named first, then placed under the measure ("Cobalt and nickel also fell under the
ban", "Tungsten is included in the new controls"): the same decision, one event each."""


def restriction_scope(s: Sent, ctx: Context) -> list[Event]:
    """Materials named in the sentence after a restriction's ("The controls, which take effect
    at once, cover tungsten, tellurium and bismuth", "Cobalt and nickel also fell under the
    ban"): the same decision, one event each."""
    fall = _FALL_UNDER.match(s.text)
    if (not _MEASURE_REF.match(s.text) and fall is None) or not s.materials():
        return []
    prev = next(
        (
            e
            for e in reversed(ctx.events)
            if e.type == "export_restriction" and s.index - e.sentence_index <= 2
        ),
        None,
    )
    if prev is None and ctx.pending is not None and s.index - ctx.pending[0] <= 2:
        issuer, date, target = ctx.pending[1], ctx.pending[2], ctx.pending[3]
        fields0: dict[str, Any] = {
            "issuer": issuer.id,
            "action": "imposed",
            "date": date,
            "target": target.id if target else None,
        }
        links0 = {"issuer": issuer, **({"target": target} if target else {})}
        prev = Event(
            "export_restriction", extracted_fields(fields0), "", ctx.pending[0], 0.0, (), links0
        )
    if prev is None or prev.fields.get("action") != "imposed":
        return []
    have = {e.fields.get("material") for e in ctx.events if e.type == "export_restriction"}
    if fall is not None:
        if _blocked(s, fall.end("goods")):
            return []
        goods = [x for x in s.materials() if x.end <= fall.end("goods") and x.id]
        return _scope_events(s, prev, goods, have)
    cov = _COVERS.search(s.text)
    if cov is None or _blocked(s, cov.start()):
        return []
    if cov.group(0).lower() in ("are", "were") and not any(
        cov.end() <= x.start <= cov.end() + 25 for x in s.materials()
    ):
        # "The controls are meant to prevent illegal uses of rare earths": a copula names
        # the goods covered only when they follow it ("The restrictions are on gallium")
        return []
    return _scope_events(s, prev, [x for x in s.materials() if x.start >= cov.start()], have)


def _scope_events(s: Sent, prev: Event, mats: list[Mention], have: set[Any]) -> list[Event]:
    """One event of ``prev``'s decision for each material of ``mats`` not yet restricted."""
    out = []
    for mat in mats:
        if mat.id is None or mat.id in have:
            continue
        have.add(mat.id)
        fields = {k: v for k, v in {**prev.fields, "material": mat.id}.items() if v is not None}
        ev = _make(s, "export_restriction", fields, dict(prev.links), by_reference=True)
        if ev:
            out.append(ev)
    return out


_GOVERNMENT_OF = re.compile(
    r"['’]s\s+(?:[\w-]+\s+)?(?:ministry|government|cabinet|state council|customs|regulator|"
    r"authorities|Ministry|Government|State Council|General Administration)\b"
)


_BODY_OF = re.compile(
    r"\b(?:Ministry|Department|Office|Agency|Administration|Commission|Council|Bureau|"
    r"Directorate|Secretariat)\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w&]*(?:(?:,\s+|\s+and\s+|\s+&\s+|"
    r"\s+)(?:the\s+)?[A-Z][\w&]*){0,5}\s+of\s+(?:the\s+)?$"
)
"""A national body named in full before its country: "the Ministry of Commerce of ",
"the Ministry of Mines and Hydrocarbons of the "."""


def _issuer(s: Sent, pos: int, ctx: Context) -> Mention | None:
    """The government acting: the nearest country named before the trigger ("Beijing banned",
    "China's commerce ministry"), else the first after it ("curbs that Beijing placed")."""
    cands = []
    for c in s.countries():
        if c.role == "place":
            continue
        gap = s.text[max(0, c.start - 25) : c.start]
        if (
            re.search(r"\b(?:to|against|from|for|of|outside|in|into)\s+(?:the\s+)?$", gap)
            and not re.search(r"\b(?:imposed|introduced|enacted|announced)\s+(?:by|in)\s+$", gap)
            # "the government of Zimbabwe", "the Republic of Namibia": the state itself
            and not re.search(
                r"\b(?:government|ministry|authorities|cabinet|president|parliament|republic|"
                r"kingdom|state council|junta)\s+of\s+(?:the\s+)?$",
                gap,
                re.IGNORECASE,
            )
            # "according to a notice from China's Ministry of Commerce": the government
            and not _GOVERNMENT_OF.match(s.text, c.end)
            # "the Ministry of Commerce of China": a national body's country
            and not _BODY_OF.search(s.text[max(0, c.start - 80) : c.start])
            # "export restrictions from China": the measure's source is its issuer
            and not re.search(
                r"\b(?:restrictions?|controls?|curbs|bans?|embargo(?:es)?|quotas?)\s+from\s+"
                r"(?:the\s+)?$",
                gap,
                re.IGNORECASE,
            )
        ):
            continue
        if (
            c.role == "demonym"
            and not s.text.startswith(("'s", "’s"), c.end)
            and not re.match(
                r"\s+(?:\w+\s+)?(?:government|president|ministry|authorities|officials|state|"
                r"cabinet|customs|regulators?|premier|prime minister|commerce ministry|"
                r"(?:export\s+)?(?:controls?|bans?|curbs|restrictions?|rules|licen[cs]ing))\b",
                s.text[c.end :],
                re.IGNORECASE,
            )
        ):
            continue
        cands.append(c)
    for m in s.companies():
        if m.country is not None:
            # "the Chinese Ministry of Commerce imposed a ban": the country the body belongs to
            cands.append(Mention(m.start, m.end, m.text, "country", m.country, "demonym"))
    cands.sort(key=lambda c: c.start)
    before = [c for c in cands if c.end <= pos]
    if before:
        return before[-1]
    if ctx.last_issuer is not None and _MEASURE_REF.match(s.text):
        return ctx.last_issuer
    if cands:
        return cands[0]
    if (
        ctx.last_issuer is not None
        and not s.companies()
        and re.search(
            r"\bthe world['’]s (?:largest|biggest|top|leading|main) (?:[\w-]+ ){0,2}"
            r"(?:producer|exporter|supplier|miner)\b",
            s.text[:pos],
            re.IGNORECASE,
        )
    ):
        # "the world's largest cobalt exporter suspended exports": the country of the story
        return ctx.last_issuer
    if ctx.last_issuer is not None and re.search(
        r"\b(?:the |its |his |her )?(?:\w+ )?(?:ministry|government|regulator|authorities|cabinet|"
        r"president|premier|prime minister|parliament|junta|"
        r"country|nation|"
        r"state council|spokesperson|directive|decision|controls|restrictions|measures|"
        r"department)\b",
        s.text,
        re.IGNORECASE,
    ):
        return ctx.last_issuer
    if ctx.last_issuer is not None and not s.companies():
        a, b = subject_span(s.text, pos)
        subject = s.text[a:b]
        if re.search(r"\b" + _TITLE + r"\b", subject) or any(
            re.search(r"\b" + re.escape(n) + r"\b", subject) for n in ctx.officials
        ):
            # "Last month, Chitando banned the export of raw lithium", "Mines Minister
            # Kambamura announced the ban": an official acts for the article's government
            return ctx.last_issuer
    if ctx.last_issuer is not None and not s.companies() and subject_is_reference(s.text, pos):
        # "It also restricted …", "The government banned …", "Exporters of graphite must
        # apply for permits": the government the article is about
        return ctx.last_issuer
    return None


_DIRECTIVE = re.compile(
    r"\b(?:ask(?:s|ed)?|told|tells?|instruct(?:s|ed)?|direct(?:s|ed)?|order(?:s|ed)?|"
    r"request(?:s|ed)?)\s+(?P<whom>(?:[\w'’.-]+\s+){0,5}?)to\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
_FIRM_WORD = re.compile(
    r"\b(?:miners?|producers?|compan(?:y|ies)|firms?|exporters?|smelters?|refiners?|traders?|"
    r"operators?)\b",
    re.IGNORECASE,
)


def _asked_of_country(s: Sent, pos: int) -> bool:
    """The act at ``pos`` is asked of another country ("The United States asked Japan to
    restrict exports"): a request, which the asked country has not yet acted on."""
    m = _DIRECTIVE.search(s.text, max(0, pos - 80), pos)
    if m is None or m.end() != pos:
        return False
    a, b = m.span("whom")
    return any(x.kind == "country" and a <= x.start < b for x in s.mentions)


def _directive(s: Sent, pos: int) -> bool:
    """A government telling companies to stop: "India has asked state-run miner IREL to
    suspend exports", "Beijing instructed its producers to halt shipments". Asked of a
    company, the request is the government's order, not a hedge; asked of another country
    ("urged Japan to restrict exports") it stays a request."""
    m = _DIRECTIVE.search(s.text, max(0, pos - 80), pos)
    if m is None or m.end() != pos:
        return False
    a, b = m.span("whom")
    if any(x.kind == "country" and a <= x.start < b for x in s.mentions):
        return False
    whom_is_firm = bool(_FIRM_WORD.search(s.text, a, b)) or any(
        x.kind == "company" and a <= x.start < b for x in s.mentions
    )
    return whom_is_firm and any(
        x.kind in ("country", "government") and x.end <= m.start() for x in s.mentions
    )


def _own_clause(text: str, lo: int, pos: int) -> int:
    """Where the coordinate clause holding ``pos`` starts: after the last ", but", ", while",
    "; " … before it (``lo`` if none)."""
    cut = lo
    for c in re.finditer(r",\s+(?:but|while|whereas|yet|although|though)\s+|;\s+", text[lo:pos]):
        cut = lo + c.end()
    return cut


def _company_subject(s: Sent, pos: int) -> bool:
    """The clause's subject is a company and no government: "Glencore halted cobalt exports
    from its Congo mines" is a company's decision, not an export restriction."""
    a, b = subject_span(s.text, pos)
    inside = [x for x in s.mentions if a <= x.start < b]
    # a national body ("the Chinese Ministry of Commerce") is the government, not a company
    return any(x.kind == "company" and x.country is None for x in inside) and not any(
        x.kind in ("country", "government") or x.country is not None for x in inside
    )


def _target(s: Sent, pos: int, issuer: Mention) -> Mention | None:
    for c in s.countries():
        if c.start < pos or c.id == issuer.id or c.role == "place":
            continue
        gap = s.text[max(0, c.start - 70) : c.start]
        if re.search(r"\b(?:to|against)\b(?:\s+[\w'’.-]+){0,7}\s*$", gap) and not re.search(
            r"\b(?:response|retaliation|reaction)\s+to\b", gap
        ):
            return c
    return None


_NOUN_TRIGGER = re.compile(
    r"(?:ban|bans|embargo(?:es)?|restrictions?|curbs?|controls?|export controls?(?: list)?|"
    r"export quotas?|export dut(?:y|ies)|licen[cs]ing (?:requirements?|regime|system))",
    re.IGNORECASE,
)
_NON_STATE = re.compile(
    r"\b(?:rebels?|rebel group|insurgents?|insurgent group|militias?|armed groups?|"
    r"separatists?|guerrillas?|fighters|militants?)"
    r"(?:\s+(?:in|of|from|on|along)\s+(?:the\s+)?[\w'’-]+)?\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
"""Actors that are no government: what they stop is no export restriction of a country."""
_VERB_SUBJECT = re.compile(
    r"(?:\b(?i:it|he|she|government|ministry|law|decree|regulation|rule|order|country|nation|"
    r"state|president|cabinet|authority|parliament|bill|measure|policy|junta|regulator)"
    r"|\b[A-Z][\w-]*(?<!['’]s))\s+(?i:also\s+|now\s+|effectively\s+|still\s+|further\s+)?$"
)
_VERB_OBJECT = re.compile(
    r"\s+(?i:the\s+|all\s+|any\s+|most\s+)?(?:[\w'’-]+\s+){0,3}?(?i:exports?|shipments|sales)\b"
)


def _verb_reading(text: str, m: re.Match[str]) -> bool:
    """Whether "bans", "curbs" or "controls" is the verb of its clause ("The law bans raw
    exports", "The government curbs lithium shipments"): a subject before it, exports after
    it; as a noun it names a measure ("export bans", "China's curbs")."""
    return (
        m.group(0).lower() in ("bans", "curbs", "controls")
        and _VERB_SUBJECT.search(text, 0, m.start()) is not None
        and _VERB_OBJECT.match(text, m.end()) is not None
    )


_PRESUPPOSED = re.compile(
    r"\b(?:(?P<frame>under|despite|ahead of|in light of|given)|amid|amidst|because of|due to|"
    # "prices trebled, primarily reflecting export restrictions from China": a cause
    r"in response to|in the wake of|reflecting|driven by|caused by|fuelled by|fueled by|"
    r"thanks to|owing to|following)\s+(?P<np>(?:(?:the|its|their|these|those|such|"
    r"[A-Z][a-z]+['’]s|[\w-]+)\s+){0,5})$",
    re.IGNORECASE,
)
"""A preposition that names an existing measure as the setting of another act ("under its
new export controls", "amid the curbs"); a cause ("due to new Chinese export controls") is
news when the measure is called new."""


def _presupposed(text: str) -> bool:
    m = _PRESUPPOSED.search(text)
    if m is None:
        return False
    return bool(m.group("frame")) or not re.search(
        r"\b(?:new|newly|latest|fresh|recent)\b", m.group("np"), re.IGNORECASE
    )


_OPENING_PHRASE = re.compile(
    r"^(?:[A-Z][a-z]+ing\s+(?:its|the|an?|his|her|their|on|from|to|with|up|in|out|earlier)\b|"
    r"Like|Unlike|After|Besides|Beyond|Similar to|As with)\b[^,;]{0,120},"
)
"""An opening participial or comparative phrase ("Echoing its earlier clampdown on rare
earths, China has imposed …"): what it names is another measure's."""

_IMPOSING_CUE = re.compile(
    r"\b(?:announc\w*|introduc\w*|impos\w*|implement\w*|issu\w*|unveil\w*|adopt\w*|enforc\w*|"
    r"(?:take|takes|took|taking|come|comes|came) (?:into )?effect|effective|appl(?:y|ies|ied)|"
    r"kick(?:s|ed)? in|"
    r"cover\w*|includ\w*|requir\w*|mandat\w*|tak(?:e|es|ing)|took|placed|put|expand\w*|"
    # "added gallium to the list", not a speaker's "adds that", "the company added."
    r"add(?:s|ed|ing)?(?!\s+that\b|\s*[,.])|"
    r"publish\w*|decid\w*|decision|order\w*|approv\w*|enact\w*|sign(?:s|ed)|passed|"
    r"slapp?\w*|extend\w*|renew\w*)\b",
    re.IGNORECASE,
)


def _context_target(ctx: Context, issuer: Mention) -> Mention | None:
    """The target country of the same government's latest restriction in the article."""
    for e in reversed(ctx.events):
        if e.type == "export_restriction" and e.fields.get("issuer") == issuer.id:
            return e.links.get("target")
    return None


def _context_materials(s: Sent, ctx: Context, issuer: Mention | None = None) -> list[Mention]:
    """The materials of the latest restriction of the article (within five sentences), of
    the same government when ``issuer`` is given."""
    prev = [
        e
        for e in ctx.events
        if e.type == "export_restriction"
        and 0 < s.index - e.sentence_index <= 5
        and (issuer is None or e.fields.get("issuer") == issuer.id)
    ]
    if not prev:
        return []
    last = prev[-1].sentence_index
    mats = list(dict.fromkeys(str(e.fields["material"]) for e in prev if e.sentence_index == last))
    return [Mention(0, 0, mat, "material", mat) for mat in mats]


_R_UNMADE = re.compile(
    r"\b(?:proposed|planned|mooted|threatened|draft|possible|potential|suggested)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:ban|bans|embargo|restrictions?|controls?|curbs?|quotas?|"
    r"prohibition|levy|tax|duty)\b",
    re.IGNORECASE,
)
"""A measure only proposed ("a planned ban", "the mooted export tax"): none to lift."""
_DEFINITE_MEASURE = re.compile(
    r"\b(?:the|its|their|these|those|this|that)\s+(?:[\w-]+\s+){0,2}?(?:ban|bans|embargo|"
    r"restrictions|controls|curbs|measures?|quotas?|prohibition|moratorium)\b(?!\s+(?:on|of)\b)",
    re.IGNORECASE,
)
"""A measure named by a definite back-reference without its goods ("lifted the curbs")."""


def restriction_events(s: Sent, ctx: Context) -> list[Event]:
    found: list[tuple[str, re.Match[str]]] = []
    spans: list[tuple[int, int]] = []
    for action, rx in (
        ("extended", _R_EXTENDED),
        ("resumed", _R_RESUMED),
        ("lifted", _R_REPLACED),
        ("lifted", _R_LIFTED),
        ("suspended", _R_SUSPENDED),
    ):
        for m in rx.finditer(s.text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            # "suspended cobalt exports": the thing suspended is exports, not a restriction
            if action == "suspended" and re.match(
                r"(?:suspen|paus|halt|freez|froze|delay|postpon)\w*\s+(?:[\w-]+\s+){0,2}"
                r"(?:exports|shipments|sales)\b",
                m.group(0),
                re.IGNORECASE,
            ):
                continue
            if re.search(
                r"[,;]\s*(?:which|who)\b|\b(?:as|because|while|after|when|since|until|so)\s+"
                r"(?:[\w-]+\s+){0,3}?(?:companies|firms|exporters|traders|buyers|producers|"
                r"it|they|the|prices)\b",
                m.group(0),
                re.IGNORECASE,
            ):
                # "exports halted for three months as companies adjusted to the new licensing
                # requirements": the measure is in another clause, not what was halted
                continue
            if action in ("resumed", "lifted") and re.search(
                r"\b(?:exports|shipments)\b", m.group(0).split()[0]
            ):
                continue
            if action == "resumed" and re.match(
                r"\S+\s+(?:the\s+|its\s+)?(?:export|exports|exporting|shipments|shipping|sales|"
                r"trade|trading)\b",
                m.group(0),
                re.IGNORECASE,
            ):
                # "allowed two companies to resume exporting zinc concentrates, ending a
                # ban": the trade resumes, the ban ends
                continue
            if action in ("lifted", "suspended") and _R_UNMADE.search(m.group(0)):
                # "scrapped a proposed ban on nickel ore exports": a measure never imposed is
                # dropped, nothing in force is lifted
                continue
            found.append((action, m))
            spans.append((m.start(), m.end()))
    for action, rx in (("extended", _R_EXTENDED_PASSIVE), ("imposed", _R_BEGAN)):
        pm = rx.match(s.text)
        if pm and not any(a <= pm.start() < b for a, b in spans):
            found.append((action, pm))
            spans.append((pm.start(), pm.end()))
    changes = [f for _, f in found]
    for m in _R_IMPOSED.finditer(s.text):
        if any(a <= m.start() < b for a, b in spans):
            continue
        if re.match(r"(?:halt|stop|ceas|suspend|freez|froze)", m.group(0), re.I):
            a, b = subject_span(s.text, m.start())
            if re.match(
                r"\s*(?:the\s+|its\s+|[\w-]+\s+){0,2}(?:exports|shipments|sales|deliveries)\b",
                s.text[a:b],
                re.I,
            ) and not re.search(
                r"\b(?:was|were|been|be|being)\s+(?:\w+\s+)?$", s.text[: m.start()]
            ):
                # "exports of germanium temporarily halted for three months": the trade
                # stopped (a fact of the market), not a government's act
                continue
        if _NOUN_TRIGGER.fullmatch(m.group(0)) and re.match(
            r"[^.;,]{0,60}?\b(?:will|would|is to|was to|is set to|was set to|is due to|"
            r"was due to)\s+(?:expire|end|lapse|run out)\b",
            s.text[m.end() :],
        ):
            # "The ban on cobalt exports will expire on September 21": the end of a measure
            # in force, not a new one (a window for the article's restriction, if any)
            continue
        opening = _OPENING_PHRASE.match(s.text)
        if opening and m.start() < opening.end() and _NOUN_TRIGGER.fullmatch(m.group(0)):
            # "Following its curbs on gallium, China …": a measure named in an opening
            # phrase is another, earlier one
            continue
        if measure_is_changed(s.text, m.start()):
            # "The stricter checks on graphite … have been put on hold": the measure is the
            # subject of its suspension, lifting or extension, not imposed again
            continue
        # a relative clause about the measure another trigger of this sentence names
        # ("lifted its ban on gallium, which had been prohibited since …") is no new event
        rel = s.text.rfind(",", 0, m.start())
        if (
            changes
            and rel >= 0
            and re.match(r",\s+(?:which|that|as|and)\b", s.text[rel:])
            and "," not in s.text[rel + 1 : m.start()]
        ):
            continue
        if (
            changes
            and m.start() > min(f.start() for f in changes)
            and not re.search(
                r"\band\s+(?:to\s+|will\s+)?$|\breplac\w*\b.{0,25}\bwith\s+(?:\w+\s+){0,2}$"
                r"|,\s+(?:implementing|introducing|imposing|instituting|adopting)\s+(?:[\w-]+\s+){0,3}$",
                s.text[max(0, m.start() - 50) : m.start()],
            )
            and not (
                re.match(
                    r"(?:implementing|introducing|imposing|instituting|adopting)\b", m.group(0)
                )
                and re.search(r",\s*$", s.text[: m.start()])
            )
        ):
            # "the suspension of other export controls imposed on Oct 9, including expanded
            # curbs on …": what is suspended or lifted, named again, is no new imposition
            continue
        if re.match(
            r"\s*,\s+(?:[\w-]+\s+)?(?:imposed|introduced|announced|placed|adopted)\b",
            s.text[m.end() :],
        ) or (
            _NOUN_TRIGGER.fullmatch(m.group(0))
            and re.match(
                r"[^,.;]{0,50},\s+(?:[\w-]+\s+)?(?:imposed|introduced|announced|placed|"
                r"adopted|enacted)\s+(?:in|on|since|last|earlier|back)\b",
                s.text[m.end() :],
            )
        ):
            # "The restrictions, originally imposed in December 2024, targeted …": a measure
            # named with a participle about its past is a back-reference
            continue
        if re.search(
            r"\b(?:controls|restrictions|ban|bans|curbs|measures)\s*,?\s+(?:[\w-]+\s+)?$",
            s.text[max(0, m.start() - 30) : m.start()],
        ) and re.match(r"(?:imposed|introduced|announced|placed)\b", m.group(0), re.I):
            # "the controls imposed on Oct 9", "The ban, initially imposed in 2023, had …":
            # the measure named again, no new event
            continue
        if re.match(
            r"(?:imposed|introduced|announced|placed|adopted|enacted)\b", m.group(0), re.I
        ) and (
            re.search(
                r"\b(?:controls|restrictions|ban|bans|curbs|measures|quotas?|embargo)\b"
                r"[^,.;]{0,40},\s+(?:[\w-]+\s+)?$",
                s.text[max(0, m.start() - 60) : m.start()],
            )
            and re.match(r"\s+(?:in|on|since|last|earlier|back)\b", s.text[m.end() :])
        ):
            # "China's export ban on gallium, imposed in 2023, has …": a back-reference
            continue
        if re.search(
            r"\b(?:which|that)\s+(?:had|has|have)\s+been\s+$"
            r"|\bintroduced (?:together|along) with\s+(?:the\s+)?$",
            s.text[max(0, m.start() - 40) : m.start()],
        ):
            continue
        # the restriction must be on exports: an export word in the trigger or close to it
        lo, hi = clause(s, m.start())
        near = s.text[max(lo, m.start() - 80) : min(hi, m.end() + 60)]
        if not _EXPORT_WORD.search(near) and not (
            # "The ministry announced the ban in December 2024": the article's export measure
            _MEASURE_REF.match(s.text)
            and any(
                e.type == "export_restriction" and 0 < s.index - e.sentence_index <= 3
                for e in ctx.events
            )
        ):
            continue
        if any(a == "imposed" for a, _ in found) and not _EXPORT_WORD.search(
            s.text, m.end(), min(hi, m.end() + 60)
        ):
            # a later candidate must govern the exports it restricts ("… after Zimbabwe
            # banned the export of lithium ore"), not merely stand near them ("Chinese
            # export restrictions and tightening inventories")
            continue
        # every candidate is kept: the first may name no act ("The ban comes months after
        # Zimbabwe banned the export of lithium ore"), and one event per action is made
        found.append(("imposed", m))
        spans.append((m.start(), m.end()))
    out: list[Event] = []
    seen_actions: set[str] = set()
    for action, m in sorted(found, key=lambda x: x[1].start()):
        directive = action == "imposed" and _directive(s, m.start())
        if (
            action in seen_actions
            or _blocked(s, m.start())
            or (not_asserted(s.text, m.start()) and not directive)
            or _asked_of_country(s, m.start())
        ):
            continue
        issuer = _issuer(s, m.start(), ctx)
        if issuer is None or (_company_subject(s, m.start()) and not directive):
            continue
        if _NON_STATE.search(s.text, max(0, m.start() - 60), m.start()):
            # "Myanmar's Kachin rebels stop rare earth exports": an armed group, not the
            # country's government, stops the trade
            continue
        lo, hi = clause(s, m.start())
        noun = _NOUN_TRIGGER.fullmatch(m.group(0)) and not _verb_reading(s.text, m)
        if (
            action == "imposed"
            # the issuer not named, or named in another clause ("China is the largest
            # producer, but export controls have raised concerns")
            and (
                issuer not in s.mentions
                or not _own_clause(s.text, lo, m.start()) <= issuer.start < hi
            )
            and noun
            and not re.search(
                r"\b(?:to|will|would|shall|must)\s+$", s.text[max(0, m.start() - 8) : m.start()]
            )
            and not _IMPOSING_CUE.search(s.text[lo:hi])
        ):
            # "export restrictions on gallium created challenges": the measure named, not
            # an act of a government this sentence reports
            continue
        if (
            action == "imposed"
            and not noun
            and re.match(r"(?:restricts|bans|limits|curbs|controls|prohibits)$", m.group(0), re.I)
            and re.search(
                r"\b(?:comes?|came|coming)\s+as\s+(?:[\w'’-]+\s+){1,3}$", s.text[: m.start()]
            )
        ):
            # "The deal comes as China restricts exports of graphite": a measure in force, told
            # as the setting of the news, in the present
            continue
        if (
            action == "imposed"
            and noun
            and _presupposed(s.text[max(lo, m.start() - 60) : m.start()])
            and not _IMPOSING_CUE.search(s.text[lo : m.start()])
        ):
            # "… shorten review times under its new export controls", "prices rose amid the
            # curbs": a measure named as the setting of something else, not an act
            continue
        if (
            action == "imposed"
            and noun
            and issuer in s.mentions
            and (re.match(r"['’]s?\b", s.text[issuer.end :]) or issuer.role == "demonym")
            and issuer.end <= m.start()
            and not _IMPOSING_CUE.search(s.text[lo:hi])
            # "new Chinese export controls": "new" reports the act
            and not re.search(
                r"\b(?:new|newly|latest|fresh|recently)\s+(?:[\w'’-]+\s+){0,3}$",
                s.text[max(0, issuer.start - 30) : m.start()],
            )
            and not re.search(
                r"\b(?:to|will|would|shall|must)\s+$", s.text[max(0, m.start() - 8) : m.start()]
            )
        ):
            # "China's rare earth export curbs remain in place", "Chinese export controls
            # weigh on prices": a measure named, with its government as possessive, is no act
            continue
        mats = [x for x in s.materials() if m.start() <= x.start < hi]
        mats = [
            x
            for i, x in enumerate(mats)
            if i == 0
            or not re.search(
                r",\s+(?:two|three|four|both|all|an?|other|several|key)\s+(?:[\w-]+\s+)?$",
                s.text[mats[i - 1].end : x.start],
            )
        ]  # "gallium and germanium, two rare earth metals": a class named in apposition
        if not mats and re.search(
            r"\bthe (?:metal|mineral|material|metals|minerals)\b", s.text[m.start() : hi]
        ):
            mats = [x for x in s.materials() if x.start < m.start()][-1:]
            if (
                not mats
                and ctx.prev is not None
                and len({x.id for x in ctx.prev.materials() if x.id}) == 1
                and re.search(r"\bthe (?:metal|mineral|material)\b", s.text[m.start() : hi])
                and (issuer in s.mentions or subject_is_reference(s.text, m.start()))
            ):
                # "… raw cobalt from Congo. That country recently imposed a four-month
                # export ban on the material": the one material of the sentence before
                mats = [x for x in ctx.prev.materials() if x.id][:1]
        if not mats:
            opening = _OPENING_PHRASE.match(s.text)
            mats = [
                x
                for x in s.materials()
                if lo <= x.start < m.start() and not (opening and x.start < opening.end())
            ]
        if (
            not mats
            and action in ("lifted", "suspended", "extended")
            and _DEFINITE_MEASURE.search(m.group(0))
        ):
            # "On Monday the government lifted the curbs": the measure named before, on the
            # material of the same government's last restriction in the article
            mats = _context_materials(s, ctx, issuer)
            context = bool(mats)
        if not mats and action == "imposed" and lo > 0 and s.text[lo - 1] != ";":
            # "Antimony shortages have grown since China began export controls": the
            # material of the main clause is what the earlier measure restricted
            mats = [x for x in s.materials() if x.end <= lo][:1]
        context = False
        if not mats and (
            m.re in (_R_EXTENDED_PASSIVE, _R_BEGAN)
            or (
                action == "imposed"
                and _NOUN_TRIGGER.fullmatch(m.group(0))
                and (
                    (
                        issuer in s.mentions
                        and re.search(
                            r"\b(?:will|to|would)\s+(?:now\s+)?(?:control|impose|introduce|"
                            r"apply|set|enforce)\b|\b(?:announc|introduc|impos|implement)\w*",
                            s.text[lo:hi],
                            re.IGNORECASE,
                        )
                    )
                    or (
                        _IMPOSING_CUE.search(s.text[lo:hi])
                        and re.search(r"\b(?:19|20)\d\d\b", s.text[lo:hi])
                    )
                )
            )
        ):
            # "This suspension was extended in June", "Congo will now control supply through
            # export quotas", "The ministry announced the ban in December 2024": the measure
            # of the same government's last restriction in the article
            mats = _context_materials(s, ctx, issuer)
            context = bool(mats)
        if (
            not mats
            # the government named, or its measure the subject ("This system will cap annual
            # exports at 96,600 tons")
            and (issuer in s.mentions or _MEASURE_REF.match(s.text))
            and ctx.prev is not None
            and ctx.prev.index == s.index - 1
            and re.match(
                r"\s*(?:its\s+|the\s+)?(?:(?:annual|monthly|quarterly|total|all|raw|further)\s+)?"
                r"(?:exports|shipments)\b(?!\s+(?:of|to)\b)",
                s.text[m.end() :],
            )
            and len({x.id for x in ctx.prev.materials() if x.id}) == 1
        ):
            # "Almost all antimony reserves are in China. China began restricting exports
            # Sept. 15": bare exports are those of the material the sentence before named
            mats = [x for x in ctx.prev.materials() if x.id][:1]
        if not mats:
            if action == "imposed" and issuer in s.mentions:
                ctx.pending = (
                    s.index,
                    issuer,
                    _classify_dates(s, ctx, m.start()).get("date"),
                    _target(s, lo, issuer),
                )
            continue
        seen_actions.add(action)
        target = _target(s, lo, issuer)
        if target is None and context:
            target = _context_target(ctx, issuer)
        dates = _classify_dates(s, ctx, m.start())
        pend = ctx.pending
        if (
            "date" not in dates
            and pend is not None
            and pend[2] is not None
            and 0 < s.index - pend[0] <= 2
            and pend[1].id == issuer.id
            and action == "imposed"
        ):
            # "The ministry announced today that it will restrict exports of a mineral. New
            # export controls will take effect on antimony from Sept. 15": one decision, the
            # day it was announced
            dates["date"] = pend[2]
        if m.re is _R_BEGAN and "start" not in dates and "date" in dates:
            # "the original ban began on 22 February": the day it took effect
            dates["start"] = dates.pop("date")
        duration = None
        if action == "extended":
            eb = _EXTEND_BY.search(s.text, m.start())
            if eb:
                duration = parse_duration(f"{eb.group('n')} {eb.group('u')}")
        elif action in ("imposed", "suspended"):
            dm = _DURATION.search(s.text)
            if dm:
                n = dm.group("n") or dm.group("n2")
                u = dm.group("u") or dm.group("u2")
                duration = parse_duration(f"{n} {u}")
        expiry = dates.get("expiry")
        if expiry is None and duration is not None:
            # the window runs from its stated start, else from the date of the decision,
            # else (no date stated: "recently decided") from the publication date
            base = dates.get("start") or dates.get("date")
            if base is None and not month_only(s, m.start()):
                base = s.dateline or ctx.published
            if base is not None:
                expiry = add_period(base, duration)
        if expiry is None and duration is None and re.search(r"\bthe same period\b", s.text):
            prev = next((e for e in reversed(ctx.events) if e.type == "export_restriction"), None)
            if prev is not None:
                expiry = prev.fields.get("expiry")
                duration = prev.fields.get("duration")
        seen_mats: set[str] = set()
        mat_spans = material_spans(s, mats, *clause(s, m.start())) if not context else {}
        for mat in mats:
            if mat.id is None or mat.id in seen_mats:
                continue
            seen_mats.add(mat.id)
            own, until = dates, expiry
            if mat.start in mat_spans:
                # this material's own dates; a duration counts from its own start
                own = _classify_dates(s, ctx, m.start(), mat_spans[mat.start])
                until = own.get("expiry")
                base = own.get("start") or own.get("date")
                if until is None and duration is not None and base is not None:
                    until = add_period(base, duration)
            fields: dict[str, Any] = {
                "issuer": issuer.id,
                "action": action,
                "material": mat.id,
                "target": target.id if target else None,
                "duration": duration,
                "start": own.get("start"),
                "expiry": until,
                "date": own.get("date"),
            }
            links = {"issuer": issuer}
            if target:
                links["target"] = target
            ev = _make(s, "export_restriction", fields, links)
            if ev:
                out.append(ev)
            if m.re is _R_REPLACED and "imposed" not in seen_actions:
                # "… will replace its cobalt export ban with quotas from October 16": the
                # new measure, from the same day
                ev = _make(s, "export_restriction", {**fields, "action": "imposed"}, links)
                if ev:
                    out.append(ev)
        if m.re is _R_REPLACED:
            seen_actions.add("imposed")
    suspended = {e.fields.get("material") for e in out if e.fields.get("action") == "suspended"}
    # "allowed copper exports to resume, lifting a ban for six months": one measure paused for
    # a window, told twice in one sentence, is suspended, not lifted
    return [
        e
        for e in out
        if not (e.fields.get("action") == "lifted" and e.fields.get("material") in suspended)
    ]


# --------------------------------------------------------------------------- facilities
_FACILITY_NOUN = re.compile(
    r"\b(?:plant|plants|facility|facilities|mine|mines|refinery|refineries|smelter|smelters|"
    r"factory|factories|line|lines|train|trains|unit|project|works|operations|processing|"
    r"mill|mills|concentrator|concentrators|complex|furnace|furnaces|kiln|kilns|site|operation)\b",
    re.IGNORECASE,
)
_F_OPEN = re.compile(
    r"\b(?:open(?:s|ed)?(?! in a new)(?![-\s](?:pit|cast|cut)\b)|inaugurat\w*|commission(?:s|ed)?|"
    r"(?:began|begun|begins|begin|started|starts|start|commenced|commences|commence|kicked off|"
    r"kicks off) (?:commercial |full |first |trial )?"
    # "commenced lithium production", "began copper concentrate output": what it makes
    # named in between (no verb: "began cutting production" is no opening)
    r"(?:(?!(?:of|for|on|at|in|to|with|from|by|as|and|or|into|under|the|a|an|its|their|"
    r"immediate|talks|work)\b)"
    r"(?![\w-]*(?:ing|ed)\b)[a-z][\w-]* ){0,2}?"
    r"(?:production|operations|output|mining|processing)"
    r"|came on ?stream|first production|(?:gone|went|goes|go) live|"
    r"(?:started|starts|fired|fires|powered|powers) up|(?:switched|switches|turned|turns) on|"
    r"energi[sz]ed|(?:entered|enters|entering) (?:into )?(?:commercial |"
    r"full )?(?:operation|production|service)|"
    r"(?:came|come|comes|coming) online|"
    r"(?:began|begun|begins|started|starts|commenced|commences) (?:commercially |commercial )?"
    r"(?:producing|operating)|"
    r"(?:began|begins|begin|started|starts|start|commenced|commences) (?:turning out|producing|"
    r"churning out|making|processing|to produce|operating|operations)|"
    r"(?:produced|poured|turned out|made) (?:its |the )?first|"
    # "launched a $75 million magnet factory": the plant itself as the thing launched
    r"launch(?:ed|es)? (?:a |an |its |the |their )?(?:new )?"
    r"(?:(?!(?:for|of|to|on|into|at|with|by)\b)[\w$.,'’-]+\s+){0,4}?"
    r"(?:plant|factory|facility|refinery|smelter|mine|mill|line)|"
    r"(?:restarted|restarts|resumed|resumes|reopened|reopens|restart|resume|reopen)"
    r" (?:(?:its|the)\s+)?(?:[\w-]+\s+){0,3}?(?:production|operations|mining|output|processing)|"
    r"(?:restarted|reopened|reopens|restarts)\b|"
    # "Operations at X's smelter resumed on Thursday": production the subject that resumes
    r"(?:production|operations|mining|output)\s+(?:at|of)\s+[^.;]{3,80}?\s+(?:has\s+|have\s+)?"
    r"(?:resumed|restarted|began|begun|started|commenced|got under ?way)\b|"
    r"(?:brought|brings|bring) (?:[\w'’-]+\s+){0,5}?back (?:into production|online|on ?stream|"
    r"into operation))\b",
    re.IGNORECASE,
)
_F_EXPAND = re.compile(
    r"\b(?:expan(?:d|ds|ded)|completed an? expansion|expansion of|rais(?:e|es|ed|ing) "
    r"(?:its |the )?(?:annual )?capacity|doubl(?:e|es|ed|ing) (?:its |the )?capacity|"
    r"boost(?:s|ed)? (?:its )?capacity|increas(?:e|es|ed|ing) (?:its )?capacity)\b",
    re.IGNORECASE,
)
_MARKET_CLOSE = re.compile(r"clos(?:e|es|ed|ing)$", re.IGNORECASE)
_MARKET_AFTER = re.compile(
    r"\s+(?:\w+ly\s+)?(?:up|down|higher|lower|flat|unchanged|at\b|on\s+(?:a\s+)?(?:high|low)\b|"
    r"[+-]?\$?\d)",
    re.IGNORECASE,
)
_MARKET_SUBJECT = re.compile(
    r"\b(?:shares?|stocks?|equit(?:y|ies)|index|indices|prices?|futures|bonds?|trading|"
    r"markets?|the (?:dollar|yuan|euro))\b",
    re.IGNORECASE,
)
"""A market's close ("Shares closed up 9%", "the index closed lower") is no facility's."""
_F_CLOSE = re.compile(
    # "close to" is nearness ("is close to shutting down", "close to the port"), not an act
    r"\b(?:clos(?:e(?!\s+to\b)|es|ed|ing)|shut(?:s|ting)?(?: down)?|shutter\w*|"
    r"halt(?:s|ed)? (?:production|mining|operations|output)|"
    r"suspend(?:s|ed)? (?:production|mining|operations|output)|idl(?:e|es|ed|ing)|mothball\w*|"
    r"(?:halt|suspend|stop|paus|ceas|curtail)(?:e|es|s|ed|ped|ing|ping)?\s+"
    r"(?:(?:its|the|all)\s+)?(?:[\w-]+\s+){0,3}?(?:production|mining|operations|output|activities)|"
    # (a company's legal form may end in a full stop: "at a Zijin Mining Group Ltd. mine")
    r"(?:production|operations|mining|output)\s+(?:(?:at|of|from)\s+(?:[^.;]|\.(?=\s+[a-z]|\w))"
    r"{3,120}?\s+)?(?:was|were|has been|"
    r"have been|had been)\s+(?:\w+ly\s+)?(?:suspended|halted|stopped|paused|shut|curtailed|"
    r"put on hold|placed on hold)|"
    # the stop told as its cause's doing: "Floods brought production at the mine to a halt"
    r"(?:brought|ground)\s+(?:[\w'’-]+\s+){0,6}?(?:production|operations|output|mining)\b"
    r"[^.;]{0,80}?\bto\s+an?\s+(?:\w+\s+)?(?:halt|standstill|stop)|"
    r"care and maintenance|stopp?(?:ed|s)? (?:production|mining|operations)|"
    # "has stopped two of its furnaces", "stopped the line": the plant stopped by name
    r"stop(?:s|ped|ping)?\s+(?:(?:one|two|three|four|five|some|several|all|\d+)\s+of\s+)?"
    r"(?:its|the|their)\s+(?:[\w-]+\s+){0,3}?(?:furnaces?|kilns?|lines?|plants?|smelters?|"
    r"refinery|refineries|mines?|concentrators?|mills?|trains?|potlines?)\b|"
    # a temporary stop worded as a state entered: "is ramping down operations for two weeks",
    # "was placed in a hot standby state"
    r"ramp(?:s|ed|ing)? down (?:its |the )?(?:production|operations|output)|"
    r"(?:placed|put) (?:in|on|into) (?:a )?(?:hot |cold |temporary )?stand-?by|"
    # "placed its Sudbury concentrator on standby": the plant between verb and state
    r"(?:placed|put|places|puts)\s+(?:its|the|their)\s+(?:[\w'’-]+\s+){0,4}?(?:plant|mine|"
    r"smelter|refinery|concentrator|mill|furnace|line|kiln|factory|facility|operations?)\s+"
    r"(?:in|on|into)\s+(?:a\s+)?(?:hot\s+|cold\s+|temporary\s+)?stand-?by|"
    # "has announced the closure of its … operation": the act named by its noun
    r"(?:announc|confirm)(?:e|es|ed|ing) (?:the |a )?(?:permanent |temporary )?"
    r"(?:closure|shutdown|suspension) of)\b",
    re.IGNORECASE,
)
_STAGE_BY_NOUN = (
    ("separation", "separation"),
    ("refinery", "refining"),
    ("smelter", "refining"),
    ("mine", "mining"),
)


_F_CLOSE_PASSIVE = re.compile(
    r"(?:(?<=plant )|(?<=mine )|(?<=smelter )|(?<=refinery )|(?<=concentrator )|(?<=mill )|"
    r"(?<=furnace )|(?<=line )|(?<=kiln )|(?<=factory ))"
    r"(?:was|were|has been|have been|had been)\s+(?:\w+ly\s+)?(?:halted|suspended|stopped|"
    r"paused)\b"
)
"""A passive stop right after a facility noun ("The Kakula concentrator was halted"); a
closure only when that facility opens the sentence as its subject (see facility_events)."""


def _stage(s: Sent, mat: Mention, catalog: Catalog) -> str | None:
    if mat.stage:
        return mat.stage
    try:
        stages = {st.id for st in catalog.material(mat.id or "").stages}
    except KeyError:
        return None
    tail = s.text[mat.end : mat.end + 40].lower()
    for word, stage in _STAGE_BY_NOUN:
        if re.match(r"\s*(?:[\w-]+\s+){0,2}" + word, tail) and stage in stages:
            return stage
    return None


_NATIONALITY_OF_PARTY = re.compile(
    r"-(?:owned|backed|run|controlled|funded|financed|built|operated|led)\b"
    r"|\s+(?:[\w-]+\s+)?(?:firm|company|group|miner|investor|developer|operator|owner|"
    r"state-owned|conglomerate|partner|buyer|refiner|smelter operator)s?\b"
)


def _owner_possessive(s: Sent, c: Mention) -> bool:
    """``c`` is a company's country in the possessive ("to China's Hainan Mining")."""
    m = re.match(r"['’]s\s+", s.text[c.end :])
    return m is not None and any(
        o.start == c.end + m.end() for o in s.companies() if o.kind == "company"
    )


def _location(s: Sent, pos: int) -> Mention | None:
    """Where the facility is: a country after the trigger, else one introduced by "in", "at"
    or "near" before it ("its plant in Tanzania began …")."""
    after = [
        c
        for c in s.countries()
        if c.start >= pos
        # "at a Chinese-owned mine", "by Chinese firm X": an owner's nationality, no place
        and not (c.role == "demonym" and _NATIONALITY_OF_PARTY.match(s.text, c.end))
        and not _owner_possessive(s, c)
    ]
    for c in after:
        gap = s.text[max(0, c.start - 40) : c.start]
        if re.search(r"\b(?:in|at|near)\s+(?:[\w'’.-]+\s+){0,4}$|,\s*$", gap):
            return c
    if after:
        return after[0]
    for c in s.countries():
        gap = s.text[max(0, c.start - 30) : c.start]
        if c.end <= pos and re.search(
            r"\b(?:plant|facility|mine|refinery|smelter|project|factory|operations?)\s+"
            r"(?:in|at|near)\s+(?:[\w'’.-]+\s+){0,2}$",
            gap,
        ):
            return c
    return _sole_place(s)


_SEAT_BEFORE = re.compile(
    r"\b(?:based|headquartered|listed|registered|incorporated|domiciled|traded)\s+(?:in|on)\s+"
    r"(?:[\w'’.-]+\s+){0,2}$",
    re.IGNORECASE,
)


_POSSESSED_FACILITY = re.compile(
    r"['’]s?\s+(?:[\w-]+\s+){0,3}?(?:plant|facility|mine|refinery|smelter|project|factory|"
    r"operations?|mill|concentrator|complex|works)\b",
    re.IGNORECASE,
)


def _sole_place(s: Sent) -> Mention | None:
    """The one country the sentence places something in, wherever it stands: "its lithium
    unit in Zimbabwe had resumed", "Zimbabwe's oldest lithium mine halted", "X, operating
    in northern Mozambique, said it had restarted". None when two countries are so placed;
    a company's seat ("based in Perth") and a nationality ("Australian miner") place no
    facility."""
    found: list[Mention] = []
    for c in s.countries():
        if c.role == "demonym":
            continue
        before = s.text[max(0, c.start - 40) : c.start]
        if _SEAT_BEFORE.search(before):
            continue
        if (
            re.search(r"\b(?:in|at|near)\s+(?:[\w'’.,-]+\s+){0,3}$", before)
            and not _MARKET_SUBJECT.search(before)
        ) or (_POSSESSED_FACILITY.match(s.text, c.end)):
            found.append(c)
    ids = {c.id for c in found}
    return found[0] if len(ids) == 1 else None


_STATE_BEFORE = re.compile(
    r"\b(?:remain|remains|remained|remaining|stay|stays|stayed|staying|still|already)\s+$",
    re.IGNORECASE,
)


_ATTRIBUTIVE_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|his|her|with|for|of|from|into|achieve|achieves|achieving|"
    r"deliver|delivers|delivering|provide|provides|providing|enable|enables|enabling|support|"
    r"supports|supporting|offer|offers|offering|need|needs|require|requires|target|targets)\s+$",
    re.IGNORECASE,
)
"""A word before which a participle is an adjective of the noun after it ("achieve
increased capacity", "an expanded refinery", "a plant with expanded output")."""


def attributive(text: str, m: re.Match[str]) -> bool:
    """The expansion trigger ``m`` is a participle describing a noun, not a verb ("This
    project will achieve increased capacity", "an expanded refinery plant will start up")."""
    return re.match(
        r"(?i:expanded|increased|raised|boosted|doubled)\b", m.group(0)
    ) is not None and (
        _ATTRIBUTIVE_BEFORE.search(text, max(0, m.start() - 20), m.start()) is not None
    )


def noun_in_name(s: Sent, m: re.Match[str]) -> bool:
    """The facility noun ending the trigger is a word of an organisation's name ("halted the
    exports of Acacia Mining", "stopped buying from Zijin Mining"): no facility's act."""
    last = re.search(r"(\w+)\W*$", m.group(0))
    if last is None or not last.group(1)[:1].isupper():
        return False
    org = next((o for o in s.orgs() if o.start < m.start() + last.end(1) <= o.end), None)
    # (unless the facility's own noun follows the name: "suspend the Groote Mining Company
    # (GMC) operations")
    return org is not None and not re.match(
        r"(?:\s*\([^()]{1,20}\))?\s+(?:production|operations?|mining|output|activities|mine|"
        r"plant|smelter|refinery)\b",
        s.text[org.end :],
    )


def no_facility_act(text: str, m: re.Match[str], action: str) -> bool:
    """The trigger ``m`` names no act on a facility: a noun ("the hot commission of the
    units"), an adjective ("an expanded refinery"), or an expansion of something that is no
    plant, capacity or output ("The DOE has expanded its criteria")."""
    if _BARE_OPEN.fullmatch(m.group(0)) and re.match(r"\s+of\b", text[m.end() :]):
        return True
    if action == "expansion" and attributive(text, m):
        return True
    if (
        action == "closure"
        and _BARE_CLOSE.fullmatch(m.group(0))
        and _FINANCE_OBJECT.match(text, m.end())
    ):
        # "closed a $2.26 billion loan", "closes the acquisition of", "closing of the
        # placement": a deal is closed (completed), no plant
        return True
    if (
        action == "closure"
        and _BARE_CLOSE.fullmatch(m.group(0))
        and re.match(
            r"\s+of\s+(?:(?:a|an|the|its|their)\s+)?(?:[A-Z]{0,3}\$|US\$|€|£|¥)\s?[\d.,]+",
            text[m.end() :],
        )
    ):
        # "the contractual close of $400 million in debt funding": a sum is closed, a deal
        return True
    if (
        action == "closure"
        and _BARE_CLOSE.fullmatch(m.group(0))
        and _DEAL_CLOSING_BEFORE.search(text, 0, m.start())
        and not _PLANT_OBJECT.match(text, m.end())
    ):
        # "$350 million upon closing", "payable at close": the deal's completion
        return True
    if action == "closure" and re.fullmatch(
        r"(?i:clos(?:e|es|ed|ing)|shut(?:s|ting)?)", m.group(0)
    ):
        obj = _object_phrase(text, m.end())
        if re.match(r"\s*(?:the|its|their|this|that)\s", obj, re.IGNORECASE) and not (
            _FACILITY_NOUN.search(obj) or _GROWN_THING.search(obj)
        ):
            # "plans to close the LPO", "shut the office": the thing closed is no plant
            return True
    if (
        action == "closure"
        and m.group(0).lower() == "idle"
        and _IDLE_STATE_BEFORE.search(text, 0, m.start())
    ):
        # "Hudbay's currently idle Flin Flon mine", "has sat idle since 2019": a state told
        # by its adjective; the verb takes an object ("will idle the smelter")
        return True
    return (
        action == "expansion"
        and re.fullmatch(r"(?i:expan(?:d|ds|ded))", m.group(0)) is not None
        and not _GROWN_THING.search(_object_phrase(text, m.end()))
    )


_BARE_CLOSE = re.compile(r"(?i:clos(?:e|es|ed|ing))")
_DEAL_CLOSING_BEFORE = re.compile(
    r"\b(?:upon|on|at|after|before|following|until|prior to|pending|before the)\s+$",
    re.IGNORECASE,
)
_PLANT_OBJECT = re.compile(
    r"\s+(?:of\s+)?(?:the|its|their|a|an)\s+(?:[\w'’-]+\s+){0,3}?(?:plant|mine|refinery|"
    r"smelter|factory|facility|mill|operations?|site|line|concentrator)\b",
    re.IGNORECASE,
)
_IDLE_STATE_BEFORE = re.compile(
    r"(?:\b(?:the|an|a|its|their|currently|now|still|long|largely|mostly|partly|sat|sits|lay|"
    r"lies|lying|sitting|been|is|was|are|were|left|stood|stands|standing)|['’]s(?:\s+\w+ly)?)"
    r"\s+$",
    re.IGNORECASE,
)
_FINANCE_OBJECT = re.compile(
    r"\s+(?:(?:on|of)\s+)?(?:(?:a|an|the|its|their|this|that)\s+)?"
    r"(?:(?!(?:plant|mine|refinery|smelter|factory|facility|mill|operations?|site|line|after|"
    r"as|because|due|for|in|at|on|amid|and|but|while|when)\b)[\w$.,'’-]+\s+){0,5}?"
    r"(?:loans?|financing|finance|funding|placements?|offerings?|acquisitions?|takeovers?|"
    r"mergers?|deals?|transactions?|sales?|purchases?|investments?|rounds?|raises?|"
    r"(?:capital )?raising|rights issue|facilit(?:y|ies) agreement|agreements?|notes?|bonds?|"
    r"credit (?:facility|line)|debt)\b",
    re.IGNORECASE,
)
"""A deal as the object of "close" ("closed a $50 million placement"): completed, not shut."""


_GROWN_THING = re.compile(
    r"\b(?:plant|facility|mine|refinery|smelter|mill|factory|operations?|capacity|production|"
    r"output|site|complex|line|project|processing|refining|mining|pit|concentrator|works)\b",
    re.IGNORECASE,
)
_PERFECT_PARTICIPLE = re.compile(r"\s*(?:Having|After having)\s+(?:been\s+)?\w+")
_FACILITY_NAME_AFTER = re.compile(
    r"(?:\s+[A-Z][\w-]*){0,3}\s+(?:Refinery|Plant|Mine|Smelter|Mill|Complex|Facility|Factory|"
    r"Project|Operations?)\b"
)
_BARE_OPEN = re.compile(r"(?i:open(?:s|ed)?|inaugurat\w*|commission(?:s|ed)?)")
_OBJECT_PHRASE = re.compile(
    r".*?(?=\s+(?:with|in|at|for|to|near|on|after|as|from|by)\b|[,.;](?:\s|$)|;|$)"
)
"""The object after a verb, up to its first preposition ("opened talks| with …")."""


def _object_phrase(text: str, pos: int) -> str:
    m = _OBJECT_PHRASE.match(text, pos)
    return m.group(0) if m else ""


_FACILITY_SUBJECT = re.compile(
    r"^(?:(?:In|On|By|Last|Earlier|Later|Then|Meanwhile|However)\b[^,]{0,30},\s+)?"
    # a conjunction opening the sentence leaves the facility the subject ("But the smelter
    # stopped operations in July")
    r"(?:(?:But|And|Yet|So|Still)\s+)?"
    r"(?:(?:[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Tt]heir)\s+(?:[\w'’-]+\s+){0,4}?(?:mine|plant|refinery|"
    r"smelter|facility|project|operations?|mill|concentrator|complex|site|works)\b"
    r"|(?:Production|Operations|Mining|Output|Processing)\s+(?:at|of|from)\s"
    r"|(?:Production|Operations|Mining|Output|Processing)\s+(?:was|were|has|have|had)\b)"
)
"""A clause whose subject is the facility itself or its production ("The mine, located in
…, was shut down", "Production at the site was halted"), not a company."""


def _facility_subject_operator(s: Sent, pos: int, ctx: Context) -> Mention | None:
    """The operator of a facility that is itself the subject before ``pos``: the company the
    article named last (a government or a buyer is no operator of a plant)."""
    subj = _FACILITY_SUBJECT.match(s.text)
    after = re.match(r"(?i:production|operations|mining|output)\s+(?:at|of)\b", s.text[pos:]) and (
        re.search(r"\b(?:after|since|when|because|once|as|while)\s+$", s.text[:pos], re.I)
    )
    caused = _CAUSED_STOP.match(s.text, pos) is not None
    if (
        not after
        and not caused
        and (subj is None or subj.start() > pos or clause(s, pos)[0] > subj.start())
    ):
        # ("This decision comes after production at the mine was halted in January": the
        # facility's production is the subject of its own clause)
        return None
    return next((o for o in ctx.last_orgs if o.kind == "company"), None)


_CAUSED_STOP = re.compile(
    r"(?:brought|ground)\b[^.;]*?\bto\s+an?\s+(?:\w+\s+)?(?:halt|standstill|stop)\b"
)
"""A stop told as its cause's doing ("Floods brought production at the mine to a halt")."""
_ANNOUNCED_PLAN = re.compile(
    r"\b(?:announc|unveil|confirm)\w*\s+(?:its\s+|a\s+|the\s+)?(?:plans?|decision)\s+to\s+"
    r"(?:\w+ly\s+)?$"
)
"""A closure a company announced as its plan or decision ("announced plans to suspend
operations at its mine"): decided, not considered."""


def _passive_of_facility_subject(s: Sent, pos: int) -> bool:
    """Whether the verb at ``pos`` is passive and its subject is the facility at the start
    ("The refinery, built over three years, was formally inaugurated on Monday")."""
    subj = _FACILITY_SUBJECT.match(s.text)
    return (
        subj is not None
        and subj.end() <= pos
        and re.search(r"\b(?:was|were|been|being)\s+(?:\w+ly\s+)?$", s.text[:pos]) is not None
        and not any(o.start < pos for o in s.orgs())
    )


_OWNER_OPENER = re.compile(
    r"(?P<name>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})['’]s\s+(?:[\w-]+\s+){0,3}?"
    r"(?:smelter|refinery|plant|mine|mill|factory|facility|concentrator|complex)\b"
)
"""A sentence opening with a facility in its owner's possessive ("Amman's newest smelter")."""


def facility_events(s: Sent, ctx: Context) -> list[Event]:
    if not _FACILITY_NOUN.search(s.text) and not (
        (s.materials() or ctx.last_material)
        and re.search(r"\b(?:production|producing|operating|output|mining)\b", s.text, re.I)
    ):
        return []
    hits: list[tuple[int, str, re.Match[str]]] = []
    for action, rx in (
        ("opening", _F_OPEN),
        ("expansion", _F_EXPAND),
        ("closure", _F_CLOSE),
        ("closure", _F_CLOSE_PASSIVE),
    ):
        if rx is _F_CLOSE_PASSIVE and any(h[1] == "closure" for h in hits):
            continue
        for m in rx.finditer(s.text):
            prev = s.text[max(0, m.start() - 6) : m.start()].lower()
            if action != "closure" and re.search(r"\b(?:to|help)\s$", prev):
                continue
            hits.append((m.start(), action, m))
            break
    out: list[Event] = []
    for _, action, m in sorted(hits, key=lambda h: h[0]):
        decided = action == "closure" and _ANNOUNCED_PLAN.search(s.text, 0, m.start())
        if (
            _blocked(s, m.start(), allow_plans=bool(decided))
            or (not_asserted(s.text, m.start()) and not decided)
            or noun_in_name(s, m)
        ):
            continue
        if m.re is _F_CLOSE_PASSIVE:
            subj = _FACILITY_SUBJECT.match(s.text)
            if subj is None or s.text[subj.end() : m.start()].strip():
                # "Exports from the mine were halted", "Work on the plant was halted": the
                # facility must itself be the subject that stops
                continue
        if action == "closure" and _MARKET_CLOSE.match(m.group(0)):
            lo_c, _ = clause(s, m.start())
            if _MARKET_AFTER.match(s.text, m.end()) or _MARKET_SUBJECT.search(
                s.text, lo_c, m.start()
            ):
                # "Shares closed up 9%", "the stock closed at $4": a market's close, no plant
                continue
        if (
            _STATE_BEFORE.search(s.text, 0, m.start())
            or re.search(r"\b(?:a|an|the|its|their|his|her)\s+$", s.text[: m.start()])
            or (
                _BARE_OPEN.fullmatch(m.group(0))
                and not _FACILITY_NOUN.search(_object_phrase(s.text, m.end()))
                and not _FACILITY_NOUN.search(s.text, max(0, m.start() - 60), m.start())
                and not _passive_of_facility_subject(s, m.start())
            )
            or no_facility_act(s.text, m, action)
        ):
            # "would remain closed" is a state, "a closed plant" a description; "opened
            # talks", "opened an office": the thing opened is no facility
            continue
        if (
            action == "opening"
            and ctx.published is not None
            and any(int(y) > ctx.published.year for y in re.findall(r"\b(20\d\d)\b", s.text))
        ):
            continue
        lo_c, hi_c = clause(s, m.start())
        if re.search(r"\bin the (?:19|20)\d0s\b", s.text[lo_c:hi_c]) or (
            ctx.published is not None
            and any(
                int(y) < ctx.published.year - 1
                for y in re.findall(r"\b((?:19|20)\d\d)\b", s.text[lo_c:hi_c])
            )
        ):
            # "the mine closed in the 1990s": history, not news
            continue
        # "…, which had to suspend operations in June, is working on …": background
        rel = s.text.rfind(",", 0, m.start())
        if (
            _PERFECT_PARTICIPLE.match(s.text)
            and "," in s.text[m.end() :]
            and "," not in (s.text[: m.start()])
        ):
            # "Having closed the mine in 2020, X aims to …": a participial phrase tells what
            # went before the main clause's news
            continue
        if (
            rel >= 0
            and re.match(r",\s+(?:which|who|that)\b", s.text[rel:])
            and status_at(s.text, m.start())[0].kind != "complement"
        ):
            # (", that it has resumed production" after "announced on Thursday, June 19" is
            # what was announced, not a relative clause)
            continue
        subjects, by_ref = _subjects(s, m.start(), ctx)
        company = next((x for x in subjects if x.kind in ("company", "government")), None)
        if company is not None and company.id is None and _CAUSED_STOP.match(m.group(0)):
            # "Floods brought production at the mine to a halt": a cause, not a company,
            # unless the lexicon names it one
            company = None
        owner = _OWNER_OPENER.match(s.text)
        if by_ref and owner is not None and owner.end() <= m.start():
            a, b = owner.span("name")
            if not any(x.start < b and a < x.end for x in s.mentions):
                # "Amman's newest smelter made its first cathode": the facility's owner,
                # named though the lexicon does not know it, not the article's last company
                company, by_ref = Mention(a, b, s.text[a:b], "company", None, "new"), False
        if re.search(r"\b(?:was|were|been|being)\s+(?:\w+ly\s+)?$", s.text[: m.start()]):
            # "The plant … was commissioned by Albemarle": the agent after "by"
            agent = _object_after(s, m.end(), "by", [], 0)
            if agent is not None and agent.kind in ("company", "government"):
                company, by_ref = agent, False
        if company is None and re.match(r"(?i:production|operations|mining|output)\b", m.group(0)):
            # "Production at X's mine was suspended", "Operations at the mine, owned by X,
            # were halted": the organisation named inside
            company = next(
                (
                    o
                    for o in s.orgs()
                    if m.start() <= o.start < m.end() and o.kind in ("company", "government")
                ),
                None,
            )
        if company is not None and _government_body(company):
            # "The Department of Environment and Natural Resources has stopped mining
            # operations by X": a government body orders the stop; the operator is named after
            # it ("by X", "X's mine") or in a sentence to come
            company = next(
                (
                    o
                    for o in s.orgs()
                    if o.start >= m.end() and o.kind == "company" and not _BODY_NAME.match(o.text)
                ),
                None,
            )
        if (
            company is not None
            and company.id is None
            and any(w in OFFICIAL_TITLES for w in company.text.split())
        ):
            # "Prime Minister Jon Doe formally opened a smelter": a person of the government
            # opens it; its operator is the object or is named after
            company = None
        if company is not None and re.match(
            r"\s+(?:Minister|Secretary|Premier|Governor|President|Mayor)\b", s.text[company.end :]
        ):
            # "Resources Minister … opened the Lynas plant": the operator is the object
            company = _first_org_after(s, m.end(), [company])
        if company is None and not any(o.end <= m.start() for o in s.companies()):
            sayer = _SAYER_AFTER.search(s.text, m.end())
            if sayer is not None:
                # "The refinery was commissioned on Wednesday, partners X and Y said": the
                # company that tells of its own facility's act is its operator
                company = next(
                    (
                        o
                        for o in s.companies()
                        if sayer.start() <= o.start < sayer.end()
                        # "…, the press service of the Ministry of Industry said": the
                        # government tells of it; the operator is named elsewhere
                        and not _BODY_NAME.match(o.text)
                    ),
                    None,
                )
        if company is None and not any(o.end <= m.start() for o in s.companies()):
            # "The mine was shut down in August", "Production at the site was halted": the
            # facility is the subject; the company is the one the article is about
            company = _facility_subject_operator(s, m.start(), ctx)
            by_ref = by_ref or company is not None
        if company is not None and _government_body(company):
            company = None  # a government body found as the plant's subject or its teller
        if company is None and _OPERATOR_UNNAMED.search(s.text, 0, m.start()):
            # "The owner of the Ravensthorpe mine says it will suspend mining", "President X
            # commissioned a lithium plant": the operator is named in a sentence to come
            fields, links = _facility_fields(s, ctx, m, action)
            ctx.pending_facility = (s, fields, links)
            continue
        if company is None or _FACILITY_NAME_AFTER.match(s.text, company.end):
            # "The Kwinana Lithium Hydroxide Refinery has produced …": the name is the
            # facility's, not its operator's
            continue
        fields, links = _facility_fields(s, ctx, m, action)
        fields["company"] = _value(company)
        links = {"company": company, **links}
        if fields["location"] is None:
            fields, links = _located_before(fields, links, ctx)
        ev = _make(s, "facility", fields, links, by_reference=by_ref)
        if ev:
            out.append(ev)
        break
    return out


def _located_before(
    fields: dict[str, object], links: dict[str, Mention], ctx: Context
) -> tuple[dict[str, object], dict[str, Mention]]:
    """A facility act whose sentence places nothing stands where the article placed the same
    company's last facility act ("… its Cawse nickel operation in Western Australia. …
    Production at Cawse was suspended in June")."""
    for e in reversed(ctx.events):
        if e.type == "facility" and e.fields.get("company") == fields["company"]:
            loc = e.links.get("location")
            if loc is not None:
                return {**fields, "location": loc.id}, {**links, "location": loc}
            break
    return fields, links


def _facility_fields(
    s: Sent, ctx: Context, m: re.Match[str], action: str
) -> tuple[dict[str, object], dict[str, Mention]]:
    """A facility act's fields and links but its company."""
    mat = _material(s, 0) or ctx.last_material
    loc = _location(s, m.start())
    qty = [q for q in find_quantities(s.text)]
    fields: dict[str, object] = {
        "company": None,  # the caller's
        "action": action,
        "material": mat.id if mat else None,
        "stage": _stage(s, mat, ctx.catalog) if mat else None,
        "location": loc.id if loc else None,
        "capacity": qty[0].value if qty else None,
        "unit": qty[0].unit if qty else None,
        "date": event_day(s, ctx, m.start()),
    }
    return fields, ({"location": loc} if loc else {})


_OPERATOR_UNNAMED = re.compile(
    r"(?:^|(?<=[a-z])(?=[A-Z])|\b)(?:The|Its|the)\s+(?:[\w-]+\s+)?(?:owner|operator|developer)s?\s+"
    r"of\b[^,;]*$"
    r"|\b(?:President|Prime Minister|Minister|Premier|Governor|Mayor)\s+(?:[A-Z][\w'’-]+\s+){1,3}"
    r"(?:(?:on|last)\s+\w+\s+)?(?:\w+ly\s+)?$"
    # "A cobalt refinery in Ontario began operations": a facility introduced by an
    # indefinite article, its operator told after
    r"|^(?:An?|One|The\s+(?:first|country['’]s\s+first|nation['’]s\s+first))\s+"
    r"(?:[\w-]+\s+){0,3}(?:plant|refinery|smelter|mine|mill|factory|facility|"
    r"concentrator|processing plant)\b[^,;]*$"
)
"""A clause whose subject leaves the operator unnamed: its owner described, not named, or an
official performing the opening."""
_SAYER_AFTER = re.compile(
    r",\s+(?:(?:its|the)\s+)?(?:[\w'’&.-]+\s+){1,6}?(?:said|says|announced|announces|"
    r"confirmed|confirms|told|reported|reports)\b(?![^.;]*\b(?:it|they)\s+(?:would|will|may|"
    r"might|could|plans?)\b)"
)
"""An attribution after the clause (", operator X said"): the one telling it."""
_OPERATOR_NAMED = re.compile(
    r"\b(?:by|(?i:owner|operator|developer)|owned by|run by)\s*,?\s+(?:the\s+)?"
    r"(?:[\w'’-]+\s+){0,3}$"
)


_BODY_NAME = re.compile(
    r"(?:The\s+)?(?:[A-Z][\w.]*\s+){0,2}(?:Department|Ministry|Agency|Office|Administration|"
    r"Commission|Bureau|Directorate|Secretariat|Inspectorate)\b(?:\s+(?:of|for)\b|$)"
)
"""A government body's name ("The Department of Environment and Natural Resources", "Ministry
of Industry and Construction"): it orders or reports a plant's act, it does not run the plant."""


def _government_body(m: Mention) -> bool:
    """``m`` is a government body not in the graph, named as such (:data:`_BODY_NAME`)."""
    return m.id is None and _BODY_NAME.match(m.text) is not None


_BUILT_BY = re.compile(
    r"\b(?:built|developed|owned|operated|run|constructed|managed)\s+by\s+(?:the\s+)?"
    r"(?:[\w'’-]+\s+){0,3}$"
)


_ATTENDED_OPENING = re.compile(
    r"\b(?:attended|celebrated|marked|held|witnessed|officiated(?:\s+at)?|presided\s+over|"
    r"took\s+part\s+in|joined)\s+(?:the\s+|a\s+)?(?:official\s+|formal\s+|ceremonial\s+)?"
    r"(?:launch|inauguration|opening|commissioning)\s+(?:ceremony\s+)?(?:of|for)\s+",
    re.IGNORECASE,
)
"""An opening told as the ceremony someone attended ("He attended the launch of X's
refinery", "officials celebrated the inauguration of X's plant")."""


def attended_opening_events(s: Sent, ctx: Context) -> list[Event]:
    """A facility opening named as a ceremony attended: the operator is the possessive owner
    of the facility named right after ("the launch of Freeport Indonesia's refinery")."""
    m = _ATTENDED_OPENING.search(s.text)
    if m is None or _blocked(s, m.start()) or not_asserted(s.text, m.start()):
        return []
    owner = next(
        (
            o
            for o in s.companies()
            if o.kind == "company"
            and o.start == m.end()
            and _POSSESSED_FACILITY.match(s.text, o.end)
        ),
        None,
    )
    if owner is None:
        return []
    fields, links = _facility_fields(s, ctx, m, "opening")
    if _material(s, m.end()) is None:
        # the material of the plant named, not the article's last one
        fields["material"] = fields["stage"] = None
    fields["company"] = _value(owner)
    ev = _make(s, "facility", fields, {"company": owner, **links})
    return [ev] if ev else []


def pending_operator_events(s: Sent, ctx: Context) -> list[Event]:
    """The facility act of one of the two sentences before, whose operator this sentence
    names: as agent ("was built by the Chinese firm X"), as owner ("The mine owner, X, …"),
    or as the subject that announces ("X has today announced the changes")."""
    pend = ctx.pending_facility
    if pend is None or not 0 < s.index - pend[0].index <= 10:
        return []
    for c in s.companies():
        if c.kind != "company":
            continue
        before = s.text[: c.start]
        announces = (
            not any(x.end <= c.start for x in s.companies())
            and re.match(
                r"\s+(?:has\s+|have\s+)?(?:\w+\s+)?(?:announced|said|says|confirmed|told)\b",
                s.text[c.end :],
            )
            and re.fullmatch(r"(?:[\w'’-]+\s+){0,2}", before) is not None
            # a company that speaks tells of its own act only soon after it
            and s.index - pend[0].index <= 2
        )
        # the agent or owner may come a few sentences on, after a quote or the background
        # ("President X opened the plant … The project is being developed by Y")
        named = _OPERATOR_NAMED.search(before)
        if (
            named
            and s.index - pend[0].index > 2
            and not (_BUILT_BY.search(before) and _FACILITY_NOUN.search(before))
        ):
            # further on, only a sentence about the facility's making or owning names it
            named = None
        if named or announces:
            ctx.pending_facility = None
            psent, fields, links = pend
            if announces and fields["date"] is None:
                # "X has today announced the changes": the day the act was made known
                fields = {**fields, "date": event_day(s, ctx, c.end)}
            cap = stated_capacity(s.text)
            if fields["action"] == "opening" and fields["capacity"] is None and cap is not None:
                # "… has an installed capacity to process 4.5 million tonnes of ore per year"
                fields = {**fields, "capacity": cap.value, "unit": cap.unit}
            ev = _make(
                psent,
                "facility",
                {**fields, "company": _value(c)},
                {"company": c, **links},
                by_reference=True,
            )
            return [ev] if ev else []
    return []


# --------------------------------------------------------------------------- follow-ups
_FOLLOW_EFFECT = re.compile(
    r"^(?:[^,]{0,40},\s+)?(?:The|This|These|Its|That)\s+(?:[\w-]+\s+)?(?:suspension|ban|measures?|restrictions?|"
    r"controls?|curbs|limits|quotas?|embargo|move|decision|pause|exemption|easing|policy|rules?)\b",
    re.IGNORECASE,
)
_FOLLOW_PLANT = re.compile(
    r"^(?:The|This|Its) (?:[\w-]+ ){0,2}(?:plant|facility|mine|refinery|smelter|project|line|"
    r"unit|mill|factory|operation|site|complex)\b|^It (?:has|will have|is designed|can)\b"
)
_CAPACITY_REF = re.compile(
    r"\b(?:the|its|this|that)\s+(?:[\w-]+\s+){0,2}(?:project|plant|facility|mine|refinery|"
    r"smelter|mill|line|operation|site|complex|concentrator|factory|works|train|furnace|kiln)\b"
    r"[^.;]{0,40}?\b(?:capacity|designed to "
    r"(?:produce|process)|(?:able|built) to (?:produce|process))\b",
    re.IGNORECASE,
)
"""A later sentence giving the size of the facility just named ("… in the project, which has
a capacity of …", "the plant is designed to produce …")."""
_FOLLOW_SHIPMENT = re.compile(
    r"^(?:The|This|That) (?:initial |first |maiden |inaugural |debut )?(?:shipment|cargo|"
    r"consignment|delivery|batch|vessel|ship|parcel|container|load)\b"
)
_FOLLOW_DEAL = re.compile(
    r"^(?:The|This|That|Its) (?:[\w-]+ ){0,2}(?:deal|agreement|contract|offtake|pact)\b"
)


_EVENT_NOUNS: dict[str, str] = {
    "offtake": r"deal|agreement|contract|offtake|pact|supply|arrangement",
    "stake_acquisition": r"deal|agreement|transaction|investment|purchase|acquisition|stake|"
    r"placement|subscription|shares",
    "investment": r"deal|agreement|transaction|investment|funding|financing|commitment",
    "loan": r"loan|facility|financing|agreement|deal",
    "grant": r"grant|award|funding|agreement",
    "first_export": r"shipment|cargo|consignment|batch|parcel|vessel|ship|container|load|"
    r"concentrate|delivery|exports?",
    "export_restriction": r"ban|quotas?|controls|restrictions?|curbs|measures?|rules|system|"
    r"regime|framework|suspension|licen[cs]ing|exports",
}
"""What names an event of each type when a later sentence refers back to it."""
_DONE_VERB = re.compile(
    r"\b(?:signed|sealed|inked|formali[sz]ed|announced|agreed|reached|struck|completed|"
    r"closed|finali[sz]ed|executed|entered|concluded|approved|awarded|finalised)\b",
    re.IGNORECASE,
)
"""Verbs that date a deal: the day it was made or made public."""
_LEFT_VERB = re.compile(
    r"\b(?:shipped|loaded|departed|departing|left|leaving|sailed|sailing|dispatched|exported|"
    r"set sail)\b",
    re.IGNORECASE,
)
"""Verbs that date a shipment: the day it left."""
_EFFECT_VERB = re.compile(
    r"\b(?:resume|resumes|resumed|restart|restarts|start|starts|begin|begins|take effect|"
    r"takes effect|took effect|kick in|kicks in|come into (?:force|effect)|"
    r"comes into (?:force|effect))\b",
    re.IGNORECASE,
)
"""Verbs that date when a measure applies."""


_SUPERSEDED = re.compile(
    r"\b(?:originally|initially|previously|first)\s+(?:been\s+)?(?:scheduled|planned|set|due|"
    r"expected|meant|intended)\b|\bhad\s+(?:\w+\s+)?been\s+(?:scheduled|planned|set|due|"
    r"expected|meant|intended)\b",
    re.IGNORECASE,
)
"""A plan told as overtaken ("had originally been scheduled to start in January 2027"):
its day is no day of the event."""


def _refers_back(s: Sent, e: Event) -> bool:
    """``s`` is about the event ``e`` told before: it opens with a noun of the event's kind
    (after a time adverbial: "On 7 May, the agreement …", "Concentrate was trucked …"), names
    it with a definite article ("… under this new system"), or names one of its parties with
    such a noun ("Almonty announced a three-year offtake agreement with TPW")."""
    nouns = _EVENT_NOUNS.get(e.type)
    if nouns is None:
        return False
    lead = re.match(
        r"^(?:(?:On|In|By|Since)\s+[^,]{1,30},\s+)?(?:(?:The|This|That|These|Its|Their)\s+)?"
        r"(?:[\w$.,-]+\s+){0,3}?(?:" + nouns + r")\b",
        s.text,
        re.IGNORECASE,
    )
    if lead:
        return True
    definite = re.search(
        r"\b(?:the|this|that|these|its|their)\s+(?:new\s+)?(?:[\w-]+\s+){0,2}(?:" + nouns + r")\b",
        s.text,
        re.IGNORECASE,
    )
    if definite:
        return True
    named = any(
        same_org(m, party)
        # "Almonty" for "Almonty Industries": a distinctive head of the party's name
        or (len(m.text) >= 4 and m.text[0].isupper() and party.text.startswith(m.text + " "))
        for m in s.orgs()
        for party in e.links.values()
        if party.kind != "country"
    )
    return named and re.search(r"\b(?:" + nouns + r")\b", s.text, re.IGNORECASE) is not None


def _days_told_after(s: Sent, ctx: Context, recent: list[Event]) -> list[Event]:
    """Days a later sentence states for an event told before it (within three sentences),
    by what the sentence's verb says happened on that day: a deal made ("The agreement was
    signed on 7 May"), a cargo that left ("… departing Africa on 24 June"), a measure that
    applies ("… exports will resume on October 16 under this new system"). Only empty
    fields are filled, and a sentence with another party's deal lends nothing."""
    out: list[Event] = []
    if _SUPERSEDED.search(s.text):
        return out
    dates: dict[str, dt.date] | None = None
    for e in recent:
        if s.index - e.sentence_index > 3 or not _refers_back(s, e):
            continue
        if dates is None:
            dates = _classify_dates(s, ctx)
        f: dict[str, Any] = dict(e.fields)  # a working copy, checked by with_fields
        day = dates.get("date")
        if e.type in ("offtake", "stake_acquisition", "investment", "loan", "grant"):
            if day is not None and f.get("date") is None and _DONE_VERB.search(s.text):
                f["date"] = day
            if e.type == "offtake" and f.get("term") is None and _term(s.text):
                f["term"] = _term(s.text)
        elif e.type == "first_export":
            if (
                day is not None
                and f.get("date") in (None, ctx.published)
                and _LEFT_VERB.search(s.text)
            ):
                f["date"] = day
        elif e.type == "export_restriction" and f.get("start") is None:
            when = dates.get("start") or day
            if when is not None and _EFFECT_VERB.search(s.text):
                f["start"] = when
                if f.get("duration"):
                    # a window stated as a duration runs from the start given here
                    f["expiry"] = add_period(when, f["duration"])
        if f != e.fields:
            out.append(e.with_fields(f))
    return out


def follow_up(s: Sent, ctx: Context) -> list[Event]:
    """Details given in the sentence after an event's ("The suspension took effect on
    Saturday", "The plant has capacity to process 12,000 tonnes a year"); returns the
    updated earlier events (same identity, more fields)."""
    if not ctx.events:
        return []
    recent = [e for e in ctx.events if e.sentence_index == ctx.last_event_index]
    if s.index - ctx.last_event_index > 3:
        # further on, "the rules" are the article's restriction only when it has one
        # decision (one government, one sentence)
        rs = [e for e in ctx.events if e.type == "export_restriction"]
        if (
            not rs
            or len({e.fields.get("issuer") for e in rs}) != 1
            or len({e.sentence_index for e in rs}) != 1
            or s.index - rs[0].sentence_index > 12
            or (
                s.materials()
                and not {m.id for m in s.materials()} <= {e.fields.get("material") for e in rs}
            )
        ):
            return []
        recent = rs
    updated: list[Event] = []
    if _FOLLOW_EFFECT.match(s.text) and re.search(
        r"\b(?:took|take|takes|taking) effect\b|\beffective\b|\binto (?:force|effect)\b|"
        r"\buntil\b|\bin place\b|\bwill (?:last|run)\b|\bexpire[sd]?\b|"
        r"\b(?:valid|last|lasts|run|runs) for\b|\bin (?:place|force|effect) for\b",
        s.text,
    ):
        window = _classify_dates(s, ctx)
        dm = _DURATION.search(s.text)
        lasts = re.search(
            r"\b(?:last|lasts|run|runs|remain\w* in (?:place|force|effect))\s+(?:for\s+)?",
            s.text,
        )
        span = (
            parse_duration(f"{dm.group('n') or dm.group('n2')} {dm.group('u') or dm.group('u2')}")
            if dm
            else parse_duration(s.text[lasts.end() : lasts.end() + 30])
            if lasts
            else None
        )
        day = window.get("start")
        if day is None and re.search(
            r"\b(?:took|take|takes|taking) effect\b|\binto (?:force|effect)\b", s.text
        ):
            day = window.get("date")
        until = window.get("expiry")
        for e in recent:
            if e.type != "export_restriction":
                continue
            f: dict[str, Any] = dict(e.fields)  # a working copy, checked by with_fields
            if day is not None and "start" not in e.fields:
                f["start"] = day
                if "duration" in f and until is None:
                    # a window stated as a duration runs from the start given here
                    f["expiry"] = add_period(day, f["duration"])
            if until is not None and "expiry" not in e.fields:
                f["expiry"] = until
            if span is not None and "duration" not in f and e.fields.get("action") != "lifted":
                # "The restrictions will be valid for one year": the window, from its start
                f["duration"] = span
                base = f.get("start") or f.get("date") or s.dateline or ctx.published
                if "expiry" not in f and base is not None:
                    f["expiry"] = add_period(base, span)
            if f != e.fields:
                updated.append(e.with_fields(f))
    if re.search(
        r"\b(?:announced|confirmed|unveiled|published|issued|ordered|declared)\s+(?:the|this|"
        r"these|its)\s+(?:[\w-]+\s+){0,2}(?:decision|move|measures?|controls|ban|restrictions|"
        r"rules|curbs|licensing|licen[cs]e requirements?|suspension|embargo|prohibition|halt|"
        r"moratorium|quotas?)\b",
        s.text,
        re.IGNORECASE,
    ):
        # "The ministry confirmed the decision on Tuesday": the day it was announced
        announced = _classify_dates(s, ctx).get("date")
        if announced is not None:
            for e in recent:
                if e.type == "export_restriction" and "date" not in e.fields:
                    updated.append(e.with_fields(dict(e.fields, date=announced)))
    money = find_money(s.text)
    if (
        money
        and re.search(
            r"\b(?:the|this|that)\s+(?:[$€£¥A-Z]*[\d.,]+\s*(?:million|billion|bn|mn|m)?\s+)?"
            r"(?:[\w-]+\s+){0,2}"
            r"(?:deal|agreement|transaction|investment|purchase|acquisition|stake|pact|placement|"
            r"contract)\b",
            s.text,
            re.IGNORECASE,
        )
        and not re.search(
            # "The stake follows an investment in Y, where Z committed $N": another deal's sum
            r"\b(?:where|which|follows|followed|following|previous|previously|earlier|prior)\b",
            s.text,
            re.IGNORECASE,
        )
    ):
        for e in recent:
            if (
                e.type in ("stake_acquisition", "investment", "offtake")
                and "amount" not in e.fields
            ):
                amt = money[0]
                f = dict(e.fields, amount=amt.amount, currency=amt.currency)
                updated.append(e.with_fields(f))
    under = re.match(
        r"^(?:Under|As part of|Through) (?:the|this) (?:\w+ )?"
        r"(?:agreement|deal|contract|offtake)\b",
        s.text,
    )
    if under:
        for e in recent:
            if e.type != "offtake":
                continue
            sup, buy = e.links.get("supplier"), e.links.get("buyer")
            if sup is None or buy is None:
                continue
            f = dict(e.fields)
            for m in s.mentions:
                said = re.match(
                    r"\s+(?:will|would|shall|is to|agreed to)\s+(?:\w+\s+)?"
                    r"(?:supply|deliver|sell|ship)",
                    s.text[m.end :],
                )
                if (
                    said
                    and m.id == buy.id
                    and (m.id is not None or name_key(m.value) in name_key(buy.value))
                ):
                    f["supplier"], f["buyer"] = e.fields["buyer"], e.fields["supplier"]
                    e = replace(e, links={**e.links, "supplier": buy, "buyer": sup})
                    break
            q = find_quantities(s.text)
            if q and "quantity" not in f:
                f["quantity"], f["unit"] = q[0].value, q[0].unit
            if f.get("term") is None and _term(s.text):
                f["term"] = _term(s.text)
            if f != e.fields or e.links.get("supplier") is not sup:
                updated.append(e.with_fields(f))
    if not under and _FOLLOW_DEAL.match(s.text):
        # "The deal covers 900 tonnes a year over seven years": the deal's size and term
        q = find_quantities(s.text)
        for e in recent:
            if e.type != "offtake":
                continue
            f = dict(e.fields)
            if q and f.get("quantity") is None:
                f["quantity"], f["unit"] = q[0].value, q[0].unit
            if f.get("term") is None and _term(s.text):
                f["term"] = _term(s.text)
            if f != e.fields:
                updated.append(e.with_fields(f))
    qty = find_quantities(s.text)
    if qty and _FOLLOW_PLANT.match(s.text):
        for e in recent:
            if e.type == "facility" and "capacity" not in e.fields:
                cap = next((x for x in qty if x.unit.endswith("/yr")), qty[0])
                updated.append(e.with_fields(dict(e.fields, capacity=cap.value, unit=cap.unit)))
    later = (
        stated_capacity(s.text)
        if qty and not _FOLLOW_PLANT.match(s.text) and _CAPACITY_REF.search(s.text)
        else None
    )
    if later is not None:
        # "X invested $790 million in the project, which has a capacity of 20,000 tonnes a
        # year": the size of the plant whose opening was just told
        lacking = [
            e
            for e in recent
            if e.type == "facility"
            and "capacity" not in e.fields
            and e.fields.get("action") in ("opening", "expansion")
        ]
        mats = {x.id for x in s.materials()}
        if len(lacking) == 1 and (not mats or lacking[0].fields.get("material") in mats):
            e = lacking[0]
            updated.append(e.with_fields(dict(e.fields, capacity=later.value, unit=later.unit)))
    shipped = re.search(
        r"\b(?:were|was|had been|has been|have been)\s+(?:shipped|loaded|sent|exported|"
        r"dispatched|delivered)\b",
        s.text,
    )
    if qty and (_FOLLOW_SHIPMENT.match(s.text) or shipped):
        # "The company said 20 tons of antimony were shipped to Baltimore on Sunday": the
        # cargo's size, and the day it left when the event only had the report's date
        day = _classify_dates(s, ctx).get("date") if shipped else None
        for e in recent:
            if e.type != "first_export" or "quantity" in e.fields:
                continue
            mats = {x.id for x in s.materials()}
            if mats and e.fields.get("material") not in mats:
                continue
            f = dict(e.fields, quantity=qty[0].value, unit=qty[0].unit)
            if day is not None and f.get("date") in (None, ctx.published):
                f["date"] = day
            updated.append(e.with_fields(f))
    if qty:
        yearly = any(q.unit.endswith("/yr") for q in qty)
        lacking = [x for x in recent if x.type == "offtake" and "quantity" not in x.fields]
        for e in recent:
            if e.type != "offtake" or "quantity" in e.fields:
                continue
            sup = e.links.get("supplier")
            if sup is None or len(lacking) > 1:
                # several buyers without a quantity: the next one stated is no one's own
                continue
            pos = next((m.end for m in s.mentions if m.id == sup.id and m.text == sup.text), None)
            if pos is None:
                pos = next(
                    (m.end for m in s.mentions if sup.id is not None and m.id == sup.id), None
                )
            if pos is None:
                continue
            share = next((x for x in qty if x.start >= pos), None)
            if share is None:
                continue
            unit = share.unit if share.unit.endswith("/yr") or not yearly else share.unit + "/yr"
            updated.append(e.with_fields(dict(e.fields, quantity=share.value, unit=unit)))
    told = {(u.sentence_index, u.key()) for u in updated}
    updated.extend(
        _days_told_after(s, ctx, [e for e in recent if (e.sentence_index, e.key()) not in told])
    )
    # several details of one event in one sentence ("The seven-year deal is worth $400
    # million"): one update with all of them
    merged: dict[tuple[int, tuple[Any, ...]], Event] = {}
    for u in updated:
        k = (u.sentence_index, u.key())
        have = merged.get(k)
        if have is not None:
            extra = {f: v for f, v in have.fields.items() if u.fields.get(f) is None}
            u = u.with_fields({**u.fields, **extra})
        merged[k] = u
    return list(merged.values())


_PUTS_IN = re.compile(
    r"^\s*(?:,[^,]{1,60},\s*)?(?:will\s+|would\s+|is\s+to\s+|has\s+|have\s+|had\s+)?"
    r"(?:also\s+|jointly\s+)?(?:inject|contribut|pa(?:y|ys|id)\b|invest|put\w*\s+in|provid|"
    r"commit|subscrib\w*\s+for|spen[dt])\w*\s+(?:up\s+to\s+|about\s+|around\s+|some\s+|"
    r"roughly\s+|a\s+further\s+|another\s+)?$",
    re.IGNORECASE,
)
"""A party and the sum it puts in: "Korea Zinc will inject 147.9 billion won", "Trafigura,
as a new shareholder, will contribute 37 billion won"."""
_DEAL_NOUN = re.compile(
    r"\b(?:agreement|deal|investment|contract|transaction|subscription|placement|offering|"
    r"capital increase)\b",
    re.IGNORECASE,
)
_BACK_TO_DEAL = re.compile(
    r"\b(?:this|the|that|these)\s+(?:[\w-]+\s+){0,2}(?:agreement|deal|investment|transaction|"
    r"subscription|placement|offering|capital increase|injection|contribution)s?\b",
    re.IGNORECASE,
)


def note_loose_details(s: Sent, ctx: Context) -> None:
    """Remember what a sentence without an event of its own tells about a party's deal: the
    sum each named party puts in (its own verb and sum, one party at a time), and the day a
    deal of the named parties was made ("formalized a $142.8 million investment agreement on
    Thursday"). Sums are kept for three sentences, days for the article."""
    ctx.loose = [x for x in ctx.loose if x[3] is not None or s.index - x[0] <= 3]
    money = find_money(s.text)
    day = None
    if _DEAL_NOUN.search(s.text) and _DONE_VERB.search(s.text):
        day = _classify_dates(s, ctx).get("date")
    for m in s.orgs():
        put = next(
            (x for x in money if x.start >= m.end and _PUTS_IN.match(s.text[m.end : x.start])),
            None,
        )
        if put is not None or day is not None:
            ctx.loose.append((s.index, m, put, day))


def lend_loose_details(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """A stake or investment that refers back to a deal ("Through this investment, X will
    raise its stake to 64%"; also the next sentence's, "Y, as a new shareholder, secures a
    12.9 percent stake") takes, where its own sentence states none, the sum its buyer was
    said to put in (within three sentences) and the last day a deal of its was made
    (:func:`note_loose_details`)."""
    if not ctx.loose or not found:
        return found
    back = _BACK_TO_DEAL.search(s.text) or (
        ctx.prev is not None
        and ctx.prev.index == s.index - 1
        and _BACK_TO_DEAL.search(ctx.prev.text) is not None
    )
    if not back:
        return found
    out: list[Event] = []
    for e in found:
        party = e.links.get("acquirer") or e.links.get("investor")
        if e.type not in ("stake_acquisition", "investment") or party is None:
            out.append(e)
            continue
        f = dict(e.fields)
        for idx, m, put, day in reversed(ctx.loose):
            if not (same_org(m, party) or _org_key(m) == _org_key(party)):
                continue
            if put is not None and f.get("amount") is None and s.index - idx <= 3:
                f["amount"], f["currency"] = put.amount, put.currency
            if day is not None and f.get("date") is None:
                f["date"] = day
        out.append(e.with_fields(f) if f != e.fields else e)
    return out


EXTRACTORS = (
    stake_events,
    takeover_events,
    investment_events,
    offtake_events,
    first_export_events,
    restriction_events,
    restriction_scope,
    facility_events,
    pending_operator_events,
    attended_opening_events,
)
