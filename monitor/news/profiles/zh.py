"""The Chinese profile: what Chinese financial news needs beyond the word lists.

Words: the Chinese roles, change verbs, hedges, anaphors and name parts are the
``ZH_*`` names below (``lexicon.py`` re-exports them for the stages).

Companies. Listed companies are named by their stock short name (皖通科技, 龙源电力),
not by a legal name, and an announcement says 公司 for the company that makes it. So
before the sentences are read, the whole document is scanned once for the names it gives
its companies (``document_companies``): a name before a stock code or a price quote
("X(600123)", "X(9.88,-0.25,-2.47%)"), a name introduced as a short name (简称“X”,
证券简称：X), a headline that starts with a company ("X：...", "X聘任..."), a name ending
in an industry word that recurs (锦州银行), the company that announces (X发布公告称), the
employer right before a role and a person (索菲亚董事王飚) and the employer a leaving verb
names (卸任X董事会主席). The first of them, in the headline if it has one, is the
announcing company.

People (``find_names``): a surname and one or two characters standing where a name can
stand, a transliteration with ·, a Latin name inside Chinese text; not a common word that
starts with a surname character (a stop list derived from jieba's dictionary, shipped as
data), not inside a role word or a document title. jieba itself is not a dependency: on
the tuning half of ../shared/real_news its person tag (nr) found 68 of 87 labelled Chinese
names against 66 for the surname rule, tagged many non-names, and its tagger costs about
45 ms of CPU per 1,000 characters after a 1-2 s dictionary load (the budget is 50 ms per
2,000-character article); only its dictionary is used, offline, for the stop list.

Also: lists of people each with a role (``LIST_GAP``), table-like lines (总经理：李某),
résumé and career-history dates (``is_history``), dates things take effect from, and the
traditional characters folded to simplified ones first (character by character, so every
offset still points into the original text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from monitor.news.rules import (
    AFTER,
    INTRANS,
    JOINED,
    LEFT,
    ROLE_CHANGED,
    SUCCESSION,
    TRANS,
    TriggerRule,
)
from monitor.normalize import fold_han

__all__ = [
    "LIST_GAP",
    "NO_OBJECT",
    "OBSERVER",
    "RUMOUR",
    "SELF_REFERENCE",
    "DocumentCompanies",
    "TableRow",
    "announces_after",
    "document_companies",
    "find_names",
    "fold",
    "is_history",
    "latest_year",
    "table_rows",
    "takes_effect",
    "trim_company_lead",
]

# ---------------------------------------------------------------------------------------
# Words: roles, change verbs, hedges, name parts (read by mentions.py and extract.py
# through lexicon.py, which re-exports them)
# ---------------------------------------------------------------------------------------


def _zh(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


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
    ("督察长", "chief compliance officer"),
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
ZH_TRIGGERS: tuple[TriggerRule, ...] = (
    TriggerRule(_zh(r"不再担任|不再任职|不再出任|被免去|被免职|被罢免"), LEFT, INTRANS),
    TriggerRule(_zh(r"免去|免除|罢免|辞退|解聘|解除(?=[^，。；]{0,12}职务)"), LEFT, TRANS),
    TriggerRule(
        _zh(r"卸任|辞去|辞任|辞职|离任|离职|退任|卸下|退出|退休(?!年龄|金|人员|制度|后)"),
        LEFT,
        INTRANS,
    ),
    TriggerRule(_zh(r"接替|替代|取代"), JOINED, SUCCESSION),
    TriggerRule(_zh(r"升任|晋升为|调任|转任"), ROLE_CHANGED, INTRANS),
    TriggerRule(_zh(r"(?:被|获)?提拔为|(?:被|获)?擢升为"), ROLE_CHANGED, INTRANS),
    TriggerRule(_zh(r"提拔|擢升"), ROLE_CHANGED, TRANS),
    # a regulator approves the person's qualification for the post: the appointment holds
    TriggerRule(_zh(r"核准(?:了)?(?=[^，。；]{2,40}任职资格)"), JOINED, TRANS),
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
    TriggerRule(_zh(r"出任|担任|接任|当选(?:为)?|获任|就任|履新|加入|加盟|兼任"), JOINED, INTRANS),
    # "冷某任总经理一职": a bare 任 before a role (not 曾任, 现任, 历任)
    TriggerRule(
        _zh(
            r"(?<![担出接新现曾历兼留续升调改离辞卸就获委聘主责信转])任(?=(?:公司|集团)?"
            r"(?:董事|监事|总经理|副总经理|总裁|副总裁|行长|副行长|董事会秘书|财务总监|财务负责人))"
        ),
        JOINED,
        INTRANS,
    ),
)
ZH_HEDGE = re.compile(
    r"传闻|传言|网传|据传|否认|辟谣|不实|谣言|猜测|没有|并未|未曾|尚未|未(?!来)|不会|不(?!再|久|仅|同|少|断|过)"
    r"|计划|或将|可能|考虑|是否|并非|如果|若|曾经|早在|此前曾|有消息称|有媒体称|有报道称"
    # hearsay, odds and demands: 据报道, 有望, 呼吁……辞职, 拒绝辞职, 疑似
    r"|据报道|有望|拒绝|拒不|疑似|(?:呼吁|要求|敦促)[^，。；,;]*$"
    r"|(?:19|20)\d\d年(?!\d{1,2}月)[^，。；]*$"
    # a résumé: "1975年出生", "2018年3月至今任", "2005年至2009年任", "历任", "毕业于"
    r"|出生|毕业于|学历|国籍|至今|迄今|历任|先后|[年月]至(?:\d|今)"
)
# words that introduce a rumour: everything the sentence says after them is hearsay
RUMOUR = re.compile(
    r"有消息称|有消息指|消息人士称|据传|传闻|传言|网传|市场传言|有媒体称|有报道称|据知情人士|知情人士透露"
)
# right before a change verb these describe a standing position, not a change
ZH_STATE = re.compile(r"(?:曾|一直|目前|现|仍然|仍|继续|还|亦|此前|之前|先前)[^，。；]{0,6}$")
# after a change verb these turn it into a noun: 离任传闻, 辞职计划
ZH_HEDGE_AFTER = re.compile(r"^.{0,4}(?:传闻|传言|谣言|计划|一事不实|消息不实|的说法|的报道)")
# "安信证券分析师表示": a company whose analyst or reporter speaks is the source of the
# news, not the employer in it
OBSERVER = re.compile(r"(?:的)?(?:首席)?(?:分析师|研究员|经济学家|记者|评论员|律师)")
ZH_PRONOUN = re.compile(r"[他她其]")
ZH_COMPANY_ANAPHOR = re.compile(r"该公司|公司|该企业|董事会")
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
ZH_DENIAL = re.compile(r"不属实|不实|否认|辟谣|谣言|并非事实|不是事实|子虚乌有")

_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9·&\-]"
_NAME_CHAR = re.compile(_NAME_CHARS)

# "X(600123)", "X（SZ 300056，", "X(00767.HK)", "X(SH603068)", "X（430430）"
_STOCK_CODE = re.compile(
    r"\s*[（(]\s*(?:(?:SH|SZ|HK|sh|sz|hk)\s*:?\s*)?\d{4,6}(?:\s*\.\s*(?:HK|SH|SZ|hk|sh|sz))?\s*[)）,，]"
)
# Sina's price quote after a listed name: "X(9.880,-0.25,-2.47%)"
_PRICE_QUOTE = re.compile(r"\s*[（(]-?\d+\.\d+,\s*-?\d+\.\d+,\s*-?\d+\.\d+%[)）]")
# (以下简称“X”), 证券简称：X, 股票简称：X
_SHORT_NAME = re.compile(
    r"(?:以下)?简称\s*[:：]?\s*[“\"「『]?(?P<name>" + _NAME_CHARS + r"{2,12}?)[”\"」』）)，,\s]"
    r"|(?:证券|股票)简称\s*[:：]\s*(?P<listed>" + _NAME_CHARS + r"{2,12})"
)
# a headline that starts with the company: "X：...", "X(00059.HK)：...", "X聘任..."
_HEADLINE = re.compile(
    r"^(?:快讯\s*[|｜丨]\s*)?(?P<name>" + _NAME_CHARS + r"{2,12}?)"
    r"(?:[（(][^)）]{1,30}[)）])?\s*(?:[：:]|(?=聘任|委任|任命|公告|宣布|发布公告|拟聘|增聘|选举))"
)

# industry words that end a company name
_INDUSTRY = (
    "银行|证券|信托|保险|集团|控股|航空|地产|置业|汽车|科技|电力|能源|医药|环保|传媒|电子|通信|"
    "超市|物流|旅游|啤酒|药业|化工|钢铁|矿业|实业|电器|网络|软件|智能|生物|制药|食品|农业|电气|"
    "新材|光电|机械|重工|航运|物业|互娱|影视|半导体"
)
_INDUSTRY_WORD = re.compile(
    r"(?:" + _INDUSTRY + r")(?!公司|有限|股份有限|交易所|报|时报|日报|卡|业务|行业|板块|监管)"
)
# Text that cannot start a company name: the name begins after the last of these.
_LEAD_NOISE = re.compile(
    r".*(?:原标题|来源|快讯|消息|公告|宣布|发布|显示|表示|指出|透露|获悉|报道|据悉|据|称|讯|"
    r"近日|日前|今日|今天|昨日|昨天|晚间|早间|近期|此前|目前|随后|同时|其中|以及|另外|此外|"
    r"旗下|派驻|入股|控股股东|股东|子公司|母公司|企业|上市|定制家居|即|系|持有|历任|现任|曾任|"
    r"核准|接近|负责|推进|带领|进驻|参与|赴任|执掌|加盟|引进|来自|对|经|在|为|任|控股(?=.)|"
    r"的|、|与|及|由|从|向|将|已|是|被|了|"
    r"卸任|辞去|辞任|辞职|离任|离职|退出|出任|担任|接任|接替|新任|当选|任命|委任|聘任|聘请|免去|"
    r"不再|变更为|改为|成为|加入|进入|发生|对于|关于|根据|按照|"
    r"呼吁|要求|敦促|建议|提议|认为|希望|请求|拒绝|"
    r"\d{1,4}[年月日号]|[\d.%]*[\s.%:：,，][\d\s.%:：,，]*(?=[\u4e00-\u9fff])|公司(?=.))"
)
# places that begin legal names (厦门国际信托有限公司), to cut a person's name off before them
_PLACES = (
    "北京|上海|天津|重庆|深圳|广州|厦门|杭州|南京|苏州|武汉|成都|西安|青岛|大连|宁波|无锡|长沙|郑州|"
    "济南|福州|合肥|昆明|南昌|沈阳|长春|哈尔滨|石家庄|太原|贵阳|南宁|海口|兰州|西宁|银川|乌鲁木齐|"
    "呼和浩特|拉萨|珠海|东莞|佛山|中山|温州|绍兴|嘉兴|台州|烟台|泉州|常州|南通|徐州|扬州|香港|澳门|"
    "广东|江苏|浙江|山东|河南|河北|湖南|湖北|四川|福建|安徽|江西|辽宁|吉林|黑龙江|山西|陕西|云南|"
    "贵州|广西|海南|甘肃|青海|宁夏|新疆|西藏|内蒙古|中国|中信|中铁|中建|国家"
)
_PLACE_AT = re.compile(_PLACES)
_LEGAL_FORM_AHEAD = re.compile(r"[\u4e00-\u9fff（）()]{2,30}?(?:有限公司|有限责任公司|集团)")
_PERSON_BEFORE_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}(?=(?:" + _PLACES + r"))")
# single characters that join a name to what is before it
_LEAD_PARTICLE = re.compile(r"^(?:[于由向与和及的是被将已从了让把给原丨|｜]|又一|另一)+")
# what is not a company even where a pattern says so
_NOT_COMPANY = re.compile(
    r"^(?:公司|本公司|该公司|集团|本集团|该集团|银行|该行|本行|证券|基金|保险|信托|股份|控股|"
    r"上市公司|科技|金融|投资|资本|地产|汽车|中国|美国|英国|香港|全球|国际|北京|上海|深圳|"
    r"董事会|监事会|股东大会|记者|本报|新浪|新浪财经|每经|挖贝网|格隆汇|智通财经|观点地产网|"
    r"原标题|来源|公告|快讯|财经|人事变动|高管|高级管理人员|投资银行|商业银行|中央银行|房地产)$"
    r"|^(?:中国|美国|英国|日本|德国|法国|香港|全球|国内|国际|海外|欧洲|亚洲)(?:房)?(?:"
    + _INDUSTRY
    + r")$"
    # regulators, exchanges, courts and ministries announce, but are no company
    r"|.*(?:证监会|银保监会|银监会|保监会|证监局|监管局|交易所|上交所|深交所|港交所|北交所|国资委|发改委|"
    r"财政部|人民银行|央行|法院|检察院|监委|纪委)$"
)
_ROLE_HEAD = re.compile(
    r"董事|监事|总经理|经理|总裁|行长|董秘|秘书|首席|财务|负责人|主席|CEO|CFO|COO|CTO|总监"
)


# 公司, 本公司: the company that makes the announcement (not 该公司, "that company")
SELF_REFERENCE = re.compile(r"(?<![该其子母各])公司(?!章程)")


# "来源：X网": the outlet that carried the story
_SOURCE = re.compile(r"(?:来源|作者|编辑|记者)\s*[:：]?\s*$")


# what may stand between two names of one list: "董事张某先生、独立董事李某女士及监事王某"
LIST_GAP = re.compile(
    r"^(?:先生|女士)?\s*(?:、|和|及|与|以及|，(?=原|现任|公司|"
    + ZH_ROLE.pattern.replace("(?P<", "(?P<g")
    + r"))\s*(?:原|现任)?(?:公司)?(?:(?:"
    + ZH_ROLE.pattern.replace("(?P<", "(?P<h")
    + r")(?:兼|、|及)?)*$"
)


# "索菲亚董事兼副总经理王某", "优信首席市场官（CMO）王某", "某金融CEO徐某": the employer
# stands right before the role that stands right before the person
_ROLE_BEFORE_NAME = re.compile(
    r"(?:"
    + ZH_ROLE.pattern.replace("(?P<", "(?P<e")
    + r"|CEO|CFO|COO|CTO|CMO)(?:（[A-Z]{2,4}）)?(?:(?:兼|、)(?:"
    + ZH_ROLE.pattern.replace("(?P<", "(?P<f")
    + r"))*(?=[A-Z]|["
    + "".join(sorted(ZH_SURNAMES))
    + r"][\u4e00-\u9fff]{1,2}(?:[，。、；（(]|辞|离|卸|出任|担任|因|由于|宣布|被|已|将|掌舵))"
)
# "另一家企业好莱客发布公告称": who makes an announcement is a company
_ANNOUNCES = re.compile(
    r"(?:(?:近日|日前|今日|今天|昨日|晚间|就|也|则|还|又|已|\d{1,2}月\d{1,2}日)*"
    r"(?:发布公告|发布了公告|公告称|发出公告|披露公告))"
)
_ANNOUNCES_NEXT = re.compile(
    r"[（(][^)）]{0,30}[)）]|\s*(?:近日|日前|今日|今天|昨日|晚间|就|也|则|还|又|已|\d{1,2}月\d{1,2}日)*"
    r"(?:发布公告称?|发布了公告|公告称|发出公告|披露公告|公告|宣布)"
)


def announces_after(text: str, at: int) -> bool:
    """Whether the company named right before ``at`` makes an announcement there
    ("X（600123）公告称", "X发布公告称", "X宣布"): its 公司 is X."""
    m = _ANNOUNCES_NEXT.match(text, at)
    while m is not None and not m.group().strip().endswith(("公告", "称", "宣布")):
        m = _ANNOUNCES_NEXT.match(text, m.end())  # past a stock code to the verb
    return m is not None


# what stands before a role but is no employer: 原, 现任, 公司, 该行, 上述 ...
_NOT_EMPLOYER = re.compile(
    r"^(?:原|前|现任|新任|时任|上述|其|该|本|公司|集团|该行|本行|第)|[原前任人位名个]$|兼|届"
    r"|(?:处|部|科|室|组|中心|事业部|事业群|团队|办公室|委员会)$"
)
# a function or a region between the employer and the role: 福特欧洲销售总监, 奔驰全球总裁
_FUNCTION_SUFFIX = re.compile(
    r"(?:销售|营销|市场|技术|财务|运营|人力资源|法务|战略|研发|业务|产品|区域|地区|大区|全球|中国区)+$"
)
# leaving verbs that take no object: a company after them is not the one left
# ("周某离职后加盟了远山科技")
NO_OBJECT = frozenset(["离职", "辞职", "退休", "离任", "退任"])
# the leaving verbs whose object names the employer: 卸任戴姆勒董事会主席 (joining verbs are
# left out: their objects fill résumés, 担任某公司战略负责人, and name past employers)
_OBJECT_VERB = re.compile(r"卸任|辞去|辞任")


@dataclass(frozen=True)
class DocumentCompanies:
    """The companies a document names without a legal form, and the one announcing."""

    names: tuple[str, ...]
    announcing: str | None


def fold(text: str) -> str:
    """Traditional characters read as simplified ones; same length, same offsets."""
    return fold_han(text)


def trim_company_lead(run: str) -> str:
    """The company name at the end of ``run`` (the text right before a company word)."""
    cut = _LEAD_NOISE.match(run)
    name = run[cut.end() :] if cut else run
    name = _LEAD_PARTICLE.sub("", name)
    person = _PERSON_BEFORE_PLACE.match(name)
    if person and person.group()[0] in ZH_SURNAMES:
        name = name[person.end() :]  # "核准胡某厦门国际信托有限公司": the person is not the name
    return name.lstrip(" -·&")


def _in_role(text: str, at: int) -> bool:
    """Whether a role word runs across ``at`` (副总|经理)."""
    for k in range(1, 6):
        m = ZH_ROLE.match(text, max(0, at - k))
        if m is not None and m.end() > at:
            return True
    return False


def _run_before(text: str, end: int, limit: int) -> str:
    """The name characters right before ``end`` (at most ``limit``)."""
    start = end
    while start > max(0, end - limit) and _NAME_CHAR.match(text, start - 1):
        start -= 1
    return text[start:end]


def _name_before(text: str, end: int) -> str | None:
    run = _run_before(text, end, 24)
    start = end - len(run)
    if not run or _SOURCE.search(text, max(0, start - 4), start):
        return None
    name = trim_company_lead(run)
    return name if _plausible(name) else None


def _plausible(name: str) -> bool:
    if len(name) < 2 or name.isdigit() or _NOT_COMPANY.match(name):
        return False
    if _ROLE_HEAD.search(name) or re.search(r"[与和及的]|女士|先生", name):
        return False
    return not re.fullmatch(r"[A-Za-z]{1,2}|\d+[A-Za-z]?", name)


def document_companies(text: str) -> DocumentCompanies:
    """Companies a (folded) Chinese document names without their legal form."""
    headline = next((line.strip() for line in text.splitlines() if line.strip()), "")
    found = sorted(_candidates(text, headline), key=lambda rn: rn[0])  # surer ranks first
    names: list[str] = []
    for _, name in found:
        if name not in names:
            names.append(name)
    # "胡某厦门信托" is a person's name glued to a company learned on its own
    names = [n for n in names if not any(_person_glued(n, m) for m in names)]
    sure = [name for rank, name in found if rank < 2 and name in names]
    return DocumentCompanies(tuple(names), _announcing(headline, text, names, sure or names))


def _candidates(text: str, headline: str) -> Iterator[tuple[int, str]]:
    """(rank, name) for every way the text names a company; lower ranks are surer."""
    for pattern in (_STOCK_CODE, _PRICE_QUOTE):
        for m in pattern.finditer(text):
            name = _name_before(text, m.start())
            if name:
                yield 0, name
    for m in _SHORT_NAME.finditer(text):
        name = m.group("name") or m.group("listed")
        if name and _plausible(name):
            yield 0, name
    yield from _told_names(text, headline)


def _told_names(text: str, headline: str) -> Iterator[tuple[int, str]]:
    """Names known by where they stand: the headline, an industry word, an announcement,
    a role and a person after them."""
    head = _HEADLINE.match(headline)
    if head:
        name = trim_company_lead(head.group("name"))
        if _plausible(name) and 4 <= len(name) <= 8:
            yield 1, name
    for m in _INDUSTRY_WORD.finditer(text):
        name = trim_company_lead(_run_before(text, m.start(), 12) + m.group())
        # a name told once in passing is not learned: it must recur or head the story
        if _plausible(name) and 4 <= len(name) <= 8 and (text.count(name) > 1 or name in headline):
            yield 2, name
    for pattern in (_ANNOUNCES, _ROLE_BEFORE_NAME):
        for m in pattern.finditer(text):
            run = _run_before(text, m.start() - (text[m.start() - 1 : m.start()] == "的"), 16)
            name = _FUNCTION_SUFFIX.sub("", trim_company_lead(run))
            if _employer(name) and not _in_role(text, m.start()):  # not 副总|经理
                yield 3, name
    yield from _object_employers(text)


def _object_employers(text: str) -> Iterator[tuple[int, str]]:
    """ "卸任戴姆勒董事会主席、梅赛德斯-奔驰全球总裁": the names between a change verb and
    the roles it gives or takes."""
    for verb in _OBJECT_VERB.finditer(text):
        end = _CLAUSE_END.search(text, verb.end())
        stop = end.start() if end else len(text)
        start = verb.end()
        for role in ZH_ROLE.finditer(text, verb.end(), stop):
            if _in_role(text, role.start()) or role.start() < start:
                continue
            run = text[start : role.start()].rsplit("、", 1)[-1]
            name = _FUNCTION_SUFFIX.sub("", trim_company_lead(run))
            if _employer(name) and _NAME_RUN.fullmatch(name):
                yield 3, name
            start = role.end()


_CLAUSE_END = re.compile(r"[，,。；;！？]")
_NAME_RUN = re.compile(_NAME_CHARS + r"+")


def _employer(name: str) -> bool:
    longest = 16 if name.isascii() else 8
    if len(name) == 2 and name in _not_names():
        return False  # 商务 of 顾客及商务总裁: a word, not a name
    if any(rule.pattern.search(name) for rule in ZH_TRIGGERS):
        return False  # 新增 of 新增监事某某: a verb, not a name
    return _plausible(name) and 2 <= len(name) <= longest and not _NOT_EMPLOYER.search(name)


def _person_glued(name: str, other: str) -> bool:
    """ "胡某厦门信托" is a person's name glued to 厦门信托, a company learned on its own."""
    prefix = name[: len(name) - len(other)]
    return (
        name != other
        and name.endswith(other)
        and len(other) >= 3
        and 2 <= len(prefix) <= 3
        and prefix[0] in ZH_SURNAMES
    )


def _announcing(headline: str, text: str, names: list[str], sure: list[str]) -> str | None:
    """The company the document is about: the first named in the headline, else the
    first surely named in the text."""
    in_head = [(headline.find(n), n) for n in names if n in headline]
    if in_head:
        return min(in_head, key=lambda pn: (pn[0], -len(pn[1])))[1]
    if not sure:
        return None
    return min(sure, key=lambda n: (text.find(n), -len(n)))


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _not_names() -> frozenset[str]:
    """Common words that start with a surname character (申请, 万元, 章程)."""
    text = resources.files("monitor.data").joinpath("zh_not_names.txt").read_text("utf-8")
    words = (w for line in text.splitlines() if not line.startswith("#") for w in line.split())
    return frozenset(words) | _NOT_NAMES_EXTRA


# words the dictionary tags as names but news uses as nouns
_NOT_NAMES_EXTRA = frozenset(["顾问", "董监高", "高管", "万股", "于获"])
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BOOK_TITLE = re.compile(r"《[^》]{0,80}》")
# a transliterated name: 凯文·伯恩斯, 迪特·蔡澈
_DOTTED = re.compile(r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})+")


def find_names(sentence: str) -> list[tuple[int, int]]:
    """Spans of Chinese personal names in a (folded) sentence.

    A name is a surname and one or two more characters, or a transliteration joined by
    ·, standing where a name can stand: after punctuation, a role (证券事务代表王亚珂),
    a change verb or a linking word, and before punctuation, a verb or an honorific.
    Common words that start with a surname character (申请, 万元) and anything inside a
    document title (《公司章程》) are not names.
    """
    return list(_names(sentence))


@lru_cache(maxsize=1024)
def _names(sentence: str) -> tuple[tuple[int, int], ...]:
    marks = _Marks.of(sentence)
    blocked = [(m.start(), m.end()) for m in _BOOK_TITLE.finditer(sentence)]
    spans: list[tuple[int, int]] = []
    if "·" in sentence:
        for m in _DOTTED.finditer(sentence):
            start = _dotted_start(marks, m.start(), m.group().index("·") + m.start())
            end = _dotted_end(marks, m.group().rindex("·") + m.start(), m.end())
            if not _inside(start, end, blocked):
                spans.append((start, end))
    for m in _LATIN_IN_HAN.finditer(sentence):
        glued = (m.start() and not sentence[m.start() - 1].isascii()) or (
            m.end() < len(sentence) and not sentence[m.end()].isascii()
        )
        words = m.group().replace("·", " ").replace("-", " ").lower().split()
        if glued and not any(w in _english_not_names() or w in _ORG_WORDS for w in words):
            spans.append((m.start(), m.end()))
    i = 0
    while i < len(sentence):
        # not inside a name found already, nor inside a role word (董事长孙某: not 长孙)
        if i in marks.in_role or any(s <= i < e for s, e in spans):
            i += 1
            continue
        length = _name_at(marks, i)
        if length and not _inside(i, i + length, blocked):
            spans.append((i, i + length))
            i += length
        else:
            i += 1
    return tuple(sorted(spans))


# "首席执行官David Atkins掌舵": a Latin name glued to Chinese text (the English finder
# wants a word boundary there)
_LATIN_IN_HAN = re.compile(r"(?<![A-Za-z.])[A-Z][a-z]+(?:[ ·-][A-Z][a-z]+){1,3}(?![A-Za-z])")
_ORG_WORDS = frozenset(
    [
        "capital",
        "holding",
        "holdings",
        "mobile",
        "partners",
        "fund",
        "funds",
        "management",
        "securities",
        "investment",
        "investments",
        "financial",
        "bank",
        "insurance",
        "energy",
        "technology",
        "technologies",
        "media",
        "motors",
        "airlines",
        "trust",
        "asset",
        "assets",
        "consulting",
        "advisors",
        "equity",
        "ventures",
    ]
)


@dataclass(frozen=True)
class _Marks:
    """Where a sentence's role words and change verbs start and end (found once)."""

    text: str
    in_role: frozenset[int]
    role_starts: frozenset[int]
    role_ends: frozenset[int]
    verbs: tuple[tuple[int, int], ...]
    verb_starts: frozenset[int]
    verb_ends: frozenset[int]

    @staticmethod
    def of(text: str) -> _Marks:
        roles = [(m.start(), m.end()) for m in ZH_ROLE.finditer(text)]
        verbs = sorted(
            (m.start(), m.end()) for rule in ZH_TRIGGERS for m in rule.pattern.finditer(text)
        )
        return _Marks(
            text,
            frozenset(k for s, e in roles for k in range(s, e)),
            frozenset(s for s, _ in roles),
            frozenset(e for _, e in roles),
            tuple(verbs),
            frozenset(s for s, _ in verbs),
            frozenset(e for _, e in verbs),
        )


def _inside(start: int, end: int, blocked: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in blocked)


def _dotted_start(marks: _Marks, start: int, dot: int) -> int:
    """Where a transliterated name begins: the longest first part whose left is clear."""
    for begin in range(max(start, dot - 4), dot - 1):
        if _left_ok(marks, begin):
            return begin
    return dot - 2  # "经济学家保罗·唐纳文": the dot is evidence enough for two characters


def _dotted_end(marks: _Marks, dot: int, end: int) -> int:
    """Where a transliterated name ends: the shortest last part (two characters or
    more) whose right is clear, so that 因故 in 唐纳文因故离职 stays out."""
    for stop in range(min(dot + 3, end), end + 1):
        if _right_ok(marks, stop) and not any(dot < s < stop for s, _ in marks.verbs):
            return stop
    return min(dot + 2, end)


def _name_at(marks: _Marks, i: int) -> int:
    sentence = marks.text
    surname = 2 if sentence[i : i + 2] in ZH_COMPOUND_SURNAMES else 1
    if surname == 1 and sentence[i] not in ZH_SURNAMES:
        return 0
    if not _left_ok(marks, i):
        return 0
    for length in (surname + 2, surname + 1):
        chunk = sentence[i : i + length]
        if length == surname + 2 and i + length - 1 in marks.verb_starts:
            continue  # 洪某卸任: the third character begins the verb
        if (
            len(chunk) == length
            and chunk[-1] not in ZH_NOT_NAME_END
            and all(_HAN.match(c) for c in chunk)
            and chunk not in _not_names()
            and "公司" not in chunk
            and "集团" not in chunk
            and _right_ok(marks, i + length)
            and not any(k in marks.in_role for k in range(i, i + length))
            and not any(i <= s and e <= i + length for s, e in marks.verbs)
        ):
            return length
    return 0


def _left_ok(marks: _Marks, i: int) -> bool:
    sentence = marks.text
    if i == 0 or not _HAN.match(sentence[i - 1]):
        return True
    if i in marks.role_ends or i in marks.verb_ends:
        return True
    return sentence.endswith(ZH_NAME_LEFT, 0, i)


def _right_ok(marks: _Marks, j: int) -> bool:
    sentence = marks.text
    if j >= len(sentence) or not _HAN.match(sentence[j]):
        return True
    if j in marks.verb_starts or j in marks.role_starts:
        return True
    if sentence.startswith(ZH_NAME_RIGHT, j) or sentence.startswith(ZH_ROLE_WORDS, j):
        return True
    if sentence.startswith(("公司", "集团"), j) and j + 2 in marks.role_starts:
        return True  # 免去邓某公司副总经理职务
    # 核准胡某厦门某某信托有限公司: a legal name that starts with a place
    return bool(_PLACE_AT.match(sentence, j) and _LEGAL_FORM_AHEAD.match(sentence, j))


# ---------------------------------------------------------------------------------------
# Career history
# ---------------------------------------------------------------------------------------

_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def latest_year(sentences: Sequence[str]) -> int | None:
    """The latest year a Chinese story names (its likely year, when it has no date)."""
    years = [int(y) for text in sentences for y in _YEAR.findall(text)]
    return max(years) if years else None


def is_history(when: str | None, published: date | None, latest: int | None) -> bool:
    """A change dated a year or more before the story is career history (a résumé line:
    "2015年4月，某某加入某公司"). Without a publication date, two years before the latest
    year the story names."""
    if when is None or not when[:4].isdigit():
        return False
    year, month = int(when[:4]), int(when[5:7]) if len(when) >= 7 else 1
    if published is not None:
        return (published.year * 12 + published.month) - (year * 12 + month) >= 12
    return latest is not None and latest - year >= 2


# ---------------------------------------------------------------------------------------
# Table-like lines
# ---------------------------------------------------------------------------------------

# "总经理：李某", "公司副总经理：DAVID WANG、王某": a role, a colon, the people in it
_TABLE_ROW = re.compile(
    r"(?:公司|集团)?(?P<role>" + ZH_ROLE.pattern.replace("(?P<", "(?P<t") + r")\s*[:：]\s*"
)
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'-]+(?:[ .][A-Z][A-Za-z'-]+){0,3}")
_ROW_SEPARATOR = re.compile(r"\s*(?:、|和|及|与|,)\s*")


@dataclass(frozen=True)
class TableRow:
    start: int
    end: int
    name: str
    role: str  # the canonical label


def table_rows(sentence: str) -> list[TableRow]:
    """The people a table-like line names for a role: "董事长：李某" gives one row."""
    if "：" not in sentence and ":" not in sentence:
        return []
    names = dict(find_names(sentence))
    rows: list[TableRow] = []
    for m in _TABLE_ROW.finditer(sentence):
        label = ZH_ROLE_LABELS[_role_index(m.group("role"))]
        at = m.end()
        while at < len(sentence):
            end = names.get(at)
            if end is None:
                latin = _LATIN_NAME.match(sentence, at)
                end = latin.end() if latin else None
            if end is None:
                break
            rows.append(TableRow(at, end, sentence[at:end], label))
            sep = _ROW_SEPARATOR.match(sentence, end)
            if sep is None:
                break
            at = sep.end()
    return rows


def _role_index(role: str) -> int:
    m = ZH_ROLE.fullmatch(role)
    return int((m.lastgroup or "z0")[1:]) if m else 0


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_TAKES_EFFECT = re.compile(r"\s*(?:起|开始|之后|后)?\s*(?:正式)?(?:生效|起|实施)")
_ALREADY = re.compile(r"已(?:经)?(?:于|自|从)?\s*$")


def takes_effect(text: str, start: int, end: int) -> bool:
    """Whether the date at ``start:end`` is when something takes effect ("自9月1日起生效",
    "9月1日起"), so a date without a year lies ahead; "已于9月1日起生效" is past."""
    if _ALREADY.search(text, max(0, start - 4), start):
        return False
    return _TAKES_EFFECT.match(text, end) is not None


def _english_not_names() -> frozenset[str]:
    from monitor.news.lexicon import NOT_NAME_WORDS  # lexicon imports this module

    return NOT_NAME_WORDS
