"""`monitor validate` rejects what would fail later, naming FILE:LINE:COL; read-only
commands do not need the channels' secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from monitor.cli import main


def run(config: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["-c", str(config), *args], env=env)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ('"notaservice://foo/bar"', 4),
        ('"mailto://"', 4),
        ('"slack://"', 4),
        ('""', 4),
    ],
)
def test_a_channel_url_apprise_cannot_use_is_a_config_error(
    tmp_path: Path, url: str, line: int
) -> None:
    state = f"sqlite:///{tmp_path / 's.db'}"
    config = write(
        tmp_path, f'state: "{state}"\nchannels:\n  ok: "json://127.0.0.1/h"\n  bad: {url}\n'
    )
    result = run(config, "validate")
    assert result.exit_code == 2, result.output
    assert f"{config}:{line}:" in result.output and "channels.bad" in result.output
    assert "Traceback" not in result.output


def test_a_query_apprise_would_drop_is_a_warning_naming_it(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 's.db'}"
    config = write(
        tmp_path,
        f'state: "{state}"\nchannels:\n  hook: "json://127.0.0.1/h?token=${{HOOK_TOKEN}}"\n',
    )
    result = run(config, "validate", env={"HOOK_TOKEN": "t0k3n-secret"})
    assert result.exit_code == 0, result.output
    assert f"{config}:3:" in result.output and "`token`" in result.output
    assert "t0k3n-secret" not in result.output


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("state/monitor.db", "not a database URL"),
        ("mysql://user@127.0.0.1/monitor", "driver"),
        ("nosuchdb://x/y", "database kind"),
    ],
)
def test_a_state_that_cannot_open_is_a_config_error(tmp_path: Path, state: str, words: str) -> None:
    config = write(tmp_path, f"defaults:\n  interval: 1h\nstate: {state}\n")
    result = run(config, "validate")
    assert result.exit_code == 2, result.output
    assert f"{config}:3:" in result.output and words in result.output
    assert "Traceback" not in result.output


# --- item 10: read-only commands do not need channels ---------------------------------


@pytest.mark.parametrize("command", [["events"], ["status"], ["timeline", "Lei Jun"]])
def test_read_only_commands_work_without_the_channels_secrets(
    tmp_path: Path, command: list[str], db_url: str
) -> None:
    config = write(
        tmp_path,
        f'state: "{db_url}"\nchannels:\n  ops: "json://127.0.0.1/h?+X-Token=${{UNSET_TOKEN}}"\n'
        "defaults:\n  operator_notify: [ops]\n",
    )
    unset: dict[str, Any] = {"UNSET_TOKEN": None}  # CliRunner removes it from the environment
    result = run(config, *command, env=unset)
    assert result.exit_code == 0, result.output
    # Commands that send still insist.
    sent = run(config, "check", env=unset)
    assert sent.exit_code == 2 and "UNSET_TOKEN" in sent.output


def test_notify_test_warns_about_the_dropped_query_too(tmp_path: Path) -> None:
    from test_notify_e2e import Hooks

    receiver = Hooks()
    receiver.start()
    try:
        config = write(
            tmp_path,
            f'state: "sqlite:///{tmp_path / "s.db"}"\nchannels:\n'
            f'  hook: "json://127.0.0.1:{receiver.port}/h?token=${{HOOK_TOKEN}}"\n',
        )
        result = run(config, "notify-test", env={"HOOK_TOKEN": "t0k3n-secret"})
    finally:
        receiver.stop()
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "`token`" in result.output
    assert "t0k3n-secret" not in result.output
