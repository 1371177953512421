"""``kind: feed`` and ``kind: page`` — news sources (RSS/Atom feeds and listing pages).

Accepted in watch lists; reading the news is not active in this version yet.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from monitor.fieldtypes import CssSelector, HttpUrl
from monitor.sources.base import Scope, SourceSpec, register


@register("feed")
class FeedSpec(SourceSpec):
    kind: Literal["feed"]
    url: HttpUrl

    scope: ClassVar[Scope] = "news"
    active: ClassVar[bool] = False


@register("page")
class PageSpec(SourceSpec):
    kind: Literal["page"]
    url: HttpUrl
    links: CssSelector = "a"

    scope: ClassVar[Scope] = "news"
    active: ClassVar[bool] = False
