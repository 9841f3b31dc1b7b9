"""The crawl report: what newsclean dropped and stripped, at the end of a crawl.

:class:`CrawlReport` is an extension: at ``spider_closed`` it logs one readable
summary, stores the headline figures as ``newsclean/report/...`` stats and,
with :setting:`NEWSCLEAN_REPORT_PATH`, writes the whole report as JSON.
:class:`SiteTally` counts, per crawler, which sites each drop or removal
reason hit, so the report can name the top sites.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import NotConfigured

from scrapy_newsclean import __version__, _accel
from scrapy_newsclean.crawl._settings import newsclean_enabled, report_path

if TYPE_CHECKING:
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


class CrawlReport:
    """Log (and optionally save) the newsclean report when the spider closes.

    At start it logs, once, the version and which kernels run (``compiled``
    or ``pure (...)``, :mod:`scrapy_newsclean._accel`); the report repeats it.

    Settings: :setting:`NEWSCLEAN_REPORT_PATH` (JSON file; ``None``: none).
    Stats: ``newsclean/report/items_in``, ``.../items_out``,
    ``.../pages_dropped``, ``.../items_dropped``, ``.../blocks_removed``,
    ``.../chars_removed``.
    """

    def __init__(self, crawler: Crawler) -> None:
        if not newsclean_enabled(crawler.settings):
            raise NotConfigured  # switched off on purpose: no warning
        self.crawler = crawler
        self.path = report_path(crawler.settings)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info(
            "scrapy-newsclean %(version)s: %(implementation)s kernels",
            {"version": __version__, "implementation": _accel.ACTIVE},
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_closed(self, spider: Spider) -> None:
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
            path = Path(self.path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
