"""The progress display of `monitor check`: on a terminal when the work takes more than a
second, and nothing extra anywhere else."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, registry_page

from monitor.cli import main
from monitor.progress import CLEAR, Progress

SLOW = 1.6  # seconds the slow page takes: more than the display's one-second delay


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_shown_only_after_the_delay_and_erased_at_the_end() -> None:
    clock, out = Clock(), io.StringIO()
    progress = Progress("checking", out, enabled=True, clock=clock)
    progress.start(3)
    progress.advance()
    assert out.getvalue() == ""  # quick work prints nothing
    clock.now += 2.4
    progress.advance(failed=True)
    assert out.getvalue().endswith(CLEAR + "checking 2/3, 1 failed  2s")
    progress.close()
    assert out.getvalue().endswith(CLEAR)


def test_nothing_without_a_terminal() -> None:
    clock, out = Clock(), io.StringIO()
    progress = Progress("checking", out, clock=clock)  # StringIO is not a TTY
    clock.now += 5
    progress.advance()
    progress.close()
    assert out.getvalue() == ""


@pytest.fixture
def slow_registry() -> Iterator[str]:
    """Two registry pages on 127.0.0.1, one of them slow."""
    page = registry_page("Acme Ltd", [("Jane Roe", "Director", "2020-01-01")]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/slow":
                time.sleep(SLOW)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def watch_list(tmp_path: Path, base: str) -> Path:
    config = tmp_path / "monitor.yaml"
    fields = '{name: "td:nth-of-type(1)", role: "td:nth-of-type(2)"}'
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "state.db"}"
hosts: {{"127.0.0.1": {{rate: none, concurrency: 4}}}}
companies:
  - name: Acme Ltd
    sources:
      - {{kind: html, url: "{base}/fast", rows: "#officers tr:not(:first-child)", fields: {fields}}}
      - {{kind: html, url: "{base}/slow", rows: "#officers tr:not(:first-child)", fields: {fields}}}
""",
        encoding="utf-8",
    )
    return config


def run_on_a_terminal(*args: str) -> tuple[int, str, str]:
    """Run `monitor` with stderr on a pseudo-terminal and stdout on a pipe."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
    )
    os.close(slave)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        terminal += chunk
    os.close(master)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    return process.wait(timeout=30), stdout, terminal.decode()


@pytest.mark.e2e
def test_check_shows_progress_on_a_terminal(tmp_path: Path, slow_registry: str) -> None:
    code, stdout, terminal = run_on_a_terminal(
        "-c", str(watch_list(tmp_path, slow_registry)), "check"
    )
    assert code == 0, terminal
    assert "checking 1/2" in terminal  # the fast page is done, the slow one is not
    assert terminal.rstrip("\r\n").endswith(CLEAR)  # erased before the summary
    assert stdout == "checked 2 source(s): 0 change(s), 0 failed, 2 parsed\n"


def test_check_prints_nothing_extra_without_a_terminal(tmp_path: Path, slow_registry: str) -> None:
    config = watch_list(tmp_path, slow_registry)
    result = CliRunner().invoke(main, ["-c", str(config), "check"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == "checked 2 source(s): 0 change(s), 0 failed, 2 parsed\n"


@pytest.mark.e2e
def test_the_first_pass_of_run_shows_progress_and_log_lines_stay_whole(
    tmp_path: Path, slow_registry: str
) -> None:
    config = str(watch_list(tmp_path, slow_registry))
    code, _, terminal = run_on_a_terminal("-c", config, "run", "--once")
    assert code == 0, terminal
    assert "first pass: checking 1/2" in terminal
    assert "check source=" in terminal  # the daemon's line per check ...
    assert not re.search(r"checking \d+/\d+[^\r\n]*\d{4}-\d\d-\d\d ", terminal)  # ... not glued
