"""The news benchmark's scorer follows the matching rules of the labelled corpus."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

from monitor.news import Statement

_PATH = Path(__file__).parents[1] / "bench" / "news_eval.py"
_SPEC = importlib.util.spec_from_file_location("news_eval", _PATH)
assert _SPEC and _SPEC.loader
news_eval = importlib.util.module_from_spec(_SPEC)
sys.modules["news_eval"] = news_eval
_SPEC.loader.exec_module(news_eval)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("L.K. Evans", "LK Evans", True),
        ("L. K. Evans", "lk evans", True),
        ("Evans, Mary", "Mary Evans", True),
        ("John Johnstone", "John W. Johnstone Jr", True),
        ("Johnstone", "John W. Johnstone Jr", False),  # one token is never enough
        ("Mary Evans", "Mary Evers", False),
        ("欧阳·明", "欧阳明", True),
        ("王明", "王明华", False),
    ],
)
def test_person_match(a: str, b: str, same: bool) -> None:
    assert news_eval.person_match(a, b) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Acme Widgets Inc.", "Acme Widgets", True),
        ("The Acme Widgets Corp (ACW)", "Acme Widgets", True),
        ("Acme", "Acme Widgets Holdings plc", True),  # a whole-token run
        ("Acm", "Acme Widgets", False),
        ("Widgets Acme", "Acme Widgets", False),
        ("北方重工股份有限公司", "北方重工", True),
        ("重工", "北方重工集团有限公司", True),  # a substring for Chinese
        ("Inc.", "Acme Inc.", False),  # nothing left after the legal form
    ],
)
def test_company_match(a: str, b: str, same: bool) -> None:
    assert news_eval.company_match(a, b) is same


def _statement(person: str, company: str, change: str) -> Statement:
    return Statement(person, company, change, None, None, None, "", 0.9)


def test_found_false_optional_and_repeats() -> None:
    doc = news_eval.Document(
        name="x.txt",
        text="",
        lang="en",
        source="own",
        published=date(2024, 1, 1),
        events=({"person": "Mary Evans", "company": "Acme", "kinds": ["joined"]},),
        optional=({"person": "Tom Bell", "company": "Acme"},),
        kind="-",
    )
    outputs = [
        _statement("Mary Evans", "Acme Inc.", "joined"),
        _statement("Mary Evans", "Acme Inc.", "joined"),  # a repeat: ignored
        _statement("Tom Bell", "Acme", "left"),  # optional: ignored
        _statement("Mary Evans", "Acme Inc.", "left"),  # wrong direction: false
        _statement("Ann Lee", "Acme", "joined"),  # not labelled: false
    ]
    score = news_eval.score_document(doc, outputs).score
    assert (score.found, score.false, score.required, score.ignored) == (1, 2, 1, 2)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == 1.0


def test_split_is_fixed_by_name() -> None:
    # the published split of ../shared/real_news depends only on the file name
    halves = {news_eval.half_of(f"doc-{i}.txt") for i in range(20)}
    assert halves == {"tuning", "checking"}
    assert news_eval.half_of("doc-1.txt") == news_eval.half_of("doc-1.txt")
