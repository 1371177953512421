"""`monitor demo`: the README's first command, offline."""

from __future__ import annotations

import pytest
from conftest import run_cli_process


@pytest.mark.e2e
def test_demo_replays_the_story_and_ends_with_the_timeline() -> None:
    result = run_cli_process("demo", "--speed", "4", timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Lei Jun joined Xiaomi Automobile Co., Ltd. — legal representative" in out
    assert "Lei Jun left Shanghai Xiaomi Finance Information Service Co., Ltd. — director" in out
    assert "Zeng Xuezhong joined Xiaomi Technology (Wuhan) Co., Ltd." in out
    assert out.count("ALERT") == 7  # two joins and four departures of Lei Jun, and Zeng joining
    # The Wuhan change is read in the news first; the registry then confirms, not repeats, it.
    lines = out.splitlines()
    news = [i for i, line in enumerate(lines) if "ALERT (news)" in line]
    confirmed = [i for i, line in enumerate(lines) if "CONFIRMED" in line]
    assert len(news) == 2 and len(confirmed) == 2 and max(news) < min(confirmed)
    assert all("Xiaomi Technology (Wuhan)" in lines[i] for i in news + confirmed)
    # Each alert line is what the local channel received: its title template adds the date.
    alerts = [line for line in out.splitlines() if "ALERT" in line or "CONFIRMED" in line]
    assert all(line.rstrip().endswith(")") and "(effective 2021-" in line for line in alerts)
    timeline = out.split("Timeline of Lei Jun", 1)[1]
    dates = [line.split()[0] for line in timeline.splitlines()[1:] if line.startswith("  20")]
    assert dates == sorted(dates) and len(dates) == 6
    assert "Traceback" not in result.stderr
