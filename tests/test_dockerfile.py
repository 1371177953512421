"""The container image, checked without a Docker engine: the Dockerfile is parsed and its
promises (slim base, non-root, state volume, health check, README install) asserted."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex

import pytest
from conftest import REPO

Instruction = tuple[str, str]


def instructions(text: str) -> list[Instruction]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    out: list[Instruction] = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def words(arguments: str) -> list[str]:
    """Exec form (a JSON array) or shell form, as a list of words."""
    if arguments.startswith("["):
        return list(json.loads(arguments))
    return shlex.split(arguments)


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return instructions((REPO / "Dockerfile").read_text(encoding="utf-8"))


def values(dockerfile: list[Instruction], keyword: str) -> list[str]:
    return [rest for kw, rest in dockerfile if kw == keyword]


def env(dockerfile: list[Instruction]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for rest in values(dockerfile, "ENV"):
        for word in shlex.split(rest):
            key, _, value = word.partition("=")
            pairs[key] = value
    return pairs


def readme_install() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "the README starts with a shell block"
    return block.group(1).splitlines()[0].strip()


def test_slim_python_base_matching_the_package(dockerfile: list[Instruction]) -> None:
    (base,) = values(dockerfile, "FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base)
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    wanted = re.search(r'requires-python = ">=3\.(\d+)"', pyproject)
    assert wanted and int(base.split(".")[1].split("-")[0]) >= int(wanted.group(1))


def test_installs_as_the_readme_says_without_running_the_demo(
    dockerfile: list[Instruction],
) -> None:
    install = readme_install().removesuffix(" && .venv/bin/monitor demo")
    assert install.endswith("pip install -e .")
    assert any(install in run for run in values(dockerfile, "RUN"))
    # the demo takes most of a minute: it is for `docker run`, not for every build
    assert not any("monitor demo" in run for run in values(dockerfile, "RUN"))


def test_dependencies_are_installed_before_the_code_is_copied(
    dockerfile: list[Instruction],
) -> None:
    """A code change must not invalidate the layer that installs the dependencies."""
    install = next(i for i, (kw, r) in enumerate(dockerfile) if kw == "RUN" and "pip install" in r)
    copies = {words(r)[0]: i for i, (kw, r) in enumerate(dockerfile) if kw == "COPY"}
    assert copies["pyproject.toml"] < install < copies["monitor"]


def test_runs_as_a_non_root_user_after_every_build_step(dockerfile: list[Instruction]) -> None:
    users = [i for i, (kw, _) in enumerate(dockerfile) if kw == "USER"]
    assert users, "no USER: the service would run as root"
    last_user = dockerfile[users[-1]][1]
    assert last_user.split(":")[0] not in ("root", "0")
    last_run = max(i for i, (kw, _) in enumerate(dockerfile) if kw == "RUN")
    assert users[-1] > last_run
    assert any(last_user in run and "useradd" in run for run in values(dockerfile, "RUN"))


def test_state_is_a_volume_owned_by_the_user_and_config_is_mounted(
    dockerfile: list[Instruction],
) -> None:
    (workdir,) = values(dockerfile, "WORKDIR")
    volumes = [v for rest in values(dockerfile, "VOLUME") for v in words(rest)]
    assert f"{workdir}/state" in volumes  # the default `state:` is sqlite:///state/monitor.db
    user = values(dockerfile, "USER")[-1]
    assert any(
        f"chown {user}" in run and f"{workdir}/state" in run for run in values(dockerfile, "RUN")
    )
    assert env(dockerfile)["MONITOR_CONFIG"] == f"{workdir}/config/monitor.yaml"


def test_health_check_and_default_command(dockerfile: list[Instruction]) -> None:
    (check,) = values(dockerfile, "HEALTHCHECK")
    assert words(check.split("CMD", 1)[1].strip()) == ["monitor", "health"]
    (command,) = values(dockerfile, "CMD")
    assert words(command) == ["monitor", "run"]
    http = env(dockerfile)["MONITOR_HTTP"]  # read by both `run --http` and `health`
    assert http.endswith(":" + values(dockerfile, "EXPOSE")[0])
    assert "/app/.venv/bin" in env(dockerfile)["PATH"]


def test_the_build_context_has_what_the_copies_need(dockerfile: list[Instruction]) -> None:
    ignored = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for rest in values(dockerfile, "COPY"):
        for source in words(rest)[:-1]:
            assert (REPO / source).exists(), source
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
    for private in (".venv", "state", ".git", "config/monitor.yaml", "monitor.env"):
        assert private in ignored


def test_docs_show_secrets_from_an_env_file_and_the_state_volume_owner() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docker = readme.split("**Docker:**", 1)[1].split("\n## ", 1)[0]
    assert "--env-file monitor.env" in docker
    assert "10001" in docker and "--user" in docker  # a bind-mounted state/ must be writable
    assert "host.docker.internal" in docker  # 127.0.0.1 in a container is the container
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "monitor.env" in ignored


def test_compose_example_runs_the_image_with_config_secrets_and_state() -> None:
    import yaml

    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    (service,) = compose["services"].values()
    assert service["build"] == "."
    assert [e["path"] for e in service["env_file"]] == ["monitor.env"]
    assert "./config:/app/config:ro" in service["volumes"]
    named = [v.split(":")[0] for v in service["volumes"] if v.endswith(":/app/state")]
    assert named and named[0] in compose["volumes"]
    assert any(p.endswith(":8080:8080") for p in service["ports"])
