"""Crawl overhead: CPU seconds of the same local crawl with and without newsclean.

Run from the repository root: ``.venv/bin/python -m benchmarks.crawl_overhead
[--breakdown]`` (``--breakdown`` adds crawls with one part of the add-on each). The add-on
also runs without page evidence, so that its own cost per page (the median of
the within-round differences) is printed.

A server on 127.0.0.1 (its own process) serves ``PAGES`` article URLs whose
bodies are the real news pages of ``../shared/benchmarks/aeb``, each page made
distinct: past the first round through the corpus, the words of every text run
inside a ``<p>`` are shuffled (seeded by the URL), so every item's text is new,
as in a real crawl, and per-block memos hit no more than there. A spider yields
one item per page (url, title, the paragraphs' text as body), the way news
spiders do. Each crawl runs in its own process and reports its own
CPU time (``time.process_time``), so the server's CPU is not counted. Runs
alternate between the plain crawl and the crawl with the add-on
(``NEWSCLEAN_DUPLICATE_ACTION = "tag"`` so every item flows to the end, a
memory store), in rounds: the figure is the median over the rounds of the
ratio within each round.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks._shared import shared_dir

PAGES = 2000
RUNS = 5
ROOT = Path(__file__).resolve().parents[1]

CRAWL_SCRIPT = """
import json, sys, time
import scrapy
from scrapy.crawler import CrawlerProcess

class Articles(scrapy.Spider):
    name = "articles"
    async def start(self):
        for n in range({pages}):
            yield scrapy.Request(f"{base}/a/{{n}}")
    def parse(self, response):
        yield {{
            "url": response.url,
            "title": response.css("title::text").get(),
            "body": "\\n".join(response.css("p::text").getall()),
        }}

settings = {{
    "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
    "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}}
if {newsclean}:
    settings.update({{
        "ADDONS": {{"scrapy_newsclean.Addon": 500}},
        "NEWSCLEAN_STORE": "memory://",
        "NEWSCLEAN_DUPLICATE_ACTION": "tag",
        "NEWSCLEAN_LOG_LEVEL": "DEBUG",
    }})
    settings.update(json.loads({extra!r}))
process = CrawlerProcess(settings)
crawler = process.create_crawler(Articles)
process.crawl(crawler)
process.start()
print(json.dumps({{"cpu": time.process_time(),
                  "items": crawler.stats.get_value("item_scraped_count")}}))
"""


def pages() -> list[bytes]:
    html = shared_dir() / "benchmarks" / "aeb" / "html"
    return [gzip.decompress(p.read_bytes()) for p in sorted(html.glob("*.html.gz"))]


_PARAGRAPH = re.compile(rb"(<p(?:\s[^>]*)?>)(.*?)(</p>)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(rb"(<[^>]*>)")


def page(bodies: list[bytes], n: int) -> bytes:
    """Page ``n``: corpus page ``n % len(bodies)``, the words of each text run of
    its paragraphs shuffled when ``n`` is past the first round (seeded by ``n``,
    so both crawls get the same pages)."""
    body = bodies[n % len(bodies)]
    if n < len(bodies):
        return body
    rng = random.Random(n)

    def shuffle(match: re.Match[bytes]) -> bytes:
        parts = _TAG.split(match.group(2))
        for k in range(0, len(parts), 2):  # even parts are text, odd ones tags
            words = parts[k].split()
            rng.shuffle(words)
            parts[k] = b" ".join(words)
        return match.group(1) + b"".join(parts) + match.group(3)

    return _PARAGRAPH.sub(shuffle, body)


def serve(bodies: list[bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:
            body = page(bodies, int(self.path.rsplit("/", 1)[-1]))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --breakdown: the add-on with one part only, to show where its CPU goes.
PARTS: dict[str, dict[str, bool]] = {
    "error-page check only": {
        "NEWSCLEAN_CLEAN_ENABLED": False,
        "NEWSCLEAN_DEDUP_ENABLED": False,
    },
    "cleaning only": {
        "NEWSCLEAN_ERRORPAGE_ENABLED": False,
        "NEWSCLEAN_DEDUP_ENABLED": False,
    },
    "near-duplicates only": {
        "NEWSCLEAN_ERRORPAGE_ENABLED": False,
        "NEWSCLEAN_CLEAN_ENABLED": False,
    },
}


def crawl(
    base: str, *, newsclean: bool, extra: dict[str, bool] | None = None
) -> dict[str, float]:
    script = CRAWL_SCRIPT.format(
        pages=PAGES, base=base, newsclean=newsclean, extra=json.dumps(extra or {})
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def rounds(
    base: str, variants: dict[str, dict[str, bool] | None]
) -> dict[str, list[float]]:
    """CPU seconds of each variant, ``RUNS`` rounds; within a round every variant
    runs once, in an order rotated each round (drift and noise hit all alike).
    ``None`` is the plain crawl, a dict the add-on with those settings."""
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for k in range(RUNS):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            extra = variants[name]
            result = crawl(base, newsclean=extra is not None, extra=extra)
            cpu[name].append(result["cpu"])
            print(
                f"round {k + 1}: {name}: {result['cpu']:.2f} s ({result['items']:.0f} items)"
            )
    return cpu


def main() -> None:
    server = serve(pages())
    base = f"http://127.0.0.1:{server.server_port}"
    variants: dict[str, dict[str, bool] | None] = {
        "without": None,
        "with": {},
        "with, no page evidence": {"NEWSCLEAN_CLEAN_PAGE_EVIDENCE": False},
    }
    if "--breakdown" in sys.argv:
        variants.update(PARTS)
    cpu = rounds(base, variants)
    server.shutdown()
    plain = cpu.pop("without")
    base_cpu, addon_cpu = statistics.median(plain), statistics.median(cpu["with"])
    print(f"{PAGES} real news pages, {RUNS} rounds; medians")
    print(
        f"CPU without newsclean: {base_cpu:.2f} s ({base_cpu / PAGES * 1000:.2f} ms/page)"
    )
    print(
        f"CPU with the add-on:   {addon_cpu:.2f} s ({addon_cpu / PAGES * 1000:.2f} ms/page)"
    )
    for name, runs in cpu.items():
        # The ratio within each round, then the median over the rounds.
        ratio = statistics.median(c / p for c, p in zip(runs, plain, strict=True))
        extra_ms = (statistics.median(runs) - base_cpu) / PAGES * 1000
        if name == "with":
            print(f"overhead ratio: {ratio:.3f} (target <= 1.10)")
        elif name == "with, no page evidence":
            own = statistics.median(
                (w - n) / PAGES * 1000 for w, n in zip(cpu["with"], runs, strict=True)
            )
            print(f"page evidence: +{own:.2f} ms/page (target <= 0.5)")
            print(f"{name}: +{extra_ms:.2f} ms/page (ratio {ratio:.3f})")
        else:
            print(f"{name}: +{extra_ms:.2f} ms/page (ratio {ratio:.3f})")


if __name__ == "__main__":
    main()
