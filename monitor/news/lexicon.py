"""Words the news extractor recognises: roles, change verbs, hedges, name parts.

Everything here is data. The patterns are compiled once and used by the pure
functions in ``mentions.py`` and ``extract.py``.
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


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + pattern + r")(?![\w-])", re.IGNORECASE)


def _zh(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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

# Chinese roles, longest first.
_ZH_ROLES: tuple[tuple[str, str], ...] = (
    ("证券事务代表", "securities affairs representative"),
    ("独立非执行董事", "independent director"),
    ("监事会主席", "chairman of supervisors"),
    ("董事会主席", "chairman"),
    ("董事局主席", "chairman"),
    ("董事局副主席", "vice chairman"),
    ("董事会秘书", "secretary"),
    ("法定代表人", "legal representative"),
    ("副董事长", "vice chairman"),
    ("董事长", "chairman"),
    ("非执行董事", "non-executive director"),
    ("执行董事", "executive director"),
    ("独立董事", "independent director"),
    ("董秘", "secretary"),
    ("董事(?![会局])", "director"),
    ("副总经理", "deputy general manager"),
    ("总经理", "general manager"),
    ("经理", "manager"),
    ("监事(?!会)", "supervisor"),
    ("高级副总裁", "vice president"),
    ("执行副总裁", "vice president"),
    ("副总裁", "vice president"),
    ("行政总裁", "CEO"),
    ("总裁", "president"),
    ("副行长", "vice president"),
    ("行长", "president"),
    ("公司秘书", "secretary"),
    ("非执董", "non-executive director"),
    ("首席市场官", "CMO"),
    ("首席信息官", "CIO"),
    ("首席风险官", "CRO"),
    ("基金经理", "fund manager"),
    ("总监", "head"),
    ("首席执行官", "CEO"),
    ("首席财务官", "CFO"),
    ("财务负责人", "CFO"),
    ("财务总监", "CFO"),
    ("首席运营官", "COO"),
    ("首席技术官", "CTO"),
    ("合伙人", "partner"),
    ("法人", "legal representative"),
    ("负责人", "head"),
    (
        "(?:提名|薪酬|审计|审核|战略|风险管理|薪酬与考核|执行|投资)?委员会(?:主席|主任)",
        "committee chairman",
    ),
    ("主管", "head"),
)
ZH_ROLE = re.compile("|".join(f"(?P<z{i}>{p})" for i, (p, _) in enumerate(_ZH_ROLES)))
ZH_ROLE_LABELS: tuple[str, ...] = tuple(label for _, label in _ZH_ROLES)
# the roles that are plain words (without the pattern parts), for prefix and suffix tests
ZH_ROLE_WORDS: tuple[str, ...] = tuple(
    w for w in (re.sub(r"\(\?![^)]*\)", "", word) for word, _ in _ZH_ROLES) if w.isalpha()
)

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

ZH_TRIGGERS: tuple[TriggerRule, ...] = (
    TriggerRule(_zh(r"不再担任|不再任职|不再出任|被免去|被免职|被罢免"), LEFT, INTRANS),
    TriggerRule(_zh(r"免去|免除|罢免|辞退|解聘|解除(?=[^，。；]{0,12}职务)"), LEFT, TRANS),
    TriggerRule(
        _zh(r"卸任|辞去|辞任|辞职|离任|离职|退任|卸下|退出|退休(?!年龄|金|人员|制度|后)"),
        LEFT,
        INTRANS,
    ),
    TriggerRule(_zh(r"接替|替代|取代"), JOINED, SUCCESSION),
    TriggerRule(_zh(r"升任|晋升为|调任"), ROLE_CHANGED, INTRANS),
    TriggerRule(_zh(r"(?:被|获)?提拔为|(?:被|获)?擢升为"), ROLE_CHANGED, INTRANS),
    TriggerRule(_zh(r"提拔|擢升"), ROLE_CHANGED, TRANS),
    # a regulator approves the person's qualification for the post: the appointment holds
    TriggerRule(_zh(r"核准(?=[^，。；]{2,40}任职资格)"), JOINED, TRANS),
    TriggerRule(_zh(r"新增|新任"), JOINED, AFTER),
    # 被任命, 获委任: the person comes before; 董事会任命某某: the person comes after
    TriggerRule(
        _zh(
            r"(?:被|获)(?:任命|聘任|聘请|委任|选举|推选|补选|增补|增选|增聘|提名(?!委员会))(?:为)?"
        ),
        JOINED,
        INTRANS,
    ),
    TriggerRule(
        _zh(r"(?:任命|聘任|聘请|委任|选举|推选|补选|增补|增选|增聘|提名(?!委员会))(?:为)?"),
        JOINED,
        TRANS,
    ),
    TriggerRule(_zh(r"出任|担任|接任|当选(?:为)?|获任|就任|履新|加入|兼任"), JOINED, INTRANS),
    # "冷某任总经理一职": a bare 任 before a role (not 曾任, 现任, 历任)
    TriggerRule(
        _zh(
            r"(?<![担出接新现曾历兼留续升调改离辞卸就获委聘主责信])任(?=(?:公司|集团)?"
            r"(?:董事|监事|总经理|副总经理|总裁|副总裁|行长|副行长|董事会秘书|财务总监|财务负责人))"
        ),
        JOINED,
        INTRANS,
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

ZH_HEDGE = re.compile(
    r"传闻|传言|网传|据传|否认|辟谣|不实|谣言|猜测|没有|并未|未曾|尚未|未(?!来)|不会|不(?!再|久|仅|同|少|断|过)"
    r"|计划|或将|可能|考虑|是否|并非|如果|若|曾经|早在|此前曾|有消息称|有媒体称|有报道称"
    r"|(?:19|20)\d\d年(?!\d{1,2}月)[^，。；]*$"
    # a résumé: "1975年出生", "2018年3月至今任", "2005年至2009年任", "历任", "毕业于"
    r"|出生|毕业于|学历|国籍|至今|迄今|历任|先后|[年月]至(?:\d|今)"
)
# right before a change verb these describe a standing position, not a change
ZH_STATE = re.compile(r"(?:曾|一直|目前|现|仍然|仍|继续|还|亦|此前|之前|先前)[^，。；]{0,6}$")
# after a change verb these turn it into a noun: 离任传闻, 辞职计划
ZH_HEDGE_AFTER = re.compile(r"^.{0,4}(?:传闻|传言|谣言|计划|一事不实|消息不实|的说法|的报道)")
EN_HEDGE_AFTER = re.compile(
    r"^[^.;]{0,40}\b(?:rumou?rs?|speculation|reports? (?:was|were|is|are) (?:false|untrue))\b",
    re.IGNORECASE,
)

EN_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
ZH_PRONOUN = re.compile(r"[他她其]")
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
ZH_COMPANY_ANAPHOR = re.compile(r"该公司|公司|该企业|董事会")

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

# Common Chinese surnames (single and compound); a generic Chinese name starts with one.
ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "洪萧赖伏储厉奚宿尉幸庹揭晁浦练芮荆蔺薄訾谌邰邸郜鄂鄢阚雍鞠佐"
)
ZH_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "慕容",
    "令狐",
    "皇甫",
    "尉迟",
    "公孙",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
    "南宫",
)

# Text that may sit right before a Chinese name.
ZH_NAME_LEFT: tuple[str, ...] = (
    "由",
    "为",
    "是",
    "和",
    "及",
    "与",
    "、",
    "显示",
    "新增",
    "同时",
    "其中",
    "此外",
    "另外",
    "日",
    "后",
    "前",
    "公司",
    "集团",
    "人",
    "长",
    "称",
    "创始人",
    "表示",
    "消息",
    "接替",
    "任命",
    "聘任",
    "选举",
    "免去",
    "变更为",
    "改为",
    "原",
    "以及",
    "而",
    "则",
    "且",
    "也",
    "均",
    "近日",
    "日前",
    "今日",
    "昨日",
    "随后",
    "此前",
)
# Text that may sit right after a Chinese name.
ZH_NAME_RIGHT: tuple[str, ...] = (
    "、",
    "和",
    "及",
    "与",
    "等",
    "的",
    "为",
    "在",
    "于",
    "已",
    "将",
    "正式",
    "同时",
    "也",
    "则",
    "被",
    "不再",
    "先生",
    "女士",
    "卸任",
    "辞去",
    "辞任",
    "辞职",
    "离任",
    "离职",
    "退出",
    "退任",
    "出任",
    "担任",
    "接任",
    "接替",
    "新任",
    "当选",
    "获任",
    "就任",
    "升任",
    "调任",
    "加入",
    "变更",
    "改为",
    "成为",
    "此前",
    "分别",
    "均",
    "还",
    "并",
    "以",
    "。",
    "，",
)

NOT_NAME_WORDS = NOT_NAME_WORDS | frozenset(
    ["datuk", "dato", "datin", "tun", "puan", "haji", "lord", "lady", "dame"]
)
ZH_NAME_LEFT = (
    *ZH_NAME_LEFT,
    "的",
    "儿子",
    "女儿",
    "妻子",
    "丈夫",
    "父亲",
    "母亲",
    "兄弟",
    "侄女",
    "侄子",
)
ZH_NAME_RIGHT = (
    *ZH_NAME_RIGHT,
    "因",
    "又",
    "自",
    "宣布",
    "表示",
    "称",
    "透露",
    "指出",
    "回应",
    "说",
    "退休",
    "目前",
    "现任",
    "曾",
    "递交",
    "提交",
    "提出",
    "请辞",
    "申请",
    "因",
    "向",
    "自",
    "获",
    "拟",
    "将于",
    "于",
)
# a Chinese name does not end in these
ZH_NOT_NAME_END = frozenset("为在于的是和与及将已被等也并由从向对把因又自称说任拟仍曾或即还就都")

# a sentence that says the one before it was untrue
EN_DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied)|false|untrue|baseless|inaccurate|unfounded|not true)\b", re.I
)
ZH_DENIAL = re.compile(r"不属实|不实|否认|辟谣|谣言|并非事实|不是事实|子虚乌有")
# a bare year in the clause of a past change makes it background ("joined in 2009")
EN_BARE_YEAR = re.compile(r"\b(?:in|since|back in)\s+(?:19|20)\d\d\b", re.IGNORECASE)
