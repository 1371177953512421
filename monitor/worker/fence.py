"""Fencing tokens: only the newest check of a source may save its result.

procrastinate's ``lock=`` covers running jobs only and is released when a stalled
job is handed to another worker; a frozen worker that wakes up would then save
next to the re-run. Each check takes a new token when it starts; the save
transaction locks the token row and writes nothing when the token has moved on.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, text

from monitor.errors import MonitorError


class StaleCheck(MonitorError):
    """A newer check of this source started after this one: its result is dropped."""


def take(engine: Engine, source_id: int, holder: str) -> int:
    """A new token for a check of ``source_id`` starting now."""
    with engine.begin() as conn:
        token = conn.execute(
            text(
                "INSERT INTO monitor_fences AS f (source_id, token, holder, started_at) "
                "VALUES (:s, 1, :h, now()) ON CONFLICT (source_id) DO UPDATE "
                "SET token = f.token + 1, holder = :h, started_at = now() RETURNING token"
            ),
            {"s": source_id, "h": holder},
        ).scalar_one()
    return int(token)


def guard(source_id: int, token: int) -> Callable[[Connection], None]:
    """For ``Store.save(guard=...)``: raise StaleCheck unless ``token`` is still current."""

    def check(conn: Connection) -> None:
        current = conn.execute(
            text("SELECT token FROM monitor_fences WHERE source_id = :s FOR UPDATE"),
            {"s": source_id},
        ).scalar()
        if current != token:
            raise StaleCheck(
                f"a newer check of source {source_id} started (token {current} > {token}); "
                "this late result is dropped"
            )

    return check
