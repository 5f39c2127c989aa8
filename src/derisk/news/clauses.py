"""A shallow clause parser for news sentences: clauses, their verb group, subject, object,
negation and modality.

Pure functions over one sentence; no model, no download. The parser works on closed word
classes (auxiliaries, modals, subordinators, relative pronouns, reporting and hedging verbs)
and on verb forms, which is what decides whether a clause *asserts* something:

1. **Segmentation.** A sentence is cut into clauses where a clause opener stands: a
   subordinator (``after``, ``since``, ``because``, ``while``, ``if``, ``unless``,
   ``although``, ``once``, ``when``, ``whether``, ``as``, ``following``, ``before``,
   ``until``), a relative pronoun after a noun or comma (``which``, ``who``, ``whose``,
   ``where``, ``that`` after a noun), a reduced relative (``, imposed in 2023,``), a
   coordinator after a comma (``, but``, ``, and`` followed by a finite verb group) or a
   semicolon. A preposition that shares its spelling with a subordinator (``since
   December 2024``, ``after the talks``, ``until 27 November``) opens a clause only when a
   finite verb group follows before the next comma: "since" + noun phrase stays a phrase.
2. **Verb group.** The first finite verb group of a clause: optional modal or auxiliaries
   (``will``, ``has been``, ``is being``), adverbs and ``not`` between, and the main verb.
   It gives tense, voice (``be`` + past participle = passive), aspect, the modal and
   negation.
3. **Arguments.** The subject is the text between the clause opener and its verb group
   (for a relative clause: the noun it attaches to); the object is the text after the verb
   group up to the clause's end.
4. **Modality.** A clause is ``negated`` (``not``, ``never``, ``no longer`` before a
   non-restrictive verb; a denial verb governing it), ``hedged`` (a modal of possibility
   ``may/might/could/should``; a verb of deliberation or intention governing it:
   ``consider``, ``review``, ``study``, ``threaten``, ``propose``, ``plan``; ``whether``;
   a question), ``conditional`` (``if``, ``unless``) or ``asserted``. A clause governed by
   a hedging or denying clause (its complement, ``that …``, an infinitive ``to …``)
   inherits that modality.

Only an asserted main (or reported complement) clause states news; a relative, reduced
relative or subordinate clause about an earlier measure is context.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[A-Za-z][\w'’-]*|\d+(?:[.,:]\d+)*\w*|[;,:()\"“”]|[.?!]")

MODALS = _words("will would shall should can could may might must ought wo ca 'll")
POSSIBILITY_MODALS = frozenset({"may", "might", "could", "should", "ought"})
AUX_BE = _words("be is are was were been being am 's")
AUX_HAVE = _words("have has had having")
AUX_DO = _words("do does did")
NEGATORS = frozenset({"not", "n't", "never", "no"})
ADVERBS = re.compile(
    r"(?:(?!(?:ap|sup|re|com|multi|al)?ply$|rely$|fly$|ally$|italy$|july$|family$|supply$)\w+ly|also|already|now|still|just|again|then|later|soon|yet|even|further|first|"
    r"once|ever|all|both|recently|reportedly|officially|temporarily|effectively|finally)$",
    re.IGNORECASE,
)
SUBORDINATORS = _words(
    "after before since because although though while whereas if unless once when whenever "
    "whether until till as following"
)
"""Words that open a subordinate clause when a finite verb group follows."""
CONDITIONAL = frozenset({"if", "unless"})
RELATIVES = frozenset({"which", "who", "whom", "whose", "where"})
REPORTING = re.compile(
    r"(?:said|says|say|announced|announces|told|tells|confirmed|confirms|stated|states|"
    r"reported|reports|noted|notes|added|adds|wrote|writes|explained|explains|declared|"
    r"declares|disclosed|discloses|revealed|reveals|showed|shows|indicated|indicates)$",
    re.IGNORECASE,
)
DENIAL = re.compile(
    r"(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|refut\w*|"
    r"rul(?:e|es|ed|ing)(?= out)|call(?:s|ed)? off|abandon\w*)$",
    re.IGNORECASE,
)
HEDGE_VERBS = re.compile(
    r"(?:consider\w*|weigh\w*|mull\w*|review\w*|stud(?:y|ies|ied|ying)|assess\w*|"
    r"examin\w*|evaluat\w*|discuss\w*|debat\w*|explor\w*|propos\w*|plan(?:s|ned|ning)?|"
    r"threat\w*|vow\w*|warn\w*|fear\w*|hop(?:e|es|ed|ing)|want\w*|seek\w*|sought|"
    r"aim\w*|intend\w*|expect\w*|urg\w*|call(?:s|ed|ing)?|push\w*|mean(?:s|t)?|"
    r"like|wish\w*|tr(?:y|ies|ied|ying)|prepar\w*|draft\w*|negotiat\w*|ask\w*|"
    r"predict\w*|forecast\w*|speculat\w*|rumou?r\w*|suggest\w*|could|may|might)$",
    re.IGNORECASE,
)
"""Verbs that put what they govern in doubt or in the future (deliberation, intention,
threat, request, prediction): "is considering a ban", "threatened to curb"."""
_HEDGE_PHRASE = re.compile(
    r"\b(?:(?:is|are|was|were) (?:un)?likely to|(?:is|are|was|were) set to|poised to|"
    r"in talks|on the table|(?:is|are|was|were) expected to|(?:is|are|was|were) due to|"
    r"no (?:plans?|intention|decision) (?:to|has been|was)|not yet (?:decided|clear)|"
    r"has the (?:power|option|ability) to|possible|possibility of|potential|"
    r"(?:stop|stops|stopped|stopping) short of|refrain\w* from|h[oe]ld(?:s|ing)? off|"
    r"close to(?=\s+\w+ing\b)|on the (?:verge|brink|cusp) of|at risk of|in danger of)\b",
    re.IGNORECASE,
)
DETERMINERS = _words(
    "the a an its their his her this that these those our your some any each every no"
)
PRONOUNS = frozenset({"it", "they", "he", "she", "we"})
_DEFINITE_GOVERNMENT = re.compile(
    r"^(?:the\s+|that\s+|this\s+)?(?:(?:country|nation)['’]s\s+)?(?:[\w-]+\s+){0,2}?(?:government|ministry|"
    r"authorities|authority|cabinet|regulator|state council|administration|officials|customs|"
    r"country|nation|junta|president|premier|parliament|department|bureau|agency|"
    r"commission|council)\b",
    re.IGNORECASE,
)
_IRREGULAR_PARTICIPLES = _words(
    "been done made put set cut shut taken given seen known held kept brought built bought "
    "sold sent spent lent paid laid led left met read told thought found won begun run "
    "shown grown drawn thrown written driven frozen chosen spoken broken stolen forbidden "
    "forbade hit split spread quit overseen undertaken withdrawn"
)
_IRREGULAR_PAST = _words(
    "began became came did made put set cut shut took gave saw knew held kept brought built "
    "bought sold sent spent lent paid laid led left met read told thought found won ran "
    "showed grew drew threw wrote drove froze chose spoke broke stole forbade hit split "
    "spread quit oversaw undertook withdrew rose fell sought said told"
)
_TIME_WORD = re.compile(
    r"on|in|at|last|this|late|early|earlier|a|the|statement|week|month|year|[A-Z][a-z]+day|"
    r"today|yesterday|tonight|recently|separately|officially|formally|publicly|also|"
    r"\d{1,2}|(?:19|20)\d\d|Jan\w*|Feb\w*|Mar\w*|Apr\w*|May|June?|July?|Aug\w*|Sept?\w*|"
    r"Oct\w*|Nov\w*|Dec\w*|\.",
)
_TIME_NOUN = re.compile(
    r"(?:19|20)\d\d|[Ss]ummer|[Ww]inter|[Ss]pring|[Aa]utumn|[Ff]all|time|times|period|day|days|"
    r"week|month|year|years|era|moment|January|February|March|April|June|July|August|"
    r"September|October|November|December"
)
"""Words of time a "when" clause can relate to ("the year when …")."""
_PREPOSITIONS = _words(
    "of to for by with in on at from into onto against about over under between among including"
)
_NOT_VERB = _words(
    "need red bed shed seed feed speed hundred indeed limited united based related "
    "proposed expected reported alleged so-called advanced refined mixed treated "
    "rare-earth"
)
"""-ed words that are usually adjectives or nouns before a noun; read as verbs only after
an auxiliary or right after a subject."""


class Token:
    """One word or punctuation mark with its character span (``low``: lower case)."""

    __slots__ = ("end", "low", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low = text.lower()


@dataclass(frozen=True)
class VerbGroup:
    start: int
    end: int
    text: str
    head: str
    """The main verb as written (lower case)."""
    modal: str | None
    negated: bool
    passive: bool
    perfect: bool
    progressive: bool
    tense: str
    """``past``, ``present``, ``future`` (will/shall), ``modal`` or ``nonfinite``."""


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    kind: str
    """``main``, ``relative``, ``reduced`` (reduced relative: ", imposed in 2023,"),
    ``subordinate``, ``complement`` (what a reporting verb reports), ``coordinate``."""
    opener: str
    """The word that opened the clause (``which``, ``after``, ``that``, ``but``) or ''."""
    subject: str
    verb: VerbGroup | None
    object: str
    negated: bool
    modality: str
    """``asserted``, ``negated``, ``hedged`` or ``conditional``."""
    parent: int
    """Index of the clause this one depends on (−1 for a main clause)."""

    @property
    def asserted(self) -> bool:
        return self.modality == "asserted"

    @property
    def background(self) -> bool:
        """A relative or reduced relative clause: context for the clause it hangs on, not news
        of its own (an adverbial clause, "after China barred exports", states its event)."""
        return self.kind in ("relative", "reduced")


_THIRD_PERSON = re.compile(r"[a-z]{3,}(?<!ss)(?<!ous)(?<!ics)(?<!ies)s")
_LOWER_WORD = re.compile(r"[a-z][\w'’-]*")
_WEEKDAY = re.compile(r"[A-Z][a-z]+day")


def tokens(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


def _is_participle(w: str) -> bool:
    return (w.endswith("ed") and len(w) > 3 and w not in _NOT_VERB) or (w in _IRREGULAR_PARTICIPLES)


def _is_past(w: str) -> bool:
    return (w.endswith("ed") and len(w) > 3 and w not in _NOT_VERB) or w in _IRREGULAR_PAST


def _finite_lexical(toks: list[Token], i: int) -> bool:
    """A lexical verb in finite use at ``i``, guessed from its form and neighbours: a past
    form ("banned", "took") or a present third person ("bans", "halts") after a
    subject-like word, not after a determiner or preposition."""
    w = toks[i].low
    prev = toks[i - 1].low if i > 0 else ""
    if prev in DETERMINERS or prev in ("of", "to", "for", "by", "with", "in", "on", "at"):
        return False
    if _is_past(w):
        return not (i + 1 < len(toks) and toks[i + 1].low in ("by",) and prev == ",")
    nxt = toks[i + 1].low if i + 1 < len(toks) else ""
    return bool(
        _THIRD_PERSON.fullmatch(w)
        and i > 0
        and (toks[i - 1].text[:1].isupper() or prev in PRONOUNS or prev in ("also", "now"))
        and nxt not in MODALS
        and nxt not in AUX_BE
        and not (i > 1 and toks[i - 2].low in _PREPOSITIONS)
    )


def verb_group_at(toks: list[Token], i: int, text: str) -> VerbGroup | None:
    """The verb group starting at token ``i`` (a modal, an auxiliary or a finite lexical
    verb), or None."""
    w = toks[i].low
    if not (w in MODALS or w in AUX_BE or w in AUX_HAVE or w in AUX_DO or _finite_lexical(toks, i)):
        return None
    if w == "'s" or (w in ("is", "are", "was", "were") and i == 0):
        return None
    j = i
    modal = w if w in MODALS else None
    negated = False
    seen: list[str] = []
    n = len(toks)
    while j < n:
        t = toks[j].low
        if t in MODALS or t in AUX_BE or t in AUX_HAVE or t in AUX_DO:
            seen.append(t)
            j += 1
            continue
        if t in NEGATORS and t != "no":
            negated = True
            j += 1
            continue
        if t == "no" and j + 1 < n and toks[j + 1].low == "longer":
            negated = True
            j += 2
            continue
        if ADVERBS.fullmatch(t) and j + 1 < n and toks[j + 1].text[:1].islower():
            j += 1
            continue
        break
    if j >= n:
        return None
    head = toks[j].low
    if not _LOWER_WORD.fullmatch(head):
        if not seen:
            return None
        head = seen[-1]
        j -= 1
    elif (
        seen
        and seen[-1] in AUX_BE
        and not (_is_participle(head) or head.endswith("ing") or head in ("to",))
    ):
        # copula: "is subject to", "were in place"
        head = seen[-1]
        j -= 1
    aux = seen
    passive = bool(aux) and aux[-1] in ("be", "is", "are", "was", "were", "been", "being", "am")
    passive = passive and _is_participle(head)
    perfect = any(a in AUX_HAVE for a in aux)
    progressive = head.endswith("ing") and bool(aux) and aux[-1] in AUX_BE
    if modal in ("will", "shall", "wo", "'ll"):
        tense = "future"
    elif modal is not None:
        tense = "modal"
    elif aux and aux[0] in ("was", "were", "had", "did"):
        tense = "past"
    elif aux:
        tense = "present"
    elif _is_past(head):
        tense = "past"
    else:
        tense = "present"
    start, end = toks[i].start, toks[j].end
    return VerbGroup(
        start, end, text[start:end], head, modal, negated, passive, perfect, progressive, tense
    )


def _finite_ahead(toks: list[Token], i: int, text: str) -> int | None:
    """Index of the first verb group after ``i`` before the next comma, semicolon or
    clause opener; None when the words after ``i`` are only a phrase."""
    for k in range(i, len(toks)):
        t = toks[k].low
        if t in (",", ";", ".", "?", "!", "(", ")") or (k > i and t in SUBORDINATORS):
            return None
        if verb_group_at(toks, k, text) is not None:
            return k
    return None


_MAIN_WINDOW = re.compile(
    r"\b(?:until|till|through|starting|effective|for (?:another|a further|only|just|a|one|two|"
    r"three|four|six|twelve|\d+)\b)",
    re.IGNORECASE,
)
_CONTACT_HEAD = re.compile(
    r"(?:ban|bans|embargo|controls?|restrictions?|curbs?|quotas?|measures?|rules?|limits?|"
    r"licen[cs]es?|licensing|suspension|moratorium|exports?|shipments?|decision|policy)"
)
"""Nouns a relative clause without its pronoun follows in this domain ("the curbs it
imposed"): a closed list keeps "said it banned" a reported clause."""
_AFTER_PARTICIPLE = _words("in on since last by earlier back from at during")


def _reduced_at(toks: list[Token], k: int) -> bool:
    """A reduced relative clause opens at ``k`` (after a comma): a past participle, perhaps
    after "first" / "originally", followed by a preposition or time word (", imposed in
    2023,", ", first introduced last year,"); a participle followed by its object
    (", initially suspended exports") is the clause's own verb."""
    if k < len(toks) and toks[k].low in ("first", "originally", "initially", "previously"):
        k += 1
    return (
        k + 1 < len(toks) and _is_participle(toks[k].low) and toks[k + 1].low in _AFTER_PARTICIPLE
    )


@dataclass
class _Open:
    start: int
    kind: str
    opener: str
    parent: int


def parse(text: str) -> list[Clause]:
    """Clauses of one sentence in text order (see the module docstring for the method)."""
    toks = tokens(text)
    opens: list[_Open] = [_Open(0, "main", "", -1)]
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        w = t.low
        prev = toks[i - 1].low if i > 0 else ""
        if w == ";":
            opens.append(_Open(t.end, "main", ";", -1))
        elif (w in SUBORDINATORS and i > 0) or (w in SUBORDINATORS and i == 0):
            k = _finite_ahead(toks, i + 1, text)
            if k is not None and not (w == "as" and prev in ("such", "well", "same", "so")):
                kind = "subordinate"
                parent = 0
                if w == "when" and _TIME_NOUN.fullmatch(toks[i - 1].text if i else ""):
                    # "since the summer of 2023 when Beijing first imposed …": "when" after a
                    # time relates a clause to that time, an earlier measure as background
                    kind, parent = "relative", len(opens) - 1
                opens.append(_Open(t.start, kind, w, parent))
        elif (
            w in ("it", "they")
            and i > 1
            and _CONTACT_HEAD.fullmatch(prev)
            and prev not in DETERMINERS
            and prev not in _PREPOSITIONS
            and prev not in MODALS
            and prev not in AUX_BE
            and prev not in AUX_HAVE
            and i + 1 < n
            and _is_past(toks[i + 1].low)
            and any(verb_group_at(toks, k, text) for k in range(i - 1))
        ):
            # a relative clause without its pronoun: "the controls it announced on Oct. 9"
            opens.append(_Open(t.start, "relative", "", len(opens) - 1))
        elif w in RELATIVES and i > 0 and (prev == "," or toks[i - 1].text[:1].isalpha()):
            opens.append(_Open(t.start, "relative", w, len(opens) - 1))
        elif w == "that" and i > 0:
            k = _finite_ahead(toks, i + 1, text)
            b = i - 1
            # "announced on Thursday, June 19, that it has …": the time, commas included, sits
            # between the reporting verb and what it reports
            while (
                b > 0 and b >= i - 8 and (_TIME_WORD.fullmatch(toks[b].text) or toks[b].text == ",")
            ):
                b -= 1
            if b < i - 1 and REPORTING.fullmatch(toks[b].low):
                prev = toks[b].low
            if k is not None:
                if (
                    REPORTING.fullmatch(prev)
                    or DENIAL.fullmatch(prev)
                    or HEDGE_VERBS.fullmatch(prev)
                ):
                    opens.append(_Open(t.start, "complement", "that", len(opens) - 1))
                elif (
                    toks[i - 1].text[:1].isalpha()
                    and prev not in MODALS
                    and not REPORTING.fullmatch(prev)
                    and k == i + 1
                ) or (k is not None and k <= i + 2 and prev not in ("so", "such")):
                    # "the ban that Beijing imposed", "curbs that took effect"
                    opens.append(_Open(t.start, "relative", "that", len(opens) - 1))
        elif w == "but" and i > 0 and prev != ",":
            k = _finite_ahead(toks, i + 1, text)
            if k is not None and k <= i + 2:
                opens.append(_Open(t.start, "coordinate", "but", -1))
        elif w == "," and i + 1 < n:
            nxt = toks[i + 1].low
            if nxt in ("but", "and", "while", "whereas", "yet") and nxt not in SUBORDINATORS:
                k = _finite_ahead(toks, i + 2, text)
                if k is not None and k <= i + 3:
                    opens.append(_Open(toks[i + 1].start, "coordinate", nxt, -1))
            elif _reduced_at(toks, i + 1):
                opens.append(_Open(toks[i + 1].start, "reduced", nxt, len(opens) - 1))
        elif REPORTING.fullmatch(w) and i + 1 < n and i > 0:
            # "X said on Tuesday it would …": a reported clause without "that"
            k = i + 1
            while (k < n and toks[k].low in ("on", "in", "last", "this", "late", "early")) or (
                k < n and _WEEKDAY.fullmatch(toks[k].text)
            ):
                k += 1
            if (
                (k < n and k > i + 1)
                or (k < n and (toks[k].low in PRONOUNS or toks[k].text[:1].isupper()))
            ) and (k < n and toks[k].low not in (",", ".", "that", "in", "on")):
                ahead = _finite_ahead(toks, k, text)
                if (ahead is not None and ahead <= k + 6 and toks[k].low != "the") or (
                    ahead is not None
                    and (
                        ahead <= k + 4
                        # "said on Saturday the suspension of cobalt exports would be …"
                        or (ahead <= k + 7 and toks[ahead].low in MODALS | AUX_BE | AUX_HAVE)
                    )
                ):
                    opens.append(_Open(toks[k].start, "complement", "", len(opens) - 1))
        i += 1
    # close clauses: a relative, reduced or sentence-initial subordinate clause ends at the
    # next comma; a clause ends where the next clause of its level or above opens
    spans: list[tuple[_Open, int]] = []
    for idx, op in enumerate(opens):
        end = len(text)
        for later in opens[idx + 1 :]:
            if op.kind in ("main", "coordinate") and later.kind not in ("main", "coordinate"):
                continue
            end = later.start
            break
        if op.kind in ("relative", "reduced") or (op.kind == "subordinate" and op.start == 0):
            comma = text.find(",", op.start + 1, end)
            if comma >= 0:
                end = comma
        if op.kind in ("relative", "reduced"):
            # a relative clause without commas gives the main clause back at its window
            # ("the controls it announced on Oct. 9 until November 2026")
            win = _MAIN_WINDOW.search(text, op.start + 1, end)
            if win is not None:
                end = win.start()
        spans.append((op, end))
    out: list[Clause] = []
    for idx, (op, end) in enumerate(spans):
        inner = [
            (o.start, e) for j, (o, e) in enumerate(spans) if j > idx and op.start <= o.start < end
        ]
        own = [
            t
            for t in toks
            if op.start <= t.start < end and not any(a <= t.start < b for a, b in inner)
        ]
        out.append(_clause(text, own, op, end))
    return _inherit(out, text)


_PERMISSION = re.compile(
    r"(?:allow\w*|permit\w*|export\w*|ship\w*|sold|sell|sells|authori[sz]\w*|approv\w*)$"
)
"""Verbs whose negation states a prohibition ("shall not be allowed without a licence", "may
no longer be exported"): the clause asserts a restriction, it does not deny an event."""


def _clause(text: str, own: list[Token], op: _Open, end: int) -> Clause:
    vg: VerbGroup | None = None
    vg_at = len(own)
    for k in range(len(own)):
        if op.kind != "main" and k == 0 and own[k].low == op.opener:
            continue
        if op.kind == "reduced" and k == 0:
            t = own[k]
            vg = VerbGroup(t.start, t.end, t.text, t.low, None, False, True, False, False, "past")
            vg_at = k
            break
        vg = verb_group_at(own, k, text)
        if vg is not None:
            vg_at = k
            break
    before = own[:vg_at]
    if before and before[0].low == op.opener and op.opener:
        before = before[1:]
    commas = [k for k, t in enumerate(before) if t.text == ","]
    if commas:
        before = before[commas[-1] + 1 :]
    subject = " ".join(t.text for t in before)
    if op.kind in ("relative", "reduced") and not subject:
        # the noun the relative pronoun stands for
        head = text[: op.start].rstrip(" ,")
        subject = " ".join(head.split()[-4:])
    after = [t for t in own if vg is not None and t.start >= vg.end]
    obj = " ".join(t.text for t in after).strip(" ,.")
    window = text[op.start : end]
    negated = bool(vg and vg.negated) or any(t.low in ("no", "never", "neither") for t in before)
    modality = "asserted"
    if op.opener in CONDITIONAL:
        modality = "conditional"
    elif op.opener == "whether" or window.rstrip().endswith("?"):
        modality = "hedged"
    elif vg is not None and DENIAL.fullmatch(vg.head):
        modality = "negated"
    elif (
        vg is not None
        and (
            vg.modal in POSSIBILITY_MODALS
            or HEDGE_VERBS.fullmatch(vg.head)
            or (vg.modal == "would" and op.kind == "main")
        )
    ) or _HEDGE_PHRASE.search(text[op.start : vg.end + 40] if vg else window):
        modality = "hedged"
    if negated and vg is not None and _PERMISSION.fullmatch(vg.head):
        negated = False  # a prohibition is stated, not denied
    if negated and modality == "asserted":
        modality = "negated"
    return Clause(op.start, end, op.kind, op.opener, subject, vg, obj, negated, modality, op.parent)


def _inherit(clauses: list[Clause], text: str) -> list[Clause]:
    """A complement or an infinitive object takes the doubt or denial of the clause that
    governs it ("denied that it had banned", "is considering whether to curb"); a clause
    with a modal of consequence ("would", "could") beside an "if" or "unless" clause is
    conditional ("it would retaliate with export controls if Washington raised tariffs")."""
    out: list[Clause] = []
    conditional = any(c.opener in CONDITIONAL for c in clauses)
    for c in clauses:
        if (
            conditional
            and c.verb is not None
            and c.verb.modal in ("would", "could", "might", "will", "'ll")
            and c.modality == "asserted"
        ):
            c = replace(c, modality="conditional")
        if c.kind == "complement" and 0 <= c.parent < len(out):
            gov = out[c.parent]
            if gov.modality in ("hedged", "negated", "conditional") and c.modality == "asserted":
                c = Clause(
                    c.start,
                    c.end,
                    c.kind,
                    c.opener,
                    c.subject,
                    c.verb,
                    c.object,
                    c.negated,
                    gov.modality,
                    c.parent,
                )
        out.append(c)
    return out


def clause_at(clauses: list[Clause], pos: int) -> Clause:
    """The innermost clause holding character ``pos``."""
    best = clauses[0]
    for c in clauses:
        if c.start <= pos < c.end and c.start >= best.start:
            best = c
    return best


def governed_by_hedge(text: str, c: Clause, pos: int) -> bool:
    """The word at ``pos`` sits in the infinitive or nominal object of a hedging, intending
    or denying verb of its clause ("threatened to curb", "is considering a ban", "denied
    banning") or after an open question ("whether to")."""
    if c.verb is None or pos < c.verb.end:
        return False
    between = text[c.verb.end : pos]
    if re.search(r"[;]|,\s+(?:but|and)\b", between):
        return False
    if re.search(r"\bwhether\b", between, re.IGNORECASE):
        return True
    return bool(HEDGE_VERBS.fullmatch(c.verb.head) or DENIAL.fullmatch(c.verb.head))


@functools.lru_cache(maxsize=256)
def parse_cached(text: str) -> tuple[Clause, ...]:
    """:func:`parse`, kept for the last sentences (several extractors ask about one)."""
    return tuple(parse(text))


def status_at(text: str, pos: int) -> tuple[Clause, str]:
    """The clause holding ``pos`` and what it does with the word there: ``asserted``,
    ``negated``, ``hedged``, ``conditional`` or ``background`` (a relative or reduced
    relative clause)."""
    cl = list(parse_cached(text))
    c = clause_at(cl, pos)
    if c.modality != "asserted":
        return c, c.modality
    if governed_by_hedge(text, c, pos):
        return c, "negated" if c.verb and DENIAL.fullmatch(c.verb.head) else "hedged"
    if c.background:
        return c, "background"
    return c, "asserted"


def _reference(subject: str) -> bool:
    s = subject.strip()
    if not s:
        return False
    words = s.split()
    first = words[0].lower()
    if first in PRONOUNS and len(words) <= 2:
        return True
    if words[-1].lower() in ("it", "they") and words[0].lower() in _OPENING_PREPOSITIONS:
        # "In September it banned …", "Since then they have …": an opening phrase, then
        # the pronoun
        return True
    if _BOUND_PARTY.match(s):
        return True
    return bool(_DEFINITE_GOVERNMENT.match(s)) and not re.search(r"\b[A-Z][a-z]+['’]s\b", s)


_OPENING_PREPOSITIONS = _words("in on at since after before by during last earlier later then")
_BOUND_PARTY = re.compile(
    r"^(?:(?:all|the|its|their|domestic|local|foreign)\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:exporters|exports|shipments|producers|companies|firms|traders|sales abroad|overseas "
    r"sales)\b",
    re.IGNORECASE,
)
"""Subjects bound by a rule without naming who made it ("Exporters of graphite must apply for
permits", "Shipments of antimony will need a licence")."""


def subject_is_reference(text: str, pos: int) -> bool:
    """The clause holding ``pos`` has a subject that names the acting government by
    reference: a pronoun ("It also restricted …"), a definite description ("the
    government", "the ministry", "authorities", "the country's mines ministry") or the
    parties a rule binds ("Exporters of graphite must …"); the article's government is
    meant."""
    c = clause_at(list(parse_cached(text)), pos)
    if c.kind == "relative":
        return False
    return _reference(c.subject)


def not_asserted(text: str, pos: int) -> bool:
    """The word at ``pos`` is hedged, denied, conditional or only background (a relative
    clause about an earlier measure): it makes no event of its own."""
    return status_at(text, pos)[1] != "asserted"


def subject_span(text: str, pos: int) -> tuple[int, int]:
    """Character span of the subject of the clause holding ``pos``: from the clause's start
    (after an opening phrase closed by a comma) to its verb group; empty when the clause has
    no verb group before ``pos``."""
    c = clause_at(list(parse_cached(text)), pos)
    if c.verb is None or c.verb.start > pos:
        return (pos, pos)
    start = c.start
    comma = text.rfind(",", c.start, c.verb.start)
    if comma >= 0:
        start = comma + 1
    return (start, c.verb.start)


def in_background(text: str, pos: int) -> bool:
    """``pos`` lies in a relative or reduced relative clause told in the past ("the controls
    it announced on Oct. 9", "which had been banned since …"): context about an earlier
    measure. A relative clause in the present or future ("the rules, which take effect on
    Dec. 1,") tells of the measure itself and is not background."""
    c = clause_at(list(parse_cached(text)), pos)
    return c.background and c.verb is not None and (c.verb.tense == "past" or c.verb.perfect)


_CHANGE = re.compile(
    r"(?:lifted|scrapped|removed|ended|rescinded|revoked|repealed|dropped|eased|relaxed|"
    r"loosened|withdrawn|abolished|cancell?ed|suspended|paused|halted|frozen|waived|postponed|"
    r"delayed|shelved|extended|prolonged|renewed|put|placed)"
)


_MEASURE_NOUN = re.compile(
    r"\b(?:ban|bans|embargo|embargoes|restrictions?|controls?|curbs?|quotas?|prohibition|"
    r"moratorium|licen[cs]ing|measures?|suspension)\b",
    re.IGNORECASE,
)


def measure_is_changed(text: str, pos: int) -> bool:
    """``pos`` lies in the subject of a passive clause whose verb lifts, suspends or extends
    it ("The stricter checks on graphite … have been put on hold", "The ban was lifted"),
    or is that verb: the measure is named as what changes, not imposed anew."""
    c = clause_at(list(parse_cached(text)), pos)
    v = c.verb
    if v is None or not v.passive or pos >= v.end or not _CHANGE.fullmatch(v.head):
        return False
    if pos >= v.start and not _MEASURE_NOUN.search(text, c.start, v.start):
        # the verb itself ("Exports of cobalt were halted"): a change of a measure only
        # when its subject names one ("China's ban on gallium … was suspended")
        return False
    if v.head in ("put", "placed"):
        return bool(re.match(r"\s+on hold\b", text[v.end :]))
    return True
