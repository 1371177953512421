"""`monitor check` runs from cron every few minutes: it must not pay for the daemon, the
alert delivery stack or the article extractor unless it uses them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import run_cli

HEAVY = (
    "apscheduler",
    "alembic",
    "apprise",
    "jinja2",
    "httpx",
    "trafilatura",
    "pypinyin",
    "rapidfuzz",
    "bs4",
    "monitor.daemon",
    "monitor.news.cli",
    "monitor.notify.cli",
    "monitor.web",
    "fastapi",
    "uvicorn",
)


@pytest.mark.e2e  # a fresh interpreter: what importing the command line loads
def test_the_command_line_loads_without_the_heavy_parts() -> None:
    code = f"import sys, monitor.cli\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_every_command_is_listed_and_loads_when_asked_for() -> None:
    listing = run_cli("--help")
    assert listing.returncode == 0
    for name in ("check", "run", "health", "deliver", "notify-test", "extract", "demo", "web"):
        assert f"  {name} " in listing.stdout
        helped = run_cli(name, "--help")
        assert helped.returncode == 0, helped.stderr
        assert f" {name} [OPTIONS]" in helped.stdout
