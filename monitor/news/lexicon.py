"""Words the news extractor recognises: roles, change verbs, hedges, name parts.

Everything here is data. The patterns are compiled once and used by the pure
functions in ``mentions.py`` and ``extract.py``.
"""

from __future__ import annotations

import re

from monitor.news import rules
from monitor.news.profiles import zh

# The change kinds and verb rules (monitor/news/rules.py) and the Chinese words
# (monitor/news/profiles/zh.py), under the names the stages use.
AFTER = rules.AFTER
INTRANS = rules.INTRANS
JOINED = rules.JOINED
LEFT = rules.LEFT
ROLE_CHANGED = rules.ROLE_CHANGED
SUCCEEDED_BY = rules.SUCCEEDED_BY
SUCCESSION = rules.SUCCESSION
TRANS = rules.TRANS
TriggerRule = rules.TriggerRule
ZH_COMPANY_ANAPHOR = zh.ZH_COMPANY_ANAPHOR
ZH_COMPOUND_SURNAMES = zh.ZH_COMPOUND_SURNAMES
ZH_DENIAL = zh.ZH_DENIAL
ZH_HEDGE = zh.ZH_HEDGE
ZH_HEDGE_AFTER = zh.ZH_HEDGE_AFTER
ZH_NAME_LEFT = zh.ZH_NAME_LEFT
ZH_NAME_RIGHT = zh.ZH_NAME_RIGHT
ZH_NOT_NAME_END = zh.ZH_NOT_NAME_END
ZH_PRONOUN = zh.ZH_PRONOUN
ZH_ROLE = zh.ZH_ROLE
ZH_ROLE_LABELS = zh.ZH_ROLE_LABELS
ZH_ROLE_WORDS = zh.ZH_ROLE_WORDS
ZH_STATE = zh.ZH_STATE
ZH_SURNAMES = zh.ZH_SURNAMES
ZH_TRIGGERS = zh.ZH_TRIGGERS


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE)


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

_BE = r"(?:was|were|is|are|be|been|being|has been|have been|had been|got|gets|get)"

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
        _en(_BE + r" (?:replaced|succeeded) by|(?:will|to) be (?:replaced|succeeded) by"),
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
    TriggerRule(_en(_BE + r" taken over by"), JOINED, AFTER),
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
    r"|was to|were to|offered to|threaten\w* to|asked to)(?![\w-])|n't",
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
