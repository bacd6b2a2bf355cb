"""Extraction quality, measured the way the article-extraction benchmark does.

Texts are split into ``\\w+`` tokens and counted as 4-token shingles; per page
TP/FP/FN are the multiset intersections/differences of the shingle counts,
normalised by their sum; precision and recall are averaged over pages and F1
is computed from the two averages (scrapinghub article-extraction-benchmark).

Two sets are scored:

* real HTML pages (``../shared/eval/extraction``: ``html/<id>.html.gz`` and
  ``ground-truth.json``), through :func:`digest.extract.extract`;
* labelled documents (``tests/data/extraction/*.json``): a document (a path
  to a seed or an inline text) with the passages that must be kept and the
  passages that must be gone. Kept-text precision/recall are counted on the
  same shingles: recall over the must-keep passages, precision as the share
  of must-keep and must-go shingles in the output that are must-keep ones.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from digest.extract import extract

_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class PageScore:
    id: str
    precision: float
    recall: float


@dataclass(frozen=True)
class Report:
    pages: tuple[PageScore, ...]
    seconds: float

    @property
    def precision(self) -> float:
        return sum(p.precision for p in self.pages) / len(self.pages) if self.pages else 0.0

    @property
    def recall(self) -> float:
        return sum(p.recall for p in self.pages) / len(self.pages) if self.pages else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def worst(self, n: int = 5) -> list[PageScore]:
        return sorted(self.pages, key=lambda s: s.precision + s.recall)[:n]


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i:i + n]) for i in range(max(len(tokens) - n + 1, 0)))


def score_page(page_id: str, predicted: str, expected: str) -> PageScore:
    """The benchmark's per-page precision and recall (1.0/1.0 when both are empty)."""
    got, want = shingles(predicted), shingles(expected)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    if tp + fp + fn == 0:
        return PageScore(page_id, 1.0, 1.0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return PageScore(page_id, precision, recall)


def load_pages(folder: Path) -> Iterable[tuple[str, str, str, str]]:
    """(id, url, html, expected text) for every page of the benchmark folder."""
    truth_path = folder / "ground-truth.json"
    if not truth_path.is_file():
        raise FileNotFoundError(f"{truth_path} not found: point --data at a folder with ground-truth.json and html/")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        html_path = folder / "html" / f"{page_id}.html.gz"
        if not html_path.is_file():
            raise FileNotFoundError(f"{html_path} is listed in ground-truth.json but missing")
        html = gzip.decompress(html_path.read_bytes()).decode("utf-8", errors="replace")
        yield page_id, truth[page_id].get("url") or "", html, truth[page_id].get("articleBody") or ""


def page_text(html: str, url: str | None) -> str:
    """What the product keeps of a page: headline-less body text."""
    return extract(html, is_html=True, url=url).text


def evaluate_pages(folder: Path, extractor: Callable[[str, str | None], str] = page_text) -> Report:
    start = time.perf_counter()
    scores = [score_page(pid, extractor(html, url or None), expected)
              for pid, url, html, expected in load_pages(folder)]
    return Report(pages=tuple(scores), seconds=time.perf_counter() - start)


@dataclass(frozen=True)
class LabelledScore:
    id: str
    precision: float  # share of labelled shingles in the output that are must-keep ones
    recall: float  # share of must-keep shingles found in the output
    leaked: tuple[str, ...]  # must-go passages found in the output
    missing: tuple[str, ...]  # must-keep passages not found


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def score_labelled(case_id: str, output: str, keep: list[str], gone: list[str]) -> LabelledScore:
    out = shingles(output)
    keep_sh = sum((shingles(k) for k in keep), Counter())
    gone_sh = sum((shingles(g) for g in gone), Counter())
    found_keep = sum((out & keep_sh).values())
    found_gone = sum((out & gone_sh).values())
    recall = found_keep / sum(keep_sh.values()) if keep_sh else 1.0
    precision = found_keep / (found_keep + found_gone) if found_keep + found_gone else 1.0
    flat = _norm(output)
    return LabelledScore(case_id, precision, recall,
                         leaked=tuple(g for g in gone if _norm(g) and _norm(g) in flat),
                         missing=tuple(k for k in keep if _norm(k) not in flat))


def load_labelled(folder: Path, root: Path) -> list[dict]:
    """The labelled cases; a case's ``document`` is a path relative to ``root`` or ``text`` inline."""
    cases = []
    for path in sorted(folder.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        case.setdefault("id", path.stem)
        if "document" in case:
            case["text"] = (root / case["document"]).read_text(encoding="utf-8")
        cases.append(case)
    return cases


def evaluate_labelled(folder: Path, root: Path) -> list[LabelledScore]:
    out = []
    for case in load_labelled(folder, root):
        extracted = extract(case["text"], is_html=bool(case.get("is_html")))
        out.append(score_labelled(case["id"], extracted.text, case["keep"], case["gone"]))
    return out


def boilerplate_texts(html: str, truth: str, pattern: str, min_words: int = 6) -> list[str]:
    """Must-go texts of a real page: navigation, footers, asides and blocks whose class/id match ``pattern``.

    Texts found in the ground truth (``truth``) are left out, so a block that
    holds the article itself never counts as boilerplate.
    """
    import lxml.html

    root = lxml.html.fromstring(html)
    for element in root.xpath("//script|//style|//noscript|//template"):
        element.drop_tree()
    marker = re.compile(pattern, re.I)
    wanted = _norm(truth)
    out: dict[str, None] = {}
    for element in root.xpath("//nav|//footer|//aside|//*[@class or @id]"):
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.tag not in ("nav", "footer", "aside") and not marker.search(names):
            continue
        text = " ".join(element.text_content().split())
        if len(text.split()) >= min_words and len(text) < 2000 and _norm(text) not in wanted:
            out[text] = None
    return list(out)


def evaluate_html_labelled(spec_path: Path, folder: Path) -> list[LabelledScore]:
    """Kept-text scores on real pages named (by id) in ``spec_path``; texts read from ``folder``."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    wanted = set(spec["pages"])
    out = []
    for page_id, url, html, truth in load_pages(folder):
        if page_id not in wanted:
            continue
        keep = [p for p in truth.split("\n") if len(p.split()) >= 6]
        gone = boilerplate_texts(html, truth, spec["gone_pattern"])
        out.append(score_labelled(page_id, extract(html, is_html=True, url=url).text, keep, gone))
    missing = wanted - {s.id for s in out}
    if missing:
        raise FileNotFoundError(f"pages not in {folder}: {sorted(missing)[:3]}")
    return out
