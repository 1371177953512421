"""The daemon's pure parts: the due queue, operator transitions, metrics text, addresses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.clicontext import parse_address
from monitor.daemon.metrics import Metrics
from monitor.daemon.operator import OperatorAlert, render, transition
from monitor.daemon.schedule import DueQueue

T0 = datetime(2026, 1, 1)


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(0, 100)), max_size=40))
def test_each_source_comes_out_once_at_its_latest_time(pushes: list[tuple[str, int]]) -> None:
    queue = DueQueue()
    latest: dict[str, datetime] = {}
    for key, minutes in pushes:
        queue.push(key, T0 + timedelta(minutes=minutes))
        latest[key] = T0 + timedelta(minutes=minutes)
    due = queue.pop_due(T0 + timedelta(minutes=100))
    assert sorted(due) == sorted(latest.items())
    assert [when for _, when in due] == sorted(when for _, when in due)
    assert len(queue) == 0 and queue.earliest() is None


def test_downtime_coalesces_and_in_flight_sources_are_not_due_again() -> None:
    queue = DueQueue({"a": T0 - timedelta(days=3), "b": T0 + timedelta(hours=1)})
    assert queue.pop_due(T0) == [("a", T0 - timedelta(days=3))]  # once, however late
    assert queue.pop_due(T0) == []  # in flight: not handed out twice
    assert queue.earliest() == T0 + timedelta(hours=1)
    queue.push("a", T0 + timedelta(minutes=5))
    assert queue.earliest() == T0 + timedelta(minutes=5)
    queue.discard(["a"])
    assert queue.earliest() == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    ("before", "failed", "expected"),
    [
        (0, True, None),
        (1, True, None),
        (2, True, "unhealthy"),  # the third failure in a row
        (3, True, None),  # told once, not on every later failure
        (7, True, None),
        (0, False, None),
        (2, False, None),  # never reported unhealthy: no recovery message either
        (3, False, "recovered"),
        (9, False, "recovered"),
    ],
)
def test_operator_transitions(before: int, failed: bool, expected: str | None) -> None:
    assert transition(before, failed, 3) == expected


def test_operator_messages_say_what_and_escape_for_html() -> None:
    alert = OperatorAlert("unhealthy", "Acme <officers>", "http://x/", 3, "HTTP 503")
    text = render(alert, "text")
    assert "unhealthy after 3 failed checks: Acme <officers>" in text.title
    assert "Last error: HTTP 503" in text.body
    assert "&lt;officers&gt;" in render(alert, "html").body


def test_metrics_are_prometheus_text() -> None:
    metrics = Metrics()
    metrics.checks["unchanged"] += 2
    metrics.checks["error"] += 1
    for seconds in (0.01, 0.3, 40.0):
        metrics.fetch_seconds.observe(seconds)
    text = metrics.render({"monitor_up": ("Alive.", 1.0)})
    lines = text.splitlines()
    assert 'monitor_checks_total{status="unchanged"} 2' in lines
    assert "monitor_check_failures_total 1" in lines
    assert 'monitor_fetch_duration_seconds_bucket{le="0.05"} 1' in lines
    assert 'monitor_fetch_duration_seconds_bucket{le="0.5"} 2' in lines
    assert 'monitor_fetch_duration_seconds_bucket{le="30"} 2' in lines
    assert 'monitor_fetch_duration_seconds_bucket{le="+Inf"} 3' in lines
    assert "monitor_fetch_duration_seconds_count 3" in lines
    assert "# TYPE monitor_up gauge" in lines and "monitor_up 1" in lines

    for line in lines:  # every sample line is NAME[{labels}] VALUE
        if not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            float(value)
            assert name.startswith("monitor_")


def test_metrics_print_unix_times_to_the_second() -> None:
    # `:g` would print 1.79615e+09, up to 5,000 s off.
    text = Metrics().render(
        {"monitor_next_check_timestamp_seconds": ("Due.", 1796150123.0), "ratio": ("R.", 0.25)}
    )
    assert "monitor_next_check_timestamp_seconds 1796150123" in text.splitlines()
    assert "ratio 0.25" in text.splitlines()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        (":9000", ("0.0.0.0", 9000)),
        ("[::1]:80", ("::1", 80)),
    ],
)
def test_addresses(text: str, expected: tuple[str, int]) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["8080", "host:", "host:http", "h:70000"])
def test_bad_addresses(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_address(text)


def test_an_operator_alert_names_its_source_without_credentials() -> None:
    from monitor.daemon.operator import alert_for
    from monitor.store import HealthStep

    url = "https://admin:pa55word@registry.test/ks?api_key=sk-live-0123456789"
    step = HealthStep(1, f"html · {url}", url, failures_before=2, failed=True, error="HTTP 503")
    alert = alert_for(step, threshold=3)
    assert alert is not None and alert.kind == "unhealthy"
    shown = alert.title + alert.body() + render(alert, "html").body
    assert "registry.test/ks" in shown
    assert "pa55word" not in shown and "sk-live-0123456789" not in shown
