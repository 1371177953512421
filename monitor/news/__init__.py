"""Read officer changes out of news articles."""

from monitor.news.extract import Statement, extract_statements
from monitor.news.sentences import split_sentences

__all__ = ["Statement", "extract_statements", "split_sentences"]
