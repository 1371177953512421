"""Read officer changes out of news articles.

The extractor is imported on first use: a process that reads no news never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.news.extract import Statement, extract_statements
    from monitor.news.sentences import split_sentences

__all__ = ["Statement", "extract_statements", "split_sentences"]


def __getattr__(name: str) -> Any:
    if name in ("Statement", "extract_statements"):
        from monitor.news import extract

        return getattr(extract, name)
    if name == "split_sentences":
        from monitor.news import sentences

        return sentences.split_sentences
    raise AttributeError(f"module 'monitor.news' has no attribute {name!r}")
