"""The README's runnable command blocks, run as written, in a temporary directory.

A block is runnable when the line before its opening fence is an HTML comment starting
with ``<!-- runnable``. Each ``monitor ...`` line runs in-process (click's CliRunner) in
a fresh directory whose ``config/`` holds the shipped example files with their
registry and feed URLs pointed at a server on 127.0.0.1; each must exit 0.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, PageServer, registry_page

from monitor.cli import main

README = (REPO / "README.md").read_text(encoding="utf-8")
RUNNABLE = re.compile(r"^<!-- runnable[^\n]*-->\n```sh\n(.*?)^```", re.S | re.M)

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example</title><link>{base}/</link>
<item><title>Board news</title><link>{base}/news/1</link><guid>n1</guid></item>
</channel></rss>"""


def runnable_blocks() -> list[str]:
    return [m.group(1) for m in RUNNABLE.finditer(README)]


def commands(block: str) -> list[list[str]]:
    """Each line's words, the comment dropped; a trailing backslash joins lines."""
    text = block.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in text.splitlines() if line.strip()]


def test_the_quick_start_is_marked_runnable() -> None:
    blocks = runnable_blocks()
    assert blocks, "no block marked <!-- runnable --> in the README"
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert any(block in quick for block in blocks)


@pytest.fixture
def workdir(tmp_path: Path, server: PageServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory laid out like the repository, its example URLs on 127.0.0.1."""
    server.set(
        "/company/wuhan",
        registry_page(
            "Xiaomi Technology (Wuhan) Co., Ltd.",
            [("雷军", "法定代表人", "2015-06-01"), ("A. Supervisor", "监事", "2015-06-01")],
        ),
    )
    server.set("/feed.xml", FEED.format(base=server.base), headers={"Content-Type": "text/xml"})
    (tmp_path / "config" / "examples").mkdir(parents=True)
    for source in [REPO / "config" / "example.yaml", *(REPO / "config" / "examples").iterdir()]:
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"https://(registry\.)?example\.com", server.base, text)
        (tmp_path / source.relative_to(REPO)).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    return tmp_path


def run_line(words: list[str], workdir: Path) -> tuple[int, str]:
    program, *args = words
    if program == "." and args == [".venv/bin/activate"]:
        # The set-up command creates .venv; activating it puts `monitor` on PATH.
        assert "python3 -m venv .venv" in README.split("\n## ", 1)[0]
        return 0, ""
    if program == "cp":
        source, target = args
        shutil.copy(workdir / source, workdir / target)
        return 0, ""
    if program == "mkdir":
        for name in args:
            if not name.startswith("-"):
                (workdir / name).mkdir(parents=True, exist_ok=True)
        return 0, ""
    assert program == "monitor", f"the README test cannot run {program!r}: teach it or unmark"
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("index", range(len(runnable_blocks())))
def test_runnable_block_runs_as_written(index: int, workdir: Path) -> None:
    for words in commands(runnable_blocks()[index]):
        code, output = run_line(words, workdir)
        assert code == 0, f"`{shlex.join(words)}` exited {code}:\n{output}"
        assert "Traceback" not in output
