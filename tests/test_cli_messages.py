"""One line per problem at default verbosity, with its cause, and messages that say what
is true and what to do."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from conftest import PageServer, registry_page
from fetch_servers import silent

from monitor.cli import main
from monitor.errors import FetchError
from monitor.fetch import Fetcher, HostPolicy


def invoke(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["-c", str(config), *args], catch_exceptions=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_without_auth() -> Iterator[int]:
    """A mail server on 127.0.0.1 that offers no AUTH, as many relays do."""

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_an_smtp_failure_is_one_line_with_the_servers_reason(
    tmp_path: Path, smtp_without_auth: int
) -> None:
    config = tmp_path / "monitor.yaml"
    url = (
        f"mailto://desk:${{SMTP_PASSWORD}}@127.0.0.1:{smtp_without_auth}"
        "?mode=insecure&from=monitor@example.com&to=desk@example.com"
    )
    config.write_text(
        f'state: "sqlite:///{tmp_path / "s.db"}"\nchannels: {{desk: "{url}"}}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["-c", str(config), "notify-test"],
        env={"SMTP_PASSWORD": "s3cret-pw"},
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    problems = result.stderr.splitlines()
    assert len(problems) == 1, result.stderr  # no apprise WARNING line before it
    assert "AUTH extension not supported" in problems[0]
    assert "s3cret-pw" not in result.output


def test_a_failed_check_is_one_line(tmp_path: Path, server: PageServer) -> None:
    server.set("/ok", registry_page("Acme Ltd", [("Jane Roe", "Director", "2020-01-01")]))
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "s.db"}"
hosts: {{"127.0.0.1": {{rate: none}}}}
companies:
  - name: Acme Ltd
    sources:
      - {{kind: html, url: "{server.url("/gone")}", columns: {{name: Name}}}}
""",
        encoding="utf-8",
    )
    result = invoke(config, "check")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("FAILED") and "404" in line


def test_a_timeout_after_retries_says_how_long_it_really_took() -> None:
    async def fetch(url: str) -> str:
        policy = HostPolicy(concurrency=2, rate=None)
        async with Fetcher(default_policy=policy, timeout=0.3, retries=2, backoff=0.01) as f:
            try:
                await f.get(url)
            except FetchError as exc:
                return str(exc)
        return "no error"

    with silent() as hang:
        message = asyncio.run(fetch(hang))
    assert re.search(
        r"no complete answer within 0\.3s \(on each of 3 attempts; gave up after \ds\)", message
    )


def test_a_duplicate_source_is_named_by_its_line_not_a_tuple(tmp_path: Path) -> None:
    config = tmp_path / "dup.yaml"
    source = '{kind: html, url: "https://a.example.com/x", columns: {name: Name}}'
    config.write_text(
        f"companies:\n  - name: Acme\n    sources:\n      - {source}\n      - {source}\n",
        encoding="utf-8",
    )
    result = invoke(config, "validate")
    assert result.exit_code == 2
    assert "duplicates the one at line 4 (companies[0].sources[0])" in result.stderr
    assert "('companies'" not in result.stderr


def test_the_size_cap_hint_names_a_key_that_exists() -> None:
    from monitor.transport import too_large

    assert "`defaults.max_bytes`" in str(too_large("http://x/", 10))
