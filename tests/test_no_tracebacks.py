"""What a user can cause ends in a clear message and an exit status, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO

from monitor.cli import main


def run(config: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["-c", str(config), *args])


def write(tmp_path: Path, state: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(f'state: "{state}"\n', encoding="utf-8")
    return path


def no_traceback(result: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_http_port_in_use(tmp_path: Path) -> None:
    config = write(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(config, "run", "--http", f"127.0.0.1:{port}")
    no_traceback(result)
    assert result.exit_code in (1, 2)
    assert f"127.0.0.1:{port}" in result.output and "in use" in result.output


def test_http_address_that_cannot_exist(tmp_path: Path) -> None:
    config = write(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    result = run(config, "run", "--http", "999.1.1.1:80")
    no_traceback(result)
    assert result.exit_code == 2 and "999.1.1.1" in result.output


def test_state_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    config = write(tmp_path, f"sqlite:///{tmp_path / 'afile' / 's.db'}")
    result = run(config, "status")
    no_traceback(result)
    assert result.exit_code == 1
    assert "afile" in result.output and "not a folder" in result.output


def test_corrupted_state_database(tmp_path: Path) -> None:
    (tmp_path / "s.db").write_bytes(b"this is not a database" + os.urandom(4096))
    config = write(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    result = run(config, "status")
    no_traceback(result)
    assert result.exit_code == 1
    assert "corrupted" in result.output and "backup" in result.output
    assert "sqlalche.me" not in result.output


def test_read_only_state_database(tmp_path: Path) -> None:
    config = write(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    assert run(config, "status").exit_code == 0  # creates it
    # Opened read-only, as a file without write permission would be for a normal user.
    config = write(tmp_path, f"sqlite:///file:{tmp_path / 's.db'}?mode=ro&uri=true")
    (tmp_path / "monitor.yaml").write_text(
        (tmp_path / "monitor.yaml").read_text()
        + "companies:\n  - name: X\n    sources:\n      - {kind: html, url: 'http://127.0.0.1:9/x', "
        "rows: tr, fields: {name: td}}\n"
    )
    result = run(config, "check")
    no_traceback(result)
    assert result.exit_code == 1
    assert "read-only" in result.output and "write" in result.output
    assert "sqlalche.me" not in result.output


@pytest.mark.e2e
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_ctrl_c_ends_with_130(tmp_path: Path, sig: int, status: int) -> None:
    """The process boundary is the point: a real signal to a real daemon."""
    config = write(tmp_path, f"sqlite:///{tmp_path / 's.db'}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-c", str(config), "run"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline and "monitor running" not in line:
        line = proc.stderr.readline()
    proc.send_signal(sig)
    rest = proc.communicate(timeout=30)[1]
    assert proc.returncode == status
    assert "Traceback" not in rest, rest
