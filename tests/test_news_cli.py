"""``monitor extract``: the seed article, a local URL, errors a user can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED, PageServer, run_cli

from monitor.identity import same_company, same_person

ARTICLE = SEED / "lei-jun-gasgoo.txt"
EXPECTED = SEED / "lei-jun-gasgoo.expected.json"
FIXTURES = Path(__file__).parent / "fixtures" / "feed"

WATCH = """
people:
  - name: Lei Jun
    aliases: ["雷军"]
  - name: Zeng Xuezhong
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(f'state: "sqlite:///{tmp_path}/state.db"\n{WATCH}', encoding="utf-8")
    return path


def extract(config: Path, *args: str) -> list[dict[str, Any]]:
    done = run_cli("-c", str(config), "extract", "--json", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def fits(event: dict[str, Any], found: dict[str, Any]) -> bool:
    return (
        same_person(event["person"], found["person"])
        and same_company(found["company"], event["company"])
        and found["change"] in event["kinds"]
        and (not event.get("role") or event["role"] in (found["role"] or "").split(", "))
        and (not event.get("date") or (found["date"] or "").endswith(event["date"]))
    )


@pytest.mark.skipif(not ARTICLE.exists(), reason=f"seed article not available at {SEED}")
def test_the_seed_article_yields_every_expected_event_and_none_for_wang_hua(config: Path) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    found = extract(config, str(ARTICLE), "--published", "2021-12-10")
    missing = [e for e in expected["events"] if not any(fits(e, f) for f in found)]
    assert missing == [], found
    assert set(found[0]) >= {"person", "company", "change", "role", "date", "evidence"}
    everything = extract(config, str(ARTICLE), "--all")
    for name in expected["negative_people"]:
        assert not [f for f in everything if same_person(name, f["person"])]


def test_only_the_watch_list_unless_all(config: Path) -> None:
    page = FIXTURES / "articles" / "en-board-news.html"
    assert extract(config, str(page)) == []  # nobody on this watch list is in the article
    people = {f["person"] for f in extract(config, str(page), "--all")}
    assert people == {"Maria Okafor", "Daniel Reyes", "Tom Becker"}


def test_an_article_url_is_read_like_a_file(config: Path, server: PageServer) -> None:
    server.set("/story", (FIXTURES / "stories" / "lei-jun-retold.txt").read_bytes(),
               headers={"Content-Type": "text/plain; charset=utf-8"})  # fmt: skip
    found = extract(config, server.url("/story"), "--published", "2021-12-10")
    chengdu = [f for f in found if f["company"] == "Chengdu Beida Assets Management Co., Ltd."]
    assert [(f["person"], f["change"], f["date"]) for f in chengdu] == [
        ("Lei Jun", "left", "2021-10-21")
    ]
    text = run_cli("-c", str(config), "extract", server.url("/story"))
    assert text.returncode == 0 and text.stdout.rstrip().endswith("7 statement(s)")


def test_an_unreadable_article_is_a_clear_error(config: Path, tmp_path: Path) -> None:
    done = run_cli("-c", str(config), "extract", str(tmp_path / "nope.txt"))
    assert done.returncode == 1 and "cannot read" in done.stderr and "Traceback" not in done.stderr
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF")
    done = run_cli("-c", str(config), "extract", str(other))
    assert done.returncode == 1 and ".html or .txt" in done.stderr
