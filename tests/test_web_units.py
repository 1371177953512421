"""Pure parts of the dashboard: the timeline SVG, the token and origin checks, filters."""

from __future__ import annotations

import base64
from datetime import date, datetime

import pytest

from monitor.store import EventRecord
from monitor.web.queries import BadFilter, EventFilter, decode_cursor, encode_cursor
from monitor.web.security import check_token, refuse_reason, same_origin
from monitor.web.svg import timeline_svg

TOKEN = "0123456789abcdef0123"


def event(ident: int, change: str, company: str, effective: str | None) -> EventRecord:
    return EventRecord(
        id=ident, change=change, person="Lei Jun", company=company, roles=("chairman",),
        previous_roles=(), effective_date=effective, published_date=None,
        detected_at=datetime(2026, 6, 1), evidence="", source="s", url="", origin="registry",
    )  # fmt: skip


def test_the_timeline_draws_tenures_and_escapes_every_label() -> None:
    svg = timeline_svg(
        [
            event(1, "joined", "Kingsoft <b>Corp</b>", "2020-01-01"),
            event(2, "left", "Kingsoft <b>Corp</b>", "2022-01-01"),
            event(3, "left", "小米科技有限责任公司" * 3, "2021-01-01"),  # joined before the chart
            event(4, "joined", "Xiaomi", "not a date"),  # falls back to when it was detected
        ],
        today=date(2026, 12, 1),
    )
    assert "<b>" not in svg and "Kingsoft &lt;b&gt;Corp&lt;/b&gt;" in svg
    assert svg.count('class="tenure"') == 1  # joined 2020, left 2022
    assert svg.count('class="tenure before"') == 1  # a departure with no join seen
    assert svg.count('class="tenure open"') == 1  # still there
    assert svg.count("<circle") == 4
    assert "…" in svg  # the long Chinese name is cut to fit its label column
    assert timeline_svg([], today=date(2026, 12, 1)) == ""


@pytest.mark.parametrize(
    ("header", "valid", "bearer"),
    [
        (f"Bearer {TOKEN}", True, True),
        (f"bearer {TOKEN}", True, True),
        ("Bearer wrong", False, True),
        ("Basic " + base64.b64encode(f"anyone:{TOKEN}".encode()).decode(), True, False),
        ("Basic " + base64.b64encode(f"{TOKEN}:x".encode()).decode(), False, False),
        ("Basic not-base64!", False, False),
        (TOKEN, False, False),
        ("", False, False),
    ],
)
def test_the_token_is_accepted_as_bearer_or_basic_password(
    header: str, valid: bool, bearer: bool
) -> None:
    assert check_token(header, TOKEN) == (valid, bearer)


def test_only_loopback_goes_without_a_token() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "localhost"):
        assert refuse_reason(host, None) is None
    for host in ("0.0.0.0", "::", "192.0.2.7", "monitor.example"):
        reason = refuse_reason(host, None)
        assert reason and "without a token" in reason and "MONITOR_WEB_TOKEN" in reason
        assert refuse_reason(host, TOKEN) is None


def test_cross_origin_requests_are_told_apart() -> None:
    assert same_origin({"host": "127.0.0.1:8080"})  # no Origin: not a browser form post
    assert same_origin({"host": "127.0.0.1:8080", "origin": "http://127.0.0.1:8080"})
    assert not same_origin({"host": "127.0.0.1:8080", "origin": "http://evil.example"})
    assert not same_origin({"host": "127.0.0.1:8080", "origin": "null"})


def test_filters_round_trip_through_their_url_and_refuse_nonsense() -> None:
    f = EventFilter(change=("left", "joined"), person="雷军", since=date(2026, 1, 1), unread=True)
    assert f.query() == "change=left&change=joined&person=%E9%9B%B7%E5%86%9B&since=2026-01-01&unread=1"
    assert EventFilter().query() == "" and not EventFilter().active
    cursor = encode_cursor(datetime(2026, 11, 30, 12, 0, 1, 5), 42)
    assert decode_cursor(cursor) == (datetime(2026, 11, 30, 12, 0, 1, 5), 42)
    for bad in ({"change": ("hired",)}, {"origin": "rumour"}, {"limit": 0}, {"cursor": "x"}):
        with pytest.raises(BadFilter):
            EventFilter(**bad)  # type: ignore[arg-type]


def test_a_masked_url_keeps_the_rest_of_its_query_as_written() -> None:
    from monitor.redact import redact_url

    url = "https://news.example.com/read?id=7&q=a%26b+c&api_key=sk-live-1"
    assert redact_url(url) == "https://news.example.com/read?id=7&q=a%26b+c&api_key=***"
