"""Linking names in text to the graph: companies, countries and materials.

A :class:`Lexicon` is built once from the store's entities (names and aliases), the shipped
extra names (``news/data/companies.yaml``: short names, tickers, former names), the country
list (ISO names via ``pycountry``, press names, demonyms, capitals used for governments and
places that locate facilities: ``news/data/countries.yaml``) and the material catalogue with
synonyms (``news/data/materials.yaml``). :meth:`Lexicon.mentions` finds the longest
non-overlapping names in a sentence; organisations not in the graph are found by their form
(capitalised words ending in a company word such as ``Ltd``, ``Corp`` or ``Mining``) and come
back with ``id`` ``None``.

Company and country names match with their case (news capitalises them); materials match
without case, except acronyms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import pycountry
import yaml

from derisk.model.catalog import Catalog, load_catalog
from derisk.model.countries import SHORT_NAMES
from derisk.model.names import slug

LEGAL_SUFFIXES = (
    "co., ltd.",
    "co., ltd",
    "co ltd",
    "pty ltd",
    "pty. ltd.",
    "ltd.",
    "ltd",
    "limited",
    "inc.",
    "inc",
    "corp.",
    "corp",
    "corporation",
    "co.",
    "co",
    "plc",
    "s.a.",
    "sa",
    "b.v.",
    "n.v.",
    "ag",
    "ab",
    "gmbh",
    "llc",
    "spa",
    "s.p.a.",
    "tbk",
    "bhd",
)
"""Legal-form words dropped to get the name a company goes by ("Korea Zinc Co., Ltd.")."""

COMPANY_FORMS = (
    "Corp",
    "Corp.",
    "Corporation",
    "Inc",
    "Inc.",
    "Ltd",
    "Ltd.",
    "Limited",
    "LLC",
    "GmbH",
    "AG",
    "AB",
    "SA",
    "S.A.",
    "NV",
    "N.V.",
    "BV",
    "B.V.",
    "plc",
    "PLC",
    "Co",
    "Co.",
    "Company",
    "Group",
    "Holding",
    "Holdings",
)
"""Words of a company's legal or group form ("Ltd", "Corp.", "Holdings")."""

ORG_WORDS = (
    *COMPANY_FORMS,
    "Mining",
    "Mines",
    "Minerals",
    "Metals",
    "Resources",
    "Materials",
    "Chemical",
    "Chemicals",
    "Lithium",
    "Graphite",
    "Antimony",
    "Tungsten",
    "Nickel",
    "Cobalt",
    "Copper",
    "Zinc",
    "Vanadium",
    "Uranium",
    "Earths",
    "Systems",
    "Mineração",
    "Ltda",
    "Ltda.",
    "SpA",
    "S.p.A.",
    "SAS",
    "SARL",
    "Tbk",
    "Berhad",
    "Mineracao",
    "Smelter",
    "Technologies",
    "Technology",
    "Partners",
    "Industries",
    "Energy",
    "Cells",
    "Earth",
    "Battery",
    "Refining",
    # more commodities a miner's name ends in ("Base Titanium", "Champion Iron", "Barrick Gold")
    "Titanium",
    "Magnesium",
    "Molybdenum",
    "Alumina",
    "Aluminium",
    "Aluminum",
    "Platinum",
    "Gold",
    "Silver",
    "Iron",
    "Steel",
    "Alloys",
)
"""Words that end the name of an organisation ("Kibara Graphite Ltd", "Hanul Chemical")."""

_L = "A-Za-zÀ-ÖØ-öø-ÿ"
"""Letters of names, with the accented ones of Latin-1 ("Compañía Minera", "Mineração")."""
_CAP = (
    rf"(?:[A-ZÀ-ÖØ-Þ][{_L}0-9&'’.]*(?:-[A-Z][{_L}0-9'’.]*)*|[A-Z]{{2,}}|"
    r"de|del|do|da|du|des|di|la|el|of|y|and|&)"
)
_ORG_RE = re.compile(
    rf"(?<![\w-])(?:PT\s+)?(?P<name>(?:[A-ZÀ-ÖØ-Þ][{_L}0-9&'’.]*(?:-[A-Z][{_L}0-9'’.]*)*\s+)"
    r"(?:" + _CAP + r"\s+){0,4}?"
    r"(?:" + "|".join(re.escape(w) for w in sorted(ORG_WORDS, key=len, reverse=True)) + r")"
    r"(?:\s+(?:"
    + "|".join(re.escape(w) for w in sorted(ORG_WORDS, key=len, reverse=True))
    + r"))*)"
    r"(?![\w])"
)
_GOV_ORG_RE = re.compile(
    r"(?<![\w-])(?P<name>(?:(?:U\.S\.|US|UK|EU|[A-Z][a-z]+(?:ian|ese|an|ish|i)?)\s+)?"
    r"(?:Department|Ministry|Office|Agency|Administration|Bank|Corporation|Fund|Authority|"
    r"Commission) (?:of|for) (?:the\s+)?[A-Z][\w&]+(?:(?:,\s+|\s+and\s+|\s+&\s+|\s+)"
    # "Japan Bank for International Co-operation": a hyphenated word is one word
    r"(?:the\s+)?[A-Z][\w&]+(?:-\w+)*){0,4})"
    r"|(?P<name2>(?:Export Finance|Export[- ]Import Bank of|Development Finance Corporation|"
    r"Japan Organization for Metals and Energy Security|JOGMEC|KfW|EXIM|US EXIM|"
    r"Minerals Security Partnership|Export Development Canada|Canada Growth Fund|"
    r"National Reconstruction Fund Corporation|Critical Minerals Facility)"
    r"(?:\s+[A-Z][\w]+(?:-[A-Z]\w+)?){0,2})"
)
"""Government bodies and state financiers named in full ("U.S. Department of Energy",
"Export Finance Australia"): organisations even without a company word."""

_NOT_NAME_START = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "Its",
        "It",
        "Their",
        "His",
        "Her",
        "Our",
        "In",
        "On",
        "At",
        "For",
        "From",
        "With",
        "By",
        "And",
        "Or",
        "Under",
        "After",
        "Before",
        "While",
        "As",
        "If",
        "When",
        "But",
        "Other",
        "Some",
        "Most",
        "Chief",
        # a role noun opening a sentence ("Owner Talga Group said …") is no part of the name
        "Owner",
        "Operator",
        "Developer",
        "Partner",
        "Partners",
        "Miner",
        "Producer",
        "Explorer",
        "Refiner",
        "Shares",
        "Analysts",
        "Traders",
        "Officials",
        "Buyers",
        "Exporters",
        "Importers",
        "Prices",
        "Investors",
        "Environmental",
        "Deliveries",
    ]
)

SUBJECT_RE = re.compile(
    r"^(?P<name>[A-Z][A-Za-z0-9&'’.-]+(?:\s+[A-Z][A-Za-z0-9&'’.-]+){0,2})\s+"
    # a time adverbial of wire style between the subject and its verb ("X on Monday agreed")
    r"(?:(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})|last\s+(?:week|month)|"
    r"earlier\s+this\s+(?:week|month)|this\s+week|yesterday|today)\s+)?"
    r"(?:has|have|had|will|said|says|agreed|signed|announced|shipped|opened|began|bought|"
    r"acquired|sold|plans|is|was)\b"
)
STOP_SUBJECTS = frozenset(
    [
        "The",
        "It",
        "This",
        "That",
        "These",
        "Those",
        "He",
        "She",
        "They",
        "We",
        "Officials",
        "Analysts",
        "Traders",
        "Buyers",
        "Sellers",
        "Exporters",
        "Importers",
        "Shares",
        "Prices",
        "Deliveries",
        "Investors",
        "Environmental",
        "Chief",
        "Some",
        "Most",
        "Other",
        "Exports",
        "Imports",
        "Shipments",
        "Production",
        "Output",
        "Demand",
        "Supply",
        "Sales",
        "Under",
        "After",
        "Before",
        "While",
        "Its",
        "Their",
        "Our",
        "Government",
        "Ministry",
        "Regulator",
        "Companies",
        "Miners",
        "Smelters",
        "Producers",
        "Washington",
        "Beijing",
        "Reporting",
        "Editing",
        "Contact",
        "About",
        "Forward",
        # a question heading ("Why is this nickel share rising?") names no company
        "Why",
        "What",
        "How",
        "Where",
        "Who",
        "Which",
    ]
)


_TICKER_RE = re.compile(
    r"\b(?:NYSE|NASDAQ|Nasdaq|ASX|TSX|TSXV|TSX-V|LSE|AIM|HKEX|SEHK|HK|SSE|SZSE|KRX|KOSPI|KOSDAQ|"
    r"OTC|OTCQX|JSE|SGX|TYO|TSE)\s*:\s*(?P<ticker>[A-Z0-9.]{1,8})\b"
)
"""A ticker counts only after an exchange: "(NYSE: MP)", "(ASX: LYC)"."""


@dataclass(frozen=True)
class Mention:
    """A name found in a sentence. ``id`` is a graph id (entity id, ISO alpha-3, material id)
    or ``None`` for an organisation not in the graph."""

    start: int
    end: int
    text: str
    kind: str  # company, government, person, facility, country, material
    id: str | None
    role: str = "name"  # name, short, ticker, demonym, capital, place, new
    stage: str | None = None
    canonical: str | None = None  # full name of a new organisation named here in short
    country: str | None = None
    """For a government body named with its country ("the Chinese Ministry of Commerce",
    "the Indonesian Ministry of Energy"): that country's ISO alpha-3 code."""

    @property
    def value(self) -> str:
        """Graph id when linked, else the organisation's full name."""
        return self.id if self.id is not None else (self.canonical or self.text)

    @property
    def is_org(self) -> bool:
        return self.kind in ("company", "government", "person") or (
            self.kind == "country" and self.role == "capital"
        )


@dataclass(frozen=True)
class _Name:
    surface: str
    kind: str
    id: str
    role: str
    stage: str | None = None


def _norm_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def strip_legal(name: str) -> str:
    """A company's name without its legal form: ``"Korea Zinc Co., Ltd."`` → ``"Korea Zinc"``.

    >>> strip_legal("Kibara Graphite Ltd"), strip_legal("Tianqi Lithium Energy Australia Pty Ltd")
    ('Kibara Graphite', 'Tianqi Lithium Energy Australia')
    """
    out = _norm_space(name)
    changed = True
    while changed:
        changed = False
        low = out.lower()
        for suf in LEGAL_SUFFIXES:
            if low.endswith(" " + suf) or low.endswith("," + suf):
                out = out[: -len(suf)].rstrip(" ,")
                changed = True
                break
    return out


def name_key(text: str) -> str:
    """Comparison key for organisation names: case, punctuation and legal form ignored.

    >>> name_key("Cascade Antimony Corp.") == name_key("cascade antimony")
    True
    """
    base = strip_legal(re.sub(r"^the\s+", "", text.strip(), flags=re.IGNORECASE))
    return slug(base)


def _short_forms(name: str) -> list[str]:
    """Shorter names a company goes by: without legal form, without Holding/Group."""
    out = []
    base = strip_legal(name)
    if base != name:
        out.append(base)
    for word in (" Holding", " Holdings", " Group", " Corporation"):
        if base.endswith(word) and len(base) > len(word) + 3:
            out.append(base[: -len(word)])
    for name_ in [base, *out]:
        # a last word companies and the press write in either number: "Japan Australia Rare
        # Earth" for "Japan Australia Rare Earths", "Amman Mineral" for "Amman Minerals"
        if re.search(r"\s(?:Earths|Minerals)$", name_):
            out.append(name_[:-1])
    return list(dict.fromkeys(out))


def _company_names(name: str, aliases: str | None) -> list[tuple[str, str]]:
    """(surface, role) pairs for a store entity: names, aliases and parenthetical acronyms."""
    raw = [name] + [a for a in (aliases or "").split("|") if a.strip()]
    out: list[tuple[str, str]] = []
    for r in raw:
        r = _norm_space(r)
        for paren in re.findall(r"\(([^)]*)\)", r):
            head = paren.split(";")[0].strip()
            if re.fullmatch(r"[A-Z0-9&.\-]{2,10}", head):
                out.append((head, "name"))
        bare = _norm_space(re.sub(r"\([^)]*\)", "", r))
        if not bare or len(bare.split()) > 7 or "," in strip_legal(bare):
            continue
        out.append((bare, "name"))
        out.extend((s, "name") for s in _short_forms(bare))
    return [(s, role) for s, role in out if len(s) >= 2]


@functools.cache
def _data(name: str) -> Any:
    text = resources.files("derisk.news").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@functools.cache
def _sector_data() -> dict[str, tuple[str, str | None, bool]]:
    """surface -> (canonical name, country, maker) for every name of every sector company."""
    data = _data("sector_companies.yaml") or {}
    out: dict[str, tuple[str, str | None, bool]] = {}
    for canonical, spec in data.items():
        spec = spec or {}
        row = (str(canonical), spec.get("country") or None, bool(spec.get("maker")))
        out[str(canonical)] = row
        for s in spec.get("names") or []:
            out[str(s)] = row
    return out


def sector_surfaces() -> list[tuple[str, str]]:
    """(canonical name, surface) pairs of the well-known sector companies that are not graph
    entities (``news/data/sector_companies.yaml``): "Hyundai", "GM", "Glencore"."""
    return [(row[0], surface) for surface, row in _sector_data().items()]


def sector_country(name: str) -> str | None:
    """Headquarters country (ISO alpha-3) of a well-known sector company, by any of its names.

    >>> sector_country("GM"), sector_country("Hyundai Motor"), sector_country("Nobody Ltd")
    ('USA', 'KOR', None)
    """
    row = _sector_row(name)
    return row[1] if row else None


def sector_maker(name: str) -> bool:
    """A well-known maker of cars, cells or equipment: a buyer of minerals, not a seller.

    >>> sector_maker("Hyundai"), sector_maker("Glencore")
    (True, False)
    """
    row = _sector_row(name)
    return bool(row and row[2])


def _sector_row(name: str) -> tuple[str, str | None, bool] | None:
    data = _sector_data()
    row = data.get(name) or data.get(strip_legal(name))
    if row is None:
        base = re.sub(r"\s+(?:Company|Corporation|Corp\.?|Group|Holdings?|Co\.?)$", "", name)
        row = data.get(base)
    return row


def _cased_alias(key: str) -> str | None:
    if "(" in key or "," in key:
        return None
    if "." in key or len(key) <= 3:
        return key.upper()
    return " ".join(
        w.upper() if len(w) <= 2 and w not in ("of", "de") else w.capitalize() for w in key.split()
    )


def country_names() -> list[_Name]:
    """Country names, press names, demonyms, capitals and places, each with its ISO alpha-3."""
    from derisk.model.countries import ALIASES

    # earlier entries win for a surface: press usage (this package's data) before ISO names,
    # so that "Congo" is the DR Congo of the news, not ISO's Republic of the Congo
    out: list[_Name] = []
    for iso3, spec in (_data("countries.yaml") or {}).items():
        for role, key in (("name", "names"), ("demonym", "demonyms"), ("capital", "capitals")):
            out.extend(_Name(s, "country", iso3, role) for s in spec.get(key) or [])
        out.extend(_Name(s, "country", iso3, "place") for s in spec.get("places") or [])
    for iso3, short in SHORT_NAMES.items():
        out.append(_Name(short, "country", iso3, "name"))
    for key, iso3 in ALIASES.items():
        cased = _cased_alias(key)
        if cased and len(iso3) == 3 and iso3 not in ("WLD", "OTH"):
            out.append(_Name(cased, "country", iso3, "name"))
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val and "," not in val:
                out.append(_Name(val, "country", c.alpha_3, "name"))
    return out


def material_names(catalog: Catalog) -> list[_Name]:
    """Material names and synonyms from the catalogue and ``news/data/materials.yaml``."""
    out: list[_Name] = []
    extra = _data("materials.yaml") or {}
    for m in catalog.materials:
        out.append(_Name(m.name, "material", m.id, "name"))
        out.append(_Name(m.id.replace("-", " "), "material", m.id, "name"))
        spec = extra.get(m.id) or {}
        out.extend(_Name(s, "material", m.id, "name") for s in spec.get("synonyms") or [])
        for s, stage in (spec.get("stages") or {}).items():
            if stage in {st.id for st in m.stages}:
                out.append(_Name(s, "material", m.id, "name", stage))
    return out


def _alternation(surfaces: Iterable[str], flags: int) -> re.Pattern[str]:
    uniq = sorted(set(surfaces), key=lambda s: (-len(s), s))
    body = "|".join(re.escape(s) for s in uniq) or r"(?!x)x"
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])", flags)


@dataclass
class Lexicon:
    """Names to link, built from graph entities plus shipped country and material data."""

    entities: dict[str, tuple[str, str]]  # id -> (kind, display name)
    _cased: dict[str, _Name] = field(default_factory=dict)
    _uncased: dict[str, _Name] = field(default_factory=dict)
    _short: dict[str, _Name] = field(default_factory=dict)
    _tickers: dict[str, _Name] = field(default_factory=dict)
    _sector: dict[str, str] = field(default_factory=dict)  # surface -> canonical name
    _sector_re: re.Pattern[str] | None = None
    _cased_re: re.Pattern[str] | None = None
    _uncased_re: re.Pattern[str] | None = None

    @classmethod
    def build(
        cls,
        entities: Sequence[tuple[str, str, str, str | None]],
        catalog: Catalog | None = None,
    ) -> Lexicon:
        """From ``(entity_id, kind, name, aliases)`` rows (aliases ``|``-separated)."""
        catalog = catalog or load_catalog()
        lex = cls(entities={e[0]: (e[1], e[2]) for e in entities})
        names: list[_Name] = []
        names.extend(country_names())
        for eid, kind, name, aliases in entities:
            if kind == "facility":
                continue
            names.extend(_Name(s, kind, eid, role) for s, role in _company_names(name, aliases))
        extra = _data("companies.yaml") or {}
        for eid, spec in extra.items():
            if eid not in lex.entities:
                continue
            kind = lex.entities[eid][0]
            names.extend(_Name(s, kind, eid, "name") for s in spec.get("names") or [])
            for s in spec.get("tickers") or []:
                lex._tickers[str(s)] = _Name(str(s), kind, eid, "ticker")
            for s in spec.get("short") or []:
                lex._short[s] = _Name(s, kind, eid, "short")
        for n in names:
            # entities first in `names` order would be overridden by countries; keep the first
            # non-country name for a surface, so "Korea Zinc" stays a company.
            prev = lex._cased.get(n.surface)
            if prev is None or (prev.kind == "country" and n.kind != "country"):
                lex._cased[n.surface] = n
            if n.surface.startswith("The ") and n.kind != "country":
                lex._cased.setdefault("the " + n.surface[4:], n)
        for n in material_names(catalog):
            if n.surface.isupper() and len(n.surface) <= 5:
                lex._cased.setdefault(n.surface, n)
            else:
                lex._uncased.setdefault(n.surface.lower(), n)
        for canonical, surface in sector_surfaces():
            if surface not in lex._cased:
                lex._sector[surface] = canonical
        lex._sector_re = _alternation(lex._sector, 0)
        lex._cased_re = _alternation(lex._cased, 0)
        lex._uncased_re = _alternation(lex._uncased, re.IGNORECASE)
        return lex

    def entity_name(self, entity_id: str) -> str | None:
        got = self.entities.get(entity_id)
        return got[1] if got else None

    def mentions(
        self, sentence: str, active_short: dict[str, Mention] | None = None
    ) -> list[Mention]:
        """Longest non-overlapping names in ``sentence``, left to right.

        ``active_short`` maps short names (seen in full earlier in the article) to the mention
        they stand for; they are matched too.
        """
        assert self._cased_re is not None and self._uncased_re is not None
        cands: list[Mention] = []
        for m in self._cased_re.finditer(sentence):
            n = self._cased[m.group(0)]
            cands.append(Mention(m.start(), m.end(), m.group(0), n.kind, n.id, n.role, n.stage))
        for m in self._uncased_re.finditer(sentence):
            n = self._uncased[m.group(0).lower()]
            cands.append(Mention(m.start(), m.end(), m.group(0), n.kind, n.id, n.role, n.stage))
        for m in _TICKER_RE.finditer(sentence):
            tick = self._tickers.get(m.group("ticker"))
            if tick is not None:
                a, b = m.span("ticker")
                cands.append(Mention(a, b, m.group("ticker"), tick.kind, tick.id, "ticker"))
        if self._sector_re is not None:
            for m in self._sector_re.finditer(sentence):
                surface, canonical = m.group(0), self._sector[m.group(0)]
                # an acronym stands for the full name ("GM" is General Motors)
                full = canonical if surface.isupper() and surface != canonical else None
                cands.append(
                    Mention(m.start(), m.end(), surface, "company", None, "new", canonical=full)
                )
        for short, ref in (active_short or {}).items():
            for m in re.finditer(r"(?<![\w])" + re.escape(short) + r"(?![\w])", sentence):
                cands.append(
                    Mention(
                        m.start(),
                        m.end(),
                        m.group(0),
                        ref.kind,
                        ref.id,
                        "short",
                        canonical=ref.canonical or (ref.text if ref.id is None else None),
                    )
                )
        known = _resolve(cands)
        orgs = _new_orgs(sentence, known)
        # "the U.S. Department of Energy": the body, not the country -- but the body keeps the
        # country it belongs to ("the Chinese Ministry of Commerce" acts for China)
        govs = []
        for i, o in enumerate(orgs):
            if _GOV_ORG_RE.fullmatch(o.text):
                c = next(
                    (
                        k.id
                        for k in known
                        if k.kind == "country" and o.start <= k.start and k.end <= o.end
                    ),
                    None,
                )
                orgs[i] = o = replace(o, country=c) if c is not None else o
                govs.append(o)
        known = [
            k
            for k in known
            if not (k.kind == "country" and any(o.start < k.end and k.start < o.end for o in govs))
        ]
        return _resolve(known + orgs, prefer_new=True)

    def short_names(self, mention: Mention) -> dict[str, Mention]:
        """Names that stand for ``mention`` later in the same article (``MP``, ``Kibara``)."""
        out: dict[str, Mention] = {}
        if mention.kind not in ("company", "government"):
            return out
        for s, n in self._short.items():
            if n.id == mention.id and mention.id is not None:
                out[s] = mention
        if mention.id is None:
            base = strip_legal(mention.text)
            forms = {base}
            words = base.split()
            while len(words) > 1 and (words[-1] in ORG_WORDS or words[-1] == "Rare"):
                words = words[:-1]
                forms.add(" ".join(words))
            for f in forms:
                if f != mention.text and len(f) >= 3 and f not in _NOT_NAME_START:
                    out[f] = mention
        return out


def _resolve(cands: list[Mention], prefer_new: bool = False) -> list[Mention]:
    """Greedy longest-first, left-to-right, non-overlapping selection."""
    ordered = sorted(cands, key=lambda m: (m.start, -(m.end - m.start), m.id is None))
    out: list[Mention] = []
    last_end = -1
    for m in ordered:
        if m.start >= last_end:
            out.append(m)
            last_end = m.end
    return out


_DESCRIBED_RE = re.compile(
    r"\b(?:group|conglomerate|trading house|trader|refiner|smelter|miner|carmaker|automaker|"
    # "The Canadian company Sherritt announced …", "Chinese firm DH Mining" (not a day or a
    # month: "the company Tuesday said")
    r"(?:(?:[A-Z][a-z]+(?:an|ese|ish|ian|i)|[Tt]he|mining|trading|state-owned)\s+)"
    r"(?:company|firm)(?=\s+(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"On|In|The|This|That|It|Its|Last|Next|Earlier|Later)\b))|"
    r"steelmaker|chipmaker|battery maker|magnet maker|investor|explorer|developer|producer|"
    # "…, operator Mopani Copper Mines said": the one running the plant, named after its role
    r"operator|owner|"
    # "US investment firm Engine No. 1 will acquire …"
    r"(?:investment|private equity|asset management|mining|trading|holding)\s+(?:firm|company))\s+"
    r"(?P<name>(?:PT\s+)?[A-Z][a-z][\w&'’-]*(?:\s+(?:No\.\s+\d+|[A-Z][\w&'’-]+)){0,2})"
    r"(?=\s+(?:has|have|had|is|was|will|would|said|says|signed|agreed|took|takes|bought|buys|"
    # "… has backed copper miner X to export": the object of a verb of letting or asking
    r"acquired|acquires|announced|announces|plans|and|"
    # an act of its own ("developer X made its inaugural shipment")
    r"made|makes|shipped|ships|exported|exports|sent|delivered|loaded|opened|opens|closed|"
    r"closes|halted|halts|suspended|suspends|resumed|resumes|restarted|restarts|began|begins|"
    r"started|starts|commissioned|completed|produced|placed|idled|launched|"
    r"to\s+(?:export|resume|continue|keep|"
    r"halt|stop|suspend|build|expand|sell|ship))\b|\s*[,.(])"
)
"""A name introduced by the noun of its trade ("Japanese group Idemitsu has …")."""
_STATE_OWNED_RE = re.compile(
    r"\b(?i:state)-(?:owned|run|controlled|backed)\s+"
    r"(?P<name>[A-Z][\w&'’-]+(?:\s+[A-Z][\w&'’-]+){0,2})"
    r"(?=\s+(?:has|have|had|is|was|will|said|says|began|begins|started|starts|opened|opens|"
    r"commenced|commences|signed|agreed|bought|announced)\b|\s*[,.(])"
)
"""A name introduced as state-owned ("state-run KMC has …", "State-owned IREL (India) Ltd"),
acronyms too: a company of a state."""


OFFICIAL_TITLES = frozenset(
    {"President", "Minister", "Premier", "Secretary", "Governor", "Chancellor", "Senator"}
)
"""Titles of office: a name holding one is a person of a government, not a company
("President Felix Tshisekedi", "Minister of Mines and Mining Development Winston Chitando")."""


_HEADLINE_PREPOSITIONS = frozenset(
    [
        "Amid",
        "Amidst",
        "After",
        "Before",
        "Despite",
        "Following",
        "Against",
        "Over",
        "Under",
        "Into",
        "From",
        "With",
        "For",
        "To",
        "At",
        "In",
        "On",
        "As",
        "Near",
        "Via",
        "Toward",
        "Towards",
        "Without",
        "Within",
        "Through",
        "Across",
        "Behind",
    ]
)
"""Prepositions a headline capitalises ("… Permit to Freeport Amid Smelter Repairs"): no
company name runs across one."""


_PRODUCT_AFTER = re.compile(
    r"\s+(?:Concentrates?|Oxides?|Carbonates?|Hydroxides?|Sulphates?|Sulfates?|Chlorides?|"
    r"Alloys?|Magnets?|Powders?|Ores?|Precipitates?|Cathodes?|Anodes?|Matte|Ingots?)\b"
)
"""A product noun after a name ending in a company word ("Rare Earth", "Lithium", "Nickel"):
the capitals name the product, not a company."""


_NOT_BRAND = frozenset(
    [
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Upper",
        "Lower",
        "New",
        "Old",
        "Greater",
        "Inner",
        "Outer",
        "Mainland",
        "Communist",
        "Democratic",
        "Republic",
        "Islamic",
        "Federal",
        "Modern",
        "Rural",
        "Coastal",
        "Today",
        "Yesterday",
        "Now",
        "Meanwhile",
        "Thus",
        "Still",
        "Also",
        "Then",
        "Separately",
        "Earlier",
        "Later",
        "Last",
        "Next",
        "Since",
        "Overall",
        "Moreover",
        "However",
        "Elsewhere",
        "Indeed",
        "Instead",
        "Likewise",
        "Besides",
        "Neither",
        "Nor",
        "Both",
        "Either",
        "Even",
        "Only",
        "Whereas",
        "Although",
        "Though",
        "Because",
        "Unlike",
        "Like",
        "Why",
        "How",
        "What",
        "Where",
        "Which",
        "Who",
        "Whom",
        "Whose",
        "Across",
        "Against",
        "Through",
        "Despite",
        "Amid",
        "Over",
        "Into",
        "Onto",
        "Toward",
        "Towards",
        "Without",
        "Within",
        "Near",
        "Via",
        "Between",
        "Beyond",
        "Behind",
        "Below",
        "Above",
        "Outside",
        "Inside",
        "Once",
        "Until",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "President",
        "Minister",
        "Premier",
        "Governor",
        "Secretary",
        "Prime",
        "Chancellor",
        "King",
        "Queen",
        "Prince",
        "Team",
        "Made",
    ]
)
"""Capitalised words before a country that make no company of it ("Western Australia",
"Today China", "President Indonesia")."""


def _country_branches(sentence: str, known: list[Mention], out: list[Mention]) -> list[Mention]:
    """A brand before a country's name, used as a subject or a party in running text
    ("Freeport Indonesia found itself unable to export", "Harita Indonesia's smelter"): a
    national company, not the country. Not in headline case (the next word must be lower
    case or a possessive), not after a name the lexicon knows ("Glencore Australia" stays
    Glencore)."""
    found: list[Mention] = []
    for k in known:
        if k.kind != "country" or k.role != "name":
            continue
        w = re.search(r"(?<![\w'’.-])([A-Z][a-z][\w-]+)\s$", sentence[: k.start])
        if w is None or not re.match(r"\s+[a-z]|['’]s\b", sentence[k.end :]):
            continue
        word = w.group(1)
        a = w.start(1)
        if (
            word in _NOT_BRAND
            or word in _NOT_NAME_START
            or word in STOP_SUBJECTS
            or word.endswith("ly")
            or any(
                x.start < k.start and a < x.end
                for x in [*known, *out]
                # (the short name of this very company, named in full before, gives way)
                if x is not k and not (x.role == "short" and x.canonical == sentence[a : k.end])
            )
        ):
            continue
        found.append(Mention(a, k.end, sentence[a : k.end], "company", None, "new"))
    return found


_LISTED_NAME_RE = re.compile(
    r"(?<![\w-])(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of|de))*)\s*\(\s*"
    r"(?:ASX|TSX|TSXV|TSX-V|NYSE|NYSE American|NASDAQ|Nasdaq|LSE|AIM|JSE|HKEX|HKG|SGX|KRX|"
    r"KOSDAQ|Xetra|OTCQX|OTCQB|OTC|CSE|IDX|BSE|NSE|SSE|SZSE|TYO|TSE|ASX/TSX|TSX/ASX)\s*:"
)
"""A name followed by its exchange and ticker in brackets."""
_NOT_LISTED = frozenset(["New", "North", "South", "East", "West", "Mining", "Metals", "Shares"])
"""Single words before a ticker that are no company ("New (KOSDAQ: …) Caledonia", a page's
ticker link cut into a place name)."""


def _new_orgs(sentence: str, known: list[Mention]) -> list[Mention]:
    out = [m for m in _new_org_candidates(sentence, known) if not _titled(m.text)]
    return out


def _titled(name: str) -> bool:
    return any(w in OFFICIAL_TITLES for w in name.split())


def _new_org_candidates(sentence: str, known: list[Mention]) -> list[Mention]:
    """Organisations not in the graph: capitalised names ending in a company word, or a
    capitalised sentence subject followed by a verb of corporate action ("Apple has agreed")."""
    out: list[Mention] = []
    # a graph entity inside a candidate wins ("Korea Zinc Co."); a short name of an
    # organisation not in the graph does not ("Kestrel" inside "Kestrel Battery Systems")
    known_orgs = [
        k for k in known if k.kind in ("company", "government", "person") and k.id is not None
    ]
    for g in _GOV_ORG_RE.finditer(sentence):
        grp = "name" if g.group("name") else "name2"
        a, b = g.span(grp)
        if not any(k.start < b and a < k.end for k in known_orgs):
            out.append(Mention(a, b, g.group(grp), "company", None, "new"))
    for m in _ORG_RE.finditer(sentence):
        if any(o.start <= m.start("name") < o.end for o in out):
            continue
        start, end = m.start("name"), m.end("name")
        text = m.group("name")
        words = text.split()
        while words and (
            words[0] in _NOT_NAME_START
            or re.search(r"-[a-z]", words[0])
            or words[0].endswith(("'s", "’s"))  # "Australia's Iluka Resources"
        ):
            start += len(words[0]) + 1
            words = words[1:]
        poss = [i for i, w in enumerate(words[:-1]) if w.endswith(("'s", "’s"))]
        if poss:
            # "Northern Ontario's Electra Battery Materials": a place's possessive is no part
            start += sum(len(w) + 1 for w in words[: poss[-1] + 1])
            words = words[poss[-1] + 1 :]
        cut = [i for i, w in enumerate(words[:-1]) if w in _HEADLINE_PREPOSITIONS]
        if cut:
            # "Permit to Freeport Amid Smelter Repairs": a headline capitalises its
            # prepositions, and a name does not run across one
            start += sum(len(w) + 1 for w in words[: cut[-1] + 1])
            words = words[cut[-1] + 1 :]
        if len(words) < 2 or all(w in ORG_WORDS for w in words):
            continue
        if _PRODUCT_AFTER.match(sentence, end):
            # "Mixed Rare Earth Concentrate", "Battery Grade Lithium Hydroxide": a product
            # named in capitals, not a company
            continue
        text = " ".join(words)
        inside = [k for k in known_orgs if k.start < end and start < k.end]
        # "Ford and Ridgeway Minerals": a well-known company joined by "and" to a new one
        # (but "Mitsubishi Chemical" stays whole)
        inside += [
            k
            for k in known
            if k.role == "new"
            and k.kind == "company"
            and k.start < end
            and start < k.end
            and re.match(r"[\s,]*(?:and|&)\s+", sentence[k.end : end])
        ]
        if inside:
            # "Korea Zinc and Hanul Chemical": keep what follows the graph entity
            rest_start = max(k.end for k in inside)
            rest = sentence[rest_start:end]
            lead = re.match(r"^[\s,]*(?:and|&)?\s+", rest)
            if lead is None or rest_start >= end:
                continue
            start = rest_start + lead.end()
            words = sentence[start:end].split()
            if len(words) < 2 or all(w in ORG_WORDS for w in words):
                continue
            text = " ".join(words)
        if sentence[m.start() : m.start() + 3] == "PT ":
            start, text = m.start(), "PT " + text
        out.append(Mention(start, start + len(text), text, "company", None, "new"))
    for d in [*_DESCRIBED_RE.finditer(sentence), *_STATE_OWNED_RE.finditer(sentence)]:
        # "Japanese group Idemitsu", "trading house Okada": a name the noun before introduces
        a, b = d.span("name")
        words = d.group("name").split()
        if words[0] in _NOT_NAME_START or words[0] in STOP_SUBJECTS:
            continue
        over = [k for k in known + out if k.start < b and a < k.end]
        if any(
            k in out
            or k.kind in ("company", "government", "person")
            or (k.start <= a and b <= k.end)
            for k in over
        ) or (over and len(words) < 2):
            # a place or a material word inside a longer introduced name does not make it
            # something else ("copper miner Mwale Copper", "producer Yunnan Lanping")
            continue
        out.append(Mention(a, b, d.group("name"), "company", None, "new"))
    out.extend(_country_branches(sentence, known, out))
    for tk in _LISTED_NAME_RE.finditer(sentence):
        # "South32 (ASX: S32)", "Neo Performance Materials (TSX: NEO)": a name listed on an
        # exchange is a company, whatever its words
        a, b = tk.span("name")
        words = tk.group("name").split()
        while words and (
            words[0] in _NOT_NAME_START or words[0] in STOP_SUBJECTS or words[0][0].islower()
        ):
            a += len(words[0]) + 1
            words = words[1:]
        if not words or (len(words) == 1 and words[0] in _NOT_LISTED):
            continue
        # a material word opening the listed name is part of it ("Nickel Industries Ltd (ASX:
        # NIC)", all of whose words are company words)
        if any(k.start < b and a < k.end for k in known + out if k.kind != "material"):
            continue
        out.append(Mention(a, b, sentence[a:b], "company", None, "new"))
    sm = SUBJECT_RE.match(sentence)
    if sm:
        name = sm.group("name")
        first = name.split()[0]
        covered = any(k.start < sm.end("name") and k.end > 0 for k in known + out)
        if first not in STOP_SUBJECTS and not covered and not name.isupper():
            out.append(Mention(0, len(name), name, "company", None, "new"))
    fr = _FRONTED_CLAUSE.match(sentence)
    sm = SUBJECT_RE.match(sentence[fr.end() :]) if fr else None
    if fr and sm:
        # "As the storm eased, Kestrel52 has begun to assess …": the subject after a fronted
        # adverbial clause, as at the start of a sentence
        name = sm.group("name")
        a, b = fr.end(), fr.end() + len(name)
        if (
            name.split()[0] not in STOP_SUBJECTS
            and name.split()[0] not in _NOT_NAME_START
            and not any(k.start < b and a < k.end for k in known + out)
            and not name.isupper()
        ):
            out.append(Mention(a, b, name, "company", None, "new"))
    return out


_FRONTED_CLAUSE = re.compile(
    r"^(?:(?:As|When|While|After|Following|Amid|Despite|Although|Though|Since|Before|Once)\b"
    # a fronted participle phrase ("Owned by Andrew Forrest, Wyloo acquired …")
    r"|[A-Z][a-z]+(?:ed|en)\s+(?:by|in|on|at|from)\s)"
    r"[^,;]{3,100},\s+"
)
"""An adverbial clause before the sentence's subject ("As the storm eased, …")."""
