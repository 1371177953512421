"""Per-host rate limits that hold across every worker: one row per host in PostgreSQL.

A generic cell rate algorithm on the database's clock: each request start reserves
the host's next slot with one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``
and waits until it comes. Slots are ``(per + MARGIN) / rate`` apart, so any window
of ``per`` seconds holds at most ``rate`` starts even when a start is up to
``LATE`` behind its slot or the network delays one request more than another. A
start later than that (its worker was paused, or starved of CPU) gives its slot up
and reserves a new one, so a worker waking from a pause cannot burst.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Engine, text

from monitor.fetch import HostPolicy

MARGIN = 0.15  # seconds added to every `per` window
LATE = 0.05  # seconds a start may trail its slot

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
    return (policy.per + MARGIN) / policy.rate


class SharedLimiter:
    """A ``Fetcher`` gate: awaits the host's next slot reserved in PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.waited = 0.0  # seconds spent waiting for slots, for /metrics
        self.missed = 0  # slots given up because the start came too late

    def reserve(self, host: str, gap: float) -> float:
        """Reserve the next slot; when it starts, on the ``time.monotonic()`` clock."""
        with self.engine.begin() as conn:
            asked = time.monotonic()  # the slot is no earlier than this + wait
            wait = conn.execute(_RESERVE, {"host": host.lower(), "gap": gap}).scalar_one()
        return asked + max(0.0, float(wait))

    async def __call__(self, host: str, policy: HostPolicy) -> None:
        gap = spacing(policy)
        if gap <= 0:
            return
        while True:
            due = await asyncio.to_thread(self.reserve, host, gap)
            wait = due - time.monotonic()
            if wait > 0:
                self.waited += wait
                await asyncio.sleep(wait)
            if time.monotonic() - due <= LATE:
                return
            self.missed += 1
