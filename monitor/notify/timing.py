"""When a delivery is next due: retry backoff and digest boundaries. Pure functions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from monitor.fieldtypes import zone

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 20  # about four days of retrying before a delivery is declared dead
DEFAULT_DIGEST_EVERY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1)


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter after ``attempts`` failed sends (attempts >= 1).

    The delay doubles from RETRY_BASE up to RETRY_CAP; a random half of it is
    dropped so that many failed deliveries do not retry in lockstep.
    """
    exponent = min(max(attempts, 1) - 1, 30)
    ceiling: timedelta = min(RETRY_BASE * (2**exponent), RETRY_CAP)
    fraction: float = (rng or random).uniform(0.5, 1.0)
    return ceiling * fraction


def next_attempt(now: datetime, attempts: int, rng: random.Random | None = None) -> datetime:
    return now + retry_delay(attempts, rng)


def digest_due(
    detected: datetime, every: timedelta | None, at: str | None = None, tz: str = "UTC"
) -> datetime:
    """The first digest boundary strictly after ``detected`` (naive UTC, as stored).

    With ``at`` ("08:00") the digest goes daily at that wall-clock time in ``tz``,
    daylight saving included. Otherwise boundaries are multiples of ``every``
    counted from midnight UTC on 1970-01-01, so ``every: 1d`` sends at midnight UTC
    and ``every: 6h`` at 00, 06, 12 and 18.
    """
    if at is not None:
        return _next_wall_clock(detected, at, zone(tz))
    step = every or DEFAULT_DIGEST_EVERY
    periods = (detected - _EPOCH) // step
    return _EPOCH + step * (periods + 1)


def _next_wall_clock(detected: datetime, at: str, tz: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in at.split(":"))
    local = detected.replace(tzinfo=UTC).astimezone(tz)
    day = local.date()
    while True:
        candidate = datetime.combine(day, time(hour, minute), tzinfo=tz)
        # A time a spring-forward change skips is read with the offset before the
        # change (fold=0): 01:30 on a day that jumps from 01:00 to 02:00 is 02:30.
        due = candidate.astimezone(UTC).replace(tzinfo=None)
        if due > detected:
            return due
        day += timedelta(days=1)
