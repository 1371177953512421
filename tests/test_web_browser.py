"""The dashboard in a real browser: Debian's Chromium driven by Playwright, against the
real server (uvicorn on 127.0.0.1). What only a browser shows: htmx-boosted forms and
their URLs, the mark-read call a page makes by itself, glyphs, layout at 390 px.

One browser for the module; screenshots go to $MONITOR_SCREENSHOTS (else a temporary
folder, printed)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import TOKEN, Seeded, Served, event_id, seed

from monitor.web.app import Site, create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a browser start and five pages
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."

if not Path(CHROMIUM).exists() or shutil.which("fc-list") is None:
    reason = f"{CHROMIUM} is not installed (.ci/run installs chromium and fonts-noto-cjk)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI must run these
    pytest.skip(reason, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Seeded, str]]:
    folder = tmp_path_factory.mktemp("web")
    seeded = seed(folder, f"sqlite:///{folder / 'state.db'}")
    served = Served(create_app(Site(seeded.store, lambda: seeded.loaded)))
    yield seeded, served.url
    served.close()
    seeded.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # launch() gives Chromium a fresh temporary profile of its own each time.
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("MONITOR_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


@pytest.fixture
def page(browser: Any, story: tuple[Seeded, str]) -> Iterator[Any]:
    context = browser.new_context(
        base_url=story[1], http_credentials={"username": "ann", "password": TOKEN}
    )
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield opened
    context.close()
    assert dialogs == [], "a script from the data ran in the page"


def ids_on(page: Any) -> list[int]:
    return [int(i) for i in page.locator("li.event").evaluate_all("els => els.map(e => e.dataset.id)")]


def api_ids(page: Any, query: str) -> list[int]:
    answer = page.request.get(
        f"/api/v1/events?{query}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.ok
    return [item["id"] for item in answer.json()["items"]]


def read_at(page: Any, ident: int) -> str | None:
    answer = page.request.get(
        f"/api/v1/events/{ident}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    value: str | None = answer.json()["read_at"]
    return value


def wait_read(page: Any, ident: int) -> None:
    for _ in range(100):
        if read_at(page, ident):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"event {ident} was not marked read")


def test_filter_permalink_and_mark_all_read(page: Any, story: tuple[Seeded, str]) -> None:
    seeded, _ = story
    page.goto("/events")
    assert len(ids_on(page)) == 6
    assert page.locator("#unread-count").inner_text() == "6 unread"
    # The name from the page is shown as text, never run.
    assert page.get_by_text("<script>alert(1)</script>", exact=True).is_visible()
    page.get_by_label("left", exact=True).check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"/events\?change=left$"))
    left = ids_on(page)
    assert left == api_ids(page, "change=left") and len(left) == 2
    # The URL is the filter: opened afresh, it shows the same list.
    permalink = page.url
    page.goto("/events")
    page.goto(permalink)
    assert ids_on(page) == left and page.get_by_label("left", exact=True).is_checked()
    page.get_by_role("button", name="Mark all shown read").click()
    expect(page.locator("#unread-count")).to_have_text("4 unread")
    assert page.locator("li.event.unread").count() == 0
    page.goto("/events?unread=1")
    assert ids_on(page) == api_ids(page, "unread=1") and len(ids_on(page)) == 4
    page.get_by_role("button", name="Mark all shown read").click()
    expect(page.locator("#unread-count")).to_have_text("0 unread")
    assert api_ids(page, "unread=1") == []
    assert seeded.ids  # the story is still there: read is not deleted
    page.goto("/events")
    assert len(ids_on(page)) == 6


def test_open_an_event_review_it_and_retry_its_dead_alert(
    page: Any, story: tuple[Seeded, str]
) -> None:
    seeded, _ = story
    ident = event_id(seeded, "Lei Jun", "joined", WUHAN)
    page.goto(f"/events/{ident}")  # read now, whatever the other tests did
    wait_read(page, ident)
    page.reload()
    page.get_by_role("button", name="Mark unread").click()
    page.wait_for_url(re.compile(r"/events$"))
    row = page.locator(f'li.event[data-id="{ident}"]')
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    assert read_at(page, ident) is None
    row.locator("a.what").click()
    page.wait_for_url(f"**/events/{ident}")
    assert page.get_by_role("heading", name=re.compile("Lei Jun")).is_visible()
    # Opening the event marks it read (a POST the page makes with its CSRF header).
    wait_read(page, ident)
    assert "HTTP 500" in page.locator("section.deliveries").inner_text()
    page.get_by_label("Reviewed by").fill("Ann Analyst")
    page.get_by_label("Comment").fill("Matches the registry filing")
    page.get_by_role("button", name="Mark reviewed").click()
    page.locator("ol.audit li").wait_for()
    assert "Ann Analyst" in page.locator("ol.audit").inner_text()
    assert "Matches the registry filing" in page.locator("ol.audit").inner_text()
    page.goto("/alerts?status=dead")
    dead = seeded.deliveries["dead"]
    assert page.locator(f'tr[data-id="{dead}"] td.status').inner_text() == "dead"
    page.locator(f'tr[data-id="{dead}"]').get_by_role("button", name="Retry").click()
    expect(page.locator(f'tr[data-id="{dead}"]')).to_have_count(0)
    assert "dead (0)" in page.locator("p.tabs").inner_text()
    page.goto("/alerts")
    assert page.locator(f'tr[data-id="{dead}"] td.status').inner_text() == "pending"


def test_a_person_timeline_in_both_scripts_at_desktop_and_phone_width(
    page: Any, shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/people/%E9%9B%B7%E5%86%9B")  # 雷军
    chart = page.locator("svg.timeline")
    assert chart.locator("circle.mark").count() == 3
    assert chart.locator("circle.left").count() == 2
    page.screenshot(path=str(shots / "person-desktop.png"), full_page=True)
    page.goto("/events")
    page.screenshot(path=str(shots / "events-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("events", "/events"), ("person", "/people/%E9%9B%B7%E5%86%9B")):
        page.goto(path)
        page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
        # Usable on a phone: the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")  # the system's dark mode
    page.screenshot(path=str(shots / "person-390-dark.png"), full_page=True)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light


def test_chinese_glyphs_render_as_themselves(page: Any) -> None:
    """Without a CJK font every Han character is the same box: 雷 and 军 would match."""
    page.goto("/search")
    page.evaluate(
        """() => {
        for (const [id, text] of [["lei", "雷"], ["jun", "军"], ["box", "\\u{10FFFD}"]]) {
            const el = document.createElement("span");
            el.id = id; el.textContent = text;
            el.style.fontSize = "64px"; el.style.display = "inline-block";  // CSSOM: CSP allows
            document.querySelector("main").append(el);
        }}"""
    )
    lei, jun, box = (page.locator(f"#{i}").screenshot() for i in ("lei", "jun", "box"))
    assert lei != jun and lei != box and jun != box


def test_the_token_gate(browser: Any, story: tuple[Seeded, str]) -> None:
    for credentials in (None, {"username": "ann", "password": "not-the-token"}):
        context = browser.new_context(base_url=story[1], http_credentials=credentials)
        try:
            anonymous = context.new_page()
            try:
                response = anonymous.goto("/events")
            except sync_api.Error:  # Chromium may give up on the Basic challenge instead
                response = None
            assert response is None or response.status == 401
            page = anonymous.request.get("/events")
            assert page.status == 401 and page.headers["www-authenticate"].startswith("Basic")
            assert "Lei Jun" not in page.text()
            assert anonymous.request.get("/api/v1/events").status == 401
        finally:
            context.close()
