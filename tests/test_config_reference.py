"""docs/config.md is generated from the models; it must say what the models accept."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from conftest import REPO


def generator() -> ModuleType:
    path = REPO / "scripts" / "config_reference.py"
    spec = importlib.util.spec_from_file_location("config_reference", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["config_reference"] = module
    spec.loader.exec_module(module)
    return module


def test_the_reference_matches_the_models() -> None:
    written = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    assert written == generator().render(), (
        "docs/config.md is out of date: run `python scripts/config_reference.py`"
    )


def test_every_key_of_every_model_is_listed_with_its_default() -> None:
    from monitor.config.models import Config, Defaults
    from monitor.sources import REGISTRY

    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    for model in (Config, Defaults, *REGISTRY.values()):
        for name in model.model_fields:
            assert f"| `{name}` |" in text, f"{model.__name__}.{name} is not in docs/config.md"
    # the keys a new user looks for, with the defaults the code uses
    assert "| `timeout` | duration | `30s` |" in text
    assert "| `max_bytes` | integer | `10485760` |" in text
    assert "(under `companies:`)" in text and "## `kind: feed` (under `news:`)" in text


def test_the_readme_points_to_the_reference() -> None:
    assert "docs/config.md" in (REPO / "README.md").read_text(encoding="utf-8")
