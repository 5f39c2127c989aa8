"""Deal events by pattern family: public loans and grants, share purchases and holdings,
supply contracts and buyers named in an absolute clause.

The extractors of :mod:`derisk.news.events` find one event per trigger word; this module adds
the families of wording real articles use for the same deals, and two event types:

============ =================================================================
``loan``     lender, borrower, amount, currency, date
``grant``    grantor, recipient, amount, currency, program, date
============ =================================================================

A loan is money lent (a loan, a loan guarantee, a credit facility) by a public lender or a
bank: "X will lend $N to Y", "Y secured a $N loan from X", "Y will receive $N from a $M X
loan", "X approved a $N loan to Y". A grant is money given without equity or repayment:
"X awarded Y $N", "Y received a $N grant under the Defense Production Act", "an agreement
with X, which will provide $N for new equipment" (X a government). A programme named
without its grantor ("under the Defense Production Act", "CHIPS Act funding") names the
government that runs it.

Share purchases and holdings: "agreed to buy $N of its preferred stock", "will become the
largest shareholder in X", "would sell newly issued shares to X for $N", "a 5% stake
acquisition by X". Supply: "secured a five-year contract with X" for a material, "with X and
Y taking a further 1,500 t/yr", "sold to offtake partners including X and Y", "the first
shipment will be sent to X", "agreed to sell all of its output to X", "placed one-quarter of
future output with X", "sold a stockpile of ore to X", "the partnership gives X exclusive
rights to the first stage of production" (from the party of X's last deal). Whole purchases:
"secured full ownership of X", "signed an agreement for the acquisition of X", "That deal
gave it a 7% shareholding in X". Sums as stated: a sum's conversion in parentheses is no
second sum. Guards of round 11: ", giving Y a 51% stake" is Y's holding after the deal; a
plan given up or replaced, and a buyer's taste ("prefer to buy from"), are no deal. Every
family keeps the guards of the base extractor: a hedge
or a denial before the trigger in its clause blocks it; roles come from clause structure
(the subject before the verb, the object after its preposition).

:func:`refine` runs after the base extractors on each sentence, with what they found: it adds
the events of these families that the base extractors missed, turns a funding event worded
as a loan or a grant into one, and corrects a stake read against a passive "by X".
:func:`follow` adds a stake's percentage or a loan's amount stated in the next sentence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from derisk.model.event_fields import extracted_fields
from derisk.news.events import (
    _ABSTRACT_OBJECT,
    _CONVERSION_BEFORE,
    _NOT_SUBJECT,
    Context,
    Event,
    Money,
    Sent,
    _blocked,
    _classify_dates,
    _first_org_after,
    _location,
    _make,
    _material,
    _name_after,
    _object_after,
    _stage,
    _subjects,
    _term,
    _value,
    event_day,
    find_money,
    find_quantities,
    price_money,
    referent,
)
from derisk.news.lexicon import Mention, name_key, sector_country

US_GOVERNMENT = "us-government"


@lru_cache(maxsize=32)
def _money_of(text: str) -> tuple[Money, ...]:
    # a company's market value, revenue or debt is no deal's sum
    return tuple(price_money(text, _stated(text, find_money(text))))


def _stated(text: str, money: list[Money]) -> list[Money]:
    """The sums as stated, without their conversions: a sum in parentheses (or after ", or")
    right after another is the same sum in another currency, whichever way each is written
    ("104 million euros ($122 million)", "¥34.2bn (US$240mn)"); the sum stated first is the
    fact.

    >>> t = "was granted 104 million euros ($122 million) by the state"
    >>> [(m.amount, m.currency) for m in _stated(t, find_money(t))]
    [(104000000.0, 'EUR')]
    """
    out: list[Money] = []
    for x in money:
        if out and _CONVERSION_BEFORE.search(text[out[-1].end : x.start]):
            continue
        out.append(x)
    return out


def _money(s: Sent) -> list[Money]:
    """Sums of money in the sentence (computed once per sentence)."""
    return list(_money_of(s.text))


_PROGRAM = re.compile(
    r"\b(?:Defen[cs]e Production Act|DPA(?: Title III)?|Title III|Inflation Reduction Act|IRA|"
    r"CHIPS(?: and Science)? Act|CHIPS|Bipartisan Infrastructure Law|BIL|"
    r"Infrastructure Investment and Jobs Act)\b"
)
"""Public funding programmes of the United States: a grant "under the DPA" is the U.S.
government's when the article names no agency."""

_FUNDER = re.compile(
    r"(?:the\s+)?(?P<name>(?:U\.S\.\s+|US\s+)?(?:Department of (?:Energy|Commerce)|"
    r"(?:Energy|Commerce) Department|Loan Programs Office|"
    r"Export[- ]Import Bank of (?:the United States|Korea|China|India)|(?:US\s+)?EXIM(?:\s+Bank)?|"
    r"KEXIM|Korea Eximbank|Japan Bank for International Cooperation|JBIC|JOGMEC|"
    r"(?:U\.S\.\s+)?International Development Finance Corp(?:oration)?|DFC|"
    r"European Investment Bank|EIB|Export Finance Australia|EFA|"
    r"Northern Australia Infrastructure Facility|NAIF|Canada Infrastructure Bank|"
    r"UK Export Finance|UKEF|KfW|Bpifrance|National Reconstruction Fund(?: Corporation)?|"
    r"Critical Minerals Facility))\b"
)
"""Public lenders and funders the graph may not hold, by the names the press uses."""

_LOAN_NOUN = (
    r"(?:(?:conditional\s+|direct\s+|senior\s+|term\s+|construction\s+|debt\s+)*"
    r"loans?(?:\s+guarantees?)?|loan\s+facility|credit\s+(?:facility|line)|debt\s+facility|"
    r"debt\s+financing|debt\s+package|financing\s+(?:package|facility))"
)
_SIZED = re.compile(
    r"\s+(?:agreements?\s+|facility\s+|package\s+)?(?:\([^)]{1,30}\)\s+)?(?:amounting to|worth|"
    r"totall?ing|valued at|of|for)\s+(?:up to\s+|about\s+|around\s+|nearly\s+|some\s+)?",
    re.IGNORECASE,
)
"""The size of a loan stated after its noun."""
_LEND = re.compile(r"\b(?:lend|lends|lent|lending)\b", re.IGNORECASE)
_LOAN = re.compile(r"\b" + _LOAN_NOUN + r"\b", re.IGNORECASE)
_RECEIVE = re.compile(
    r"\b(?:secur(?:ed|es|ing)|receiv(?:ed|es|e|ing)|obtain(?:ed|s)?|won|wins|clos(?:ed|es)|"
    r"land(?:ed|s)|got|gets|pocket(?:ed|s)?|drew|draws|drawn|(?:was|were|been|is|are) "
    r"(?:granted|awarded|offered|approved for|given))\b",
    re.IGNORECASE,
)
_GIVE = re.compile(
    r"\b(?:approv(?:ed|es)|provid(?:ed|es|e)|extend(?:ed|s)|grant(?:ed|s)|offer(?:ed|s)|"
    r"issu(?:ed|es)|made|makes|committ?(?:ed|s)|finali[sz](?:ed|es)|sign(?:ed|s)|"
    r"award(?:ed|s)|announc(?:ed|es)|gave|gives|will (?:provide|extend|grant|give|award))\b",
    re.IGNORECASE,
)
_NONBINDING = re.compile(
    r"\b(?:letters? of interest|LOIs?|letters? of support|expressions? of interest|"
    r"memorand(?:um|a) of understanding|MOUs?|non-binding|term sheets?)\b",
    re.IGNORECASE,
)
_GRANT_NOUN = re.compile(
    r"\b(?:grants?|subsid(?:y|ies)|awards?|(?:federal |government |public )?funding)\b",
    re.IGNORECASE,
)
_USE = re.compile(r"\b(?:use|uses|used|using|spend|spends|spent|deploy\w*|draw\w* on)\b", re.I)
_AWARD = re.compile(
    r"\b(?:award(?:s|ed)?|grant(?:s|ed)?|(?P<hand>hand(?:s|ed)?|gave|gives|give))\b", re.IGNORECASE
)
"""A verb of giving money: awarding or granting it; handing or giving it only by a public body
and only a grant, subsidy or award ("handed X a €20 million grant")."""
_EQUITY_WORD = re.compile(
    r"\b(?:shares?|stock|equity|stake|invest\w*|loan\w*|lend\w*|credit|debt|"
    r"supply|offtake|price)\b",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- parties
def _funder_after(s: Sent, pos: int, preps: str, max_gap: int = 4) -> Mention | None:
    """The lender or funder introduced by ``preps`` after ``pos``: a linked organisation, a
    public lender known by name, or a new capitalised name."""
    org = _object_after(s, pos, preps, [], max_gap)
    fm = re.compile(r"\b(?i:" + preps + r")\s+(?:an?\s+|the\s+)?").search(s.text, pos)
    if fm is not None and re.fullmatch(
        r"(?:\s+[\w-]+){0," + str(max_gap) + r"}\s+", s.text[pos : fm.start()] or " "
    ):
        # "awarded €104 million in subsidies by the German government": the country's government
        gov = _government_at(s, fm.end())
        if gov is not None:
            return gov
    if fm is not None:
        f = _FUNDER.match(s.text, fm.end())
        if f is not None and (
            org is None or f.start("name") < org.start or f.end("name") > org.end >= f.start()
        ):
            return _new(s, f.start("name"), f.end("name"), "government")
    return org or _name_after(s, pos, preps, max_gap)


def _new(s: Sent, start: int, end: int, kind: str = "company") -> Mention:
    for m in s.orgs():
        if m.start <= start and m.end >= end:
            return m
    return Mention(start, end, s.text[start:end], kind, None, "new")


def _program(s: Sent, lo: int = 0) -> Mention | None:
    p = _PROGRAM.search(s.text, lo)
    if p is None:
        return None
    return Mention(p.start(), p.end(), "U.S. government", "government", US_GOVERNMENT, "name")


def _main_company(ctx: Context, exclude: list[Mention]) -> Mention | None:
    """The company the story is about so far: the party named most often in its events,
    else the first organisation of the last sentence that named one."""
    counts: dict[str, tuple[int, Mention]] = {}
    for e in ctx.events:
        for m in e.links.values():
            if m.kind != "company":
                continue
            k = m.id or name_key(m.value)
            n, _ = counts.get(k, (0, m))
            counts[k] = (n + 1, m)
    ranked = [m for _, m in sorted(counts.values(), key=lambda x: -x[0])]
    for m in [*ranked, *ctx.last_orgs]:
        if m.kind == "company" and not any(_same(m, x) for x in exclude):
            return m
    return None


def _same(a: Mention, b: Mention) -> bool:
    if a.id is not None or b.id is not None:
        return a.id == b.id
    return name_key(a.value) == name_key(b.value)


_AGENCY = re.compile(
    r"(?:The\s+)?(?P<name>(?:[A-Z][\w.&-]+\s+){1,5}(?:Agency|Department|Ministry|Bank|"
    r"Corporation|Office|Administration|Fund|Authority|Commission|Facility|Union|Council|"
    r"Government))\b"
)
_REPORTED = re.compile(
    r"\b(?:said|says|announced|announces|reported|confirmed|stated)(?: on \w+)?,?\s+"
    r"(?:that\s+)?(?=the\s|[A-Z])"
)
_APPOSITION = re.compile(
    r"\s*(?:[–—]|,\s+(?:an?|the|its|which|whose)\s|"
    # a ticker in parentheses ("X (ASX: BGL)") is no apposition
    r"\((?![A-Z]{2,8}\s*:|[A-Z0-9.]{1,8}\)))"
)


_CLAUSE_COREF = re.compile(
    r"(?:,|;)\s+(?:and|but|while|so)\s+(?:it|the\s+(?:company|group|firm|miner|producer|"
    r"developer))\s+(?:(?:has|have|had|also|now|then|already)\s+){0,2}$"
)
"""A second clause whose subject is "the company" / "it" (", and the company has agreed …")."""


def _subject(s: Sent, pos: int, ctx: Context) -> tuple[Mention | None, bool]:
    """The subject of the clause before ``pos``; a new name opening the sentence before an
    apposition ("E-Volt Magnetics – a unit of X – signed …") wins over the apposition's."""
    name = _name_at(s, 0)
    if (
        name is not None
        and name.id is None
        and name.end < pos
        and _APPOSITION.match(s.text, name.end)
        and any(o.start > name.end for o in s.orgs() if o.end <= pos)
    ):
        return name, False
    said = _last(_REPORTED, s.text[:pos])
    if said is not None:
        # "X said the Pentagon will lend …": the subject of the reported clause
        inner = next((o for o in s.orgs() if o.start == said.end() and o.end <= pos), None)
        if inner is not None:
            return inner, False
    subjects, by_ref = _subjects(s, pos, ctx)
    gov = next(
        (
            g
            for c in s.countries()
            if c.end <= pos
            and (not subjects or c.end <= subjects[0].start)
            and (g := _government_at(s, c.start)) is not None
        ),
        None,
    )
    if gov is not None and gov.end <= pos:
        # "Australia's federal government agreed to …"
        return gov, False
    if subjects:
        return subjects[0], by_ref
    f = _last(_FUNDER, s.text[:pos])
    if f is not None:
        return _new(s, f.start("name"), f.end("name"), "government"), False
    if ctx.last_orgs and _CLAUSE_COREF.search(s.text[:pos]):
        # "Production began in March, and the company has agreed to sell …": the company the
        # story is about, as an opening "The company" would be
        return referent(ctx), True
    agency = _AGENCY.match(s.text)
    if agency is not None and agency.end() <= pos:
        # "The Defense Logistics Agency awarded …"
        return _new(s, agency.start("name"), agency.end("name"), "government"), False
    # "Earlier this month, X acquired …": past a fronted adverbial
    lead = re.match(r"(?:[A-Z][\w’'-]*(?:\s+[\w’'-]+){0,6},\s+)?", s.text)
    for at in {0, lead.end() if lead else 0}:
        opener = _name_at(s, at)
        if (
            opener is not None
            and opener.end <= pos
            and re.fullmatch(
                # "X, Australia's wealthiest individual, has acquired …": past an apposition
                r"(?:,\s+[^,;]{1,100},)?\s+(?:[a-z][\w'’-]*\s+){0,5}",
                s.text[opener.end : pos] + " ",
            )
        ):
            # "Kestrel Capital completed its acquisition of …": the name opening the sentence
            return opener, False
    # "… the same week Ivanhoe Mines (TSX: IVN) announced …": the name right before the verb
    near = re.search(
        r"(?<![\w.])([A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’.-]*){1,4})\s*(?:\([^)]{1,25}\)\s*)?"
        r"(?:has\s+|had\s+|have\s+|also\s+|just\s+)?$",
        s.text[:pos],
    )
    if near is not None:
        name = _name_at(s, near.start(1))
        if name is not None and name.kind == "company" and name.end <= pos:
            return name, False
    return None, False


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    out = None
    for out in pattern.finditer(text):  # noqa: B007
        pass
    return out


def _money_near(money: list[Money], lo: int, hi: int) -> Money | None:
    return next((x for x in money if lo <= x.start <= hi), None)


# --------------------------------------------------------------------------- loans
def loan_events(s: Sent, ctx: Context) -> list[Event]:
    money = _money(s)
    if _NONBINDING.search(s.text) or not (money or _LOAN.search(s.text)):
        return []
    out: list[Event] = []
    lender: Mention | None
    borrower: Mention | None
    for m in _LEND.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        lender, by_ref = _subject(s, m.start(), ctx)
        amt = _money_near(money, m.end(), m.end() + 40)
        if lender is None or amt is None:
            continue
        borrower = _object_after(s, amt.end, "to", [lender], 3)
        if borrower is None:
            # "will lend Norwind $300 million"
            direct = _first_org_after(s, m.end(), [lender])
            if direct is not None and direct.end <= amt.start:
                borrower = direct
        if borrower is None:
            borrower = _name_after(s, amt.end, "to", 2)
            if borrower is not None and not re.match(
                r"\s+to\s+$", s.text[amt.end : borrower.start]
            ):
                borrower = None
        if borrower is None and re.match(r"\s+to\s+[a-z]", s.text[amt.end :]):
            # "will lend $150 million to expand its separation plant": the story's company
            # "X said the Pentagon will lend …": the reporting company borrows
            opener = next((o for o in s.companies() if o.start == 0), None) or _name_at(s, 0)
            here = (
                [opener]
                if opener is not None
                and not _same(opener, lender)
                and _REPORTED.match(s.text, opener.end + 1)
                else []
            )
            if here:
                borrower = here[0]
            else:
                borrower, by_ref = _main_company(ctx, [lender]), True
        ev = _loan(s, ctx, lender, borrower, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    if out:
        return out + _coordinated_loans(s, ctx, out, money)
    for m in _LOAN.finditer(s.text):
        if re.search(r"\bequity\s+(?:and|or)\s+$", s.text[max(0, m.start() - 20) : m.start()]):
            continue  # "equity and debt financing": an investment (its family below)
        lo = max(0, s.text.rfind(";", 0, m.start()) + 1)
        before = s.text[lo : m.start()]
        amt = next(
            (
                x
                for x in reversed(money)
                if lo <= x.start and x.end <= m.start() and m.start() - x.end < 60
            ),
            None,
        ) or _money_near(money, m.end(), m.end() + 12)
        if amt is None:
            # "a loan agreement amounting to up to USD248 million", "a loan worth $N", "a loan
            # agreement with X worth up to 15 billion yen": the party between noun and size
            with_party = re.match(
                r"\s+(?:agreements?\s+)?with\s+[^,;$€£¥]{1,60}?"
                r"(?=\s+(?:worth|valued at|amounting to|totall?ing)\s)",
                s.text[m.end() :],
            )
            sized = _SIZED.match(s.text, m.end() + (with_party.end() if with_party else 0))
            amt = _money_near(money, sized.end(), sized.end() + 2) if sized else None
        if amt is None and not re.search(r"\b(?:an?|the)\s+(?:[\w-]+\s+){0,2}$", before):
            continue
        if amt is None and re.search(r"package|financing\s+facility", m.group(0), re.I):
            continue  # "part of a financing package" may hold equity too: a loan only when sized
        agg = _AGGREGATE.match(s.text, amt.end) if amt is not None else None
        if agg is not None and not re.match(
            r"\s+to\s+(?:the\s+)?(?:[a-z][\w-]*\s+){0,2}[A-Z]", s.text[agg.end() :]
        ):
            # "has made almost $15 billion in loans": a total over many loans, no one loan;
            # "will provide C$250 million in debt financing to X" is X's
            continue
        recv = _last(_RECEIVE, before)
        give = _last(_GIVE, before)
        # "has been granted a loan": the passive receives, though "granted" alone gives
        verb = recv if recv is not None and (give is None or recv.end() >= give.end()) else give
        if verb is None:
            continue
        trig = lo + verb.start()
        if _blocked(s, trig, allow_plans=True):
            continue
        subj, by_ref = _subject(s, trig, ctx)
        if subj is None:
            continue
        receives = verb is recv
        to = re.match(r"\s+(?:agreements?\s+|guarantees?\s+)?to\s+", s.text[m.end() :])
        lent_to = _org_at(s, m.end() + to.end(), 1) if to else None
        if receives and lent_to is not None and not _same(lent_to, subj):
            # "the Loan Programs Office closed a $2.26 billion loan to X": lent to X
            receives = False
        if receives:
            borrower = subj
            # "a $2.26 billion Department of Energy (DOE) loan": the lender before the noun
            lo_name = amt.end if amt is not None else lo + verb.end()
            named = _FUNDER.search(s.text, lo_name, m.start())
            org = next((o for o in s.orgs() if lo_name <= o.start and o.end <= m.start()), None)
            if named is not None:
                lender = _new(s, named.start("name"), named.end("name"), "government")
            elif org is not None and not _same(org, subj):
                lender = org
            else:
                lender = _funder_after(s, m.end(), "from|by", 4)
            if money and trig < money[0].start < m.start():
                amt = money[0]
        else:
            lender = subj
            # "signed a financing agreement with X for a $565 million loan to expand the Y
            # mine": the party of the agreement borrows; "to expand" is the loan's purpose
            party = _object_after(s, lo + verb.end(), "with", [subj], 3)
            purpose = re.match(r"\s+to\s+(?!the\b|a\b|an\b|its\b)[a-z]+\b", s.text[m.end() :])
            borrower = (
                (party if party is not None and party.end <= m.start() else None)
                or (None if purpose else _object_after(s, m.end(), "to|for", [subj], 3))
                or (None if purpose else _name_after(s, m.end(), "to", 2))
                # "signed a loan agreement of up to $N with X": the other party of the contract
                or _object_after(s, m.end(), "with", [subj], 3)
                or _name_after(s, m.end(), "with", 1)
                or _reporter(s, subj)
            )
        ev = _loan(s, ctx, lender, borrower, amt, trig, by_ref)
        if ev:
            out.append(ev)
            break
    if not out:
        out = _passive_loans(s, ctx, money)
    return out + _coordinated_loans(s, ctx, out, money)


_LOAN_GIVEN = re.compile(
    r"\b(?:" + _LOAN_NOUN + r")\s+(?:has|have|had)?\s*(?:been|was|were|will be|is being)\s+"
    r"(?:granted|approved|extended|provided|awarded|made available|offered)\s+to\s+",
    re.IGNORECASE,
)
"""A loan in the passive, its borrower after "to" and its lender after "by" ("A $400 million
loan has been granted to X by Y", "The loan was extended to X by the state bank Y")."""


def _passive_loans(s: Sent, ctx: Context, money: list[Money]) -> list[Event]:
    for m in _LOAN_GIVEN.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        borrower = _org_at(s, m.end(), 3)
        if borrower is None:
            continue
        lender = _funder_after(s, borrower.end, "by|from", 3)
        amt = next(
            (x for x in reversed(money) if x.end <= m.start() and m.start() - x.end < 30), None
        )
        ev = _loan(s, ctx, lender, borrower, amt, m.start(), False)
        if ev:
            return [ev]
    return []


def _coordinated_loans(s: Sent, ctx: Context, out: list[Event], money: list[Money]) -> list[Event]:
    """Further loans of one lender told in the same sentence by coordination ("signed loan
    agreements of up to $92 million with X, and up to $16 million with Y"): each its own
    loan, with the first loan's day."""
    if len(out) != 1 or "borrower" not in out[0].links:
        return []
    first = out[0]
    lender, borrower = first.links["lender"], first.links["borrower"]
    more: list[Event] = []
    for m in _AND_MONEY_WITH.finditer(s.text, borrower.end):
        amt = _money_near(money, m.start("money"), m.end("money"))
        other = _org_at(s, m.end(), 0)
        if amt is None or other is None or _same(other, borrower) or _same(other, lender):
            continue
        ev = _loan(s, ctx, lender, other, amt, m.start(), False)
        if ev is not None:
            if first.fields.get("date") is not None and ev.fields.get("date") is None:
                ev = ev.with_fields({**ev.fields, "date": first.fields["date"]})
            more.append(ev)
    return more


_LIST_ITEM = re.compile(
    r"(?:[A-Z][a-z]{2,8}\.?\s+(?:\d{1,2},\s+)?\d{4}\s*[:–-]\s*|[-•*–]\s*)?(?:an?\s+)?"
)
_LISTED_LOAN = re.compile(
    r"\s+(?:[A-Z]{2,6}\s+)?(?:" + _LOAN_NOUN + r"|conditional\s+commitment)\s+to\s+",
    re.IGNORECASE,
)
_LENDER_NAME = re.compile(
    r"\b(?:Department|Ministry|Agency|Bank|Office|Corporation|Administration|Fund|Authority|"
    r"EXIM|DFC|JBIC|LPO)\b"
)
_AGGREGATE = re.compile(
    r"\s+in\s+(?:[\w-]+\s+){0,2}?(?:loans|grants|financing|funding|investments|commitments)\b",
    re.IGNORECASE,
)


def listed_loans(s: Sent, ctx: Context) -> list[Event]:
    """A loan stated as an item of a list, without a verb ("July 2022: a $102.1 million loan
    to X to expand its plant", after "The office's loans include the following:"): the
    borrower follows "to"; the lender is the public lender the text last named."""
    item = _LIST_ITEM.match(s.text)
    money = _money(s)
    if item is None or not money or money[0].start > item.end() + 4:
        return []
    amt = money[0]
    to = _LISTED_LOAN.match(s.text, amt.end)
    if to is None:
        return []
    borrower = _org_at(s, to.end(), 1)
    before = next(
        (e for e in reversed(ctx.events) if e.type == "loan" and s.index - e.sentence_index <= 1),
        None,
    )
    # the item before lent too: the same lender
    lender = (
        before.links["lender"]
        if before is not None
        else next(
            (o for o in ctx.last_orgs if o.kind == "government" or _LENDER_NAME.search(o.text)),
            None,
        )
    )
    ev = _loan(s, ctx, lender, borrower, amt, 0, True)
    return [ev] if ev else []


def _reporter(s: Sent, party: Mention) -> Mention | None:
    """The company that opens the sentence and reports it ("X said the bank had agreed to
    provide a $N loan"): the other party of a deal whose counterpart is not named."""
    said = _REPORTED.search(s.text)
    if said is None or said.start() > party.start:
        return None
    opener = next(
        (
            o
            for o in reversed(s.companies())
            if o.end <= said.start()
            and re.fullmatch(r"\s*(?:\([^)]{1,30}\)\s*)?,?\s*", s.text[o.end : said.start()])
        ),
        None,
    ) or (_name_at(s, 0) if re.fullmatch(r"[^,]{1,60}\s", s.text[: said.start()]) else None)
    if opener is None or _same(opener, party) or opener.end > party.start:
        return None
    if opener.start > 0 and not re.fullmatch(
        r"(?:[A-Z][\w-]*\s+)?(?:[a-z][\w-]*\s+){0,3}", s.text[: opener.start]
    ):
        return None  # the reporter opens the sentence, past a descriptor ("Australian miner")
    return opener


def _loan(
    s: Sent,
    ctx: Context,
    lender: Mention | None,
    borrower: Mention | None,
    amt: Money | None,
    trig: int,
    by_ref: bool,
) -> Event | None:
    if lender is None or borrower is None or _same(lender, borrower):
        return None
    if lender.kind == "person" or borrower.kind == "person":
        return None
    fields: dict[str, Any] = {
        "lender": _value(lender),
        "borrower": _value(borrower),
        "amount": amt.amount if amt else None,
        "currency": amt.currency if amt else None,
        "date": _classify_dates(s, ctx, trig).get("date"),
    }
    return _make(s, "loan", fields, {"lender": lender, "borrower": borrower}, by_reference=by_ref)


# --------------------------------------------------------------------------- grants
def grant_events(s: Sent, ctx: Context) -> list[Event]:
    money = _money(s)
    if not money or _NONBINDING.search(s.text):
        return []
    out: list[Event] = []
    for m in _AWARD.finditer(s.text):
        tail = s.text[m.end() : m.end() + 120]
        if re.match(r"[^;]{0,80}?\b(?:contracts?|orders?|tenders?)\b", tail) or re.search(
            r"\bcontracts?\s+(?:\w+\s+){0,2}$", s.text[: m.start()]
        ):
            continue  # a contract awarded is a sale, not a grant
        if _blocked(s, m.start(), allow_plans=True):
            continue
        before = s.text[: m.start()]
        if re.search(
            r"(?:\b(?:an?|the|its|their)|[\d%]|million|billion|bn|mn)\s+(?:[\w-]+\s+){0,2}$", before
        ):
            continue  # a noun ("a $12.5 million grant"): the noun family below
        passive = re.search(r"\b(?:was|were|been|is|are|being)\s+$", before)
        subj, by_ref = _subject(s, m.start(), ctx)
        amt = _money_near(money, m.end(), m.end() + 90)
        if amt is None:
            continue
        if m.group("hand") and (
            passive
            or not _public(subj)
            or not re.match(
                r"\s+(?:[\w-]+\s+){0,3}(?:grants?|subsid(?:y|ies)|awards?)\b", s.text[amt.end :]
            )
        ):
            continue
        grantor: Mention | None
        recipient: Mention | None
        if passive:
            recipient = subj
            grantor = _funder_after(s, amt.end, "from|by", 4) or _program(s, m.start())
        else:
            grantor = subj
            excl = [subj] if subj else []
            recipient = next(
                (
                    o
                    for o in s.orgs()
                    if o.start >= m.end()
                    and o.end <= amt.start
                    and re.fullmatch(r"\s+(?:the\s+)?", s.text[m.end() : o.start])
                    and not any(_same(o, x) for x in excl)
                ),
                None,
            ) or _object_after(s, amt.end, "to", excl, 3)
            if recipient is None:
                n = re.match(r"\s+(?:the\s+)?", s.text[m.end() :])
                assert n is not None
                name = _name_at(s, m.end() + n.end())
                if name is not None and name.end <= amt.start:
                    recipient = name
        if grantor is None and recipient is not None:
            grantor = _program(s)
        ev = _grant(s, ctx, grantor, recipient, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
            return out
    for m in _GRANT_NOUN.finditer(s.text):
        if m.group(0).lower().endswith("funding") and not _PROGRAM.search(s.text):
            continue  # funding from a named funder is an investment
        lo = max(0, s.text.rfind(";", 0, m.start()) + 1)
        before = s.text[lo : m.start()]
        amt = next(
            (
                x
                for x in reversed(money)
                if lo <= x.start and x.end <= m.start() and m.start() - x.end < 40
            ),
            None,
        ) or _money_near(money, m.end(), m.end() + 14)
        if amt is None:
            continue
        recv = _last(_RECEIVE, before)
        give = _last(_GIVE, before)
        if (
            recv is None
            and give is None
            and amt is not None
            and any(_public(o) for o in s.companies() if amt.end <= o.start and o.end <= m.start())
        ):
            # "will use an $18.5 million Pentagon award": an award held, its funder before the noun
            recv = _last(_USE, before)
        if recv is None and give is None:
            continue
        gives = recv is None or (give is not None and give.start() > recv.end())
        trig = lo + (give.start() if gives and give is not None else recv.start() if recv else 0)
        if _blocked(s, trig, allow_plans=True):
            continue
        subj, by_ref = _subject(s, trig, ctx)
        if gives:
            # "The Australian government will provide a A$20 million grant to X"
            grantor = subj
            recipient = (
                _object_after(s, m.end(), "to|for", [subj] if subj else [], 3)
                or _name_after(s, m.end(), "to|for", 2)
                or (_reporter(s, subj) if subj else None)
            )
            if grantor is None or (
                grantor.kind != "government"
                and not _FUNDER.search(s.text[grantor.start : grantor.end + 1])
            ):
                continue  # a company "provides" grants rarely; a sale or a loan otherwise
        else:
            recipient = subj
            # "was awarded a $35 million Department of Defense grant": the funder before the noun
            named = _FUNDER.search(s.text, amt.end, m.start()) or _AGENCY.search(
                s.text, amt.end, m.start()
            )
            inner = next(
                (o for o in s.companies() if amt.end <= o.start and o.end <= m.start()), None
            )
            grantor = (
                inner
                or (
                    _new(s, named.start("name"), named.end("name"), "government")
                    if named is not None and named.start() >= amt.end
                    else None
                )
                or _funder_after(s, m.end(), "from|by", 4)
                or _program(s, m.start())
                or _government_before(s, trig, m.start())
            )
        ev = _grant(s, ctx, grantor, recipient, amt, trig, by_ref)
        if ev:
            out.append(ev)
            return out
    for m in re.finditer(
        r",\s+which\s+(?:will\s+|would\s+|is to\s+|has agreed to\s+)?"
        r"(?:provides?|provided|give|gives|gave|contribute|contributes|contributed)\s+",
        s.text,
    ):
        # "signed an agreement with the Department of Defense, which will provide $N for …"
        gov = next((o for o in reversed(s.orgs()) if o.end <= m.start()), None)
        amt = _money_near(money, m.end(), m.end() + 12)
        if gov is None or gov.kind != "government" or amt is None:
            continue
        if gov.end != m.start() and not re.fullmatch(
            r"\s*\([^)]{1,12}\)", s.text[gov.end : m.start()]
        ):
            continue
        if _EQUITY_WORD.search(s.text[amt.end : amt.end + 60]):
            continue
        if not re.search(
            r"\b(?:agreement|deal|contract|partnership)\s+with\s+(?:the\s+)?$",
            s.text[max(0, gov.start - 40) : gov.start],
        ):
            continue
        subj, by_ref = _subject(s, gov.start, ctx)
        ev = _grant(s, ctx, gov, subj, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    return out


_AWARD_FOR = re.compile(
    r"\b(?:an?|the|its)\s+(?:(?:[A-Z][a-z]+\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+)\s+)?"
    r"(?P<money>(?:US|A|C)?[$€£¥]\s?[\d.,]+(?:\s*(?:million|billion|bn|mn|m)\b)?)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:award|grant)\s+(?:to|for)\s+(?=(?:the\s+)?[A-Z])"
)
"""A grant told as a noun with its recipient ("with a $21.5 million award for X to expand
its plant"): the funder is the public body the story named with it."""
_AWARD_WENT = re.compile(
    r"^(?:That|The|This)\s+(?:[\w-]+\s+){0,2}?(?:award|grant)\s+(?:went|was given|was made|"
    r"was awarded)\s+to\s+"
)
"""The recipient of a grant the sentence before told ("Then came a $4.5 million award. That
award went to X")."""
_SOUGHT = re.compile(
    r"\b(?:appl(?:y|ies|ied|ying)|seek\w*|sought|request\w*|propos\w*|compet\w*|bid\w*|"
    r"eligible|candidates?|hop\w*)\b[^.;]{0,30}$",
    re.IGNORECASE,
)


def _story_grantor(s: Sent, ctx: Context, before: int) -> Mention | None:
    """The public body that gives the grants of the story: named in the sentence before
    ``before``, else the grantor of the article's last grant, else one the sentence before
    named."""
    here = [o for o in s.orgs() if o.end <= before and _public(o)]
    if here:
        return here[-1]
    grants = [e for e in ctx.events if e.type == "grant" and "grantor" in e.links]
    if grants:
        return grants[-1].links["grantor"]
    return next((o for o in ctx.last_orgs if _public(o)), None)


def award_noun_events(s: Sent, ctx: Context) -> list[Event]:
    """Grants told as a noun phrase ("a $21.5 million award for X"), or whose recipient the
    next sentence names ("That award went to X")."""
    out: list[Event] = []
    money = _money(s)
    for m in _AWARD_FOR.finditer(s.text):
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=False):
            continue
        if _SOUGHT.search(s.text[: m.start()]) or _NONBINDING.search(s.text):
            continue  # "applied for a $5 million grant for its plant": not awarded
        recipient = _org_at(s, m.end(), 0)
        grantor = _story_grantor(s, ctx, m.start())
        if recipient is None or _public(recipient):
            continue
        ev = _grant(s, ctx, grantor, recipient, amt, m.start(), grantor not in s.orgs())
        if ev:
            out.append(ev)
    w = _AWARD_WENT.match(s.text)
    prev = ctx.prev
    if w is not None and prev is not None and not out:
        told = re.search(r"\b(?:award|grant)\b", prev.text)
        amt = _money_near(_money(prev), 0, len(prev.text)) if told else None
        recipient = _org_at(s, w.end(), 0)
        grantor = _story_grantor(prev, ctx, len(prev.text))
        if amt is not None and recipient is not None and not _public(recipient):
            ev = _grant(s, ctx, grantor, recipient, amt, w.start(), True)
            if ev is not None and ev.fields.get("date") is None:
                day = _classify_dates(prev, ctx, told.start() if told else 0).get("date")
                if day is not None:
                    ev = ev.with_fields({**ev.fields, "date": day})
            if ev:
                out.append(ev)
    return out


_PUBLIC_BODY = re.compile(
    r"\b(?:Department|Ministry|Agency|Office|Administration|Commission|Government|government|"
    r"Pentagon|Union|Council|Authority|Fund|Bank|Facility|Corporation|Programs?)\b"
)


def _public(m: Mention | None) -> bool:
    """A government or a public body by its name ("The Department of Energy")."""
    return (
        m is not None
        and (
            m.kind == "government"
            or bool(_FUNDER.fullmatch(m.text))
            or bool(_PUBLIC_BODY.search(m.text))
        )
        and not re.search(r"\b(?:Inc|Ltd|Limited|Corp|plc|LLC|Group|Holdings)\b", m.text)
    )


_GOV_GIVES = re.compile(
    r"\b(?:provid(?:e|es|ed|ing)|giv(?:e|es|en|ing)|gave|allocat(?:e|es|ed|ing)|"
    r"contribut(?:e|es|ed|ing)|"
    r"award(?:s|ed|ing)?|grant(?:s|ed|ing)?|commit(?:s|ted|ting)?|announc(?:e|es|ed|ing)|"
    r"approv(?:e|es|ed|ing)|earmark(?:s|ed|ing)?)\s+"
    r"(?:(?P<rec>[A-Z][^$€£¥,;]{1,60}?)\s+with\s+)?(?:up\s+to\s+|about\s+|nearly\s+|some\s+|"
    r"an?\s+(?:additional\s+|further\s+)?)?"
    + r"(?P<money>(?:US|A|C|HK|NZ|S)?[$€£¥][\d.,]+[^,;]{0,14}?|"
    r"[A-Z]{3}\s?[\d.,]+[^,;]{0,14}?)\s+(?:in\s+(?:new\s+)?(?:federal\s+|government\s+|grant\s+|"
    r"public\s+)?(?:funding|grants?|support|financing)\s+)?(?:to|for|towards?)\s+"
    r"(?=(?:the\s+)?(?:[a-z][\w-]*\s+){0,2}[A-Z])"
    r"|\b(?:provid(?:e|es|ed|ing)|giv(?:e|es|en|ing)|gave)\s+(?P<rec2>[A-Z][^$€£¥,;]{1,60}?)\s+with\s+",
)
"""A government giving money ("the Department of Defense will provide $20 million to X",
"the Pentagon has provided X with $24 million", "announced $45 million in funding for X")."""
_SELECTED = re.compile(
    r"\bselect(?:ed|s)\s+(?P<rec>[A-Z][^$€£¥,;]{1,60}?)\s+(?:for|to receive)\s+"
    r"|\b(?:was|were|has been|have been|had been)\s+selected\s+(?:for|to receive|to get)\s+",
)
"""A grant told as a selection ("DOE selected X for a $50 million award", "X was selected to
receive $30 million from the Department of Energy")."""


def gov_funding_events(s: Sent, ctx: Context) -> list[Event]:
    money = _money(s)
    out: list[Event] = []
    if not money or _NONBINDING.search(s.text) or _LOAN.search(s.text):
        return out
    if _EQUITY_WORD.search(s.text) and not _GRANT_NOUN.search(s.text):
        return out  # shares, a stake, a supply deal: not a gift
    for m in _GOV_GIVES.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        grantor, by_ref = _subject(s, m.start(), ctx)
        if not _public(grantor):
            continue
        rec_at = m.start("rec") if m.group("rec") else m.start("rec2") if m.group("rec2") else None
        # "to graphite developer X": up to two descriptor words before the name
        recipient = _org_at(s, rec_at, 0) if rec_at is not None else _org_at(s, m.end(), 2)
        amt = _money_near(money, m.end("money"), m.end("money") + 2) if m.group("money") else None
        amt = amt or (
            _money_near(money, m.start("money"), m.end("money"))
            if m.group("money")
            else _money_near(money, m.end(), m.end() + 12)
        )
        if amt is None or recipient is None or _public(recipient):
            continue
        ev = _grant(s, ctx, grantor, recipient, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
            return out
    for m in _SELECTED.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        amt = _money_near(money, m.end(), m.end() + 40)
        if amt is None:
            continue
        if m.group("rec"):
            grantor, by_ref = _subject(s, m.start(), ctx)
            recipient = _org_at(s, m.start("rec"), 0)
        else:
            recipient, by_ref = _subject(s, m.start(), ctx)
            grantor = _funder_after(s, amt.end, "from|by", 4) or _program(s, m.start())
        if not _public(grantor):
            continue
        ev = _grant(s, ctx, grantor, recipient, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
            return out
    return out


_NAME = re.compile(r"(?P<name>[A-Z][\w&'’.-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w&'’.-]*){0,5})")


def _name_at(s: Sent, pos: int) -> Mention | None:
    """A capitalised name starting at ``pos`` that is no country or material: a new
    organisation ("awarded Stonecrest Graphite Inc. $12.5 million")."""
    n = _NAME.match(s.text, pos)
    if n is None or n.group("name").split()[0] in _NOT_SUBJECT:
        return None
    start, end = n.span("name")
    while end > start and s.text[end - 1] in "'’.":
        end -= 1  # "Quenda Minerals' first cargo", a name ending a sentence
    if s.text[max(start, end - 2) : end] in ("'s", "’s"):
        end -= 2  # "Pensana Plc's project"
    covered = [
        x
        for x in s.mentions
        if x.start < end and start < x.end and x.kind in ("country", "material")
    ]
    if covered:
        # a country or material ("Western Australia", "Rare Earths") is no name; three words or
        # more with one of their own ("Tungsten Parts Wyoming", "United States Antimony") are
        words = [
            (start + w.start(), start + w.end()) for w in re.finditer(r"\S+", s.text[start:end])
        ]
        own = [w for w in words if not any(x.start <= w[0] and w[1] <= x.end for x in covered)]
        if len(words) < 3 or not own:
            return None
        linked = next((o for o in s.orgs() if start <= o.start and o.end <= end and o.id), None)
        if linked is not None:
            return linked  # "U.S. Department of Defense": the graph's entity inside
    inner = next((o for o in s.orgs() if o.start < end and start < o.end), None)
    if inner is not None and inner.start == start:
        return inner
    # "E-Volt Magnetics" holding a known short name ("Volt") inside: a name of its own
    return Mention(start, end, s.text[start:end], "company", None, "new")


def _grant(
    s: Sent,
    ctx: Context,
    grantor: Mention | None,
    recipient: Mention | None,
    amt: Money,
    trig: int,
    by_ref: bool,
) -> Event | None:
    if grantor is None or recipient is None or _same(grantor, recipient):
        return None
    if recipient.kind == "person" or grantor.kind == "person":
        return None
    if re.match(r"\s+(?:[\w-]+\s+){0,3}?" + _LOAN_NOUN + r"\b", s.text[amt.end :], re.I):
        return None  # "a commitment for a $700 million loan": a loan, not a grant
    prog = _PROGRAM.search(s.text)
    fields: dict[str, Any] = {
        "grantor": _value(grantor),
        "recipient": _value(recipient),
        "amount": amt.amount,
        "currency": amt.currency,
        "program": prog.group(0) if prog else None,
        "date": _classify_dates(s, ctx, trig).get("date"),
    }
    return _make(
        s, "grant", fields, {"grantor": grantor, "recipient": recipient}, by_reference=by_ref
    )


# --------------------------------------------------------------------------- stakes
_SHARES = (
    r"(?:(?:newly[- ]issued|new|convertible|preferred|preference|ordinary|common|class [A-Z]|"
    r"series [A-Z]|redeemable|voting)\s+)*(?:shares|stock|equity|preferred|preference shares)"
)
_SHARE_BUY = re.compile(
    r"\b(?:buy|buys|bought|buying|purchas(?:e|es|ed|ing)|acquir(?:e|es|ed|ing)|"
    r"subscrib(?:e|es|ed|ing)\s+(?:for|to)|tak(?:e|es|ing)\s+up|took\s+up)\s+"
    r"(?:up\s+to\s+|about\s+|around\s+|nearly\s+|another\s+|a\s+further\s+)?"
    r"(?P<money>(?:US|A|C|HK|NZ|S)?[$€£¥][^,;]{0,24}?|[\d.,]+\s*(?:million|billion|bn|mn|m)\s+"
    r"(?:dollars|euros|won|yen|yuan|pounds)[^,;]{0,8}?)\s+(?:worth\s+)?of\s+"
    r"(?:(?P<poss>its|their|the company['’]s)\s+|(?P<owner>[A-Z][^,;]{0,60}?)['’]s?\s+)?"
    + _SHARES
    + r"\b",
)
_SHAREHOLDER = re.compile(
    r"\b(?:become|becomes|became|becoming|is now|are now|will be|emerged as|emerges as|"
    r"emerging as)\s+(?:the|a|an)\s+"
    r"(?:(?:single|largest|biggest|second-largest|third-largest|major|significant|strategic|"
    r"cornerstone|substantial|top|key|leading|(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent))\s+)+"
    r"(?:share|stock)?holder\s+(?:in|of)\s+",
    re.IGNORECASE,
)
_SHARE_COUNT = re.compile(
    r"\b(?:buy|buys|bought|buying|purchas(?:e|es|ed|ing)|acquir(?:e|es|ed|ing)|"
    r"subscrib(?:e|es|ed|ing)\s+for|pick(?:s|ed)?\s+up|snapp(?:ed|ing)\s+up|snaps?\s+up)\s+"
    r"(?:about\s+|around\s+|nearly\s+|another\s+|a\s+further\s+|an\s+additional\s+)?"
    r"[\d.,]+(?:\s*(?:million|billion|mn|bn|m))?\s+(?:(?:new|ordinary|additional|common|"
    r"fully[- ]paid)\s+)*shares\s+(?:in|of)\s+",
    re.IGNORECASE,
)
"""A number of shares bought ("bought 12.5 million shares in X"): a stake in X."""
_STAKE_TO = re.compile(
    r"\b(?:stake|holding|interest|shareholding)\s+(?:in\s+[^,;]{1,60}?\s+)?to\s+"
    r"(?:about\s+|around\s+|nearly\s+|almost\s+|just over\s+|approximately\s+|roughly\s+)?"
    r"(?P<pct>\d+(?:\.\d+)?)\s?"
    r"(?:%|per ?cent)",
    re.IGNORECASE,
)
_SALE_OF_STAKE = re.compile(
    r"\b(?:approv\w+|complet\w+|announc\w+|agreed|finali[sz]\w+|clos\w+|sign\w+)\s+"
    r"(?:the\s+|a\s+|its\s+)?(?:[\w-]+\s+){0,2}?(?:sale|transfer|disposal)\s+of\s+"
    r"(?:a|an|its|their|the)\s+(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:stake|interest|holding|shareholding)\s+in\s+",
    re.IGNORECASE,
)
"""A stake sold, told as a noun ("approved the sale of a 20% stake in X to Y")."""
_TAKEN_OVER = re.compile(
    r"\b(?:will be|would be|is to be|to be|was|were|has been|had been|have been|is being|"
    r"being)\s+(?:[a-z]+ly\s+)?(?:acquired|bought|taken over|purchased)\s+by\s+",
    re.IGNORECASE,
)
"""A company bought whole in the passive ("X will be acquired by Y for $N"): Y acquires X."""
_ISSUE_TO = re.compile(
    r"\b(?:sell|sells|sold|selling|issue|issues|issued|issuing|allot|allots|allotted|place|"
    r"placed)\s+(?:[\w$€£.,-]+\s+){0,4}?" + _SHARES + r"\s+(?:\w+\s+){0,2}?to\s+",
    re.IGNORECASE,
)
_STAKE_BY = re.compile(
    r"\b(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+){0,2}"
    r"(?:stake|holding|interest|shareholding)(?:\s+acquisition|\s+purchase)?\s+"
    r"(?:(?:was|were|has been|have been|had been|will be|is being)\s+)?"
    r"(?:(?:acquired|bought|taken|purchased)\s+)?by\s+",
    re.IGNORECASE,
)
_SHARES_OR_PCT = re.compile(
    r"\bshares\b(?:\s+(?:in|of)\s+[^,;]{1,40}?)?,?\s+or\s+(?:about\s+|around\s+|nearly\s+|"
    r"almost\s+|roughly\s+)?(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)"
)
"""A share count restated as a share of the company ("11.4 million shares, or 7.3%")."""
_PCT_STAKE = re.compile(
    r"\b(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+){0,2}"
    r"(?:stake|holding|interest|shareholding|voting power|voting rights)\b",
    re.IGNORECASE,
)


def _stake(
    s: Sent,
    ctx: Context,
    acquirer: Mention | None,
    target: Mention | None,
    trig: int,
    by_ref: bool,
    *,
    amount: Money | None = None,
    percent: float | None = None,
) -> Event | None:
    if acquirer is None or target is None or _same(acquirer, target):
        return None
    if acquirer.kind == "person" or target.kind == "person":
        return None
    if percent is None:
        p = _PCT_STAKE.search(s.text) or _SHARES_OR_PCT.search(s.text)
        percent = float(p.group("pct")) if p else None
    fields: dict[str, Any] = {
        "acquirer": _value(acquirer),
        "target": _value(target),
        "percent": percent,
        "amount": amount.amount if amount else None,
        "currency": amount.currency if amount else None,
        "date": _classify_dates(s, ctx, trig).get("date"),
    }
    return _make(
        s,
        "stake_acquisition",
        fields,
        {"acquirer": acquirer, "target": target},
        complete=percent is not None,
        by_reference=by_ref,
    )


_GOVERNMENT_WORDS = re.compile(
    r"(?:['’]s)?\s+(?:(?:federal|national|central|state|Labor|Liberal|Conservative|"
    r"[A-Z][a-z]+)\s+){0,2}(?:[Gg]overnment|administration)\b"
)


def _government_at(s: Sent, pos: int) -> Mention | None:
    """A country named as its government ("the U.S. government", "Australia's federal
    government"): the graph's U.S. government, or the country's ISO code as for issuers."""
    for c in s.countries():
        if c.start < pos or not re.fullmatch(r"\s*(?:the\s+)?", s.text[pos : c.start]):
            continue
        g = _GOVERNMENT_WORDS.match(s.text, c.end)
        if g is None or c.id is None:
            return None
        gid = US_GOVERNMENT if c.id == "USA" else c.id
        return Mention(c.start, g.end(), s.text[c.start : g.end()], "government", gid, "name")
    return None


def _government_before(s: Sent, lo: int, noun: int) -> Mention | None:
    """A country's government naming the funder inside the noun phrase of a grant ("a
    non-repayable Portuguese government grant", "an Australia federal government subsidy")."""
    for c in s.countries():
        if not lo <= c.start < noun:
            continue
        g = _government_at(s, c.start)
        if g is not None and re.fullmatch(r"\s+", s.text[g.end : noun]):
            return g
    return None


def _org_at(s: Sent, pos: int, max_gap: int = 4) -> Mention | None:
    """The organisation named from ``pos`` (past "the" and up to ``max_gap`` descriptor
    words: "rare earth miner MP Materials"), linked or new."""
    gov = _government_at(s, pos)
    if gov is not None:
        return gov
    for o in s.orgs():
        if (
            o.start >= pos
            and o.kind in ("company", "government")
            and re.fullmatch(
                r"\s*(?:the\s+)?(?:[\w'’-]+\s+){0," + str(max_gap) + r"}",
                s.text[pos : o.start],
            )
        ):
            return o
    n = re.match(r"\s*(?:the\s+)?", s.text[pos:])
    assert n is not None
    return _name_at(s, pos + n.end())


_STAKE_CUE = re.compile(
    r"share|stock|equity|preferred|stake|holding|interest|(?:acquired|bought|taken over|"
    r"purchased)\s+by|ownership|control|(?:acquisition|purchase)\s+of|shareholding",
    re.IGNORECASE,
)
_WHOLE = re.compile(
    r"\b(?:secur(?:ed|es)|t(?:ook|akes|aken)|assum(?:ed|es)|gain(?:ed|s)|obtain(?:ed|s)|"
    r"acquir(?:ed|es)|won|wins)\s+(?:full|sole|complete|total|outright|100\s?(?:%|per ?cent))\s+"
    r"(?:ownership|control)\s+(?:of|over)\s+",
    re.IGNORECASE,
)
"""Owning all of a company or an asset told as ownership won ("has secured full ownership of
the X mine", "took sole control of X")."""
_ACQUISITION_AGREEMENT = re.compile(
    r"\b(?:sign(?:ed|s)|enter(?:ed|s)\s+into|execut(?:ed|es)|str(?:uck|ikes)|ink(?:ed|s))\s+"
    r"(?:a|an|the)\s+(?:[\w-]+\s+){0,4}?(?:agreement|deal|contract)\s+(?:\([A-Z]{2,8}\)\s+)?"
    r"(?:for|over|on)\s+the\s+(?:acquisition|purchase|takeover)\s+of\s+(?!an?\s|\d)",
    re.IGNORECASE,
)
"""A purchase told as the object of a signed agreement ("signed a conditional share purchase
agreement for the acquisition of the X project"); a share of it ("of a 20% stake") is read by
the stake families."""
_DEAL_GAVE = re.compile(
    r"^(?:That|The|This|Its|Their)\s+(?:[\w-]+\s+)?(?:deal|investment|purchase|transaction|"
    r"acquisition|placement|subscription)\s+(?:gave|gives|has\s+given|will\s+give)\s+"
    r"(?P<who>it|them|[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})\s+(?:a|an)\s+(?:[\w-]+\s+)?"
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+)?(?:stake|interest|holding|"
    r"shareholding)\s+in\s+"
)
"""A deal as the subject of what it bought ("That deal gave it a 7 per cent shareholding in
X", "The placement gives Y a 9.9% interest in X")."""
_GOODS_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:concentrates?|ore|output|production|cargo(?:es)?|shipments?|"
    r"tonnes|volumes?|offtake)\b",
    re.IGNORECASE,
)
_SUPPLY_CUE = re.compile(
    r"\bwith\b|contract|order|tender|partners|customers|buyers|offtakers|sent|shipped|"
    r"delivered|sold|dispatched|exported|bound|destined",
    re.IGNORECASE,
)


def stake_events(s: Sent, ctx: Context) -> list[Event]:
    """Holdings bought in wordings other than "acquired a N% stake in"."""
    out: list[Event] = []
    if not _STAKE_CUE.search(s.text):
        return out
    money = _money(s)
    for m in _SHARE_BUY.finditer(s.text):
        # "agreed to buy $250 million of convertible preferred shares in X", "… of its stock"
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        acquirer, by_ref = _subject(s, m.start(), ctx)
        target: Mention | None = None
        if m.group("owner"):
            target = _org_at(s, m.start("owner"), 0)
        elif m.group("poss"):
            before = [
                o
                for o in s.orgs()
                if o.end <= m.start() and (acquirer is None or not _same(o, acquirer))
            ]
            target = before[-1] if before else None
            if target is None and acquirer is not None:
                target = _main_company(ctx, [acquirer])
                by_ref = True
        else:
            target = _org_after_prep(s, m.end(), "in|of")
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, amount=amt)
        if ev:
            out.append(ev)
    for m in _SHAREHOLDER.finditer(s.text):
        # "will become the largest shareholder in X"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        acquirer, by_ref = _subject(s, m.start(), ctx)
        target = _org_at(s, m.end())
        buy = _SHARE_BUY.search(s.text, m.end())
        amt = _money_near(money, buy.start("money"), buy.end("money")) if buy else None
        pct = float(m.group("pct")) if m.group("pct") else None
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, amount=amt, percent=pct)
        if ev:
            out.append(ev)
    for m in _SHARE_COUNT.finditer(s.text):
        # "bought 12.5 million shares in X, lifting its holding to 9.9%"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        acquirer, by_ref = _subject(s, m.start(), ctx)
        target = _org_at(s, m.end(), 2)
        to = _STAKE_TO.search(s.text, m.end())
        amt = _money_near(money, m.end(), m.end() + 80)
        ev = _stake(
            s,
            ctx,
            acquirer,
            target,
            m.start(),
            by_ref,
            amount=amt,
            percent=float(to.group("pct")) if to else None,
        )
        if ev:
            out.append(ev)
    for m in _SALE_OF_STAKE.finditer(s.text):
        # "Shareholders approved the sale of a 20% stake in X to Y"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        target = _org_at(s, m.end(), 1)
        to = re.match(r"[^;]{0,40}?\bto\s+", s.text[target.end :]) if target else None
        acquirer = _org_at(s, target.end + to.end(), 2) if target and to else None
        amt = _money_near(money, m.end(), m.end() + 140)
        ev = _stake(
            s, ctx, acquirer, target, m.start(), False, amount=amt, percent=float(m.group("pct"))
        )
        if ev:
            out.append(ev)
    for m in _TAKEN_OVER.finditer(s.text):
        # "X will be acquired by Y for A$1.2 billion"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        if re.search(
            r"(?:stake|shares|interest|holding|assets?)\s+(?:\w+\s+){0,3}$", s.text[: m.start()]
        ):
            continue  # "a 5% stake was acquired by X": the family below
        target, by_ref = _subject(s, m.start(), ctx)
        acquirer = _org_at(s, m.end(), 2)
        amt = _money_near(money, m.end(), m.end() + 90)
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, amount=amt, percent=None)
        if ev:
            out.append(ev)
    for m in _ISSUE_TO.finditer(s.text):
        # "X would sell newly issued shares to Y for $70 million": Y buys into X
        if _blocked(s, m.start(), allow_plans=True):
            continue
        issuer, by_ref = _subject(s, m.start(), ctx)
        buyer = _org_at(s, m.end(), 3)
        amt = _money_near(money, m.end(), m.end() + 80)
        ev = _stake(s, ctx, buyer, issuer, m.start(), by_ref, amount=amt)
        if ev:
            out.append(ev)
    for m in [*_WHOLE.finditer(s.text), *_ACQUISITION_AGREEMENT.finditer(s.text)]:
        # "X has secured full ownership of the Y mine"; "the company has signed a share
        # purchase agreement for the acquisition of the Y project"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        acquirer, by_ref = _subject(s, m.start(), ctx)
        target = _org_at(s, m.end(), 1)
        if target is None or _GOODS_AFTER.match(s.text, target.end):
            continue  # "the purchase of X concentrate": goods, not the company
        amt = _money_near(money, m.end(), m.end() + 90)
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, amount=amt, percent=None)
        if ev:
            out.append(ev)
    for m in _DEAL_GAVE.finditer(s.text):
        # "That deal gave it a 7 per cent shareholding in X": what an earlier purchase bought
        if _blocked(s, m.start()):
            continue
        who = m.group("who")
        if who.lower() in ("it", "them"):
            if not ctx.last_orgs:
                continue
            acquirer, by_ref = referent(ctx), True
        else:
            acquirer, by_ref = _org_at(s, m.start("who"), 0), False
        target = _org_at(s, m.end(), 1)
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, percent=float(m.group("pct")))
        if ev:
            out.append(ev)
    for m in _STAKE_BY.finditer(s.text):
        # "a 5% stake acquisition by X", "a 5% stake was acquired by X"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        acquirer = _org_at(s, m.end(), 2)
        target = _org_after_prep(s, m.end("pct"), "in")
        if target is None or (acquirer is not None and _same(target, acquirer)):
            target = next(
                (o for o in s.orgs() if o.kind == "company" and o.end <= m.start()), None
            ) or _name_at(s, 0)
        ev = _stake(s, ctx, acquirer, target, m.start(), False, percent=float(m.group("pct")))
        if ev:
            out.append(ev)
    return out


_PCT_HOLDING = re.compile(
    r"\b(?:from\s+\d+(?:\.\d+)?\s?(?:%|per ?cent)\s+)?to\s+(?:about\s+|approximately\s+|around\s+)?"
    r"(?P<pct3>\d+(?:\.\d+)?)\s?(?:%|per ?cent)(?=\s*(?:[.,;]|$|from\s+\d))"
    r"|\b(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:(?:equity|economic|direct|indirect|"
    r"minority|majority|strategic|controlling|new)\s+)?(?:stake|interest|holding|shareholding|"
    r"block)\b"
    r"|\b(?P<pct4>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+of\s+(?P<own>its|their|the company['’]s)\s+"
    r"(?:(?:issued|outstanding|enlarged|ordinary|common|voting)\s+)*(?:shares|stock|share capital|"
    r"equity)\b"
    r"|\bwith\s+(?:a\s+)?(?P<pct2>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\b",
    re.IGNORECASE,
)
_GIVE_VERB = re.compile(
    r"\b(?:gives?|giving|gave|hands?|handing|handed)\s+(?P<who>[^,;]{1,60}?)\s+(?:an?|the)\s+$",
    re.IGNORECASE,
)
_SELL_VERB = re.compile(
    r"\b(?:sell|sells|sold|selling|divest\w*|offload\w*|dispos\w+ of|transferr?\w*)\b",
    re.IGNORECASE,
)
_BUY_VERB = re.compile(
    r"\b(?:buy|buys|bought|buying|acquir\w+|acquisition of|purchas\w+|take|takes|took|taking|"
    r"taken|pick\w* up|snap\w* up|scoop\w* up|grab\w*|amass\w*|accumulat\w*|buil(?:t|ds?|ding) "
    r"up|obtain\w*|secur\w+|become|became|becomes|is now|are now|emerged as|"
    r"will own|now owns?|now holds?|raise[sd]?|lift(?:s|ed)?|increase[sd]?|escalat\w*|"
    r"bump\w*|boost\w*)\b",
    re.IGNORECASE,
)


_PARTNER_BEFORE = re.compile(
    r"\b(?:partners?|co-owners?|co-investors?|joint[- ]venture\s+partners?|"
    r"fellow\s+(?:shareholders?|owners?))\s+(?:[A-Z][\w&.-]*\s+){0,1}$"
    r"|\bout\s+(?:(?:its|their|the)\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
"""A holder named as the buyer's partner, or the one "bought out": it sells its share."""


def holding_events(s: Sent, ctx: Context) -> list[Event]:
    """A stated share ("a 10% stake", "with 5.1%") read with the verb of its clause: bought
    by the subject, sold by the subject to the party after "to", given to the party after
    "gives"; the company held is the one after "in" or "of", or a possessive."""
    out: list[Event] = []
    money = _money(s)
    for m in _PCT_HOLDING.finditer(s.text):
        if m.group("pct3") and not re.search(
            r"\b(?:stake|holding|shareholding|interest)\b",
            s.text[max(0, m.start() - 60) : m.start()],
        ):
            continue  # "to 64 percent" only after "its stake (in X) from …"
        pct = float(m.group("pct") or m.group("pct2") or m.group("pct3") or m.group("pct4"))
        lo = max(0, s.text.rfind(";", 0, m.start()) + 1)
        before = s.text[lo : m.start()]
        give = _GIVE_VERB.search(before)
        sell = _last(_SELL_VERB, before)
        buy = _last(_BUY_VERB, before)
        verb = sell if sell is not None and (buy is None or sell.start() > buy.start()) else buy
        if verb is None and give is None:
            continue
        trig = lo + (verb.start() if verb is not None else len(before))
        if _blocked(s, trig, allow_plans=True):
            continue
        subj, by_ref = _subject(s, trig, ctx)
        after_in = _org_after_prep(s, m.end(), "in|of")
        acquirer: Mention | None
        target: Mention | None
        if give is not None:
            # "The deal gives X a 20% stake in Y"
            acquirer = _org_at(s, lo + give.start("who"), 0)
            target = after_in
        elif verb is sell:
            target = after_in or subj
            if after_in is not None and re.match(
                r"\s+(?:in|of)\s+(?:its|their)\s", s.text[m.end() :]
            ):
                target = subj
            to = re.compile(r"\s+(?:[\w$.,-]+\s+){0,8}?to\s+").match(s.text, m.end())
            acquirer = _org_at(s, to.end(), 2) if to else None
        else:
            acquirer = subj
            target = after_in
            if target is None or (acquirer is not None and _same(target, acquirer)):
                poss = [
                    o
                    for o in s.orgs()
                    if o.start > trig
                    and o.end < m.start()
                    and re.match(r"['’]s?\s", s.text[o.end :])
                    # "bought out its partner Y's 30% stake": the partner sells its share of
                    # a venture the clause does not name; Y is not what is bought into
                    and not _PARTNER_BEFORE.search(s.text[trig : o.start])
                ]
                target = poss[-1] if poss else None
        if target is None and acquirer is not None and m.group("pct3"):
            # "raised its holding in X to 19.9%": the company named before the new share
            held = _last(
                re.compile(r"\b(?:its|their)\s+(?:stake|holding|interest|shareholding)\s+in\s+"),
                before,
            )
            target = _org_at(s, lo + held.end(), 3) if held is not None else None
        if (
            target is None
            and acquirer is not None
            and (
                m.group("own")
                or re.search(r"\bits\s+(?:[\w-]+\s+){0,2}(?:share|stock)holder\b", before)
            )
        ):
            # "X said Y had bought 8.2 percent of its stock", "X said Y will become its largest
            # shareholder with 15%": the stock is the reporter's, not the buyer's own
            target = _reporter(s, acquirer)
        if target is None and acquirer is not None:
            # "Korea Zinc, as the major shareholder of KEMCO, will escalate its stake …"
            sh = re.search(r"\b(?:share|stock)holder\s+(?:of|in)\s+", s.text)
            target = _org_at(s, sh.end(), 1) if sh else None
            if target is None:
                # "Trafigura, as a new shareholder, secures a 12.9 percent stake": the company
                # the stake just before was in
                prev = next(
                    (
                        e
                        for e in reversed(ctx.events)
                        if e.type == "stake_acquisition" and s.index - e.sentence_index <= 2
                    ),
                    None,
                )
                if prev is not None and not _same(prev.links["target"], acquirer):
                    target, by_ref = prev.links["target"], True
        amt = next((x for x in money if x.start > m.end()), None) if money else None
        ev = _stake(s, ctx, acquirer, target, trig, by_ref, amount=amt, percent=pct)
        if ev:
            out.append(ev)
    return out


_PAID_FOR = re.compile(
    r"\b(?:paid|pays|paying|pay|spent|spends|spend|shelled out|forked out)\s+"
    r"(?:about\s+|around\s+|nearly\s+|some\s+|a\s+total\s+of\s+)?"
    + r"(?P<money>\S{0,6}[\d.,]+[^,;]{0,24}?)"
    r"\s+(?:for|to (?:buy|acquire|purchase|take over))\s+",
    re.IGNORECASE,
)
"""A company bought for a sum ("X paid $180 million for Y", "spent A$400 million to acquire
Y"): a stake (whole, unless a share is stated)."""


def paid_for_events(s: Sent, ctx: Context) -> list[Event]:
    out: list[Event] = []
    money = _money(s)
    if not money:
        return out
    for m in _PAID_FOR.finditer(s.text):
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        target = _org_at(s, m.end(), 0)
        if target is None or target.kind != "company":
            continue
        if re.match(
            r"\s*(?:['’]s?\s+)?(?:[\w-]+\s+){0,3}(?:assets?|project|mine|plant|stake|"
            r"shares|products?|output|concentrate|cargo|shipments?)\b",
            s.text[target.end :],
        ):
            continue  # "paid $N for X's mine": an asset, not the company
        acquirer, by_ref = _subject(s, m.start(), ctx)
        ev = _stake(s, ctx, acquirer, target, m.start(), by_ref, amount=amt)
        if ev:
            out.append(ev)
    return out


_IMPORT_FROM = re.compile(
    r"\b(?:(?:started|starts|began|begins|begun|commenced)\s+)?"
    r"(?:import(?:ed|s|ing)?|sourc(?:ed|es|ing)|procur(?:ed|es|ing)|receiv(?:ed|es|ing))\s+"
    r"(?P<what>[^;.]{0,80}?)\s+from\s+",
    re.IGNORECASE,
)
"""Imports read from the buyer's side ("X has started importing rare earths from Y"): Y
sells to X."""


def import_events(s: Sent, ctx: Context) -> list[Event]:
    out: list[Event] = []
    for m in _IMPORT_FROM.finditer(s.text):
        lo, hi = m.span("what")
        if not any(x.kind == "material" and lo <= x.start < hi for x in s.mentions):
            continue
        if not m.group(0).lower().startswith(
            ("start", "began", "begin", "commenc")
        ) and not re.search(r"\bfirst\b", m.group("what")):
            continue  # a trade flow ("imported 5,000 t from X last year") is no new deal
        if _blocked(s, m.start()):
            continue
        supplier = _org_at(s, m.end(), 1)
        if supplier is None or supplier.kind != "company":
            continue
        buyer, by_ref = _subject(s, m.start(), ctx)
        if buyer is None or buyer.kind != "company":
            continue
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), by_ref, m.start("what"))
        if ev:
            out.append(ev)
    return out


def _org_after_prep(s: Sent, pos: int, preps: str) -> Mention | None:
    p = re.compile(r"\s+(?:[\w-]+\s+){0,3}?(?i:" + preps + r")\s+").match(s.text, pos)
    # "a 5.3% stake in US-based rare earths producer MP Materials": descriptors before the name
    return _org_at(s, p.end(), 5) if p else None


# --------------------------------------------------------------------------- investment
_PUT_INTO = re.compile(
    r"\b(?:invest(?:s|ed|ing)?|inject(?:s|ed|ing)?|put(?:s|ting)?|pour(?:s|ed|ing)?|"
    r"plough(?:s|ed|ing)?|plow(?:s|ed|ing)?|sink(?:s|ing)?|sank)\s+"
    r"(?:a\s+total\s+of\s+|up\s+to\s+|about\s+|around\s+|nearly\s+|another\s+|"
    r"a\s+further\s+|an\s+additional\s+)?(?P<money>\S{0,6}[\d.,]+[^,;]{0,40}?)\s+"
    r"(?:in|into)\s+",
    re.IGNORECASE,
)
_MONEY_AT = (
    r"(?P<money>(?:US|A|C|HK|NZ|S)?[$€£¥][^,;]{0,24}?|"
    r"(?:[A-Z]{3}\s)?[A-Z]{0,3}[\d.,]+\s*(?:million|billion|bn|mn|m)\b[^,;]{0,12}?)"
)
_COMMIT_TO = re.compile(
    r"\b(?:commit(?:s|ted|ting)?|pledg(?:e|es|ed|ing)|contribut(?:e|es|ed|ing))\s+"
    r"(?:up\s+to\s+|about\s+|around\s+|nearly\s+|another\s+|a\s+further\s+|"
    r"an\s+additional\s+)?" + _MONEY_AT + r"\s+(?:(?:in\s+equity\s+)?(?:to|towards)|"
    # "contributed an additional USD 9 million in the equity of X"
    r"(?:in|into)\s+the\s+(?:share\s+)?(?:equity|capital)\s+of)\s+",
    re.IGNORECASE,
)
"""Money committed to a company or its project ("committed US$50 million to X's project"),
or contributed to its equity ("contributed $9 million in the equity of X")."""
_LED_ROUND = re.compile(
    r"\b(?:led|leads|leading|co-led|anchored|anchors|headed|cornerstoned)\s+(?:an?\s+|the\s+)?"
    + _MONEY_AT
    + r"\s+(?:[\w-]+\s+){0,2}?(?:funding|financing|investment|equity|capital|fundraising|"
    r"placement|raise|raising)(?:\s+(?:round|raise|raising))?\s+(?:in|for|into|by)\s+",
    re.IGNORECASE,
)
"""An investor leading a round ("led a $60 million funding round in X")."""
_INVESTMENT_BY = re.compile(
    _MONEY_AT + r"\s+(?:[\w-]+\s+){0,2}?(?:investment|equity injection|capital injection)\s+"
    r"(?:by|from)\s+",
    re.IGNORECASE,
)
"""An investment named by its investor ("announced a US$40 million investment by Y")."""
_EQUITY_INTO = re.compile(
    r"\b(?:provid\w*|invest\w*|inject\w*|commit\w*|put|puts)\s+(?:up\s+to\s+|about\s+|around\s+)?"
    + _MONEY_AT
    + r"\s+(?:of|in)\s+(?:new\s+)?(?:equity|equity\s+and\s+debt|debt\s+and\s+equity)"
    r"(?:\s+(?:financing|funding|investment|capital))?\s+(?:to|in|into|for)\s+",
    re.IGNORECASE,
)


_AND_MONEY_WITH = re.compile(
    r",?\s+and\s+(?:a\s+further\s+|another\s+)?(?:up\s+to\s+|about\s+|around\s+)?"
    r"(?P<money>(?:US|A|C|HK|NZ|S)?[$€£¥]\s?[\d.,]+(?:\s*(?:million|billion|bn|mn|m)\b)?|"
    r"(?:[A-Z]{3}\s?)?[\d.,]+\s*(?:million|billion|bn|mn)\b(?:\s+(?:U\.S\.\s+|US\s+|"
    r"Australian\s+|Canadian\s+)?(?:dollars|euros|yen|pounds))?)"
    r"(?:\s*\([^)]{1,30}\))?\s+(?:with|to)\s+(?:the\s+)?(?=[A-Z])",
    re.IGNORECASE,
)
"""A second sum and party coordinated with a deal's first (", and up to $16 million with Y")."""


def _coordinated_subjects(s: Sent, pos: int, ctx: Context) -> list[Mention]:
    """The subjects of the clause before ``pos``, coordinated ("X (XA) and Y said they …")."""
    said = _REPORTED.search(s.text, 0, pos)
    end = said.start() if said is not None and "they" in s.text[said.end() : pos].lower() else pos
    orgs = [o for o in s.companies() if o.end <= end]
    if not orgs:
        subj, _ = _subject(s, pos, ctx)
        return [subj] if subj is not None else []
    group = [orgs[-1]]
    for o in reversed(orgs[:-1]):
        if re.fullmatch(
            r"\s*(?:\([^)]{1,20}\))?\s*(?:,|and|, and|&)\s*", s.text[o.end : group[0].start]
        ):
            group.insert(0, o)
        else:
            break
    tail = re.match(
        # the last known name may be an acronym in parentheses: "… (JOGMEC) and Iwatani"
        r"\)?\s*(?:\([^)]{1,20}\))?\s*(?:,\s*)?and\s+(?=[A-Z])",
        s.text[group[-1].end : end],
    )
    if tail is not None:
        # "… (JOGMEC) and Iwatani said": a new name after the last known one
        other = _name_at(s, group[-1].end + tail.end())
        if other is not None and other.end <= end and not any(_same(other, g) for g in group):
            group.append(other)
    return group


_BACKED = re.compile(r"\b(?:backed|backs|bankrolled|bankrolls|funded|funds)\s+", re.IGNORECASE)
_ASSET = re.compile(
    r"(?:the|its|their)\s+(?:[\w-]+\s+){0,2}(?:project|mine|company|plant|refinery|facility|"
    r"operations?|deposit|development)\b"
)


_ROUND_LED_BY = re.compile(
    r"\b(?:round|raise|raising|financing|funding)\b[^.;]{0,60}?\bled\s+by\s+(?P<led>)",
    re.IGNORECASE,
)


_ROUND_NAME = re.compile(r"Series\s+[A-Z]\b|Seed\b|Pre-", re.IGNORECASE)
_BACKER_SPLIT = re.compile(
    r"(?:,?\s*(?:and|with participation (?:from|of)|alongside|as well as|with)\s+|,\s*)?"
    r"(?:existing\s+investors?\s+|investors?\s+)?(?P<name>(?=[A-Z]))[^,;.]*?"
    r"(?=,|;|\.|\s+and\s|\s+with\s|\s+alongside\s|\s+as well as\s|$)"
)


def investment_events(s: Sent, ctx: Context) -> list[Event]:
    """Money put into a company or its project by an investor the base reading misses: a
    government named as such, a target named as "the project"."""
    money = _money(s)
    if not money:
        return []
    out: list[Event] = []
    for m in _PUT_INTO.finditer(s.text):
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        investor, by_ref = _subject(s, m.start(), ctx)
        target = _org_at(s, m.end(), 3)
        if target is None and _ASSET.match(s.text, m.end()):
            # "into the project": the company whose project the story is about
            target = _main_company(ctx, [investor] if investor else [])
            by_ref = True
        ev = _investment(s, ctx, investor, target, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    for pat in (_COMMIT_TO, _LED_ROUND):
        for m in pat.finditer(s.text):
            # "committed US$50 million to X's project", "led a $60 million round in X"
            amt = _money_near(money, m.start("money"), m.end("money"))
            if amt is None or _blocked(s, m.start(), allow_plans=True):
                continue
            if _LOAN.search(s.text[amt.end : m.end()]):
                continue
            investor, by_ref = _subject(s, m.start(), ctx)
            target = _org_at(s, m.end(), 3)
            ev = _investment(s, ctx, investor, target, amt, m.start(), by_ref)
            if ev:
                out.append(ev)
    for m in _INVESTMENT_BY.finditer(s.text):
        # "X announced a US$40 million investment by Y"
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        investor = _org_at(s, m.end(), 2)
        target, by_ref = _subject(s, m.start(), ctx)
        into = re.match(r"\s+(?:in|into)\s+", s.text[investor.end :]) if investor else None
        if investor is not None and into:
            target, by_ref = _org_at(s, investor.end + into.end(), 2), False
        ev = _investment(s, ctx, investor, target, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    for m in _EQUITY_INTO.finditer(s.text):
        # "X and Y said they would provide up to €110 million in equity and debt financing to Z"
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        target = _org_at(s, m.end(), 2)
        investors = _coordinated_subjects(s, m.start(), ctx)
        for investor in investors:
            ev = _investment(s, ctx, investor, target, amt, m.start(), False)
            if ev and len(investors) > 1:
                # a sum shared by several investors is given to none (as for joint quantities)
                ev = ev.with_fields({**ev.fields, "amount": None, "currency": None})
            if ev:
                out.append(ev)
    for m in _ROUND_LED_BY.finditer(s.text):
        # "X closed a $60 million Series B round, led by Y with participation from Z and W":
        # each named backer invested in X (the round's sum is shared, so given to none)
        if _blocked(s, m.start(), allow_plans=True):
            continue
        target = next(
            (
                o
                for o in s.orgs()
                if o.end <= m.start() and o.kind == "company" and not _ROUND_NAME.match(o.text)
            ),
            None,
        )
        by_ref = False
        if target is None:
            # the new company that opens the sentence ("Ossory Chem closed a … round")
            target = _name_at(s, 0)
        if target is None or _ROUND_NAME.match(target.text) or target.end > m.start():
            target, by_ref = _subject(s, m.start(), ctx)
        if target is not None and _ROUND_NAME.match(target.text):
            continue
        backers: list[Mention] = []
        # the backers: names listed after "led by" ("Y with participation from Z and W")
        at = m.end("led")
        while (piece := _BACKER_SPLIT.match(s.text, at)) is not None and piece.end() > at:
            at = piece.end()
            name = _name_at(s, piece.start("name"))
            if name is None or (target is not None and _same(name, target)):
                continue
            backers.append(name)
        for investor in backers:
            ev = _investment(s, ctx, investor, target, money[0], m.start(), by_ref)
            if ev is not None:
                out.append(ev.with_fields({**ev.fields, "amount": None, "currency": None}))
    for m in _BACKED.finditer(s.text):
        # "X backed Y with $25 million"
        target = _org_at(s, m.end(), 2)
        if target is None or _blocked(s, m.start(), allow_plans=True):
            continue
        w = re.match(r"\s+with\s+(?:a\s+|an\s+)?", s.text[target.end :])
        amt = _money_near(money, target.end, target.end + 30) if w else None
        if amt is None:
            continue
        investor, by_ref = _subject(s, m.start(), ctx)
        ev = _investment(s, ctx, investor, target, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    return out


_RAISE = re.compile(
    r"\b(?:(?:equity|capital|share)\s+rais(?:e|ing)|placements?|share\s+(?:sale|offer(?:ing)?|"
    r"issue)|rights\s+issue|entitlement\s+offer|fund-?raising|equity\s+offering)\b",
    re.IGNORECASE,
)
_INVEST_IN_RAISE = re.compile(
    # "with its largest shareholder, X, committing to invest": X in an absolute phrase
    r"(?:(?<=,\s)(?P<with>(?-i:[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})),?\s+"
    r"(?:committing|agreeing|pledging)\s+to\s+)?"
    r"\b(?:invest|inject|contribute|subscribe\s+for|take\s+up)\s+"
    r"(?:up\s+to\s+|about\s+|around\s+|nearly\s+|some\s+|another\s+|a\s+further\s+)?" + _MONEY_AT,
    re.IGNORECASE,
)
_REPORTER_END = re.compile(
    r",\s+(?:the\s+)?(?P<rep>[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})\s+"
    r"(?:said|says|added|adds|announced|confirmed|noted)\.?\s*$"
)


def raise_investment_events(s: Sent, ctx: Context) -> list[Event]:
    """Money an investor puts into a company's equity raise, the company not named after the
    verb ("…, with its largest shareholder, X, committing to invest A$50 million"; "Y is set
    to invest up to $40 million as part of the equity raise, Z added"): the raising company
    is the one that reports the raise or the subject of the sentence."""
    out: list[Event] = []
    if not _RAISE.search(s.text):
        return out
    money = _money(s)
    for m in _INVEST_IN_RAISE.finditer(s.text):
        amt = _money_near(money, m.start("money"), m.end("money"))
        if amt is None or _blocked(s, m.start(), allow_plans=True):
            continue
        after = s.text[amt.end : amt.end + 50]
        if re.match(r"\s+(?:in|into)\s+(?!the\s+(?:\w+\s+)?(?:rais|placement|offer|issue))", after):
            continue  # "invest $5 million in X": the families above
        investor: Mention | None
        if m.group("with"):
            investor = _org_at(s, m.start("with"), 0)
        else:
            investor, _ = _subject(s, m.start(), ctx)
        if investor is None:
            continue
        rep = _REPORTER_END.search(s.text)
        target = _org_at(s, rep.start("rep"), 0) if rep else None
        by_ref = False
        if target is None or _same(target, investor):
            said = _REPORTED.search(s.text)
            subj, by_ref = _subject(s, said.start(), ctx) if said else (None, False)
            target = subj
        if target is None or _same(target, investor):
            target, by_ref = _main_company(ctx, [investor]), True
        ev = _investment(s, ctx, investor, target, amt, m.start(), by_ref)
        if ev:
            out.append(ev)
    return out


def _investment(
    s: Sent,
    ctx: Context,
    investor: Mention | None,
    target: Mention | None,
    amt: Money,
    trig: int,
    by_ref: bool,
) -> Event | None:
    if investor is None or target is None or _same(investor, target):
        return None
    if investor.kind == "person" or target.kind in ("person", "country"):
        return None
    mat = _material(s, amt.end)
    fields: dict[str, Any] = {
        "investor": _value(investor),
        "target": _value(target),
        "amount": amt.amount,
        "currency": amt.currency,
        "material": mat.id if mat else None,
        "date": _classify_dates(s, ctx, trig).get("date"),
    }
    return _make(
        s, "investment", fields, {"investor": investor, "target": target}, by_reference=by_ref
    )


# --------------------------------------------------------------------------- supply
_ALSO_TAKING = re.compile(
    r",?\s+with\s+(?P<who>[^,;]{2,80}?)\s+(?:also\s+)?(?:taking|buying|receiving|purchasing|"
    r"offtaking|getting)\s+(?:an?\s+|the\s+)?(?:additional\s+|further\s+|another\s+|"
    r"remaining\s+)?",
    re.IGNORECASE,
)
_CONTRACT_WITH = re.compile(
    r"\b(?P<verb>secured|secures|won|wins|signed|signs|landed|lands|inked|inks|"
    r"(?:was|has been|were|have been)\s+awarded|received|receives|entered into)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w$.,-]+\s+){0,5}?(?:contract|order|tender)s?\s+"
    r"(?:with|from|by)\s+",
    re.IGNORECASE,
)
_AWARD_CONTRACT = re.compile(r"\b(?:awarded|awards|granted|grants|gave|gives)\s+", re.IGNORECASE)
_CONTRACT_TO_BY = re.compile(r"\bcontracts?\s+(?:was\s+|were\s+)?awarded\s+to\s+", re.IGNORECASE)
_SUPPLY_WORD = re.compile(
    r"\b(?:supply|supplies|deliver\w*|sale|sell|provide|provision|ingots?|concentrate|"
    r"oxide|metal|tonnes?|t/yr)\b",
    re.IGNORECASE,
)
_WORKS = re.compile(
    r"\bto\s+(?:build|construct|develop|design|engineer|operate|run|explore|drill|mine|"
    r"study|expand|upgrade|maintain|manage|transport|haul)\b|\bfor\s+the\s+(?:construction|"
    r"design|engineering|development|expansion|operation|exploration|study)\b",
    re.IGNORECASE,
)
_PARTNERS = re.compile(
    r"\b(?:sold|committed|contracted|allocated|pledged|promised)\s+to\s+(?:its\s+|our\s+|"
    r"their\s+)?(?:offtake\s+|long-term\s+|foundation\s+|key\s+)?(?:partners|customers|buyers|"
    r"offtakers)\s*,?\s+(?:including|such as|namely|among them)\s+",
    re.IGNORECASE,
)


def _listed_orgs(s: Sent, pos: int, limit: int = 160) -> list[Mention]:
    """Organisations listed from ``pos`` ("X, Y and Z"), linked or new."""
    out: list[Mention] = []
    at = pos
    while at < min(len(s.text), pos + limit):
        o = _org_at(s, at, 0)
        if o is None:
            break
        out.append(o)
        sep = re.match(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", s.text[o.end :])
        if sep is None:
            break
        at = o.end + sep.end()
    return out


def _offtake(
    s: Sent,
    ctx: Context,
    supplier: Mention | None,
    buyer: Mention | None,
    trig: int,
    by_ref: bool,
    **extra: Any,
) -> Event | None:
    if supplier is None or buyer is None or _same(supplier, buyer):
        return None
    if supplier.kind == "person" or buyer.kind == "person":
        return None
    mat = _material(s, trig) or ctx.last_material
    money = _money(s)
    fields: dict[str, Any] = {
        "supplier": _value(supplier),
        "buyer": _value(buyer),
        "material": mat.id if mat else None,
        "term": _term(s.text),
        "amount": money[0].amount if money else None,
        "currency": money[0].currency if money else None,
        "date": _classify_dates(s, ctx, trig).get("date"),
        **extra,
    }
    return _make(s, "offtake", fields, {"supplier": supplier, "buyer": buyer}, by_reference=by_ref)


_SHARE_WORDS = (
    r"(?:about\s+|around\s+|roughly\s+|some\s+|nearly\s+|up\s+to\s+)?(?:all|most|part|much|"
    r"the\s+(?:whole|entire|bulk|rest)|one-(?:quarter|third|half)|a\s+(?:quarter|third|half)|"
    r"half|\d+(?:\.\d+)?\s?(?:%|per ?cent))"
)
_OUTPUT_WORDS = (
    r"(?:[\w'’-]+\s+){0,3}?(?:output|production|concentrates?|product|volumes?|tonnage|"
    r"supply)"
)
_OUTPUT_SOLD = re.compile(
    r"\b(?:agreed|agrees|signed\s+up|committed|commits|contracted)\s+to\s+sell\s+"
    + _SHARE_WORDS
    + r"\s+of\s+(?:its|their|the)\s+"
    + _OUTPUT_WORDS
    + r"\s+to\s+"
    r"|\b(?:placed|places|pre-?sold|presold)\s+"
    + _SHARE_WORDS
    + r"\s+of\s+(?:its\s+|their\s+|the\s+)?(?:future\s+|planned\s+|first\s+)?"
    + _OUTPUT_WORDS
    + r"\s+with\s+",
    re.IGNORECASE,
)
"""Output sold ahead, told as a share of it ("has agreed to sell all of its output to Y",
"has placed about one-quarter of future output with Y", "placed 40% of its planned
concentrate with Y"): Y buys from the subject."""


_GOODS_SOLD = re.compile(
    r"\b(?:sold|sells)\s+(?P<goods>[^,;]{1,60}?)\s+to\s+(?=(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}[A-Z])"
)
_GOODS_NOUN = re.compile(
    r"\b(?:stockpiles?|cargo(?:es)?|parcels?|shipments?|batch(?:es)?|consignments?|"
    r"concentrates?|ore|tonnes|tons|spodumene|cathodes?|hydroxide|carbonate)\b",
    re.IGNORECASE,
)
_NOT_GOODS = re.compile(
    r"\b(?:stakes?|shares?|interests?|holdings?|mines?|projects?|assets?|business(?:es)?|units?|"
    r"compan(?:y|ies)|subsidiar(?:y|ies)|operations?|licen[cs]es?|rights?|royalt(?:y|ies)|"
    r"streams?|plants?|refiner(?:y|ies)|smelters?|bonds?|notes?)\b",
    re.IGNORECASE,
)
"""What a sale of goods is not: a sale of a company, an asset or a security."""


_RIGHTS_TO_OUTPUT = re.compile(
    r"\b(?:gives?|gave|giving|will\s+give|grants?|granted)\s+(?P<who>it|them|the\s+company|"
    r"[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3})\s+(?:[\w-]+\s+){0,2}?"
    # rights to output ("exclusive rights to the first stage of lithium production"), not a
    # right to act ("the right to mine ore")
    r"(?:rights?\s+to\s+(?:buy\s+|purchase\s+|take\s+)?(?!(?:mine|explore|develop|build|"
    r"operate|acquire|use|process|extract|drill|appoint|nominate|increase)\b)(?:up\s+to\s+)?"
    r"(?:\d+(?:\.\d+)?\s?(?:%|per ?cent)\s+of\s+)?(?:[\w'’-]+\s+){0,6}?(?:production|output)\b"
    # access to a share of it ("access to 25% of its ore"), not to a place ("the ore body")
    r"|access\s+to\s+(?:up\s+to\s+)?(?:\d+(?:\.\d+)?\s?(?:%|per ?cent)|all|half|part)\s+of\s+"
    r"(?:[\w'’-]+\s+){0,6}?(?:production|output|ore|concentrates?|volumes?)\b)"
    r"|\b(?:agreed|agrees|committed|commits|signed\s+up)\s+to\s+(?:take|buy|purchase)\s+"
    r"(?:up\s+to\s+)?\d+(?:\.\d+)?\s?(?:%|per ?cent)\s+of\s+(?:the\s+)?(?:[\w'’-]+\s+){0,5}?"
    r"(?:production|output)\b",
    re.IGNORECASE,
)
"""A buyer's rights to a share of output ("The partnership gives GM exclusive rights to the
first stage of production", "will give the company access to 25% of its ore", "has agreed to
take up to 38 per cent of the second phase of production"): a supply deal with the party the
buyer's last deal was with."""
_PARTNER_WITHIN = 6
"""How many sentences back the buyer's deal with the producer may be told."""


def _deal_partner(s: Sent, ctx: Context, buyer: Mention) -> Mention | None:
    """The other party of the buyer's last deal of the article (a stake, an investment, a
    supply deal), told at most :data:`_PARTNER_WITHIN` sentences before."""
    for e in reversed(ctx.events):
        if s.index - e.sentence_index > _PARTNER_WITHIN or e.type not in (
            "stake_acquisition",
            "investment",
            "offtake",
        ):
            continue
        parties = list(e.links.values())
        if any(_same(buyer, m) for m in parties):
            return next((m for m in parties if not _same(buyer, m)), None)
    return None


def rights_to_output_events(s: Sent, ctx: Context) -> list[Event]:
    out: list[Event] = []
    for m in _RIGHTS_TO_OUTPUT.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        who = m.group("who")
        buyer: Mention | None
        if who is None:
            buyer = _subject(s, m.start(), ctx)[0]
        elif who.lower() in ("it", "them", "the company"):
            buyer = referent(ctx) if ctx.last_orgs else None
        else:
            buyer = _org_at(s, m.start("who"), 0)
        if buyer is None:
            continue
        # (the supplier is told in an earlier sentence: the event is by reference)
        supplier = _deal_partner(s, ctx, buyer)
        ev = _offtake(s, ctx, supplier, buyer, m.start(), True)
        if ev and ev.fields.get("material") is not None:
            out.append(ev)
    return out


def output_sale_events(s: Sent, ctx: Context) -> list[Event]:
    out: list[Event] = [*rights_to_output_events(s, ctx)]
    for m in _GOODS_SOLD.finditer(s.text):
        # "Earlier this year, X sold a stockpile of ore to Y", "sold 12,000 tonnes of
        # concentrate to Y": a sale of goods, Y the buyer
        goods = m.group("goods")
        if not _GOODS_NOUN.search(goods) or _NOT_GOODS.search(goods) or _blocked(s, m.start()):
            continue
        supplier, by_ref = _subject(s, m.start(), ctx)
        buyer = _org_at(s, m.end(), 3)
        if buyer is None or buyer.kind == "country":
            continue
        ev = _offtake(s, ctx, supplier, buyer, m.start(), by_ref)
        if ev and ev.fields.get("material") is not None:
            out.append(ev)
    for m in _OUTPUT_SOLD.finditer(s.text):
        if _blocked(s, m.start(), allow_plans=True):
            continue
        supplier, by_ref = _subject(s, m.start(), ctx)
        buyer = _org_at(s, m.end(), 3)
        if buyer is None or buyer.kind == "country":
            continue
        ev = _offtake(s, ctx, supplier, buyer, m.start(), by_ref)
        if ev and ev.fields.get("material") is not None:
            out.append(ev)  # (output of a material the article names: no car plant's)
    return out


def supply_events(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """Supply deals in wordings the base reading misses."""
    out: list[Event] = [*output_sale_events(s, ctx)]
    if not _SUPPLY_CUE.search(s.text):
        return out
    qty = find_quantities(s.text)
    for m in _ALSO_TAKING.finditer(s.text):
        # "X agreed to buy 520 t/yr from Y, with Hyundai and Kia taking a further 1,500 t/yr"
        main = next((e for e in found if e.type == "offtake" and e.sentence_index == s.index), None)
        if main is None:
            continue
        who = [
            o
            for o in s.orgs()
            if m.start("who") <= o.start and o.end <= m.end("who") and o.kind == "company"
        ]
        if not who:
            who = _listed_orgs(s, _last_descriptor_end(s.text, m.start("who"), m.end("who")))
        q = next((x for x in qty if x.start >= m.end()), None)
        if len(who) > 1:
            q = None  # "Hyundai and Kia taking 1,500 t/yr": a joint quantity, not each's
        for b in who:
            ev = _offtake(
                s,
                ctx,
                main.links["supplier"],
                b,
                m.start(),
                False,
                quantity=q.value if q else None,
                unit=q.unit if q else None,
            )
            if ev:
                out.append(ev)
    for e in found:
        if e.type != "first_export":
            continue
        # "The first shipment will be sent to Umicore in Belgium": the buyer of the cargo
        for m in re.finditer(
            r"\b(?:sent|shipped|delivered|sold|dispatched|exported|bound|destined)\s+"
            r"(?:for\s+)?to\s+|\bbound\s+for\s+",
            s.text,
        ):
            dest = _org_at(s, m.end(), 2)
            if dest is not None and dest.kind == "company":
                ev = _offtake(s, ctx, e.links["exporter"], dest, m.start(), e.group.endswith("ref"))
                if ev:
                    out.append(ev)
                break
    for m in _PARTNERS.finditer(s.text):
        # "80% is sold to offtake partners, including Ganfeng Lithium and Sichuan Yahua"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        supplier, by_ref = _subject(s, m.start(), ctx)
        if supplier is None:
            supplier, by_ref = _main_company(ctx, []), True
        for b in _listed_orgs(s, m.end()):
            ev = _offtake(s, ctx, supplier, b, m.start(), by_ref)
            if ev:
                out.append(ev)
    if not _SUPPLY_WORD.search(s.text) and not s.materials():
        return out
    for m in _CONTRACT_WITH.finditer(s.text):
        # "X has secured a five-year contract with the Department of Defense … antimony"
        if _blocked(s, m.start(), allow_plans=True):
            continue
        window = s.text[m.end() : m.end() + 160]
        if not _SUPPLY_WORD.search(window) or _WORKS.search(window):
            continue  # a contract to build, explore or operate is no sale of goods
        supplier, by_ref = _subject(s, m.start(), ctx)
        buyer = _org_at(s, m.end(), 3) or _funder_after(s, m.end() - 5, "with|from|by", 2)
        ev = _offtake(s, ctx, supplier, buyer, m.start(), by_ref)
        if ev:
            out.append(ev)
    for m in _AWARD_CONTRACT.finditer(s.text):
        # "The agency awarded X a $245 million contract to supply antimony"
        rec = _org_at(s, m.end(), 0)
        if rec is None or not re.match(
            r"\s+(?:an?\s+)?(?:[\w$.,-]+\s+){0,5}?(?:contract|order)s?\b", s.text[rec.end :]
        ):
            continue
        if _blocked(s, m.start(), allow_plans=True) or _WORKS.search(s.text[rec.end :]):
            continue
        buyer, by_ref = _subject(s, m.start(), ctx)
        ev = _offtake(s, ctx, rec, buyer, m.start(), by_ref)
        if ev:
            out.append(ev)
    for m in _CONTRACT_TO_BY.finditer(s.text):
        # "the contract awarded to X by the Department of Defense for the supply of …"
        rec = _org_at(s, m.end(), 2)
        if rec is None:
            continue
        by = re.match(r"\s*(?:\([^)]{1,20}\)\s*)?by\s+", s.text[rec.end :])
        buyer = _org_at(s, rec.end + by.end(), 2) if by else None
        ev = _offtake(s, ctx, rec, buyer, m.start(), False)
        if ev:
            out.append(ev)
    return out


_SUPPLY_WITH = re.compile(
    r"\bto\s+(?:supply|provide|furnish)\s+"
    # "to supply U.S. car giant Ford with …": the buyer past its nationality and trade
    r"(?:(?-i:(?:U\.S\.|US|UK|EU|[A-Z][a-z]+(?:an|ese|ish|i))\s+)?(?:[a-z][\w-]*\s+){0,2}"
    r"(?:carmaker|automaker|maker|manufacturer|producer|company|firm|group|giant|supplier|"
    r"refiner|processor|trader|utility|customer)\s+)?(?-i:(?=[A-Z]))",
    re.IGNORECASE,
)
"""An agreement "to supply Y with N tonnes of graphite": the subject sells to Y."""
_AS_BUYER = re.compile(
    r"\b(?:secured|secures|signed|signs|signed up|landed|lands|added|adds|named|names|"
    r"appointed|appoints|selected|selects|chose|chosen)\s+(?=[A-Z])"
)
_BUYER_ROLE = re.compile(
    r"\s+as\s+(?:an?\s+|its\s+|the\s+)?(?:(?:new|first|second|key|major|anchor|foundation|"
    r"cornerstone|strategic|offtake|long-term|sole|exclusive|preferred)\s+)*"
    r"(?:customer|buyer|offtaker|offtake partner|purchaser)\b",
    re.IGNORECASE,
)
_SOLE_BUYER = re.compile(
    r"\b(?:will be|is|becomes|became|has become|is to be|was named)\s+(?:the|a|an)\s+"
    r"(?:(?:sole|exclusive|only|main|principal|anchor|foundation|cornerstone|first|largest|"
    r"biggest|key)\s+)+(?:customer|buyer|offtaker|purchaser)\s+(?:of|for)\s+",
    re.IGNORECASE,
)
"""The buyer named by its role: "Y will be the sole buyer of X's concentrate"."""


_BUY_NO_SELLER = re.compile(
    r"\b(?:will|would|is to|are to|agreed to|has agreed to|had agreed to|committed to)\s+"
    r"(?:buy|purchase|take|offtake|acquire)\s+(?=(?:up\s+to\s+|about\s+|around\s+)?[\d.,]+\s*"
    r"(?:tonnes|tons|t|kt|kilotonnes|mt|kg)\b)",
    re.IGNORECASE,
)
_THEY_DEAL = re.compile(
    r"^(?:They|The two (?:companies|firms|groups|partners)|Both (?:companies|firms))\s+"
    r"(?:have\s+|had\s+|also\s+|will\s+)*(?:signed|agreed|struck|inked|entered into|sign)\s+"
    r"[^.;]{0,60}?(?:off-?take|supply|purchase|sales?)\s+(?:agreement|contract|deal)s?\s+with\s+"
)
_WITH_DESCRIBED = re.compile(
    r"\b(?:off-?take|supply|sales?|purchase)\s+(?:agreement|deal|contract)s?\s+with\s+"
    r"(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,4}[a-z][\w-]*,\s+(?=[A-Z])"
)
_WILL_SEE = re.compile(
    r"\b(?:agreement|deal|contract|offtake|partnership)s?\s+(?:will|would)\s+see\s+",
    re.IGNORECASE,
)
_SUPPLY_VERB_AT = re.compile(
    r"\s+(?:supply|sell|deliver|provide|buy|purchase|take|receive)\b", re.IGNORECASE
)


_TO_THE_DESCRIBED = re.compile(
    r"\b(?:will|would|to|agreed\s+to|agrees\s+to)\s+(?:supply|sell|deliver|ship)\s+"
    r"[^;]{0,140}?\bto\s+the\s+(?P<dem>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+"
    r"(?:[a-z][\w-]*\s+){0,2}?(?:company|firm|group|maker|carmaker|automaker|manufacturer|"
    r"buyer|customer|giant|conglomerate|trading\s+house|producer|refiner)\b"
)
"""A buyer named by its nationality and trade ("will supply up to 150,000 tonnes a year of
spodumene concentrate to the South Korean company"): the sector company of that country the
story named last."""


def _described_buyer(
    s: Sent, ctx: Context, country: str, exclude: Mention | None
) -> Mention | None:
    """The company of ``country`` the story named last (its deals' parties, the last sentence
    that named one, this sentence), ``exclude`` aside."""
    seen = [*[m for e in ctx.events for m in e.links.values()], *ctx.last_orgs, *s.orgs()]
    for m in reversed(seen):
        if m.kind != "company" or (exclude is not None and _same(m, exclude)):
            continue
        if sector_country(m.value) == country or sector_country(m.text) == country:
            return m
    return None


def described_buyer_events(s: Sent, ctx: Context) -> list[Event]:
    """Supply deals whose buyer the sentence names only by nationality and trade."""
    out: list[Event] = []
    for m in _TO_THE_DESCRIBED.finditer(s.text):
        dem = next(
            (
                c
                for c in s.countries()
                if c.start == m.start("dem") and c.id is not None and c.end >= m.end("dem") - 1
            ),
            None,
        )
        if dem is None or dem.id is None or _blocked(s, m.start() + 2, allow_plans=True):
            continue
        supplier, _ = _subject(s, m.start(), ctx)
        buyer = _described_buyer(s, ctx, dem.id, supplier)
        if supplier is None or buyer is None:
            continue
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), True, m.start())
        if ev:
            out.append(ev)
    return out


def role_supply_events(s: Sent, ctx: Context) -> list[Event]:
    """Supply deals worded by the buyer's role rather than a verb of sale: "agreed to supply Y
    with …", "secured Y as a customer for its …", "Y will be the sole buyer of X's …"."""
    out: list[Event] = []
    if not (s.materials() or ctx.last_material):
        return out
    for m in _SUPPLY_WITH.finditer(s.text):
        buyer = _org_at(s, m.end(), 0)
        w = re.match(r"\s+with\b", s.text[buyer.end :]) if buyer is not None else None
        if buyer is None or w is None or _ABSTRACT_OBJECT.match(s.text, buyer.end + w.end()):
            continue  # "to supply Y with technical services": nothing sold
        # the hedge reaches "to" ("hopes to supply Y with …")
        if _blocked(s, m.start() + 3) or _NONBINDING.search(s.text[: m.start()]):
            continue
        supplier, by_ref = _subject(s, m.start(), ctx)
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), by_ref, buyer.end)
        if ev:
            out.append(ev)
    for m in _AS_BUYER.finditer(s.text):
        buyer = _org_at(s, m.end(), 0)
        if buyer is None or not _BUYER_ROLE.match(s.text, buyer.end):
            continue
        if _blocked(s, m.start()):
            continue
        supplier, by_ref = _subject(s, m.start(), ctx)
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), by_ref, buyer.end)
        if ev:
            out.append(ev)
    for m in _SHARE_OF_OUTPUT.finditer(s.text):
        # "Y is to buy 40% of X's graphite output": X sells to Y
        if not m.group("owner"):
            continue
        verb = re.search(
            r"\b(?:buy|buys|bought|buying|purchas\w+|take|takes|took|taking|receive|receives|"
            r"offtake|acquire|acquires|acquired)\s+(?:up\s+to\s+|about\s+|around\s+)?$",
            s.text[: m.start()],
            re.IGNORECASE,
        )
        if verb is None or _blocked(s, verb.start()):
            continue
        buyer, by_ref = _subject(s, verb.start(), ctx)
        supplier = _org_at(s, m.start("owner"), 0)
        ev = _supply_with_qty(s, ctx, supplier, buyer, verb.start(), by_ref, m.end())
        if ev:
            out.append(ev)
    for m in _BUY_NO_SELLER.finditer(s.text):
        # "X said Y would buy 30,000 tonnes of spodumene a year": the reporter sells
        if _blocked(s, m.start(), allow_plans=True):
            continue
        buyer, by_ref = _subject(s, m.start(), ctx)
        if buyer is None or any(o.start >= m.end() for o in s.companies()):
            continue
        supplier = _reporter(s, buyer)
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), by_ref, m.end())
        if ev:
            out.append(ev)
    for m in _WITH_DESCRIBED.finditer(s.text):
        # "an offtake agreement with US-based defence contractor, X (XC) and Israeli refiner, Y,
        # to supply tungsten": parties introduced by a descriptor and a comma
        if _blocked(s, m.start()):
            continue
        parties: list[Mention] = []
        at = m.end()
        while len(parties) < 4:
            p = _org_at(s, at, 0)
            if p is None:
                break
            parties.append(p)
            nxt = re.match(
                r"\s*(?:\([^)]{1,20}\))?\s*(?:,\s*)?and\s+(?:[\w-]+\s+){0,4}?(?:[\w-]+,\s+)?",
                s.text[p.end :],
            )
            if nxt is None:
                break
            at = p.end + nxt.end()
        if not parties:
            continue
        subj, by_ref = _subject(s, m.start(), ctx)
        buys = re.match(r"[^.;]{0,60}?\bto\s+(?:buy|purchase|procure|source|take)\b", s.text[at:])
        for p in parties:
            sup, buy = (p, subj) if buys else (subj, p)
            ev = _supply_with_qty(s, ctx, sup, buy, m.start(), by_ref, m.end())
            if ev:
                out.append(ev)
    they_deal = _THEY_DEAL.match(s.text)
    if they_deal is not None and not _blocked(s, they_deal.end()):
        # "They have also signed a long-term offtake contract with X to secure half its
        # output": the parties of the last sentence's deal
        other = _org_at(s, they_deal.end(), 2)
        way = re.match(
            r"[^.;]{0,60}?\bto\s+(?P<buy>secure|buy|take|purchase|procure|source|receive)?"
            r"(?P<sell>supply|sell|deliver|provide)?\b",
            s.text[other.end :] if other else "",
        )
        they = [
            x
            for e in ctx.events
            if e.sentence_index == ctx.last_event_index
            for x in e.links.values()
            if x.kind in ("company", "government") and (other is None or not _same(x, other))
        ]
        seen: list[Mention] = []
        for x in they:
            if not any(_same(x, y) for y in seen):
                seen.append(x)
        if other is not None and way is not None and (way.group("buy") or way.group("sell")):
            for x in seen:
                sup, buy = (other, x) if way.group("buy") else (x, other)
                ev = _supply_with_qty(s, ctx, sup, buy, they_deal.start(), True, they_deal.end())
                if ev:
                    out.append(ev)
    for m in _WILL_SEE.finditer(s.text):
        # "The agreement will see X supply 20,000 tonnes a year to Y"
        if _blocked(s, m.start()):
            continue
        first = _org_at(s, m.end(), 0)
        if first is None:
            continue
        verb = _SUPPLY_VERB_AT.match(s.text, first.end)
        if verb is None:
            continue
        prep = re.compile(r"[^;]{0,80}?\b(?:to|from|with)\s+").match(s.text, verb.end())
        second = _org_at(s, prep.end(), 2) if prep else None
        sells = verb.group(0).strip().lower().startswith(("supply", "sell", "deliver", "provide"))
        supplier, buyer = (first, second) if sells else (second, first)
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), False, first.end)
        if ev:
            out.append(ev)
    for m in _SOLE_BUYER.finditer(s.text):
        if _blocked(s, m.start()):
            continue
        buyer, by_ref = _subject(s, m.start(), ctx)
        supplier = _org_at(s, m.end(), 1)
        ev = _supply_with_qty(s, ctx, supplier, buyer, m.start(), by_ref, m.end())
        if ev:
            out.append(ev)
    return out


def _supply_with_qty(
    s: Sent,
    ctx: Context,
    supplier: Mention | None,
    buyer: Mention | None,
    trig: int,
    by_ref: bool,
    lo: int,
) -> Event | None:
    q = next((x for x in find_quantities(s.text) if x.start >= lo), None)
    return _offtake(
        s,
        ctx,
        supplier,
        buyer,
        trig,
        by_ref,
        quantity=q.value if q else None,
        unit=q.unit if q else None,
    )


_SHARE_OF_OUTPUT = re.compile(
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+of\s+(?:the\s+|its\s+|their\s+|"
    r"(?P<owner>[A-Z][\w.&'’ -]{1,60}?)['’]s?\s+)?(?P<np>(?:[\w-]+\s+){0,4}?)"
    r"(?:output|production|product|offtake|supply|volumes?|concentrate|"
    r"(?:that\s+|which\s+)?(?:is\s+|will be\s+)?(?:produced|mined|processed|refined)|from)\b",
    re.IGNORECASE,
)


_ASSET_NOUN = re.compile(
    r"\b(?:project|mine|deposit|operations?|assets?|venture|company|business|unit|"
    r"subsidiary|shares|stock|equity|interest|stake|licen[cs]e|tenement|claims?)\b",
    re.IGNORECASE,
)


def _share_of_output(s: Sent, pct: float | None) -> bool:
    """The sentence states ``pct`` as a share of a mine's or plant's output ("40% of X's
    graphite output", "100% of the nickel from its plant"): a supply deal, not a stake."""
    if pct is None:
        return False
    for m in _SHARE_OF_OUTPUT.finditer(s.text):
        if float(m.group("pct")) != pct:
            continue
        np_lo, np_hi = m.span("np")
        if _ASSET_NOUN.search(m.group("np")):
            continue  # "35% of the Tamba lithium project from X": a share of an asset
        if m.group(0).lower().endswith("from") and not any(
            x.kind == "material" and np_lo <= x.start < np_hi for x in s.mentions
        ):
            continue  # "35% of the shares from X": not output
        if any(o.start < np_hi and np_lo < o.end for o in s.orgs()):
            continue  # "35% of Delta Lithium's …" names the company in the phrase itself
        return True
    return False


def _last_descriptor_end(text: str, lo: int, hi: int) -> int:
    """Past descriptor words ("South Korean firms ") to the first capitalised name that
    follows a lower-case word, within ``[lo, hi)``."""
    m = None
    for m in re.finditer(r"\b[a-z][\w-]*\s+(?=[A-Z])", text[lo:hi]):  # noqa: B007
        pass
    return lo + m.end() if m else lo


# --------------------------------------------------------------------------- first cargo
_FIRST_WIDE = re.compile(
    r"\b(?:first|maiden|inaugural|debut)(?:[- ]ever)?\s+(?P<mid>(?:[\w,.-]+\s+){0,3}?)"
    r"(?:cargo(?:es)?|shipments?|consignments?|batch(?:es)?|parcels?|deliver(?:y|ies)|"
    r"exports?)\b",
    re.IGNORECASE,
)
_NOT_CARGO = re.compile(
    r"\b(?:quarter|half|year|month|week|time|phase|stage|round|tranche|day)s?\b", re.IGNORECASE
)
_MOVED = re.compile(
    r"\b(?:sail\w*|left|depart\w*|arriv\w*|reach\w*|ship\w*|export\w*|load\w*|sent|"
    r"deliver\w*|dispatch\w*|docked|landed)\b",
    re.IGNORECASE,
)


_FIRST_TONNES = re.compile(
    r"\b(?:first|maiden|initial|inaugural)\s+(?P<mid>[\d,.]+(?:\s*(?:million|thousand))?)\s*"
    r"(?:-|\s)?(?:tonnes?|tons?|t|kg|kilograms|wmt|dmt)\s+of\b",
    re.IGNORECASE,
)
"""A first cargo told by its size ("the first 5,000 tonnes of graphite from X arrived")."""
_EXPORTS_BEGAN = re.compile(
    r"\b(?:Shipments|Exports|Deliveries)\s+of\s+(?P<mid>[^.;]{0,120}?)\s+(?:have\s+|had\s+)?"
    r"(?:started|began|begun|commenced)\b(?!\s+to\s+(?:fall|slow|decline|drop|rise|recover))",
    re.IGNORECASE,
)
"""Exports that began ("Shipments of spodumene from X's mine to China started in March")."""


def first_cargo_events(s: Sent, ctx: Context) -> list[Event]:
    """A first cargo worded with the material or its size between "first" and the noun ("the
    first lithium shipment left …", "X's first 20,000-tonne cargo sailed"), its exporter
    named after "from" or as a possessive."""
    m = _FIRST_WIDE.search(s.text) or _FIRST_TONNES.search(s.text) or _EXPORTS_BEGAN.search(s.text)
    if m is None or not _MOVED.search(s.text) or _NOT_CARGO.search(m.group("mid")):
        return []
    mid_lo, mid_hi = m.span("mid")
    if (
        m.re is _FIRST_WIDE
        and m.group("mid").strip()
        and not (
            any(x.kind == "material" and mid_lo <= x.start < mid_hi for x in s.mentions)
            or re.search(r"\d", m.group("mid"))
            or re.fullmatch(
                r"(?:(?:commercial|export|bulk|direct|ore|concentrate)\s+)+", m.group("mid")
            )
        )
    ):
        return []
    if _blocked(s, m.start()):
        return []
    exporter, by_ref = _subject(s, m.start(), ctx)
    if exporter is None or exporter.kind == "person":
        # "Shipments of spodumene from X's mine … started": the source inside the subject
        at = m.start("mid") if m.re is _EXPORTS_BEGAN else m.end()
        src = re.compile(r"\s*(?:[\w-]+\s+){0,4}?from\s+").match(s.text, at)
        exporter = _org_at(s, src.end(), 2) if src else None
        by_ref = False
    if exporter is None:
        return []
    lo = m.start("mid") if m.re is _EXPORTS_BEGAN else m.end()
    dest = next(
        (
            c
            for c in s.countries()
            if c.start > lo
            and c.id not in (exporter.id, None)
            and re.search(r"\b(?:to|for|in|at|into)\s+(?:the\s+)?$", s.text[lo : c.start])
            and not re.search(r"\bfrom\s+(?:the\s+)?$", s.text[lo : c.start])
        ),
        None,
    )
    mat = _material(s) or ctx.last_material
    qty = find_quantities(s.text)
    fields: dict[str, Any] = {
        "exporter": _value(exporter),
        "material": mat.id if mat else None,
        "destination": dest.id if dest else None,
        "quantity": qty[0].value if qty else None,
        "unit": qty[0].unit if qty else None,
        "date": _classify_dates(s, ctx, m.start()).get("date"),
    }
    links = {"exporter": exporter, **({"destination": dest} if dest else {})}
    ev = _make(s, "first_export", fields, links, by_reference=by_ref)
    return [ev] if ev else []


# --------------------------------------------------------------------------- production start
_PRODUCTION_START = re.compile(
    r"\b(?:announc\w+|mark\w*|celebrat\w+|confirm\w*|report\w*|hail\w*|achiev\w+)\s+"
    r"(?:the\s+|its\s+)?(?:beginning|start|commencement|launch|onset)\s+of\s+(?:commercial\s+|"
    r"first\s+|full\s+)?(?:production|operations|mining|processing|output)\b",
    re.IGNORECASE,
)
"""A start of production told as a noun ("announced the beginning of production of copper
concentrate at its Kamoa-Kakula project")."""


def production_start_events(s: Sent, ctx: Context) -> list[Event]:
    m = _PRODUCTION_START.search(s.text)
    if m is None or _blocked(s, m.start()):
        return []
    company, by_ref = _subject(s, m.start(), ctx)
    if company is None or company.kind not in ("company", "government"):
        return []
    mat = _material(s, m.end()) or _material(s, 0) or ctx.last_material
    loc = _location(s, m.start())
    qty = find_quantities(s.text)
    fields: dict[str, Any] = {
        "company": _value(company),
        "action": "opening",
        "material": mat.id if mat else None,
        "stage": _stage(s, mat, ctx.catalog) if mat else None,
        "location": loc.id if loc else None,
        "capacity": qty[0].value if qty else None,
        "unit": qty[0].unit if qty else None,
        "date": event_day(s, ctx, m.start()),
    }
    links = {"company": company, **({"location": loc} if loc else {})}
    ev = _make(s, "facility", fields, links, by_reference=by_ref)
    return [ev] if ev else []


# --------------------------------------------------------------------------- refine
_MONEY_RECEIVED = re.compile(
    r"\b(?:received|receives|receiving|got|gets|won|wins|obtained|obtains|(?:was|were) given)\s+"
    r"(?:an?\s+)?(?:US|A|C)?[$€£¥]\s?[\d.,]+"
)
_NOT_GIFT = re.compile(
    r"\b(?:shares?|stock|equity|stake|warrants?|preferred|convertible|invest\w*|loans?|lend\w*|"
    r"debt|credit|bonds?|notes|financing|funding|contracts?|orders?|sales?|revenues?)\b",
    re.IGNORECASE,
)
"""Money a company received from a public body with no word of equity, debt or sale in its
sentence ("Last year the company received $20 million from the Department of Defense"): the
labels' grant (no share bought, nothing to repay)."""


_GRANT_OF = re.compile(r"\s+(?:\([A-Z]{2,6}\)\s+)?(?:grants?|awards?)\b")
"""A grant named with its funder before the noun ("a Defense Department grant")."""


def _named_funder(s: Sent, ctx: Context, g: Event) -> Event:
    """A grant whose funder only its programme names ("a grant under the Defense Production
    Act": the U.S. government) takes the public body the article named as the funder of a
    grant before ("… to fulfil its part of a Defense Department grant")."""
    gr = g.links.get("grantor")
    if (
        gr is None
        or gr.id != US_GOVERNMENT
        or ctx.grant_funder is None
        or not _PROGRAM.search(s.text)
        or any(_public(o) for o in s.orgs())
    ):
        return g
    return replace(
        g,
        fields=extracted_fields({**g.fields, "grantor": _value(ctx.grant_funder)}),
        links={**g.links, "grantor": ctx.grant_funder},
    )


def refine(s: Sent, ctx: Context, found: list[Event]) -> list[Event]:
    """The events of the sentence after the deal families: ``found`` (what the base
    extractors proposed) with funding worded as a loan or a grant retyped, stakes read
    against a passive "by X" corrected, and the families' events the base missed."""
    out = list(found)
    grants = grant_events(s, ctx) or gov_funding_events(s, ctx) or award_noun_events(s, ctx)
    grants = [_named_funder(s, ctx, g) for g in grants]
    named = [o for o in s.orgs() if _public(o) and _GRANT_OF.match(s.text, o.end)]
    if named:
        ctx.grant_funder = named[-1]
    loans = loan_events(s, ctx)
    extra: list[Event] = [*(loans or listed_loans(s, ctx)), *grants]
    if not grants and (
        (
            _PROGRAM.search(s.text)
            and not re.search(
                r"\b(?:shares?|stock|equity|stake|warrants?|preferred)\b", s.text, re.IGNORECASE
            )
        )
        or (_MONEY_RECEIVED.search(s.text) and not _NOT_GIFT.search(s.text))
    ):
        # "received a $12.5 million investment from the Department of Defense under the Defense
        # Production Act": public money under a grant programme, not equity
        for i, e in enumerate(out):
            if e.type == "investment" and _public(e.links.get("investor")):
                amt = Money(0, 0, e.fields.get("amount") or 0.0, e.fields.get("currency") or "")
                if not e.fields.get("amount"):
                    continue
                g = _grant(
                    s, ctx, e.links["investor"], e.links["target"], amt, 0, e.group.endswith("ref")
                )
                if g is not None:
                    out[i] = g
    if extra:
        # "secured a $300 million loan from X": not an investment of X's
        out = [
            e
            for e in out
            if not (
                e.type == "investment"
                and any(_overlap(e, x, ("investor", "target")) for x in extra)
            )
        ]
    stakes = stake_events(s, ctx)
    if not any(e.type == "stake_acquisition" for e in out):
        stakes += holding_events(s, ctx) + paid_for_events(s, ctx)
    for st in stakes:
        acq, tgt = st.links["acquirer"], st.links["target"]
        # the same deal read as an investment ("buy $250 million of shares in X") or as a
        # stake with the roles the wrong way round ("a stake acquisition by X")
        out = [
            e
            for e in out
            if not (
                e.type == "investment"
                and _same(e.links["investor"], acq)
                and _same(e.links["target"], tgt)
            )
            and not (
                e.type == "stake_acquisition"
                and _STAKE_BY.search(s.text)
                and e.fields.get("percent") == st.fields.get("percent")
                and not _same(e.links["acquirer"], acq)
            )
        ]
        for i, e in enumerate(out):
            if (
                e.type == "stake_acquisition"
                and _same(e.links["acquirer"], acq)
                and _same(e.links["target"], tgt)
            ):
                # the base reading stands; the family adds the sum or share it missed
                add = {k: v for k, v in st.fields.items() if k not in e.fields}
                if add:
                    out[i] = e.with_fields({**e.fields, **add})
                break
        else:
            extra.append(st)
    for inv in [*investment_events(s, ctx), *raise_investment_events(s, ctx)]:
        if not any(
            e.type in ("investment", "stake_acquisition", "loan", "grant")
            and any(_same(m, inv.links["investor"]) for m in e.links.values())
            for e in [*out, *extra]
        ):
            extra.append(inv)
    out = [
        e
        for e in out
        if not (e.type == "stake_acquisition" and _share_of_output(s, e.fields.get("percent")))
    ]
    extra = [
        e
        for e in extra
        if not (e.type == "stake_acquisition" and _share_of_output(s, e.fields.get("percent")))
    ]
    for sup in [
        *supply_events(s, ctx, out),
        *shipment_buyer(s, ctx),
        *role_supply_events(s, ctx),
        *described_buyer_events(s, ctx),
        *import_events(s, ctx),
    ]:
        if not any(
            e.type == "offtake"
            and _same(e.links["supplier"], sup.links["supplier"])
            and _same(e.links["buyer"], sup.links["buyer"])
            for e in [*out, *extra]
        ):
            extra.append(sup)
    if not any(e.type == "first_export" for e in out):
        extra.extend(first_cargo_events(s, ctx))
    if not any(e.type == "facility" for e in out):
        extra.extend(production_start_events(s, ctx))
    out = [_no_possessive(_through_vehicle(s, _resolve_defined(s, ctx, e))) for e in out]
    extra = [_no_possessive(_through_vehicle(s, _resolve_defined(s, ctx, e))) for e in extra]
    before = ctx.prev.text if ctx.prev is not None and ctx.prev.index == s.index - 1 else ""
    if (_UNBOUND.search(s.text) and not _BINDING.search(s.text)) or (
        _THAT_DEAL.match(s.text)
        and _NOT_YET.search(before)
        and not _BINDING.search(before)
        and not _BINDING.search(s.text)
    ):
        # "signed a nonbinding indicative offtake term sheet": no deal yet; nor is what "The
        # agreement will see …" in the next sentence tells of it
        out = [e for e in out if e.type not in _DEALS]
        extra = [e for e in extra if e.type not in _DEALS]
    out = [_company_bought(s, ctx, _public_lends(e)) for e in out]
    extra = [_company_bought(s, ctx, _public_lends(e)) for e in extra]
    out = _one_sale([_sale_contract(s, ctx, e) for e in out])
    extra = _one_sale([_sale_contract(s, ctx, e) for e in [*out, *extra]])[len(out) :]
    prev = ctx.prev.text if ctx.prev is not None else None
    out = [e for e in out if not not_done(s, e, prev)]
    extra = [e for e in extra if not not_done(s, e, prev)]
    if _TOLL.search(s.text):
        # "will ship the concentrate to Y for conversion to powder": processing, not a sale
        out = [e for e in out if e.type != "offtake"]
        extra = [e for e in extra if e.type != "offtake"]
    have = {e.key() for e in out}
    for e in extra:
        if e.key() not in have:
            out.append(e)
            have.add(e.key())
    out = [
        e
        for e in out
        if not _resulting_holding(s, e) and not _superseded_plan(s, e) and not _preference(s, e)
    ]
    return [e for e in _investment_buying_a_stake(s, out) if not _background_clause(s, e)]


_PREFER = re.compile(
    r"\b(?:prefer(?:s|red)?|would\s+rather|tend(?:s|ed)?|are\s+likely|is\s+likely)\s+to\s+"
    r"(?:\w+\s+)?(?:buy|source|purchase|take|procure)\b",
    re.IGNORECASE,
)
"""A buyer's taste ("purchasers will increasingly prefer to buy from sources with Western
credentials"): no supply deal."""


def _preference(s: Sent, e: Event) -> bool:
    if e.type != "offtake":
        return False
    return any(
        any(m.start >= p.start() for m in e.links.values()) for p in _PREFER.finditer(s.text)
    )


_RESULTING = re.compile(
    r"\b(?:giving|leaving|handing|which\s+(?:gives|leaves|will\s+give|will\s+leave))\s+"
    r"(?P<who>(?:the\s+)?[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*){0,3}|the\s+(?:state|government))\s+"
    r"(?:with\s+)?(?:a|an)\s+"
    r"(?:[\w-]+\s+)?(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+(?:[\w-]+\s+)?"
    r"(?:stake|interest|holding|shareholding|share)\b"
)
"""What a deal leaves another party with ("…, giving Codelco a 51% stake", "leaving the
state with a 30% interest"): that party's holding after the deal, no share the buyer buys."""


def _resulting_holding(s: Sent, e: Event) -> bool:
    """A stake whose percentage is the one a participle gives to another party."""
    if e.type != "stake_acquisition" or e.fields.get("percent") is None:
        return False
    acquirer = e.links.get("acquirer")
    for r in _RESULTING.finditer(s.text):
        if float(r.group("pct")) != e.fields.get("percent"):
            continue
        who = re.sub(r"^(?i:the)\s+", "", r.group("who"))
        if acquirer is None or name_key(who) != name_key(acquirer.text):
            return True
    return False


_SUPERSEDED_PLAN = re.compile(
    r"\b(?:(?:original|earlier|previous|initial|former|old|abandoned|scrapped|shelved|"
    r"cancel+ed)\s+(?:plans?|proposals?|intentions?|offers?)|(?:replac|supersed|scrap|abandon|"
    r"drop|shelv|cancel|withdr[ae]w)\w*\s+(?:[\w'’]+\s+){0,3}?(?:plans?|proposals?|offers?))\s+"
    r"to\s+(?:invest|buy|acquire|take|purchase|lend|supply|sell)\b",
    re.IGNORECASE,
)
"""A deal planned once and given up or replaced ("replaces the company's original plans to
invest $330 million", "scrapped its earlier proposal to buy 20%"): no deal."""


def _superseded_plan(s: Sent, e: Event) -> bool:
    if e.type not in _DEALS:
        return False
    for p in _SUPERSEDED_PLAN.finditer(s.text):
        later = [m for m in e.links.values() if m.start >= p.end()]
        amount = e.fields.get("amount")
        near = [
            x
            for x in _money(s)
            if p.end() <= x.start <= p.end() + 30 and amount is not None and x.amount == amount
        ]
        if near or (amount is None and later):
            return True
    return False


_PAST_RELATIVE = re.compile(
    r",\s+(?:which|who)\s+(?:had\s+|has\s+|have\s+)?(?:already\s+|previously\s+|also\s+)?"
    r"(?:[a-z]+ed|won|got|took|bought|sold|lent|borrowed|raised|signed|struck|inked)\b"
    r"(?=[^;]*?\b(?:in\s+(?:19|20)\d\d|last\s+year|previously|earlier|in\s+the\s+past|"
    r"years?\s+ago)\b)[^;]*?,"
)
"""A relative clause telling an earlier deal of the party it follows ("X, which received $35
million from the Pentagon in 2022, said …"): background to the sentence, not its news."""


def _background_clause(s: Sent, e: Event) -> bool:
    """Whether ``e`` is a deal told only inside a relative clause of the past: each of its
    parties is named in the clause or is the party the clause follows."""
    if e.type not in _DEALS:
        return False
    for m in _PAST_RELATIVE.finditer(s.text):
        lo, hi = m.start(), m.end()
        parts = list(e.links.values())
        if (
            parts
            and all(
                (lo <= x.start and x.end <= hi)
                or re.fullmatch(r"\s*(?:\([^)]{1,20}\)\s*)?", s.text[x.end : lo]) is not None
                for x in parts
            )
            and any(lo <= x.start and x.end <= hi for x in parts)
        ):
            return True
    return False


def _public_lends(e: Event) -> Event:
    """A loan between a company and a public lender ("X signed a $20 million loan agreement
    with the Japan Bank for International Cooperation"): the public body lends, whichever of
    the two is the subject."""
    lender, borrower = e.links.get("lender"), e.links.get("borrower")
    if e.type != "loan" or lender is None or borrower is None:
        return e
    if _public(lender) or not _public(borrower):
        return e
    fields = {**e.fields, "lender": e.fields["borrower"], "borrower": e.fields["lender"]}
    return replace(
        e,
        fields=extracted_fields(fields),
        links={**e.links, "lender": borrower, "borrower": lender},
    )


_FOR_STAKE = re.compile(
    r"\b(?:for|in\s+(?:exchange|return)\s+for|giving\s+(?:it|them)|taking|to\s+take|"
    r"to\s+(?:acquire|purchase|buy)|securing)\s+(?:a|an)\s+"
    r"(?P<pct>\d+(?:\.\d+)?)\s?(?:%|per ?cent)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:stake|interest|holding|shareholding)\b",
    re.IGNORECASE,
)
"""The share an investment buys, told with it ("will invest US$45m in X for a 19.9% stake")."""


def _investment_buying_a_stake(s: Sent, out: list[Event]) -> list[Event]:
    """An investment whose own sentence states the stake it buys is that stake: its buyer,
    its company, the share and the sum (the labels' rule: money put in for shares is one
    stake event, not a separate investment)."""
    m = _FOR_STAKE.search(s.text)
    if m is None:
        return out
    stakes = [e for e in out if e.type == "stake_acquisition"]
    res: list[Event] = []
    for e in out:
        inv, tgt = e.links.get("investor"), e.links.get("target")
        if (
            e.type == "investment"
            and inv is not None
            and tgt is not None
            and m.start() >= inv.end
            and any(
                _same(st.links["acquirer"], inv) and _same(st.links["target"], tgt) for st in stakes
            )
        ):
            # "is investing KRW530 billion to purchase a 5% stake in X" read twice, as a
            # stake and as an investment: one deal, the stake
            continue
        if (
            e.type != "investment"
            or inv is None
            or tgt is None
            or m.start() < inv.end
            or any(_same(st.links["acquirer"], inv) for st in stakes)
        ):
            res.append(e)
            continue
        f = {
            "acquirer": e.fields["investor"],
            "target": e.fields["target"],
            "percent": float(m.group("pct")),
            "amount": e.fields.get("amount"),
            "currency": e.fields.get("currency"),
            "date": e.fields.get("date"),
        }
        res.append(
            replace(
                e,
                type="stake_acquisition",
                fields=extracted_fields({k: v for k, v in f.items() if v is not None}),
                links={"acquirer": inv, "target": tgt},
            )
        )
    return res


_DEALS = ("stake_acquisition", "investment", "offtake", "loan", "grant")
_UNBOUND = re.compile(
    r"\b(?:non-?binding|indicative|term sheets?|letters? of intent|heads of (?:agreement|terms)|"
    r"memorand(?:um|a) of understanding|MOUs?|LOIs?|letters? of interest|"
    # an offer is not yet a loan or grant: "a $120 million loan offer", "extended a financing
    # offer" (a lender's conditional commitment is: it states the lender's terms as decided)
    r"(?:loan|financing|funding|debt|credit) offers?|offer letters?)\b",
    re.IGNORECASE,
)
_THAT_DEAL = re.compile(
    r"^(?:Under\s+)?(?:The|This|That|Its)\s+(?:[\w-]+\s+){0,2}?(?:agreement|deal|arrangement|"
    r"pact|accord|term\s+sheet|memorandum|MOU)\b",
    re.IGNORECASE,
)
"""A sentence opening on the deal the sentence before told of ("The agreement will see …")."""
_NOT_YET = re.compile(
    r"\b(?:non-?binding|indicative|memorand(?:um|a) of understanding|MOUs?|letters? of intent|"
    r"LOIs?|heads of (?:agreement|terms))\b",
    re.IGNORECASE,
)
"""Words that say an agreement binds no one yet (a plain "term sheet" may be binding)."""
_BINDING = re.compile(
    r"(?<![-\w])binding\b(?!\s+(?:term sheet|letter|memorand|MOU))", re.IGNORECASE
)
_TOLL = re.compile(
    r"\bfor\s+(?:conversion|toll(?:ing)?(?:\s+processing|\s+treatment)?)\b",
    re.IGNORECASE,
)
_VEHICLE = re.compile(
    r"\bthrough\s+(?:her|his|its|their|the)\s+(?:[\w-]+\s+){0,2}?(?:company|vehicle|arm|"
    r"subsidiary|unit|fund|firm|family office|holding company),?\s+"
    # a person's company named as the one that reports the deal ("Tom Baxter raised his stake
    # …, his company Baxter Holdings said"): the holding is the company's
    r"|,\s+(?:her|his)\s+(?:[\w-]+\s+){0,2}?(?:company|vehicle|firm|family office|"
    r"holding company),?\s+(?=[^,;.]{1,60}?\s+(?:said|says|announced|told|confirmed)\b)"
)


_PROPOSED_DEAL = re.compile(
    r"\bthe\s+proposed\s+(?:[\w-]+\s+){0,2}?(?:issuance|issue|sale|acquisition|takeover|placement|"
    r"deal|purchase|investment|merger|offer|subscription)\b",
    re.IGNORECASE,
)
_DONE = re.compile(r"\b(?:approved|completed|closed|finali[sz]ed)\b", re.IGNORECASE)
_NOMINAL_TAKEOVER = re.compile(
    r"\b(?:in|on|for|from|after|since|with|following|during|amid)\s+(?:the|its|their|his|her)\s+"
    r"(?:[\w$.,-]+\s+){0,3}?(?:takeover|acquisition|purchase|buyout)\s+of\b",
    re.IGNORECASE,
)
_TAKEOVER_VERB = re.compile(
    r"\b(?:acquired|acquires|bought|buys|purchased|completed|closed|finali[sz]ed|agreed|announced|"
    r"signed|took over|takes over|will (?:acquire|buy|take over)|to (?:acquire|buy|take over))\b",
    re.IGNORECASE,
)
_TRIAL = re.compile(
    r"\bfirst\s+(?:trial|test)\b|\b(?:trial|test)\s+(?:[\w-]+\s+){0,2}(?:production|concentrate|"
    r"batch|run|mining)\b",
    re.IGNORECASE,
)
_ONCE_BEGINS = re.compile(
    r"\b(?:once|when|until|as soon as|before)\s+(?:it|they|the\s+\w+|\w+)\s+(?:begins?|starts?|"
    r"commences?|reaches?)\b",
    re.IGNORECASE,
)
_WILL_EXPAND = re.compile(
    r"\b(?:will|would|plans? to|aims? to)\s+(?:[\w,]+\s+){0,3}?(?:expand|retrofit|double|increase|"
    r"upgrade)\b",
    re.IGNORECASE,
)


_SALE_CONTRACT = re.compile(
    r"\b(?:contract|order|tender|award)\b[^.;]{0,80}?\bto\s+(?:supply|deliver|provide|"
    r"furnish|sell)\b",
    re.IGNORECASE,
)


def _sale_contract(s: Sent, ctx: Context, e: Event) -> Event:
    """Money paid under a contract to supply goods is a sale, whoever pays: "X secured a
    $245 million contract from the Defense Logistics Agency to supply antimony ingots" is a
    supply deal (X sells, the agency buys), not the agency's investment in X or a grant."""
    contract = _SALE_CONTRACT.search(s.text)
    if e.type not in ("investment", "grant") or contract is None:
        return e
    payer, payee = (
        (e.links.get("investor"), e.links.get("target"))
        if e.type == "investment"
        else (e.links.get("grantor"), e.links.get("recipient"))
    )
    if payer is None or payee is None:
        return e
    amt = e.fields.get("amount")
    sale = _offtake(s, ctx, payee, payer, contract.start(), e.group.endswith("ref"))
    if sale is None:
        return e
    return replace(
        sale, fields={**sale.fields, "amount": amt, "currency": e.fields.get("currency")}
    )


_BUY_OBJECT = re.compile(
    r"\b(?:buy|buys|bought|buying|acquire|acquires|acquired|acquiring|purchase|purchases|"
    r"purchased|take over|takes over|took over)\s+(?:the\s+)?(?:[\w-]+-(?:based|listed)\s+|"
    r"(?:rival|peer|miner|producer|refiner|company|firm|group)\s+)*$",
    re.IGNORECASE,
)


def _company_bought(s: Sent, ctx: Context, e: Event) -> Event:
    """A company as the direct object of "buy" is bought whole, not a supplier ("X would buy
    Finland-based Y Cobalt for $160 million": X acquires Y, though Y sells cobalt)."""
    if e.type != "offtake":
        return e
    sup, buyer = e.links["supplier"], e.links["buyer"]
    verb = _BUY_OBJECT.search(s.text, 0, sup.start)
    if verb is None or sup.kind != "company" or buyer.end > verb.start():
        return e
    amt = next((x for x in _money(s) if x.start > sup.end), None)
    st = _stake(s, ctx, buyer, sup, verb.start(), e.group.endswith("ref"), amount=amt)
    return st if st is not None else e


def _one_sale(events: list[Event]) -> list[Event]:
    """The events without a second supply deal between the same two parties."""
    out: list[Event] = []
    for e in events:
        if e.type == "offtake" and any(
            o.type == "offtake"
            and all(_same_or_overlap(o.links[r], e.links[r]) for r in ("supplier", "buyer"))
            for o in out
        ):
            continue
        out.append(e)
    return out


def _same_or_overlap(a: Mention, b: Mention) -> bool:
    """One party: the same organisation, or two readings of one stretch of text ("US Defense
    Logistics Agency" and "Defense Logistics Agency")."""
    return _same(a, b) or (a.start < b.end and b.start < a.end)


_FUTURE_EXPORT = re.compile(
    r"\b(?:will|would|shall|(?:is|are) (?:set|due|expected|scheduled|slated|poised) to|"
    r"plans? to|aims? to|intends? to)\s+(?:(?:soon|also|then|now|for the first time|"
    r"begin|start|commence)\s+)*(?:export|ship|send|deliver|sell)\b",
    re.IGNORECASE,
)
_TIME_AHEAD = re.compile(
    r"\b(?:within the (?:next|coming)|(?:next|coming) (?:week|month|year|quarter)|"
    r"in the (?:coming|next) (?:days|weeks|months|year)|soon|later this (?:week|month|year)|"
    r"by the end of|from next|early next|by (?:mid|late|early)[- ]\d{4}|"
    r"in (?:20\d\d|Q[1-4]))\b",
    re.IGNORECASE,
)
_SHIPPED = re.compile(
    r"\b(?:exported|shipped|sent|delivered|departed|sailed|loaded|left|arrived|dispatched|"
    r"has begun|have begun|began|started|commenced)\b",
    re.IGNORECASE,
)
_FUTURE_HOLDING = re.compile(r"\b(?:will|would)\s+(?:own|hold|control)\b", re.IGNORECASE)
_ACQUIRING = re.compile(
    r"\b(?:acquir\w+|buy\w*|bought|purchas\w+|subscrib\w+|took|tak(?:e|es|ing)|invest\w*)\b",
    re.IGNORECASE,
)
_DEAL_CUE = re.compile(
    r"\b(?:completion|closing|transaction|placement|deal|investment|acquisition|subscription|"
    r"takeover|merger|offer|share issue|capital raising)\b",
    re.IGNORECASE,
)
_RELATIVE_DEAL = re.compile(
    r",\s+(?:which|who)\s+(?:had\s+|has\s+)?(?:previously\s+|earlier\s+|already\s+)?"
    r"(?:invested|bought|acquired|lent|loaned|granted|awarded|took|paid)\b[^,]*,"
)


def not_done(s: Sent, e: Event, prev: str | None = None) -> bool:
    """An event the sentence names without stating it as done: a deal "proposed" (and opposed),
    a takeover only named after a preposition ("Rinehart's collaboration with X in the
    takeover of Y"), a supplier that is the buyer's own mine ("sourced from its Panasqueira
    mine"), trial production, an opening in a clause of time ("once it begins producing"),
    an expansion that is planned."""
    if (
        e.type in ("stake_acquisition", "investment", "offtake")
        and _PROPOSED_DEAL.search(s.text)
        and not _DONE.search(s.text)
    ):
        return True
    if (
        e.type == "first_export"
        and _FUTURE_EXPORT.search(s.text)
        and _TIME_AHEAD.search(s.text)
        and not _SHIPPED.search(s.text)
    ):
        # "Namibia will for the first time export lithium concentrate to China within the
        # next month": a first export still to come, at a time still ahead ("will ship its
        # first consignment" alone may be under way)
        return True
    if (
        e.type == "stake_acquisition"
        and _FUTURE_HOLDING.search(s.text)
        and not _ACQUIRING.search(s.text)
        and not (prev is not None and _DEAL_CUE.search(prev))
        and not _DEAL_CUE.search(s.text)
    ):
        # "X will own 40% interest in Y, and take its share of the concentrate": the holding
        # a project gives, no act of buying; "On completion X will hold 9%" follows a deal
        return True
    if e.type in _DEALS:
        for rel in _RELATIVE_DEAL.finditer(s.text):
            if any(rel.start() <= m.start < rel.end() for m in e.links.values()):
                # "X, which invested $10 million in March, is expected to join the round":
                # the relative clause recalls an earlier deal as background
                return True
    if (
        e.type == "stake_acquisition"
        and e.fields.get("percent") is None
        and e.fields.get("amount") is None
        and _NOMINAL_TAKEOVER.search(s.text)
        and not _TAKEOVER_VERB.search(s.text)
    ):
        return True
    if e.type == "offtake":
        sup = e.links.get("supplier")
        if sup is not None and re.search(
            r"\bfrom\s+(?:its|their|our)\s+(?:[\w-]+\s+){0,3}$", s.text[: sup.start]
        ):
            return True
    if e.type == "facility":
        action = e.fields.get("action")
        trial = _TRIAL.search(s.text) and not re.search(
            r"\b(?:commercial|full|first commercial)\s+production\b", s.text, re.IGNORECASE
        )
        if action == "opening" and (trial or _ONCE_BEGINS.search(s.text)):
            return True
        if action == "expansion" and _WILL_EXPAND.search(s.text):
            return True
    return False


def _no_possessive(e: Event) -> Event:
    """A new party named with its possessive ("Pensana Plc's project") is the name alone."""
    bad = {
        r: m
        for r, m in e.links.items()
        if m.id is None and m.kind == "company" and m.text.endswith(("'s", "’s"))
    }
    if not bad:
        return e
    links, fields = dict(e.links), dict(e.fields)
    for r, m in bad.items():
        links[r] = replace(m, end=m.end - 2, text=m.text[:-2])
        fields[r] = m.text[:-2]
    return replace(e, links=links, fields=extracted_fields(fields))


def _through_vehicle(s: Sent, e: Event) -> Event:
    """ "X acquired a stake in Y through her company, Z": Z is the acquirer (or investor)."""
    role = {"stake_acquisition": "acquirer", "investment": "investor"}.get(e.type)
    if role is None:
        return e
    v = _VEHICLE.search(s.text)
    who = _org_at(s, v.end(), 0) if v else None
    if who is None or any(_same(who, m) for m in e.links.values()):
        return e
    return replace(
        e, links={**e.links, role: who}, fields=extracted_fields({**e.fields, role: _value(who)})
    )


_DEFINED = re.compile(r"(?:the\s+)?(?:Company|Corporation|Issuer)", re.IGNORECASE)


def _resolve_defined(s: Sent, ctx: Context, e: Event) -> Event:
    """A party named by the defined term of a press release ("acquired a 9.9% stake in the
    Company"): the company that opens the sentence, else the one the story is about."""
    roles = [r for r, m in e.links.items() if m.kind == "company" and _DEFINED.fullmatch(m.text)]
    if not roles or not re.search(r"\bCompany\b|\bCorporation\b|\bIssuer\b", e.sentence):
        return e
    links, fields = dict(e.links), dict(e.fields)
    for r in roles:
        others = [m for k, m in links.items() if k != r]
        opener = next((o for o in s.companies() if not _DEFINED.fullmatch(o.text)), None)
        who = (
            opener
            if opener is not None and not any(_same(opener, x) for x in others)
            else _main_company(ctx, others)
        )
        if who is None:
            return e
        links[r], fields[r] = who, _value(who)
    return replace(e, links=links, fields=extracted_fields(fields))


def _overlap(e: Event, x: Event, roles: tuple[str, str]) -> bool:
    """``e`` names the same two parties as the loan or grant ``x`` (in either role)."""
    mine = [e.links.get(r) for r in roles]
    theirs = [m for k, m in x.links.items()]
    if any(m is None for m in mine):
        return False
    return sum(1 for m in mine if m is not None and any(_same(m, t) for t in theirs)) >= 1


# --------------------------------------------------------------------------- next sentence
_THIS_DEAL = re.compile(
    r"^(?:[^,]{0,40},\s+)?(?:The|This|That|These|Its|Their)\s+(?:[\w$.,-]+\s+){0,3}?"
    r"(?:investment|deal|transaction|placement|subscription|purchase|acquisition|agreement|"
    r"loan|grant|award|funding|financing|facility|stake|shares|takeover|contract)s?\b"
)
_PAID_FOR_IT = re.compile(
    r"^(?:It|They|The\s+(?:company|group|firm|miner|buyer|investor)|[A-Z][\w&.'’-]*"
    r"(?:\s+[A-Z][\w&.'’-]*){0,3})\s+(?:paid|pays|will\s+pay|is\s+paying|spent|spends|"
    r"will\s+spend)\s+[^.;]{1,40}?\s+for\s+(?:the|its|their|this|that|these)\s+"
    r"(?:[\w-]+\s+)?(?:shares|stake|holding|interest|acquisition|purchase|securities|stock)\b"
)
"""The price told after the deal, by the buyer as subject ("It paid $85 million for the
shares")."""
_SHIPMENT_TO = re.compile(
    r"^(?:The|This|That|Its)\s+(?:first\s+|initial\s+|maiden\s+|inaugural\s+)?"
    r"(?:[\w-]+\s+)?(?:shipment|cargo|consignment|delivery|batch|concentrate)s?\s+"
    r"(?:will be|was|were|is|are|has been|have been|is to be)\s+(?:[\w-]+\s+)?"
    r"(?:exported|sent|shipped|delivered|sold)\s+to\s+"
)


_ANOTHER_DEAL = re.compile(
    r"\b(?:where|which|follows|followed|following|previous|previously|earlier|prior|"
    r"compared|similar|last year)\b",
    re.IGNORECASE,
)


def follow(s: Sent, ctx: Context) -> list[Event]:
    """Details of the last sentence's deal stated in this one, which names no event of its
    own: "This investment gives it a 15% stake in X", "The loan is worth $300 million".
    Returns the updated earlier events (same identity, more fields)."""
    # "This investment …" refers to the last deal even past a block of promotions
    if not ctx.events or s.index - ctx.last_event_index > 8:
        return []
    recent = [e for e in ctx.events if e.sentence_index == ctx.last_event_index]
    out: list[Event] = []
    if _THIS_DEAL.match(s.text) or _PAID_FOR_IT.match(s.text):
        pct = _PCT_STAKE.search(s.text)
        money = _money(s)
        for e in recent:
            f = dict(e.fields)
            if e.type == "stake_acquisition" and pct and f.get("percent") is None:
                f["percent"] = float(pct.group("pct"))
            # "The shares were bought for A$18 million", "The loan is worth $300 million";
            # not a price per share
            sums = [x for x in money if x.amount >= 100_000]
            others = [o for o in s.companies() if not any(_same(o, x) for x in e.links.values())]
            if (
                e.type in ("loan", "grant", "stake_acquisition", "investment", "offtake")
                and sums
                # "… follows an investment in Y, where Z committed $N": another deal
                and not others
                and not _ANOTHER_DEAL.search(s.text)
                and f.get("amount") is None
                and len({(x.amount, x.currency) for x in sums}) == 1
            ):
                f["amount"], f["currency"] = sums[0].amount, sums[0].currency
            to = _STAKE_TO.search(s.text)
            if e.type == "investment" and to and e.links.get("investor") and e.links.get("target"):
                # "The investment increases X's shareholding in Y from 4.17% to 9.02%": the
                # investment bought shares, a stake
                out.append(
                    replace(
                        e,
                        type="stake_acquisition",
                        fields=extracted_fields(
                            {
                                "acquirer": f["investor"],
                                "target": f["target"],
                                "percent": float(to.group("pct")),
                                "amount": f.get("amount"),
                                "currency": f.get("currency"),
                                "date": f.get("date"),
                            }
                        ),
                        links={"acquirer": e.links["investor"], "target": e.links["target"]},
                    )
                )
                continue
            if f != e.fields:
                out.append(e.with_fields(f))
    return out


def same_deal(e: Event, upd: Event) -> bool:
    """``upd`` (from :func:`follow`) restates ``e``: the same key, or an investment that the
    next sentence shows bought a stake."""
    if e.key() == upd.key():
        return True
    return (
        e.type == "investment"
        and upd.type == "stake_acquisition"
        and e.fields.get("investor") == upd.fields.get("acquirer")
        and e.fields.get("target") == upd.fields.get("target")
    )


def shipment_buyer(s: Sent, ctx: Context) -> list[Event]:
    """ "The shipment will be exported to Umicore, a Belgian refiner": the company of the
    story sells the cargo to the company named."""
    m = _SHIPMENT_TO.match(s.text)
    if m is None:
        return []
    buyer = _org_at(s, m.end(), 2)
    if buyer is None or buyer.kind != "company":
        return []
    supplier = next(
        (e.links["exporter"] for e in reversed(ctx.events) if e.type == "first_export"), None
    ) or _main_company(ctx, [buyer])
    ev = _offtake(s, ctx, supplier, buyer, m.start(), True)
    return [ev] if ev else []


# --------------------------------------------------------------------------- home dollar
_HOME_DOLLAR = {"au": "AUD", "ca": "CAD", "nz": "NZD", "sg": "SGD", "hk": "HKD"}
"""An outlet's country (the last label of its host name) and the dollar its bare "$" means."""
_MARKED_USD = re.compile(r"US\$|\$US|USD|U\.S\. dollars?|US dollars?")
_BARE_DOLLAR = re.compile(r"(?<![A-Za-z$])\$\s?\d")


_US_STORY = re.compile(
    r"\bU\.S\.|\bUS\b|United States|American|Pentagon|Washington|Department of (?:Energy|"
    r"Defense|Commerce|War)|Nasdaq|NYSE|Wall Street"
)


def home_dollar(events: list[Event], url: str | None, text: str = "") -> list[Event]:
    """A bare "$" in an Australian, Canadian, New Zealand, Singapore or Hong Kong outlet is
    that country's dollar ("$46.4 million" in a Perth paper is A$): the events' sums read as
    USD from a bare "$" take the home dollar, unless the sentence marks US dollars itself or
    the story is about American parties (a Canadian site on a Pentagon loan writes US$ as
    "$")."""
    host = re.match(r"(?:https?://)?([^/:?#]+)", url or "")
    home = _HOME_DOLLAR.get(host.group(1).rsplit(".", 1)[-1].lower()) if host else None
    if home is None or _US_STORY.search(text):
        return events
    out: list[Event] = []
    for e in events:
        if (
            e.fields.get("currency") == "USD"
            and _BARE_DOLLAR.search(e.sentence)
            and not _MARKED_USD.search(e.sentence)
        ):
            e = e.with_fields({**e.fields, "currency": home})
        out.append(e)
    return out
