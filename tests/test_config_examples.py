"""Every example watch list in config/examples/ loads and validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.sources import REGISTRY

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "config" / "examples").glob("*.yaml"))
REGISTRY_KINDS = {
    "companies_house",
    "companies_house_officer",
    "opencorporates",
    "opencorporates_officers",
    "wikidata",
    "sec_edgar",
    "json",
    "change_log",
}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_validates(path: Path) -> None:
    config = load_config(path, env={}).config
    kinds = {spec.kind for entry in config.entries for spec in entry.sources}
    assert path.stem in kinds
    for entry in config.entries:
        for spec in entry.sources:
            spec.build(entry.name)


def test_every_registry_kind_has_an_example() -> None:
    assert set(REGISTRY) >= REGISTRY_KINDS
    assert {p.stem for p in EXAMPLES} >= REGISTRY_KINDS
