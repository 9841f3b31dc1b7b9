"""Throughput of each per-item stage and of the whole chain, on real article pages.

The aeb pages (``html/*.html.gz``) are parsed once with lxml; each item is
``{"url", "body"}`` with the body built as the crawl benchmark's spider does
(every ``<p>`` text joined by newlines). Stages, timed over the whole corpus:

- error-page check: :func:`~scrapy_newsclean.errorpages._classify.classify` with the
  pre-parsed root, status 200;
- cleaning: :func:`~scrapy_newsclean.cleaning._item.clean_item`, default
  :class:`~scrapy_newsclean.cleaning._item.CleanConfig`, a fresh dict per run;
- fingerprint: :func:`~scrapy_newsclean.neardup.fingerprint` of the cleaned body;
- store: ``MemoryStore.check_and_reserve_now`` + ``commit`` (a new store per run);
- chain: all four in a row per item, as the add-on runs them.

``fresh``: every memo (block memos, feature digests) is emptied before the run,
so the run is one pass over the corpus from cold, like a new crawl of these
pages (a site's recurring chrome warms up within the pass). ``warm``: the same
items again right after (every memo hits). Figures are medians of ROUNDS runs;
MB are MB of UTF-8 body text (raw body before cleaning, cleaned body after).

The simhash package does the same dedup work on the same cleaned texts:
``Simhash(text)`` then ``SimhashIndex(k=3, f=64)`` ``get_near_dups`` + ``add``.

Run: ``.venv/bin/python -m benchmarks.stages [--rounds N]`` (about 1 minute).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from lxml import html

from benchmarks._shared import shared_dir
from scrapy_newsclean import _bounded_memo as memo
from scrapy_newsclean import neardup as simhash
from scrapy_newsclean.cleaning._item import CleanConfig, clean_item
from scrapy_newsclean.errorpages import _classify as errorpages
from scrapy_newsclean.neardup import _features as features
from scrapy_newsclean.stores._base import Reservation
from scrapy_newsclean.stores._memory import MemoryStore

if TYPE_CHECKING:
    from collections.abc import Callable

ROUNDS = 9
NOW = 1_700_000_000.0
CONFIG = CleanConfig()
Page = tuple[str, Any, str]  # url, parsed root, lazy body


def load_pages() -> list[Page]:
    """Every aeb page with paragraph text: (url, root, body)."""
    aeb = shared_dir() / "benchmarks/aeb"
    truth = json.loads((aeb / "ground-truth.json").read_text("utf-8"))
    pages = []
    for path in sorted((aeb / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        root = html.document_fromstring(gzip.decompress(path.read_bytes()))
        body = "\n".join(root.xpath("//p/text()"))
        url = truth.get(key, {}).get("url") or f"https://news.example/{key}.html"
        if body.strip():
            pages.append((url, root, body))
    return pages


def clear_caches() -> None:
    memo.clear_all()
    features.clear_memo()


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def check_pages(pages: list[Page]) -> None:
    for url, root, _ in pages:
        errorpages.classify(status=200, url=url, root=root)


def clean_pages(pages: list[Page]) -> None:
    for url, _, body in pages:
        clean_item(ItemAdapter({"url": url, "body": body}), CONFIG)


def fingerprint_texts(texts: list[str]) -> None:
    for text in texts:
        simhash.fingerprint(text)


async def _store(fps: list[simhash.Fingerprint], urls: list[str]) -> None:
    store = MemoryStore()
    for fp, url in zip(fps, urls, strict=True):
        outcome = store.check_and_reserve_now("", fp, url, NOW)
        if isinstance(outcome, Reservation):
            await store.commit(outcome, NOW)


async def _fingerprint_store(texts: list[str], urls: list[str]) -> None:
    store = MemoryStore()
    for text, url in zip(texts, urls, strict=True):
        outcome = store.check_and_reserve_now("", simhash.fingerprint(text), url, NOW)
        if isinstance(outcome, Reservation):
            await store.commit(outcome, NOW)


async def _chain(pages: list[Page]) -> int:
    """The whole chain per item; returns how many items were kept."""
    store, kept = MemoryStore(), 0
    for url, root, body in pages:
        if errorpages.classify(status=200, url=url, root=root) is not None:
            continue
        item = {"url": url, "body": body}
        clean_item(ItemAdapter(item), CONFIG)
        fp = simhash.fingerprint(item["body"])
        outcome = store.check_and_reserve_now("", fp, url, NOW)
        if isinstance(outcome, Reservation):
            await store.commit(outcome, NOW)
            kept += 1
    return kept


def simhash_classes(texts: list[str]) -> list[Any]:
    """``simhash.Simhash`` per text; a patched subclass where it overflows.

    simhash 2.1.2 multiplies a ``uint8`` bit array by a feature's weight when
    the weight exceeds 50, which overflows under numpy 2 (NEP 50) once a
    4-gram occurs more than 255 times; the subclass unpacks to ``int64``.
    """
    import numpy as np
    import simhash as package

    class Widened(package.Simhash):  # type: ignore[misc]
        @staticmethod
        def _bitarray_from_bytes(b: bytes) -> Any:
            return np.unpackbits(np.frombuffer(b, dtype=">B")).astype(np.int64)

    return [package.Simhash if fits(text) else Widened for text in texts]


def fits(text: str) -> bool:
    """``simhash.Simhash(text)`` runs without overflowing."""
    import simhash as package

    try:
        package.Simhash(text, f=64)
    except OverflowError:
        return False
    return True


def simhash_package(texts: list[str], classes: list[Any]) -> None:
    """The simhash package doing the same dedup work (k=3, f=64)."""
    import simhash as package

    index = package.SimhashIndex([], f=64, k=3)
    for i, (text, cls) in enumerate(zip(texts, classes, strict=True)):
        value = cls(text, f=64)
        if not index.get_near_dups(value):
            index.add(str(i), value)


def measure(
    stages: dict[str, Callable[[], object]], rounds: int
) -> dict[str, tuple[float, float]]:
    """Median (fresh, warm) seconds per corpus pass of each stage, interleaved."""
    fresh: dict[str, list[float]] = {name: [] for name in stages}
    warm: dict[str, list[float]] = {name: [] for name in stages}
    for _ in range(rounds):
        for name, func in stages.items():
            clear_caches()
            fresh[name].append(timed(func))
            warm[name].append(timed(func))
    return {
        name: (statistics.median(fresh[name]), statistics.median(warm[name]))
        for name in stages
    }


def report(name: str, seconds: tuple[float, float], items: int, mb: float) -> None:
    fresh, warm = seconds
    print(
        f"  {name:<34} {items / fresh:9.0f} items/s {mb / fresh:7.2f} MB/s"
        f" {fresh / items * 1e6:8.1f} us/item | warm {items / warm:9.0f} items/s"
        f" {mb / warm:7.2f} MB/s"
    )


def main(argv: list[str]) -> None:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else ROUNDS
    start = time.perf_counter()
    pages = load_pages()
    urls = [url for url, _, _ in pages]
    cleaned = []
    for url, _, body in pages:
        item = {"url": url, "body": body}
        clean_item(ItemAdapter(item), CONFIG)
        cleaned.append(item["body"])
    fps = [simhash.fingerprint(text) for text in cleaned]
    raw_mb = sum(len(body.encode()) for _, _, body in pages) / 1e6
    clean_mb = sum(len(text.encode()) for text in cleaned) / 1e6
    n = len(pages)
    print(
        f"{n} aeb pages parsed in {time.perf_counter() - start:.1f} s; body text"
        f" {raw_mb:.2f} MB raw (median {statistics.median(len(b) for *_, b in pages)}"
        f" chars), {clean_mb:.2f} MB cleaned; medians of {rounds} runs"
    )
    classes = simhash_classes(cleaned)
    widened = sum(cls.__name__ == "Widened" for cls in classes)
    if widened:
        print(f"({widened} texts overflow simhash 2.1.2 under numpy 2: widened)")
    loop = asyncio.new_event_loop()
    kept: list[int] = []
    stages: dict[str, Callable[[], object]] = {
        "error-page check": lambda: check_pages(pages),
        "cleaning": lambda: clean_pages(pages),
        "fingerprint": lambda: fingerprint_texts(cleaned),
        "store lookup+add": lambda: loop.run_until_complete(_store(fps, urls)),
        "fingerprint+store": lambda: loop.run_until_complete(
            _fingerprint_store(cleaned, urls)
        ),
        "chain": lambda: kept.append(loop.run_until_complete(_chain(pages))),
        "simhash package": lambda: simhash_package(cleaned, classes),
    }
    results = measure(stages, rounds)
    loop.close()
    print("stage (fresh memos | warm memos):")
    for name, seconds in results.items():
        mb = raw_mb if name in {"error-page check", "cleaning", "chain"} else clean_mb
        label = "Simhash + SimhashIndex(k=3)" if name == "simhash package" else name
        report(label, seconds, n, mb)
    fresh, warm = results["chain"]
    print(
        f"chain (fresh): {n / fresh:.0f} items/s, {raw_mb / fresh:.2f} MB/s"
        f" ({kept[0]} of {n} items kept); warm: {n / warm:.0f} items/s,"
        f" {raw_mb / warm:.2f} MB/s"
    )
    ours, theirs = results["fingerprint+store"], results["simhash package"]
    print(
        "simhash package Simhash+SimhashIndex / newsclean fingerprint+store:"
        f" {theirs[0] / ours[0]:.1f}x fresh, {theirs[1] / ours[1]:.1f}x warm"
    )
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
