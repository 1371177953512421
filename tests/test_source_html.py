"""``kind: html``: table-driven extraction cases, one page and one expectation per case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from monitor.errors import ParseError
from monitor.sources.html import HtmlSpec, make_extractor

CASES = sorted((Path(__file__).parent / "fixtures" / "html").glob("*.json"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_extraction(case: Path) -> None:
    data = json.loads(case.read_text(encoding="utf-8"))
    spec = TypeAdapter(HtmlSpec).validate_python(data["source"])
    body = case.with_suffix(".html").read_bytes()
    extraction = make_extractor(spec, "Example Co., Ltd.")(body, data["content_type"])
    got = [
        {"name": o.name, "roles": sorted(o.roles), "appointed": o.appointed, "resigned": o.resigned}
        for o in extraction.officers
    ]
    assert got == data["officers"]
    assert extraction.rows_seen == len(data["officers"])


def test_both_parsers_agree_on_well_formed_pages() -> None:
    case = Path(__file__).parent / "fixtures" / "html" / "selector-english.json"
    data = json.loads(case.read_text(encoding="utf-8"))
    body = case.with_suffix(".html").read_bytes()
    results = []
    for parser in ("lxml", "bs4"):
        spec = HtmlSpec.model_validate({**data["source"], "parser": parser})
        results.append(make_extractor(spec, "X")(body, ""))
    assert results[0].officers == results[1].officers


def test_page_without_the_table_extracts_nothing() -> None:
    spec = HtmlSpec.model_validate(
        {
            "kind": "html",
            "url": "http://127.0.0.1/",
            "rows": "#officers tr",
            "fields": {"name": "td"},
        }
    )
    extraction = make_extractor(spec, "X")(b"<html><body>Maintenance</body></html>", "")
    assert extraction.officers == () and extraction.rows_seen == 0


def test_binary_garbage_is_a_parse_error_or_empty() -> None:
    spec = HtmlSpec.model_validate(
        {"kind": "html", "url": "http://127.0.0.1/", "rows": "tr", "fields": {"name": "td"}}
    )
    try:
        extraction = make_extractor(spec, "X")(b"", "")
    except ParseError as exc:
        assert "not parseable" in str(exc)
    else:
        assert extraction.officers == ()


def test_modes_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either `rows` and `fields`"):
        HtmlSpec.model_validate({"kind": "html", "url": "http://127.0.0.1/"})
    with pytest.raises(ValueError, match="cannot be combined"):
        HtmlSpec.model_validate(
            {
                "kind": "html",
                "url": "http://127.0.0.1/",
                "rows": "tr",
                "fields": {"name": "td"},
                "columns": {"name": "Name"},
            }
        )
