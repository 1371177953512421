"""CPU time to read one 2,000-character article, with no watch list and with 10,000
watched people and 10,000 watched companies (the article and watch lists of
tests/test_news_speed.py). Run from the repository root:

    .venv/bin/python bench/news_speed.py
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    spec = importlib.util.spec_from_file_location(
        "news_speed_case", ROOT / "tests" / "test_news_speed.py"
    )
    assert spec and spec.loader
    case = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(case)
    empty = case._cpu_per_article((), ())
    started = time.process_time()
    people, companies = case._watch(10_000)
    from monitor.news.gazetteer import compiled

    compiled(people, people=True)
    compiled(companies, people=False)
    build = time.process_time() - started
    large = case._cpu_per_article(people, companies)
    print(f"article: {len(case.ARTICLE)} characters")
    print(f"no watch list:                        {empty * 1000:6.1f} ms CPU")
    ratio = large / empty
    print(f"10,000 people + 10,000 companies:     {large * 1000:6.1f} ms CPU ({ratio:.2f}x)")
    print(f"compiling that watch list (once):     {build * 1000:6.0f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
