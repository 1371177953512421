"""Words the news extractor recognises: roles, change verbs, hedges, name parts.

Everything here is data. The patterns are compiled once and used by the pure
functions in ``mentions.py`` and ``extract.py``.
"""

from __future__ import annotations

from monitor.news import rules
from monitor.news.profiles import en, zh

# The change kinds and verb rules (monitor/news/rules.py), the English words
# (monitor/news/profiles/en.py) and the Chinese words (monitor/news/profiles/zh.py),
# under the names the stages use.
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
ROLE_ORDER = en.ROLE_ORDER
EN_ROLE = en.EN_ROLE
EN_ROLE_LABELS = en.EN_ROLE_LABELS
EN_TRIGGERS = en.EN_TRIGGERS
EN_HEDGE = en.EN_HEDGE
EN_RIGHT_BEFORE = en.EN_RIGHT_BEFORE
YEAR = en.YEAR
EN_HEDGE_AFTER = en.EN_HEDGE_AFTER
EN_PRONOUN = en.EN_PRONOUN
EN_OTHER_COMPANIES = en.EN_OTHER_COMPANIES
EN_COMPANY_ANAPHOR = en.EN_COMPANY_ANAPHOR
NOT_NAME_WORDS = en.NOT_NAME_WORDS
EN_DENIAL = en.EN_DENIAL
EN_BARE_YEAR = en.EN_BARE_YEAR
