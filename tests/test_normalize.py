"""Officer names and roles normalise to one comparable form."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from monitor.normalize import _t2s, canonical_role, name_key, normalize_name, split_roles


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lei Jun", "Lei Jun"),
        ("  Lei   Jun ", "Lei Jun"),
        ("LEI, Jun", "Jun Lei"),
        ("SMITH, John Andrew", "John Andrew Smith"),
        ("Mr. John Smith", "John Smith"),
        ("Dr Jane Doe", "Jane Doe"),
        ("雷军", "雷军"),
        ("雷 军", "雷军"),
        ("雷军先生", "雷军"),
        ("Ｌｅｉ　Ｊｕｎ", "Lei Jun"),  # full-width letters and space (NFKC)
        ("McDONALD, Ronald", "Ronald McDONALD"),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_name_key_ignores_order_case_and_punctuation() -> None:
    assert name_key("LEI, Jun") == name_key("lei jun") == name_key("Jun Lei")
    assert name_key("Lei Jun") != name_key("Lei Jin")


@pytest.mark.parametrize(
    ("cell", "roles"),
    [
        ("执行董事兼总经理", {"executive director", "general manager"}),
        (
            "法定代表人、执行董事兼总经理",
            {"legal representative", "executive director", "general manager"},
        ),
        ("董事长", {"chairman"}),
        ("独立董事", {"independent director"}),
        ("监事会主席", {"chairman of supervisors"}),
        ("副总经理", {"deputy general manager"}),
        ("Director and CEO", {"director", "ceo"}),
        ("Chief Executive Officer", {"ceo"}),
        ("Legal Representative", {"legal representative"}),
        ("Company Secretary", {"secretary"}),
        ("Director (resigned)", {"director"}),
        ("Non-Executive Director", {"non-executive director"}),
        ("", set()),
        ("Head of Growth", {"head of growth"}),  # unknown wording kept, lower-cased
    ],
)
def test_split_roles(cell: str, roles: set[str]) -> None:
    assert split_roles(cell) == frozenset(roles)


def test_canonical_role_english_and_chinese_agree() -> None:
    assert canonical_role("执行董事") == canonical_role("Executive Director")
    assert canonical_role("法定代表人") == canonical_role("legal representative")
    assert canonical_role("监事") == canonical_role("Supervisor")


names = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ ,.-雷军曾学忠")),
    max_size=30,
)


@given(names)
def test_normalize_name_is_idempotent(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once) == once


@given(names)
def test_name_key_is_idempotent_and_stable(name: str) -> None:
    assert name_key(normalize_name(name)) == name_key(name)


@given(st.text(max_size=40))
@example("A\r:0")  # an article, then punctuation left behind
def test_split_roles_is_idempotent(cell: str) -> None:
    roles = split_roles(cell)
    again = frozenset(r for role in roles for r in split_roles(role))
    assert again == roles or not roles


def test_traditional_roles_and_names_compare_as_simplified() -> None:
    assert split_roles("法定代表人、執行董事兼總經理") == split_roles(
        "法定代表人、执行董事兼总经理"
    )
    assert split_roles("監事") == {"supervisor"}
    assert name_key("雷軍") == name_key("雷军")
    assert normalize_name("雷軍") == "雷軍"  # shown as the source writes it


def test_the_shipped_table_is_opencc_t2s_character_by_character() -> None:
    """monitor/data/t2s.txt is generated from OpenCC (a development dependency only)."""
    import importlib.util
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_t2s.py"
    spec = importlib.util.spec_from_file_location("make_t2s", script)
    assert spec is not None and spec.loader is not None
    make_t2s = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_t2s)
    expected = make_t2s.table()
    assert len(expected) > 4000
    assert {chr(k): chr(v) for k, v in _t2s().items()} == expected
    code = "import sys; from monitor.normalize import fold_han; fold_han('雷軍'); print('opencc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # the product itself does not load OpenCC
