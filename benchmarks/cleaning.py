"""Text cleaning quality and speed on the shared evaluation data.

Run from the repository root: ``.venv/bin/python -m benchmarks.cleaning``.

Each page becomes the text a lazy spider would store: the text of every block
element of the body (p, div, li, h1-h6, td, blockquote, pre, figcaption, ...;
text directly inside a block that also has block children becomes its own
line), one line per block, scripts/styles dropped. The same rule applies to
every page. That text is cleaned with :func:`scrapy_newsclean.cleaning._blocks.clean` and
compared with the ground truth by whitespace tokens (multiset precision and
recall, the article-extraction-benchmark metric).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import lxml.html
from w3lib.encoding import html_to_unicode

from benchmarks._shared import shared_dir
from scrapy_newsclean._bounded_memo import clear_all
from scrapy_newsclean.cleaning._blocks import clean, clean_blocks, split_blocks
from scrapy_newsclean.cleaning._site_templates import (
    SAMPLE_SIZE,
    UNRELATED_BITS,
    SiteTemplateView,
    template_keys,
)
from scrapy_newsclean.neardup import fingerprint
from scrapy_newsclean.stores import TemplateSighting
from scrapy_newsclean.stores._memory import MemoryStore

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 td th blockquote pre figcaption figure section "  # noqa: SIM905
    "article header footer nav aside main ul ol dl dt dd table tr thead tbody "
    "tfoot caption form fieldset address details summary hr body center".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template svg iframe head select option button "  # noqa: SIM905
    "textarea object embed canvas video audio map".split()
)

Score = tuple[float, float, int, int, int]  # precision, recall, hit, extracted, truth


def _flush(buf: list[str], out: list[str]) -> None:
    text = " ".join("".join(buf).split())
    if text:
        out.append(text)
    buf.clear()


def _walk(el: HtmlElement, buf: list[str], out: list[str]) -> None:
    buf.append(el.text or "")
    for child in el:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag and tag not in SKIP_TAGS:
            if tag in BLOCK_TAGS:
                _flush(buf, out)
                _walk(child, buf, out)
                _flush(buf, out)
            else:
                _walk(child, buf, out)
        buf.append(child.tail or "")


_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]{0,200}\?>")


def lazy_text(html: bytes) -> str:
    """The text of every block element of the page body, one per line.

    The bytes are decoded as Scrapy decodes a response (w3lib's
    ``html_to_unicode``: BOM, meta charset, then detection), not by lxml.
    """
    _, text = html_to_unicode(None, html)
    text = _XML_DECLARATION.sub("", text, count=1)
    doc = lxml.html.document_fromstring(text)
    body = doc.find("body")
    out: list[str] = []
    buf: list[str] = []
    _walk(doc if body is None else body, buf, out)
    _flush(buf, out)
    return "\n".join(out)


def score(extracted: str, truth: str) -> Score:
    """Token multiset precision/recall (aeb's metric) and the raw counts."""
    e, t = Counter(extracted.split()), Counter(truth.split())
    hit = sum((e & t).values())
    ne, nt = sum(e.values()), sum(t.values())
    return (hit / ne if ne else 1.0), (hit / nt if nt else 1.0), hit, ne, nt


def summarize(label: str, scores: list[Score]) -> tuple[float, float, float, float]:
    """Print and return micro and macro precision/recall."""
    hit = sum(s[2] for s in scores)
    micro_p = hit / max(1, sum(s[3] for s in scores))
    micro_r = hit / max(1, sum(s[4] for s in scores))
    macro_p = statistics.mean(s[0] for s in scores)
    macro_r = statistics.mean(s[1] for s in scores)
    print(
        f"  {label:<22} micro P {micro_p:.4f} R {micro_r:.4f} | "
        f"macro P {macro_p:.4f} R {macro_r:.4f}"
    )
    return micro_p, micro_r, macro_p, macro_r


def aeb_pages(root: Path) -> list[tuple[str, str, str]]:
    """(id, lazy text, ground truth) for the article-extraction-benchmark."""
    truth = json.loads((root / "aeb" / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key, entry in sorted(truth.items()):
        html = gzip.decompress((root / "aeb" / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key[:12], lazy_text(html), entry["articleBody"]))
    return pages


def newspaper_pages(root: Path) -> list[tuple[str, str, str]]:
    """(name, lazy text, expected text) for newspaper's test pages with a text."""
    pages = []
    for html in sorted((root / "newspaper" / "html").glob("*.html")):
        text = root / "newspaper" / "text" / f"{html.stem}.txt"
        if text.exists():
            pages.append(
                (html.stem, lazy_text(html.read_bytes()), text.read_text("utf-8"))
            )
    return pages


def compare(
    name: str, pages: list[tuple[str, str, str]], cleaner: Callable[[str, str], str]
) -> None:
    """Print before/after figures and the pages that lost the most recall."""
    before = [score(text, truth) for _, text, truth in pages]
    after = [score(cleaner(key, text), truth) for key, text, truth in pages]
    print(f"{name}: {len(pages)} pages")
    b, a = summarize("lazy text", before), summarize("cleaned", after)
    print(
        f"  change (points)        micro P {100 * (a[0] - b[0]):+.2f} "
        f"R {100 * (a[1] - b[1]):+.2f} | macro P {100 * (a[2] - b[2]):+.2f} "
        f"R {100 * (a[3] - b[3]):+.2f}"
    )
    losses = sorted(
        (
            (b[1] - a[1], key)
            for (key, _, _), b, a in zip(pages, before, after, strict=True)
        ),
        reverse=True,
    )
    worst = ", ".join(
        f"{key} -{loss * 100:.2f}" for loss, key in losses[:5] if loss > 0
    )
    print(f"  most recall lost (points): {worst or 'none'}")


def losses_by_reason(name: str, pages: list[tuple[str, str, str]]) -> None:
    """Recall points lost per removal reason: tokens regained by restoring them."""
    lost: Counter[str] = Counter()
    truth_total = 0
    for _, text, truth in pages:
        blocks = split_blocks(text)
        result = clean_blocks(blocks)
        hit = score(result.text, truth)[2]
        truth_total += len(truth.split())
        by_reason: dict[str, set[int]] = {}
        for removal in result.removed:
            by_reason.setdefault(removal.reason, set()).add(removal.index)
        gone = {r.index for r in result.removed}
        for reason, indices in by_reason.items():
            kept = [b for i, b in enumerate(blocks) if i not in gone - indices]
            lost[reason] += score("\n".join(kept), truth)[2] - hit
    shown = ", ".join(
        f"{reason} {100 * n / max(1, truth_total):.2f}"
        for reason, n in lost.most_common()
        if n
    )
    print(f"  {name} recall points lost by reason: {shown or 'none'}")


def site_of(name: str) -> str:
    """Newspaper's site name: the file stem without its trailing page number."""
    return re.sub(r"\d+$", "", name)


def with_templates(
    pages: Iterable[tuple[str, str, str]], site: Callable[[str], str]
) -> Callable[[str, str], str]:
    """A cleaner using templates learned from all pages of each site (min_pages=2).

    Each page teaches its :func:`template_keys` once for its site, with the
    simhash of its text, to a :class:`MemoryStore`, as ``add_template_keys``
    does in a crawl.
    """
    store = MemoryStore()
    for key, text, _ in pages:
        plain, spread = template_keys(split_blocks(text))
        page = TemplateSighting(
            site(key),
            frozenset(plain),
            frozenset(spread),
            fingerprint(clean(text).text).simhash,  # a crawl learns after cleaning
            UNRELATED_BITS,
            SAMPLE_SIZE,
        )
        store.add_template_keys_now(page, 0.0)
    views = {
        name: SiteTemplateView({k: e.count for k, e in keys.items() if e.count >= 2})
        for name, keys in store._templates.items()
    }
    empty = SiteTemplateView({})
    return lambda key, text: clean(text, template=views.get(site(key), empty)).text


def _canon(text: str) -> str:
    return " ".join(text.split())


def trafilatura_eval(root: Path) -> None:
    """Share of 'with' snippets kept and 'without' snippets removed."""
    base = root / "trafilatura-eval"
    data = json.loads((base / "evaldata.json").read_text("utf-8"))
    subset = json.loads((base / "evaldata-cache-subset.json").read_text("utf-8"))
    pages = []
    for url in subset:
        path = base / "cache" / data[url]["file"]
        if path.exists():
            pages.append((url, lazy_text(path.read_bytes()), data[url]))
    domain = lambda url: urlsplit(url).hostname or url
    learned = with_templates(((u, t, "") for u, t, _ in pages), domain)
    print(f"trafilatura-eval: {len(pages)} cached pages")
    for label, cleaner in (
        ("signatures+repeats", lambda _u, t: clean(t).text),
        ("+ site templates", learned),
    ):
        kept = [0, 0]
        gone = [0, 0]
        for url, text, entry in pages:
            before, after = _canon(text), _canon(cleaner(url, text))
            for snip in map(_canon, entry["with"]):
                if snip in before:
                    kept[0] += snip in after
                    kept[1] += 1
            for snip in map(_canon, entry["without"]):
                if snip in before:
                    gone[0] += snip not in after
                    gone[1] += 1
        print(
            f"  {label:<22} 'with' kept {kept[0]}/{kept[1]} "
            f"({kept[0] / max(1, kept[1]):.1%}) | 'without' removed {gone[0]}/{gone[1]} "
            f"({gone[0] / max(1, gone[1]):.1%})"
        )


def _best_ms(func: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` cold runs (per-block memos emptied before each)."""
    times = []
    for _ in range(repeat):
        clear_all()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def timings(pages: list[tuple[str, str, str]]) -> None:
    """Median ms per 5 KB article and the 1/2/4/8 MB scaling."""
    articles = [t[:5000] for _, _, t in pages if len(t) >= 5000]
    per_doc = [_best_ms(lambda a=a: clean(a), 5) for a in articles]  # type: ignore[misc]
    print(
        f"speed: median {statistics.median(per_doc):.3f} ms per 5 KB article "
        f"({len(articles)} aeb article bodies cut to 5,000 chars; best of 5 each)"
    )
    items = [split_blocks(text) for _, text, _ in pages]
    per_item = [_best_ms(lambda b=b: clean_blocks(b), 5) for b in items]  # type: ignore[misc]
    print(
        f"  per lazy-spider item: median {statistics.median(per_item):.3f} ms, "
        f"p90 {statistics.quantiles(per_item, n=10)[-1]:.3f} ms (clean_blocks on "
        f"all {len(items)} aeb pages, median "
        f"{statistics.median(len(b) for b in items):.0f} blocks; best of 5 each)"
    )
    corpus = "\n".join(text for _, text, _ in pages)
    for mb in (1, 2, 4, 8):
        size = mb * 1_000_000
        text = (corpus * (size // len(corpus) + 1))[:size]
        ms = _best_ms(lambda text=text: clean(text), 1)  # type: ignore[misc]
        print(
            f"  {mb} MB of concatenated lazy page text: {ms:.0f} ms ({ms / mb:.0f} ms/MB)"
        )


def main() -> None:
    """Run every benchmark and print the figures."""
    root = shared_dir() / "benchmarks"
    aeb = aeb_pages(root)
    compare("aeb", aeb, lambda _k, text: clean(text).text)
    losses_by_reason("aeb", aeb)
    news = newspaper_pages(root)
    compare("newspaper", news, lambda _k, text: clean(text).text)
    losses_by_reason("newspaper", news)
    print("newspaper + site templates learned from each site's pages (min_pages=2):")
    compare("newspaper+templates", news, with_templates(news, site_of))
    trafilatura_eval(root)
    timings(aeb)


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
