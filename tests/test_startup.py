"""What newsclean checks and says when a crawl starts (#12).

Startup errors run real ``scrapy runspider`` processes (Scrapy's default
``AsyncCrawlerProcess``, as ``scrapy crawl``) and read their stderr: one
clean ERROR line, no traceback. The start lines are checked in real crawls.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from scrapy_newsclean import Addon
from tests.conftest import ROOT
from tests.spiders import crawl

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import MockServer, RedisServer

ADDON_JSON = json.dumps({"scrapy_newsclean.Addon": 500})
SCRAPY_REDIS = "scrapy_redis.scheduler.Scheduler"
#: scrapy-redis's README sets both (Scrapy 2.19's own dupefilter lacks the
#: from_settings that scrapy-redis 0.9.1 calls).
SCRAPY_REDIS_DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"


def scrapy_redis_settings(redis_url: str, key: str | None = None) -> dict[str, Any]:
    """A scrapy-redis worker's settings; *key* gives it a queue of its own."""
    settings: dict[str, Any] = {
        "SCHEDULER": SCRAPY_REDIS,
        "DUPEFILTER_CLASS": SCRAPY_REDIS_DUPEFILTER,
        "REDIS_URL": redis_url,
    }
    if key is not None:
        settings["SCHEDULER_QUEUE_KEY"] = f"{key}:requests"
        settings["SCHEDULER_DUPEFILTER_KEY"] = f"{key}:dupefilter"
    return settings


STORIES = 12


def story_urls(mockserver: MockServer, outlets: int = 2) -> list[str]:
    return [
        mockserver.url(f"/story/{n}/{outlet}")
        for n in range(STORIES)
        for outlet in range(outlets)
    ]


def scrapy_process(
    cwd: Path, settings: dict[str, Any], urls: list[str]
) -> subprocess.Popen[str]:
    """``scrapy runspider tests/startup_spider.py`` with the add-on and *settings*."""
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(ROOT / "tests" / "startup_spider.py"),
        "-a",
        f"urls={','.join(urls)}",
    ]
    base = {"ADDONS": ADDON_JSON, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO"}
    for name, value in {**base, **settings}.items():
        args += ["-s", f"{name}={value}"]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(proc: subprocess.Popen[str]) -> str:
    _, stderr = proc.communicate(timeout=120)
    return stderr


def error_lines(stderr: str) -> list[str]:
    return [
        line.split("ERROR: ", 1)[1]
        for line in stderr.splitlines()
        if "] ERROR: " in line or "] CRITICAL: " in line
    ]


def assert_refused(stderr: str, *parts: str) -> str:
    """One clean error line naming *parts*; the spider closed at once."""
    errors = error_lines(stderr)
    assert len(errors) == 1, stderr
    assert errors[0].startswith("scrapy-newsclean cannot start: "), errors
    for part in parts:
        assert part in errors[0]
    assert "Traceback" not in stderr
    assert "Task exception was never retrieved" not in stderr
    assert "Spider closed (newsclean_startup_error)" in stderr
    assert "downloader/request_count" not in stderr  # nothing was fetched
    return errors[0]


HOLD_STORE = """
import asyncio, sys
from scrapy_newsclean.stores import build_store
async def main():
    store = build_store(sys.argv[1])
    await store.open()
    print("open", flush=True)
    sys.stdin.read()
    await store.close()
asyncio.run(main())
"""


def test_second_process_on_one_sqlite_file_is_one_error_line(
    mockserver: MockServer, tmp_path: Path
) -> None:
    uri = f"sqlite:///{tmp_path / 'state.db'}"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD_STORE, uri],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None
    assert first.stdin is not None
    try:
        assert first.stdout.readline().strip() == "open"
        stderr = run(
            scrapy_process(tmp_path, {"NEWSCLEAN_STORE": uri}, story_urls(mockserver))
        )
    finally:
        first.stdin.close()
        first.wait(timeout=10)
        first.stdout.close()
    assert_refused(stderr, f"{uri} is in use by another process", "redis://")
    assert "scrapy-newsclean report" not in stderr


def test_scrapy_redis_workers_on_a_local_store_are_refused(
    mockserver: MockServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    settings = scrapy_redis_settings(redis_server.url)
    workers = [
        scrapy_process(tmp_path, settings, story_urls(mockserver)) for _ in range(2)
    ]
    for worker in workers:
        line = assert_refused(
            run(worker),
            f"SCHEDULER {SCRAPY_REDIS} shares its request queue",
            'NEWSCLEAN_STORE = "redis://host:6379/0"',
            "NEWSCLEAN_STORE_ALLOW_LOCAL = True",
        )
        assert "/.scrapy/newsclean/state.db is local to one process" in line


def test_single_scrapy_redis_worker_may_opt_out(
    mockserver: MockServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    settings = {
        **scrapy_redis_settings(redis_server.url, uuid.uuid4().hex),
        "NEWSCLEAN_STORE_ALLOW_LOCAL": True,
    }
    stderr = run(scrapy_process(tmp_path, settings, story_urls(mockserver)))
    assert error_lines(stderr) == []
    assert "Traceback" not in stderr
    assert "is not (NEWSCLEAN_STORE_ALLOW_LOCAL = True): run a single worker" in stderr
    assert f"'item_scraped_count': {STORIES}," in stderr  # one copy per story


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSCLEAN_DEDUP_TTL", "week", "NEWSCLEAN_DEDUP_TTL must be a number"),
        ("NEWSCLEAN_ENABLED", "maybe", "NEWSCLEAN_ENABLED must be True or False"),
        ("NEWSCLEAN_LOG_LEVEL", "LOUD", "NEWSCLEAN_LOG_LEVEL must be a logging level"),
        ("NEWSCLEAN_STORE", "nosuch://x", "NEWSCLEAN_STORE must be a URI of a scheme"),
    ],
    ids=["pipeline", "master_switch", "middleware", "store_uri"],
)
def test_bad_setting_is_one_error_line(
    mockserver: MockServer, tmp_path: Path, name: str, value: str, message: str
) -> None:
    stderr = run(scrapy_process(tmp_path, {name: value}, story_urls(mockserver)))
    assert_refused(stderr, message)


def test_store_unreachable_at_start_is_one_warning(
    mockserver: MockServer, tmp_path: Path
) -> None:
    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    urls = story_urls(mockserver)[:2]
    stderr = run(scrapy_process(tmp_path, {"NEWSCLEAN_STORE": dead}, urls))
    assert error_lines(stderr) == []
    assert "Traceback" not in stderr
    assert stderr.count(f"Fingerprint store {dead} unreachable at start") == 1
    assert "'item_scraped_count': 2," in stderr  # the items pass (the default)


# -- the start lines ---------------------------------------------------------

ADDON: dict[str, Any] = {"ADDONS": {Addon: 500}, "NEWSCLEAN_STORE": "memory://"}


def start_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name == "scrapy_newsclean.crawl._startup"
    ]


@deferred_f_from_coro_f
async def test_components_on_and_off_are_logged_at_start(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await crawl([mockserver.url("/site/article.html")], ADDON)
    assert (
        logging.INFO,
        (
            "scrapy-newsclean components on: ErrorPageMiddleware"
            " (DOWNLOADER_MIDDLEWARES 540), PageEvidenceMiddleware"
            " (SPIDER_MIDDLEWARES 10), CleanTextPipeline (ITEM_PIPELINES 170),"
            " NearDuplicatePipeline (ITEM_PIPELINES 190), CrawlReport"
            " (EXTENSIONS 500); off: none"
        ),
    ) in start_lines(caplog)
    caplog.clear()
    settings = {
        **ADDON,
        "NEWSCLEAN_DEDUP_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {"scrapy_newsclean.ErrorPageMiddleware": None},
    }
    await crawl([mockserver.url("/site/article.html")], settings)
    assert (
        logging.INFO,
        (
            "scrapy-newsclean components on: PageEvidenceMiddleware"
            " (SPIDER_MIDDLEWARES 10), CleanTextPipeline (ITEM_PIPELINES 170),"
            " CrawlReport (EXTENSIONS 500); off: ErrorPageMiddleware (not in"
            " DOWNLOADER_MIDDLEWARES), NearDuplicatePipeline"
            " (NEWSCLEAN_DEDUP_ENABLED = False)"
        ),
    ) in start_lines(caplog)


@deferred_f_from_coro_f
async def test_master_switch_off_is_logged_by_the_addon(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await crawl(
        [mockserver.url("/site/article.html")], {**ADDON, "NEWSCLEAN_ENABLED": False}
    )
    [(_, message)] = [line for line in start_lines(caplog) if "components" in line[1]]
    assert message.startswith("scrapy-newsclean components on: none; off: ")
    assert message.count("(NEWSCLEAN_ENABLED = False)") == 5


@deferred_f_from_coro_f
async def test_empty_addons_setting_logs_nothing(
    mockserver: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    """``ADDONS = {}`` after the README line (startproject's) turns newsclean off:
    nothing of newsclean runs, so nothing can say so (README: edit the dict)."""
    caplog.set_level(logging.INFO)
    await crawl([mockserver.url("/site/article.html")], {"ADDONS": {}})
    assert start_lines(caplog) == []
