"""How well the news extractor reads labelled articles: precision and recall.

Run from the repository root:

    .venv/bin/python bench/news_eval.py ../shared/real_news
    .venv/bin/python bench/news_eval.py tests/fixtures/news
    .venv/bin/python bench/news_eval.py ../shared/real_news --half tuning --reading open \
        --lang en --show-errors

CORPUS_DIR holds either an ``expected.json`` (``articles`` -> file name -> labels, the
format of ../shared/real_news/, whose README gives the scoring rules implemented here) or
the project's own ``case-NN.txt`` + ``case-NN.json`` pairs, which are converted to it.

Two readings: **open** (every statement, empty watch list) and **watch** (each
document's labelled companies and their aliases on the watch list, people open). The
documents are split once, by a hash of their name, into a tuning half (develop against
it) and a checking half (never look at its errors); both are always scored. An unfiltered
run replaces this corpus's table in bench/NEWS.md, with the commit it was measured at.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.identity import Entry  # noqa: E402
from monitor.news import Statement, extract_statements  # noqa: E402

NEWS_MD = ROOT / "bench" / "NEWS.md"
READINGS = ("watch", "open")
HALVES = ("tuning", "checking")


# ---------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    lang: str
    source: str
    published: date | None
    events: tuple[dict[str, Any], ...]
    optional: tuple[dict[str, Any], ...]
    kind: str  # the hard-case kind the labels give, else "-"

    @property
    def half(self) -> str:
        return half_of(self.name)


def half_of(name: str) -> str:
    """The fixed split: tuning iff the name's SHA-256 is even."""
    return "tuning" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2 == 0 else "checking"


def load_corpus(folder: Path) -> list[Document]:
    expected = folder / "expected.json"
    if expected.exists():
        return _load_expected(folder, json.loads(expected.read_text(encoding="utf-8")))
    cases = sorted(folder.glob("case-*.json"))
    if not cases:
        raise SystemExit(f"error: {folder} has neither expected.json nor case-*.json files")
    return [_load_case(path) for path in cases]


def _load_expected(folder: Path, data: dict[str, Any]) -> list[Document]:
    docs = []
    for name, spec in data["articles"].items():
        published = spec.get("published")
        docs.append(
            Document(
                name=name,
                text=(folder / name).read_text(encoding="utf-8"),
                lang=spec.get("lang") or _lang_of(name),
                source=_source_of(name, spec),
                published=date.fromisoformat(published) if published else None,
                events=tuple(spec.get("events", ())),
                optional=tuple(spec.get("optional", ())),
                kind=spec.get("kind") or ("distractor" if not spec.get("events") else "-"),
            )
        )
    return docs


def _source_of(name: str, spec: dict[str, Any]) -> str:
    parts = name.split("_")
    if len(parts) >= 3:
        return parts[1]
    return str(spec.get("source", "-")).split()[0]


def _lang_of(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def _load_case(path: Path) -> Document:
    """A project case (case-NN.json + .txt) in the expected.json shape."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    events = []
    people = spec.get("watch_people", ())
    for item in spec.get("expected", ()):
        event = dict(item)
        event["kinds"] = item.get("kinds") or [item["change"]]
        for entry in people:  # the case's watch list tells the person's other names
            if item["person"] in (entry["name"], *entry.get("aliases", ())):
                event["person_aliases"] = [entry["name"], *entry.get("aliases", ())]
        events.append(event)
    published = spec.get("published")
    return Document(
        name=path.with_suffix(".txt").name,
        text=text,
        lang=_lang_of(text),
        source="project",
        published=date.fromisoformat(published) if published else None,
        events=tuple(events),
        optional=tuple(spec.get("optional", ())),
        kind=spec.get("about") or ("distractor" if not events else "-"),
    )


# ---------------------------------------------------------------------------------------
# Matching, by the rules in ../shared/real_news/README.md
# ---------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PUNCT = re.compile(r"[^\w\s]|_")
_LEGAL = {
    "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "ltd", "limited",
    "plc", "group", "holdings", "holding", "the", "llc", "lp", "llp", "sa", "ag", "nv",
    "se", "gmbh", "bhd", "berhad", "sdn", "pty", "spa", "oyj", "ab", "asa",
}  # fmt: skip
_ZH_LEGAL = re.compile(r"(?:集团)?(?:股份)?有限(?:责任)?公司$|集团$|股份$|控股$")
_BRACKETS = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\]]*\]|【[^】]*】")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _initial_runs(name: str) -> tuple[str, ...]:
    tokens = _PUNCT.sub(" ", _nfkc(name)).split()
    out: list[str] = []
    single = False
    for token in tokens:
        if len(token) == 1 and single:
            out[-1] += token
        else:
            out.append(token)
        single = len(token) == 1
    return tuple(out)


def _person_form(name: str) -> tuple[str, ...] | str:
    text = _nfkc(name)
    if _CJK.search(text):
        return re.sub(r"[\s·・•\-‐.]", "", text)
    return _initial_runs(name)


def person_match(a: str, b: str) -> bool:
    x, y = _person_form(a), _person_form(b)
    if isinstance(x, str) or isinstance(y, str):
        return isinstance(x, str) and isinstance(y, str) and x == y and x != ""
    if not x or not y:
        return False
    if x == y or sorted(x) == sorted(y):
        return True
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) < 2:
        return False
    rest = list(long)
    for token in short:
        if token not in rest:
            return False
        rest.remove(token)
    return True


def company_form(name: str) -> tuple[str, ...] | str:
    text = _BRACKETS.sub(" ", unicodedata.normalize("NFKC", name))
    text = re.sub(r"\([^()]*\)", " ", text)
    if _CJK.search(text):
        compact = re.sub(r"[\s·]", "", text)
        previous = None
        while previous != compact:
            previous = compact
            compact = _ZH_LEGAL.sub("", compact)
        return compact.lower()
    text = text.lower().replace("&", " and ")
    tokens = [t for t in _PUNCT.sub(" ", text.replace("'s ", " ")).split()]
    return tuple(t for t in tokens if t not in _LEGAL)


def company_match(a: str, b: str) -> bool:
    x, y = company_form(a), company_form(b)
    if not x or not y:
        return False
    if isinstance(x, str) or isinstance(y, str):
        xs = x if isinstance(x, str) else "".join(x)
        ys = y if isinstance(y, str) else "".join(y)
        return xs in ys or ys in xs
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _names(item: dict[str, Any], key: str) -> list[str]:
    return [item[key], *item.get(f"{key}_aliases", ())]


def _fits(event: dict[str, Any], person: str, company: str) -> bool:
    return any(person_match(p, person) for p in _names(event, "person")) and any(
        company_match(c, company) for c in _names(event, "company")
    )


@dataclass
class Score:
    found: int = 0
    false: int = 0
    required: int = 0
    ignored: int = 0

    def add(self, other: Score) -> None:
        self.found += other.found
        self.false += other.false
        self.required += other.required
        self.ignored += other.ignored

    @property
    def precision(self) -> float | None:
        total = self.found + self.false
        return self.found / total if total else None

    @property
    def recall(self) -> float | None:
        return self.found / self.required if self.required else None


@dataclass
class Scored:
    score: Score
    missed: list[dict[str, Any]] = field(default_factory=list)
    false: list[Statement] = field(default_factory=list)


def score_document(doc: Document, outputs: Sequence[Statement]) -> Scored:
    unused = list(range(len(outputs)))
    found_events: list[dict[str, Any]] = []
    missed: list[dict[str, Any]] = []
    for event in doc.events:
        fitting = [
            k
            for k in unused
            if outputs[k].change in event["kinds"]
            and _fits(event, outputs[k].person, outputs[k].company)
        ]
        if not fitting:
            missed.append(event)
            continue
        length = len(event["company"])
        best = min(fitting, key=lambda k: abs(len(outputs[k].company) - length))
        unused.remove(best)
        found_events.append(event)
    false: list[Statement] = []
    ignored = 0
    for k in unused:
        out = outputs[k]
        if any(_fits(o, out.person, out.company) for o in doc.optional) or any(
            out.change in e["kinds"] and _fits(e, out.person, out.company) for e in found_events
        ):
            ignored += 1
        else:
            false.append(out)
    score = Score(len(found_events), len(false), len(doc.events), ignored)
    return Scored(score, missed, false)


# ---------------------------------------------------------------------------------------
# Running the extractor
# ---------------------------------------------------------------------------------------


def watch_companies(doc: Document) -> list[Entry]:
    """The watch reading's watch list: every labelled company with its aliases."""
    entries: dict[str, Entry] = {}
    for event in (*doc.events, *doc.optional):
        name = event["company"]
        old = entries.get(name)
        aliases = tuple(
            dict.fromkeys([*(old.aliases if old else ()), *event.get("company_aliases", ())])
        )
        entries[name] = Entry(name, tuple(a for a in aliases if a != name))
    return list(entries.values())


def run(doc: Document, reading: str) -> list[Statement]:
    if reading == "open":
        return extract_statements(doc.text, published=doc.published, all_statements=True)
    return extract_statements(doc.text, published=doc.published, companies=watch_companies(doc))


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@dataclass
class Results:
    # (reading, half, slice) -> Score; slice is "all", "lang=en", "source=reuters", "kind=..."
    table: dict[tuple[str, str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    seconds: float = 0.0
    documents: int = 0


def evaluate(docs: Iterable[Document], readings: Sequence[str], show_errors: bool) -> Results:
    results = Results()
    started = time.process_time()
    for doc in docs:
        results.documents += 1
        for reading in readings:
            scored = score_document(doc, run(doc, reading))
            for half in (doc.half, "all"):
                slices = ["all", f"lang={doc.lang}", f"source={doc.source}"]
                if half == "all" and doc.kind != "-":
                    slices.append(f"kind={doc.kind}")  # kinds are few documents: no halves
                for slice_ in slices:
                    results.table[(reading, half, slice_)].add(scored.score)
            if show_errors and (scored.missed or scored.false):
                _print_errors(doc, reading, scored)
    results.seconds = time.process_time() - started
    return results


def _print_errors(doc: Document, reading: str, scored: Scored) -> None:
    print(f"\n== {doc.name} [{reading}] published {doc.published}")
    for event in scored.missed:
        kinds = "/".join(event["kinds"])
        print(f"  MISSED {event['person']} | {event['company']} | {kinds} | {event.get('role')}")
    for out in scored.false:
        print(f"  FALSE  {out.person} | {out.company} | {out.change} | {out.role} | {out.date}")
        print(f"         {out.evidence[:200]}")


def render(results: Results, corpus: str, commit: str) -> str:
    lines = [
        f"Corpus `{corpus}`, commit `{commit}`, {results.documents} documents, "
        f"{results.seconds:.1f} s CPU for both readings.",
        "",
        "| reading | half | slice | precision | recall | found | false | required |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted(results.table, key=_order)
    for reading, half, slice_ in keys:
        s = results.table[(reading, half, slice_)]
        lines.append(
            f"| {reading} | {half} | {slice_} | {_fmt(s.precision)} | {_fmt(s.recall)} "
            f"| {s.found} | {s.false} | {s.required} |"
        )
    return "\n".join(lines) + "\n"


def _order(key: tuple[str, str, str]) -> tuple[int, int, int, str]:
    reading, half, slice_ = key
    kinds = ("all", "lang", "source", "kind")
    return (
        READINGS.index(reading) if reading in READINGS else 9,
        (*HALVES, "all").index(half),
        kinds.index(slice_.split("=")[0]),
        slice_,
    )


def summary(results: Results) -> str:
    lines = []
    for reading in READINGS:
        for half in (*HALVES, "all"):
            parts = []
            for slice_ in ("all", "lang=en", "lang=zh"):
                s = results.table.get((reading, half, slice_))
                if s is not None:
                    parts.append(f"{slice_} P {_fmt(s.precision)} R {_fmt(s.recall)}")
            if parts:
                lines.append(f"{reading:5} {half:8}  " + "   ".join(parts))
    return "\n".join(lines)


def write_news_md(table: str, corpus: str) -> None:
    begin, end = f"<!-- news_eval {corpus} -->", f"<!-- /news_eval {corpus} -->"
    block = f"{begin}\n{table}{end}"
    text = NEWS_MD.read_text(encoding="utf-8") if NEWS_MD.exists() else "# News extraction\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n## `{corpus}`\n\n{block}\n"
    NEWS_MD.write_text(text, encoding="utf-8")


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "monitor"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="folder with expected.json or case-*.json")
    parser.add_argument("--half", choices=(*HALVES, "all"), default="all")
    parser.add_argument("--reading", choices=READINGS)
    parser.add_argument("--lang", choices=("en", "zh"))
    parser.add_argument("--show-errors", action="store_true", help="misses and false outputs")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/NEWS.md")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: {args.corpus} is not a folder", file=sys.stderr)
        return 2
    docs = load_corpus(args.corpus)
    filtered = args.half != "all" or args.lang or args.reading
    if args.show_errors and args.half != "tuning":
        print("note: errors are shown for the tuning half only (the checking half stays unseen)")
    selected = [d for d in docs if not args.lang or d.lang == args.lang]
    if args.half != "all":
        selected = [d for d in selected if d.half == args.half]
    readings = (args.reading,) if args.reading else READINGS
    results = evaluate((d for d in selected), readings, show_errors=False)
    if args.show_errors:
        evaluate((d for d in selected if d.half == "tuning"), readings, show_errors=True)
    corpus = _corpus_name(args.corpus)
    print(summary(results))
    table = render(results, corpus, _commit())
    if filtered or args.no_write:
        print(table)
    else:
        write_news_md(table, corpus)
        print(f"table written to {NEWS_MD.relative_to(ROOT)}")
    return 0


def _corpus_name(folder: Path) -> str:
    resolved = folder.resolve()
    try:
        return str(resolved.relative_to(ROOT))
    except ValueError:
        return resolved.name


if __name__ == "__main__":
    sys.exit(main())
