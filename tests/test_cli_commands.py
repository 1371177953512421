"""Commands a new user reaches for: global options anywhere, -V, completion, `sources`,
`deliveries` and `deliveries retry`, and a warning for a watch list that watches nothing."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, PageServer, registry_page
from test_notify_e2e import Hooks, free_port

from monitor import __version__
from monitor.cli import main

WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def lines(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def watch_list(tmp_path: Path, server: PageServer, hook: str) -> Path:
    server.set("/wuhan", registry_page(WUHAN, [("Lei Jun", "Director", "2015-06-01")]))
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "state.db"}"
defaults: {{notify: [hook]}}
channels: {{hook: "{hook}"}}
hosts: {{"127.0.0.1": {{rate: none}}}}
companies:
  - name: {WUHAN}
    sources:
      - {{kind: html, url: "{server.url("/wuhan")}", interval: 2h, columns: {{name: Name, role: Position}}}}
""",
        encoding="utf-8",
    )
    return config


def test_global_options_go_before_or_after_the_command(tmp_path: Path) -> None:
    example = str(REPO / "config" / "example.yaml")
    after = invoke("validate", "-c", example)
    before = invoke("-c", example, "validate")
    assert after.exit_code == before.exit_code == 0
    assert after.stdout == before.stdout and f"{example}: OK" in after.stdout
    assert invoke("validate", "-c", str(tmp_path / "missing.yaml")).exit_code == 2
    for flag in ("-V", "--version"):
        assert __version__ in invoke(flag).stdout


def test_completion_is_a_documented_command() -> None:
    script = invoke("completion", "bash")
    assert script.exit_code == 0 and "_MONITOR_COMPLETE=bash_complete" in script.stdout
    assert 'eval "$(monitor completion bash)"' in (REPO / "README.md").read_text(encoding="utf-8")


def test_sources_lists_every_source_with_its_health(tmp_path: Path, server: PageServer) -> None:
    config = str(watch_list(tmp_path, server, "json://127.0.0.1:9/none"))
    (fresh,) = lines(invoke("sources", "--json", "-c", config))
    assert fresh["kind"] == "html" and fresh["interval"] == "2h" and fresh["healthy"] is None
    assert invoke("check", "-c", config).exit_code == 0
    (checked,) = lines(invoke("sources", "--json", "-c", config))
    assert checked["healthy"] is True and checked["next_check_at"].endswith("Z")
    table = invoke("sources", "-c", config).stdout.splitlines()
    assert table[0].split()[:4] == ["ENTITY", "KIND", "EVERY", "HEALTH"]
    assert " html " in table[1] and " ok " in table[1]


def test_a_failed_delivery_is_listed_and_retried(tmp_path: Path, server: PageServer) -> None:
    hooks = Hooks(port=free_port())  # not listening yet: every send fails
    config = str(watch_list(tmp_path, server, hooks.url("/alerts")))
    assert invoke("check", "-c", config).exit_code == 0  # the silent baseline
    assert invoke("deliveries", "--json", "-c", config).stdout == ""
    server.set("/wuhan", registry_page(WUHAN, [("Zeng Xuezhong", "Director", "2021-12-07")]))
    assert invoke("check", "--all", "-c", config).exit_code == 1  # delivery failed
    failed = lines(invoke("deliveries", "--status", "failed", "--json", "-c", config))
    assert {(d["channel"], d["status"], d["attempts"]) for d in failed} == {("hook", "pending", 1)}
    assert all(d["last_error"] and d["next_attempt_at"].endswith("Z") for d in failed)
    assert invoke("deliveries", "--status", "sent", "--json", "-c", config).stdout == ""
    table = invoke("deliveries", "-c", config).stdout.splitlines()
    assert table[0].split()[:4] == ["ID", "EVENT", "CHANNEL", "STATUS"]

    hooks.start()
    try:
        for delivery in failed:
            retried = invoke("deliveries", "retry", str(delivery["id"]), "-c", config)
            assert retried.exit_code == 0 and "queued" in retried.stdout
        assert invoke("deliver", "-c", config).exit_code == 0
    finally:
        hooks.stop()
    assert len(hooks.to("/alerts")) == 2  # Zeng joined, Lei Jun left
    sent = lines(invoke("deliveries", "--status", "sent", "--json", "-c", config))
    assert {d["id"] for d in sent} == {d["id"] for d in failed}
    again = invoke("deliveries", "retry", str(failed[0]["id"]), "-c", config)
    assert again.exit_code == 1 and "is sent: nothing to retry" in again.stderr
    missing = invoke("deliveries", "retry", "999", "-c", config)
    assert missing.exit_code == 1 and "no delivery 999" in missing.stderr


def test_a_watch_list_that_watches_nothing_is_not_just_ok(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text(f'state: "sqlite:///{tmp_path / "s.db"}"\n', encoding="utf-8")
    result = invoke("validate", "-c", str(empty))
    assert "watches nothing" in result.stderr
    assert ": OK" not in result.stdout
    checked = invoke("check", "-c", str(empty))
    assert checked.exit_code == 0 and "nothing to check" in checked.stderr


def test_source_credentials_are_masked_wherever_a_source_is_printed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, password = "sk-live-0123456789abcdef", "hunter2-registry"
    config = tmp_path / "monitor.yaml"
    url = f"http://admin:{password}@127.0.0.1:{free_port()}/wuhan?api_key=${{REG_KEY}}"
    config.write_text(
        f"""
state: "sqlite:///{tmp_path / "state.db"}"
companies:
  - name: {WUHAN}
    sources:
      - {{kind: html, url: "{url}", columns: {{name: Name, role: Position}}}}
""",
        encoding="utf-8",
    )
    runner = CliRunner(env={"REG_KEY": key})
    logger = logging.getLogger("monitor")
    logger.addHandler(caplog.handler)  # the command's own logging does not propagate
    for command in (["check", "--all"], ["sources"], ["sources", "--json"], ["status"],
                    ["status", "--json"], ["preview"]):  # fmt: skip
        shown = runner.invoke(main, [*command, "-c", str(config), "-v"])
        assert "127.0.0.1" in shown.output, command  # the source is shown ...
        assert key not in shown.output and password not in shown.output, command  # ... masked
        assert "Traceback" not in shown.output, command
        if command[0] in ("check", "preview"):  # nothing listens there
            assert shown.exit_code == 1 and "FAILED" in shown.output, command
    logger.removeHandler(caplog.handler)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "check source='html · http://admin:***@127.0.0.1" in logged  # the check's log line
    assert key not in logged and password not in logged


def test_retrying_an_id_no_delivery_can_have_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(f'state: "sqlite:///{tmp_path / "state.db"}"\n', encoding="utf-8")
    for delivery in ("99999999999999999999999", "0", "-3"):
        result = CliRunner().invoke(main, ["deliveries", "retry", "-c", str(config), "--", delivery])
        assert result.exit_code == 2 and "Invalid value for 'ID'" in result.output, delivery
        assert result.exception is None or isinstance(result.exception, SystemExit), delivery
    unknown = CliRunner().invoke(main, ["deliveries", "retry", "-c", str(config), "12345"])
    assert unknown.exit_code == 1 and "no delivery 12345" in unknown.output


def test_the_readme_command_table_lists_every_command_and_option() -> None:
    import click

    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    ctx = click.Context(main)
    missing = []
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        rows = [line for line in readme if line.startswith(f"| `monitor {name}")]
        if not rows:
            missing.append(name)
        for option in command.params:
            if not isinstance(option, click.Option) or option.name in ("config", "verbose", "help"):
                continue
            longest = max(option.opts, key=len)
            spellings = [f"{o}]" for o in option.opts + option.secondary_opts if o.startswith("--")]
            spellings += [f"{o} " for o in option.opts + option.secondary_opts if o.startswith("--")]
            if not any(o in row for row in rows for o in spellings):
                missing.append(f"{name} {longest}")
    assert missing == [], ", ".join(missing)
