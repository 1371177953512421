"""Statements read in articles → changes with origin ``news``. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.model import Article, Change, ChangeKind
from monitor.news.extract import Statement, extract_statements
from monitor.news.match import Watch
from monitor.normalize import split_roles

_KINDS: dict[str, ChangeKind] = {"joined": "joined", "left": "left", "role_changed": "role_changed"}


@dataclass(frozen=True)
class Reading:
    """What one article said about the watch list."""

    article: Article
    changes: tuple[Change, ...] = field(default=())


def read_articles(articles: Iterable[Article], watch: Watch) -> list[Reading]:
    """Run the statement extractor over each article against the watch list."""
    readings: list[Reading] = []
    for article in articles:
        statements = extract_statements(
            article.text,
            published=article.published,
            people=watch.people,
            companies=watch.companies,
        )
        readings.append(Reading(article, tuple(to_change(s, article) for s in statements)))
    return readings


def to_change(statement: Statement, article: Article) -> Change:
    """One statement as a change with origin ``news``, the article as its source."""
    return Change(
        change=_KINDS.get(statement.change, "role_changed"),
        person=statement.person,
        company=statement.company,
        roles=split_roles(statement.role),
        previous_roles=split_roles(statement.previous_role),
        effective_date=statement.date if statement.date and statement.date[0] != "-" else None,
        evidence=statement.evidence,
        published_date=article.published.isoformat() if article.published else None,
        origin="news",
        confidence=statement.confidence,
        url=article.key,  # the link as listed; the store remembers the entry by it
        title=article.title,
    )


def reported_changes(
    articles: Iterable[Article], watch: Watch
) -> tuple[tuple[Change, ...], tuple[str, ...]]:
    """The changes the articles report, and the keys of articles that reported none.

    Articles with changes are remembered as read when their events are stored (in
    that transaction); the others can be remembered at once, there is nothing to lose.
    """
    readings = read_articles(articles, watch)
    changes = tuple(c for r in readings for c in r.changes)
    quiet = tuple(r.article.key for r in readings if not r.changes)
    return changes, quiet
