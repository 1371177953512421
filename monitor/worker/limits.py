"""Per-host rate limits that hold across every worker: one row per host in PostgreSQL.

A generic cell rate algorithm on the database's clock: each request start reserves
the host's next slot with one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``
and waits until it comes. Slots are ``(per + margin) / rate`` apart, so any window
of ``per`` seconds holds at most ``rate`` starts, with the same margin for network
jitter as the process's own gate.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, text

from monitor.fetch import WINDOW_MARGIN, HostPolicy

_RESERVE = text(
    "WITH c AS (SELECT clock_timestamp() AS now) "
    "INSERT INTO monitor_host_slots AS s (host, next_at) "
    "SELECT :host, c.now + make_interval(secs => :gap) FROM c "
    "ON CONFLICT (host) DO UPDATE "
    "SET next_at = GREATEST(s.next_at, clock_timestamp()) + make_interval(secs => :gap) "
    "RETURNING EXTRACT(EPOCH FROM (s.next_at - make_interval(secs => :gap) "
    "- clock_timestamp()))"
)


def spacing(policy: HostPolicy) -> float:
    """Seconds between two request starts to a host, across all workers."""
    if not policy.rate:
        return 0.0
    return (policy.per + WINDOW_MARGIN) / policy.rate


class SharedLimiter:
    """A ``Fetcher`` gate: awaits the host's next slot reserved in PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.waited = 0.0  # seconds spent waiting for slots, for /metrics

    def reserve(self, host: str, gap: float) -> float:
        """Reserve the next slot; the seconds until it starts."""
        with self.engine.begin() as conn:
            wait = conn.execute(_RESERVE, {"host": host.lower(), "gap": gap}).scalar_one()
        return max(0.0, float(wait))

    async def __call__(self, host: str, policy: HostPolicy) -> None:
        gap = spacing(policy)
        if gap <= 0:
            return
        wait = await asyncio.to_thread(self.reserve, host, gap)
        if wait > 0:
            self.waited += wait
            await asyncio.sleep(wait)
