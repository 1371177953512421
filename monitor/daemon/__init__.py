"""``monitor run``: the long-lived service that checks every source on its own schedule."""

from monitor.daemon.core import Daemon, Options

__all__ = ["Daemon", "Options"]
