"""A one-line progress display on stderr for long work (`check`, `preview`, the first
pass of `run`).

Shown only on a terminal and only once the work has taken more than ``delay`` seconds:
a quick check prints nothing extra, and a pipe, a log file or cron never sees it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import IO, Any

CLEAR = "\r\x1b[K"


class Progress:
    """``done/total``, failures and elapsed time, redrawn in place."""

    def __init__(
        self,
        what: str,
        stream: IO[str] | None = None,
        *,
        enabled: bool | None = None,
        delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.total: int | None = None
        self.done = 0
        self.failed = 0
        self.shown = False

    def start(self, total: int) -> None:
        self.total = total
        if total == 0:
            self.finish()

    def advance(self, *, failed: bool = False) -> None:
        self.done += 1
        self.failed += int(failed)
        if self.total is not None and self.done >= self.total:
            self.finish()
        else:
            self.draw()

    def finish(self) -> None:
        """The work is done: erase the line and draw no more (a daemon runs on)."""
        self.close()
        self.enabled = False

    def line(self) -> str:
        total = "?" if self.total is None else str(self.total)
        failed = f", {self.failed} failed" if self.failed else ""
        elapsed = self.clock() - self.started
        return f"{self.what} {self.done}/{total}{failed}  {elapsed:.0f}s"

    def draw(self) -> None:
        """Nothing before the work has begun (a daemon may have nothing due) or within
        the first ``delay`` seconds."""
        if not self.enabled or self.total is None or self.clock() - self.started < self.delay:
            return
        self.stream.write(CLEAR + self.line())
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the line, so what is printed next starts clean (it is drawn again at the
        next tick)."""
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.shown = False


class _ClearBeforeLog(logging.Filter):
    """A log line written while the progress line shows would be glued to its end."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self.progress.close()
        return True


@asynccontextmanager
async def ticking(progress: Progress, every: float = 0.25) -> AsyncIterator[Progress]:
    """Redraw while the body runs (elapsed time moves even when no source finishes)."""

    async def tick() -> None:
        while True:
            await asyncio.sleep(every)
            progress.draw()

    task = asyncio.create_task(tick())
    handlers = list(logging.getLogger().handlers)
    guard = _ClearBeforeLog(progress)
    for handler in handlers:
        handler.addFilter(guard)
    try:
        yield progress
    finally:
        task.cancel()
        for handler in handlers:
            handler.removeFilter(guard)
        progress.close()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
