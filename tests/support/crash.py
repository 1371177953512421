"""Run the monitor command line, or a script, and die like a SIGKILLed process at a point.

    python tests/support/crash.py POINT [monitor arguments...]
    python tests/support/crash.py POINT --script CODE

POINT is where the process dies:

- ``commit``: the check's events and their outbox rows are committed, delivery has
  not started;
- ``claim``: delivery has claimed due outbox rows, nothing is sent yet;
- ``send``: a message was sent, its rows are not yet marked sent.

The faults are installed here, by patching the delivery module, so the product
carries no test hook.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install(point: str) -> None:
    from monitor.notify import deliver

    if point == "commit":

        async def deliver_due(*args: Any, **kwargs: Any) -> Any:
            die()

        deliver.deliver_due = deliver_due  # type: ignore[assignment]
    elif point == "claim":
        claim = deliver.claim

        def claim_then_die(*args: Any, **kwargs: Any) -> Any:
            rows = claim(*args, **kwargs)
            if rows:
                die()
            return rows

        deliver.claim = claim_then_die
    elif point == "send":
        send = deliver.send

        async def send_then_die(*args: Any, **kwargs: Any) -> Any:
            result = await send(*args, **kwargs)
            if result.verdict == "sent":
                die()
            return result

        deliver.send = send_then_die
    else:
        raise SystemExit(f"unknown crash point {point!r}: commit, claim or send")


def main(argv: list[str]) -> None:
    point, rest = argv[0], argv[1:]
    install(point)
    if rest[:1] == ["--script"]:
        exec(compile(rest[1], "<crash --script>", "exec"), {"__name__": "__main__"})
        return
    from monitor.cli import main as cli

    cli(rest, prog_name="monitor")


if __name__ == "__main__":
    main(sys.argv[1:])
