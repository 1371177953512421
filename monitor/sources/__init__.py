"""Source kinds. Importing this package registers every kind (see ``base.REGISTRY``)."""

from monitor.sources import (  # noqa: F401 - registration side effect
    change_log,
    companies_house,
    feed,
    html,
    json_api,
    opencorporates,
    sec_edgar,
    wikidata,
)
from monitor.sources.base import REGISTRY, Source, SourceSpec, kinds, register

__all__ = ["REGISTRY", "Source", "SourceSpec", "kinds", "register"]
