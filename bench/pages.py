"""Synthetic company-registry pages for the throughput benchmark.

Every page is a pure function of (seed, index): the same seed always yields the
same bytes, so every contender is measured on identical input. A "changed" page
differs from the original only inside the officer table (one officer replaced,
one role changed), the way a real registry update looks.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

TARGET_BYTES = 22_000
# Original pages get a fixed modification time so nginx's ETag and Last-Modified are
# reproducible. A changed page is stamped just after "now", later than any snapshot a
# client took before, so both validators change even for clients that send their own
# snapshot time as If-Modified-Since.
BASE_MTIME = 1_700_000_000

EN_GIVEN = (
    "James", "Olivia", "William", "Emma", "Henry", "Charlotte", "George", "Amelia",
    "Thomas", "Sophie", "Edward", "Grace", "Daniel", "Lucy", "Samuel", "Hannah",
    "Peter", "Margaret", "Richard", "Eleanor", "Michael", "Alice", "David", "Rachel",
)
EN_FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Hughes", "Edwards", "Turner",
)
ZH_FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
ZH_GIVEN = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东",
    "德华", "国庆", "海燕", "文博", "子涵", "宇航", "欣怡", "浩然",
)
EN_ROLES = (
    "Director", "Legal Representative", "Company Secretary", "Chief Executive Officer",
    "Chief Financial Officer", "Non-Executive Director", "Chairman", "Supervisor",
)
ZH_ROLES = (
    "执行董事兼总经理", "董事长", "董事", "监事", "监事会主席", "经理", "财务负责人",
    "副董事长", "职工代表监事", "法定代表人",
)
CITIES = (
    "Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Wuhan", "Chengdu", "London",
    "Manchester", "Edinburgh", "Hong Kong",
)
INDUSTRIES = (
    "software development", "electronic components", "automotive parts wholesale",
    "venture capital", "logistics services", "consumer electronics retail",
    "technical consulting", "property management",
)


@dataclass(frozen=True)
class Officer:
    name: str
    role: str
    appointed: str


@dataclass(frozen=True)
class Company:
    index: int
    name: str
    number: str
    city: str
    industry: str
    officers: tuple[Officer, ...]


def page_path(root: Path, index: int) -> Path:
    return root / "company" / f"{index:04d}.html"


def page_url(port: int, index: int) -> str:
    return f"http://127.0.0.1:{port}/company/{index:04d}.html"


def company_rng(seed: int, index: int, purpose: str) -> random.Random:
    return random.Random(f"{seed}:{index}:{purpose}")


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(ZH_FAMILY) + rng.choice(ZH_GIVEN)
    return f"{rng.choice(EN_GIVEN)} {rng.choice(EN_FAMILY)}"


def role(rng: random.Random) -> str:
    return rng.choice(ZH_ROLES if rng.random() < 0.5 else EN_ROLES)


def date(rng: random.Random) -> str:
    return f"{rng.randint(1998, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def officer(rng: random.Random) -> Officer:
    return Officer(person_name(rng), role(rng), date(rng))


def make_company(seed: int, index: int) -> Company:
    rng = company_rng(seed, index, "company")
    officers = tuple(officer(rng) for _ in range(rng.randint(8, 30)))
    return Company(
        index=index,
        name=f"Company {index:04d} Co., Ltd.",
        number=f"91{rng.randint(10**15, 10**16 - 1)}",
        city=rng.choice(CITIES),
        industry=rng.choice(INDUSTRIES),
        officers=officers,
    )


def change_company(company: Company, seed: int) -> Company:
    """Replace one officer and change another officer's role."""
    rng = company_rng(seed, company.index, "change")
    officers = list(company.officers)
    gone, promoted = rng.sample(range(len(officers)), 2)
    officers[gone] = Officer(f"{person_name(rng)} (new)", role(rng), "2025-06-30")
    old = officers[promoted]
    new_role = next(r for r in (role(rng) for _ in range(100)) if r != old.role)
    officers[promoted] = replace(old, role=new_role)
    return replace(company, officers=tuple(officers))


def changed_indexes(pages: int, seed: int, share: float = 0.10) -> list[int]:
    rng = random.Random(f"{seed}:changed-set")
    return sorted(rng.sample(range(1, pages + 1), max(1, round(pages * share))))


# --- rendering --------------------------------------------------------------

STYLE = """
body{font-family:"Helvetica Neue",Arial,"PingFang SC",sans-serif;margin:0;color:#222}
.topbar{background:#0b3d6b;color:#fff;padding:8px 24px;display:flex;justify-content:space-between}
.topbar a{color:#cfe3ff;margin-left:16px;text-decoration:none}
nav.main ul{list-style:none;margin:0;padding:0 24px;display:flex;background:#f3f6fa}
nav.main li{padding:10px 14px;border-right:1px solid #e1e6ee}
nav.main li.active{background:#fff;font-weight:600}
.layout{display:grid;grid-template-columns:260px 1fr;gap:24px;padding:24px}
aside.sidebar h3{font-size:14px;text-transform:uppercase;color:#5a6b80}
aside.sidebar li{margin:4px 0}
table{border-collapse:collapse;width:100%;margin:12px 0}
th,td{border:1px solid #d7dee8;padding:6px 10px;text-align:left;font-size:14px}
th{background:#eef2f7}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;background:#e6f4ea;color:#137333}
footer{background:#1f2933;color:#9aa5b1;padding:24px;font-size:12px}
footer a{color:#cbd2d9}
""".strip()

NAV = (
    "Home", "Search", "Companies", "Officers", "Filings", "Charges", "Insolvency",
    "Announcements", "Annual Reports", "Data Services", "Help", "English / 中文",
)


def render_head(company: Company) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(company.name)} - Company Information Register</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="description" content="Registered details, officers and filings of '
        f'{escape(company.name)}">\n'
        '<link rel="stylesheet" href="/static/css/register.min.css?v=4.18.2">\n'
        f"<style>\n{STYLE}\n</style>\n"
        '<script src="/static/js/vendor.bundle.js?v=4.18.2" defer></script>\n'
        "</head>\n"
    )


def render_header(company: Company) -> str:
    items = "".join(
        f'<li class="{"active" if label == "Companies" else ""}">'
        f'<a href="/{label.lower().replace(" ", "-")}">{escape(label)}</a></li>'
        for label in NAV
    )
    return (
        '<body>\n<div class="topbar"><span>National Enterprise Credit Information '
        "Register / 国家企业信用信息公示</span><span><a href=\"/login\">Sign in</a>"
        '<a href="/register">Register</a><a href="/help">Help</a></span></div>\n'
        f'<header><h1>{escape(company.name)}</h1><p class="badge">Active / 存续</p>'
        f"<p>Unified social credit code: {company.number}</p></header>\n"
        f'<nav class="main"><ul>{items}</ul></nav>\n'
    )


def render_sidebar(company: Company, rng: random.Random) -> str:
    related = "".join(
        f'<li><a href="/company/{rng.randint(1, 9999):04d}.html">'
        f"{escape(rng.choice(CITIES))} {escape(rng.choice(INDUSTRIES)).title()} Co., Ltd."
        "</a></li>"
        for _ in range(12)
    )
    return (
        '<div class="layout">\n<aside class="sidebar">\n<h3>On this page</h3><ul>'
        '<li><a href="#overview">Overview</a></li><li><a href="#officers-section">Officers'
        '</a></li><li><a href="#filings">Filings</a></li><li><a href="#announcements">'
        "Announcements</a></li></ul>\n"
        f"<h3>Related companies</h3><ul>{related}</ul>\n"
        f"<h3>Location</h3><p>{escape(company.city)}</p>\n</aside>\n"
    )


def render_overview(company: Company, rng: random.Random) -> str:
    rows = (
        ("Company name", company.name),
        ("Registration number", company.number),
        ("Registered office", f"{rng.randint(1, 999)} {rng.choice(EN_FAMILY)} Road, "
                              f"{company.city}"),
        ("Company type", "Limited liability company / 有限责任公司"),
        ("Incorporated", date(rng)),
        ("Registered capital", f"{rng.randint(10, 50000)}0,000 CNY"),
        ("Business scope", f"{company.industry}; import and export of goods and technology"),
        ("Registration authority", f"{company.city} Administration for Market Regulation"),
    )
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<main>\n<section id="overview"><h2>Overview</h2><table>{body}</table></section>\n'


def render_officers(company: Company) -> str:
    rows = "".join(
        f"<tr><td>{escape(o.name)}</td><td>{escape(o.role)}</td><td>{o.appointed}</td></tr>\n"
        for o in company.officers
    )
    return (
        '<section id="officers-section"><h2>Officers / 主要人员</h2>\n'
        '<table id="officers">\n<tr><th>Name</th><th>Position</th><th>Appointed</th></tr>\n'
        f"{rows}</table>\n</section>\n"
    )


def render_filings(rng: random.Random) -> str:
    kinds = ("Annual return", "Change of officers", "Change of registered office",
             "Confirmation statement", "Accounts", "Change of business scope")
    rows = "".join(
        f"<tr><td>{date(rng)}</td><td>{rng.choice(kinds)}</td>"
        f'<td><a href="/filing/{rng.randint(10**8, 10**9)}.pdf">PDF</a></td></tr>'
        for _ in range(15)
    )
    return (
        '<section id="filings"><h2>Filings</h2><table><tr><th>Date</th><th>Type</th>'
        f"<th>Document</th></tr>{rows}</table></section>\n"
    )


def announcement(rng: random.Random, company: Company) -> str:
    return (
        f"<article><h4>{date(rng)} notice {rng.randint(1000, 9999)}</h4><p>"
        f"{escape(company.name)} filed an update concerning its {escape(company.industry)} "
        f"business in {escape(company.city)}. The registration authority reviewed the "
        "submitted documents and recorded the change in the public register. Interested "
        "parties may request certified copies of the filing from the registry office "
        "during normal working hours.</p></article>\n"
    )


def render_footer(rng: random.Random) -> str:
    links = "".join(
        f'<a href="/{w.lower()}">{w}</a> | '
        for w in ("About", "Privacy", "Accessibility", "Cookies", "Contact", "Sitemap", "API")
    )
    state = "".join(f'"k{i}":{rng.randint(0, 10**6)},' for i in range(20))
    return (
        "</main>\n</div>\n"
        f"<footer><p>{links}</p><p>© 2014-2025 Company Information Register. "
        "Information on this site is published under the public register rules. "
        "备案号: 京ICP备00000000号</p></footer>\n"
        f"<script>window.__REGISTER_STATE__={{{state}\"v\":\"4.18.2\"}};</script>\n"
        '<script>document.querySelectorAll("nav.main li").forEach(function(li){'
        'li.addEventListener("click",function(){li.classList.add("active")})});</script>\n'
        "</body>\n</html>\n"
    )


def render_page(company: Company, seed: int) -> str:
    """Render a page of about TARGET_BYTES; only the officer table depends on officers."""
    rng = company_rng(seed, company.index, "layout")
    before = (
        render_head(company) + render_header(company) + render_sidebar(company, rng)
        + render_overview(company, rng)
    )
    after_table = render_filings(rng)
    footer = render_footer(rng)
    fixed = len((before + after_table + footer).encode())
    notes: list[str] = []
    size = fixed + 1700  # officer tables are 0.7-3.5 KB; pad the table-free part
    while size < TARGET_BYTES:
        notes.append(announcement(rng, company))
        size += len(notes[-1].encode())
    announcements = '<section id="announcements"><h2>Announcements</h2>\n' + "".join(notes)
    return before + render_officers(company) + after_table + announcements + "</section>\n" + footer


def write_page(root: Path, company: Company, seed: int, mtime: int) -> None:
    path = page_path(root, company.index)
    path.write_text(render_page(company, seed), encoding="utf-8")
    os.utime(path, (mtime, mtime))


def write_originals(root: Path, pages: int, seed: int) -> None:
    (root / "company").mkdir(parents=True, exist_ok=True)
    for index in range(1, pages + 1):
        write_page(root, make_company(seed, index), seed, BASE_MTIME)


def write_changes(root: Path, indexes: list[int], seed: int) -> None:
    mtime = int(time.time()) + 1
    for index in indexes:
        write_page(root, change_company(make_company(seed, index), seed), seed, mtime)
