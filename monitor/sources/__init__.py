"""Source kinds. Importing this package registers every kind (see ``base.REGISTRY``)."""

from monitor.sources import feed, html  # noqa: F401 - registration side effect
from monitor.sources.base import REGISTRY, Source, SourceSpec, kinds, register

__all__ = ["REGISTRY", "Source", "SourceSpec", "kinds", "register"]
