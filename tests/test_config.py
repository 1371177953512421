"""The watch list: the example validates, and every kind of bad input names its place."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from monitor.config import load_config, load_config_text
from monitor.errors import ConfigError

EXAMPLE = REPO / "config" / "example.yaml"


def example() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def test_example_validates_as_written() -> None:
    loaded = load_config(EXAMPLE, env={})
    company = loaded.config.companies[0]
    assert company.name == "Xiaomi Technology (Wuhan) Co., Ltd."
    source = company.sources[0]
    assert source.kind == "html" and source.interval == timedelta(hours=1)
    assert loaded.config.defaults.interval == timedelta(hours=6)
    assert loaded.config.news[0].interval == timedelta(minutes=15)
    assert loaded.config.channel("officer-slack").url == "slack://a/b/c/#officer-alerts"


@pytest.mark.parametrize("path", sorted((REPO / "config").rglob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_validates(path: Path) -> None:
    load_config(path, env={})


def test_readme_yaml_blocks_validate() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README documents the config with YAML examples"
    for block in blocks:
        if "companies:" in block or "people:" in block or "channels:" in block:
            secrets = {name: "x" for name in re.findall(r"\$\{(\w+)", block)}
            load_config_text(block, "README.md", env=secrets)


def test_secrets_with_hash_and_colon_survive_interpolation() -> None:
    text = example().replace("${SLACK_TOKEN_B:-b}", "${SLACK_TOKEN_B}")
    secret = "T0k#en: with # and : inside"
    loaded = load_config_text(text, "x.yaml", env={"SLACK_TOKEN_B": secret})
    assert loaded.config.channel("officer-slack").url == f"slack://a/{secret}/c/#officer-alerts"
    assert secret in loaded.secrets


def test_yaml_11_pitfalls_stay_text() -> None:
    text = example().replace("name: Lei Jun", "name: no")
    assert load_config_text(text, "x.yaml", env={}).config.people[0].name == "no"


BAD = [
    (
        "unset variable",
        ("${SLACK_TOKEN_A:-a}", "${SLACK_TOKEN_A}"),
        9,
        18,
        "channels.officer-slack",
        "SLACK_TOKEN_A is not set",
    ),
    (
        "sexagesimal duration",
        ("interval: 1h", "interval: 1:30"),
        20,
        19,
        "companies[0].sources[0].interval",
        "'1:30' is not a duration",
    ),
    (
        "duration without unit",
        ("interval: 6h", "interval: 90"),
        5,
        13,
        "defaults.interval",
        "has no unit",
    ),
    (
        "unknown key",
        ("    notify: [officer-slack]", "    notfy: [officer-slack]"),
        13,
        5,
        "people[0].notfy",
        "unknown key 'notfy'",
    ),
    (
        "unknown kind",
        ("kind: html", "kind: htlm"),
        18,
        15,
        "companies[0].sources[0].kind",
        "unknown source kind 'htlm'",
    ),
    (
        "missing kind",
        ("- kind: html\n        url", "- url"),
        18,
        9,
        "companies[0].sources[0].kind",
        "required key 'kind' is missing",
    ),
    (
        "invalid CSS selector",
        ("tr:not(:first-child)", "tr:not(:first-child"),
        21,
        15,
        "companies[0].sources[0].rows",
        "invalid CSS selector",
    ),
    (
        "invalid field selector",
        ('"td:nth-of-type(2)"', '"td:nth-of-type(2"'),
        22,
        51,
        "companies[0].sources[0].fields.role",
        "invalid CSS selector",
    ),
    (
        "malformed URL",
        ("https://registry.example.com/company/wuhan", "registry.example.com/wuhan"),
        19,
        14,
        "companies[0].sources[0].url",
        "malformed URL",
    ),
    (
        "undefined channel",
        ("notify: [officer-slack]", "notify: [oficer-slack]"),
        13,
        14,
        "people[0].notify[0]",
        "channel 'oficer-slack' is not defined",
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "line", "col", "path", "words"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_input_names_file_line_col_and_path(
    case: str, edit: tuple[str, str], line: int, col: int, path: str, words: str
) -> None:
    text = example()
    assert edit[0] in text, case
    with pytest.raises(ConfigError) as caught:
        load_config_text(text.replace(edit[0], edit[1], 1), "watch.yaml", env={})
    message = str(caught.value)
    assert message.startswith(f"watch.yaml:{line}:{col}: {path}: "), message
    assert words in message


@pytest.mark.parametrize(
    ("case", "edit"), [(b[0], b[1]) for b in BAD[:5]], ids=[b[0] for b in BAD[:5]]
)
def test_cli_exits_2_without_traceback(case: str, edit: tuple[str, str], tmp_path: Path) -> None:
    config = tmp_path / "watch.yaml"
    config.write_text(example().replace(edit[0], edit[1], 1), encoding="utf-8")
    result = run_cli(
        "-c",
        str(config),
        "validate",
    )
    assert result.returncode == 2, case
    assert "Traceback" not in result.stderr
    assert re.search(rf"{re.escape(str(config))}:\d+:\d+: ", result.stderr), result.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("-c", str(tmp_path / "nope.yaml"), "validate")
    assert result.returncode == 2
    assert "file not found" in result.stderr and "MONITOR_CONFIG" in result.stderr


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text("people:\n  - name: [unclosed\n", "bad.yaml", env={})
    assert str(caught.value).startswith("bad.yaml:")


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text("state: !!python/object/apply:os.system ['true']\n", "t.yaml", env={})
    assert "not allowed" in str(caught.value)


def test_validate_prints_summary_with_secrets_redacted(tmp_path: Path) -> None:
    config = tmp_path / "watch.yaml"
    config.write_text(example(), encoding="utf-8")
    secret = "xoxb-very-secret-token"
    result = run_cli("-c", str(config), "validate", env={"SLACK_TOKEN_A": secret})
    assert result.returncode == 0, result.stderr
    assert "slack://***/***/***/#officer-alerts" in result.stdout
    assert secret not in result.stdout + result.stderr
    assert "companies: 1" in result.stdout
