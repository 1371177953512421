"""The one error tree of the product.

MonitorError
 ├── ConfigError   the watch list cannot be used (names FILE:LINE:COL and the key path)
 ├── FetchError    a source could not be retrieved (names the source and URL)
 ├── ParseError    a source answered, but not with what its configuration expects
 ├── StoreError    the state database is unusable
 └── NotifyError   a channel cannot deliver
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the product reports to a user."""


class ConfigError(MonitorError):
    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.path = path
        self.hint = hint
        super().__init__(str(self))

    @property
    def location(self) -> str:
        parts = [self.file or "<config>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class FetchError(MonitorError):
    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        transient: bool = False,
    ) -> None:
        self.url = url
        self.status = status
        self.transient = transient  # worth retrying: connect errors, timeouts
        super().__init__(message)


class ParseError(MonitorError):
    """A page or API body does not have the shape the source expects."""


class StoreError(MonitorError):
    """The state database cannot be opened or migrated."""


class NotifyError(MonitorError):
    """A channel is misconfigured or cannot deliver."""
