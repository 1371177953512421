"""Per-host rate limits that hold across every worker: one row per host in PostgreSQL.

Two steps, both on the database's clock. ``reserve`` takes the host's next slot (a
generic cell rate algorithm: one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``),
so waiting requests queue in turn instead of racing, and the request waits for it.
``start``, just before the request goes out, records the start in the same cell rate
algorithm run on actual start times: it succeeds only if the host's last starts
leave room, within a tolerance ``TAU`` for a start that comes a little late. A start
that fails (its worker was paused, or starved of CPU, past its slot while others
went on) reserves again. Starts are ``(per + MARGIN) / rate`` apart, so with ``TAU``
below ``MARGIN`` any window of ``per`` seconds holds at most ``rate`` starts, however
late any of them is, with the rest of the margin for network jitter.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Engine, text

from monitor.fetch import HostPolicy

MARGIN = 0.15  # seconds added to every `per` window
TAU = 0.075  # seconds a start may come before its theoretical time (late slots before it)

_RESERVE = text(
    "WITH c AS (SELECT clock_timestamp() AS now) "
    "INSERT INTO monitor_host_slots AS s (host, next_at) "
    "SELECT :host, c.now + make_interval(secs => :gap) FROM c "
    "ON CONFLICT (host) DO UPDATE "
    "SET next_at = GREATEST(s.next_at, clock_timestamp()) + make_interval(secs => :gap) "
    "RETURNING EXTRACT(EPOCH FROM (s.next_at - make_interval(secs => :gap) "
    "- clock_timestamp()))"
)
_START = text(
    "UPDATE monitor_host_slots "
    "SET tat = GREATEST(tat, clock_timestamp()) + make_interval(secs => :gap) "
    "WHERE host = :host "
    "AND (tat IS NULL OR clock_timestamp() >= tat - make_interval(secs => :tau)) "
    "RETURNING 1"
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
        self.missed = 0  # slots given up: others started meanwhile

    def reserve(self, host: str, gap: float) -> float:
        """Reserve the next slot; when it starts, on the ``time.monotonic()`` clock."""
        with self.engine.begin() as conn:
            asked = time.monotonic()  # the slot is no earlier than this + wait
            wait = conn.execute(_RESERVE, {"host": host.lower(), "gap": gap}).scalar_one()
        return asked + max(0.0, float(wait))

    def start(self, host: str, gap: float) -> bool:
        """Record a request start now, if the host's last starts leave room for it."""
        params = {"host": host.lower(), "gap": gap, "tau": TAU}
        with self.engine.begin() as conn:  # GREATEST ignores a NULL (first) tat
            return conn.execute(_START, params).first() is not None

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
            if await asyncio.to_thread(self.start, host, gap):
                return
            self.missed += 1
