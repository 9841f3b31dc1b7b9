"""The end-of-crawl report: log summary, stats and JSON file."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon, __version__, _accel
from scrapy_newsclean.crawl._report import SiteTally, build_report, format_report
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from tests.conftest import MockServer

ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}


@deferred_f_from_coro_f
async def test_report_logged_saved_and_in_stats(
    mockserver: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "report.json"
    urls = [
        mockserver.url("/site/seed_000.html"),
        mockserver.url("/site/seed_000_syndicated.html"),
        mockserver.url("/status/403/seed_000.html"),
        mockserver.url("/site/soft404.html"),
    ]
    settings = {
        **ADDON,
        "CONCURRENT_REQUESTS": 1,
        "HTTPERROR_ALLOW_ALL": True,
        "NEWSCLEAN_REPORT_PATH": str(path),
    }
    with caplog.at_level(logging.INFO, logger="scrapy_newsclean"):
        result = await crawl(urls, settings, spidercls=ArticleSpider)
    report = json.loads(path.read_text())
    assert report["items_in"] == 2
    assert report["items_out"] == 1
    assert report["pages_dropped"] == {"soft_404": 1, "status_403": 1}
    assert report["items_dropped"] == {"near_duplicate": 1}
    assert report["blocks_removed"]["repeated_run"] == 8
    assert report["top_sites"]["error_page/status_403"] == [["127.0.0.1", 1]]
    assert result.stat("newsclean/report/items_out") == 1
    assert result.stat("newsclean/report/pages_dropped") == 2
    # once at start: the version and the active kernels; then the report
    start, summary = [
        r.getMessage()
        for r in caplog.records
        if r.name == "scrapy_newsclean.crawl._report"
    ]
    assert start == f"scrapy-newsclean {__version__}: {_accel.ACTIVE} kernels"
    assert summary.startswith(f"scrapy-newsclean report ({_accel.ACTIVE} kernels):")
    assert report["implementation"] == _accel.ACTIVE
    assert "pages dropped: soft_404 1, status_403 1" in summary
    assert "items dropped: near_duplicate 1" in summary


def test_format_of_an_empty_crawl() -> None:
    text = format_report(build_report({}, SiteTally()))
    assert "items in 0, stored 0" in text
    assert "pages dropped: none" in text


def test_report_reads_reasons_not_counters() -> None:
    stats = {
        "item_scraped_count": 3,
        "newsclean/error_page/checked": 5,
        "newsclean/error_page/dropped": 2,
        "newsclean/error_page/dropped/reason_count/status_403": 2,
        "newsclean/error_page/unparsable": 1,
        "newsclean/error_page/retry/reason_count/challenge_akamai": 1,
        "newsclean/clean/blocks_removed/reason_count/disclaimer": 4,
        "newsclean/clean/field_skipped/reason_count/oversize": 1,
        "newsclean/duplicate/no_text": 2,  # passed: not a drop
        "newsclean/duplicate/no_text/reason_count/missing": 2,
        "newsclean/duplicate/dropped": 1,
        "newsclean/duplicate/dropped/reason_count/near_duplicate": 1,
        "newsclean/duplicate/store_unavailable_passed": 1,
    }
    report = build_report(stats, SiteTally())
    assert report["pages_dropped"] == {"status_403": 2}
    assert report["items_dropped"] == {"near_duplicate": 1}
    assert report["blocks_removed"] == {"disclaimer": 4}
    assert report["chars_removed"] == {}
    assert report["responses_checked"] == 5
