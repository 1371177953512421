"""Chinese news: the hard cases of real financial news, in sentences written for the project.

Every company and person here is invented.
"""

from __future__ import annotations

from datetime import date

import pytest

from monitor.news import Statement, extract_statements
from monitor.news.profiles import zh

PUBLISHED = date(2021, 6, 10)


def _read(text: str) -> list[Statement]:
    return extract_statements(text, published=PUBLISHED, all_statements=True)


def _triples(text: str) -> set[tuple[str, str, str]]:
    return {(s.person, s.company, s.change) for s in _read(text)}


# ---------------------------------------------------------------------------------------
# Companies named without a legal form
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a stock short name before its code
        ("星河动力（600999）公告，董事会近日收到副总经理周立新的辞职报告。", "星河动力"),
        ("青岚医药(02999.HK)宣布，执行董事郑海明已辞任。", "青岚医药"),
        ("每经AI快讯，远舟电子（SZ 300999，收盘价：8.88元）公告，总经理卢明辞职。", "远舟电子"),
        # a price quote after the name
        ("原标题：北辰电气(9.880,-0.25,-2.47%)聘任王启明为财务总监", "北辰电气"),
        # the headline names the company, the body says 公司
        (
            "蓝湾科技：财务总监离任\n公司董事会于近日收到财务总监钱明远递交的书面辞职报告。",
            "蓝湾科技",
        ),
        # a short name given with 简称
        (
            "南岭数据股份有限公司（以下简称“南岭数据”）公告。\n南岭数据董事会秘书高飞辞职。",
            "南岭数据",
        ),
        # an industry word ends the name, and the name recurs
        ("松江银行发布公告称，副行长曹立明辞职。松江银行表示感谢。", "松江银行"),
    ],
)
def test_company_short_names(text: str, expected: str) -> None:
    companies = {s.company for s in _read(text)}
    assert companies == {expected}


def test_legal_names_are_not_cut_short() -> None:
    # 和 inside the name, and a leading 中, stay part of it
    assert _triples("广州市金和达实业有限公司执行董事李国栋卸任。") == {
        ("李国栋", "广州市金和达实业有限公司", "left")
    }
    assert _triples("中科远航信息技术有限公司董事长孙志刚辞去董事长职务。") == {
        ("孙志刚", "中科远航信息技术有限公司", "left")
    }


def test_document_companies_and_the_announcing_one() -> None:
    text = "远舟电子：聘任高级管理人员\n远舟电子（300999）公告，另据松江银行消息。"
    found = zh.document_companies(text)
    assert found.announcing == "远舟电子"
    assert "远舟电子" in found.names
    # the outlet credited as the source is not a company of the story
    assert zh.document_companies(
        "原标题：蓝湾科技：高管变动  来源：财讯通(1.00,0.01,1.00%)网"
    ).names == ("蓝湾科技",)


# ---------------------------------------------------------------------------------------
# Change constructions
# ---------------------------------------------------------------------------------------

HEAD = "北辰电气（002999）公告，"


@pytest.mark.parametrize(
    ("sentence", "person", "change", "role"),
    [
        ("副总经理赵德明辞去公司副总经理职务。", "赵德明", "left", "deputy general manager"),
        ("董事会收到独立董事钱立的辞职报告。", "钱立", "left", "independent director"),
        ("执行董事孔繁星辞任。", "孔繁星", "left", "executive director"),
        ("监事冯佳因工作调动离任监事职务。", "冯佳", "left", "supervisor"),
        ("韦伟卸任公司总经理。", "韦伟", "left", "general manager"),
        ("董事会决定免去邓涛公司副总经理职务。", "邓涛", "left", "deputy general manager"),
        ("董事会聘任许明为公司董事会秘书。", "许明", "joined", "secretary"),
        ("拟聘任吴志远为公司财务总监。", "吴志远", "joined", "CFO"),
        ("董事会增聘郑宏为公司副总裁。", "郑宏", "joined", "vice president"),
        ("股东大会选举林海为公司董事长。", "林海", "joined", "chairman"),
        ("何建国当选公司监事会主席。", "何建国", "joined", "chairman of supervisors"),
        ("宋建军出任公司总经理。", "宋建军", "joined", "general manager"),
        ("蔡文接任公司总裁一职。", "蔡文", "joined", "president"),
        ("董事会任命魏东为公司首席执行官。", "魏东", "joined", "CEO"),
        ("董事会提名冯立为公司独立董事候选人。", "冯立", "joined", "independent director"),
        ("公司董事长许文斌因年龄原因退休。", "许文斌", "left", "chairman"),
        ("韩东不再担任公司总经理。", "韩东", "left", "general manager"),
        ("萧凯获委任为公司非执行董事。", "萧凯", "joined", "non-executive director"),
        ("新增董事冷雪任总经理一职。", "冷雪", "joined", "general manager"),
    ],
)
def test_change_constructions(sentence: str, person: str, change: str, role: str) -> None:
    found = _read(HEAD + sentence)
    assert [(s.person, s.company, s.change) for s in found] == [(person, "北辰电气", change)]
    assert role in (found[0].role or "")


def test_a_list_of_resignations_gives_one_change_per_person() -> None:
    found = _read(
        HEAD + "董事会收到董事张建平先生、独立董事刘海燕女士及监事陈志强先生提交的辞职信。"
    )
    assert {(s.person, s.change) for s in found} == {
        ("张建平", "left"),
        ("刘海燕", "left"),
        ("陈志强", "left"),
    }


def test_names_joined_by_and_all_change() -> None:
    assert _triples("青岚医药(02999.HK)公告，胡天明及邝嘉文已辞任执行董事。") == {
        ("胡天明", "青岚医药", "left"),
        ("邝嘉文", "青岚医药", "left"),
    }


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


def test_a_title_right_before_a_name() -> None:
    found = _read(HEAD + "聘任证券事务代表王晓峰。")
    assert [(s.person, s.role) for s in found] == [("王晓峰", "securities affairs representative")]


def test_transliterated_names() -> None:
    assert _triples(HEAD + "马克·安德森辞去公司独立董事职务。") == {
        ("马克·安德森", "北辰电气", "left")
    }
    names = zh.find_names("首席经济学家彼得·格林因故离职")
    assert [("首席经济学家彼得·格林因故离职"[a:b]) for a, b in names] == ["彼得·格林"]


@pytest.mark.parametrize(
    ("sentence", "not_a_person"),
    [
        ("财务总监赵德明已递交辞职申请，申请自本月起离任财务总监。", "申请"),
        ("董事长于获批后辞去董事长职务。", "于获"),
        ("按照《公司章程》规定，董事会聘任马丽为公司副总经理。", "章程"),
        ("德兴股份聘任马力为副总经理，其上年税前报酬为45万元。", "万元"),
    ],
)
def test_words_that_are_not_people(sentence: str, not_a_person: str) -> None:
    people = {s.person for s in _read(HEAD + sentence)}
    assert not_a_person not in people


def test_a_role_word_does_not_lend_a_surname() -> None:
    # 董事长孙某: 长孙 is a compound surname, but 长 belongs to 董事长
    names = zh.find_names("董事长孙志刚辞职")
    assert [("董事长孙志刚辞职"[a:b]) for a, b in names] == ["孙志刚"]


# ---------------------------------------------------------------------------------------
# Traditional Chinese
# ---------------------------------------------------------------------------------------


def test_traditional_chinese_is_folded_and_quoted_as_written() -> None:
    found = _read("陳國華辭任藍海科技（廣州）有限公司執行董事。")
    assert [(s.person, s.company, s.change, s.role) for s in found] == [
        ("陈国华", "蓝海科技（广州）有限公司", "left", "executive director")
    ]
    assert found[0].evidence == "陳國華辭任藍海科技（廣州）有限公司執行董事。"


@pytest.mark.parametrize(
    ("text", "company"),
    [
        # who makes an announcement is a company
        ("另一家家居企业美居坊发布公告称，公司总经理辞职。", "美居坊"),
        # the employer stands right before the role right before the person
        ("就在思远家居董事兼副总经理周凯宣布离职后。", "思远家居"),
        ("消息称，云帆金融CEO钱程辞职。", "云帆金融"),
        # between a change verb and the roles it gives up: 卸任X董事会主席、Y全球总裁
        ("据报道，马丁·霍尔将卸任北极星董事会主席、雪峰汽车全球总裁。", "北极星"),
        ("据报道，马丁·霍尔将卸任北极星董事会主席、雪峰汽车全球总裁。", "雪峰汽车"),
    ],
)
def test_companies_named_by_their_place_in_the_sentence(text: str, company: str) -> None:
    assert company in zh.document_companies(text).names


@pytest.mark.parametrize(
    "text",
    [
        "负责人兼乘用车总经理周凯表示。",  # 负责人兼乘用车: a role, not an employer
        "策划及调控处主管郑明辞职。",  # a department, not a company
        "公司原董事长许强辞职。",
    ],
)
def test_what_stands_before_a_role_is_not_always_a_company(text: str) -> None:
    assert zh.document_companies(text).names == ()


def test_committee_chairs_and_regulator_approvals() -> None:
    assert _triples(HEAD + "董事会任命伏立担任董事会提名委员会主席。") == {
        ("伏立", "北辰电气", "joined")
    }
    found = _read("监管局正式核准胡明远厦门海峡信托有限公司总经理任职资格。")
    assert [(s.person, s.company, s.change) for s in found] == [
        ("胡明远", "厦门海峡信托有限公司", "joined")
    ]


def test_table_like_lines_after_an_appointment() -> None:
    text = (
        "远舟电子（300999）公告，聘任公司高级管理人员如下：\n"
        "总经理：JOHN CARTER；\n副总经理：钱文、周敏；\n董事会秘书：李晓雨。"
    )
    found = {(s.person, s.role) for s in _read(text) if s.change == "joined"}
    assert found == {
        ("JOHN CARTER", "general manager"),
        ("钱文", "deputy general manager"),
        ("周敏", "deputy general manager"),
        ("李晓雨", "secretary"),
    }
    assert {s.company for s in _read(text)} == {"远舟电子"}


def test_a_table_without_an_appointment_is_no_change() -> None:
    text = "远舟电子（300999）公司简介\n董事长：李晓雨\n总经理：钱文"
    assert _read(text) == []


def test_a_successor_takes_the_post_the_predecessor_gives_up() -> None:
    found = {(s.person, s.change, s.role) for s in _read(HEAD + "张三接替李四担任公司董事会秘书。")}
    assert found == {("张三", "joined", "secretary"), ("李四", "left", "secretary")}


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "张三，男，1970年出生，2015年至今任公司董事。",
        HEAD + "李四先生2005年11月至2009年8月任公司副总经理。",
        HEAD + "王五毕业于复旦大学，历任公司财务总监、副总经理。",
    ],
)
def test_a_resume_is_not_news(text: str) -> None:
    assert _read(text) == []


def test_latin_names_glued_to_chinese_text() -> None:
    # the employer, then the role, then a Latin name, all without spaces
    found = _read("消息称，英国地产公司Stonebridge的首席执行官Ann Miller掌舵八年后辞职。")
    assert [(s.person, s.company, s.change) for s in found] == [
        ("Ann Miller", "Stonebridge", "left")
    ]


@pytest.mark.parametrize(
    ("text", "company"),
    [
        # 其: the company that speaks, not the person's employer before the name
        ("远山科技发布公告称，蓝海银行副行长郑明拟担任其行长。", "远山科技"),
        # 公司 after the verb: the announcing company
        ("远山科技（300123）公告，蓝海集团董事长郑明兼任公司董事。", "远山科技"),
        # the company that announces in this very sentence
        (
            "据悉，远山科技此前宣布换帅。另一家企业蓝海集团发布公告称，董事郑明不再担任公司任何职务。",
            "蓝海集团",
        ),
    ],
)
def test_the_verbs_object_names_the_company(text: str, company: str) -> None:
    assert {s.company for s in _read(text)} == {company}


@pytest.mark.parametrize(
    ("sentence", "when"),
    [
        # a coming change without a year lies ahead of the publication date (2021-06-10)
        ("宋建军将于9月1日起出任公司总经理。", "2021-09-01"),
        ("聘任宋建军为公司总经理，自9月1日起生效。", "2021-09-01"),
        # a past one lies behind it
        ("总经理宋建军于3月5日辞职。", "2021-03-05"),
        ("总经理宋建军已于9月1日辞职。", "2020-09-01"),
        ("总经理宋建军拟于2022年1月1日退休。", "2022-01-01"),
    ],
)
def test_chinese_dates(sentence: str, when: str) -> None:
    assert [s.date for s in _read(HEAD + sentence)] == [when]


def test_a_change_told_at_a_named_company_is_not_also_guessed_at_another() -> None:
    text = (
        "蓝海集团有限公司公告，董事郑明辞去蓝海集团有限公司董事职务。\n"
        "远山科技（300123）股价当日上涨。\n郑明辞去董事职务。"
    )
    assert {(s.person, s.company) for s in _read(text)} == {("郑明", "蓝海集团有限公司")}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the role between 新增 and the person after it
        ("远山资本管理有限公司发生工商变更，新增监事钱立。", {("钱立", "joined", "supervisor")}),
        # the predecessor gives up the post the successor takes
        (
            "远山保险股份有限公司董事会选举周平担任董事长，接替已届退休年龄的吴刚。",
            {("周平", "joined", "chairman"), ("吴刚", "left", "chairman")},
        ),
        # one change told by two verbs names the office once
        (
            "工商信息显示，郑明已退出远山投资有限公司、蓝海科技有限公司，并卸任上述公司的董事职务。",
            {("郑明", "left", "director")},
        ),
    ],
)
def test_roles_told_away_from_the_verb(sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert {(s.person, s.change, s.role) for s in _read(sentence)} == expected


def test_a_rumour_governs_every_verb_after_it() -> None:
    text = HEAD + "有消息称，董事长张海将辞职，总经理李明将接任董事长。"
    assert _read(text) == []
    # and a sentence without the rumour is news
    assert {s.person for s in _read(HEAD + "董事长张海辞职，总经理李明接任董事长。")} == {
        "张海",
        "李明",
    }


def test_a_company_whose_analyst_speaks_is_no_employer() -> None:
    found = {(s.person, s.company) for s in _read(HEAD + "安信证券分析师表示，总经理王强辞职。")}
    assert found == {("王强", "北辰电气")}


def test_words_before_an_office_that_a_name_follows_are_no_person() -> None:
    found = {
        (s.person, s.company, s.change) for s in _read(HEAD + "公司聘任万科原副总裁王强为总经理。")
    }
    assert found == {("王强", "北辰电气", "joined")}


@pytest.mark.parametrize(
    "sentence",
    [
        "据报道，董事长张海将辞职。",
        "总经理李明有望接任董事长。",
        "多名股东呼吁董事长张海辞职。",
        "董事长张海拒绝辞职。",
        "股东们要求董事长张海辞职。",
    ],
)
def test_hearsay_odds_and_demands_are_no_change(sentence: str) -> None:
    assert _read(HEAD + sentence) == []


def test_a_verb_without_an_object_leaves_no_company_after_it() -> None:
    text = "蓝海科技（300888）公告。5月，副总裁周敏离职后加盟了远山科技，担任远山科技首席运营官。"
    found = {(s.person, s.company, s.change) for s in _read(text)}
    assert found == {("周敏", "蓝海科技", "left"), ("周敏", "远山科技", "joined")}


def test_a_regulator_that_announces_is_no_company() -> None:
    assert zh.document_companies("中国证监会发布公告称，对多家机构作出处罚。").names == ()
