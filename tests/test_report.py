"""The end-of-crawl report: log summary, stats and JSON file."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Spider
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from scrapy_newsclean import Addon, __version__, _accel
from scrapy_newsclean.crawl._report import (
    CrawlReport,
    SiteTally,
    build_report,
    format_report,
)
from tests.conftest import ROOT
from tests.spiders import ArticleSpider, crawl

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MockServer

ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}


@deferred_f_from_coro_f
async def test_report_logged_saved_and_in_stats(
    mockserver: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "report.json"
    urls = [
        mockserver.url("/site/seed_000.html"),
        mockserver.other_host_url("/site/seed_000_syndicated.html"),
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


def names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def story_urls(mockserver: MockServer, stories: range) -> list[str]:
    return [mockserver.url(f"/story/{n}/0") for n in stories]


def test_workers_sharing_the_report_path_each_keep_their_report(
    mockserver: MockServer, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    settings = {
        "NEWSCLEAN_STORE": "memory://",
        "NEWSCLEAN_REPORT_PATH": str(path),
        "TEST_RENDEZVOUS_DIR": str(rendezvous),  # the two crawls overlap
        "TEST_RENDEZVOUS_COUNT": 2,
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.worker_process",
                json.dumps(settings),
                *story_urls(mockserver, stories),
            ],
            cwd=ROOT,
        )
        for stories in (range(3), range(3, 8))
    ]
    for proc in workers:
        assert proc.wait(timeout=120) == 0
    reports = sorted(tmp_path.glob("report*"))
    assert path in reports
    assert len(reports) == 2  # and nothing else (no lock or temporary file)
    stored = sorted(json.loads(p.read_text())["items_out"] for p in reports)
    assert stored == [3, 5]  # each worker's own figures, none overwritten


@deferred_f_from_coro_f
async def test_report_path_placeholders_and_an_earlier_run_replaced(
    mockserver: MockServer, tmp_path: Path
) -> None:
    earlier = tmp_path / "report.json"
    earlier.write_text('{"items_out": 99}')
    os.utime(earlier, (1_000_000_000, 1_000_000_000))  # a crawl of long ago
    for template in (str(earlier), str(tmp_path / "report-{hostname}-{pid}.json")):
        settings = {**ADDON, "NEWSCLEAN_REPORT_PATH": template}
        await crawl(story_urls(mockserver, range(2)), settings, spidercls=ArticleSpider)
    assert json.loads(earlier.read_text())["items_out"] == 2
    own = tmp_path / f"report-{socket.gethostname()}-{os.getpid()}.json"
    assert json.loads(own.read_text())["items_out"] == 2
    assert names(tmp_path) == sorted([earlier.name, own.name])


def test_unknown_report_path_placeholder_is_refused() -> None:
    crawler = get_crawler(Spider, {"NEWSCLEAN_REPORT_PATH": "r-{spider}.json"})
    # (from_crawler turns it into one startup error line: tests/test_startup.py)
    with pytest.raises(ValueError, match=r"only placeholders are \{hostname\}"):
        CrawlReport(crawler)
