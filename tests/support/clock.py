"""Clocks a test controls, for the Checker, the Daemon and the schedule."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

T0 = datetime(2026, 1, 1, 9, 0)


class FakeClock:
    """Stands still until the test moves it: ``clock.advance(minutes=5)``."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class FastClock:
    """Runs ``rate`` times faster than real time, from now (never behind the wall clock)."""

    def __init__(self, rate: float) -> None:
        from monitor.store import utcnow

        self.rate = rate
        self.start = utcnow()
        self.started = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.started) * self.rate)
