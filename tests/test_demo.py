"""`monitor demo`: the README's first command, offline."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, run_cli_process

# The story as the registry pages tell it, each change detected on the simulated day the
# weekly check first sees it; the same days and order at every run.
DETECTED = [
    ("2021-09-03", "ALERT", "Lei Jun joined Xiaomi Automobile Co., Ltd."),
    ("2021-10-15", "ALERT", "Lei Jun left Shanghai Xiaomi Finance Information Service Co., Ltd."),
    ("2021-10-22", "ALERT", "Lei Jun left Chengdu Beida Assets Management Co., Ltd."),
    ("2021-10-22", "ALERT", "Lei Jun left Xiaomi Credit Management Co., Ltd."),
    ("2021-11-19", "ALERT", "Lei Jun joined Xiaomi Automobile Technology Co., Ltd."),
    ("2021-12-10", "ALERT (news)", "Lei Jun left Xiaomi Technology (Wuhan) Co., Ltd."),
    ("2021-12-10", "ALERT (news)", "Zeng Xuezhong joined Xiaomi Technology (Wuhan) Co., Ltd."),
    ("2021-12-24", "CONFIRMED", "Lei Jun left Xiaomi Technology (Wuhan) Co., Ltd."),
    ("2021-12-24", "CONFIRMED", "Zeng Xuezhong joined Xiaomi Technology (Wuhan) Co., Ltd."),
]


@pytest.mark.e2e
def test_demo_replays_the_story_and_ends_with_the_timeline() -> None:
    result = run_cli_process("demo", "--speed", "4", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    heads = re.findall(r"^  detected (\S+)  (.+?)  +(.+? (?:joined|left) .+?)(?: — |$)", out, re.M)
    assert heads == DETECTED
    # Each alert is what the channel received: a labelled effective date, source, evidence.
    blocks = out.split("  detected ")[1:]
    for block in blocks:
        lines = [line.strip() for line in block.strip().splitlines()[1:4]]
        assert lines[0].startswith("effective  2021-"), block
        assert lines[1].startswith("source     ") and "simulated" in lines[1], block
        assert lines[2].startswith("evidence   ") and len(lines[2]) > 30, block
    assert "Legal Representative" in out  # the evidence keeps the registry's own wording
    timeline = out.split("Timeline of Lei Jun", 1)[1]
    assert "6 moves, 2 joined and 4 left" in timeline.splitlines()[0]
    assert timeline.splitlines()[1].split() == ["effective", "change", "company", "[role]"]
    dates = [line.split()[0] for line in timeline.splitlines()[2:] if line.startswith("  20")]
    assert dates == sorted(dates) and len(dates) == 6


def test_the_readme_tells_the_demo_story() -> None:
    intro = (REPO / "README.md").read_text(encoding="utf-8").split("## ", 1)[0]
    assert "joined two companies and left four" in " ".join(intro.split())
