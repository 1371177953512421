"""Who runs against this database: one ``monitor run``, or any number of ``monitor worker``.

Two ``monitor run`` on one database would each check every source and defeat the
per-host limits, so a second one refuses to start. On PostgreSQL the guard is a
session advisory lock held on its own connection for the life of the process
(exclusive for ``run``, shared for workers), so a dead process frees it at once.
SQLite has no such lock: there a row with a heartbeat stands in, taken over when
its beat is older than ``STALE_AFTER`` or its process is gone from this machine.
Every holder keeps a row in ``monitor_nodes`` that names it, for the refusal
message and for ``monitor status``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    text,
    update,
)

from monitor.store.store import utcnow

log = logging.getLogger("monitor.store")

Role = Literal["run", "worker"]
BEAT = 5.0  # seconds between heartbeats of a holder's row
STALE_AFTER = timedelta(seconds=30)  # SQLite: a row this old belongs to a dead process
LOCK_KEY = 0x6D6F6E69  # PostgreSQL advisory lock id ("moni")
SESSION_END_WAIT = 3.0  # seconds a lock held by a just-killed process may take to free

# Not in the Alembic chain: created by the first process that needs it, on any backend.
monitor_nodes = Table(
    "monitor_nodes",
    MetaData(),
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("beat_at", DateTime, nullable=False),
)


@dataclass(frozen=True)
class Node:
    name: str
    role: str
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime

    def describe(self, now: datetime) -> str:
        ago = max(0, int((now - self.beat_at).total_seconds()))
        return (
            f"`monitor {self.role}` (pid {self.pid} on {self.host}, "
            f"started {self.started_at:%Y-%m-%d %H:%M:%S} UTC, last heartbeat {ago}s ago)"
        )


class Busy(Exception):
    """The database is already used in a way this role cannot share; ``holders`` says by whom."""

    def __init__(self, role: Role, holders: list[Node]) -> None:
        self.role = role
        self.holders = holders
        super().__init__(refusal(role, holders, utcnow()))


def refusal(role: Role, holders: list[Node], now: datetime) -> str:
    who = "; ".join(h.describe(now) for h in holders) or "another monitor process"
    if role == "run" and holders and all(h.role == "worker" for h in holders):
        return (
            f"this state database is in use by {who}. `monitor run` cannot share a database "
            "with workers: start another `monitor worker` instead, or stop the workers first"
        )
    if role == "run":
        return (
            f"this state database is already in use by {who}. Only one `monitor run` may use "
            "a database: stop the other one, or, to share the work between several processes "
            "or machines, use PostgreSQL and start `monitor worker` on each of them"
        )
    return (
        f"this state database is in use by {who}. `monitor worker` and `monitor run` "
        "cannot share a database: stop `monitor run` first"
    )


def nodes(engine: Engine) -> list[Node]:
    """Every process registered on this database (nothing before the first one)."""
    with engine.begin() as conn:
        _create(conn)
        rows = conn.execute(
            select(monitor_nodes).order_by(monitor_nodes.c.role, monitor_nodes.c.name)
        )
        return [_node(r) for r in rows.mappings()]


def summary(engine: Engine) -> list[dict[str, Any]]:
    """For ``monitor status``: each process, its role and seconds since its heartbeat."""
    now = utcnow()
    return [
        {
            "role": n.role,
            "host": n.host,
            "pid": n.pid,
            "started_at": n.started_at.isoformat(timespec="seconds") + "Z",
            "heartbeat_seconds_ago": round((now - n.beat_at).total_seconds(), 1),
        }
        for n in nodes(engine)
    ]


def _create(conn: Connection) -> None:
    """The table, once, however many processes start together."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY + 1})
    monitor_nodes.create(conn, checkfirst=True)


def _node(row: Any) -> Node:
    return Node(
        row["name"], row["role"], row["host"], row["pid"], row["started_at"], row["beat_at"]
    )


class Guard:
    """``acquire()`` or raise Busy; then a heartbeat thread until ``release()``."""

    def __init__(self, engine: Engine, role: Role, *, beat: float = BEAT) -> None:
        self.engine = engine
        self.role = role
        self.beat = beat
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.name = f"{self.host}:{self.pid}:{role}"
        self._held: Connection | None = None  # PostgreSQL: the connection holding the lock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def __enter__(self) -> Guard:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        if self.postgres:
            self._lock_postgres()
        else:
            self._lock_sqlite()
        self._thread = threading.Thread(target=self._beat_loop, name="monitor-guard", daemon=True)
        self._thread.start()

    def _lock_postgres(self) -> None:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        take = "pg_try_advisory_lock" if self.role == "run" else "pg_try_advisory_lock_shared"
        # A killed holder's server session ends a moment after the process does: a restart
        # right after a crash waits that moment out instead of refusing.
        deadline = time.monotonic() + SESSION_END_WAIT
        while not conn.execute(text(f"SELECT {take}(:k)"), {"k": LOCK_KEY}).scalar():
            if time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            conn.close()
            now = utcnow()
            live = [n for n in nodes(self.engine) if now - n.beat_at < STALE_AFTER]
            raise Busy(self.role, [n for n in live if self.role == "run" or n.role == "run"])
        self._held = conn
        other = "worker" if self.role == "run" else "run"
        with self.engine.begin() as tx:
            _create(tx)
            # Rows of dead processes: holding the lock, nobody of the other role is alive.
            tx.execute(
                delete(monitor_nodes).where(
                    (monitor_nodes.c.beat_at < utcnow() - STALE_AFTER)
                    | (monitor_nodes.c.role == other)
                )
            )
            self._register(tx)

    def _lock_sqlite(self) -> None:
        nodes_ = monitor_nodes.c
        with self.engine.begin() as tx:
            _create(tx)
            # The write comes first, so a second starter waits for this transaction.
            tx.execute(delete(monitor_nodes).where(nodes_.beat_at < utcnow() - STALE_AFTER))
            rows = [_node(r) for r in tx.execute(select(monitor_nodes)).mappings()]
            others = [n for n in rows if not self._gone(n)]
            for gone in (n for n in rows if self._gone(n)):
                tx.execute(delete(monitor_nodes).where(nodes_.name == gone.name))
            if others and (self.role == "run" or any(n.role == "run" for n in others)):
                raise Busy(self.role, others)
            self._register(tx)

    def _gone(self, node: Node) -> bool:
        """A process of this machine that no longer exists (it was killed)."""
        if node.host != self.host:
            return False
        if node.pid == self.pid:
            return True  # a row left by an earlier process with our pid (a container's 1)
        try:
            os.kill(node.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def _register(self, tx: Connection) -> None:
        now = utcnow()
        tx.execute(delete(monitor_nodes).where(monitor_nodes.c.name == self.name))
        tx.execute(
            insert(monitor_nodes).values(
                name=self.name,
                role=self.role,
                host=self.host,
                pid=self.pid,
                started_at=now,
                beat_at=now,
            )
        )

    def _beat_loop(self) -> None:
        while not self._stop.wait(self.beat):
            try:
                with self.engine.begin() as tx:
                    tx.execute(
                        update(monitor_nodes)
                        .where(monitor_nodes.c.name == self.name)
                        .values(beat_at=utcnow())
                    )
            except Exception as exc:  # the database may be down for a while; keep beating
                log.warning("could not record the heartbeat of this process: %s", exc)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.beat + 5)
            self._thread = None
        try:
            with self.engine.begin() as tx:
                tx.execute(delete(monitor_nodes).where(monitor_nodes.c.name == self.name))
        except Exception as exc:
            log.warning("could not unregister this process: %s", exc)
        if self._held is not None:
            # Really close it (not back to the pool): the session ends, and its lock.
            self._held.invalidate()
            self._held.close()
            self._held = None
