"""State loans and grants: the constructions public lenders' and funders' news is told in.

Round 8 (the fifth collection) showed state finance told in ways the deal families of
:mod:`derisk.news.deals` did not read. Each rule below is a class of construction:

* **A loan with its parties after "with"** ("X signed a $N term loan with the Export-Import
  Bank of Korea", "the Office announced a joint $N conditional loan commitment with A and
  B"): the public body of the two lends, whichever is the subject; coordinated parties each
  borrow (a joint sum goes to none of them).
* **Coordinated loans** ("the signing of a $N loan agreement with X, and a loan commitment of
  up to $M from Y"): every loan noun with its own lender after "with"/"from" is a loan to the
  clause's subject.
* **A clause lending without a borrower** ("…, while the Canada Infrastructure Bank will lend
  $M"): the borrower is the other loan's of the sentence, else the company that reports it.
* **Shares of a commitment** ("includes two loans, one to A for $N and one to B for $M"): a
  loan or grant per party, from the lender of the commitment.
* **Programme funds given** ("$N in Defense Production Act Title III funds to X", "will
  provide the DPA funds to X"): a grant of the public body acting, else of the one the
  article named last ("The Department said …" after "The U.S. Defense Department has
  announced …"), else of the U.S. government.
* **Shares of an announced total** ("DOE will award $2.8 billion in grants to 20 companies"
  … "with X receiving $N, and Y receiving $M"): each recipient's grant (or loan) from the
  funder of the total.
* **A bare "$" of a public lender abroad** ("Export Development Canada will lend $110-million"):
  the lender's home dollar.
* **A second sum with a second party** ("loans of up to $92 million with A, and up to $16
  million with B"): the same lender's second loan.
* **The borrower's side, the loan as subject** ("X will borrow $N from Y", "a $N loan will be
  provided by Y", "A $N loan from Y to X was finalized", "X and Y signed a $N loan
  agreement", "a commitment to X for a $N loan").
* **Money given without repayment** ("a non-repayable contribution from Y", "provide X with
  a grant") is a grant; **financing from a public lender** with no grant word is a loan.

Round 11 (the sixth collection) added: **public lenders coordinated** as one loan's subject,
each lending; **a list of recipients** ("- X: $N for …") after a government's total, a bare
"Federal Government" placed by the country named next; **a party in another sentence** ("The
funding comes from Y"; "X will have access to …" after a loan "to develop a mine"; "In
return, Y is providing a $N loan"; "a $N loan backing X's development of …"); **financing
an act by X** ("will finance the acquisition of … by X, lending ¥N"); **a second buyer** in
a clause without an object ("…, while Z will acquire 3%", "a deal with Z for a 3% stake in
Y"); a government inside a grant's noun ("a Portuguese government grant"); and, for every
deal, a new party's name without a glued role noun or country possessive ("Start-up X",
"Chile's X"), and a public lender by its listed name when spelt otherwise ("… Co-operation
(JBIC)", "Exim Bank of Korea").

Guards: a hedge or a denial before the verb, a non-binding instrument (letter of interest,
term sheet, MOU) in the sentence, equity or sale words in a share of a total, a loan noun
with no determiner or size ("through loan and equity"), a purpose after "to" ("a loan to
expand the Y mine"), a total over many borrowers, and a deal recalled in a relative clause
block the rules. Public lenders and funders are the graph's governments, the bodies named as such
(Department, Agency, Bank …) and the ``public: true`` entries of
``news/data/sector_companies.yaml``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from derisk.model.event_fields import extracted_fields
from derisk.news.deals import (
    _FUNDER,
    _NONBINDING,
    _UNBOUND,
    US_GOVERNMENT,
    _government_at,
    _grant,
    _last,
    _loan,
    _money,
    _name_at,
    _new,
    _public,
    _reporter,
    _same,
    _stake,
    _subject,
)
from derisk.news.events import Context, Event, Money, Sent, _blocked, _classify_dates
from derisk.news.lexicon import Mention, _data, country_names

_HOME_CURRENCY = {"CAN": "CAD", "AUS": "AUD", "NZL": "NZD", "SGP": "SGD", "HKG": "HKD"}


@functools.cache
def _state_entries() -> dict[str, tuple[str, str | None]]:
    """Every name of a ``public: true`` entry of the sector list -> (its full name, its home
    country)."""
    out: dict[str, tuple[str, str | None]] = {}
    for canonical, spec in (_data("sector_companies.yaml") or {}).items():
        spec = spec or {}
        if not spec.get("public"):
            continue
        for name in [canonical, *(spec.get("names") or [])]:
            out[str(name)] = (str(canonical), spec.get("country"))
    return out


@functools.cache
def _state_bodies() -> dict[str, str | None]:
    """Every name of a public lender or funder -> its home country."""
    return {k: v[1] for k, v in _state_entries().items()}


def _full_name(s: Sent, e: Event) -> Event:
    """A public lender or funder by the full name its list gives ("Korea Eximbank" → "Export-
    Import Bank of Korea"), also when the article spells it otherwise but gives a listed acronym
    after it ("Japan Bank for International Co-operation (JBIC)") or shortens "Export-Import"
    ("Exim Bank of Korea")."""
    role = "lender" if e.type == "loan" else "grantor"
    m = e.links.get(role)
    if m is None or m.id is not None:
        return e
    acronym = re.match(r"\s*\(([A-Z][A-Za-z]{1,7})\)", s.text[m.end :]) if m.end else None
    spelt = re.sub(r"^Exim\s*[Bb]ank\s+of\b", "Export-Import Bank of", m.text)
    entry = (
        _state_entries().get(m.canonical or m.text)
        or _state_entries().get(m.text)
        or _state_entries().get(spelt)
        or (_state_entries().get(acronym.group(1)) if acronym is not None else None)
    )
    if entry is None or e.fields.get(role) == entry[0]:
        return e
    full = replace(m, canonical=entry[0])
    if entry[0] not in (m.canonical, m.text) and m.text not in _state_entries():
        # spelt otherwise ("Co-operation"): the listed spelling, which the article then keeps
        full = replace(full, text=entry[0])
    return replace(
        e,
        fields=extracted_fields({**e.fields, role: entry[0]}),
        links={**e.links, role: full},
    )


def state_body(m: Mention | None) -> bool:
    """A government, a public lender or funder."""
    if m is None:
        return False
    if m.id in ("us-dod", "us-government") or m.kind == "government":
        return True
    if (m.canonical or m.text) in _state_bodies() or m.text in _state_bodies():
        return True
    # "Sumitomo Metal Mining Corporation" is a company; "Development Finance Corporation" not
    return bool(_STATE_NAME.search(m.text)) and _public(m)


_STATE_NAME = re.compile(
    r"\b(?:Department|Ministry|Agency|Office|Administration|Commission|Government|government|"
    r"Pentagon|Authority|Council|Union|Programs?|(?:Development|Finance|Export|Investment|"
    r"Infrastructure|Reconstruction|Growth|Wealth|Strategic)\s+(?:Bank|Fund|Corporation|"
    r"Facility)|Bank\s+(?:of|for)\s+[A-Z]\w*|Export-Import|Eximbank|EXIM|JBIC|JOGMEC|DFC|KfW)\b"
)


def _home(m: Mention) -> str | None:
    country = _state_bodies().get(m.canonical or m.text) or _state_bodies().get(m.text)
    if country is None and m.kind == "government" and m.id in _HOME_CURRENCY:
        country = m.id  # a dollar country's government ("Australia's government … $15 million")
    return _HOME_CURRENCY.get(country or "")


_LOAN_NP = re.compile(
    r"\b(?P<joint>joint\s+)?(?:(?:conditional|bridge|term|senior|secured|direct|construction|"
    r"project|green|debt)\s+)*(?:loans?|credit|(?<=debt\s)commitments?)(?:\s+(?:facility|facilities|commitments?|"
    r"agreements?|guarantees?|package|deal))*(?P<size>\s+(?:of|worth|totall?ing|amounting to)\s+"
    r"(?:up to\s+|about\s+|nearly\s+)?)?",
    re.IGNORECASE,
)
_DEAL_VERB = re.compile(
    r"\b(?:announc(?:e|es|ed|ing)|sign(?:ed|s|ing)?|finali[sz](?:e|ed|es)|clos(?:e|ed|es)|"
    r"agreed|agrees|secur(?:e|ed|es)|enter(?:ed|s)?\s+into|reached|obtain(?:ed|s)?|receiv(?:ed|es)|"
    r"won|wins|approv(?:e|ed|es|ing)|issu(?:e|ed|es|ing)|extend(?:ed|s|ing)?|provid(?:e|ed|es|ing)|"
    r"awarded|grant(?:ed|s)|made|makes|"
    r"complet(?:ed|es)|execut(?:ed|es)|landed|arranged)\b",
    re.IGNORECASE,
)


def _party_at(s: Sent, pos: int) -> Mention | None:
    """The organisation starting at ``pos`` (past a "the" and up to three descriptor words)."""
    m = re.match(r"(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}?(?=[A-Z])", s.text[pos:])
    if m is None:
        return None
    at = pos + m.end()
    org = next((o for o in s.orgs() if o.start == at), None) or _name_at(s, at)
    joined = re.search(r",\s+|\s+and\s+(?=[A-Z])", org.text) if org is not None else None
    if org is not None and org.id is None and joined is not None:
        # "Kestrel Anode and Marrow Anodes Inc." read as one name: the first party
        return Mention(
            org.start, org.start + joined.start(), org.text[: joined.start()], org.kind, None, "new"
        )
    return org


def _clean(m: Mention | None) -> Mention | None:
    """A new name without a leading place descriptor ("Montreal-based Torngat" → "Torngat")."""
    if m is None or m.id is not None:
        return m
    d = re.match(r"(?:[A-Z][\w.]*[-\s])*?[A-Z][\w.]*-based\s+(?=[A-Z])", m.text)
    if d is None:
        return m
    return Mention(m.start + d.end(), m.end, m.text[d.end() :], m.kind, None, m.role, m.stage)


def _bare_body(m: Mention | None) -> bool:
    """ "The Department", "the agency": a body named by its kind alone."""
    return m is not None and bool(
        re.fullmatch(
            r"(?i:the\s+)?(?:Department|Agency|Ministry|Office|Bank|Administration|Government)",
            m.text,
        )
    )


_LEGAL_FORM = re.compile(
    r"(?:Ltd|Limited|Inc|Corp|Co|LLC|plc|PLC|S\.?A|AG|GmbH|Pty|NV|BV|SpA|SAS|Tbk|Berhad)\.?",
)
_VERB_AFTER = re.compile(
    r"\s+(?:will|would|has|have|had|is|are|was|were|said|says|plans?|expects?|can|could|"
    r"also)\b"
)


def _parties(s: Sent, pos: int, verb: int | None = None) -> list[Mention]:
    """The coordinated organisations from ``pos`` on ("A ("A") and B", "A, B and C"); when
    they are the subject of the verb at ``verb``, the last may stand right before it."""
    first = _party_at(s, pos)
    out = [first] if first is not None else []
    while out:
        gap = re.match(
            r"\s*(?:\([^)]{1,40}\)\s*)?(?:,\s+and\s+|,\s+|\s+and\s+)", s.text[out[-1].end :]
        )
        if gap is None:
            break
        nxt = _party_at(s, out[-1].end + gap.end())
        if nxt is None or not (nxt.kind in ("company", "government") or nxt.role == "new"):
            break
        if verb is not None and nxt.end > verb:
            break
        if _LEGAL_FORM.fullmatch(nxt.text) or (verb is None and _VERB_AFTER.match(s.text, nxt.end)):
            break  # "A Co., Ltd.": a legal form; ", and A will spend …": a clause of its own
        out.append(nxt)
    return out


def _money_in(money: list[Money], lo: int, hi: int) -> Money | None:
    return next((x for x in reversed(money) if lo <= x.start and x.end <= hi), None)


# --------------------------------------------------------------------------- loans
_DETERMINED = re.compile(
    r"(?:\b(?:an?|the|its|their|two|three|separate)|[\d%]|million|billion|bn|mn)\s+"
    r"(?:[\w$.,-]+\s+){0,3}$",
    re.IGNORECASE,
)
_DESCRIPTOR = (
    r"(?:(?:[\w-]+\s+){0,2}(?:maker|miner|producer|developer|company|firm|group|refiner|"
    r"smelter|start-?up|manufacturer|recycler|explorer|supplier|subsidiary|unit)\s+)?(?=[A-Z])"
)


def _acting_body(s: Sent, pos: int) -> Mention | None:
    """The public body right before the verb at ``pos`` ("the Office … approved")."""
    return next(
        (
            o
            for o in s.orgs()
            if o.end <= pos
            and state_body(o)
            and re.fullmatch(
                r"\s*(?:\([^)]{1,20}\)\s*)?(?:has\s+|had\s+|also\s+)?", s.text[o.end : pos]
            )
        ),
        None,
    )


def _loans_named(s: Sent, ctx: Context, shared: set[tuple[str, ...]]) -> list[Event]:
    """Loans with their other party after the loan noun ("with", "from", "to"), before it ("a
    commitment from the DOE for a $N loan"), or the company reporting the deal ("X said the
    Office approved a loan of up to $N")."""
    money = _money(s)
    out: list[Event] = []
    for m in _LOAN_NP.finditer(s.text):
        at = m.end()
        amt = None
        if m.group("size"):
            amt = next((x for x in money if x.start == at), None)
            if amt is None:
                continue
            at = amt.end
        lo = max(0, s.text.rfind(";", 0, m.start()) + 1)
        if not m.group("size") and not _DETERMINED.search(
            s.text[max(lo, m.start() - 60) : m.start()]
        ):
            continue  # "financing through loan and equity": no loan of its own
        before = _money_in(money, max(lo, m.start() - 40), m.start())
        total = before is not None and bool(
            re.fullmatch(r"\s+in\s+(?:new\s+)?", s.text[before.end : m.start()])
        )
        amt = amt or before
        verb = _last(_DEAL_VERB, s.text[lo : m.start()])
        if verb is None:
            continue
        trig = lo + verb.start()
        if _blocked(s, trig):
            continue
        subj, by_ref = _subject(s, trig, ctx)
        if subj is None:
            continue
        prep = re.match(r"\s+(with|from|by|to|for)\s+(?:the\s+)?", s.text[at:])
        if prep is not None and total:
            # "$500 million in loans to X": one named borrower, right after "to"
            if prep.group(1).lower() != "to" or re.search(r"\bsuch as\b|\bincluding\b", s.text):
                continue
            parties = [p for p in s.orgs() if p.start == at + prep.end()]
        elif prep is not None and prep.group(1).lower() in ("to", "for"):
            # "a loan to (battery maker) X"; "a loan to expand the Y mine" is its purpose
            lead = re.match(_DESCRIPTOR, s.text[at + prep.end() :])
            parties = _parties(s, at + prep.end()) if lead is not None else []
        elif prep is not None:
            parties = _parties(s, at + prep.end())
        else:
            parties = []
        public = [p for p in parties if state_body(p)]
        kind = prep.group(1).lower() if prep is not None else None
        lenders: list[Mention] = []
        if kind in ("with", "to", "for") and parties and state_body(subj) and not public:
            lender, borrowers = subj, parties if kind == "with" else parties[:1]
            # "A, B and C signed a loan agreement with X": every public body of the subject
            lenders = [p for p in _parties(s, subj.start, trig) if state_body(p)]
        elif kind in ("with", "from", "by") and public and not state_body(subj):
            lender, borrowers = public[0], [subj]
            # "a loan from A and B": every public lender of the list lends
            lenders = public
        elif not parties and (acting := _acting_body(s, trig)) is not None:
            # "X said the Office of Strategic Capital approved a loan of up to $N"
            reporter = _reporter(s, acting)
            if reporter is None or _same(reporter, acting):
                continue
            lender, borrowers = acting, [reporter]
        elif not parties and not state_body(subj):
            # "received a conditional commitment from the DOE for a $N loan"
            named = [
                o
                for o in s.orgs()
                if trig < o.start < m.start()
                and state_body(o)
                and re.search(r"\b(?:from|by)\s+(?:the\s+)?$", s.text[trig : o.start])
            ]
            if not named:
                continue
            lender, borrowers = named[0], [subj]
        elif not parties and kind is None and state_body(subj):
            # "X said the Office of Strategic Capital approved a loan of up to $N"
            reporter = _reporter(s, subj)
            if reporter is None:
                continue
            lender, borrowers = subj, [reporter]
        else:
            continue
        lenders = lenders if len(lenders) > 1 and _same(lenders[0], lender) else [lender]
        joint = len(borrowers) > 1 or len(lenders) > 1 or bool(m.group("joint"))
        for lender in lenders:
            for b in borrowers:
                ev = _loan(s, ctx, lender, b, None if joint else amt, trig, by_ref)
                if ev is not None:
                    out.append(ev)
                    if joint:
                        shared.add(ev.key())
    return out


_BORROW = re.compile(
    r"\b(?:borrow(?:s|ed|ing)?)\s+(?:up\s+to\s+|about\s+|a\s+further\s+)?"
    r"(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d|\d)",
    re.IGNORECASE,
)
_PROVIDED_BY = re.compile(
    r"\s+(?:will\s+be|was|were|has\s+been|have\s+been|is\s+being|is|are)\s+(?:provided|"
    r"extended|granted|arranged|made\s+available|lent|advanced)\s+by\s+(?:the\s+)?(?=[A-Z])",
    re.IGNORECASE,
)
_AND_IN = re.compile(r"\s+and\s+(?=(?:the\s+)?[A-Z])")
_DONE_AFTER = re.compile(
    r"\s+(?:was|were|has\s+been|have\s+been|is|are)\s+(?:finali[sz]ed|signed|closed|approved|"
    r"completed|agreed|executed)\b",
    re.IGNORECASE,
)


def _more_loans(s: Sent, ctx: Context) -> list[Event]:
    """Loans told from the borrower's side or with the loan as the subject: "X will borrow
    $N from Y", "a $N loan will be provided by Y", "A $N loan from Y to X was finalized",
    "X and Y signed a $N loan agreement" (one of the two a public body)."""
    money = _money(s)
    out: list[Event] = []
    for m in _BORROW.finditer(s.text):
        amt = next((x for x in money if m.end() <= x.start <= m.end() + 2), None)
        if amt is None or _blocked(s, m.start()):
            continue
        frm = re.match(r"\s+(?:[\w-]+\s+){0,4}?from\s+", s.text[amt.end :])
        lender = _party_at(s, amt.end + frm.end()) if frm is not None else None
        borrower, by_ref = _subject(s, m.start(), ctx)
        ev = _loan(s, ctx, lender, borrower, amt, m.start(), by_ref)
        if ev is not None:
            out.append(ev)
    for m in _LOAN_NP.finditer(s.text):
        at = m.end()
        size = next((x for x in money if x.start == at), None) if m.group("size") else None
        at = size.end if size is not None else at
        amt = size or _money_in(money, max(0, m.start() - 40), m.start())
        by = _PROVIDED_BY.match(s.text, at)
        if by is not None and not _blocked(s, at):
            # "Halvard said a $300 million loan will be provided by KEXIM"
            lender = _party_at(s, by.end())
            borrower = _reporter(s, lender) if lender is not None else None
            if borrower is None:
                borrower, _ = _subject(s, m.start(), ctx)
            if lender is not None and borrower is not None and borrower.end <= m.start():
                ev = _loan(s, ctx, lender, borrower, amt, m.start(), False)
                if ev is not None:
                    out.append(ev)
            continue
        frm = re.match(r"\s+from\s+(?:the\s+)?", s.text[at:])
        if frm is not None:
            lender = _party_at(s, at + frm.end())
            to = re.match(r"\s+to\s+(?:the\s+)?", s.text[lender.end :]) if lender else None
            borrower = _party_at(s, lender.end + to.end()) if lender and to else None
            if (
                lender is not None
                and borrower is not None
                and _DONE_AFTER.match(s.text, borrower.end)
                and not _blocked(s, borrower.end + 1)
            ):
                # "A $300 million loan from KEXIM to Halvard was finalized on Monday"
                ev = _loan(s, ctx, lender, borrower, amt, m.start(), False)
                if ev is not None:
                    out.append(ev)
                continue
        verb = _last(_DEAL_VERB, s.text[: m.start()])
        if verb is None or _blocked(s, verb.start()):
            continue
        if not m.group("size") and not _DETERMINED.search(
            s.text[max(0, m.start() - 60) : m.start()]
        ):
            continue  # "provided financing through loan and equity": no loan of its own
        pair: list[tuple[Mention, Mention]] = []
        for a in s.orgs():
            if a.end >= verb.start():
                continue
            for cut in [a.end, *(a.start + g.start() for g in _AND_IN.finditer(a.text))]:
                g = re.match(r"\s+and\s+(?:the\s+)?", s.text[cut:])
                b = _party_at(s, cut + g.end()) if g is not None else None
                if b is None or not re.fullmatch(
                    r"\.?\s+(?:have\s+|has\s+|also\s+|jointly\s+)*", s.text[b.end : verb.start()]
                ):
                    continue
                first = (
                    a
                    if cut == a.end
                    else Mention(a.start, cut, s.text[a.start : cut], a.kind, None, "new")
                )
                pair.append((first, b))
        if len(pair) == 1 and state_body(pair[0][0]) != state_body(pair[0][1]):
            # "Halvard Lithium and KEXIM signed a $300 million loan agreement"
            a, b = pair[0]
            lender, borrower = (a, b) if state_body(a) else (b, a)
            ev = _loan(s, ctx, lender, borrower, amt, verb.start(), False)
            if ev is not None:
                out.append(ev)
    return out


_PROVIDE_WITH = re.compile(
    r"\s+(?:has\s+|had\s+|have\s+)?(?:agreed\s+to\s+|will\s+|would\s+|is\s+to\s+)?"
    r"provid(?:e|es|ed)\s+(?P<obj>it|them|the company|(?=[A-Z]))[^,;]{0,60}?\s*with\s+"
    r"(?:an?\s+)?(?P<np>(?:[\w$.,-]+\s+){0,4}?(?P<noun>loans?|credit facility|loan facility|"
    r"grants?|non-?repayable contributions?))\b"
)


def _provided_with(s: Sent, ctx: Context) -> list[Event]:
    """ "Export Development Canada has agreed to provide it with a bridge loan of $N": the
    public body lends; "it" is the company that reports the deal."""
    money = _money(s)
    out: list[Event] = []
    for lender in s.orgs():
        m = _PROVIDE_WITH.match(s.text, lender.end)
        if m is None or not state_body(lender) or _blocked(s, lender.end + 1):
            continue
        amt = _money_in(money, m.start("np"), m.end("np")) or next(
            (x for x in money if m.end() <= x.start <= m.end() + 20), None
        )
        if m.group("obj"):
            opener = _clean(_name_at(s, 0))
            borrower = _reporter(s, lender) or (
                opener if opener is not None and not state_body(opener) else None
            )
        else:
            borrower = _party_at(s, m.start("obj"))
        if m.group("noun").lower().startswith(("grant", "non")):
            # "Natural Resources Canada will provide X with a $10-million grant"
            ev = (
                _grant(s, ctx, lender, _clean(borrower), amt, lender.start, False)
                if amt is not None
                else None
            )
        else:
            ev = _loan(s, ctx, lender, _clean(borrower), amt, lender.start, False)
        if ev is not None:
            out.append(ev)
    return out


_NON_REPAYABLE = re.compile(
    r"\b(?P<verb>receiv(?:e|es|ed|ing)|secur(?:e|es|ed)|obtain(?:s|ed)?|won|wins|(?:was|were|been|"
    r"is|are)\s+awarded|gets?|got)\s+(?:an?\s+)?(?:up\s+to\s+)?(?:[\w$.,-]+\s+){0,3}?"
    r"non-?repayable\s+(?:contributions?|funding|financial\s+support|support|grants?)\s+"
    r"(?:of\s+[^,;]{1,30}?\s+)?from\s+(?:the\s+)?(?=[A-Z])",
    re.IGNORECASE,
)


def _non_repayable(s: Sent, ctx: Context) -> list[Event]:
    """ "X will receive a $40 million non-repayable contribution from the Strategic Innovation
    Fund": money given without repayment is a grant (the Canadian wording)."""
    out: list[Event] = []
    for m in _NON_REPAYABLE.finditer(s.text):
        if _blocked(s, m.start()):
            continue
        amt = _money_in(_money(s), m.start(), m.end())
        grantor = _party_at(s, m.end())
        subj, by_ref = _subject(s, m.start(), ctx)
        if amt is None or grantor is None or subj is None or state_body(subj):
            continue
        ev = _grant(s, ctx, grantor, subj, amt, m.start(), by_ref)
        if ev is not None:
            out.append(ev)
    return out


_COMMITMENT_TO = re.compile(
    r"\b(?:conditional\s+)?commitments?\s+to\s+(?=[A-Z])(?P<rest>[^;]{1,80}?)\s+for\s+(?:an?\s+)?"
    r"(?:(?:US|C|CA|A)?\$[\d.,]+\s*(?:million|billion|bn|m)?\s+)?(?:[\w-]+\s+){0,2}?loans?\b",
    re.IGNORECASE,
)


def _commitment_to(s: Sent, ctx: Context) -> list[Event]:
    """ "The Department of Energy issued a conditional commitment to X for a $N loan"."""
    out: list[Event] = []
    for m in _COMMITMENT_TO.finditer(s.text):
        verb = _last(_DEAL_VERB, s.text[: m.start()])
        if verb is None or _blocked(s, verb.start()):
            continue
        lender, by_ref = _subject(s, verb.start(), ctx)
        borrower = _party_at(s, m.start("rest"))
        if not state_body(lender) or borrower is None or state_body(borrower):
            continue
        amt = _money_in(_money(s), m.end("rest"), m.end())
        ev = _loan(s, ctx, lender, borrower, amt, verb.start(), by_ref)
        if ev is not None:
            out.append(ev)
    return out


_LEND_CLAUSE = re.compile(
    r"(?:,\s+(?:while|and|with)\s+|;\s+|\bwhile\s+)(?P<who>(?:the\s+)?[A-Z][^,;]{1,60}?)\s+"
    r"(?:will|would|is to|has agreed to|agreed to|is set to)?\s*(?:lend|lends|lent|is lending)\s+"
    r"(?:it\s+|them\s+)?(?:up to\s+|about\s+)?(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d)"
)


def _clause_lending(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """ "…, while Y will lend $M": a loan from Y to the sentence's other borrower."""
    money = _money(s)
    out: list[Event] = []
    for m in _LEND_CLAUSE.finditer(s.text):
        if _blocked(s, m.end()):
            continue
        lender = _party_at(s, m.start("who"))
        amt = _money_in(money, m.end(), m.end() + 30)
        if lender is None or amt is None or not state_body(lender):
            continue
        if re.match(r"\s+to\s+[A-Z]", s.text[amt.end :]):
            continue  # the borrower is named: the deal families read it
        other = next(
            (
                e.links["borrower"]
                for e in found
                if e.type == "loan" and e.sentence_index == s.index and "borrower" in e.links
            ),
            None,
        )
        opener = _clean(_name_at(s, 0))
        borrower = (
            other
            or _reporter(s, lender)
            or (opener if opener is not None and not state_body(opener) else None)
        )
        ev = _loan(s, ctx, lender, borrower, amt, m.start("who"), False)
        if ev is not None:
            out.append(ev)
    return out


_ONE_TO = re.compile(
    r"\b(?:one|another|the other|a second)\s+(?:(?:loan|grant|award|facility)\s+)?to\s+"
    r"(?P<who>(?:the\s+)?[A-Z][^,;]{1,60}?)\s+for\s+(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d)"
)


def _shares_of_commitment(s: Sent, ctx: Context) -> list[Event]:
    """ "… includes two loans, one to A for $N and one to B for $M": one per party."""
    hits = list(_ONE_TO.finditer(s.text))
    if len(hits) < 2 or _NONBINDING.search(s.text):
        return []
    head = s.text[: hits[0].start()]
    kind = (
        "loan"
        if re.search(r"\bloans?\b|\bcredit\b", head, re.I)
        else "grant"
        if re.search(r"\b(?:grants?|awards?)\b", head, re.I)
        else None
    )
    if kind is None or _blocked(s, hits[0].start()):
        return []
    role = "lender" if kind == "loan" else "grantor"
    subj = next((o for o in s.orgs() if o.end <= hits[0].start() and state_body(o)), None)
    funder = subj or next(
        (
            e.links[role]
            for e in reversed(ctx.events)
            if e.type == kind and role in e.links and s.index - e.sentence_index <= 2
        ),
        None,
    )
    if funder is None:
        return []
    money = _money(s)
    out: list[Event] = []
    for h in hits:
        who = _party_at(s, h.start("who"))
        amt = _money_in(money, h.end(), h.end() + 25)
        if who is None or amt is None:
            continue
        # the party as the commitment named it, so that the share completes that event
        other = "borrower" if kind == "loan" else "recipient"
        who = next(
            (
                e.links[other]
                for e in reversed(ctx.events)
                if e.type == kind and other in e.links and _same(e.links[other], who)
            ),
            who,
        )
        ev = (
            _loan(s, ctx, funder, who, amt, h.start(), True)
            if kind == "loan"
            else _grant(s, ctx, funder, who, amt, h.start(), True)
        )
        if ev is not None:
            out.append(ev)
    return out


# --------------------------------------------------------------------------- grants
_PROGRAM_FUNDS = re.compile(
    r"\b(?P<prog>Defen[cs]e Production Act|DPA|CHIPS(?: and Science)? Act|Inflation Reduction Act|"
    r"Bipartisan Infrastructure Law)\s*(?:\([A-Z]{2,5}\)\s*)?(?:Title III\s+)?"
    r"(?:funds|funding|grants?|awards?|money)\s+(?:to|for)\s+(?=(?:the\s+)?[A-Z])"
)
_GIVES = re.compile(
    r"\b(?:provid(?:e|es|ed|ing)|award(?:s|ed|ing)?|grant(?:s|ed|ing)?|giv(?:e|es|en)|gave|"
    r"allocat(?:e|es|ed)|announc(?:e|es|ed)|commit(?:s|ted)?|invest(?:s|ed|ing|ment)?|"
    r"direct(?:s|ed)?|made)\b",
    re.IGNORECASE,
)


def _agency(ctx: Context, at: int) -> Mention:
    """The funder of programme money whose sentence names none: the public body the article
    named last (a previous sentence's "The U.S. Defense Department has announced …"), else
    the U.S. government, which runs the programmes."""
    named = [
        *(o for o in reversed(ctx.last_orgs) if state_body(o) and not _bare_body(o)),
        *(
            m
            for e in reversed(ctx.events)
            for m in e.links.values()
            if state_body(m) and not _bare_body(m)
        ),
    ]
    if named:
        return named[0]
    return Mention(at, at, "U.S. government", "government", "us-government", "name")


def _program_funds(s: Sent, ctx: Context) -> list[Event]:
    """ "$N in Defense Production Act (DPA) Title III funds to X": a grant to X."""
    out: list[Event] = []
    for m in _PROGRAM_FUNDS.finditer(s.text):
        verb = _last(_GIVES, s.text[: m.start()])
        if verb is None or _blocked(s, verb.start()):
            continue
        recipient = _party_at(s, m.end())
        if recipient is None or state_body(recipient):
            continue
        subj, by_ref = _subject(s, verb.start(), ctx)
        grantor = subj if state_body(subj) and not _bare_body(subj) else _agency(ctx, m.start())
        money = _money(s)
        amt = _money_in(money, 0, m.start())
        if amt is None and ctx.prev is not None and _GIVES.search(ctx.prev.text):
            # "It will invest $18.5 million … The Department will provide the DPA funds to X"
            prev = _money(ctx.prev)
            amt = prev[0] if len(prev) == 1 else None
        if amt is None:
            continue
        ev = _grant(s, ctx, grantor, recipient, amt, verb.start(), by_ref)
        if ev is not None:
            out.append(ev.with_fields({**ev.fields, "program": _program_name(m.group("prog"))}))
    return out


def _program_name(prog: str) -> str:
    return "Defense Production Act" if re.match(r"Defen[cs]e Production Act|DPA", prog) else prog


_TOTAL = re.compile(
    r"\s+in\s+(?:new\s+|federal\s+|government\s+)?(?P<kind>grants|loans|funding|awards)\b"
    # "$50 million of critical minerals grant funding"
    r"|\s+of\s+(?:[\w-]+\s+){0,3}?(?P<kind2>grants?|loans?)(?:\s+(?:funding|money))?\b",
    re.IGNORECASE,
)
_RECEIVING = re.compile(
    r"\s+(?:\([^)]{1,30}\)\s+)?(?:is\s+|was\s+|will\s+)?(?:receiving|receives?|received|gets?|got|"
    r"getting|be\s+getting|won|wins|be\s+awarded|was\s+awarded|awarded)\s+(?:up\s+to\s+|about\s+)?"
    r"(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d)"
)
_SHARE = re.compile(
    r"(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+)?[A-Z][\w&'’.-]*){0,4})" + _RECEIVING.pattern
)
_SHARE_IN_PARENS = re.compile(
    r"(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+)?[A-Z][\w&'’.-]*){0,4})\s*\(\s*"
    r"(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d)"
)
_SHARE_ITEM = re.compile(
    r"(?:^|(?<=:)\s+|\s+[-•*–]\s+)[-•*–]?\s*"
    r"(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+)?[A-Z][\w&'’.-]*){0,4})\s*[:–—]\s+"
    r"(?:up\s+to\s+|about\s+)?(?=(?:US|C|CA|A|NZ)?\$|[A-Z]{3}\s?\d)"
)
"""An item of a list of recipients, each with its own sum ("- Alpha Resources: $15 million for
…"), also when the list's lines were run into one sentence ("Recipients: - A: $N for …
- B: $M for …")."""
_ITEMS_WITHIN = 12
"""How many sentences after a funder's total its list of recipients may run."""
_LIST_CUE = re.compile(
    r"\b(?:include|includes|included|including|recipients?|winners?|awardees?|among them)\b|:",
    re.IGNORECASE,
)
_NOT_SHARE = re.compile(
    r"\b(?:shares?|stock|equity|stake|warrants?|revenues?|sales?|contracts?|orders?|prices?|"
    r"dividends?|salary|bonus|royalt(?:y|ies))\b",
    re.IGNORECASE,
)


_MANY = re.compile(
    r"\b(?:issued|awarded|made|handed out|announced|approved|granted)\s+(?:several|many|"
    r"dozens of|a series of|a number of|a string of|\w+ new|its first)\s+(?:[\w-]+\s+)?"
    r"(?P<kind>grants|awards|loans)\b",
    re.IGNORECASE,
)


def note_total(s: Sent, ctx: Context) -> None:
    """Remember a public funder's announced total of grants or loans ("DOE will award $2.8
    billion in grants to 20 companies"): the shares listed later are its."""
    for x in _money(s):
        t = _TOTAL.match(s.text, x.end)
        if t is None:
            continue
        funder = next((o for o in s.orgs() if o.end <= x.start and state_body(o)), None)
        named = _last(_FUNDER, s.text[: x.start])
        if funder is None and named is not None:
            funder = _new(s, named.start("name"), named.end("name"), "government")
        if funder is None:
            funder = next(
                (
                    g
                    for c in s.countries()
                    if c.end <= x.start and (g := _government_at(s, c.start)) is not None
                ),
                None,
            )
        bare = _BARE_GOVERNMENT.search(s.text[: x.start])
        if funder is None and bare is not None:
            # "The Federal Government has announced … $50 million of grant funding": the
            # country's, which this or a following sentence names (:func:`_bare_funder`)
            funder = Mention(bare.start(), bare.end(), bare.group(0), "government", None, "new")
        if funder is None:
            continue
        kind = "loan" if (t.group("kind") or t.group("kind2")).lower()[:4] == "loan" else "grant"
        prog = re.search(
            r"\b(?:Bipartisan Infrastructure Law|Inflation Reduction Act|Defen[cs]e Production Act|"
            r"CHIPS(?: and Science)? Act)\b",
            s.text,
        )
        day = _classify_dates(s, ctx, x.start).get("date")
        ctx.funders.append((s.index, funder, kind, prog.group(0) if prog else None, day))
        return
    many = _MANY.search(s.text)
    if many is not None and not _blocked(s, many.start()):
        # "The Pentagon's office … issued several grants in recent months": no sum yet
        funder = next((o for o in s.orgs() if o.end <= many.start() and state_body(o)), None)
        if funder is not None:
            kind = "loan" if many.group("kind").lower() == "loans" else "grant"
            ctx.funders.append((s.index, funder, kind, None, None))


_BARE_GOVERNMENT = re.compile(r"\b(?:[Ff]ederal|[Nn]ational|[Cc]entral)\s+[Gg]overnment\b")


def _bare_funder(s: Sent, ctx: Context) -> None:
    """The unnamed "Federal Government" of the last total is the government of the first
    country named from the total's sentence on ("… Minister for Resources and Northern
    Australia"); until one is named, no share of the total is read."""
    if not ctx.funders:
        return
    at, funder, kind, prog, day = ctx.funders[-1]
    if funder.id is not None or not _BARE_GOVERNMENT.fullmatch(funder.text):
        return
    c = next((c for c in s.countries() if c.id is not None and len(c.id) == 3), None)
    if c is None:
        return
    gid = US_GOVERNMENT if c.id == "USA" else c.id
    gov = Mention(c.start, c.end, c.text, "government", gid, "name")
    ctx.funders[-1] = (at, gov, kind, prog, day)


def _shares_of_total(s: Sent, ctx: Context) -> list[Event]:
    """ "with X receiving $N, and Y receiving $M" after a funder's total: X's and Y's grants."""
    if not ctx.funders or _NOT_SHARE.search(s.text) or _NONBINDING.search(s.text):
        return []
    if ctx.funders[-1][1].id is None and _BARE_GOVERNMENT.fullmatch(ctx.funders[-1][1].text):
        return []  # whose government is not known yet
    _, funder, kind, prog, day = ctx.funders[-1]
    money = _money(s)
    out: list[Event] = []
    shares = list(_SHARE.finditer(s.text))
    if s.index - ctx.funders[-1][0] <= _ITEMS_WITHIN:
        # "- Alpha Resources: $15 million for its plant", an item of the recipients' list
        shares += list(_SHARE_ITEM.finditer(s.text))
    if _LIST_CUE.search(s.text):
        # "Recipients include A ($50 million) and B ($30 million)"
        shares += list(_SHARE_IN_PARENS.finditer(s.text))
    for r in shares:
        end = r.end("name")
        o = next((x for x in s.orgs() if x.end == end), None) or _name_at(s, r.start("name"))
        if o is None or o.end != end or state_body(o) or _blocked(s, o.start):
            continue
        amt = next((x for x in money if r.end() <= x.start <= r.end() + 2), None)
        if amt is None or _TOTAL.match(s.text, amt.end):
            continue
        if re.match(r"\s+(?:from|by)\s+", s.text[amt.end :]):
            continue  # the funder is named: the deal families read it
        if kind == "loan":
            ev = _loan(s, ctx, funder, o, amt, o.start, True)
        else:
            ev = _grant(s, ctx, funder, o, amt, o.start, True)
            if ev is not None and prog:
                ev = ev.with_fields({**ev.fields, "program": prog})
        if ev is not None and day is not None and ev.fields.get("date") is None:
            ev = ev.with_fields({**ev.fields, "date": day})  # the day the total was announced
        if ev is not None:
            out.append(ev)
    cue = (
        _LIST_CUE.search(s.text)
        or re.search(r"\b(?:of the total|of that|of which)\b", s.text, re.I)
    ) and _FUNDING_WORD.search(s.text)
    for x in money if cue else []:
        # "The awards include $50 million for X and $30 million for Y", "Of the total, $50
        # million goes to X and $30 million to Y"
        g = _SUM_TO.match(s.text, x.end)
        if g is None or _TOTAL.match(s.text, x.end) or _blocked(s, x.start):
            continue
        o = _party_at(s, g.end())
        if o is None or state_body(o):
            continue
        ev = (
            _loan(s, ctx, funder, o, x, x.start, True)
            if kind == "loan"
            else _grant(s, ctx, funder, o, x, x.start, True)
        )
        if ev is not None and day is not None and ev.fields.get("date") is None:
            ev = ev.with_fields({**ev.fields, "date": day})
        if ev is not None and prog and ev.type == "grant":
            ev = ev.with_fields({**ev.fields, "program": prog})
        if ev is not None and all(e.key() != ev.key() for e in out):
            out.append(ev)
    for r in _AWARD_FOR.finditer(s.text):
        # "with a $215.6 million award for X to modernise …", "That award went to X"
        o = _party_at(s, r.end())
        if o is None or state_body(o) or _blocked(s, r.start()):
            continue
        amt = next((x for x in money if r.start() <= x.start < r.end()), None)
        if amt is None and ctx.prev is not None:
            prev = _money(ctx.prev)
            amt = prev[0] if len(prev) == 1 else None
        if amt is None:
            continue
        is_loan = (r.group("noun") or r.group("noun2")).lower().startswith("loan")
        if is_loan != (kind == "loan"):
            continue
        ev = (
            _loan(s, ctx, funder, o, amt, r.start(), True)
            if is_loan
            else _grant(s, ctx, funder, o, amt, r.start(), True)
        )
        if ev is not None:
            out.append(ev)
    return out


_FUNDING_WORD = re.compile(
    r"\b(?:grants?|awards?|funding|loans?|total|recipients?|winners?|awardees?|selected)\b",
    re.IGNORECASE,
)
_SUM_TO = re.compile(
    r"\s+(?:(?:goes|go|went|will\s+go|is\s+going|are\s+going)\s+)?(?:to|for)\s+(?:the\s+)?"
    r"(?=[A-Z])"
)
_AWARD_FOR = re.compile(
    r"\b(?:an?\s+(?:(?:US|A|C|CA)?\$[\d.,]+\s*(?:million|billion|bn|m)?\s+)(?P<noun>award|grant|loan)"
    r"\s+(?:for|to)\s+(?=(?:the\s+)?[A-Z])|(?:that|the|this)\s+(?P<noun2>award|grant|loan)\s+"
    r"(?:went|goes|will go|was given|is going)\s+to\s+(?=(?:the\s+)?[A-Z]))",
    re.IGNORECASE,
)


_FUNDS_FROM = re.compile(
    r"^(?:The|This|That|These|Those)\s+(?:[\w-]+\s+)?(?:funding|grants?|money|subsid(?:y|ies)|"
    r"awards?|support)\s+(?:(?:comes?|came|will\s+come|is\s+coming)\s+from|(?:is|was|are|were|"
    r"will\s+be)\s+(?:provided|given|granted|awarded|paid|issued)\s+by)\s+(?:the\s+)?"
)
_AWARDED_UNNAMED = re.compile(
    r"\b(?:(?:has|have|had)\s+been|was|were|is|are)\s+(?:awarded|granted|given|allocated)\s+"
    r"|\b(?:received|receives|secured|secures|won|wins|obtained)\s+",
    re.IGNORECASE,
)
_GRANT_SUM = re.compile(
    r"\s+(?:in|of)\s+(?:[\w-]+\s+){0,2}?(?:funding|grants?|subsid(?:y|ies)|support)\b",
    re.IGNORECASE,
)


def _funder_next(s: Sent, ctx: Context) -> list[Event]:
    """ "X has been awarded €N in public funding …" and, next, "The funding comes from Y": Y's
    grant to X. A government left unnamed ("the federal government") is that of the country
    this sentence, else the one before, names first."""
    f = _FUNDS_FROM.match(s.text)
    prev = ctx.prev
    if f is None or prev is None or prev.index != s.index - 1 or _blocked(s, f.start()):
        return []
    if any(e.sentence_index == prev.index and e.type in ("grant", "loan") for e in ctx.events):
        return []  # the sentence before named its funder
    grantor = _government_at(s, f.end()) or _party_at(s, f.end())
    if grantor is None or not state_body(grantor):
        bare = re.match(r"(?:federal|national|central)\s+government\b", s.text[f.end() :], re.I)
        if bare is None:
            return []
        c = next(
            (c for t in (s, prev) for c in t.countries() if c.id is not None and len(c.id) == 3),
            None,
        )
        if c is None:
            return []
        gid = US_GOVERNMENT if c.id == "USA" else c.id
        grantor = Mention(f.end(), f.end() + bare.end(), bare.group(0), "government", gid, "name")
    for x in _money(prev):
        if not _GRANT_SUM.match(prev.text, x.end) or _NONBINDING.search(prev.text):
            continue
        verb = _last(_AWARDED_UNNAMED, prev.text[: x.start])
        if verb is None or x.start - verb.end() > 12 or _blocked(prev, verb.start()):
            continue
        if re.search(r"\b(?:from|by)\s+(?:the\s+)?[A-Z]", prev.text[x.end :]):
            continue  # a funder named after all
        recipient, by_ref = _subject(prev, verb.start(), ctx)
        if recipient is None or state_body(recipient):
            continue
        ev = _grant(prev, ctx, grantor, recipient, x, verb.start(), by_ref)
        return [ev] if ev is not None else []
    return []


_LOAN_BACKING = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?loan\s+(?:facility\s+)?(?:backing|supporting|to\s+(?:back|support|"
    r"fund|finance))\s+(?:the\s+)?(?=[A-Z])"
)
_PROJECT_AFTER = re.compile(
    r"['’‘]s?\s+(?:[\w-]+\s+){0,3}?(?:development|expansion|construction|project|mine|plant|"
    r"refinery|smelter|acquisition|purchase|build-?out)\b"
)


def _loan_backing(s: Sent, ctx: Context) -> list[Event]:
    """ "a $1.25 billion loan backing X's development of the Y mine" (a loan told as a noun,
    its borrower the owner of what it backs): a loan of the public lender the sentence names,
    else of the one the article named last."""
    out: list[Event] = []
    for x in _money(s):
        m = _LOAN_BACKING.match(s.text, x.end)
        if m is None or _blocked(s, x.start):
            continue
        borrower = _party_at(s, m.end())
        if borrower is None or state_body(borrower):
            continue
        if not _PROJECT_AFTER.match(s.text, borrower.end):
            continue  # "a loan to fund X" names a purpose, not whose project it is
        here = [o for o in s.orgs() if o.end <= x.start and state_body(o)]
        named = _last(_FUNDER, s.text[: x.start])
        lender = (
            here[-1]
            if here
            else _new(s, named.start("name"), named.end("name"), "government")
            if named is not None
            else next((o for o in ctx.last_orgs if state_body(o)), None)
        )
        ev = _loan(s, ctx, lender, borrower, x, x.start, not here and named is None)
        if ev is not None:
            out.append(ev)
    return out


_FINANCE_BY = re.compile(
    r"\b(?:financ|fund)(?:e|es|ed|ing)?\s+(?:the\s+|its\s+)?(?:acquisition|purchase|"
    r"construction|development|expansion|building)\s+of\s+[^,;]{1,80}?\s+by\s+(?=(?:the\s+)?"
    r"(?:[a-z][\w-]*\s+){0,3}[A-Z])"
)
_LENDING = re.compile(r"\b(?:lending|to\s+lend|will\s+lend|lends|lent)\s+(?:up\s+to\s+)?")


def _finance_by(s: Sent, ctx: Context) -> list[Event]:
    """ "JBIC has agreed to help finance the acquisition of a mine by X, lending ¥N": the
    public lender of the clause lends to X, the one the financed act is by."""
    f = _FINANCE_BY.search(s.text)
    lend = _LENDING.search(s.text, f.end()) if f is not None else None
    if f is None or lend is None or _blocked(s, f.start()):
        return []
    lender, by_ref = _subject(s, f.start(), ctx)
    borrower = _party_at(s, f.end())
    if lender is None or borrower is None or not state_body(lender) or state_body(borrower):
        return []
    amt = next((x for x in _money(s) if x.start == lend.end()), None)
    ev = _loan(s, ctx, lender, borrower, amt, f.start(), by_ref)
    return [ev] if ev is not None else []


_CLAUSE_PCT = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)(?!\s+(?:[\w-]+\s+)?(?:stake|interest|holding|"
    r"shareholding)?\s*(?:in|of)\s)(?:\s+(?:stake|interest|holding|shareholding))?"
)
_NEXT_CLAUSE = re.compile(r",\s+(?:while|whereas|and)\s+|;\s+|\s+and\s+(?=(?:the\s+)?[A-Z])")
_TAKES = re.compile(
    r"\b(?:acquir(?:e|es|ed)|buy|buys|bought|tak(?:e|es)|took|get|gets|receiv(?:e|es)|"
    r"purchas(?:e|es|ed))\s+(?:up\s+to\s+|the\s+remaining\s+|a\s+further\s+|another\s+|"
    r"the\s+other\s+)?$"
    r"|\bfor\s+(?:the\s+remaining|a|an|another|a\s+further)\s+$"
)


_DEAL_WITH_FOR = re.compile(
    r"\b(?:deals?|agreements?|transactions?|pacts?)\s+with\s+(?=(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}"
    r"[A-Z])"
)
_FOR_STAKE_IN = re.compile(
    r"\s+for\s+(?:a|an|its|the|the\s+remaining)\s+(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+"
    r"(?:[\w-]+\s+)?(?:stake|interest|holding|shareholding)\s+in\s+"
)


def _deal_with_for_stake(s: Sent, ctx: Context) -> list[Event]:
    """ "(the seller) signed a deal with X for a 10% stake in Y": X buys the stake in Y."""
    out: list[Event] = []
    for m in _DEAL_WITH_FOR.finditer(s.text):
        if _blocked(s, m.start()):
            continue
        buyer = _party_at(s, m.end())
        f = _FOR_STAKE_IN.match(s.text, buyer.end) if buyer is not None else None
        if buyer is None or f is None or state_body(buyer):
            continue
        target = _party_at(s, f.end())
        ev = _stake(s, ctx, buyer, target, m.start(), False, percent=float(f.group("pct")))
        if ev is not None:
            out.append(ev)
    return out


def _second_buyer(s: Sent, ctx: Context, have: list[Event]) -> list[Event]:
    """ "X will acquire 10% of Y, while Z will acquire 3%": a second clause with its own buyer
    and share but no object of its own buys into the first clause's company."""
    out: list[Event] = []
    for e in have:
        if e.type != "stake_acquisition" or e.sentence_index != s.index:
            continue
        acq, tgt = e.links.get("acquirer"), e.links.get("target")
        if acq is None or tgt is None:
            continue
        end = max(m.end for m in e.links.values())
        for c in _NEXT_CLAUSE.finditer(s.text, end):
            p = _CLAUSE_PCT.search(s.text, c.end())
            nxt = _NEXT_CLAUSE.search(s.text, c.end())
            if p is None or (nxt is not None and nxt.start() < p.start()):
                continue
            if float(p.group("pct")) == e.fields.get("percent"):
                continue
            buyer = next(
                (
                    o
                    for o in reversed(s.orgs())
                    if c.end() <= o.start and o.end <= p.start() and o.kind == "company"
                ),
                None,
            )
            if buyer is None or _same(buyer, acq) or _same(buyer, tgt):
                continue
            if not _TAKES.search(s.text[buyer.end : p.start()]) or _blocked(s, p.start()):
                continue
            ev = _stake(s, ctx, buyer, tgt, p.start(), False, percent=float(p.group("pct")))
            if ev is not None:
                out.append(ev)
    return out


_LOAN_FOR_PURPOSE = re.compile(
    r"\b(?P<verb>will\s+(?:provide|extend|facilitate|arrange|lend)|(?:has\s+)?(?:approved|"
    r"provided|extended|facilitated|arranged|signed))\s+(?:a|an)\s+(?:[\w-]+\s+)?loan\s+"
    r"(?:facility\s+)?(?:of\s+)?(?:up\s+to\s+)?"
)
_ACCESS = re.compile(
    r"\s+(?:will\s+have\s+access\s+to|will\s+receive|is\s+to\s+receive|will\s+draw\s+on|"
    r"will\s+get|has\s+access\s+to|receives)\s+"
)


def _borrower_next(s: Sent, ctx: Context) -> list[Event]:
    """ "The IFC will facilitate a loan of up to US$180mn to develop a lithium mine" and, next,
    "Lithium chemicals company X will have access to …": X borrows the first sentence's loan
    (whose borrower it did not name)."""
    prev = ctx.prev
    if prev is None or prev.index != s.index - 1:
        return []
    if any(e.sentence_index == prev.index and e.type == "loan" for e in ctx.events):
        return []
    lp = _LOAN_FOR_PURPOSE.search(prev.text)
    if lp is None or _blocked(prev, lp.start()):
        return []
    amt = next((x for x in _money(prev) if x.start == lp.end()), None)
    if amt is None or not re.match(
        r"\s*(?:\([^)]{1,30}\)\s*)?,?\s+to\s+[a-z]", prev.text[amt.end :]
    ):
        return []  # a borrower named after "to", or no purpose: not this shape
    lender, _ = _subject(prev, lp.start(), ctx)
    if lender is None or not state_body(lender):
        return []
    for a in _ACCESS.finditer(s.text):
        if _blocked(s, a.start()):
            continue
        borrower = next(
            (o for o in reversed(s.orgs()) if o.end <= a.start() and o.kind == "company"), None
        )
        if borrower is None or s.text[borrower.end : a.start()].strip():
            # "Lithium chemicals company Allkem will have access to …": a one-word name after
            # its descriptor
            n = re.search(
                r"(?:^|\s)([A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})$", s.text[: a.start()]
            )
            borrower = _name_at(s, n.start(1)) if n is not None else None
        if borrower is None or state_body(borrower) or s.text[borrower.end : a.start()].strip():
            continue
        ev = _loan(s, ctx, lender, borrower, amt, a.start(), True)
        return [ev] if ev is not None else []
    return []


_FINANCING_BY = re.compile(
    r"^(?:The|This|That)\s+(?:[\w-]+\s+){0,2}?(?:financing|funding|debt|package|loans?|"
    r"facilit(?:y|ies))\b[^.;]{0,40}?\b(?:backed|provided|funded|underwritten|extended|arranged)"
    r"\s+(?:jointly\s+)?by\s+"
)
_DEBT_WORD = re.compile(r"\b(?:loans?|debt|credit|financing)\b", re.IGNORECASE)
_UNSETTLED = re.compile(
    r"\b(?:if|would|could|may|might|seek(?:s|ing)?|sought|aim(?:s|ing)?|hop(?:es|ing)|"
    r"target(?:s|ing)|plan(?:s|ning)?)\b",
    re.IGNORECASE,
)


def _financing_by_list(s: Sent, ctx: Context) -> list[Event]:
    """ "X has reached financial close on $N of debt funding." and then "The financing, backed by
    A and B, …": each public lender of the list lends to X (a joint sum: none of theirs)."""
    f = _FINANCING_BY.match(s.text)
    prev = ctx.prev
    if f is None or prev is None or prev.index != s.index - 1 or _blocked(s, f.start()):
        return []
    if _UNSETTLED.search(s.text):
        return []  # "The financing, if backed by A and B, would …"
    d = _DEBT_WORD.search(prev.text)
    if d is None or not _money(prev) or _NONBINDING.search(prev.text) or _blocked(prev, d.start()):
        return []
    if _UNSETTLED.search(prev.text[: d.start()]):
        return []  # "X is seeking $N of debt funding"
    borrower = _subject(prev, d.start(), ctx)[0]
    lenders = [p for p in _parties(s, f.end()) if state_body(p)]
    if borrower is None or state_body(borrower) or not lenders:
        return []
    amt = _money(prev)[0] if len(lenders) == 1 else None
    out = [_loan(s, ctx, lender, borrower, amt, f.start(), True) for lender in lenders]
    return [e for e in out if e is not None]


_JOINED_FINANCING = re.compile(
    r"\b(?:joined|joins|has\s+joined|participated\s+in|participates\s+in|took\s+part\s+in|"
    r"takes\s+part\s+in)\s+(?:the\s+)?(?:[\w-]+\s+)?financing\s+(?:of|for)\s+(?:the\s+)?"
)


def _joined_financing(s: Sent, ctx: Context) -> list[Event]:
    """ "Y has joined the financing of X's plant, signing a loan of €N": Y lends to X."""
    j = _JOINED_FINANCING.search(s.text)
    if j is None or _blocked(s, j.start()):
        return []
    lender, by_ref = _subject(s, j.start(), ctx)
    borrower = _party_at(s, j.end())
    if lender is None or borrower is None or not state_body(lender) or state_body(borrower):
        return []
    if not _PROJECT_AFTER.match(s.text, borrower.end):
        return []  # "the financing of the project": whose is not said
    loan = _LOAN_NP.search(s.text, borrower.end)
    if loan is None:
        return []
    amt = next((x for x in _money(s) if loan.end() <= x.start <= loan.end() + 2), None) or next(
        (x for x in _money(s) if x.end <= loan.start() and loan.start() - x.end < 4), None
    )
    ev = _loan(s, ctx, lender, borrower, amt, j.start(), by_ref)
    return [ev] if ev is not None else []


_IN_RETURN = re.compile(
    r"^(?:In\s+return|In\s+exchange|For\s+its\s+part|As\s+part\s+of\s+the\s+(?:deal|"
    r"agreement)),\s+"
)
_PROVIDES_LOAN = re.compile(
    r"\b(?:is\s+providing|will\s+provide|provides|provided|is\s+lending|will\s+lend|lends|lent|"
    r"will\s+extend|extends|extended|has\s+(?:provided|extended|lent))\s+(?:a|an)\s+",
    re.IGNORECASE,
)


_RETURN_WITHIN = 3
"""How many sentences back the deal an "In return, …" answers may be told."""


def _loan_in_return(s: Sent, ctx: Context) -> list[Event]:
    """ "In return, Y is providing a US$20 million construction loan": after a deal between
    X and Y (told at most three sentences before), Y's loan goes to X, the other party (the
    lender need not be public)."""
    r = _IN_RETURN.match(s.text)
    if r is None:
        return []
    p = _PROVIDES_LOAN.search(s.text, r.end())
    if p is None or _blocked(s, p.start()):
        return []
    lender = _party_at(s, r.end())
    if lender is None or lender.end > p.start():
        return []
    amt = next((x for x in _money(s) if p.end() <= x.start <= p.end() + 4), None)
    if amt is None or not re.match(r"\s+(?:[\w-]+\s+){0,2}?loan\b", s.text[amt.end :]):
        return []
    for e in reversed(ctx.events):
        if s.index - e.sentence_index > _RETURN_WITHIN or e.type not in (
            "offtake",
            "stake_acquisition",
        ):
            continue
        parties = list(e.links.values())
        if not any(_same(lender, m) for m in parties):
            continue
        other = next((m for m in parties if not _same(lender, m)), None)
        ev = _loan(s, ctx, lender, other, amt, p.start(), True)
        return [ev] if ev is not None else []
    return []


# --------------------------------------------------------------------------- refine
_AND_SUM = re.compile(r"(?:,\s*|\s+)and\s+(?:up\s+to\s+|about\s+|a\s+further\s+)?$")


def _coordinated_sums(s: Sent, ctx: Context, have: list[Event]) -> list[Event]:
    """ "signed loans of up to $92 million with A, and up to $16 million with B": the same
    lender's second loan, to the party after the second sum."""
    out: list[Event] = []
    for x in _money(s):
        if not _AND_SUM.search(s.text[max(0, x.start - 30) : x.start]):
            continue
        to = re.match(r"\s*(?:\([^)]{1,40}\)\s*)?(with|to)\s+", s.text[x.end :])
        if to is None:
            continue
        party = _party_at(s, x.end + to.end())
        first = next(
            (
                e
                for e in have
                if e.type in ("loan", "grant")
                and e.sentence_index == s.index
                and x.start > max(m.end for m in e.links.values())
            ),
            None,
        )
        if party is None or first is None or state_body(party):
            continue
        funder, other = _party_of(first)
        if funder is None or other is None or _same(party, other):
            continue
        ev = (
            _loan(s, ctx, funder, party, x, x.start, False)
            if first.type == "loan"
            else _grant(s, ctx, funder, party, x, x.start, False)
        )
        if ev is not None:
            out.append(ev)
    return out


_LENDER_BODY = re.compile(
    r"\b(?:Bank|Finance|Financing|Export|Credit|Eximbank|EXIM|KEXIM|DFC|JBIC|EDC|UKEF|NAIF|KfW|"
    r"Infrastructure Facility)\b"
)
_FINANCING = re.compile(
    r"\b(?:(?:debt\s+)?financing|credit|debt)\b(?![\w-]*\s+(?:grant|award))", re.IGNORECASE
)


def _lenders_lend(s: Sent, e: Event) -> Event:
    """Financing given by a public lender (a bank, an export-credit agency, a development
    finance corporation) with no grant word in its sentence: a loan ("The DFC approved $150
    million in financing for X")."""
    g, r = e.links.get("grantor"), e.links.get("recipient")
    if e.type != "grant" or g is None or r is None:
        return e
    name = g.canonical or g.text
    if not (_LENDER_BODY.search(name) and state_body(g)) or not _FINANCING.search(s.text):
        return e
    if re.search(r"\b(?:grants?|awards?|non-?repayable|technical assistance)\b", s.text, re.I):
        return e
    f = {k: v for k, v in e.fields.items() if k != "program"}
    fields = {
        "lender": f.pop("grantor"),
        "borrower": f.pop("recipient"),
        **f,
    }
    return replace(
        e,
        type="loan",
        fields=extracted_fields(fields),
        links={"lender": g, "borrower": r},
    )


def _same_pair(offtake: Event, deal: Event) -> bool:
    """The supply deal names the two parties of the loan or grant."""
    a, b = offtake.links.get("supplier"), offtake.links.get("buyer")
    f, r = _party_of(deal)
    if a is None or b is None or f is None or r is None:
        return False
    return (_same(a, f) and _same(b, r)) or (_same(a, r) and _same(b, f))


def _party_of(e: Event) -> tuple[Mention | None, Mention | None]:
    if e.type == "loan":
        return e.links.get("lender"), e.links.get("borrower")
    return e.links.get("grantor"), e.links.get("recipient")


def _clashes(e: Event, new: list[Event]) -> bool:
    """``e`` reads a deal of ``new`` with other parties: the two parties with their roles
    swapped, or the same funder and sum with another recipient (a phrase read as the
    borrower, a joint sum given to one party)."""
    if e.type not in ("loan", "grant", "investment"):
        return False
    a, b = (
        (e.links.get("investor"), e.links.get("target")) if e.type == "investment" else _party_of(e)
    )
    if a is None or b is None:
        return False
    for x in new:
        fx, rx = _party_of(x)
        if fx is None or rx is None:
            continue
        if _same(a, rx) and (_same(b, fx) or (b.start < fx.end and fx.start < b.end)):
            return True  # the roles swapped ("Development Finance Corporation" inside its name)
        if e.type == "investment" and _same(a, fx) and _same(b, rx):
            return True  # public money read as equity: the rule's loan or grant stands
        amounts = (e.fields.get("amount"), x.fields.get("amount"))
        if (
            _same(a, fx)
            and not any(
                _same(b, y.links.get(r) or b)
                for y in new
                for r in ("borrower", "recipient")
                if y.links.get(r) is not None
            )
            and (None in amounts or amounts[0] == amounts[1])
        ):
            return True
    return False


def _home_dollar(e: Event) -> Event:
    """A bare "$" of a public lender or funder abroad is its home dollar."""
    funder, _ = _party_of(e)
    if funder is None or e.fields.get("currency") != "USD":
        return e
    home = _home(funder)
    if home is None or not re.search(r"(?<![A-Za-z$])\$\s?\d", e.sentence):
        return e
    if re.search(r"\bUS\$|\bU\.S\.\s?\$|\bUSD\b|\bU\.S\. dollars\b", e.sentence):
        return e
    return e.with_fields({**e.fields, "currency": home})


_OPTION = re.compile(
    r"\ban\s+option\s+to\s+(?:take|acquire|buy|purchase)\s+(?:an?\s+)?(?:[\w%.-]+\s+){0,3}?"
    r"(?:stake|interest|holding|shares?)\b",
    re.IGNORECASE,
)


_RELATIVE = re.compile(r",\s+(?:which|who)\s+[^,;]*(?:[,;]|$)")


def _recalled(s: Sent, e: Event) -> bool:
    """A loan or grant told in a relative clause ("X, which secured a $N loan from Y in 2022,
    said …", "…, which last year repaid a $N loan to Y"): background, when its sum and one of
    its parties are inside the clause (a funder before it, "with the Department, which will
    provide $N", still acts)."""
    amount = e.fields.get("amount")
    if amount is None:
        return False
    spots = [x for x in _money(s) if abs(x.amount - amount) <= 1e-6 * max(1.0, amount)]
    for r in _RELATIVE.finditer(s.text):
        if any(r.start() <= x.start < r.end() for x in spots) and any(
            r.start() <= m.start < r.end() for m in e.links.values()
        ):
            return True
    return False


_ROLE_LEAD = re.compile(
    r"(?:Start-?[Uu]ps?|Miner|Explorer|Developer|Producer|Refiner|Smelter|Carmaker|Automaker|"
    r"Steelmaker|Chipmaker|Manufacturer|Recycler|Trader|Lender|Investor|Buyer|Supplier|"
    r"Operator|Owner)\s+(?=[A-Z])"
)
_POSSESSOR = re.compile(r"(?P<who>[A-Z][\w.-]*)['’]s\s+(?=[A-Z])")
_DEAL_PARTIES = {
    "stake_acquisition": ("acquirer", "target"),
    "investment": ("investor", "target"),
    "offtake": ("supplier", "buyer"),
    "loan": ("lender", "borrower"),
    "grant": ("grantor", "recipient"),
}


@functools.cache
def _country_words() -> frozenset[str]:
    """One-word country names and demonyms ("Chile", "German")."""
    return frozenset(
        n.surface for n in country_names() if n.role in ("name", "demonym") and " " not in n.surface
    )


def _bare_parties(s: Sent, e: Event) -> Event:
    """A new party's name without what is glued before it: a role noun opening the sentence
    ("Start-up Vulcan", "Miner Tolvana Resources") or its country's possessive ("Chile's
    Minera Centinela", "German's KfW")."""
    fields: dict[str, object] = {}
    links: dict[str, Mention] = {}
    countries = {c.text for c in s.countries()} | _country_words()
    for role in _DEAL_PARTIES.get(e.type, ()):
        m = e.links.get(role)
        if m is None or m.id is not None or m.canonical or e.fields.get(role) != m.text:
            continue
        lead = _ROLE_LEAD.match(m.text)
        if lead is None:
            p = _POSSESSOR.match(m.text)
            lead = p if p is not None and p.group("who") in countries else None
        end = len(m.text)
        if m.text.endswith(".") and not re.search(r"\.\w|\b(?:No|Co|Inc|Corp|Ltd|Bhd)\.$", m.text):
            end -= 1  # "… with Minera Centinela.": the full stop ends the sentence
        start = lead.end() if lead is not None else 0
        if end - start < 3 or (start, end) == (0, len(m.text)):
            continue
        bare = replace(m, start=m.start + start, end=m.start + end, text=m.text[start:end])
        fields[role] = bare.text
        links[role] = bare
    if not fields:
        return e
    return e.with_fields({**e.fields, **fields}, {**e.links, **links})


def refine(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """``found`` with the state loans and grants of the sentence: the rules' events replace the
    loans, grants and investments that read the same deal with other parties; every deal's
    new parties without a glued role noun or country possessive (:func:`_bare_parties`)."""
    found = [_bare_parties(s, e) for e in found]
    return [_bare_parties(s, e) for e in _refine(s, ctx, found)]


def _refine(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    if _UNBOUND.search(s.text) or _NONBINDING.search(s.text):
        return found
    if _OPTION.search(s.text):
        # "received an option to acquire a minority stake": no stake bought yet
        found = [e for e in found if e.type != "stake_acquisition"]
    shared: set[tuple[str, ...]] = set()
    new = [*_loans_named(s, ctx, shared), *_provided_with(s, ctx), *_shares_of_commitment(s, ctx)]
    new += _more_loans(s, ctx)
    new += [*_program_funds(s, ctx), *_non_repayable(s, ctx), *_commitment_to(s, ctx)]
    note_total(s, ctx)
    _bare_funder(s, ctx)
    new += _shares_of_total(s, ctx)
    new += _funder_next(s, ctx)
    new += [*_loan_backing(s, ctx), *_loan_in_return(s, ctx), *_finance_by(s, ctx)]
    new += _borrower_next(s, ctx)
    new += [*_financing_by_list(s, ctx), *_joined_financing(s, ctx)]
    new += _clause_lending(s, ctx, [*found, *new])
    new += _coordinated_sums(s, ctx, [*found, *new])
    new += _deal_with_for_stake(s, ctx)
    new += _second_buyer(s, ctx, [*found, *new])
    out = [e for e in found if not _clashes(e, new)] if new else list(found)
    deals = [e for e in [*out, *new] if e.type in ("loan", "grant")]
    # "signed an agreement to provide a $N loan to X for its lithium project": no supply deal
    out = [e for e in out if not (e.type == "offtake" and any(_same_pair(e, d) for d in deals))]
    have = {e.key(): i for i, e in enumerate(out)}
    for e in new:
        i = have.get(e.key())
        if i is None:
            have[e.key()] = len(out)
            out.append(e)
        elif e.key() in shared:
            # a joint sum read as one borrower's: the sum goes to none
            old = out[i]
            fields = {k: v for k, v in old.fields.items() if k not in ("amount", "currency")}
            out[i] = old.with_fields(fields)
        else:
            # the same deal read by a deal family: the details it missed, the programme's name
            old = out[i]
            totals = {x.amount for x in _money(s) if _TOTAL.match(s.text, x.end)}
            # a total over many ("$2 billion in grants to 12 projects, including $50 million
            # for X") is not X's sum
            over = ("amount", "currency") if old.fields.get("amount") in totals else ()
            add = {
                k: v
                for k, v in e.fields.items()
                if k not in old.fields or k == "program" or k in over
            }
            if add:
                out[i] = old.with_fields({**old.fields, **add})
    out = [e for e in out if not (e.type in ("loan", "grant") and _recalled(s, e))]
    return [
        _full_name(s, _home_dollar(_lenders_lend(s, e))) if e.type in ("loan", "grant") else e
        for e in out
    ]
