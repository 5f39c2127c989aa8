"""Dates and durations in news text, resolved against the publication date.

Pure functions. A *date expression* is found with its character span and resolved to a
calendar date and a precision (``day``, ``week``, ``month`` or ``year``); durations ("for six
months") become ISO 8601 periods (``P6M``). Rules, for reference date ``P`` (the publication
date, or the story's dateline when the caller passes it):

- ``today`` → ``P``; ``yesterday`` / ``the previous day`` / ``a day earlier`` → ``P − 1``.
- ``on Monday`` … ``on Sunday``, and the wire style ``said Tuesday`` / ``Tuesday's`` → the
  latest such weekday ``d ≤ P`` (``P`` itself when it is that weekday):
  ``d = P − ((wd(P) − wd) mod 7)`` (``dateutil.relativedelta`` with ``weekday=WD(-1)``);
  ``next Monday`` is not resolved (the coming one or the one after: the press uses both);
  ``this Friday``, ``until Friday``, ``by Friday``, or a weekday in a clause told in the
  future ("will take effect on Monday", "takes effect from Monday") → the earliest such
  weekday ``d ≥ P``.
- ``three days ago`` → ``P − 3``; ``two weeks ago`` → Monday of that week (precision ``week``).
- A day without its year told in the future ("will take effect on January 1") → not before
  ``P``; ``from 2029`` / ``starting next year`` → 1 January of that year (precision ``year``).
- ``last month`` → the first of the month before ``P``; ``next month`` → the first of the
  month after; ``earlier this month`` / ``this month``
  → the first of ``P``'s month (precision ``month``).
- ``last Monday`` … → the latest such weekday before ``P`` (a week before when ``P`` is one).
- ``earlier in the week`` / ``earlier this week`` / ``this week`` → Monday of ``P``'s week;
  ``last week`` → Monday of the week before (precision ``week``: no day is named).
- ``March 3``, ``Oct. 16``, ``3 March`` without a year → the year ``y ∈ {Y−1, Y, Y+1}`` that puts
  the date nearest to ``P``, but not after ``P`` when a past-tense verb of its clause tells
  of a done thing ("announced the licensing on July 3"), and not before ``P`` when its clause
  is told in the future (:func:`told_ahead`); with a year, as written; followed
  by ``next year`` → year ``Y+1``, by ``this year`` → ``Y``.
- ``from January 2027`` / ``in December 2022`` → first of the month, precision ``month``.
- ``in February`` / ``since March`` without a year → the latest such month not after ``P``'s;
  ``from October`` / ``until January``, or after a forward-looking verb ("will … in March")
  → the first such month from ``P``'s on (precision ``month``).
- ``the end of 2026`` / ``end-2026`` → 31 December 2026.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

MONTHS: dict[str, int] = {}
for _i in range(1, 13):
    MONTHS[calendar.month_name[_i].lower()] = _i
    MONTHS[calendar.month_abbr[_i].lower()] = _i
MONTHS["sept"] = 9

WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
}

_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUM = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"

_REL_YEAR = r"(?:,?\s+(?P<rel%d>next|this|last) year\b)?"

DATE_RE = re.compile(
    r"(?P<mdy>\b"
    + _MON
    + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b(?:(?:,?\s+(?P<y1>(?:19|20)\d\d))\b"
    r"|" + _REL_YEAR % 1 + r"))"
    r"|(?P<dmy>\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    + _MON
    + r"(?![a-z])"
    + r"(?:(?:,?\s+(?P<y2>(?:19|20)\d\d))\b|"
    + _REL_YEAR % 2
    + r"))"
    r"|(?P<my>\b" + _MON + r"\s+(?P<y3>(?:19|20)\d\d)\b)"
    r"|(?P<bm>\b(?P<bmp>in|since|from|until|till|through|by|during|starting|effective)\s+"
    r"(?:early\s+|mid-?|late\s+)?(?P<bmn>January|February|March|April|June|July|August|"
    r"September|October|November|December|(?-i:May))\b(?!\s*\d|\s+(?:of\s+)?(?:19|20)\d\d)"
    + _REL_YEAR
    % 3
    + r")"
    r"|(?P<yr>\b(?P<yrp>from|starting(?:\s+(?:in|from))?|beginning(?:\s+(?:in|from))?|"
    r"effective(?:\s+from)?|as\s+of|with\s+effect\s+from)\s+"
    r"(?:(?P<y6>(?:19|20)\d\d)\b(?![-/–]\d|\s*(?:-|–|to)\s*(?:19|20)?\d\d\b)"
    r"|(?P<rel6>next|this)\s+year\b))"
    r"|(?P<iso>\b(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d)\b)"
    r"|(?P<wdf>\b(?:this|coming|this coming|until|till|by|before)\s+(?P<wdfn>" + _WD + r")\b"
    r"(?!\s+(?:next|week)))"
    r"|(?P<wd>\b(?:(?:late\s+|early\s+)?on\s+|(?<!next )(?<!coming )(?<!this )(?<!until )"
    r"(?<!till )(?<!by )(?<!before ))(?P<wdn>" + _WD + r")\b(?!\s+(?:next|week)))"
    r"|(?P<ago>\b(?P<agon>" + _NUM + r")\s+(?P<agou>days?|weeks?)\s+ago\b)"
    r"|(?P<lastmonth>\blast month\b)"
    r"|(?P<nextmonth>\bnext month\b)"
    r"|(?P<thismonth>\b(?:earlier )?this month\b)"
    r"|(?P<today>\btoday\b)"
    r"|(?P<yday>\byesterday\b|\bthe previous day\b|\ba day earlier\b|\bthe day before\b)"
    r"|(?P<week>\bearlier (?:in the|this) week\b|\bthis week\b)"
    r"|(?P<lastweek>\blast week\b)"
    r"|(?P<endy>\b(?:the\s+)?end(?:\s+of|-)\s*(?P<y5>(?:19|20)\d\d)\b)",
    re.IGNORECASE,
)

DURATION_RE = re.compile(
    r"\b(?P<n>" + _NUM + r")[\s-]+(?P<unit>year|month|week|day)s?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A resolved date expression: ``start``/``end`` are character offsets in the text."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str  # "day", "week", "month" or "year"


def _nearest_year(month: int, day: int, published: dt.date) -> dt.date | None:
    best: dt.date | None = None
    for y in (published.year - 1, published.year, published.year + 1):
        try:
            cand = dt.date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - published).days) < abs((best - published).days):
            best = cand
    return best


_FUTURE_CUE = re.compile(
    r"\b(?:will|would|shall|to be|is to|are to|set to|due to|plans?|next|starting|"
    r"effective)\b[^.;]{0,60}$",
    re.IGNORECASE,
)


def _bare_month(prep: str, month: int, before: str, published: dt.date) -> dt.date:
    """A month named without its year ("in February", "from October"): the latest such month
    not after ``P``'s, unless the preposition or the verb before it looks forward ("will …
    in March", "from October", "until January"), then the first such month from ``P``'s on."""
    past = dt.date(published.year if month <= published.month else published.year - 1, month, 1)
    forward = prep.lower() in ("from", "until", "till", "by", "starting", "effective") or bool(
        _FUTURE_CUE.search(before[-80:])
    )
    if forward and month != published.month:
        return dt.date(published.year if month > published.month else published.year + 1, month, 1)
    return past


_PAST_VERBS = (
    r"\b(?:announced|came|took|was|were|had|imposed|introduced|began|started|issued|said|"
    r"confirmed|unveiled|published|banned|halted|suspended|lifted|signed|completed|opened|"
    r"shipped|sailed|restricted|curbed|approved|decided|agreed|ordered|extended|"
    r"blocked|prohibited|added|placed|dated)"
)
_PAST_CUE = re.compile(
    _PAST_VERBS + r"\s+(?:[\w,'’-]+\s+){0,9}(?:on|in|from)?\s*$",
    re.IGNORECASE,
)


_AHEAD_CUE = re.compile(
    r"\b(?:expected|scheduled|slated|due|set|planned|poised|to take effect|to come into)\b",
    re.IGNORECASE,
)


def _past_if_told_so(date: dt.date | None, before: str, published: dt.date) -> dt.date | None:
    """A day without its year told in the past tense ("announced … on July 3") is not after
    the publication date: the year before when the nearest one lies ahead."""
    if date is None or date <= published:
        return date
    # the verb of the clause may stand several words before the day ("announced export
    # controls on gallium and germanium on July 3")
    clause = re.split(
        r"[.;]|\b(?:will|would|shall|until|from|effective|starting|that|which)\b"
        # a participle after a comma has its own time ("…, with the shutdown commencing on")
        r"|,\s+(?:with\b|\w+ing\b)",
        before,
    )[-1]
    # the past-tense verb anywhere in the clause, however long its object ("suspended its ban
    # on exports of gallium to the United States on November 9")
    if not _PAST_VERB.search(clause[-120:]) or _AHEAD_CUE.search(clause[-120:]):
        return date
    try:
        return date.replace(year=date.year - 1)
    except ValueError:
        return date.replace(year=date.year - 1, day=28)


_CLAUSE_CUT = re.compile(
    r"[.;]|\b(?:said|says|say|told|announced|announces|that|which|after|when|since|while|"
    r"because|but|although|though)\b",
    re.IGNORECASE,
)
_WILL_CUE = re.compile(
    r"\b(?:will|shall|(?:is|are)\s+(?:set\s+|due\s+|expected\s+|scheduled\s+|slated\s+|"
    r"going\s+)?to)\b",
    re.IGNORECASE,
)
"""The future told by a modal or "is (set / due / expected …) to"; a present tense ("comes into
effect on Tuesday") is read either way in the press and is left to the nearest date."""
_PAST_VERB = re.compile(_PAST_VERBS + r"\b", re.IGNORECASE)
_FORWARD_PREP = re.compile(
    r"\b(?:from|starting(?:\s+from)?|effective(?:\s+from)?|until|till|as\s+of|beginning)\s+"
    r"(?:on\s+)?$",
    re.IGNORECASE,
)
"""A preposition that looks forward when no past-tense verb tells otherwise ("takes effect
from Thursday", "until March 3"), as it does for a month without its year."""


def told_ahead(before: str) -> bool:
    """The clause ending at a date looks forward: its last tense cue before the date is a
    future one ("will take effect on Monday", "is set to start on 1 January"), not a
    past-tense verb ("will replace the quota imposed on March 3").

    >>> told_ahead("Jakarta said on Friday it will ban nickel ore exports on ")
    True
    >>> told_ahead("Jakarta said on "), told_ahead("the ban will replace the quota imposed on ")
    (False, False)
    >>> told_ahead("the ban takes effect from "), told_ahead("the ban took effect from ")
    (True, False)
    """
    clause = _CLAUSE_CUT.split(before[-160:])[-1]
    ahead = [m.end() for m in _WILL_CUE.finditer(clause)]
    past = [m.end() for m in _PAST_VERB.finditer(clause)]
    if not ahead:
        # a forward preposition looks ahead only where no past-tense verb tells otherwise
        return not past and _FORWARD_PREP.search(clause) is not None
    return not past or max(ahead) > max(past)


def _ahead_if_told_so(date: dt.date | None, before: str, anchor: dt.date) -> dt.date | None:
    """A day without its year told in the future tense ("will take effect on January 1") is
    not before the reference date: the year after when the nearest one lies behind."""
    if date is None or date >= anchor or not told_ahead(before):
        return date
    try:
        return date.replace(year=date.year + 1)
    except ValueError:
        return date.replace(year=date.year + 1, day=28)


def weekday_after(anchor: dt.date, weekday: int) -> dt.date:
    """The earliest date on or after ``anchor`` falling on ``weekday`` (Monday = 0): a
    weekday in a clause told in the future ("the ban will take effect on Monday").

    ``d = A + ((weekday − wd(A)) mod 7)``.

    >>> weekday_after(dt.date(2025, 6, 11), 0)  # a Wednesday; "will start on Monday"
    datetime.date(2025, 6, 16)
    """
    out: dt.date = anchor + relativedelta(weekday=_WD_OBJ[weekday](+1))
    return out


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


_WD_OBJ: tuple[weekday, ...] = (MO, TU, WE, TH, FR, SA, SU)


def _with_rel_year(
    date: dt.date | None, rel: str | None, published: dt.date | None
) -> dt.date | None:
    """``28 February next year``: the year is ``Y+1`` (``this year``: ``Y``)."""
    if date is None or rel is None or published is None:
        return date
    year = published.year + {"next": 1, "this": 0, "last": -1}[rel.lower()]
    try:
        return date.replace(year=year)
    except ValueError:
        return date.replace(year=year, day=28)


def weekday_before(published: dt.date, weekday: int) -> dt.date:
    """The latest date on or before ``published`` falling on ``weekday`` (Monday = 0).

    ``d = P − ((wd(P) − weekday) mod 7)``.

    >>> weekday_before(dt.date(2025, 7, 11), 3)  # a Friday; "on Thursday"
    datetime.date(2025, 7, 10)
    """
    out: dt.date = published + relativedelta(weekday=_WD_OBJ[weekday](-1))
    return out


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Every date expression in ``text`` that can be resolved (relative ones need ``published``).

    >>> [m.date.isoformat() for m in find_dates("said on Sunday it would act until Nov. 27, 2026",
    ...                                          dt.date(2025, 11, 10))]
    ['2025-11-09', '2026-11-27']
    """
    out: list[DateMention] = []
    for m in DATE_RE.finditer(text):
        g = m.groupdict()
        date: dt.date | None = None
        precision = "day"
        try:
            if g["mdy"]:
                mon = _month(g["mdy"].split()[0])
                day = int(g["d1"])
                if g["y1"]:
                    date = dt.date(int(g["y1"]), mon, day)
                elif published:
                    date = _nearest_year(mon, day, published)
                    date = _past_if_told_so(date, text[: m.start()], published)
                    date = _ahead_if_told_so(date, text[: m.start()], published)
                    date = _with_rel_year(date, g["rel1"], published)
            elif g["dmy"]:
                mon = _month([w for w in g["dmy"].split() if w.lower() != "of"][1])
                day = int(g["d2"])
                if g["y2"]:
                    date = dt.date(int(g["y2"]), mon, day)
                elif published:
                    date = _nearest_year(mon, day, published)
                    date = _past_if_told_so(date, text[: m.start()], published)
                    date = _ahead_if_told_so(date, text[: m.start()], published)
                    date = _with_rel_year(date, g["rel2"], published)
            elif g["my"]:
                date = dt.date(int(g["y3"]), _month(g["my"].split()[0]), 1)
                precision = "month"
            elif g["bm"] and published:
                date = _bare_month(g["bmp"], _month(g["bmn"]), text[: m.start()], published)
                date = _with_rel_year(date, g["rel3"], published)
                precision = "month"
            elif g["yr"] and (g["y6"] or published):
                # "from 2029", "starting next year": the year's first day, as a start
                if g["y6"]:
                    year = int(g["y6"])
                elif published is not None:
                    year = published.year + (1 if g["rel6"].lower() == "next" else 0)
                date = dt.date(year, 1, 1)
                precision = "year"
            elif g["iso"]:
                date = dt.date(int(g["y4"]), int(g["m4"]), int(g["d4"]))
            elif published is None:
                date = None
            elif g["wdf"]:
                # "this Friday", "until Friday": the next such day
                date = weekday_after(published, WEEKDAYS[g["wdfn"].lower()])
            elif g["ago"]:
                raw = g["agon"].lower()
                n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
                if g["agou"].lower().startswith("day"):
                    date = published - dt.timedelta(days=n)
                else:
                    # "two weeks ago" names no day: that week's Monday
                    back = published - dt.timedelta(weeks=n)
                    date = back - dt.timedelta(days=back.weekday())
                    precision = "week"
            elif g["wd"]:
                wd = WEEKDAYS[g["wdn"].lower()]
                last = re.search(r"\blast\s+$", text[: m.start("wdn")], re.I)
                if not last and told_ahead(text[: m.start()]):
                    # "the ban will take effect on Monday": the next such day
                    date = weekday_after(published, wd)
                else:
                    date = weekday_before(published, wd)
                if date == published and last:
                    # "last Wednesday" said on a Wednesday: the week before
                    date = published - dt.timedelta(days=7)
            elif g["lastmonth"]:
                date = published.replace(day=1) - relativedelta(months=1)
                precision = "month"
            elif g["nextmonth"]:
                date = published.replace(day=1) + relativedelta(months=1)
                precision = "month"
            elif g["thismonth"]:
                date = published.replace(day=1)
                precision = "month"
            elif g["today"]:
                date = published
            elif g["yday"]:
                date = published - dt.timedelta(days=1)
            elif g["week"]:
                # a week names no day: its Monday, at the precision of a week
                date = published - dt.timedelta(days=published.weekday())
                precision = "week"
            elif g["lastweek"]:
                date = published - dt.timedelta(days=published.weekday() + 7)
                precision = "week"
            elif g["endy"]:
                date = dt.date(int(g["y5"]), 12, 31)
        except (ValueError, KeyError):
            date = None
        if date is not None:
            # a month without its year starts at the month's name: the preposition before it
            # ("until", "from") tells how the date is used, as for other dates
            at = (
                m.start("wdfn")
                if g["wdf"]
                else m.start("bmn")
                if g["bm"]
                else (m.start("y6") if g["y6"] else m.start("rel6"))
                if g["yr"]
                else m.start()
            )
            out.append(DateMention(at, m.end(), text[at : m.end()], date, precision))
    return out


def parse_duration(text: str) -> str | None:
    """ISO 8601 period of the first "N units" in ``text`` ("six months" → ``P6M``).

    >>> parse_duration("for six months"), parse_duration("a one-year suspension")
    ('P6M', 'P1Y')
    """
    m = DURATION_RE.search(text)
    if not m:
        return None
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = m.group("unit").lower()
    return f"P{n}{ {'year': 'Y', 'month': 'M', 'week': 'W', 'day': 'D'}[unit] }".replace(" ", "")


def add_period(start: dt.date, period: str) -> dt.date:
    """``start`` plus an ISO 8601 period of one unit (``P6M``, ``P1Y``, ``P90D``, ``P2W``).

    Months are added on the calendar, the day clipped to the month's end.

    >>> add_period(dt.date(2025, 2, 22), "P4M"), add_period(dt.date(2024, 8, 31), "P6M")
    (datetime.date(2025, 6, 22), datetime.date(2025, 2, 28))
    """
    m = re.fullmatch(r"P(\d+)([YMWD])", period)
    if not m:
        raise ValueError(f"unsupported period {period!r}")
    n, unit = int(m.group(1)), m.group(2)
    step = {
        "D": relativedelta(days=n),
        "W": relativedelta(weeks=n),
        "M": relativedelta(months=n),
        "Y": relativedelta(years=n),
    }[unit]
    out: dt.date = start + step
    return out
