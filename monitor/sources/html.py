"""``kind: html`` — officer tables on registry web pages.

Two ways to find the officers:

* selector mode: ``rows`` selects one element per officer and ``fields`` maps
  ``name``, ``role``, ``appointed`` and ``resigned`` to CSS selectors inside the row.
  ``"td:nth-of-type(3) attr:title"`` reads an attribute of the match, and
  ``"attr:data-name"`` an attribute of the row itself;
* header mode: ``columns`` maps the same fields to header texts
  (``{name: "Name", role: "Position"}``) and the first ``table`` whose header row
  has them is read.

Pages are parsed with lxml (fast); ``parser: bs4`` uses BeautifulSoup, whose
lenience copes with badly broken markup.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, ClassVar, Literal, Protocol

from lxml import etree
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from monitor.encoding import detect_encoding
from monitor.errors import ParseError
from monitor.fetch import Fetcher, require_ok, require_whole_html
from monitor.fieldtypes import CssSelector, HttpUrl, css_to_xpath
from monitor.model import Extraction, Officer
from monitor.normalize import clean_text
from monitor.sources.base import (
    FetchState,
    NotModified,
    Observation,
    Observed,
    Scope,
    Source,
    SourceSpec,
    content_hash,
    register,
)

FIELD_NAMES = ("name", "company", "role", "appointed", "resigned")


class Fields(BaseModel):
    """Per-row selectors (selector mode).

    On a company page ``name`` is required; on a person's page (a source under
    ``people:``) rows are that person's positions and ``company`` names the company.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    company: str | None = None
    role: str | None = None
    appointed: str | None = None
    resigned: str | None = None

    @field_validator("name", "company", "role", "appointed", "resigned")
    @classmethod
    def _valid(cls, value: str | None) -> str | None:
        if value is not None:
            selector, _ = split_field(value)
            if selector:
                css_to_xpath(selector)
        return value


class Columns(BaseModel):
    """Header texts (header mode); matched case-insensitively, by containment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    company: str | None = None
    role: str | None = None
    appointed: str | None = None
    resigned: str | None = None


def split_field(expression: str) -> tuple[str, str | None]:
    """``"td a attr:href"`` → (``"td a"``, ``"href"``); ``"attr:x"`` → (``""``, ``"x"``)."""
    text = expression.strip()
    if text.startswith("attr:"):
        return "", text[5:].strip()
    head, sep, attr = text.rpartition(" attr:")
    if sep:
        return head.strip(), attr.strip()
    return text, None


@register("html")
class HtmlSpec(SourceSpec):
    kind: Literal["html"]
    also_scopes: ClassVar[tuple[Scope, ...]] = ("person",)
    url: HttpUrl
    rows: CssSelector | None = None
    fields: Fields | None = None
    table: CssSelector = "table"
    columns: Columns | None = None
    parser: Literal["lxml", "bs4"] = "lxml"
    encoding: str | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> HtmlSpec:
        if self.columns is None and (self.rows is None or self.fields is None):
            raise ValueError(
                "give either `rows` and `fields` (selector mode) or `columns` (header mode)"
            )
        if self.columns is not None and (self.rows is not None or self.fields is not None):
            raise ValueError("`columns` (header mode) cannot be combined with `rows`/`fields`")
        mapping = self.columns or self.fields
        if mapping is not None and mapping.name is None and mapping.company is None:
            raise ValueError(
                "map `name` (a company's officer list) or `company` (a person's positions)"
            )
        return self

    def build(self, entity: str) -> HtmlSource:
        return HtmlSource(self, entity)


class HtmlSource(Source):
    spec: HtmlSpec

    @cached_property
    def extractor(self) -> Callable[[bytes, str], Extraction]:
        return make_extractor(self.spec, self.entity)

    async def observe(self, fetcher: Fetcher, state: FetchState) -> Observation:
        response = require_ok(
            await fetcher.get(self.spec.url, etag=state.etag, last_modified=state.last_modified)
        )
        etag, modified = response.etag or state.etag, response.last_modified or state.last_modified
        if response.not_modified:
            return NotModified(etag, modified, response.final_url)
        require_whole_html(response)
        digest = content_hash(response.body)
        if digest == state.content_hash:
            return NotModified(etag, modified, response.final_url)
        extraction = self.extractor(response.body, response.content_type)
        return Observed(extraction, digest, etag, modified, response.final_url)


# --- extraction (pure) -------------------------------------------------------


class _Tree(Protocol):
    """The little a parser must offer: select, text, attribute."""

    def select(self, node: Any, css: str) -> Sequence[Any]: ...
    def text(self, node: Any) -> str: ...
    def attr(self, node: Any, name: str) -> str: ...
    def parent(self, node: Any) -> Any: ...
    def tag(self, node: Any) -> str: ...


class _Compiled(threading.local):
    """Compiled selectors, shared by every source that uses the same one (a watch list of
    one registry repeats a few selectors thousands of times); one set per thread, as
    lxml's XPath objects are not to be used from two threads at once."""

    def __init__(self) -> None:
        self.xpaths: dict[str, etree.XPath] = {}


_COMPILED = _Compiled()


class _LxmlTree:
    def xpath(self, css: str) -> etree.XPath:
        xpaths = _COMPILED.xpaths
        found = xpaths.get(css)
        if found is None:
            found = xpaths[css] = etree.XPath(css_to_xpath(css))
        return found

    def select(self, node: Any, css: str) -> Sequence[Any]:
        found: list[Any] = self.xpath(css)(node)
        return found

    def text(self, node: Any) -> str:
        return clean_text(" ".join(node.itertext()))

    def attr(self, node: Any, name: str) -> str:
        return clean_text(str(node.get(name) or ""))

    def parent(self, node: Any) -> Any:
        return node.getparent()

    def tag(self, node: Any) -> str:
        return str(node.tag).lower() if isinstance(node.tag, str) else ""


class _SoupTree:
    def select(self, node: Any, css: str) -> Sequence[Any]:
        return list(node.select(css))

    def text(self, node: Any) -> str:
        return clean_text(node.get_text(" "))

    def attr(self, node: Any, name: str) -> str:
        value = node.get(name) if hasattr(node, "attrs") else None
        if isinstance(value, list):
            value = " ".join(value)
        return clean_text(str(value or ""))

    def parent(self, node: Any) -> Any:
        return node.parent

    def tag(self, node: Any) -> str:
        return str(node.name or "").lower()


_PARSERS: dict[str, etree.HTMLParser] = {}


def _lxml_root(body: bytes, encoding: str) -> Any:
    # Plain etree elements: lxml.html's element-class lookup costs a third of the time.
    parser = _PARSERS.get(encoding)
    if parser is None:
        parser = _PARSERS[encoding] = etree.HTMLParser(encoding=encoding)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"the page is not parseable HTML: {exc}") from None
    if root is None:
        raise ParseError("the page is not parseable HTML: it is empty")
    return root


def make_extractor(spec: HtmlSpec, company: str) -> Callable[[bytes, str], Extraction]:
    """A pure function page bytes → officers, with selectors compiled once."""
    tree: _Tree = _LxmlTree() if spec.parser == "lxml" else _SoupTree()

    def extract(body: bytes, content_type: str = "") -> Extraction:
        encoding = spec.encoding or detect_encoding(body, content_type)
        if spec.parser == "lxml":
            root = _lxml_root(body, encoding)
        else:
            from bs4 import BeautifulSoup  # only for pages that ask for it

            root = BeautifulSoup(body, "lxml", from_encoding=encoding)
        if spec.columns is not None:
            extraction, container = _by_header(tree, root, spec.table, spec.columns, company)
        else:
            assert spec.rows is not None
            extraction, container = _by_selector(tree, root, spec.rows, plan, by_company, company)
        if container is not None and not encoding.lower().startswith(("utf-16", "utf-32")):
            _require_closed(tree, container, body)
        return extraction

    # (field, selector inside the row or "" for the row itself, attribute or None)
    plan = [
        (name, *split_field(expression))
        for name in FIELD_NAMES
        if spec.fields is not None and (expression := getattr(spec.fields, name))
    ]
    by_company = spec.fields is not None and spec.fields.name is None
    return extract


def _field(tree: _Tree, row: Any, selector: str, attribute: str | None) -> str:
    node = row
    if selector:
        found = tree.select(row, selector)
        if not found:
            return ""
        node = found[0]
    return tree.attr(node, attribute) if attribute else tree.text(node)


def _by_selector(
    tree: _Tree,
    root: Any,
    rows: str,
    plan: Sequence[tuple[str, str, str | None]],
    by_company: bool,
    entity: str,
) -> tuple[Extraction, Any]:
    """``plan``: (field, selector, attribute) for each field the watch list maps.
    Also the element holding the rows, if any."""
    officers: list[Officer] = []
    found = tree.select(root, rows)
    for row in found:
        cells = {name: _field(tree, row, css, attribute) for name, css, attribute in plan}
        if cells.get("name") or (by_company and cells.get("company")):
            officers.append(_officer(cells, entity, tree.text(row)))
    container = tree.parent(found[-1]) if found else None
    return Extraction(tuple(officers), rows_seen=len(officers)), container


def _officer(cells: Mapping[str, str], entity: str, evidence: str) -> Officer:
    """A row → an officer; whichever of person and company the row lacks is the entity."""
    return Officer.from_cells(
        cells.get("name") or entity,
        cells.get("company") or entity,
        role=cells.get("role") or None,
        appointed=cells.get("appointed") or None,
        resigned=cells.get("resigned") or None,
        evidence=evidence,
    )


def _by_header(
    tree: _Tree, root: Any, table_css: str, columns: Columns, company: str
) -> tuple[Extraction, Any]:
    wanted = {name: getattr(columns, name) for name in FIELD_NAMES if getattr(columns, name)}
    for table in tree.select(root, table_css):
        rows = list(tree.select(table, "tr"))
        for position, header in enumerate(rows[:3]):
            texts = [tree.text(cell) for cell in tree.select(header, "th, td")]
            index = _column_index(texts, wanted)
            if all(key in index for key in ("name", "company") if key in wanted):
                return _read_rows(tree, rows[position + 1 :], index, company), table
    warning = "no table has a header matching `columns`"
    return Extraction((), rows_seen=0, warnings=(warning,)), None


def _column_index(headers: Sequence[str], wanted: Mapping[str, str]) -> dict[str, int]:
    index: dict[str, int] = {}
    lowered = [h.casefold() for h in headers]
    for field, label in wanted.items():
        target = clean_text(label).casefold()
        exact = [i for i, h in enumerate(lowered) if h == target]
        loose = [i for i, h in enumerate(lowered) if target in h]
        if exact or loose:
            index[field] = (exact or loose)[0]
    return index


def _read_rows(
    tree: _Tree, rows: Iterable[Any], index: Mapping[str, int], company: str
) -> Extraction:
    officers: list[Officer] = []
    first = index.get("name", index.get("company", 0))
    for row in rows:
        cells = [tree.text(cell) for cell in tree.select(row, "td, th")]
        if len(cells) <= first:
            continue
        values = {f: cells[i] if i < len(cells) else "" for f, i in index.items()}
        if values.get("name") or values.get("company"):
            officers.append(_officer(values, company, " | ".join(cells)))
    return Extraction(tuple(officers), rows_seen=len(officers))


# Elements whose end tag HTML lets a page leave out: a cut cannot be told by them.
_OPTIONAL_END = frozenset(
    [
        "html",
        "head",
        "body",
        "li",
        "dt",
        "dd",
        "p",
        "rt",
        "rp",
        "optgroup",
        "option",
        "colgroup",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
    ]
)
_NOT_MARKUP = re.compile(
    rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.I | re.S
)


def _require_closed(tree: _Tree, node: Any, body: bytes) -> None:
    """Raise a ParseError when the page ends inside the element holding the officers.

    A parser closes whatever is open at the end of the input, so a page cut inside its
    officer table parses as a shorter table: the page's own markup must close it.
    """
    while node is not None and tree.tag(node) in _OPTIONAL_END:
        node = tree.parent(node)
    name = tree.tag(node) if node is not None else ""
    if not name.isalnum():
        return
    markup = _NOT_MARKUP.sub(b" ", body)
    opened = len(re.findall(rb"<" + name.encode() + rb"[\s/>]", markup, re.I))
    closed = len(re.findall(rb"</" + name.encode() + rb"\s*>", markup, re.I))
    if closed < opened:
        raise ParseError(
            f"the page ends inside its officer list (a <{name}> is never closed): it was cut "
            "short; it is read again at the next check"
        )
