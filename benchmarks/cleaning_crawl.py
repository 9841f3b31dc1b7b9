"""Cleaning quality of a real crawl of real pages, scored against ground truth.

Run from the repository root: ``.venv/bin/python -m benchmarks.cleaning_crawl``.

The real pages of ``../shared/benchmarks`` (aeb, newspaper, trafilatura-eval) are
served by a local HTTP server on 127.0.0.1 that Scrapy reaches as an HTTP proxy,
so every page keeps its own host name (its site) while no request leaves the
machine. A *lazy* spider stores, as many news spiders do, the text of every
``//body//p | //body//li[not(ancestor::nav)]`` node, one line each. The crawl
runs with the add-on on (in-memory store); the items that reach storage are
scored line by line:

- a lazy line is *article* when it is part of the page's ground truth (its
  normalised text occurs in the normalised ground truth, or, for lines of 40+
  characters, 90% of its words are ground-truth words); every other line is
  *boilerplate*;
- **article chars kept**: characters of article lines still in the stored body
  (a line of 40+ characters counts as kept while its text is inside a kept
  line: a ``<p>`` nested in an ``<li>`` gives the spider the same text twice);
- **boilerplate lines removed**: boilerplate lines no longer in it (by the
  same rule);
- trafilatura-eval's 'with' snippets kept and 'without' snippets removed,
  counting only snippets present in the lazy body.

The same lazy items then go through ``scrapy-newsclean clean`` (text rules only,
no page), scored the same way. Sites are split by a hash of their name into a
tuning half and a held-out half, reported separately.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import CrawlerProcess

from benchmarks._shared import shared_dir
from scrapy_newsclean._sites import site_of

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.http import Response

LAZY_XPATH = "//body//p | //body//li[not(ancestor::nav)]"


@dataclass
class Page:
    corpus: str
    url: str  # the page's own URL, http://
    html: bytes
    truth: str = ""  # ground-truth article text (aeb, newspaper)
    with_: list[str] = field(default_factory=list)  # trafilatura-eval snippets
    without: list[str] = field(default_factory=list)
    split_name: str = ""  # the name the half is drawn from, when not the site

    @property
    def site(self) -> str:
        return site_of(self.url) or self.url

    @property
    def half(self) -> str:
        digest = hashlib.sha1((self.split_name or self.site).encode()).digest()[0]
        return "tuning" if digest % 2 == 0 else "held-out"


def _http(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("http", parts.netloc, parts.path or "/", parts.query, ""))


def load_pages(root: Path) -> list[Page]:
    """Every page with ground truth, each under its own (unique) URL."""
    pages: list[Page] = []
    truth = json.loads((root / "aeb" / "ground-truth.json").read_text("utf-8"))
    for key, entry in sorted(truth.items()):
        html = gzip.decompress((root / "aeb" / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page("aeb", _http(entry["url"]), html, entry["articleBody"]))
    for path in sorted((root / "newspaper" / "html").glob("*.html")):
        text = root / "newspaper" / "text" / f"{path.stem}.txt"
        if not text.exists():
            continue
        host = re.sub(r"\d+$", "", path.stem)
        if "." not in host:
            host += ".example.com"
        url = f"http://www.{host}/{path.stem}.html"
        pages.append(Page("newspaper", url, path.read_bytes(), text.read_text("utf-8")))
    base = root / "trafilatura-eval"
    data = json.loads((base / "evaldata.json").read_text("utf-8"))
    for url in json.loads((base / "evaldata-cache-subset.json").read_text("utf-8")):
        path = base / "cache" / data[url]["file"]
        if path.exists():
            entry = data[url]
            page_url, split_name = _http(url), ""
            if url.startswith("hard::"):
                # Not a URL ("hard::dw.com.colonial.html"): served under its
                # file name as host; the half is still drawn from the name it
                # always had, so the halves do not change.
                stem = url.removeprefix("hard::").removesuffix(".html")
                page_url, split_name = f"http://{stem}/", f"http:///:{stem}.html"
            pages.append(
                Page(
                    "trafilatura-eval",
                    page_url,
                    path.read_bytes(),
                    with_=list(entry["with"]),
                    without=list(entry["without"]),
                    split_name=split_name,
                )
            )
    seen: set[str] = set()
    unique = []
    for page in pages:
        if page.url not in seen:
            seen.add(page.url)
            unique.append(page)
    return unique


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}  # noqa: RUF012 (set once before serving)

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def serve(pages: Iterable[Page]) -> ThreadingHTTPServer:
    """A proxy-style server on 127.0.0.1: absolute request URIs name the page."""
    _Handler.pages = {page.url: page.html for page in pages}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def lazy_lines(response: Response) -> list[str]:
    """One line per ``p`` / ``li`` node, as a lazy spider stores them."""
    lines = []
    for node in response.xpath(LAZY_XPATH):
        text = " ".join(node.xpath("string()").get("").split())
        if text:
            lines.append(text)
    return lines


class LazySpider(Spider):
    name = "lazy_news"

    def __init__(self, urls: list[str], proxy: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.proxy = proxy
        self.raw: dict[str, str] = {}

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, meta={"proxy": self.proxy}, dont_filter=True)

    def parse(self, response: Response) -> Iterable[dict[str, Any]]:
        body = "\n".join(lazy_lines(response))
        self.raw[response.url] = body
        yield {"url": response.url, "body": body}


def crawl(pages: list[Page], settings: dict[str, Any]) -> tuple[dict, dict, dict]:
    """Stored bodies by URL, the lazy bodies by URL, and the crawl's stats."""
    server = serve(pages)
    proxy = f"http://127.0.0.1:{server.server_address[1]}"
    stored: dict[str, str] = {}
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": 16,
            "NEWSCLEAN_STORE": "memory://",
            **settings,
        }
    )
    crawler = process.create_crawler(LazySpider)

    def on_scraped(item: Any) -> None:
        stored[item["url"]] = item["body"]

    crawler.signals.connect(on_scraped, signal=signals.item_scraped)
    process.crawl(crawler, urls=[p.url for p in pages], proxy=proxy)
    process.start()
    server.shutdown()
    assert crawler.spider is not None
    assert crawler.stats is not None
    return stored, crawler.spider.raw, crawler.stats.get_stats()  # type: ignore[attr-defined]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


#: Where a sentence of the ground truth ends: a line end, ., ! or ? and a
#: space, or a CJK full stop, exclamation or question mark.
_TRUTH_SEGMENT = re.compile(r"\n|(?<=[.!?])\s+|(?<=[\u3002\uff01\uff1f])")
#: Lines shorter than this must be whole sentences or lines of the truth.
SHORT_LINE_CHARS = 40


def _segment_bounds(truth: str) -> tuple[str, set[int]]:
    """The normalised truth, and the offsets where its sentences and lines start
    or end (in `` {norm} `` form: a boundary is the offset of a space)."""
    parts = [n for s in _TRUTH_SEGMENT.split(truth) if (n := _norm(s))]
    bounds = {0}
    offset = 0
    for part in parts:
        offset += 1 + len(part)
        bounds.add(offset)
    return f" {' '.join(parts)} ", bounds


def _whole_sentences(norm: str, norm_truth: str, bounds: set[int]) -> int:
    """How often *norm* occurs in the truth as whole sentences or lines."""
    needle = f" {norm} "
    count = 0
    start = norm_truth.find(needle)
    while start >= 0:
        count += start in bounds and start + len(needle) - 1 in bounds
        start = norm_truth.find(needle, start + 1)
    return count


def article_lines(lines: list[str], truth: str) -> list[bool]:
    """Which lazy lines belong to the ground truth.

    A line is article text when its normalised text occurs in the normalised
    ground truth, or, for lines of 40+ characters, when 90% of its words are
    ground-truth words. A short line (under 12 characters) counts only as a
    whole line of the truth, one under 40 only as whole sentences or lines of
    it: a tag, menu item or caption ("Google Stadia", "Conservatives") whose
    words also occur inside an article sentence is not article text. A copy
    beyond the number of times the ground truth holds the text is a repeat,
    not article text.
    """
    norm_truth, bounds = _segment_bounds(truth)
    truth_lines = Counter(_norm(line) for line in truth.splitlines())
    words = Counter(norm_truth.split())
    seen: Counter[str] = Counter()
    out = []
    for line in lines:
        norm = _norm(line)
        if not norm:
            out.append(False)
            continue
        if len(norm) < 12:
            allowed = truth_lines[norm]
        elif len(line) < SHORT_LINE_CHARS:
            allowed = _whole_sentences(norm, norm_truth, bounds)
        else:
            allowed = norm_truth.count(f" {norm} ")
        if not allowed and len(line) >= SHORT_LINE_CHARS:
            tokens = norm.split()
            inside = sum((Counter(tokens) & words).values())
            allowed = int(inside >= 0.9 * len(tokens))
        seen[norm] += 1
        out.append(seen[norm] <= allowed)
    return out


@dataclass
class Tally:
    article_chars: int = 0
    article_kept: int = 0
    junk_lines: int = 0
    junk_removed: int = 0
    with_seen: int = 0
    with_kept: int = 0
    without_seen: int = 0
    without_removed: int = 0
    pages: int = 0
    dropped: int = 0
    # Of the losses above, those of whole items dropped (near-duplicates,
    # emptied): dedup and emptiness, not line cleaning.
    article_lost_dropped: int = 0
    with_lost_dropped: int = 0

    def row(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{a / b:.1%}" if b else "n/a"

        return (
            f"article chars kept {pct(self.article_kept, self.article_chars)} "
            f"| boilerplate lines removed {pct(self.junk_removed, self.junk_lines)} "
            f"({self.junk_removed}/{self.junk_lines}) "
            f"| 'with' kept {pct(self.with_kept, self.with_seen)} "
            f"({self.with_kept}/{self.with_seen}) "
            f"| 'without' removed {pct(self.without_removed, self.without_seen)} "
            f"({self.without_removed}/{self.without_seen}) "
            f"| pages {self.pages}, items dropped {self.dropped} "
            f"(article chars {self.article_lost_dropped}, "
            f"'with' {self.with_lost_dropped})"
        )


def score_page(page: Page, lazy: str, stored: str | None, tally: Tally) -> None:
    """Add one page's figures to *tally* (a dropped item keeps nothing)."""
    tally.pages += 1
    if stored is None:  # dropped: counted, and nothing of it was kept
        tally.dropped += 1
    lines = lazy.split("\n") if lazy else []
    kept = Counter((stored or "").split("\n"))
    if page.truth:
        for line, is_article in zip(
            lines, article_lines(lines, page.truth), strict=True
        ):
            present = kept[line] > 0
            if present:
                kept[line] -= 1
            elif len(line) >= SHORT_LINE_CHARS and stored and line in stored:
                # Still stored, inside a kept line (the text of a nested
                # element, such as a <p> inside an <li>, is a line of its own).
                present = True
            if is_article:
                tally.article_chars += len(line)
                tally.article_kept += len(line) if present else 0
                tally.article_lost_dropped += len(line) if stored is None else 0
            else:
                tally.junk_lines += 1
                tally.junk_removed += not present
    before, after = " ".join(lazy.split()), " ".join((stored or "").split())
    for snippet in (" ".join(s.split()) for s in page.with_):
        if snippet and snippet in before:
            tally.with_seen += 1
            tally.with_kept += snippet in after
            tally.with_lost_dropped += stored is None
    for snippet in (" ".join(s.split()) for s in page.without):
        if snippet and snippet in before:
            tally.without_seen += 1
            tally.without_removed += snippet not in after


def report(label: str, pages: list[Page], raw: dict, stored: dict) -> dict:
    """Print one line per half and per corpus; return the tallies by group."""
    print(label)
    groups: dict[str, Tally] = {}
    for page in pages:
        if page.url not in raw:  # dropped as an error page: not an item
            continue
        for key in (page.half, f"{page.half} {page.corpus}"):
            tally = groups.setdefault(key, Tally())
            score_page(page, raw[page.url], stored.get(page.url), tally)
    for key in sorted(groups, key=lambda k: (k.split()[0] != "tuning", " " in k, k)):
        print(f"  {key:<28} {groups[key].row()}")
    return groups


def summary(label: str, tally: Tally) -> None:
    """One line for the benchmark table."""

    def pct(a: int, b: int) -> str:
        return f"{a / b:.1%}" if b else "n/a"

    figures = (
        pct(tally.article_kept, tally.article_chars),
        pct(tally.junk_removed, tally.junk_lines),
        pct(tally.with_kept, tally.with_seen),
        pct(tally.without_removed, tally.without_seen),
    )
    print(
        f"summary {label}: {'; '.join(figures)} (article chars kept; boilerplate "
        "lines removed; 'with' snippets kept; 'without' snippets removed)"
    )


def clean_offline(raw: dict[str, str]) -> dict[str, str]:
    """The lazy items through ``scrapy-newsclean clean`` (text rules only)."""
    from scrapy_newsclean.cli import main as cli_main

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.jsonl"), Path(tmp, "out.jsonl")
        src.write_text(
            "".join(json.dumps({"url": u, "body": b}) + "\n" for u, b in raw.items()),
            "utf-8",
        )
        stderr, sys.stderr = sys.stderr, io.StringIO()
        try:
            cli_main(
                [
                    "clean",
                    str(src),
                    "-o",
                    str(dst),
                    "--no-project",
                    "-q",
                    "--store",
                    "memory://",
                ]
            )
        finally:
            sys.stderr = stderr
        out = {}
        for line in dst.read_text("utf-8").splitlines():
            item = json.loads(line)
            out[item["url"]] = item["body"]
    return out


def main() -> None:
    root = shared_dir() / "benchmarks"
    pages = load_pages(root)
    halves = Counter(p.half for p in pages)
    sites = {p.half: set() for p in pages}
    for p in pages:
        sites[p.half].add(p.site)
    print(
        f"{len(pages)} real pages ({', '.join(f'{k} {v}' for k, v in Counter(p.corpus for p in pages).items())}); "
        f"tuning half {halves['tuning']} pages / {len(sites['tuning'])} sites, "
        f"held-out half {halves['held-out']} pages / {len(sites['held-out'])} sites"
    )
    start = time.perf_counter()
    rejects = Path(tempfile.mkdtemp(), "rejects.jsonl")
    stored, raw, stats = crawl(
        pages,
        {"ADDONS": {"scrapy_newsclean.Addon": 500}, "NEWSCLEAN_REJECTS": str(rejects)},
    )
    print(
        f"crawl with the add-on: {len(raw)} items from {len(pages)} pages, "
        f"{len(stored)} stored ({time.perf_counter() - start:.1f} s)"
    )
    dropped = {
        k.removeprefix("newsclean/"): v
        for k, v in sorted(stats.items())
        if k.startswith("newsclean/")
        and ("dropped" in k or "near_duplicate" in k or "empty_after" in k)
    }
    print(f"  drops: {dropped}")
    if rejects.exists():
        for line in rejects.read_text("utf-8").splitlines():
            record = json.loads(line)
            print(
                f"    {record['stage']}/{record['reason']}: {record['url']}"
                + (
                    f" ~ {record['duplicate_of']} ({record.get('distance')})"
                    if record.get("duplicate_of")
                    else ""
                )
            )
    crawled = report("with the add-on (crawl):", pages, raw, stored)
    offline = report(
        "text only (scrapy-newsclean clean on the lazy items):",
        pages,
        raw,
        clean_offline(raw),
    )
    report("lazy spider, nothing removed:", pages, raw, raw)
    for half in ("tuning", "held-out"):
        summary(f"crawl {half}", crawled[half])
    for half in ("tuning", "held-out"):
        summary(f"text only {half}", offline[half])


if __name__ == "__main__":
    main()
