"""kind: json — any JSON staff list described with JMESPath."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import PageServer
from registry_support import by_change, check, events, fixture, observe, serve, write_config

from monitor.errors import FetchError, ParseError
from monitor.sources.base import FetchState, NotModified, Observed
from monitor.sources.json_api import JsonSpec, normalize_date

KIND = "json"
COMPANY = "小米科技有限责任公司"
STAFF = "/services/open/ic/staff/2.0?keyword=91110108551385082Q"
PAGE1 = "/v2/companies/acme/officers?page=1"
PAGE2 = "/v2/companies/acme/officers?page=2"


def config_text(server: PageServer, state: str) -> str:
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none}}
companies:
  - name: {COMPANY}
    sources:
      - kind: json
        url: "{server.url(STAFF)}"
        headers: {{Authorization: "${{TYC_TOKEN:-tyc-test}}"}}
        rows: result.items
        fields: {{name: name, role: typeJoin}}
"""


def test_role_change_and_new_manager(tmp_path: Path, server: PageServer) -> None:
    serve(server, STAFF, fixture(KIND, "staff_before.json"), etag='"v1"')
    config = write_config(tmp_path, config_text(server, f"sqlite:///{tmp_path / 's.db'}"))
    assert check(config).returncode == 0
    assert check(config).returncode == 0
    assert server.hits_for(STAFF)[-1].headers.get("If-None-Match") == '"v1"'

    serve(server, STAFF, fixture(KIND, "staff_after.json"), etag='"v2"')
    result = check(config)
    assert result.returncode == 0, result.stderr
    found = by_change(events(config))
    assert set(found) == {("role_changed", "雷军", COMPANY), ("joined", "曾学忠", COMPANY)}
    changed = found[("role_changed", "雷军", COMPANY)]
    assert (changed["previous_role"], changed["role"]) == ("chairman, general manager", "chairman")
    assert found[("joined", "曾学忠", COMPANY)]["role"] == "general manager"
    assert server.hits_for(STAFF)[-1].headers["Authorization"] == "tyc-test"


def paged(server: PageServer, **extra: Any) -> JsonSpec:
    return JsonSpec.model_validate(
        {
            "kind": KIND,
            "url": server.url(PAGE1),
            "rows": "data[].attributes",
            "fields": {
                "name": "full_name",
                "role": "title",
                "appointed": "start",
                "resigned": "end",
            },
            "left_if": "!current",
            "next": "links.next",
            **extra,
        }
    )


def test_pages_are_followed_and_former_officers_are_not_current(server: PageServer) -> None:
    serve(server, PAGE1, fixture(KIND, "people_page1.json"))
    serve(server, PAGE2, fixture(KIND, "people_page2.json"))
    result = observe(paged(server).build("Acme Corp"))
    assert isinstance(result, Observed)
    officers = {o.name: o for o in result.extraction.officers}
    assert sorted(officers) == ["Maria Gonzalez", "Priya Raman", "Tom Becker"]
    assert officers["Tom Becker"].roles == {"cfo"}
    assert officers["Maria Gonzalez"].appointed == "2017-06-01"
    assert result.extraction.rows_seen == 4
    again = observe(paged(server).build("Acme Corp"), FetchState(content_hash=result.content_hash))
    assert isinstance(again, NotModified)


def test_more_pages_than_allowed_is_an_error(server: PageServer) -> None:
    serve(server, PAGE1, fixture(KIND, "people_page1.json"))
    serve(server, PAGE2, fixture(KIND, "people_page2.json"))
    with pytest.raises(ParseError, match="more than 1 pages"):
        observe(paged(server, max_pages=1).build("Acme Corp"))


@pytest.mark.parametrize(
    ("body", "status", "error", "message"),
    [
        ({"error_code": 300003, "reason": "token无效"}, 401, FetchError, "HTTP 401"),
        ({"error_code": 300007, "reason": "请求过于频繁"}, 429, FetchError, "HTTP 429"),
        (b"<html>maintenance</html>", 200, ParseError, "did not answer with JSON"),
        ({"error_code": 0, "result": {"items": "n/a"}}, 200, ParseError, "not a list"),
        ({"error_code": 300000, "result": None}, 200, ParseError, "nothing at `rows"),
    ],
)
def test_errors_are_named(
    server: PageServer, body: Any, status: int, error: type[Exception], message: str
) -> None:
    serve(server, STAFF, body, status=status, headers={"Retry-After": "0"})
    spec = JsonSpec.model_validate(
        {"kind": KIND, "url": server.url(STAFF), "rows": "result.items", "fields": {"name": "name"}}
    )
    with pytest.raises(error, match=message):
        observe(spec.build(COMPANY))


def test_bad_jmespath_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="invalid JMESPath"):
        JsonSpec.model_validate(
            {"kind": KIND, "url": "https://x.example/", "rows": "items[", "fields": {"name": "n"}}
        )


@pytest.mark.parametrize(
    ("value", "offset", "expected"),
    [
        ("2023-05-10", 0, "2023-05-10"),
        ("2023/5/9", 0, "2023-05-09"),
        ("2023年5月10日", 0, "2023-05-10"),
        ("2023-05-10T08:00:00+08:00", 0, "2023-05-10"),
        (1683648000000, 8, "2023-05-10"),
        (1683648000000, 0, "2023-05-09"),
        (1683648000, 8, "2023-05-10"),
        ("2019-04", 0, "2019-04"),
        ("", 0, None),
        (None, 0, None),
    ],
)
def test_dates_are_normalised(value: Any, offset: float, expected: str | None) -> None:
    assert normalize_date(value, offset) == expected
