"""Error-page classifier: precision, recall and cost on real pages.

Positives: the captured error/block/challenge pages of ``benchmarks/errorpages``
(labels other than ``negative``), classified as served with 200 and with their
typical status. Negatives: its ``negative`` pages and every real article page
(aeb, newspaper, trafilatura-eval), served with 200.
"""

from __future__ import annotations

import csv
import gzip
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import html

from benchmarks._shared import shared_dir
from scrapy_newsclean._bounded_memo import clear_all
from scrapy_newsclean.errorpages._classify import classify, page_signals

if TYPE_CHECKING:
    from collections.abc import Iterator

POSITIVE_LABELS = {"block", "http-error", "http-error/soft404-like", "non-content"}
URL = "https://example.com/news/2024/01/some-article.html"


def typical_status(name: str, label: str) -> int:
    """The status such a page is usually served with."""
    for code in ("403", "404", "502", "503", "504"):
        if code in name:
            return int(code)
    if "404" in name or "not_found" in name or label == "http-error/soft404-like":
        return 404
    if name.startswith(("cf_iuam", "cf_managed", "sucuri")):
        return 503
    return 403 if label != "non-content" else 200


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def error_pages(root: Path) -> Iterator[tuple[str, str, bytes]]:
    folder = root / "benchmarks" / "errorpages"
    with (folder / "index.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            yield row["file"], row["label"], read(folder / row["file"])


def article_pages(root: Path) -> Iterator[tuple[str, bytes]]:
    base = root / "benchmarks"
    paths = [
        *sorted((base / "aeb" / "html").glob("*.html.gz")),
        *sorted((base / "newspaper" / "html").glob("*.html")),
        *sorted((base / "trafilatura-eval" / "cache").glob("*")),
    ]
    for path in paths:
        yield str(path.relative_to(base)), read(path)


def no_article(root: Path, name: str) -> bool:
    """Whether a newspaper page's expected article text is empty (an error page)."""
    if not name.startswith("newspaper/html/"):
        return False
    text = root / "benchmarks" / "newspaper" / "text" / (Path(name).stem + ".txt")
    return text.exists() and not text.read_text(encoding="utf-8").strip()


def timed(body: bytes) -> tuple[float, float]:
    """Median seconds of classify with a pre-parsed root and with parsing."""
    tree = html.document_fromstring(body)
    with_root, parsing = [], []
    for _ in range(5):
        clear_all()  # time a page of a site never seen (no memo hits)
        start = time.perf_counter()
        classify(status=200, url=URL, body=body, root=tree)
        with_root.append(time.perf_counter() - start)
        clear_all()
        start = time.perf_counter()
        classify(status=200, url=URL, body=body)
        parsing.append(time.perf_counter() - start)
    return statistics.median(with_root), statistics.median(parsing)


def evaluate_errorpages(root: Path) -> tuple[int, int, int]:
    positives = hits = false_pos = 0
    for name, label, body in error_pages(root):
        at_200 = classify(status=200, url=URL, body=body)
        status = typical_status(name, label)
        typical = classify(status=status, url=URL, body=body)
        shown = f"{name:45} 200 -> {at_200.reason if at_200 else None!s:22}"
        shown += f" {status} -> {typical.reason if typical else None}"
        if label == "negative":
            false_pos += at_200 is not None
            print(("FALSE POSITIVE " if at_200 else "ok (negative)  ") + shown)
            continue
        positives += 1
        hits += at_200 is not None
        if at_200 is None:
            signals = page_signals(body=body)
            print(f"MISS           {shown}\n    why: {signals.describe()}")
        else:
            print(f"ok             {shown}  [{at_200.detail[:90]}]")
    return positives, hits, false_pos


def evaluate_articles(
    root: Path,
) -> tuple[int, int, int, list[float], list[float]]:
    """Classify every page of the article sets; pages whose ground truth is
    empty are not articles (captured error pages) and are counted apart."""
    total = false_pos = non_articles = 0
    with_root: list[float] = []
    parsing: list[float] = []
    for name, body in article_pages(root):
        total += 1
        verdict = classify(status=200, url=URL, body=body)
        if verdict is not None and no_article(root, name):
            non_articles += 1
            print(
                f"flagged non-article {name}: {verdict.reason} ({verdict.detail})"
                " [ground-truth article text is empty]"
            )
        elif verdict is not None:
            false_pos += 1
            print(f"FALSE POSITIVE {name}: {verdict.reason} ({verdict.detail})")
        fast, slow = timed(body)
        with_root.append(fast)
        parsing.append(slow)
    return total, false_pos, non_articles, with_root, parsing


def main() -> None:
    root = shared_dir()
    positives, hits, neg_fp = evaluate_errorpages(root)
    total, art_fp, non_articles, with_root, parsing = evaluate_articles(root)
    print()
    print(
        f"error pages at status 200: recall {hits}/{positives} = {hits / positives:.1%}"
    )
    print(f"negatives (errorpages/neg_*): {neg_fp} false positives")
    print(
        f"article-set pages at status 200: {art_fp} false positives among "
        f"{total - non_articles} articles; {non_articles} pages with empty "
        "ground truth (error pages captured in the sets) flagged"
    )
    flagged = hits + neg_fp + art_fp
    print(f"precision {hits}/{flagged} = {hits / flagged:.1%}" if flagged else "")
    ms_root = statistics.median(with_root) * 1000
    ms_parse = statistics.median(parsing) * 1000
    p90_root = statistics.quantiles(with_root, n=10)[-1] * 1000
    print(f"p90 classify per article page with root pre-parsed: {p90_root:.3f} ms")
    print(
        f"median classify per article page: {ms_root:.3f} ms with root pre-parsed, "
        f"{ms_parse:.3f} ms parsing the body"
    )


if __name__ == "__main__":
    main()
