"""The dashboard and JSON API through Starlette's TestClient: filters, pagination, unread
state, reviews, retries, the token gate, escaping and secrets, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from web_support import API_KEY, TOKEN, Seeded, event_id, seed, write_config

from monitor.cli import main
from monitor.store.tables import deliveries
from monitor.web.app import Site, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    s = seed(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    yield s
    s.store.close()


@pytest.fixture
def seeded_any(db_url: str, tmp_path: Path) -> Iterator[Seeded]:
    """The same story on each supported database (SQL differs where filters are)."""
    s = seed(tmp_path, db_url)
    yield s
    s.store.close()


def browser_like(s: Seeded) -> TestClient:
    app = create_app(Site(s.store, lambda: s.loaded))
    return TestClient(app, base_url="http://127.0.0.1:8080", headers=basic("ann", TOKEN))


@pytest.fixture
def client(seeded: Seeded) -> TestClient:
    return browser_like(seeded)


@pytest.fixture
def any_client(seeded_any: Seeded) -> TestClient:
    return browser_like(seeded_any)


def api_ids(client: TestClient, query: str = "") -> list[int]:
    answer = client.get(f"/api/v1/events?{query}", headers=BEARER)
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def page_ids(client: TestClient, query: str = "") -> list[int]:
    answer = client.get(f"/events?{query}")
    assert answer.status_code == 200, answer.text
    return [int(i) for i in re.findall(r'<li class="event [^"]*" data-id="(\d+)"', answer.text)]


def csrf(client: TestClient, path: str = "/events") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_every_filter_selects_the_same_events_on_the_page_and_in_the_api(
    any_client: TestClient, seeded_any: Seeded
) -> None:
    client, seeded = any_client, seeded_any
    ids = seeded.ids
    lei_left_kingsoft = event_id(seeded, "Lei Jun", "left", "Kingsoft Corporation")
    lei_joined = event_id(seeded, "Lei Jun", "joined", WUHAN)
    lei_left_cn = event_id(seeded, "雷军", "left", "小米科技有限责任公司")
    lin_joined = event_id(seeded, "Lin Bin", "joined", WUHAN)
    lin_changed = event_id(seeded, "Lin Bin", "role_changed", WUHAN)
    script = event_id(seeded, "<script>alert(1)</script>", "joined", "Kingsoft Corporation")
    cases = {
        "": [script, lin_changed, lei_left_cn, lin_joined, lei_joined, lei_left_kingsoft],
        "change=left": [lei_left_cn, lei_left_kingsoft],
        "change=left&change=role_changed": [lin_changed, lei_left_cn, lei_left_kingsoft],
        # One person in both scripts, through the watch list's alias.
        "person=Lei%20Jun": [lei_left_cn, lei_joined, lei_left_kingsoft],
        "person=%E9%9B%B7%E5%86%9B": [lei_left_cn, lei_joined, lei_left_kingsoft],
        "person=LEI,%20Jun&change=joined": [lei_joined],
        # The company's Chinese alias finds the English name the registry used.
        "company=%E5%B0%8F%E7%B1%B3%E7%A7%91%E6%8A%80%EF%BC%88%E6%AD%A6%E6%B1%89%EF%BC%89"
        "%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8": [lin_changed, lin_joined, lei_joined],
        "origin=news": [script],
        "origin=registry&company=Kingsoft%20Corporation": [lei_left_kingsoft],
        "since=2026-11-27&until=2026-11-28": [lin_changed, lei_left_cn],
        "until=2026-11-25": [lei_left_kingsoft],
        "person=Nobody%20Here": [],
    }
    assert len(ids) == 6
    for query, expected in cases.items():
        assert api_ids(client, query) == expected, query
        assert page_ids(client, query) == expected, query


def test_pages_of_events_follow_the_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    everything = api_ids(client)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(f"/api/v1/events?{query}", headers=BEARER).json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert seen == everything and pages == 3
    # The page's "Older events" link carries the same cursor and the filters.
    html = client.get("/events?change=left&limit=1").text
    link = re.search(r'rel="next" href="/events\?([^"]+)"', html)
    assert link and "change=left" in link.group(1) and "cursor=" in link.group(1)


def test_mark_all_read_empties_the_unread_filter_but_spares_newer_events(
    any_client: TestClient, seeded_any: Seeded
) -> None:
    client, seeded = any_client, seeded_any
    newest = max(seeded.ids.values())
    assert client.get("/api/v1/events", headers=BEARER).json()["unread"] == 6
    token = csrf(client)
    # "Mark all shown read" with a filter marks only what the filter shows.
    done = client.post(
        "/events/read?change=left", data={"csrf": token, "up_to": str(newest)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/events?change=left"
    assert api_ids(client, "unread=1&change=left") == []
    assert len(api_ids(client, "unread=1")) == 4
    # Up to the newest event the page showed: one that arrived later stays unread.
    client.post("/events/read", data={"csrf": token, "up_to": str(newest - 1)})
    assert api_ids(client, "unread=1") == [newest]
    assert "1 unread" in client.get("/events").text
    client.post(f"/api/v1/events/read?up_to={newest}", headers=BEARER)
    assert api_ids(client, "unread=1") == []
    assert client.get("/api/v1/events", headers=BEARER).json()["unread"] == 0


def test_state_changes_need_the_csrf_token_or_the_bearer_token(client: TestClient) -> None:
    forged = client.post("/events/read", data={"up_to": "99"})
    assert forged.status_code == 403
    wrong = client.post("/events/read", data={"up_to": "99", "csrf": "guess"})
    assert wrong.status_code == 403
    # Basic auth rides along on a cross-site form post: the API refuses it without CSRF.
    assert client.post("/api/v1/events/read?up_to=99").status_code == 403
    cross = client.post(
        "/events/read",
        data={"up_to": "99", "csrf": csrf(client)},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert client.get("/api/v1/events", headers=BEARER).json()["unread"] == 6


def test_a_review_is_kept_with_who_when_and_the_comment(
    any_client: TestClient, seeded_any: Seeded
) -> None:
    client, seeded = any_client, seeded_any
    ident = event_id(seeded, "Lei Jun", "joined", WUHAN)
    token = csrf(client, f"/events/{ident}")
    first = client.post(
        f"/events/{ident}/review",
        data={"csrf": token, "reviewer": "Ann Analyst", "comment": "Checked the filing <ok>"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    again = client.post(
        f"/api/v1/events/{ident}/reviews",
        json={"reviewer": "Bo", "comment": "second look"},
        headers=BEARER,
    )
    assert again.status_code == 201 and again.json()["reviewed_at"].endswith("Z")
    html = client.get(f"/events/{ident}").text
    assert "Ann Analyst" in html and "Checked the filing &lt;ok&gt;" in html and "Bo" in html
    reviews = client.get(f"/api/v1/events/{ident}", headers=BEARER).json()["reviews"]
    assert [(r["reviewer"], r["comment"]) for r in reviews] == [
        ("Ann Analyst", "Checked the filing <ok>"),
        ("Bo", "second look"),
    ]
    assert client.get(f"/api/v1/events/{ident}", headers=BEARER).json()["read_at"] is not None
    assert 'class="flag reviewed"' in client.get("/events").text
    missing = client.post("/events/9999/review", data={"csrf": token, "reviewer": "x"})
    assert missing.status_code == 404


def test_retry_puts_a_dead_alert_back_in_the_queue(client: TestClient, seeded: Seeded) -> None:
    dead = seeded.deliveries["dead"]
    html = client.get("/alerts?status=dead").text
    assert f'action="/alerts/{dead}/retry"' in html and "dead (1)" in html
    done = client.post(
        f"/alerts/{dead}/retry",
        data={"csrf": csrf(client, "/alerts"), "back": "/alerts?status=dead"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/alerts?status=dead"
    assert "desk" in client.get("/alerts?channel=desk").text
    assert "No alerts" in client.get("/alerts?channel=elsewhere").text
    with seeded.store.engine.connect() as conn:
        row = conn.execute(select(deliveries).where(deliveries.c.id == dead)).one()
    assert (row.status, row.attempts) == ("pending", 0)
    sent = seeded.deliveries["sent"]
    assert client.post(f"/api/v1/deliveries/{sent}/retry", headers=BEARER).json() == {"changed": 0}
    listed = client.get("/api/v1/deliveries?status=dead", headers=BEARER).json()
    assert listed == []


def test_pages_and_api_answer_401_without_the_token(seeded: Seeded) -> None:
    app = create_app(Site(seeded.store, lambda: seeded.loaded))
    anonymous = TestClient(app, base_url="http://127.0.0.1:8080")
    for path in ("/events", "/events/1", "/people/Lei%20Jun", "/alerts", "/static/app.css"):
        answer = anonymous.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"].startswith("Basic")
    api = anonymous.get("/api/v1/events")
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.get("/api/v1/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert anonymous.get("/events", headers=basic("ann", "wrong")).status_code == 401
    assert anonymous.get("/healthz").status_code == 200  # probes stay open
    assert anonymous.get("/api/v1/events", headers=BEARER).status_code == 200
    assert anonymous.get("/events", headers=basic("anyone", TOKEN)).status_code == 200


def test_without_a_token_only_loopback_names_are_answered(tmp_path: Path) -> None:
    s = seed(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", token=False)
    app = create_app(Site(s.store, lambda: s.loaded))
    assert TestClient(app, base_url="http://127.0.0.1:8080").get("/events").status_code == 200
    assert TestClient(app, base_url="http://localhost:8080").get("/events").status_code == 200
    # A DNS-rebinding page reaches 127.0.0.1 under its own name: refused.
    assert TestClient(app, base_url="http://evil.example").get("/events").status_code == 403
    s.store.close()


def test_a_reload_that_drops_the_token_closes_a_network_dashboard(tmp_path: Path) -> None:
    with_token = seed(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    live = [with_token.loaded]
    app = create_app(Site(with_token.store, lambda: live[0], exposed=True))  # on 0.0.0.0
    assert TestClient(app, base_url="http://127.0.0.1:8080").get("/events", headers=BEARER).status_code == 200
    live[0] = write_config(tmp_path, with_token.loaded.config.state, token=False)  # SIGHUP
    # A client on the network chooses its Host header: a loopback name opens nothing.
    for base in ("http://127.0.0.1:8080", "http://localhost", "http://192.0.2.7:8080"):
        answer = TestClient(app, base_url=base).get("/api/v1/events")
        assert answer.status_code == 403 and "web.token" in answer.text, base
    with_token.store.close()


def test_a_network_address_without_a_token_is_refused(tmp_path: Path) -> None:
    s = seed(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", token=False)
    s.store.close()
    config = str(tmp_path / "monitor.yaml")
    for command in (["web", "--http", "0.0.0.0:0"], ["run", "--http", "0.0.0.0:0"]):
        result = CliRunner().invoke(main, ["-c", config, *command], env={"API_KEY": API_KEY})
        assert result.exit_code == 2, result.output
        assert "web.token" in result.output and "without a token" in result.output
        assert "Traceback" not in result.output


def test_web_and_run_read_their_address_alike(tmp_path: Path) -> None:
    s = seed(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")
    s.store.close()
    config = str(tmp_path / "monitor.yaml")
    env = {"API_KEY": API_KEY, "MONITOR_WEB_TOKEN": TOKEN}
    for address in ("999.1.1.1:8080", "127.0.0.1:65536", "nonsense"):
        for command in ("web", "run"):
            result = CliRunner().invoke(main, ["-c", config, command, "--http", address], env=env)
            assert result.exit_code == 2, (command, address, result.output)
            assert "Invalid value for '--http'" in result.output, (command, address)


def test_text_from_registries_is_shown_as_text_and_secrets_never(
    client: TestClient, seeded: Seeded
) -> None:
    script = event_id(seeded, "<script>alert(1)</script>", "joined", "Kingsoft Corporation")
    paths = [
        "/events",
        f"/events/{script}",
        "/people/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/companies/Kingsoft%20Corporation",
        "/search?q=script",
        "/events.atom",
        "/sources",
        "/sources?errors=1",
        "/alerts",
    ]
    for path in paths:
        body = client.get(path).text
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert API_KEY not in body and TOKEN not in body, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/events").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in client.get(f"/events/{script}").text
    assert 'href="javascript:' not in client.get(f"/events/{script}").text  # a link only for http(s)
    for path in ("/api/v1/events", "/api/v1/sources", "/api/v1/deliveries"):
        assert API_KEY not in client.get(path, headers=BEARER).text, path
    policy = client.get("/events").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_a_source_key_with_credentials_is_shown_masked(client: TestClient, seeded: Seeded) -> None:
    from datetime import timedelta

    from web_support import NOW

    from monitor.model import Change
    from monitor.store.store import CheckOutcome, SourceRecord

    url = f"https://admin:pa55word@registry.test/ks?api_key={API_KEY}"
    key = f"html · {url}"  # sources are keyed by kind and URL
    row = seeded.store.sync_sources([SourceRecord(key, "html", "Kingsoft Corporation", url, 3600)], NOW)
    change = Change("joined", "Pony Ma", "Kingsoft Corporation", frozenset({"director"}))
    seeded.store.save([CheckOutcome(
        source_id=row[key].id, source_name=key, checked_at=NOW, next_check_at=NOW + timedelta(hours=1),
        status="changed", url=url, changes=(change,),
    )])  # fmt: skip
    (item,) = client.get("/api/v1/events?person=Pony%20Ma", headers=BEARER).json()["items"]
    shown = [
        client.get(f"/events/{item['id']}").text,
        client.get(f"/api/v1/events/{item['id']}", headers=BEARER).text,
        client.get("/api/v1/sources", headers=BEARER).text,
        client.get("/sources").text,
    ]
    assert item["source"].startswith("html · https://admin:***@registry.test/ks")
    for body in shown:
        assert "registry.test/ks" in body and API_KEY not in body and "pa55word" not in body


def test_the_api_speaks_rfc3339_and_documents_itself(client: TestClient) -> None:
    item = client.get("/api/v1/events?limit=1", headers=BEARER).json()["items"][0]
    assert item["detected_at"] == "2026-11-29T12:00:00Z"  # RFC 3339, UTC
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in spec["paths"] and "/events" not in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_bad_filters_get_a_clear_answer(client: TestClient) -> None:
    assert client.get("/api/v1/events?change=hired", headers=BEARER).status_code == 422
    bad = client.get("/api/v1/events?cursor=bm9wZQ", headers=BEARER)
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]
    page = client.get("/events?since=yesterday")
    assert page.status_code == 400 and "since" in page.text
    assert client.get("/events/424242").status_code == 404


def test_the_atom_feed_honours_the_filters(client: TestClient, seeded: Seeded) -> None:
    feed = client.get("/events.atom?person=%E9%9B%B7%E5%86%9B")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == [
        "雷军 left 小米科技有限责任公司 (legal representative)",
        f"Lei Jun joined {WUHAN} (chairman)",
        "Lei Jun left Kingsoft Corporation (chairman)",
    ]


def test_person_company_sources_and_search_pages(client: TestClient, seeded: Seeded) -> None:
    person = client.get("/people/%E9%9B%B7%E5%86%9B").text  # 雷军
    assert person.count('<circle class="mark') == 3 and "Kingsoft Corporation" in person
    assert "Lei Jun" in person  # the alias is listed
    timeline: list[dict[str, Any]] = client.get(
        "/api/v1/people/Lei%20Jun/timeline", headers=BEARER
    ).json()
    assert [t["effective_date"] for t in timeline] == ["2026-11-20", "2026-11-21", "2026-11-25"]
    company = client.get(f"/api/v1/companies/{WUHAN}", headers=BEARER).json()
    assert sorted(o["name"] for o in company["officers"]) == ["Lei Jun", "Lin Bin"]
    assert "Lin Bin" in client.get(f"/companies/{WUHAN}").text
    failing = client.get("/api/v1/sources?errors=true", headers=BEARER).json()
    assert [s["key"] for s in failing] == ["feed:press"]
    assert failing[0]["consecutive_failures"] == 1 and "***" in failing[0]["last_error"]
    assert "feed:press" not in client.get("/sources?errors=1").text  # shown by entity
    assert "press.test" in client.get("/sources?errors=1").text
    hits = client.get("/api/v1/search?q=%E9%9B%B7%E5%86%9B", headers=BEARER).json()
    assert {"kind": "person", "name": "Lei Jun", "aliases": ["雷军"], "watched": True} in hits
    assert "/people/Lei%20Jun" in client.get("/search?q=lei").text


def test_an_event_shows_the_officer_list_before_and_after(
    client: TestClient, seeded: Seeded
) -> None:
    changed = event_id(seeded, "Lin Bin", "role_changed", WUHAN)
    html = client.get(f"/events/{changed}").text
    before = html.split('class="officer-list before"')[1].split("</ul>")[0]
    after = html.split('class="officer-list after"')[1].split("</ul>")[0]
    assert "Lin Bin <small>director</small>" in before
    assert "Lin Bin <small>supervisor</small>" in after
    first = event_id(seeded, "Lei Jun", "joined", WUHAN)  # the first list: nothing before
    assert "No earlier list." in client.get(f"/events/{first}").text
    news = event_id(seeded, "<script>alert(1)</script>", "joined", "Kingsoft Corporation")
    assert "officer-list" not in client.get(f"/events/{news}").text


def test_an_id_beyond_the_databases_integers_is_not_found_or_refused(client: TestClient) -> None:
    huge = "99999999999999999999999"  # SQLite cannot even compare it: an error, not an answer
    token = csrf(client)
    page = client.get(f"/events/{huge}")
    assert page.status_code == 404 and "There is no event" in page.text
    for path, form in (
        (f"/events/{huge}/read", {"csrf": token}),
        (f"/events/{huge}/review", {"csrf": token, "reviewer": "ann"}),
        (f"/alerts/{huge}/retry", {"csrf": token}),
        ("/events/read", {"csrf": token, "up_to": huge}),
    ):
        assert client.post(path, data=form, follow_redirects=False).status_code == 422, path
