"""`monitor check` end to end: a real HTTP server, a real database, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PageServer, registry_page, run_cli
from support.xiaomi import AFTER_WUHAN, AUTO, BEFORE_WUHAN, WUHAN, watch_list

from monitor.store import Store

BEFORE_AUTO = [("Wang Xiang", "Director", "2021-09-01"), ("Lin Bin", "Director", "2021-09-01")]
AFTER_AUTO = [
    ("Lin Bin", "Director", "2021-09-01"),
    ("Lei Jun", "Legal Representative", "2021-09-01"),
    ("Wang Xiang", "Director", "2021-09-01"),
]


def write_config(tmp_path: Path, server: PageServer, state: str) -> Path:
    config = tmp_path / "monitor.yaml"
    config.write_text(watch_list(server, state), encoding="utf-8")
    return config


def events_json(config: Path, *extra: str) -> list[dict[str, object]]:
    result = run_cli("-c", str(config), "events", "--json", *extra)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def setup(tmp_path: Path, server: PageServer, db_url: str) -> Path:
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    server.set("/auto", registry_page(AUTO, BEFORE_AUTO))
    return write_config(tmp_path, server, db_url)


def test_two_checks_yield_exactly_the_changes(setup: Path, server: PageServer) -> None:
    first = run_cli("-c", str(setup), "check")
    assert first.returncode == 0, first.stderr
    assert "0 change(s)" in first.stdout
    assert events_json(setup) == []

    server.set("/wuhan", registry_page(WUHAN, AFTER_WUHAN))
    server.set("/auto", registry_page(AUTO, AFTER_AUTO))
    second = run_cli("-c", str(setup), "check", "--all")
    assert second.returncode == 0, second.stderr

    found = {(e["change"], e["person"], e["company"]): e for e in events_json(setup)}
    assert set(found) == {
        ("left", "Lei Jun", WUHAN),
        ("joined", "Zeng Xuezhong", WUHAN),
        ("joined", "Lei Jun", AUTO),
    }
    left = found[("left", "Lei Jun", WUHAN)]
    assert left["role"] == "executive director, general manager, legal representative"
    assert left["origin"] == "registry"
    assert left["url"] == server.url("/wuhan")
    assert "Lei Jun" in str(left["evidence"])
    joined = found[("joined", "Lei Jun", AUTO)]
    assert joined["role"] == "legal representative"
    assert joined["effective_date"] == "2021-09-01"
    for key in ("id", "previous_role", "detected_at", "source"):
        assert key in joined

    # Third run with nothing changed: no new events.
    third = run_cli("-c", str(setup), "check", "--all")
    assert third.returncode == 0, third.stderr
    assert len(events_json(setup)) == 3

    timeline = run_cli("-c", str(setup), "timeline", "雷军", "--json")
    assert timeline.returncode == 0, timeline.stderr
    moves = [(e["change"], e["company"]) for e in map(json.loads, timeline.stdout.splitlines())]
    assert moves == [("joined", AUTO), ("left", WUHAN)]  # 2021-09-01 before detection day

    only_lei = events_json(setup, "--person", "LEI, Jun")
    assert {e["person"] for e in only_lei} == {"Lei Jun"}
    assert len(events_json(setup, "--company", "xiaomi automobile co ltd")) == 1
    assert len(events_json(setup, "--limit", "1")) == 1


def test_role_change_is_one_event(setup: Path, server: PageServer) -> None:
    assert run_cli("-c", str(setup), "check").returncode == 0
    promoted = [("Wang Xiang", "Director, CEO", "2021-09-01"), BEFORE_AUTO[1]]
    server.set("/auto", registry_page(AUTO, promoted))
    assert run_cli("-c", str(setup), "check", "--all").returncode == 0
    [event] = events_json(setup)
    assert (event["change"], event["person"]) == ("role_changed", "Wang Xiang")
    assert event["previous_role"] == "director"
    assert event["role"] == "ceo, director"


def test_error_page_with_http_200_is_not_everyone_leaving(setup: Path, server: PageServer) -> None:
    assert run_cli("-c", str(setup), "check").returncode == 0
    server.set("/wuhan", "<html><body><h1>Service busy, try again later</h1></body></html>")
    held = run_cli("-c", str(setup), "check", "--all")
    assert held.returncode == 1, held.stderr  # a held check is a failure: the source is blind
    assert "HELD" in held.stderr and "no officer rows" in held.stderr
    assert events_json(setup) == []
    status = run_cli("-c", str(setup), "status", "--json")
    assert status.returncode == 0, status.stderr
    wuhan = next(s for s in json.loads(status.stdout)["sources"] if s["entity"] == WUHAN)
    assert wuhan["healthy"] is False and "no officer rows" in wuhan["health_reason"]

    # The same error page again is still not a change; the real page returns quietly.
    assert run_cli("-c", str(setup), "check", "--all").returncode == 1
    assert events_json(setup) == []
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    assert run_cli("-c", str(setup), "check", "--all").returncode == 0
    assert events_json(setup) == []
    status = json.loads(run_cli("-c", str(setup), "status", "--json").stdout)
    assert all(s["healthy"] for s in status["sources"])


def test_mass_departure_is_emitted_once_confirmed(setup: Path, server: PageServer) -> None:
    big = [(f"Officer {i}", "Director", "2020-01-01") for i in range(6)]
    server.set("/auto", registry_page(AUTO, big))
    assert run_cli("-c", str(setup), "check", "--all").returncode == 0
    server.set("/auto", registry_page(AUTO, big[:2]))
    assert run_cli("-c", str(setup), "check", "--all").returncode == 1
    assert events_json(setup) == []  # held back: could be a partial page
    assert run_cli("-c", str(setup), "check", "--all").returncode == 0
    left = events_json(setup)
    assert sorted(e["person"] for e in left) == [f"Officer {i}" for i in range(2, 6)]
    assert {e["change"] for e in left} == {"left"}


def test_failing_source_does_not_stop_the_others(setup: Path, server: PageServer) -> None:
    assert run_cli("-c", str(setup), "check").returncode == 0
    server.set("/wuhan", "gone", status=404)
    server.set("/auto", registry_page(AUTO, AFTER_AUTO))
    result = run_cli("-c", str(setup), "check", "--all")
    assert result.returncode == 1
    assert "FAILED" in result.stderr and "HTTP 404" in result.stderr
    assert [e["person"] for e in events_json(setup)] == ["Lei Jun"]


def test_unchanged_pages_are_not_parsed_again(setup: Path, server: PageServer) -> None:
    etag = 'W/"wuhan-v1"'
    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN), etag=etag)
    first = run_cli("-c", str(setup), "check")
    assert first.returncode == 0, first.stderr
    assert "2 parsed" in first.stdout
    second = run_cli("-c", str(setup), "check", "--all")
    assert second.returncode == 0, second.stderr
    # /wuhan answers 304 to the validator sent back exactly; /auto is the same bytes again.
    assert "0 parsed" in second.stdout
    assert server.hits_for("/wuhan")[-1].headers.get("If-None-Match") == etag


def test_a_page_rewritten_in_traditional_chinese_is_no_change(
    tmp_path: Path, server: PageServer, db_url: str
) -> None:
    """Hong Kong and Taiwan registries write names and roles in traditional characters; the
    same officers in the other script are the same officers."""
    simplified = [
        ("雷军", "法定代表人、执行董事兼总经理", "2015-06-01"),
        ("刘德", "监事", "2015-06-01"),
    ]
    traditional = [
        ("雷軍", "法定代表人、執行董事兼總經理", "2015-06-01"),
        ("劉德", "監事", "2015-06-01"),
    ]
    server.set("/wuhan", registry_page(WUHAN, simplified))
    server.set("/auto", registry_page(AUTO, BEFORE_AUTO))
    config = write_config(tmp_path, server, db_url)
    assert run_cli("-c", str(config), "check").returncode == 0
    page = registry_page(WUHAN, traditional).replace("charset='utf-8'", "charset='big5'")
    server.set("/wuhan", page.encode("big5"), headers={"Content-Type": "text/html"})
    second = run_cli("-c", str(config), "check", "--all")
    assert second.returncode == 0, second.stderr
    assert "0 change(s), 0 failed, 1 parsed" in second.stdout  # read again, nothing new
    assert events_json(config) == []

    server.set("/wuhan", registry_page(WUHAN, traditional[1:]))  # 雷軍 leaves
    assert run_cli("-c", str(config), "check", "--all").returncode == 0
    [left] = events_json(config, "--person", "Lei Jun")
    assert (left["change"], left["person"]) == ("left", "雷军")  # as first recorded


def test_a_defect_in_one_source_costs_only_that_sources_check(
    tmp_path: Path, server: PageServer, db_url: str
) -> None:
    import asyncio

    from monitor.check import Checker, build_sources, make_fetcher
    from monitor.config import load_config

    server.set("/wuhan", registry_page(WUHAN, BEFORE_WUHAN))
    server.set("/auto", registry_page(AUTO, BEFORE_AUTO))
    loaded = load_config(write_config(tmp_path, server, db_url))
    store = Store(loaded.config.state)
    broken, working = build_sources(loaded.config)

    async def explode(*args: object) -> object:
        raise RuntimeError("a bug in the source kind")

    broken.observe = explode  # type: ignore[method-assign]

    async def cycle() -> dict[str, tuple[str, str | None]]:
        checker = Checker(loaded.config, store, make_fetcher(loaded.config))
        try:
            report = await checker.run_cycle([broken, working], everything=True)
        finally:
            await checker.fetcher.aclose()
            checker.close()
        return {r.source.key: (r.outcome.status, r.outcome.error) for r in report.results}

    results = asyncio.run(cycle())
    store.close()
    assert results[working.key] == ("baseline", None)
    status, error = results[broken.key]
    assert status == "error" and "RuntimeError: a bug in the source kind" in str(error)
