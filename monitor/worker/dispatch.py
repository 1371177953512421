"""The dispatcher's one transaction: claim due sources, move them ahead, queue their checks.

Only one dispatcher runs at a time across all workers (a transaction-level advisory
lock: when its worker dies the next tick simply takes it). Due rows are claimed
with ``FOR UPDATE SKIP LOCKED``, their ``next_check_at`` moved one interval ahead
(the check sets the real next time when it saves), and one ``check`` job per source
deferred in the same transaction, with the source as ``lock`` (one running) and
``queueing_lock`` (one waiting). Sources that already have a waiting job are left
out: one queueing-lock conflict would fail the whole batch.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from procrastinate import App
from procrastinate.jobs import Job

DISPATCH_LOCK = 0x6D6F6E6B  # advisory lock id of the dispatcher
CHECK_TASK = "monitor.check"
CHECK_QUEUE = "checks"
BATCH = 5000  # sources claimed per tick at most


@dataclass(frozen=True)
class Dispatched:
    ran: bool  # False: another worker's dispatcher held the lock
    queued: int = 0
    already: int = 0  # due, but a job for them is still waiting
    unknown: int = 0  # due, but not in this worker's watch list


_CLAIM = (
    "SELECT id, key, interval_s FROM sources WHERE next_check_at <= %(now)s "
    "ORDER BY next_check_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
)
_MOVE = (
    "UPDATE sources SET next_check_at = %(now)s + make_interval(secs => interval_s) "
    "WHERE id = ANY(%(ids)s)"
)
_WAITING = (
    "SELECT queueing_lock FROM procrastinate_jobs "
    "WHERE status = 'todo' AND queueing_lock = ANY(%(keys)s)"
)


def check_job(key: str) -> Job:
    return Job(
        id=None,
        queue=CHECK_QUEUE,
        lock=key,
        queueing_lock=key,
        task_name=CHECK_TASK,
        task_kwargs={"key": key},
    )


async def dispatch(
    app: App, conn: psycopg.AsyncConnection[Any], now: datetime, known: Collection[str]
) -> Dispatched:
    """One tick: queue a check for every due source in ``known``; ``now`` is naive UTC."""
    async with conn.transaction():
        cur = conn.cursor()
        await cur.execute("SELECT pg_try_advisory_xact_lock(%s)", (DISPATCH_LOCK,))
        row = await cur.fetchone()
        if not row or not row[0]:
            return Dispatched(ran=False)
        await cur.execute(_CLAIM, {"now": now, "limit": BATCH})
        due = [(int(i), str(k)) for i, k, _ in await cur.fetchall()]
        if not due:
            return Dispatched(ran=True)
        await cur.execute(_MOVE, {"now": now, "ids": [i for i, _ in due]})
        wanted = [k for _, k in due if k in known]
        await cur.execute(_WAITING, {"keys": wanted})
        waiting = {str(r[0]) for r in await cur.fetchall()}
        jobs = [check_job(k) for k in wanted if k not in waiting]
        if jobs:
            await app.job_manager.batch_defer_jobs_async(jobs, connection=conn)
        return Dispatched(
            ran=True, queued=len(jobs), already=len(waiting), unknown=len(due) - len(wanted)
        )
