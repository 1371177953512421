"""What a change-verb rule is: the change it reports and where its people stand.

Shared by the language profiles (``lexicon.py`` for English, ``profiles/zh.py`` for
Chinese) and the stages that read them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

JOINED = "joined"

LEFT = "left"

ROLE_CHANGED = "role_changed"

# Trigger kinds, i.e. where the people around a change verb sit.
INTRANS = "intrans"  # PERSON resigned / PERSON joined: the person comes before

TRANS = "trans"  # COMPANY appointed PERSON / PERSON was appointed

SUCCESSION = "succession"  # NEW succeeds OLD

SUCCEEDED_BY = "succeeded_by"  # OLD was replaced by NEW

AFTER = "after"  # 新增 PERSON: the person comes after


@dataclass(frozen=True)
class TriggerRule:
    pattern: re.Pattern[str]
    change: str
    kind: str
    needs_role: bool = False  # "became" or "being" only count with a role
    before: re.Pattern[str] | None = None  # must match the text before the verb
