"""The news extractor on real labelled news (../shared/real_news/), as a regression floor.

The corpus lives outside the repository (research use only); the test is skipped when it
is absent. bench/news_eval.py gives the full table; these floors sit a little below the
scores recorded in bench/NEWS.md, so a change that loses real-world accuracy fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).parents[1]
_CANDIDATES = (_ROOT.parent / "shared" / "real_news", Path("/work/shared/real_news"))
CORPUS = next((p for p in _CANDIDATES if (p / "expected.json").exists()), _CANDIDATES[0])

pytestmark = pytest.mark.skipif(
    not (CORPUS / "expected.json").exists(),
    reason=f"real news corpus not available at {CORPUS} (it is kept outside the repository)",
)


def _news_eval():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("news_eval", _ROOT / "bench" / "news_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["news_eval"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("reading", "precision", "recall"),
    [("watch", 0.90, 0.78), ("open", 0.87, 0.76)],
)
def test_real_news_scores_stay_above_the_floor(
    reading: str, precision: float, recall: float
) -> None:
    news_eval = _news_eval()
    results = news_eval.evaluate(news_eval.load_corpus(CORPUS), (reading,), show_errors=False)
    for lang in ("en", "zh"):
        score = results.table[(reading, "all", f"lang={lang}")]
        assert score.precision >= 0.85, (lang, score)
    score = results.table[(reading, "all", "all")]
    assert score.precision >= precision and score.recall >= recall, score
