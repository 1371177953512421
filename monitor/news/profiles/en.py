"""The English profile: what English company news needs beyond single sentences.

A company is named in full once ("Flight Dynamics Inc", "<Terrapet Energy Corp>") and
then by a shorter name ("Flight Dynamics", "Terrapet"), or by "the company" and "it".
So before the sentences are read, the whole document's full names give the short names
it may use later, and the company the story is about (the announcing company) is the
one the headline names, else the first one named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from monitor.news.rules import (
    AFTER,
    INTRANS,
    JOINED,
    LEFT,
    ROLE_CHANGED,
    SUCCEEDED_BY,
    SUCCESSION,
    TRANS,
    TriggerRule,
)

__all__ = ["OBSERVER", "SELF_REFERENCE", "TRIGGERS", "DocumentCompanies", "document_companies"]


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Words: roles, change verbs, hedges, anaphors, name parts
# ---------------------------------------------------------------------------------------

# English roles, longest first. The value is the canonical label.
_EN_ROLES: tuple[tuple[str, str], ...] = (
    (r"chairm[ae]n of (?:the )?(?:board of )?supervisors", "chairman of supervisors"),
    (
        r"chair(?:man|woman|person)? of the supervisory (?:board|committee)",
        "chairman of supervisors",
    ),
    (r"legal representatives?|legal person", "legal representative"),
    (r"(?:vice|deputy)[ -]chair(?:man|woman|person)?", "vice chairman"),
    (r"independent (?:non-executive )?directors?", "independent director"),
    (r"non-executive directors?", "non-executive director"),
    (r"executive directors?", "executive director"),
    (r"(?:company |board |corporate )?secretary", "secretary"),
    (r"chief executive(?: officer)?|CEO", "CEO"),
    (r"chief financial officer|finance chief|CFO", "CFO"),
    (r"chief operating officer|COO", "COO"),
    (r"chief technology officer|technology chief|CTO", "CTO"),
    (r"(?:senior |executive )?vice[ -]presidents?|VP", "vice president"),
    (r"president", "president"),
    (r"chair(?:man|woman|person)|chair", "chairman"),
    (r"general managers?", "general manager"),
    (r"(?:managing )?partners?", "partner"),
    (r"supervisors?", "supervisor"),
    (
        r"directors?|board members?|(?:(?<=from )|(?<=join )|(?<=joins )|(?<=joined )"
        r"|(?<=left )|(?<=leaves )|(?<=on )|(?<=to ))(?:the |its )?board(?: of directors)?",
        "director",
    ),
    (r"managers?", "manager"),
)

EN_ROLE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<r{i}>{p})" for i, (p, _) in enumerate(_EN_ROLES))
    + r")(?![\w-])",
    re.IGNORECASE,
)
EN_ROLE_LABELS: tuple[str, ...] = tuple(label for _, label in _EN_ROLES)


ROLE_ORDER: tuple[str, ...] = (
    "legal representative",
    "chairman",
    "vice chairman",
    "executive director",
    "director",
    "independent director",
    "non-executive director",
    "general manager",
    "deputy general manager",
    "manager",
    "supervisor",
    "chairman of supervisors",
    "secretary",
    "president",
    "vice president",
    "CEO",
    "CFO",
    "COO",
    "CTO",
    "partner",
)

_BE_GOT = r"(?:was|were|is|are|be|been|being|has been|have been|had been|got|gets|get)"

EN_TRIGGERS: tuple[TriggerRule, ...] = (
    # order matters: longer phrases first, overlapping matches are dropped
    TriggerRule(
        _en(
            r"(?:did|does|do|will|would) not (?:stand|seek|run) for re-?election"
            r"|(?:did|does|do|will|would) not seek re-?election"
            r"|(?:declined|decided not) to (?:stand|seek|run) for re-?election"
        ),
        LEFT,
        INTRANS,
    ),
    TriggerRule(
        _en(r"no longer(?: serves?| serving| holds?| acts?| is| a)?(?: as)?"), LEFT, INTRANS
    ),
    TriggerRule(_en(r"(?:was|were|has been|have been|is) found absent from"), LEFT, INTRANS),
    TriggerRule(_en(r"ceased? to (?:be|serve as|act as)"), LEFT, INTRANS),
    TriggerRule(
        _en(_BE_GOT + r" (?:replaced|succeeded) by|(?:will|to) be (?:replaced|succeeded) by"),
        LEFT,
        SUCCEEDED_BY,
    ),
    TriggerRule(
        _en(r"hand(?:s|ed|ing)? over (?:the (?:reins|role|post|job)s? )?to"), LEFT, SUCCEEDED_BY
    ),
    TriggerRule(
        _en(
            r"(?:ha(?:s|ve|d) )?t(?:ake|akes|ook|aken|aking) (?:on|up) the (?:positions?|roles?"
            r"|posts?|jobs?|title) of|assum(?:e|es|ed|ing) the (?:positions?|roles?"
            r"|posts?|title) of"
        ),
        JOINED,
        INTRANS,
    ),
    TriggerRule(_en(_BE_GOT + r" taken over by"), JOINED, AFTER),
    TriggerRule(_en(r"t(?:ake|akes|ook|aken|aking) over(?: as)?"), JOINED, INTRANS),
    TriggerRule(_en(r"tender(?:s|ed|ing)? (?:his|her|their) resignations?"), LEFT, INTRANS),
    TriggerRule(_en(r"step(?:s|ped|ping)? down|stood down|stands? down"), LEFT, INTRANS),
    TriggerRule(
        _en(
            r"resign(?:s|ed|ing)?|quit(?:s|ting)?|retir(?:e|es|ed|ing)"
            r"|depart(?:s|ed|ing)?|exit(?:s|ed|ing)?|relinquish(?:es|ed|ing)?"
            r"|left|leav(?:e|es|ing)"
        ),
        LEFT,
        INTRANS,
    ),
    TriggerRule(_en(r"remov(?:e|es|ed)|dismiss(?:es|ed)?|fired|ous?ted|sacked"), LEFT, TRANS),
    TriggerRule(_en(r"succeed(?:s|ed|ing)?|replac(?:e|es|ed|ing)"), JOINED, SUCCESSION),
    TriggerRule(_en(r"promot(?:e|es|ed|ing)|redesignated|re-designated"), ROLE_CHANGED, TRANS),
    TriggerRule(
        _en(
            r"appoint(?:s|ed|ing)?|nam(?:e|es|ed|ing)|elect(?:s|ed|ing)?|hir(?:e|es|ed|ing)"
            r"|install(?:s|ed)|tapp(?:ed)|recruit(?:s|ed)|cho(?:se|sen)|select(?:s|ed)"
        ),
        JOINED,
        TRANS,
    ),
    TriggerRule(_en(r"join(?:s|ed|ing)?|rejoin(?:s|ed)?"), JOINED, INTRANS),
    TriggerRule(_en(r"bec(?:ame|omes|ome|oming)"), JOINED, INTRANS, needs_role=True),
    TriggerRule(_en(r"being (?:its|the(?: company's)?|their)"), JOINED, INTRANS, needs_role=True),
    TriggerRule(
        _en(r"as (?:its|the(?: company's)?|their)(?: new| first)?"),
        JOINED,
        INTRANS,
        needs_role=True,
        before=re.compile(r"\bwith\s+\S[^,;]{0,40}$"),
    ),
)


# Words that make a nearby change verb something other than a reported change:
# denials, rumours, plans, conditions, negation and background.
EN_HEDGE = re.compile(
    r"(?<![\w-])(?:den(?:y|ies|ied|ying)|refut\w*|dismiss(?:ed|es)? (?:reports|rumou?rs)"
    r"|rumou?r\w*|speculat\w*|unconfirmed|no plans?|not(?! only)|never|n't|plan(?:s|ned|ning)? to"
    r"|intend(?:s|ed)? to|consider\w*|expected to|may|might|could|whether|if|unless"
    r"|in talks|prior to|hopes? to|wants? to|would like to"
    r"|was to|were to|offered to|threaten\w* to|asked to"
    # hearsay, odds and demands: no change has been made
    r"|reportedly|is said to|are said to|likely to|tipped to|front-?runner|short-?list\w*"
    r"|familiar with|call(?:s|ed|ing)? (?:for|on)|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?"
    r"|refus(?:e|es|ed|ing) to|declin(?:e|es|ed|ing) to"
    r"|no (?:intention|desire|interest)s?|ask(?:s|ed|ing)? (?:shareholders|stockholders) to)"
    r"(?![\w-])|n't",
    re.IGNORECASE,
)
# right before the verb these make it background: "had previously resigned"
EN_RIGHT_BEFORE = re.compile(
    r"\b(?:previously|formerly|once|originally|first)\s+(?:\w+\s+)?$", re.IGNORECASE
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b|\bsince\b|\bago\b|\bearlier in\b", re.IGNORECASE)

EN_HEDGE_AFTER = re.compile(
    r"^[^.;]{0,40}\b(?:rumou?rs?|speculation|reports? (?:was|were|is|are) (?:false|untrue))\b",
    re.IGNORECASE,
)

EN_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
# words a sentence about a different set of companies uses for its object
EN_OTHER_COMPANIES = re.compile(
    r"\b(?:compan(?:y|ies)|firms?|entities|businesses|subsidiaries|units?|boards)\b", re.I
)

# The company is the one just mentioned.
EN_COMPANY_ANAPHOR = re.compile(
    r"\b(?:the (?:company|firm|group|bank|carmaker|automaker|business|lender|insurer|board)"
    r"|its)\b(?!-)",
    re.IGNORECASE,
)

# English name parts that are not names.
NOT_NAME_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "on",
        "in",
        "at",
        "as",
        "of",
        "by",
        "for",
        "to",
        "from",
        "with",
        "and",
        "or",
        "but",
        "so",
        "yet",
        "also",
        "after",
        "before",
        "since",
        "during",
        "until",
        "meanwhile",
        "however",
        "today",
        "yesterday",
        "tomorrow",
        "earlier",
        "later",
        "last",
        "next",
        "this",
        "that",
        "these",
        "those",
        "its",
        "his",
        "her",
        "their",
        "he",
        "she",
        "it",
        "they",
        "we",
        "our",
        "you",
        "notably",
        "according",
        "former",
        "new",
        "interim",
        "acting",
        "chief",
        "executive",
        "officer",
        "financial",
        "operating",
        "technology",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "president",
        "vice",
        "director",
        "directors",
        "board",
        "manager",
        "general",
        "partner",
        "secretary",
        "supervisor",
        "ceo",
        "cfo",
        "coo",
        "cto",
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "madam",
        "founder",
        "co",
        "ltd",
        "inc",
        "plc",
        "corp",
        "company",
        "group",
        "limited",
        "holdings",
        "bank",
        "technology",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "photo",
        "credit",
        "source",
        "reuters",
        "bloomberg",
        "xinhua",
        "beijing",
        "shanghai",
        "shenzhen",
        "wuhan",
        "chengdu",
        "hong",
        "kong",
        "china",
        "chinese",
        "london",
        "new",
        "york",
        "singapore",
        "tokyo",
        "berlin",
        "paris",
        "frankfurt",
        "munich",
        "kuala",
        "lumpur",
        "malaysia",
        "germany",
        "japan",
        "europe",
        "asia",
        "america",
        "american",
        "british",
        "german",
        "french",
        "us",
        "uk",
        "eu",
        "sources",
        "filings",
        "filing",
        "analysts",
        "shares",
        "stock",
        "exchange",
        "court",
        "police",
        "government",
        "ministry",
    ]
)


NOT_NAME_WORDS = NOT_NAME_WORDS | frozenset(
    ["datuk", "dato", "datin", "tun", "puan", "haji", "lord", "lady", "dame"]
)

# a sentence that says the one before it was untrue
EN_DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied)|false|untrue|baseless|inaccurate|unfounded|not true)\b", re.I
)
# a bare year in the clause of a past change makes it background ("joined in 2009")
EN_BARE_YEAR = re.compile(r"\b(?:in|since|back in)\s+(?:19|20)\d\d\b", re.IGNORECASE)


_BE = r"(?:was|were|is|are|be|been|being|has been|have been|had been)"
_OFFICE = r"(?:chairman|chairwoman|president|director|chief|ceo|cfo|coo|treasurer|secretary)"
_DUTIES = r"(?:duties|posts?|positions?|roles?|titles?|jobs?)"

# Offices beyond the general roles (EN_ROLE above): the value is the label.
_ROLES: tuple[tuple[str, str], ...] = (
    (r"treasurer", "treasurer"),
    (r"(?:corporate )?controller|comptroller", "controller"),
    (r"general counsel|chief legal officer", "general counsel"),
    # "senior vice president-finance"
    (r"(?:senior |executive |group )?vice[ -]president(?=-[a-z])", "vice president"),
)
ROLE = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(_ROLES)) + r")(?![\w])",
    re.IGNORECASE,
)
ROLE_LABELS: tuple[str, ...] = tuple(label for _, label in _ROLES)

# Places that begin many names too ("Chengdu Li"): part of a name when one follows.
PLACES = frozenset(
    ["beijing", "shanghai", "shenzhen", "wuhan", "chengdu", "london", "china", "chinese"]
)

# Change constructions of company news, tried before the general change verbs.
TRIGGERS: tuple[TriggerRule, ...] = (
    # "Geiger's post has been filled by John Desmond"
    TriggerRule(_en(_BE + r" filled by"), JOINED, AFTER),
    # "was relieved of his duties"
    TriggerRule(_en(r"relieved of (?:his|her|their|all) " + _DUTIES), LEFT, INTRANS),
    # "will assume the added duties of", "assuming his duties"
    TriggerRule(
        _en(
            r"assum(?:e|es|ed|ing) (?:the |his |her |their )?(?:added |additional |new |former )?"
            + _DUTIES
            + r"(?: of)?"
        ),
        JOINED,
        INTRANS,
    ),
    # "will take an early retirement", "took early retirement"
    TriggerRule(_en(r"t(?:ake|akes|ook|aken|aking) (?:an )?early retirement"), LEFT, INTRANS),
    # "announced the appointment of Jane Doe as CFO", "accepted the resignation of"
    TriggerRule(_en(r"(?:the )?(?:appointment|election|nomination)s? of"), JOINED, TRANS),
    TriggerRule(
        _en(r"(?:the )?(?:resignation|retirement|departure|removal|dismissal|ouster)s? of"),
        LEFT,
        TRANS,
    ),
    # "nominated Richard Roe ... for election to its board"
    TriggerRule(_en(r"nominat(?:e|es|ed|ing)"), JOINED, TRANS),
    # "Joseph Roe, currently president, will be vice chairman"
    TriggerRule(
        _en(r"will be(?= (?:the |its |a |an )?(?:[a-z-]+ ){0,2}" + _OFFICE + ")"),
        JOINED,
        INTRANS,
        needs_role=True,
    ),
    # "will serve as acting chief executive"
    TriggerRule(_en(r"(?:will|to|shall) (?:also )?serve as"), JOINED, INTRANS, needs_role=True),
    # "will step aside", "stepped aside as chairman"
    TriggerRule(_en(r"step(?:s|ped|ping)? aside"), LEFT, INTRANS),
    # "took the reins from", "was ushered into retirement"
    TriggerRule(_en(r"t(?:ake|akes|ook|aken|aking) (?:over )?the reins"), JOINED, INTRANS),
    TriggerRule(
        _en(r"(?:ushered|eased|forced|pushed|nudged) (?:in)?to retirement|(?:forced|pushed) out"),
        LEFT,
        INTRANS,
    ),
    # "added Jane Doe to its board"
    TriggerRule(_en(r"add(?:s|ed|ing)"), JOINED, TRANS, needs_role=True),
)

# "it said", "the company said", "its board": the company the story is about
SELF_REFERENCE = re.compile(
    r"(?:^|[,;]\s*|\bthat\s+)(?:It|it)\s+(?:also\s+)?(?:said|named|appointed|elected|announced)\b"
    r"|\bthe (?:company|firm|group|bank|corporation|concern)\b|\bits\b",
    re.IGNORECASE,
)

_LEGAL = re.compile(
    r"(?:,?\s+(?:Co\.?,?\s*Ltd\.?|Company|Co\.?|Inc\.?|Incorporated|Corp\.?|Corporation|Ltd\.?"
    r"|Limited|plc|PLC|LLC|L\.P\.|LP|AG|SE|N\.V\.|S\.A\.|NV|SA|Group|Holdings?|Cos\.?))+$"
)
# Reuters writes a company's name in angle brackets: "<Terrapet Energy Corp>"
_BRACKETED = re.compile(r"<([A-Z][^<>]{1,60})>")
# words that begin many company names and mean nothing alone
_GENERIC = frozenset(
    [
        "american",
        "national",
        "general",
        "first",
        "united",
        "international",
        "new",
        "north",
        "south",
        "east",
        "west",
        "western",
        "eastern",
        "northern",
        "southern",
        "central",
        "pacific",
        "atlantic",
        "continental",
        "federal",
        "commercial",
        "industrial",
        "financial",
        "savings",
        "security",
        "standard",
        "great",
        "royal",
        "global",
        "the",
        "a",
        "an",
        "and",
        "of",
        "for",
        "in",
        "on",
        "at",
        "by",
        "to",
    ]
)


# words that end (or make) the name of an organisation, never a person's
_ORG_WORDS = """association bancorp bancshares bank banks bankshares savings trust partners airlines
    airways industries laboratories labs systems technologies technology electronics
    communications motors resources energy exploration petroleum oil gas mining minerals
    pharmaceuticals pharmaceutical insurance financial securities capital investors stores
    enterprises international corporation company companies inc corp ltd plc group holdings
    division unit subsidiary products services software networks media entertainment
    foods brands manufacturing equipment instruments semiconductor semiconductors
    chemical chemicals steel properties realty fund funds force army navy agency
    commission committee council department ministry board exchange university college
    institute hospital video studios pictures broadcasting aircraft aerospace news
    officers directors executives employees shareholders arrangements members
    bureau administration authority court police parliament senate congress"""
ORG_WORDS = frozenset(_ORG_WORDS.split())

_CAP_WORD = r"[A-Z][\w&'’.-]*"
_LINKED = r"(?:[ \t]+(?:of|and|&|for|de)[ \t]+" + _CAP_WORD + r"|[ \t]+" + _CAP_WORD + ")"
_CAP_RUN = _CAP_WORD + _LINKED + "*"
# Reuters: "FLIGHT DYNAMICS <FLTY> CHAIRMAN STEPS DOWN"
_TICKER_HEADLINE = re.compile(r"^\s*(?P<name>[A-Z][A-Z0-9&'.,\- ]{1,60}?)\s*<[A-Z0-9.]+>")
# "PORTLAND, Ore., March 26 - Flight Dynamics Inc said ..."
_DATELINE_SUBJECT = re.compile(
    r"^[A-Z][A-Za-z .,']{1,40},\s+(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|[A-Z][a-z]+)\s+-\s+"
    r"(?:<)?(?P<name>" + _CAP_RUN + r")>?\s+(?:said|reported|announced|elected|appointed|named)\b",
    re.MULTILINE,
)
_TAIL = re.compile(_LINKED + "*")
_ORG_RUN = re.compile(r"(?<![\w-])(?P<name>" + _CAP_RUN + r")")


# in the clause of a past change these make it background: "joined in 2009", "a year ago"
BACKGROUND_TIME = re.compile(
    r"\b(?:in|since|back in)\s+(?:19|20)\d\d\b|\b(?:years?|months?)\s+ago\b"
    r"|\blast year\b|\bin the past\b",
    re.IGNORECASE,
)
# before a change verb these make it a search, not a change: "is looking for a new chief
# executive to replace John Smith"
HEDGE = re.compile(
    r"\b(?:looking for|search(?:es|ing)? for|seek(?:s|ing)?|hunt(?:s|ing)? for|hopes? to find"
    r"|candidates? to)\b",
    re.IGNORECASE,
)
# "will remain as chairman", "continues as chairman and chief executive": offices kept
KEEPS = re.compile(
    r"\b(?:will|would|to) (?:remain|continue|stay)(?: on)?(?: as)?\b"
    r"|\b(?:remains|continues)(?: as)?\b",
    re.IGNORECASE,
)
# "according to Alder Securities Inc analyst Ann Vo": a company whose analyst speaks is the
# source of the news, not the employer in it
OBSERVER = re.compile(
    r"\s+(?:(?:chief|senior|equity|industry)\s+)?(?:analyst|economist|strategist)s?\b", re.I
)
# "nominated for re-election": the same office again
RE_ELECTION = re.compile(r"[^.;]{0,60}?\bre-?elect", re.IGNORECASE)
# "hired as a consultant", "named as a defendant": a part that is no office
NOT_OFFICE = re.compile(
    r"[^,;.]{0,60}?\bas (?:a |an |the )?(?:\w+ )?(?:consultant|adviser|advisor|defendant|witness"
    r"|spokes(?:man|woman|person)|lawyer|attorney|employee|trustee|receiver|agent|auditor)s?\b",
    re.IGNORECASE,
)


def is_history(when: str | None, published: date | None) -> bool:
    """A change dated six months or more before the story is background, not news
    ("took up his duties in June 1986" in a March 1987 story)."""
    if when is None or published is None or not when[:4].isdigit():
        return False
    year, month = int(when[:4]), int(when[5:7]) if len(when) >= 7 else 1
    return (published.year * 12 + published.month) - (year * 12 + month) >= 6


_UNITS = frozenset(["division", "unit", "subsidiary", "department", "group"])
_LINKS = frozenset(["the", "a", "an", "and", "of", "for", "in", "on", "at", "by", "to", "&"])


@dataclass(frozen=True)
class DocumentCompanies:
    """Short names the document uses for its companies (short -> full), and the company
    the story is about."""

    names: Mapping[str, str]
    announcing: str | None


def stem(name: str) -> str:
    """The name without its legal form: "Flight Dynamics Inc" -> "Flight Dynamics"."""
    return _LEGAL.sub("", name.strip()).strip(" ,")


def document_companies(text: str, full_names: Iterable[str]) -> DocumentCompanies:
    """Short names for the companies named in full (``full_names``, in text order)."""
    full = list(dict.fromkeys([*full_names, *_bracketed(text), *_cued(text)]))
    # "American Vision" found alone is the start of "American Vision Centers Inc"
    full = [n for n in full if not any(o != n and o.startswith(n + " ") for o in full)]
    owners: dict[str, set[str]] = {}
    for name in full:
        for short in _short_forms(name, text):
            owners.setdefault(short, set()).add(name)
    # "Xiaomi" for both "Xiaomi Technology Co." and "Xiaomi Automobile Co.": neither
    names = {short: next(iter(fulls)) for short, fulls in owners.items() if len(fulls) == 1}
    return DocumentCompanies(names, _announcing(text, full))


def _cued(text: str) -> list[str]:
    """Companies named without a legal form: the one before the headline's ticker (as the
    text spells it), the subject of the dateline sentence, names ending in an
    organisation word ("Valley Federal Savings and Loan Association")."""
    out: list[str] = []
    headline = next((line for line in text.splitlines() if line.strip()), "")
    ticker = _TICKER_HEADLINE.match(headline)
    if ticker:
        head = ticker.group("name").strip(" ,.")
        body = len(headline)  # the body's spelling, not the headline's capitals
        spelled = r"[\s,]+".join(re.escape(w) for w in head.replace(",", " ").split())
        m = re.compile(r"(?<![\w-])" + spelled + r"\b", re.IGNORECASE).search(text, body)
        if m:
            tail = _TAIL.match(text, m.end())
            out.append(_trim_run(m.group() + (tail.group() if tail else ""), head))
    out.extend(m.group("name") for m in _DATELINE_SUBJECT.finditer(text))
    for m in _ORG_RUN.finditer(text):
        words = m.group("name").split()
        if (
            len(words) >= 2
            and words[-1].lower().strip(".,") in ORG_WORDS
            and words[0] != "The"
            and re.search("[a-z]", m.group("name"))  # not a headline in capitals
            and not re.search(r"['’]s\b", m.group("name"))  # "IBM's General Technology Division"
        ):
            out.append(m.group("name"))
    return [n for n in (o.strip(" ,.") for o in out) if len(n) >= 3]


def _trim_run(run: str, head: str) -> str:
    """The capitalised run after the headline name, without a trailing "Inc"-less
    sentence word: at most the headline's words plus three."""
    words = run.split()
    keep = len(head.split()) + 3
    return " ".join(words[:keep])


def _bracketed(text: str) -> list[str]:
    return [
        m.group(1).strip()
        for m in _BRACKETED.finditer(text)
        if re.search(r"[a-z]", m.group(1)) and " " in m.group(1).strip()
    ]


def _short_forms(name: str, text: str) -> list[str]:
    """The stem, and leading parts of it that the text uses on their own."""
    base = stem(name)
    words = base.split()
    if not words or not words[0][:1].isupper():
        return []
    out = [name, base] if base != name and len(base) >= 3 else [name]
    if words[-1].lower() in _UNITS:
        return out  # "IBM" alone is the parent, not "IBM General Products Division"
    if len(words) == 1 and words[0].isupper() and len(words[0]) >= 4:
        out.append(words[0].title())  # "ROLM Corp" is "Rolm" in the text
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n])
        alone = r"(?<![\w-])" + re.escape(head) + r"\b(?![ \t]+" + re.escape(words[n]) + ")"
        if _usable(words[:n], text) and re.search(alone, text):
            out.append(head)
    return out


def _usable(words: list[str], text: str) -> bool:
    """A leading part is a name when it does not end in a linking word and is not a
    common word ("American", or a word the text also writes in lower case)."""
    last = words[-1]
    if last.lower() in _LINKS or not last[:1].isupper():
        return False
    if len(words) == 1:
        word = words[0]
        lowered = re.search(r"\b" + re.escape(word.lower()) + r"\b", text) is not None
        return len(word) >= 3 and word.lower() not in _GENERIC and not lowered
    return True


def _announcing(text: str, full: list[str]) -> str | None:
    """The company the headline names, else the first company of the text."""
    if not full:
        return None
    headline = next((line for line in text.splitlines() if line.strip()), "").upper()
    for name in full:
        words = stem(name).upper().split()
        if words and " ".join(words[: max(1, min(2, len(words)))]) in headline:
            return name
    return full[0]
