"""Page evidence for cleaning, offline, on the real pages of ``../shared/benchmarks``.

Run from the repository root: ``.venv/bin/python -m benchmarks.page_evidence``
(``--errors`` also lists, for the tuning half only, the article lines that page
evidence removed and the boilerplate lines that survived the combination).

Each page (aeb, newspaper, trafilatura-eval; loaded, split into a tuning and a
held-out half by a hash of the site, and scored line by line exactly as in
:mod:`benchmarks.cleaning_crawl`) is parsed once as Scrapy does
(``HtmlResponse(...).selector.root``); a lazy spider's lines
(``//body//p | //body//li[not(ancestor::nav)]``) are then cleaned by:

(a) page evidence alone: lines it judges ``remove`` go, the rest stay;
(b) the text rules alone: ``clean_blocks(lines)``;
(c) both: page evidence decides the lines it judges ``remove`` or ``keep``; a
    ``keep`` line is removed only as part of a pasted copy (``repeated_run``)
    and when it is an exact repeat (the same text earlier in the body);
    ``neutral`` lines and lines not found on the page follow the text rules.

Also timed: building the model on the parsed tree (median, p90 per page), and
building it plus judging every line.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse

from benchmarks._shared import shared_dir
from benchmarks.cleaning_crawl import (
    Page,
    Tally,
    article_lines,
    lazy_lines,
    load_pages,
    score_page,
)
from scrapy_newsclean.cleaning import clean_blocks, page_evidence
from scrapy_newsclean.cleaning._page_evidence import block_key

if TYPE_CHECKING:
    from scrapy_newsclean.cleaning import BlockEvidence, PageEvidence

METHODS = ("page evidence alone", "text rules alone", "both")


def combine(lines: list[str], evidence: PageEvidence) -> list[str | None]:
    """The removal reason of each line under (c), ``None`` when kept."""
    reasons: list[str | None] = [None] * len(lines)
    for removal in clean_blocks(lines, evidence=evidence).removed:
        reasons[removal.index] = removal.reason
    return reasons


def text_rule_reasons(lines: list[str]) -> list[str | None]:
    reasons: list[str | None] = [None] * len(lines)
    for removal in clean_blocks(lines).removed:
        reasons[removal.index] = removal.reason
    return reasons


def evidence_reasons(lines: list[str], evidence: PageEvidence) -> list[str | None]:
    verdicts: list[BlockEvidence | None] = [evidence.judge(line) for line in lines]
    return [
        v.reason if v is not None and v.verdict == "remove" else None for v in verdicts
    ]


def kept_body(lines: list[str], reasons: list[str | None]) -> str:
    return "\n".join(line for line, r in zip(lines, reasons, strict=True) if r is None)


def _ms(values: list[float]) -> str:
    values = sorted(values)
    median = statistics.median(values) * 1e3
    p90 = values[int(0.9 * (len(values) - 1))] * 1e3
    return f"median {median:.3f} ms, p90 {p90:.3f} ms"


def _errors(
    page: Page, lines: list[str], evidence: PageEvidence, both: list[str | None]
) -> None:
    if not page.truth:
        before = " ".join(" ".join(lines).split())
        for snippet in (" ".join(s.split()) for s in page.with_):
            if snippet and snippet in before:
                for line, reason in zip(lines, both, strict=True):
                    if reason and snippet in " ".join(line.split()):
                        print(f"  WITH LOST [{reason}] {page.url}: {line[:100]!r}")
        return
    for line, is_article, reason in zip(
        lines, article_lines(lines, page.truth), both, strict=True
    ):
        judged = evidence.judge(line)
        if is_article and reason is not None:
            verdict = judged.verdict if judged else "unfound"
            print(
                f"  ARTICLE LOST [{reason}] {len(line)} {verdict} {page.url}: "
                f"{line[:100]!r}"
            )
        elif not is_article and reason is None:
            verdict = judged.verdict if judged else "unfound"
            print(f"  junk kept [{verdict}] {page.url}: {line[:80]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    pages = load_pages(shared_dir() / "benchmarks")
    tallies: dict[tuple[str, str], Tally] = {}
    build: list[float] = []
    judge_all: list[float] = []
    found = Counter[str]()
    reasons = Counter[str]()
    for page in pages:
        response = HtmlResponse(page.url, body=page.html)
        lines = lazy_lines(response)  # parses once; the tree is cached
        root = response.selector.root
        start = time.process_time()
        everything = page_evidence(root)
        built = time.process_time()
        # As the crawl does: only the item's lines are judged.
        evidence = page_evidence(root, {block_key(line) for line in lines})
        for line in lines:
            evidence.judge(line)
        done = time.process_time()
        build.append(built - start)
        judge_all.append(done - built)
        found["differ"] += sum(everything.judge(x) != evidence.judge(x) for x in lines)
        if not lines:
            continue
        found["lines"] += len(lines)
        found["found"] += sum(evidence.judge(line) is not None for line in lines)
        found["main"] += evidence.main_found
        found["pages"] += 1
        text = text_rule_reasons(lines)
        page_only = evidence_reasons(lines, evidence)
        both = combine(lines, evidence)
        reasons.update(r for r in both if r and r.startswith("page_"))
        lazy = "\n".join(lines)
        for method, removed in zip(METHODS, (page_only, text, both), strict=True):
            stored = kept_body(lines, removed)
            for group in (page.half, f"{page.half} {page.corpus}"):
                tally = tallies.setdefault((method, group), Tally())
                score_page(page, lazy, stored, tally)
        if args.errors and page.half == "tuning":
            _errors(page, lines, evidence, both)
    print(
        f"{found['pages']} pages with lazy lines, {found['lines']} lines; "
        f"{found['found'] / found['lines']:.1%} found on their page; "
        f"main container found on {found['main'] / found['pages']:.1%} of pages"
    )
    print(f"model build per page (parsed tree): {_ms(build)}")
    print(
        f"built for the lazy lines only, and each judged (as a crawl): {_ms(judge_all)}"
    )
    print(
        f"  lines judged otherwise than by the whole-page model: {found['differ']}"
        " (a text also held by a leaf div or span, not read then)"
    )
    for half in ("tuning", "held-out"):
        print(f"{half} half:")
        groups = sorted({g for _, g in tallies if g.split()[0] == half}, key=len)
        for method in METHODS:
            for group in groups:
                label = f"{method}" + (f" [{group.split()[1]}]" if " " in group else "")
                print(f"  {label:<42} {tallies[method, group].row()}")
    print("page evidence removals in (c) by reason:", dict(reasons.most_common()))


if __name__ == "__main__":
    main()
