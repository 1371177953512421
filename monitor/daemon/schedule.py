"""Which sources are due: an in-memory queue of next check times. Pure, no I/O.

The queue is rebuilt from the ``sources`` table at start; after a check the
source goes back in with the next time the check chose. A source taken out of
the queue is in flight, so it can never be checked twice at once, and however
long the process was down a source comes out once (missed intervals coalesce).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import datetime


class DueQueue:
    def __init__(self, times: Mapping[str, datetime] | None = None) -> None:
        self._when: dict[str, datetime] = {}
        self._heap: list[tuple[datetime, str]] = []
        for key, when in (times or {}).items():
            self.push(key, when)

    def __len__(self) -> int:
        return len(self._when)

    def __contains__(self, key: object) -> bool:
        return key in self._when

    def push(self, key: str, when: datetime) -> None:
        """Queue ``key`` for ``when``; a key already queued moves to the new time."""
        self._when[key] = when
        heapq.heappush(self._heap, (when, key))

    def discard(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._when.pop(key, None)

    def _settle(self) -> None:
        """Drop heap entries that a later push or a discard made stale."""
        while self._heap and self._when.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)

    def earliest(self) -> datetime | None:
        self._settle()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: datetime) -> list[tuple[str, datetime]]:
        """Take every key due at ``now`` out of the queue with its time, earliest first."""
        due: list[tuple[str, datetime]] = []
        while (first := self.earliest()) is not None and first <= now:
            when, key = heapq.heappop(self._heap)
            del self._when[key]
            due.append((key, when))
        if len(self._heap) > 2 * len(self._when) + 64:
            self._heap = [(w, k) for k, w in self._when.items()]
            heapq.heapify(self._heap)
        return due

    def when(self, key: str) -> datetime | None:
        return self._when.get(key)

    def queued(self) -> list[str]:
        return list(self._when)
