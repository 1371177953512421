"""When a delivery is next due: retry backoff and digest boundaries. Pure functions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

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


def digest_due(detected: datetime, every: timedelta | None) -> datetime:
    """The first digest boundary strictly after ``detected``.

    Boundaries are multiples of ``every`` counted from midnight UTC on 1970-01-01,
    so ``every: 1d`` sends at midnight UTC and ``every: 6h`` at 00, 06, 12 and 18.
    """
    step = every or DEFAULT_DIGEST_EVERY
    periods = (detected - _EPOCH) // step
    return _EPOCH + step * (periods + 1)
