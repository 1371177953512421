"""monitor: watch company registries and the news for officer changes."""

__version__ = "0.1.0"
