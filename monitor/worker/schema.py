"""What the workers need in PostgreSQL, created by the first worker that starts.

procrastinate's own schema and two small tables of ours, applied once under a
transaction-level advisory lock, so workers starting together do it once and a
restart finds everything in place. They live outside the Alembic chain because a
SQLite installation never needs them.
"""

from __future__ import annotations

from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StoreError

SCHEMA_LOCK = 0x6D6F6E6A  # advisory lock id for creating the schema

OWN_TABLES = (
    # The generic cell rate algorithm's state: when each host may be asked next.
    "CREATE TABLE IF NOT EXISTS monitor_host_slots ("
    "host TEXT PRIMARY KEY, next_at TIMESTAMPTZ NOT NULL)",
    # The theoretical time of the next start, by actual starts (see limits.py).
    "ALTER TABLE monitor_host_slots ADD COLUMN IF NOT EXISTS tat TIMESTAMPTZ",
    # The fencing token of each source's current check: a save with an older one is refused.
    "CREATE TABLE IF NOT EXISTS monitor_fences ("
    "source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE, "
    "token BIGINT NOT NULL, holder TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL)",
)


def ensure_schema(engine: Engine) -> bool:
    """Create what is missing; True when procrastinate's schema was created now."""
    try:
        return _ensure(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot prepare the job queue in the state database: {exc}") from None


def _ensure(engine: Engine) -> bool:
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
        created = False
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            conn.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
            created = True
        for ddl in OWN_TABLES:
            conn.execute(text(ddl))
        return created
