"""The crawl report: what newsclean dropped and stripped, at the end of a crawl.

:class:`CrawlReport` is an extension: at ``spider_closed`` it logs one readable
summary, stores the headline figures as ``newsclean/report/...`` stats and,
with :setting:`NEWSCLEAN_REPORT_PATH`, writes the whole report as JSON
(:func:`write_report`: crawls that overlap never overwrite each other's file).
:class:`SiteTally` counts, per crawler, which sites each drop or removal
reason hit, so the report can name the top sites.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import NotConfigured

from scrapy_newsclean import __version__, _accel
from scrapy_newsclean.crawl._settings import newsclean_enabled, report_path
from scrapy_newsclean.crawl._startup import FINISH_REASON, build

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)

_TALLIES: WeakKeyDictionary[Crawler, SiteTally] = WeakKeyDictionary()
#: Sites named per reason in the report.
TOP_SITES = 3
#: Distinct sites counted per reason (the long tail is dropped).
MAX_SITES_PER_KEY = 1000


class SiteTally:
    """Per-reason site counters of one crawler (bounded)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> SiteTally:
        tally = _TALLIES.get(crawler)
        if tally is None:
            tally = _TALLIES[crawler] = cls()
        return tally

    def add(self, key: str, site: str, count: int = 1) -> None:
        counter = self.counts.setdefault(key, Counter())
        name = site or "(no site)"
        if name in counter or len(counter) < MAX_SITES_PER_KEY:
            counter[name] += count

    def top(self, key: str, limit: int = TOP_SITES) -> list[tuple[str, int]]:
        return self.counts.get(key, Counter()).most_common(limit)


def reason_counts(stats: dict[str, Any], counter: str) -> dict[str, int]:
    """The reasons of *counter*: ``<counter>/reason_count/<reason>`` stats, by reason.

    Counters (``newsclean/<component>/<event>``) and reasons never share a
    namespace, so no key needs to be skipped.
    """
    prefix = f"{counter}/reason_count/"
    return {
        key[len(prefix) :]: value
        for key, value in sorted(stats.items())
        if key.startswith(prefix)
    }


def build_report(stats: dict[str, Any], tally: SiteTally) -> dict[str, Any]:
    """The report as a JSON-friendly dict, from crawl stats and the tally."""
    items_dropped = {
        **reason_counts(stats, "newsclean/clean/dropped"),
        **reason_counts(stats, "newsclean/duplicate/dropped"),
    }
    scraped = stats.get("item_scraped_count", 0)
    return {
        "implementation": _accel.ACTIVE,
        "items_in": scraped + stats.get("item_dropped_count", 0),
        "items_out": scraped,
        "responses_checked": stats.get("newsclean/error_page/checked", 0),
        "pages_dropped": reason_counts(stats, "newsclean/error_page/dropped"),
        "items_dropped": dict(sorted(items_dropped.items())),
        "duplicates_tagged": stats.get("newsclean/duplicate/tagged", 0),
        "items_cleaned": stats.get("newsclean/clean/items_cleaned", 0),
        "blocks_removed": reason_counts(stats, "newsclean/clean/blocks_removed"),
        "chars_removed": reason_counts(stats, "newsclean/clean/chars_removed"),
        "top_sites": {
            key: tally.top(key) for key in sorted(tally.counts) if tally.counts[key]
        },
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as a few readable lines for the log."""

    def pairs(mapping: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in mapping.items()) or "none"

    tagged = report["duplicates_tagged"]
    totals = (
        f"items in {report['items_in']}, stored {report['items_out']}; "
        f"responses checked {report['responses_checked']}"
    )
    items = f"items dropped: {pairs(report['items_dropped'])}"
    cleaned = (
        f"items cleaned {report['items_cleaned']}; "
        f"blocks removed: {pairs(report['blocks_removed'])}"
    )
    lines = [
        totals,
        f"pages dropped: {pairs(report['pages_dropped'])}",
        items + (f"; duplicates tagged {tagged}" if tagged else ""),
        cleaned,
        f"characters removed: {pairs(report['chars_removed'])}",
    ]
    for key, sites in report["top_sites"].items():
        lines.append(f"top sites {key}: " + ", ".join(f"{s} {n}" for s, n in sites))
    heading = f"scrapy-newsclean report ({report['implementation']} kernels):"
    return "\n  ".join([heading, *lines])


def write_report(
    template: str, report: dict[str, Any], started: float
) -> tuple[Path, Path]:
    """Write *report* as JSON to *template*'s path; (that path, the one written).

    ``{hostname}`` and ``{pid}`` in *template* are this process's. The path
    holds one crawl's report: a file there written since *started* (this
    crawl's start) belongs to a crawl running alongside (another worker), so
    this one goes to ``<stem>.<hostname>-<pid>[-n]<suffix>`` beside it. The
    choice is made under a lock on the directory and the write is atomic (a
    temporary file renamed), so readers never see half a report.
    """
    host, pid = socket.gethostname(), os.getpid()
    path = Path(template.format(hostname=host, pid=pid))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    with _locked(path.parent):
        target, n = path, 1
        while _written_since(target, started):
            n += 1
            worker = f"{host}-{pid}" if n == 2 else f"{host}-{pid}-{n - 1}"
            target = path.with_name(f"{path.stem}.{worker}{path.suffix}")
        temporary = target.with_name(f".{target.name}.{pid}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    return path, target


def _written_since(path: Path, started: float) -> bool:
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return False
    # A file system that keeps whole seconds (FAT keeps 2) rounds the time a
    # report was written down: allow for it, and only for it (a crawl run
    # just after another must replace its report).
    coarse = mtime == int(mtime)
    return mtime >= started - (2 if coarse else 0)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on *directory* (POSIX; elsewhere no lock)."""
    try:
        import fcntl  # noqa: PLC0415 (POSIX only)
    except ImportError:  # pragma: no cover (Windows)
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with suppress(OSError):
            os.close(fd)  # releases the lock


class CrawlReport:
    """Log (and optionally save) the newsclean report when the spider closes.

    At start it logs, once, the version and which kernels run (``compiled``
    or ``pure (...)``, :mod:`scrapy_newsclean._accel`); the report repeats it.

    Settings: :setting:`NEWSCLEAN_REPORT_PATH` (JSON file, may hold
    ``{hostname}`` and ``{pid}``; ``None``: none; see :func:`write_report`).
    Stats: ``newsclean/report/items_in``, ``.../items_out``,
    ``.../pages_dropped``, ``.../items_dropped``, ``.../blocks_removed``,
    ``.../chars_removed``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not newsclean_enabled(crawler.settings):
            raise NotConfigured  # switched off on purpose: no warning
        self.crawler = crawler
        self.path = report_path(crawler.settings)
        self.started = time.time()  # a report written since: another crawl's
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info(
            "scrapy-newsclean %(version)s: %(implementation)s kernels",
            {"version": __version__, "implementation": _accel.ACTIVE},
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return build(cls, crawler)

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if reason == FINISH_REASON:
            return  # refused at start: the error line says it all
        stats = self.crawler.stats
        assert stats is not None
        report = build_report(stats.get_stats(), SiteTally.of(self.crawler))
        for key in ("items_in", "items_out"):
            stats.set_value(f"newsclean/report/{key}", report[key])
        for key in (
            "pages_dropped",
            "items_dropped",
            "blocks_removed",
            "chars_removed",
        ):
            stats.set_value(f"newsclean/report/{key}", sum(report[key].values()))
        logger.info(format_report(report), extra={"spider": spider})
        if self.path:
            path, written = write_report(self.path, report, self.started)
            if written != path:
                logger.info(
                    "%(path)s holds the report of a crawl that ran alongside"
                    " this one: this crawl's report is in %(written)s",
                    {"path": path, "written": written},
                    extra={"spider": spider},
                )
