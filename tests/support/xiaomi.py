"""The registry pages most end-to-end tests watch: two Xiaomi companies, before and after.

``/wuhan`` is read in selector mode (CSS rows and fields), ``/auto`` in header mode
(column names), so one watch list exercises both ways of reading an html page.
"""

from __future__ import annotations

import json
from typing import Any

from conftest import PageServer

WUHAN = "Xiaomi Technology (Wuhan) Co., Ltd."
AUTO = "Xiaomi Automobile Co., Ltd."
WUHAN_ROLES = "法定代表人、执行董事兼总经理"

LEI_AT_WUHAN = ("Lei Jun", WUHAN_ROLES, "2015-06-01")
ZENG_AT_WUHAN = ("Zeng Xuezhong", WUHAN_ROLES, "2021-12-07")
LIU_DE = ("Liu De", "监事", "2015-06-01")

BEFORE_WUHAN = [LEI_AT_WUHAN, LIU_DE]
AFTER_WUHAN = [ZENG_AT_WUHAN, LIU_DE]  # Lei Jun left, Zeng Xuezhong joined


def watch_list(
    server: PageServer,
    state: str,
    channels: dict[str, Any] | None = None,
    *,
    notify: list[str] | None = None,
    people: str = "",
    company_notify: str = "",
) -> str:
    """A watch list of Lei Jun and the two companies served by ``server``."""
    alerts = ""
    if channels is not None:
        alerts = (
            f"defaults:\n  notify: {json.dumps(notify or [])}\nchannels: {json.dumps(channels)}\n"
        )
    return f"""
state: "{state}"
hosts:
  "127.0.0.1": {{rate: none, concurrency: 4}}
{alerts}people:
  - name: Lei Jun
    aliases: ["雷军"]
{people}
companies:
  - name: {WUHAN}
{company_notify}
    sources:
      - kind: html
        url: {server.url("/wuhan")}
        rows: "table#officers tr:not(:first-child)"
        fields: {{name: "td:nth-of-type(1)", role: "td:nth-of-type(2)", appointed: "td:nth-of-type(3)"}}
  - name: {AUTO}
    sources:
      - kind: html
        url: {server.url("/auto")}
        columns: {{name: Name, role: Position, appointed: Appointed}}
"""
