"""Default politeness for the registry hosts the source kinds talk to.

Each preset follows the host's published limit: Companies House allows 600
requests per 5 minutes per key, SEC EDGAR 10 per second. A host listed under
``hosts:`` in the watch list always wins over its preset.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.fetch import HostPolicy

PRESETS: dict[str, HostPolicy] = {
    # 600 requests / 5 minutes per API key.
    "api.company-information.service.gov.uk": HostPolicy(concurrency=2, rate=600, per=300),
    # Fair access: at most 10 requests per second, for every host of sec.gov.
    "data.sec.gov": HostPolicy(concurrency=2, rate=10, per=1),
    "www.sec.gov": HostPolicy(concurrency=2, rate=10, per=1),
    # Free accounts have small daily quotas; one request every 2 seconds at most.
    "api.opencorporates.com": HostPolicy(concurrency=1, rate=1, per=2),
    # Wikimedia asks API clients to make requests one at a time.
    "www.wikidata.org": HostPolicy(concurrency=1, rate=5, per=1),
}


def host_policies(configured: Mapping[str, HostPolicy]) -> dict[str, HostPolicy]:
    """Presets overlaid with the user's ``hosts:`` (host names compared in lower case)."""
    merged = {host.lower(): policy for host, policy in PRESETS.items()}
    merged.update({host.lower(): policy for host, policy in configured.items()})
    return merged
