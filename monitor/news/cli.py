"""``monitor extract``: what an article says about the watch list, without storing anything."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from monitor.clicontext import Context
from monitor.errors import ConfigError, MonitorError
from monitor.news.article import ArticleText, read_html, read_plain
from monitor.news.match import Watch

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def register(main: click.Group) -> None:
    main.add_command(extract)


@click.command()
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per statement.")
@click.option(
    "--all", "everything", is_flag=True, help="Every statement, not only the watch list's."
)
@click.option(
    "--published",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date (2021-12-10), to date 'On October 15th'; read from the page if given.",
)
@click.pass_obj
def extract(obj: Context, article: str, as_json: bool, everything: bool, published: Any) -> None:
    """Officer changes that ARTICLE (.html or .txt file, or http(s) URL) reports."""
    try:
        _extract(obj, article, as_json, everything, published)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except MonitorError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


def _extract(obj: Context, article: str, as_json: bool, everything: bool, published: Any) -> None:
    from monitor.news.extract import extract_statements

    watch = _watch(obj, everything)
    text = _read(obj, article)
    day: date | None = published.date() if published else text.published
    found = extract_statements(
        text.full_text,
        published=day,
        people=watch.people,
        companies=watch.companies,
        all_statements=everything,
    )
    for statement in found:
        item = statement_json(statement)
        click.echo(json.dumps(item, ensure_ascii=False) if as_json else _line(item))
    if not as_json:
        click.echo(f"{len(found)} statement(s)")


def statement_json(statement: Any) -> dict[str, Any]:
    return {
        "person": statement.person,
        "company": statement.company,
        "change": statement.change,
        "role": statement.role,
        "previous_role": statement.previous_role,
        "date": statement.date,
        "evidence": statement.evidence,
        "confidence": statement.confidence,
    }


def _line(item: dict[str, Any]) -> str:
    role = f" as {item['role']}" if item["role"] else ""
    if item["change"] == "role_changed":
        role = f": {item['previous_role'] or '-'} → {item['role'] or '-'}"
    when = f"{item['date']} " if item["date"] else ""
    change = item["change"].replace("_", " ")  # in words: "role changed"
    head = f"{when}{item['person']} {change} {item['company']}{role}"
    return f"{head}\n    {item['evidence']}"


def _watch(obj: Context, everything: bool) -> Watch:
    """The watch list's names; with --all an absent watch list is no obstacle."""
    try:
        return Watch.of(obj.loaded.config)
    except ConfigError:
        if everything and not Path(obj.config_path).exists():
            return Watch()
        raise


def _read(obj: Context, article: str) -> ArticleText:
    if article.startswith(("http://", "https://")):
        return asyncio.run(_download(obj, article))
    path = Path(article)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MonitorError(f"cannot read {article}: {exc.strerror or exc}") from None
    if path.suffix.lower() in _HTML_SUFFIXES:
        return read_html(data)
    if path.suffix.lower() == ".txt":
        return read_plain(data.decode("utf-8", errors="replace"))
    raise MonitorError(f"{article}: give a .html or .txt file, or an http(s) URL")


async def _download(obj: Context, url: str) -> ArticleText:
    from monitor.check import make_fetcher
    from monitor.fetch import Fetcher, require_ok

    try:
        fetcher = make_fetcher(obj.loaded.config)
    except ConfigError:  # --all without a watch list: default politeness
        fetcher = Fetcher()
    async with fetcher:
        response = require_ok(await fetcher.get(url))
    if response.content_type.startswith("text/plain"):
        from monitor.encoding import decode

        return read_plain(decode(response.body, response.content_type))
    return read_html(response.body, url=response.final_url, content_type=response.content_type)
